"""Once voting opens: the rules and the calendar are locked; closing early or
extending is an explicit, reasoned, audited action, never after the count."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.budget import services as budget
from participation.core.audit import AuditEntry
from participation.core.errors import Conflict, FieldErrors
from participation.core.time import utcnow
from participation.voting import services

pytestmark = pytest.mark.usefixtures("english")

REASON = "Panne du réseau dans le quartier pendant deux jours."


def _details(entry: AuditEntry) -> dict:
    details = entry.details
    return json.loads(details) if isinstance(details, str) else dict(details)


def _round_data(round_) -> budget.RoundData:
    fields = {f.name for f in dataclasses.fields(budget.RoundData)}
    values = {name: getattr(round_, name) for name in fields if hasattr(round_, name)}
    values["theme_ids"] = []
    return budget.RoundData(**values)


def test_rules_are_locked_once_voting_opens(db, vote, staff):
    with pytest.raises(Conflict, match="Voting has opened"):
        services.save_rules(vote.round, services.RulesData(max_projects=4), staff)
    db.session.rollback()
    assert services.get_rules(vote.round).max_projects == 3


def test_a_date_change_after_opening_is_refused_next_to_the_date(db, vote, staff):
    data = _round_data(vote.round)
    closes = vote.round.vote_closes_at
    data.vote_closes_at = closes - timedelta(days=2)

    with pytest.raises(FieldErrors) as refused:
        budget.update_round(vote.round, data, staff)
    db.session.rollback()

    assert "vote_closes_at" in refused.value.messages_by_field()
    assert "Voting has opened" in str(
        refused.value.messages_by_field()["vote_closes_at"]
    )
    db.session.expire_all()
    assert vote.round.vote_closes_at == closes


def test_other_settings_still_change_and_the_dates_stay_as_stored(db, vote, staff):
    data = _round_data(vote.round)
    data.title = "Nouveau titre"
    opens = vote.round.vote_opens_at
    data.vote_opens_at = opens.replace(second=0, microsecond=0)  # a form's minute

    budget.update_round(vote.round, data, staff)
    db.session.commit()

    assert vote.round.title == "Nouveau titre"
    assert vote.round.vote_opens_at == opens


def test_date_changes_before_opening_are_audited_with_old_and_new(db, make_vote, staff):
    vote = make_vote("announcement")
    data = _round_data(vote.round)
    old = vote.round.vote_closes_at
    data.vote_closes_at = old + timedelta(days=2)

    budget.update_round(vote.round, data, staff)
    db.session.commit()

    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "round.update")
    )
    assert _details(entry)["dates"] == {
        "vote_closes_at": [old.isoformat(), data.vote_closes_at.isoformat()]
    }


def test_an_early_close_without_a_reason_is_refused(db, vote, staff):
    closes = vote.round.vote_closes_at

    now = utcnow()
    with pytest.raises(FieldErrors) as refused:
        services.change_vote_close(vote.round, now, "  ", staff, now=now)
    db.session.rollback()

    assert set(refused.value.messages_by_field()) == {"reason"}
    db.session.expire_all()
    assert vote.round.vote_closes_at == closes


def test_closing_early_and_extending_are_audited_with_before_and_after(db, vote, staff):
    before = vote.round.vote_closes_at
    later = before + timedelta(days=3)

    services.change_vote_close(vote.round, later, REASON, staff)
    db.session.commit()
    now = utcnow()
    services.change_vote_close(vote.round, now, REASON, staff, now=now)
    db.session.commit()

    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "round.vote_close_change")
        .order_by(AuditEntry.id)
    ).all()
    assert [
        (_details(e)["change"], _details(e)["before"], _details(e)["after"])
        for e in entries
    ] == [
        ("extend", before.isoformat(), later.isoformat()),
        ("close_early", later.isoformat(), now.isoformat()),
    ]
    assert _details(entries[0])["reason"] == REASON
    assert vote.round.vote_closes_at == now


def test_the_current_minute_typed_to_close_now_closes_now(db, vote, staff):
    now = utcnow()
    typed = now.replace(second=0, microsecond=0)  # what the minute field gives
    if typed == now:
        typed -= timedelta(microseconds=1)  # at hh:mm:00.000000 exactly
    services.change_vote_close(vote.round, typed, REASON, staff, now=now)
    db.session.commit()
    assert vote.round.vote_closes_at == now

    with pytest.raises(FieldErrors) as past:
        services.change_vote_close(
            vote.round, now - timedelta(seconds=61), REASON, staff, now=now
        )
    db.session.rollback()
    assert set(past.value.messages_by_field()) == {"closes_at"}


def test_the_end_cannot_move_into_the_past_nor_after_the_count(db, vote, staff):
    with pytest.raises(FieldErrors) as past:
        services.change_vote_close(
            vote.round, utcnow() - timedelta(days=1), REASON, staff
        )
    db.session.rollback()
    assert set(past.value.messages_by_field()) == {"closes_at"}

    now = utcnow()
    services.change_vote_close(vote.round, now, REASON, staff, now=now)
    db.session.commit()
    vote.open_box(now=now + timedelta(minutes=1))
    services.compute_round(vote.round, staff, now + timedelta(minutes=1))
    db.session.commit()

    with pytest.raises(Conflict, match="counted"):
        services.change_vote_close(
            vote.round, utcnow() + timedelta(days=5), REASON, staff
        )
    db.session.rollback()
    db.session.expire_all()
    assert vote.round.vote_closes_at == now
