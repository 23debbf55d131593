"""Receipt codes: made at random, shown once, kept only as a hash (pure: no app, no DB).

A voter takes away a code such as ``7KQ2M-...``; the ballot box keeps the SHA-256 of
its normalised form, with no identity, and the published result lists those hashes
so that anyone can check their ballot was counted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: Crockford's base-32 alphabet: no I, L, O or U to misread.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 20 characters of base 32: 100 bits, out of reach of a guess.
RECEIPT_LENGTH = 20
_MISREAD = str.maketrans("OIL", "011")


def _format_receipt(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(RECEIPT_LENGTH):
        number, digit = divmod(number, 32)
        chars.append(_RECEIPT_ALPHABET[digit])
    code = "".join(chars)
    return "-".join(code[i : i + 5] for i in range(0, RECEIPT_LENGTH, 5))


def new_receipt_code() -> str:
    """A random receipt code such as ``7KQ2M-...`` (shown once, never stored)."""
    return _format_receipt(secrets.token_bytes(16))


def receipt_code_for(token: str, secret: str | bytes) -> str:
    """The receipt code of a confirmation *token* (the random nonce of a review page).

    Derived with a keyed hash so that a repeated confirmation (double click, reload)
    finds the same code, while nothing but the voter's page ever holds the token.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, b"receipt:" + token.encode(), hashlib.sha256).digest()
    return _format_receipt(digest[:16])


def normalise_receipt(code: str) -> str:
    """Upper case, without spaces or dashes, with the misreadable letters mapped."""
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    return text.translate(_MISREAD)


def receipt_hash(code: str) -> str:
    """SHA-256 (hex) of the normalised receipt code: what the ballot box keeps."""
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()
