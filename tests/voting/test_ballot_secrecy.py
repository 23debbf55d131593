"""The attack of issue 8: an administrator copies the database during the vote and
after the count, and tries to read ballots or pair them with their voters.

SQLite: the database file AND its ``-wal`` are copied; every b-tree leaf page (of the
file, and of every WAL frame) is parsed by hand, so that the attacker sees what the
bytes say, not what SQL shows: rows in key order, cells in the order they sit in
the page (which follows insertion), and the WAL replayed commit by commit (what each
commit added). PostgreSQL: the tables are read with their system columns (``xmin``,
the writing transaction; ``ctid``, the physical position).

The test fails if the plaintext of any ballot can be found before the count, or if
any attack pairs more voters with their exact ballot than chance would (30 voters,
30 different ballots: a random pairing gets about one right; the bound is 6, which a
random pairing exceeds with a probability below 1e-4).

What the design concedes, and the test shows: before the count a commit (or an
``xmin``) ties a sign-in to a *sealed* ballot, which nobody can read without k
trustees; the count then writes the opened ballots in a random order, without the
sealed bytes or the fingerprint, and erases the sealed boxes, so that this tie leads
nowhere.
"""

from __future__ import annotations

import itertools
import json
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from participation.voting import sealing, services
from participation.voting.models import Ballot, SealedBallot

pytestmark = pytest.mark.usefixtures("english")

VOTERS = 30
#: Most voters an attack may pair with their ballot (chance: about one).
CHANCE_BOUND = 6


# ---------------------------------------------------------------------------
# A SQLite file reader: leaf cells of every page, with their position in the page
# ---------------------------------------------------------------------------


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + i + 1
    raise AssertionError("unreachable")


def _record(data: bytes, at: int, end: int) -> list[Any]:
    """The values of a record (SQLite's record format) starting at *at*."""
    header_size, pos = _varint(data, at)
    header_end = at + header_size
    types = []
    while pos < header_end:
        serial, pos = _varint(data, pos)
        types.append(serial)
    values: list[Any] = []
    body = header_end
    for serial in types:
        if serial == 0:
            values.append(None)
        elif 1 <= serial <= 6:
            size = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}[serial]
            values.append(int.from_bytes(data[body : body + size], "big", signed=True))
            body += size
        elif serial == 7:
            values.append(struct.unpack(">d", data[body : body + 8])[0])
            body += 8
        elif serial in (8, 9):
            values.append(serial - 8)
        elif serial >= 12:
            size = (serial - 12) // 2
            raw = data[body : min(body + size, end)]
            values.append(raw if serial % 2 == 0 else raw.decode("utf-8", "replace"))
            body += size
        else:
            values.append(None)
    return values


@dataclass(frozen=True)
class Cell:
    page: int
    offset: int  # where the cell's bytes sit in the page (insertion order)
    slot: int  # its place in the cell pointer array (key order)
    values: tuple[Any, ...]


def _leaf_cells(page: bytes, number: int) -> Iterator[Cell]:
    start = 100 if number == 1 else 0
    kind = page[start]
    if kind not in (10, 13):  # index leaf (WITHOUT ROWID tables), table leaf
        return
    count = int.from_bytes(page[start + 3 : start + 5], "big")
    for slot in range(count):
        offset = int.from_bytes(
            page[start + 8 + 2 * slot : start + 10 + 2 * slot], "big"
        )
        if not 0 < offset < len(page):
            continue
        try:
            _, pos = _varint(page, offset)  # payload size
            if kind == 13:
                _, pos = _varint(page, pos)  # rowid
            values = _record(page, pos, len(page))
        except (IndexError, ValueError, struct.error):
            continue
        yield Cell(number, offset, slot, tuple(values))


