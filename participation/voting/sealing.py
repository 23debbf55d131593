"""The sealed ballot box's cryptography: pure functions, bytes in and bytes out.

When a vote opens, a **key ceremony** makes the round's key pair (X25519, libsodium
through PyNaCl). The private key never reaches the database: its 32 bytes are split
into *n* shares, any *k* of which rebuild it (Shamir's scheme over GF(2^128) from
pycryptodome, applied to each 16-byte half with the same share indices). Each
trustee downloads or prints one share; the server keeps only the public key.

Each confirmed ballot is stored as a **sealed box** (an ephemeral key pair per
ballot, so two identical ballots give unrelated ciphertexts) of its canonical
JSON, padded to a fixed size so that the length of a ciphertext does not tell how
many projects were chosen. At the count, *k* trustees type their shares; the key is
rebuilt in memory, checked against the public key, and opens every box.

A share reads ``PB1-<index>-<base32 of 32 bytes>-<check>``: the check binds it to
the round's public key, so a typo or a share of another round is refused at once,
naming the share.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir
from nacl.public import PrivateKey, PublicKey, SealedBox

#: Version tag at the start of every share.
SHARE_TAG = "PB1"
#: Plaintexts are padded to a multiple of this many bytes before sealing.
PAD_BLOCK = 512
#: Bytes of the check at the end of a share.
_CHECK_BYTES = 4
#: Most trustees a ceremony may have (Shamir indices are one byte here).
MAX_TRUSTEES = 20


class ShareError(ValueError):
    """A share cannot be used; ``kind`` says why, ``position`` which one (from 1)."""

    def __init__(self, kind: str, position: int | None = None) -> None:
        super().__init__(f"{kind} (share {position})")
        self.kind = kind
        self.position = position


@dataclass(frozen=True)
class Ceremony:
    """What a key ceremony produces: the public key and one share per trustee."""

    public_key: bytes
    threshold: int
    shares: tuple[str, ...]


def _check(public_key: bytes, index: int, share: bytes) -> bytes:
    digest = hashlib.blake2b(
        bytes([index]) + share, key=public_key[:32], digest_size=_CHECK_BYTES
    )
    return digest.digest()


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def _unb32(text: str) -> bytes:
    text = text.upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def format_share(public_key: bytes, index: int, share: bytes) -> str:
    """The printable text of one share."""
    return "-".join(
        [SHARE_TAG, str(index), _b32(share), _b32(_check(public_key, index, share))]
    )


def parse_share(text: str, public_key: bytes, position: int) -> tuple[int, bytes]:
    """``(index, 32 bytes)`` from a typed share; :class:`ShareError` if it is wrong.

    Spaces and line breaks are ignored, letters may be in either case.
    """
    cleaned = "".join(text.split()).upper()
    parts = cleaned.split("-")
    if len(parts) != 4 or parts[0] != SHARE_TAG or not parts[1].isascii():
        raise ShareError("malformed", position)
    if not (parts[1].isascii() and parts[1].isdecimal()) or not (
        1 <= int(parts[1]) <= MAX_TRUSTEES
    ):
        raise ShareError("malformed", position)
    index = int(parts[1])
    try:
        share, check = _unb32(parts[2]), _unb32(parts[3])
    except ValueError:
        raise ShareError("malformed", position) from None
    if len(share) != 32 or not hmac.compare_digest(
        check, _check(public_key, index, share)
    ):
        raise ShareError("wrong", position)
    return index, share


def new_ceremony(threshold: int, trustees: int) -> Ceremony:
    """Make a key pair and split its private key into *trustees* shares (*threshold*
    of them rebuild it). Every subset of *threshold* shares is checked before the
    ceremony is returned."""
    if not 1 <= threshold <= trustees <= MAX_TRUSTEES:
        raise ValueError("need 1 <= threshold <= trustees <= 20")
    private = PrivateKey.generate()
    seed = bytes(private)
    public_key = bytes(private.public_key)
    if threshold == 1:
        # Shamir with k = 1 is the secret itself, copied to every trustee.
        pieces = [(i, seed) for i in range(1, trustees + 1)]
    else:
        first = Shamir.split(threshold, trustees, seed[:16])
        second = Shamir.split(threshold, trustees, seed[16:])
        pieces = [(i, a + b) for (i, a), (_, b) in zip(first, second, strict=True)]
    shares = tuple(format_share(public_key, i, share) for i, share in pieces)
    ceremony = Ceremony(public_key, threshold, shares)
    check_ceremony(ceremony)
    return ceremony


def check_ceremony(ceremony: Ceremony) -> None:
    """Raise if some *threshold* consecutive shares (cyclically) fail to rebuild."""
    shares = list(ceremony.shares)
    for start in range(len(shares)):
        chosen = [shares[(start + j) % len(shares)] for j in range(ceremony.threshold)]
        recover_private_key(chosen, ceremony.public_key, ceremony.threshold)


def recover_private_key(
    shares: Sequence[str], public_key: bytes, threshold: int
) -> PrivateKey:
    """Rebuild the private key from at least *threshold* typed shares.

    :raises ShareError: ``malformed``, ``wrong`` (typo, other round), ``duplicate``
        (the same trustee twice), ``too_few``, or ``mismatch`` (the shares agree
        with their checks but do not rebuild this round's key).
    """
    parsed: dict[int, bytes] = {}
    for position, text in enumerate(shares, start=1):
        if not text.strip():
            continue
        index, share = parse_share(text, public_key, position)
        if index in parsed:
            raise ShareError("duplicate", position)
        parsed[index] = share
    if len(parsed) < threshold:
        raise ShareError("too_few")
    chosen = sorted(parsed.items())[:threshold]
    if threshold == 1:
        seed = chosen[0][1]
    else:
        first = Shamir.combine([(i, s[:16]) for i, s in chosen])
        second = Shamir.combine([(i, s[16:]) for i, s in chosen])
        seed = first + second
    private = PrivateKey(seed)
    if not hmac.compare_digest(bytes(private.public_key), public_key):
        raise ShareError("mismatch")
    return private


def encode_ballot(choices: Mapping[int, int]) -> bytes:
    """Canonical bytes of a ballot: project id → points (1 for approval)."""
    body = json.dumps(
        {str(k): v for k, v in sorted(choices.items())}, separators=(",", ":")
    ).encode()
    if len(body) + 4 > 64 * PAD_BLOCK:
        raise ValueError("ballot too large")
    length = len(body).to_bytes(4, "big")
    size = -(-(len(body) + 4) // PAD_BLOCK) * PAD_BLOCK
    return length + body + b"\0" * (size - len(body) - 4)


def decode_ballot(data: bytes) -> dict[int, int]:
    """The choices of a ballot encoded by :func:`encode_ballot`."""
    length = int.from_bytes(data[:4], "big")
    raw = json.loads(data[4 : 4 + length])
    return {int(k): int(v) for k, v in raw.items()}


def seal(public_key: bytes, choices: Mapping[int, int]) -> bytes:
    """Seal one ballot for the round's public key (nobody but the key opens it)."""
    return bytes(SealedBox(PublicKey(public_key)).encrypt(encode_ballot(choices)))


def fingerprint(sealed: bytes) -> str:
    """The receipt of a sealed ballot: SHA-256 of the stored box, in hex."""
    return hashlib.sha256(sealed).hexdigest()


def open_all(private_key: PrivateKey, sealed: Iterable[bytes]) -> list[dict[int, int]]:
    """Open every box and return the ballots in a fresh random order."""
    box = SealedBox(private_key)
    ballots = [decode_ballot(box.decrypt(item)) for item in sealed]
    secrets.SystemRandom().shuffle(ballots)
    return ballots
