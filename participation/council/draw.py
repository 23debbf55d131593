"""Draw by lot (*tirage au sort*), stratified and reproducible: a pure module.

Anyone can redo a draw from its report with this algorithm:

1. **Pool fingerprint**: each person is the line ``reference<TAB>sex<TAB>age
   band<TAB>QPV`` (empty when not given); the lines are sorted, joined with
   ``\\n`` and hashed with SHA-256 (hex). Same people, same fingerprint, whatever
   the order of the imported file.
2. **Seed**: the text typed in front of the witnesses, Unicode NFC, spaces trimmed
   and runs of whitespace made one space.
3. **Master key**: ``SHA-256(seed + "\\n" + fingerprint)``.
4. **Strata**: people are grouped by sex (and, when asked, age band and QPV). The
   expected strata are every combination of the values found in the pool; each must
   hold at least as many people as it has titular seats.
5. **Per stratum**: the key is ``SHA-256(master key + stratum label)`` where the label
   is the stratum's values joined with ``|``. The stratum's people, sorted by
   reference, are shuffled by Fisher-Yates (from the last position down to 1, swap
   with a position ``j`` in ``[0, i]``); each ``j`` comes from a stream of SHA-256
   blocks ``SHA-256(key + counter as 8 bytes big-endian)``, counter from 0, read as
   64-bit big-endian integers, rejecting values at or above the largest multiple of
   ``i + 1`` below ``2**64`` (no modulo bias).
6. The first people of the shuffled order are the titular members, the next ones
   the ordered substitutes of that stratum.

Same pool and same seed give the same draw; one character of the seed changes it.
"""

from __future__ import annotations

import hashlib
import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

#: The sexes of the parity strata.
SEXES = ("female", "male")

Stratum = tuple[str, ...]


@dataclass(frozen=True)
class PoolPerson:
    """One person of the pool: a pseudonymous reference and the strata values."""

    reference: str
    sex: str
    age_band: str | None = None
    qpv: str | None = None

    def line(self) -> str:
        return "\t".join(
            [self.reference, self.sex, self.age_band or "", self.qpv or ""]
        )


@dataclass(frozen=True)
class StrataSpec:
    """Which characteristics the draw stratifies on."""

    by_sex: bool = True
    by_age_band: bool = False
    by_qpv: bool = False

    def stratum_of(self, person: PoolPerson) -> Stratum:
        values: list[str] = []
        if self.by_sex:
            values.append(person.sex)
        if self.by_age_band:
            values.append(person.age_band or "")
        if self.by_qpv:
            values.append(person.qpv or "")
        return tuple(values)


class DrawError(ValueError):
    """The draw cannot be made; ``stratum`` says where, ``kind`` why."""

    def __init__(
        self, kind: str, stratum: Stratum = (), *, size: int = 0, needed: int = 0
    ) -> None:
        super().__init__(f"{kind}: {'|'.join(stratum)} ({size} < {needed})")
        self.kind = kind
        self.stratum = stratum
        self.size = size
        self.needed = needed


@dataclass(frozen=True)
class StratumResult:
    stratum: Stratum
    size: int
    titulars: tuple[str, ...]
    substitutes: tuple[str, ...]


@dataclass(frozen=True)
class DrawResult:
    seed: str
    fingerprint: str
    master_key: str
    strata: tuple[StratumResult, ...]

    def placements(self) -> dict[str, tuple[str, int]]:
        """reference -> ("titular" | "substitute", rank from 1) of the drawn people."""
        result: dict[str, tuple[str, int]] = {}
        for stratum in self.strata:
            for rank, reference in enumerate(stratum.titulars, start=1):
                result[reference] = ("titular", rank)
            for rank, reference in enumerate(stratum.substitutes, start=1):
                result[reference] = ("substitute", rank)
        return result


def normalise_seed(seed: str) -> str:
    """The seed as hashed: NFC, trimmed, inner whitespace made single spaces."""
    return " ".join(unicodedata.normalize("NFC", seed).split())