def _pages(data: bytes, size: int) -> dict[int, bytes]:
    return {n + 1: data[n * size : (n + 1) * size] for n in range(len(data) // size)}


def _wal_commits(wal: bytes) -> list[dict[int, bytes]]:
    """The pages each WAL commit wrote, commit by commit."""
    if len(wal) < 32:
        return []
    size = int.from_bytes(wal[8:12], "big")
    commits: list[dict[int, bytes]] = []
    current: dict[int, bytes] = {}
    at = 32
    while at + 24 + size <= len(wal):
        number = int.from_bytes(wal[at : at + 4], "big")
        after = int.from_bytes(wal[at + 4 : at + 8], "big")
        current[number] = wal[at + 24 : at + 24 + size]
        at += 24 + size
        if after:
            commits.append(current)
            current = {}
    return commits


# ---------------------------------------------------------------------------
# The vote: 30 voters, 30 different ballots
# ---------------------------------------------------------------------------


@pytest.fixture
def election(db, make_vote, make_voter):
    costs = tuple(str(1000 + 100 * n) for n in range(7))
    vote = make_vote("vote", costs=costs, rules={"max_projects": 3})
    combos = [
        c for size in (1, 2, 3) for c in itertools.combinations(range(len(costs)), size)
    ][:VOTERS]
    voters = [make_voter(vote.here) for _ in combos]
    truth: dict[int, frozenset[int]] = {}
    during = vote.round.vote_opens_at + timedelta(hours=1)
    for n, (person, combo) in enumerate(zip(voters, combos, strict=True)):
        services.cast_ballot(
            person, vote.round, vote.ids(*combo), now=during + timedelta(minutes=n)
        )
        db.session.commit()  # one request, one transaction, as on the site
        truth[person.id] = frozenset(vote.projects[i].id for i in combo)
    return vote, truth


def _plaintexts(vote, truth) -> list[bytes]:
    """Every ballot as the attacker would look for it (its sealed plaintext)."""
    out = []
    for chosen in truth.values():
        body = sealing.encode_ballot({i: 1 for i in chosen})
        out.append(body[: 4 + body[3]])  # length + JSON, without the padding
        out.append(json.dumps({str(i): 1 for i in sorted(chosen)}).encode())
    return out


def _hits(pairs: list[tuple[int, frozenset[int]]], truth) -> int:
    return sum(1 for person, chosen in pairs if truth.get(person) == chosen)


def _close_and_open(db, vote) -> int:
    after = vote.round.vote_closes_at + timedelta(hours=1)
    opened = vote.open_box(now=after)
    services.erase_traces()
    return opened


# ---------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------


def _copy(db, into: Path) -> tuple[bytes, bytes]:
    """A plain copy of the database file and its -wal, as an administrator takes."""
    path = Path(db.engine.url.database or "")
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, into / "copy.sqlite")
    wal = Path(f"{path}-wal")
    wal_bytes = wal.read_bytes() if wal.exists() else b""
    return (into / "copy.sqlite").read_bytes(), wal_bytes


def _sqlite_views(data: bytes, wal: bytes) -> Iterator[tuple[str, dict[int, bytes]]]:
    """The file alone, the file with the WAL replayed up to each commit."""
    size = int.from_bytes(data[16:18], "big") or 65536
    pages = _pages(data, size)
    yield "file", dict(pages)
    for n, commit in enumerate(_wal_commits(wal), start=1):
        pages.update(commit)
        yield f"wal commit {n}", dict(pages)


def _classify(cells: list[Cell], people: set[int], ideas: set[int]):
    """Sign-in cells (person id) and ballot-choice cells (ballot id, idea id)."""
    sign_ins: dict[int, Cell] = {}
    choices: dict[str, list[tuple[Cell, int]]] = {}
    for cell in cells:
        v = cell.values
        # sign_in (WITHOUT ROWID): round_id, person_id, territory_id, channel, ...
        if len(v) >= 7 and v[3] in ("online", "paper") and v[1] in people:
            sign_ins[v[1]] = cell
        # ballot_choice: ballot_id (32 hex), idea_id, points
        elif (
            len(v) == 3 and isinstance(v[0], str) and len(v[0]) == 32 and v[1] in ideas
        ):
            choices.setdefault(v[0], []).append((cell, v[1]))
    return sign_ins, choices


def _pairing_attacks(pages: dict[int, bytes], truth, ideas) -> dict[str, int]:
    """Pair sign-ins and ballots by row order and by cell order; hits per attack."""
    cells = [c for n, p in pages.items() for c in _leaf_cells(p, n)]
    sign_ins, choices = _classify(cells, set(truth), ideas)
    if not sign_ins or not choices:
        return {}
    ballots = {
        bid: (
            min((c.page, c.slot) for c, _ in items),
            min((c.page, -c.offset) for c, _ in items),
            frozenset(i for _, i in items),
        )
        for bid, items in choices.items()
    }
    orders = {
        "row order": lambda c: (c.page, c.slot),
        "cell order": lambda c: (c.page, -c.offset),
    }
    ballot_orders = {
        "row order": sorted(ballots.values(), key=lambda b: b[0]),
        "cell order": sorted(ballots.values(), key=lambda b: b[1]),
    }
    out = {}
    for (sname, skey), (bname, border) in itertools.product(
        orders.items(), ballot_orders.items()
    ):
        people = [p for p, _ in sorted(sign_ins.items(), key=lambda i: skey(i[1]))]
        for direction in (1, -1):
            chosen = [b[2] for b in border][::direction]
            out[f"sign-ins by {sname} / ballots by {bname} {direction}"] = _hits(
                list(zip(people, chosen, strict=False)), truth
            )
    return out


def _wal_replay_attack(wal: bytes, truth, ideas) -> int:
    """Ballots that appear in the same WAL commit as exactly one sign-in."""
    hits = 0
    seen_people: set[int] = set()
    seen_ballots: set[str] = set()
    for commit in _wal_commits(wal):
        cells = [c for n, p in commit.items() for c in _leaf_cells(p, n)]
        sign_ins, choices = _classify(cells, set(truth), ideas)
        new_people = set(sign_ins) - seen_people
        new_ballots = {b: frozenset(i for _, i in v) for b, v in choices.items()}
        fresh = {b: c for b, c in new_ballots.items() if b not in seen_ballots}
        if len(new_people) == 1 and len(fresh) == 1:
            (person,) = new_people
            (chosen,) = fresh.values()
            hits += truth.get(person) == chosen
        seen_people |= set(sign_ins)
        seen_ballots |= set(new_ballots)
    return hits


def test_sqlite_copies_during_the_vote_and_after_the_count_reveal_no_ballot(
    db, election, tmp_path
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite attack; the PostgreSQL one is below")
    vote, truth = election
    ideas = {p.id for p in vote.projects}

    # During the vote: the file and its WAL hold no plaintext ballot at all.
    data, wal = _copy(db, tmp_path / "during")
    assert wal, "the copy must include the -wal file (WAL mode)"
    for plain in _plaintexts(vote, truth):
        assert plain not in data
        assert plain not in wal
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0
    sealed = db.session.execute(
        sa.select(SealedBallot.sealed, SealedBallot.fingerprint)
    ).all()
    assert len(sealed) == VOTERS
    # Nor any choice row, in the file or in any state the WAL replays to.
    for name, pages in _sqlite_views(data, wal):
        cells = [c for n, p in pages.items() for c in _leaf_cells(p, n)]
        _, choices = _classify(cells, set(truth), ideas)
        assert not choices, f"plaintext choices readable in {name}"

    # The count: two trustees open the box; then a second copy.
    assert _close_and_open(db, vote) == VOTERS
    after, wal_after = _copy(db, tmp_path / "after")
    # The WAL was emptied; the sealed boxes and receipts are gone from the bytes.
    assert wal_after == b""
    for blob, fingerprint in sealed:
        assert blob[:48] not in after
        assert blob[-48:] not in after
        assert fingerprint.encode() not in after
        assert fingerprint.upper().encode() not in after

    # Pairing attacks on the file after the count, and on the WAL of the vote
    # replayed over it: none does better than chance.
    for name, pages in _sqlite_views(after, wal_after):
        for attack, hits in _pairing_attacks(pages, truth, ideas).items():
            assert hits <= CHANCE_BOUND, f"{attack} in {name}: {hits} of {VOTERS}"
    attacks = _pairing_attacks(
        _pages(after, int.from_bytes(after[16:18], "big")), truth, ideas
    )
    assert attacks, "the attack must find the sign-ins and the counted ballots"
    assert _wal_replay_attack(wal, truth, ideas) == 0  # the vote's WAL: sealed only
    # The count's own commit added every ballot at once: nothing to pair.
    assert _wal_replay_attack(wal_after, truth, ideas) == 0


def test_sqlite_sign_in_and_ballot_tables_have_no_rowid(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's rowid")
    for table in ("sign_in", "sealed_ballot", "ballot", "ballot_choice"):
        sql = db.session.scalar(
            sa.text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
        )
        assert "WITHOUT ROWID" in sql, table


# ---------------------------------------------------------------------------
# PostgreSQL: system columns
# ---------------------------------------------------------------------------


def test_postgresql_system_columns_never_pair_a_ballot_with_its_voter(db, election):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL attack; the SQLite one is above")
    vote, truth = election
    ideas = {p.id for p in vote.projects}
    conn = db.session.connection()
    sign_ins = conn.execute(
        sa.text("SELECT person_id, xmin::text, ctid::text FROM sign_in")
    ).all()
    sealed = conn.execute(
        sa.text("SELECT xmin::text, sealed, fingerprint FROM sealed_ballot")
    ).all()
    # During the vote: a sign-in's xmin is that of a *sealed* ballot, unreadable.
    assert {x for _, x, _ in sign_ins} == {x for x, _, _ in sealed}
    plain = _plaintexts(vote, truth)
    for _, blob, _ in sealed:
        assert not any(p in bytes(blob) for p in plain)
    assert conn.execute(sa.text("SELECT count(*) FROM ballot")).scalar() == 0
    db.session.commit()

    assert _close_and_open(db, vote) == VOTERS
    conn = db.session.connection()
    assert conn.execute(sa.text("SELECT count(*) FROM sealed_ballot")).scalar() == 0
    rows = conn.execute(
        sa.text(
            "SELECT b.id::text, b.xmin::text, b.ctid, c.idea_id, b.receipt_hash"
            " FROM ballot b JOIN ballot_choice c ON c.ballot_id = b.id"
        )
    ).all()
    ballots: dict[str, dict[str, Any]] = {}
    for bid, xmin, ctid, idea, receipt in rows:
        entry = ballots.setdefault(bid, {"xmin": xmin, "ctid": ctid, "ideas": set()})
        entry["ideas"].add(idea)
        assert receipt is None  # no fingerprint on a counted online ballot
    assert len(ballots) == VOTERS
    # No counted ballot carries the transaction id of a sign-in (xmin join).
    sign_in_xmins = {x for _, x, _ in sign_ins}
    assert not {b["xmin"] for b in ballots.values()} & sign_in_xmins
    assert len({b["xmin"] for b in ballots.values()}) == 1
    # Physical order (ctid) against the sign-ins' physical order: chance only.
    sign_ins_now = (
        conn.execute(sa.text("SELECT person_id FROM sign_in ORDER BY ctid"))
        .scalars()
        .all()
    )
    by_ctid = [
        frozenset(b["ideas"] & ideas)
        for b in sorted(ballots.values(), key=lambda b: _ctid(b["ctid"]))
    ]
    for order in (by_ctid, by_ctid[::-1]):
        hits = _hits(list(zip(sign_ins_now, order, strict=False)), truth)
        assert hits <= CHANCE_BOUND, f"ctid order pairs {hits} of {VOTERS}"


def _ctid(text: Any) -> tuple[int, int]:
    page, item = str(text).strip("()").split(",")
    return int(page), int(item)
