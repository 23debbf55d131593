"""Rate limits shared by every worker: trusted addresses, and growing delays.

Flask-Limiter counts requests per client address in ``RATELIMIT_STORAGE_URI``
(Redis when several workers or servers run). :class:`Delays` uses the same store
for per-key growing delays (a sign-in identifier, a two-factor account), so a
guesser spread over many addresses meets the same wait everywhere.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, request
from limits.storage import Storage, storage_from_string

_EXTENSION_KEY = "participation.delay_storage"
#: A failure is forgotten a day after the last one.
FAILURE_MEMORY_SECONDS = 24 * 3600


def init_app(app: Flask) -> None:
    """Open the store of the delays (the limiter's own store URI)."""
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    app.extensions[_EXTENSION_KEY] = storage_from_string(uri)


def storage() -> Storage:
    store: Storage = current_app.extensions[_EXTENSION_KEY]
    return store


def is_trusted_address() -> bool:
    """The client address is one of RATELIMIT_TRUSTED_ADDRESSES (desks, centres)."""
    listed = current_app.config.get("RATELIMIT_TRUSTED_ADDRESSES") or []
    if not listed or not request.remote_addr:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr)
    except ValueError:
        return False
    for entry in listed:
        try:
            if address in ipaddress.ip_network(str(entry), strict=False):
                return True
        except ValueError:
            continue
    return False


@dataclass(frozen=True)
class Delays:
    """Growing delays after failures: *free* failures, then first, 2x, 4x... max."""

    name: str
    free: int
    first: timedelta
    longest: timedelta

    @classmethod
    def from_config(cls, name: str) -> Delays:
        config = current_app.config
        return cls(
            name,
            int(config["SIGNIN_FREE_FAILURES"]),
            config["SIGNIN_FIRST_DELAY"],
            config["SIGNIN_MAX_DELAY"],
        )

    def _key(self, subject: str, part: str) -> str:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
        return f"{prefix}participation/{self.name}/{part}/{digest}"

    def wait_seconds(self, subject: str) -> int:
        """Seconds *subject* must still wait before the next try (0: none)."""
        key = self._key(subject, "lock")
        store = storage()
        if store.get(key) <= 0:
            return 0
        return max(1, math.ceil(store.get_expiry(key) - time.time()))

    def delay_after(self, failures: int) -> int:
        """The wait, in seconds, that the *failures*-th failure imposes."""
        if failures <= self.free:
            return 0
        seconds = self.first.total_seconds() * 2 ** min(failures - self.free - 1, 30)
        return int(min(seconds, self.longest.total_seconds()))

    def failed(self, subject: str) -> int:
        """Count a failure; return the wait it imposes, in seconds."""
        store = storage()
        failures = store.incr(self._key(subject, "count"), FAILURE_MEMORY_SECONDS)
        delay = self.delay_after(failures)
        if delay:
            lock = self._key(subject, "lock")
            store.clear(lock)
            store.incr(lock, delay)
        return delay

    def succeeded(self, subject: str) -> None:
        """Forget the failures of *subject*."""
        store = storage()
        store.clear(self._key(subject, "count"))
        store.clear(self._key(subject, "lock"))