def pool_fingerprint(pool: Iterable[PoolPerson]) -> str:
    """SHA-256 (hex) of the sorted pool lines: independent of the file's order."""
    lines = sorted(person.line() for person in pool)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _stream(key: bytes) -> Iterator[int]:
    """64-bit integers from SHA-256(key + counter), four per block."""
    for counter in itertools.count():
        block = hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        for offset in range(0, 32, 8):
            yield int.from_bytes(block[offset : offset + 8], "big")


def _below(stream: Iterator[int], n: int) -> int:
    """A uniform integer in [0, n) by rejection sampling."""
    limit = (2**64 // n) * n
    while True:
        value = next(stream)
        if value < limit:
            return value % n


def shuffled(items: Sequence[str], key: bytes) -> list[str]:
    """Fisher-Yates shuffle of *items* driven by the SHA-256 stream of *key*."""
    order = list(items)
    stream = _stream(key)
    for i in range(len(order) - 1, 0, -1):
        j = _below(stream, i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def group_strata(
    pool: Sequence[PoolPerson], spec: StrataSpec
) -> dict[Stratum, list[PoolPerson]]:
    """Every expected stratum (all combinations of the values found), even empty."""
    dimensions: list[list[str]] = []
    if spec.by_sex:
        dimensions.append(list(SEXES))
    if spec.by_age_band:
        dimensions.append(sorted({p.age_band or "" for p in pool}))
    if spec.by_qpv:
        dimensions.append(sorted({p.qpv or "" for p in pool}))
    groups: dict[Stratum, list[PoolPerson]] = {
        tuple(cell): [] for cell in itertools.product(*dimensions)
    }
    for person in sorted(pool, key=lambda p: p.reference):
        groups.setdefault(spec.stratum_of(person), []).append(person)
    return groups


def check_pool(pool: Sequence[PoolPerson], spec: StrataSpec, titulars: int) -> None:
    """Refuse duplicates, unknown sexes and strata too small for their seats."""
    references = [p.reference for p in pool]
    if len(set(references)) != len(references):
        raise DrawError("duplicate_reference")
    if spec.by_sex and any(p.sex not in SEXES for p in pool):
        raise DrawError("unknown_sex")
    if titulars < 1:
        raise DrawError("no_seat")
    for stratum, people in group_strata(pool, spec).items():
        if not people:
            raise DrawError("empty_stratum", stratum, size=0, needed=titulars)
        if len(people) < titulars:
            raise DrawError("small_stratum", stratum, size=len(people), needed=titulars)


def draw(
    pool: Sequence[PoolPerson],
    seed: str,
    *,
    titulars: int,
    substitutes: int,
    spec: StrataSpec | None = None,
) -> DrawResult:
    """Draw *titulars* members and up to *substitutes* substitutes in each stratum.

    :raises DrawError: duplicate references, an empty seed, a stratum without
        enough people for its titular seats.
    """
    spec = spec or StrataSpec()
    seed_text = normalise_seed(seed)
    if not seed_text:
        raise DrawError("empty_seed")
    check_pool(pool, spec, titulars)
    fingerprint = pool_fingerprint(pool)
    master = hashlib.sha256(f"{seed_text}\n{fingerprint}".encode()).digest()
    results = []
    for stratum, people in sorted(group_strata(pool, spec).items()):
        key = hashlib.sha256(master + "|".join(stratum).encode("utf-8")).digest()
        order = shuffled([p.reference for p in people], key)
        results.append(
            StratumResult(
                stratum=stratum,
                size=len(people),
                titulars=tuple(order[:titulars]),
                substitutes=tuple(order[titulars : titulars + substitutes]),
            )
        )
    return DrawResult(
        seed=seed_text,
        fingerprint=fingerprint,
        master_key=master.hex(),
        strata=tuple(results),
    )
