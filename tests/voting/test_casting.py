"""Casting a ballot: who may vote and why not, the choices, one vote per person."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from participation.accounts.states import VerificationLevel
from participation.core.errors import Conflict, FieldErrors
from participation.voting import sealing, services
from participation.voting.models import (
    Ballot,
    BallotChoice,
    SealedBallot,
    SignIn,
    VoteRules,
)
from participation.voting.services import RefusalReason, VoteRefused, eligibility
from participation.voting.states import BallotType, Channel

from .conftest import DAY

pytestmark = pytest.mark.usefixtures("english")


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_verified_resident_casts_an_approval_ballot(db, vote, voter):
    receipt = services.cast_ballot(voter, vote.round, vote.ids(0, 2))
    db.session.commit()

    sealed = db.session.scalars(sa.select(SealedBallot)).one()
    assert sealed.envelope_id == vote.envelope.id
    assert sealed.fingerprint == receipt.code == sealing.fingerprint(sealed.sealed)
    assert count(db, Ballot) == 0  # nothing readable before the count
    key = sealing.recover_private_key(
        list(vote.shares[1:]), services.key_of(vote.round).public_key, 2
    )
    assert sealing.open_all(key, [sealed.sealed]) == [
        {vote.projects[0].id: 1, vote.projects[2].id: 1}
    ]
    sign_in = db.session.scalars(sa.select(SignIn)).one()
    assert (sign_in.person_id, sign_in.round_id) == (voter.id, vote.round.id)
    assert sign_in.territory_id == vote.here.id


def test_resident_cannot_vote_twice_in_a_round(db, vote, voter):
    services.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()

    with pytest.raises(VoteRefused) as refused:
        services.cast_ballot(voter, vote.round, vote.ids(1))
    db.session.rollback()

    assert refused.value.reason is RefusalReason.ALREADY_VOTED
    assert count(db, SealedBallot) == 1
    assert count(db, SignIn) == 1


def test_second_insert_hits_the_primary_key_even_past_the_check(
    db, vote, voter, monkeypatch
):
    services.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()
    # As if the two requests had both passed the check before either wrote.
    monkeypatch.setattr(eligibility, "find_sign_in", lambda *a: None)

    with pytest.raises(VoteRefused) as refused:
        services.cast_ballot(voter, vote.round, vote.ids(1))
    db.session.rollback()

    assert refused.value.reason is RefusalReason.ALREADY_VOTED
    assert count(db, SealedBallot) == 1


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong_qpv", RefusalReason.WRONG_QPV),
        ("no_territory", RefusalReason.NO_TERRITORY),
        ("not_verified", RefusalReason.NOT_VERIFIED),
        ("too_young", RefusalReason.TOO_YOUNG),
        ("no_birth_year", RefusalReason.NO_BIRTH_YEAR),
        ("not_open", RefusalReason.NOT_OPEN),
        ("closed", RefusalReason.CLOSED),
        ("online_off", RefusalReason.CHANNEL_CLOSED),
        ("anonymous", RefusalReason.NOT_SIGNED_IN),
    ],
)
def test_every_refusal_says_why_and_stores_nothing(
    db, make_vote, make_voter, make_territory, case, reason
):
    rules: dict = {"max_projects": 3, "min_age": 16}
    phase = {"not_open": "announcement", "closed": "counting"}.get(case, "vote")
    if case == "online_off":
        rules["is_online_enabled"] = False
    vote = make_vote(phase, rules=rules)
    person = None
    if case == "wrong_qpv":
        person = make_voter(make_territory())
    elif case == "no_territory":
        person = make_voter(vote.here)
        person.territory_id = None
        db.session.commit()
    elif case == "not_verified":
        person = make_voter(vote.here, verified=False)
    elif case == "too_young":
        person = make_voter(vote.here, birth_year=vote.round.vote_closes_at.year - 15)
    elif case == "no_birth_year":
        person = make_voter(vote.here, birth_year=None)
    elif case != "anonymous":
        person = make_voter(vote.here)

    with pytest.raises(VoteRefused) as refused:
        services.cast_ballot(person, vote.round, vote.ids(0))
    db.session.rollback()

    assert refused.value.reason is reason
    assert str(refused.value)
    assert count(db, Ballot) == 0
    assert count(db, SignIn) == 0


def test_declared_residence_is_enough_when_the_rules_say_so(db, make_vote, make_voter):
    vote = make_vote(rules={"required_level": VerificationLevel.DECLARED})
    person = make_voter(vote.here, verified=False)

    services.cast_ballot(person, vote.round, [(vote.projects[0].id, 1)])

    assert count(db, SealedBallot) == 1


def test_the_age_counts_in_the_year_of_the_close(db, make_vote, make_voter):
    vote = make_vote(rules={"min_age": 16})
    person = make_voter(vote.here, birth_year=vote.round.vote_closes_at.year - 16)

    services.cast_ballot(person, vote.round, vote.ids(0))

    assert count(db, SealedBallot) == 1


@pytest.mark.parametrize(
    ("forge", "field"),
    [
        ("other_qpv", "other"),
        ("not_retained", "not_retained"),
        ("unknown", "unknown"),
        ("negative", "first"),
        ("duplicate", "first"),
        ("points_on_approval", "first"),
        ("too_many", "count"),
        ("too_few", "count"),
    ],
)
def test_forged_choices_are_refused_with_nothing_stored(db, vote, voter, forge, field):
    first = vote.projects[0].id
    fields = {
        "other": f"idea-{vote.other_project.id}",
        "not_retained": f"idea-{vote.not_retained.id}",
        "unknown": "idea-999999",
        "first": f"idea-{first}",
        "count": "count",
    }
    choices = {
        "other_qpv": [(vote.other_project.id, 1)],
        "not_retained": [(vote.not_retained.id, 1)],
        "unknown": [(999999, 1)],
        "negative": [(first, -1)],
        "duplicate": [(first, 1), (first, 1)],
        "points_on_approval": [(first, 5)],
        "too_many": vote.ids(0, 1, 2, 3),
        "too_few": [],
    }[forge]

    with pytest.raises(FieldErrors) as invalid:
        services.cast_ballot(voter, vote.round, choices)
    db.session.rollback()

    assert list(invalid.value.errors) == [fields[field]]
    assert count(db, Ballot) == 0
    assert count(db, SignIn) == 0


def test_project_of_another_qpv_is_named_in_the_message(vote, voter):
    with pytest.raises(FieldErrors) as invalid:
        services.cast_ballot(voter, vote.round, [(vote.other_project.id, 1)])

    assert vote.other_project.title in str(invalid.value)
    assert "another neighbourhood" in str(invalid.value)


def test_knapsack_over_budget_is_explained(db, make_vote, make_voter):
    vote = make_vote(rules={"ballot_type": BallotType.KNAPSACK})
    person = make_voter(vote.here)

    with pytest.raises(FieldErrors) as invalid:
        services.cast_ballot(person, vote.round, vote.ids(2, 3))  # 11,000 > 10,000

    assert "11" in str(invalid.value)
    assert "10" in str(invalid.value)
    services.cast_ballot(person, vote.round, vote.ids(0, 1))  # 7,000
    assert count(db, SealedBallot) == 1


def test_knapsack_minimum_share_to_spend(make_vote, make_voter):
    vote = make_vote(
        rules={"ballot_type": BallotType.KNAPSACK, "min_spend_percent": 50}
    )
    person = make_voter(vote.here)

    with pytest.raises(FieldErrors, match="at least"):
        services.cast_ballot(person, vote.round, vote.ids(0))  # 3,000 < 5,000


def test_cumulative_points_are_checked(db, make_vote, make_voter):
    vote = make_vote(
        rules={
            "ballot_type": BallotType.CUMULATIVE,
            "total_points": 10,
            "max_points_per_project": 6,
            "max_projects": None,
        }
    )
    person = make_voter(vote.here)
    first, second = vote.projects[0].id, vote.projects[1].id

    with pytest.raises(FieldErrors) as over_one:
        services.cast_ballot(person, vote.round, [(first, 7)])
    with pytest.raises(FieldErrors) as over_all:
        services.cast_ballot(person, vote.round, [(first, 6), (second, 5)])
    services.cast_ballot(
        person, vote.round, [(first, 6), (second, 4), (vote.projects[2].id, 0)]
    )
    db.session.commit()
    vote.open_box(now=vote.round.vote_closes_at + timedelta(hours=1))

    assert list(over_one.value.errors) == [f"idea-{first}"]
    assert list(over_all.value.errors) == ["points"]
    points = dict(
        db.session.execute(sa.select(BallotChoice.idea_id, BallotChoice.points)).all()
    )
    assert points == {first: 6, second: 4}


def test_rules_freeze_with_the_first_ballot(db, vote, voter, staff):
    data = services.RulesData(max_projects=2)
    before = vote.round.announcement_at
    services.save_rules(vote.round, data, staff, now=before)  # still editable
    db.session.commit()

    services.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()

    rules = services.get_rules(vote.round)
    assert rules is not None
    assert rules.is_frozen
    with pytest.raises(Conflict, match="frozen"):
        services.save_rules(
            vote.round, services.RulesData(max_projects=4), staff, now=before
        )
    db.session.rollback()
    assert services.get_rules(vote.round).max_projects == 2


def test_database_refuses_to_change_frozen_rules(db, vote, voter):
    services.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()

    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(VoteRules).values(max_projects=4))
    db.session.rollback()


def test_database_refuses_to_edit_a_ballot(db, vote, voter):
    services.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()
    vote.open_box(now=vote.round.vote_closes_at + timedelta(hours=1))

    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(Ballot).values(channel=Channel.PAPER))
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(BallotChoice).values(points=3))
    db.session.rollback()


def test_database_refuses_negative_points(db, vote, voter):
    services.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()
    ballot_id = db.session.scalar(sa.select(Ballot.id))

    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.insert(BallotChoice).values(
                ballot_id=ballot_id, idea_id=vote.projects[1].id, points=-2
            )
        )
    db.session.rollback()


def test_paper_sign_in_after_online_vote_is_refused(db, vote, voter, staff):
    from participation.voting.models import PollingDesk

    services.cast_ballot(voter, vote.round, vote.ids(0))
    desk = PollingDesk(
        round_id=vote.round.id,
        territory_id=vote.here.id,
        place="Centre social",
        opens_on=vote.round.vote_opens_at.date() + DAY,
        opened_by_id=staff.id,
    )
    db.session.add(desk)
    db.session.commit()

    with pytest.raises(VoteRefused) as refused:
        services.sign_in_voter(
            voter, vote.round, channel=Channel.PAPER, desk=desk, recorded_by=staff
        )

    assert refused.value.reason is RefusalReason.ALREADY_VOTED


def test_paper_ballot_can_be_keyed_after_the_close_until_certified(
    db, make_vote, staff
):
    vote = make_vote("counting")

    services.deposit_ballot(vote.envelope, vote.ids(1), channel=Channel.PAPER)
    db.session.commit()

    assert count(db, Ballot) == 1
    with pytest.raises(VoteRefused):
        services.deposit_ballot(vote.envelope, vote.ids(1), channel=Channel.ONLINE)


def test_receipt_codes_are_random_and_tolerant_to_typing(vote):
    code = services.new_receipt_code()

    assert code != services.new_receipt_code()
    assert len(services.normalise_receipt(code)) == services.RECEIPT_LENGTH
    assert services.receipt_hash(
        code.lower().replace("-", " ")
    ) == services.receipt_hash(code)
    assert services.receipt_code_for("abc", "k") == services.receipt_code_for(
        "abc", "k"
    )
    assert services.receipt_code_for("abc", "k") != services.receipt_code_for(
        "abd", "k"
    )


def test_blank_total_cost_uses_envelope_with_carry_over(db, make_vote, make_voter):
    vote = make_vote(rules={"ballot_type": BallotType.KNAPSACK})
    vote.envelope.carried_over_in = Decimal("1000.00")
    db.session.commit()
    person = make_voter(vote.here)

    services.cast_ballot(person, vote.round, vote.ids(2, 3))  # 11,000 <= 11,000

    assert count(db, SealedBallot) == 1


def test_vote_window_uses_the_given_time(db, vote, voter):
    late = vote.round.vote_closes_at + timedelta(seconds=1)

    with pytest.raises(VoteRefused) as refused:
        services.cast_ballot(voter, vote.round, vote.ids(0), now=late)

    assert refused.value.reason is RefusalReason.CLOSED
