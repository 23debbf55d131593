"""Rounds: phases from dates, envelopes, the next quarter's round and the carry-over."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from participation.budget import services
from participation.budget.models import Envelope, Round
from participation.budget.states import IdeaState, RoundPhase
from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.time import PARIS, utcnow
from tests.conftest import DAY, round_dates


@pytest.mark.parametrize(
    "phase",
    [
        "upcoming",
        "submission",
        "review",
        "announcement",
        "vote",
        "counting",
        "results",
        "delivery",
    ],
)
def test_phase_is_derived_from_the_dates(phase, db, make_round):
    round_ = make_round(phase)

    assert round_.phase is RoundPhase(phase)


def test_unpublished_round_is_in_preparation(db, make_round):
    assert make_round("submission", published=False).phase is RoundPhase.DRAFT


def naive(*parts: int) -> datetime:
    """A Paris wall-clock time without zone, for comparisons."""
    return datetime(*parts, tzinfo=PARIS).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2027, 1, 31, 9, 0, tzinfo=PARIS), 1, naive(2027, 2, 28, 9, 0)),
        (datetime(2027, 11, 30, 18, 0, tzinfo=PARIS), 3, naive(2028, 2, 29, 18, 0)),
        # Across the spring clock change, 18:00 in Paris stays 18:00.
        (datetime(2027, 1, 15, 18, 0, tzinfo=PARIS), 3, naive(2027, 4, 15, 18, 0)),
        (
            datetime(2027, 10, 31, 23, 59, tzinfo=PARIS),
            3,
            naive(2028, 1, 31, 23, 59),
        ),
    ],
)
def test_add_months_uses_calendar_months_in_paris_time(start, months, expected):
    moved = services.add_months(start.astimezone(UTC), months)

    assert moved.tzinfo is UTC
    assert moved.astimezone(PARIS).replace(tzinfo=None) == expected


def _data(**overrides):
    now = utcnow()
    values = {
        "title": "Budget participatif — 1er trimestre 2027",
        "max_cost": Decimal("15000"),
        **round_dates("submission", now),
    }
    values.update(overrides)
    return services.RoundData(**values)


def test_staff_create_a_round_with_themes(db, staff, make_theme):
    theme = make_theme()

    round_ = services.create_round(_data(theme_ids=[theme.id]), staff)

    assert round_.id is not None
    assert [t.id for t in round_.themes] == [theme.id]
    assert round_.phase is RoundPhase.DRAFT


def test_a_resident_cannot_create_a_round(db, resident):
    with pytest.raises(PermissionDenied):
        services.create_round(_data(), resident)

    assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_dates_out_of_order_are_refused_by_field(db, staff):
    now = utcnow()

    with pytest.raises(FieldErrors) as caught:
        services.create_round(_data(vote_closes_at=now - 100 * DAY), staff)

    assert "vote_closes_at" in caught.value.errors


def test_max_cost_below_min_cost_is_refused(db, staff):
    with pytest.raises(FieldErrors) as caught:
        services.create_round(
            _data(min_cost=Decimal("500"), max_cost=Decimal("100")), staff
        )

    assert "max_cost" in caught.value.errors


def test_grid_is_frozen_once_the_review_started(db, make_round, staff):
    round_ = make_round("review")
    data = _data(**{k: getattr(round_, k) for k in round_dates("review")})
    data.grid_version_id = None
    round_.grid_version_id = None

    services.update_round(round_, data, staff)  # same grid: fine
    data.grid_version_id = 12345
    with pytest.raises(FieldErrors) as caught:
        services.update_round(round_, data, staff)

    assert "grid_version_id" in caught.value.errors


def test_envelopes_are_set_per_qpv_and_never_negative(
    db, staff, make_territory, make_round
):
    t1, t2 = make_territory(), make_territory()
    round_ = make_round("upcoming", territories=[t1], published=False)

    services.set_envelopes(
        round_, {t1.id: Decimal("8000"), t2.id: Decimal("4500.50")}, staff
    )
    assert {e.territory_id: e.amount for e in round_.envelopes} == {
        t1.id: Decimal("8000.00"),
        t2.id: Decimal("4500.50"),
    }

    with pytest.raises(FieldErrors):
        services.set_envelopes(round_, {t1.id: Decimal("-1")}, staff)


def test_database_refuses_a_negative_envelope_and_a_second_one_per_qpv(
    db, make_round, make_territory
):
    round_ = make_round("upcoming")
    territory_id = round_.envelopes[0].territory_id

    for values in (
        {"territory_id": make_territory().id, "amount": Decimal("-5")},
        {"territory_id": territory_id, "amount": Decimal("5")},
    ):
        savepoint = db.session.begin_nested()
        with pytest.raises(IntegrityError):
            db.session.execute(sa.insert(Envelope).values(round_id=round_.id, **values))
        savepoint.rollback()


def test_a_qpv_with_ideas_keeps_its_envelope(db, staff, make_round, make_idea):
    round_ = make_round("submission")
    make_idea(round_)

    with pytest.raises(FieldErrors):
        services.set_envelopes(round_, {round_.envelopes[0].territory_id: None}, staff)


def test_a_round_opens_only_with_an_envelope(db, staff, make_round):
    round_ = make_round("upcoming", territories=[], published=False)

    with pytest.raises(Conflict):
        services.publish_round(round_, staff)
    assert round_.published_at is None


def test_next_round_copies_settings_and_shifts_dates(
    db, staff, make_round, make_territory
):
    t1, t2 = make_territory(), make_territory()
    previous = make_round("review", territories=[t1, t2], is_carry_over_enabled=True)
    previous.envelopes[1].amount = Decimal("6000")

    new = services.create_next_round(previous, staff)

    assert new.previous_round_id == previous.id
    assert new.published_at is None
    assert (new.min_cost, new.max_cost) == (previous.min_cost, previous.max_cost)
    assert [t.id for t in new.themes] == [t.id for t in previous.themes]
    assert new.submission_opens_at == services.add_months(
        previous.submission_opens_at, 3
    )
    assert new.vote_closes_at == services.add_months(previous.vote_closes_at, 3)
    assert {e.territory_id: e.amount for e in new.envelopes} == {
        t1.id: Decimal("10000.00"),
        t2.id: Decimal("6000.00"),
    }
    # The previous vote has not happened: nothing is carried yet, and it says so.
    assert all(
        e.carried_over_in == 0 and not e.is_carry_over_final for e in new.envelopes
    )
    assert all(e.carried_from is not None for e in new.envelopes)


def test_next_round_is_created_once(db, staff, make_round):
    previous = make_round("review")
    services.create_next_round(previous, staff)

    with pytest.raises(Conflict):
        services.create_next_round(previous, staff)

    assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 2


def test_unspent_money_is_carried_after_the_results(db, staff, make_round, make_idea):
    previous = make_round("counting", is_carry_over_enabled=True)
    previous.envelopes[0].carried_over_in = Decimal("500.00")
    make_idea(previous, state=IdeaState.SELECTED, final_cost=Decimal("4000.00"))
    make_idea(previous, state=IdeaState.SELECTED, final_cost=Decimal("2500.00"))
    make_idea(previous, state=IdeaState.NOT_SELECTED, final_cost=Decimal("9000.00"))
    new = services.create_next_round(previous, staff)
    assert new.envelopes[0].carried_over_in == 0

    services.mark_results_published(previous, staff)

    envelope = new.envelopes[0]
    # 10,000 + 500 carried in - 6,500 spent on the winners.
    assert envelope.carried_over_in == Decimal("4000.00")
    assert envelope.is_carry_over_final
    assert envelope.total == Decimal("14000.00")
    assert previous.envelopes[0].carried_to is envelope


def test_next_round_created_after_results_carries_at_once(
    db, staff, make_round, make_idea
):
    previous = make_round("results")
    make_idea(previous, state=IdeaState.SELECTED, final_cost=Decimal("9999.00"))

    new = services.create_next_round(previous, staff)

    assert new.envelopes[0].carried_over_in == Decimal("1.00")
    assert new.envelopes[0].is_carry_over_final


def test_no_carry_over_when_the_round_says_so(db, staff, make_round):
    previous = make_round("results", is_carry_over_enabled=False)

    new = services.create_next_round(previous, staff)

    assert new.envelopes[0].carried_over_in == 0
    assert new.envelopes[0].is_carry_over_final


def test_results_cannot_be_published_before_the_vote_closes(db, staff, make_round):
    round_ = make_round("vote")

    with pytest.raises(Conflict):
        services.mark_results_published(round_, staff)

    assert round_.results_published_at is None


def test_overspent_envelope_carries_nothing(db, make_round, make_idea):
    round_ = make_round("results", amount=Decimal("1000"))
    make_idea(round_, state=IdeaState.SELECTED, final_cost=Decimal("1500"))

    assert services.unspent(round_.envelopes[0]) == Decimal("0.00")
