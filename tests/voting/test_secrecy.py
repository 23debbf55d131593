"""The ballot box cannot be joined to the sign-in list (PRODUCT.md §4.2)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.core.models import AuditEntry
from participation.voting import services
from participation.voting.models import Ballot, BallotChoice, SignIn

pytestmark = pytest.mark.usefixtures("english")


def _columns(db, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


def test_ballot_tables_carry_no_person_time_or_session_column(db):
    ballot = _columns(db, "ballot")
    choice = _columns(db, "ballot_choice")
    sign_in = _columns(db, "sign_in")

    assert ballot == {"id", "envelope_id", "channel", "receipt_hash"}
    assert choice == {"ballot_id", "idea_id", "points"}
    # Only the channel is shared by name (the envelope is the sign-in's QPV).
    assert (ballot | choice) & sign_in == {"channel"}
    for column in ballot | choice:
        words = set(column.split("_"))
        assert not words & {
            "person",
            "user",
            "at",
            "on",
            "ip",
            "session",
            "time",
            "date",
        }


def test_ballot_values_hold_nothing_of_the_voter(db, make_vote, make_voter):
    vote = make_vote("counting")
    voters = [make_voter(vote.here) for _ in range(12)]
    start = vote.round.vote_opens_at + timedelta(hours=1)
    for n, person in enumerate(voters):
        services.cast_ballot(
            person, vote.round, vote.ids(n % 4), now=start + timedelta(minutes=n)
        )
    db.session.commit()
    assert vote.open_box() == 12

    rows = db.session.execute(sa.select(Ballot.__table__)).all()
    assert len(rows) == 12
    person_values = {str(p.id) for p in voters} | {p.pseudonym for p in voters}
    for row in rows:
        values = {str(v) for v in row}
        assert not values & person_values
    sign_ins = db.session.execute(sa.select(SignIn.__table__)).all()
    assert len(sign_ins) == 12
    assert all(type(s.signed_on) is date for s in sign_ins)  # a day, never a time
    # Casting writes nothing to the audit log (actor + exact time would sit beside it).
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert not any(a.startswith(("ballot", "vote.cast", "sign_in")) for a in actions)


def test_ballot_ids_are_random_and_not_in_insertion_order(db, make_vote, make_voter):
    vote = make_vote("counting")
    during = vote.round.vote_opens_at + timedelta(days=1)
    inserted: list[str] = []
    for n in range(30):
        person = make_voter(vote.here)
        code = services.cast_ballot(
            person, vote.round, vote.ids(n % 4), now=during
        ).code
        inserted.append(code)
    db.session.commit()
    assert vote.open_box() == 30
    # PostgreSQL appends rows in insertion order until the count seals the box at the
    # close (SQLite keeps them in random-id order from the start).
    services.seal_ballot_box(vote.envelope)
    db.session.commit()

    stored = db.session.execute(sa.select(Ballot.id, Ballot.receipt_hash)).all()
    ids = [row.id for row in stored]
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    assert len(set(ids)) == 30
    # An opened ballot keeps no fingerprint: nothing ties it to the sealed box (and
    # so to the sign-in written in the same transaction).
    assert {row.receipt_hash for row in stored} == {None}
    # The fingerprints were the receipts, now in the round's key, sorted, as hashes.
    key = services.key_of(vote.round)
    assert key is not None
    assert key.fingerprints[str(vote.envelope.id)] == sorted(
        services.receipt_hash(c) for c in inserted
    )


def test_seal_rewrites_the_box_without_changing_it(db, make_vote, make_voter):
    vote = make_vote("counting")
    during = vote.round.vote_opens_at + timedelta(days=1)
    for n in range(8):
        services.cast_ballot(
            make_voter(vote.here), vote.round, vote.ids(n % 3), now=during
        )
    db.session.commit()
    vote.open_box()
    before = sorted(
        (str(b.id), b.receipt_hash, tuple(sorted(c.idea_id for c in b.choices)))
        for b in db.session.scalars(sa.select(Ballot))
    )

    services.seal_ballot_box(vote.envelope)
    db.session.commit()

    db.session.expire_all()
    after = sorted(
        (str(b.id), b.receipt_hash, tuple(sorted(c.idea_id for c in b.choices)))
        for b in db.session.scalars(sa.select(Ballot))
    )
    assert after == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice)) == 8
    if db.engine.dialect.name == "postgresql":
        xmins = set(db.session.scalars(sa.text("SELECT xmin::text FROM ballot")))
        assert len(xmins) == 1  # one transaction wrote them all
