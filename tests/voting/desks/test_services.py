"""Desk services: desks, walk-ins, batches keyed twice, reconciliation, deposit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from participation.accounts.models import ResidentVerification, User
from participation.accounts.states import VerificationMethod
from participation.budget.states import IdeaState
from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.models import AuditEntry
from participation.core.time import today_paris, utcnow
from participation.voting import services as voting
from participation.voting.desks import queries, services
from participation.voting.desks.models import (
    PaperBatch,
    PaperBatchStateChange,
    PaperKeyedBallot,
    PaperKeying,
)
from participation.voting.desks.states import BatchAction, BatchState, Mark, VoidReason
from participation.voting.models import Ballot, BallotChoice, SignIn
from participation.voting.states import Channel

from .conftest import typed


def count(db, model, *where) -> int:
    stmt = sa.select(sa.func.count()).select_from(model)
    if where:
        stmt = stmt.where(*where)
    return db.session.scalar(stmt)


def actions(db) -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id))
    )


# ---------------------------------------------------------------------------
# Desks
# ---------------------------------------------------------------------------


def test_relay_opens_a_desk_for_a_qpv_of_the_round_and_it_is_audited(db, vote, relay):
    desk = services.open_desk(
        vote.round,
        relay,
        territory_id=vote.here.id,
        place="  Centre social   La Conte ",
        opens_on=today_paris(),
    )
    db.session.commit()

    assert desk.territory_id == vote.here.id
    assert desk.place == "Centre social La Conte"
    assert desk.opened_by_id == relay.id
    assert desk.is_open
    assert "polling_desk.open" in actions(db)


def test_opening_the_same_desk_twice_gives_the_first(db, vote, relay, desk):
    again = services.open_desk(
        vote.round,
        relay,
        territory_id=vote.here.id,
        place=desk.place.upper(),
        opens_on=desk.opens_on,
    )

    assert again.id == desk.id


def test_desk_input_errors_are_reported_per_field(db, make_vote, relay):
    vote = make_vote()
    outsider = vote.here.id + vote.there.id + 1000

    with pytest.raises(FieldErrors) as bad:
        services.open_desk(
            vote.round,
            relay,
            territory_id=outsider,
            place="x",
            opens_on=today_paris() + timedelta(days=60),
        )

    assert set(bad.value.errors) == {"territory", "place", "opens_on"}


def test_resident_cannot_open_a_desk(db, vote, resident):
    with pytest.raises(PermissionDenied):
        services.open_desk(
            vote.round,
            resident,
            territory_id=vote.here.id,
            place="Chez moi",
            opens_on=today_paris(),
        )


def test_no_desk_for_an_online_only_vote(db, make_vote, relay):
    vote = make_vote(rules={"max_projects": 3, "is_paper_enabled": False})

    with pytest.raises(Conflict):
        services.open_desk(
            vote.round,
            relay,
            territory_id=vote.here.id,
            place="Centre social",
            opens_on=today_paris(),
        )


def test_closing_a_desk_twice_is_refused_the_second_time(db, desk, relay):
    services.close_desk(desk, relay)
    db.session.commit()

    assert desk.closed_at is not None
    assert desk.closed_by_id == relay.id
    with pytest.raises(Conflict):
        services.close_desk(desk, relay)


# ---------------------------------------------------------------------------
# Walk-in sign-ins
# ---------------------------------------------------------------------------


def test_verified_voter_is_signed_in_at_the_desk(db, vote, desk, voter, relay):
    sign_in = services.sign_in_at_desk(desk, voter, relay)
    db.session.commit()

    assert sign_in.channel is Channel.PAPER
    assert sign_in.desk_id == desk.id
    assert sign_in.recorded_by_id == relay.id
    assert sign_in.signed_on == today_paris()
    assert queries.desk_figures(desk).sign_ins == 1


def test_sign_in_is_refused_after_an_online_vote(db, vote, desk, voter, relay):
    voting.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()

    with pytest.raises(services.SignInRefused) as refused:
        services.sign_in_at_desk(desk, voter, relay)
    db.session.rollback()

    assert refused.value.reason is voting.RefusalReason.ALREADY_VOTED
    assert "online" in str(refused.value)
    assert count(db, SignIn) == 1
    assert count(db, SignIn, SignIn.desk_id == desk.id) == 0


def test_sign_in_is_refused_at_a_second_desk(db, vote, make_desk, voter, relay):
    first = make_desk(vote, place="Centre social")
    second = make_desk(vote, place="Mairie annexe")
    services.sign_in_at_desk(first, voter, relay)
    db.session.commit()

    with pytest.raises(services.SignInRefused) as refused:
        services.sign_in_at_desk(second, voter, relay)
    db.session.rollback()

    assert "Centre social" in str(refused.value)
    assert count(db, SignIn) == 1


def test_the_database_keeps_one_sign_in_even_past_the_checks(
    db, vote, make_desk, voter, relay, monkeypatch
):
    first = make_desk(vote, place="Centre social")
    second = make_desk(vote, place="Mairie annexe")
    services.sign_in_at_desk(first, voter, relay)
    db.session.commit()
    # As if both desks had checked at the same instant.
    monkeypatch.setattr(voting, "find_sign_in", lambda *a: None)
    monkeypatch.setattr(voting.eligibility, "find_sign_in", lambda *a: None)

    with pytest.raises(services.SignInRefused):
        services.sign_in_at_desk(second, voter, relay)
    db.session.rollback()

    assert count(db, SignIn) == 1


def test_closed_desk_refuses_new_sign_ins(db, vote, desk, voter, relay):
    services.close_desk(desk, relay)
    db.session.commit()

    with pytest.raises(services.SignInRefused):
        services.sign_in_at_desk(desk, voter, relay)
    db.session.rollback()

    assert count(db, SignIn) == 0


def test_desk_of_another_day_refuses_sign_ins(db, vote, desk, voter, relay):
    tomorrow = utcnow() + timedelta(days=1)

    with pytest.raises(services.SignInRefused):
        services.sign_in_at_desk(desk, voter, relay, now=tomorrow)


def test_unverified_voter_needs_the_proof_checked(db, vote, desk, make_voter, relay):
    person = make_voter(vote.here, verified=False)

    with pytest.raises(services.SignInRefused) as refused:
        services.sign_in_at_desk(desk, person, relay)
    db.session.rollback()
    assert refused.value.field == "proof_checked"
    assert count(db, SignIn) == 0

    services.sign_in_at_desk(desk, person, relay, proof_checked=True)
    db.session.commit()

    verification = db.session.scalars(
        sa.select(ResidentVerification).where(ResidentVerification.user_id == person.id)
    ).one()
    assert verification.method is VerificationMethod.PROOF_IN_PERSON
    assert verification.territory_id == vote.here.id
    assert verification.verified_by_id == relay.id
    assert count(db, SignIn) == 1


def test_voter_of_another_qpv_is_sent_to_their_own_desk(
    db, vote, desk, make_voter, relay
):
    person = make_voter(vote.there)

    with pytest.raises(services.SignInRefused) as refused:
        services.sign_in_at_desk(desk, person, relay)
    db.session.rollback()

    assert vote.there.name in str(refused.value)
    assert count(db, SignIn) == 0


def test_resident_cannot_sign_anyone_in(db, desk, voter, resident):
    with pytest.raises(PermissionDenied):
        services.sign_in_at_desk(desk, voter, resident)


def walk_in(**values) -> services.WalkIn:
    values.setdefault("pseudonym", "Fatima du Viguier")
    values.setdefault("consent", True)
    values.setdefault("proof_checked", True)
    values.setdefault("birth_year", 1961)
    return services.WalkIn(**values)


def test_walk_in_voter_gets_a_verified_managed_account_and_is_signed_in(
    db, vote, desk, relay
):
    person, code, sign_in = services.sign_in_walk_in(desk, relay, walk_in())
    db.session.commit()

    assert person.is_managed
    assert person.managed_by_id == relay.id
    assert person.territory_id == vote.here.id
    assert person.active_verification(vote.here.id) is not None
    assert person.active_verification(vote.here.id).method is (
        VerificationMethod.PROOF_IN_PERSON
    )
    assert len(code) >= 12
    assert sign_in.desk_id == desk.id
    assert sign_in.person_id == person.id


def test_walk_in_without_proof_or_consent_creates_nothing(db, desk, relay):
    with pytest.raises(FieldErrors) as bad:
        services.sign_in_walk_in(desk, relay, walk_in(proof_checked=False))
    db.session.rollback()
    assert "proof_checked" in bad.value.errors

    with pytest.raises(FieldErrors) as bad:
        services.sign_in_walk_in(desk, relay, walk_in(consent=False))
    db.session.rollback()
    assert "consent" in bad.value.errors
    assert count(db, User, User.is_managed.is_(True)) == 0


def test_walk_in_refused_by_the_vote_leaves_no_account(db, make_vote, make_desk, relay):
    vote = make_vote(rules={"max_projects": 3, "min_age": 16})
    desk = make_desk(vote)
    young = utcnow().year - 10

    with pytest.raises(services.SignInRefused) as refused:
        services.sign_in_walk_in(desk, relay, walk_in(birth_year=young))
    db.session.rollback()

    assert refused.value.reason is voting.RefusalReason.TOO_YOUNG
    assert count(db, User, User.is_managed.is_(True)) == 0
    assert count(db, SignIn) == 0


# ---------------------------------------------------------------------------
# Readings (what a keyer types for one ballot)
# ---------------------------------------------------------------------------


@pytest.fixture
def context(db, desk) -> services.BallotContext:
    """The desk's ballot paper and numbers, for the pure check of a reading."""
    return services.BallotContext.of(desk)


def read(text: str, mark: str, context: services.BallotContext):
    return services.read_ballot(text, mark, context.sheet, context.numbers)


def test_typed_ballot_numbers_become_canonical_ids(vote, context):
    a, b = vote.numbers(2), vote.numbers(0)

    reading = read(f" n°{a} ;{b}  ", "valid", context)

    first, third = vote.projects[0].id, vote.projects[2].id
    assert reading == services.Reading(Mark.VALID, f"{first}:1,{third}:1")
    assert reading.typed(context.numbers) == f"{b}, {a}"


def test_ballot_numbers_follow_the_ballot_order_not_the_ids(vote, context):
    assert context.numbers == {
        idea.id: n for n, idea in enumerate(vote.projects, start=1)
    }
    assert [idea.id for idea in context.projects] == [p.id for p in vote.projects]
    assert all(p.id != n for p, n in zip(vote.projects, range(1, 5), strict=True))


def test_an_idea_id_typed_instead_of_a_ballot_number_is_refused(vote, context):
    # projects[3] has number 4 and a larger id: its id is no number on the ballot.
    assert vote.projects[3].id > 4
    with pytest.raises(services.ReadingInvalid) as bad:
        read(str(vote.projects[3].id), "valid", context)

    assert f"There is no n° {vote.projects[3].id} on this ballot" in str(bad.value)
    assert "(1 to 4)" in str(bad.value)
    # Typing 2 names the project numbered 2, whatever the project whose id is 2.
    reading = read("2", "valid", context)
    assert reading is not None
    assert reading.pairs == [(vote.projects[1].id, 1)]


@pytest.mark.parametrize(
    ("make_text", "expected"),
    [
        (lambda v: "999999", "There is no n° 999999 on this ballot"),
        (lambda v: "5", "There is no n° 5 on this ballot"),
        (lambda v: "abc", "is not a project number"),
        (lambda v: "12345678901234", "is not a project number"),
        (lambda v: str(v.other_project.id), "on this ballot"),
        (lambda v: "0", "There is no n° 0 on this ballot"),
        (lambda v: "1, 2, 3, 4", "at most 3"),
        (lambda v: "2, 2", "n° 2: This project is named twice"),
        (lambda v: "3:2", "n° 3: Tick the project"),
    ],
)
def test_bad_paper_ballots_are_explained(vote, context, make_text, expected):
    with pytest.raises(services.ReadingInvalid) as bad:
        read(make_text(vote), "valid", context)

    assert expected in str(bad.value)


def test_blank_and_void_readings(vote, context):
    assert read("", "blank", context) == services.Reading(Mark.BLANK)
    assert read("1, 2, 3, 4", "void-too_many", context) == (
        services.Reading(Mark.VOID, void_reason=VoidReason.TOO_MANY)
    )
    assert read("", "valid", context) is None
    with pytest.raises(services.ReadingInvalid):
        read(vote.numbers(0), "blank", context)
    with pytest.raises(services.ReadingInvalid):
        read("", "void-nonsense", context)


# ---------------------------------------------------------------------------
# Batches and keyings
# ---------------------------------------------------------------------------


def test_batches_are_counted_once_the_desk_is_closed(db, desk, relay):
    with pytest.raises(Conflict):
        services.create_batch(desk, relay, declared_count=10)

    services.close_desk(desk, relay)
    with pytest.raises(FieldErrors):
        services.create_batch(desk, relay, declared_count=101)
    with pytest.raises(FieldErrors):
        services.create_batch(desk, relay, declared_count=0)
    first = services.create_batch(desk, relay, declared_count=10, form_token="t1")
    again = services.create_batch(desk, relay, declared_count=10, form_token="t1")
    second = services.create_batch(desk, relay, declared_count=5)
    db.session.commit()

    assert again.id == first.id
    assert (first.number, second.number) == (1, 2)
    assert count(db, PaperBatch) == 2


def test_two_keyings_must_come_from_two_different_people(
    db, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    batch = make_batch(signed_desk(1), 1)
    first = services.start_keying(batch, relay)
    assert services.start_keying(batch, relay).id == first.id  # resumes
    services.save_readings(first, relay, typed(vote.numbers(0)))
    services.finish_keying(first, relay)
    db.session.commit()

    with pytest.raises(PermissionDenied):
        services.start_keying(batch, relay)
    assert not services.can_key(relay, batch)
    second = services.start_keying(batch, relay2)
    assert (first.pass_number, second.pass_number) == (1, 2)


def test_database_refuses_one_person_keying_both_passes(
    db, signed_desk, make_batch, relay
):
    batch = make_batch(signed_desk(1), 1)
    services.start_keying(batch, relay)
    db.session.commit()

    db.session.add(PaperKeying(batch_id=batch.id, pass_number=2, keyer_id=relay.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_a_third_pass(
    db, signed_desk, make_batch, relay, relay2, staff
):
    batch = make_batch(signed_desk(1), 1)
    services.start_keying(batch, relay)
    services.start_keying(batch, relay2)
    db.session.commit()

    with pytest.raises(Conflict):
        services.start_keying(batch, staff)
    db.session.add(PaperKeying(batch_id=batch.id, pass_number=2, keyer_id=staff.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_wrong_ballot_in_the_grid_saves_nothing(
    db, vote, signed_desk, make_batch, relay
):
    batch = make_batch(signed_desk(3), 3)
    keying = services.start_keying(batch, relay)
    db.session.commit()

    with pytest.raises(FieldErrors) as bad:
        services.save_readings(
            keying,
            relay,
            typed(vote.numbers(0), "9", ("", "blank")),
        )
    db.session.rollback()

    assert list(bad.value.errors) == ["b2_choices"]
    assert "There is no n° 9 on this ballot" in bad.value.errors["b2_choices"]
    assert count(db, PaperKeyedBallot) == 0


def test_only_the_keyer_edits_a_pass(db, vote, signed_desk, make_batch, relay, relay2):
    batch = make_batch(signed_desk(1), 1)
    keying = services.start_keying(batch, relay)
    db.session.commit()

    with pytest.raises(PermissionDenied):
        services.save_readings(keying, relay2, typed(vote.numbers(0)))


def test_a_pass_finishes_only_with_every_ballot_keyed(
    db, vote, signed_desk, make_batch, relay
):
    batch = make_batch(signed_desk(3), 3)
    keying = services.start_keying(batch, relay)
    services.save_readings(keying, relay, typed(vote.numbers(0)))

    with pytest.raises(Conflict) as refused:
        services.finish_keying(keying, relay)

    assert "2, 3" in str(refused.value)
    assert batch.state is BatchState.OPEN


def test_agreeing_keyings_reconcile_the_batch(
    db, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    p = [vote.numbers(i) for i in range(len(vote.projects))]
    readings = [f"{p[0]}, {p[1]}", ("", "blank"), ("", "void-unreadable"), p[2]]
    batch = make_batch(signed_desk(4), 4)

    key_batch(batch, relay, readings)
    assert batch.state is BatchState.FIRST_KEYED
    key_batch(batch, relay2, readings)

    assert batch.state is BatchState.RECONCILED
    assert (batch.valid_count, batch.blank_count, batch.void_count) == (2, 1, 1)
    assert [h.to_state for h in batch.history] == [
        BatchState.FIRST_KEYED,
        BatchState.SECOND_KEYED,
        BatchState.RECONCILED,
    ]
    assert count(db, Ballot) == 0  # nothing in the box before the deposit


@pytest.fixture
def mismatched(db, vote, signed_desk, make_batch, relay, relay2, key_batch):
    """A batch of 3 whose keyings differ on ballots 2 (projects) and 3 (blank/void)."""
    p = [vote.numbers(i) for i in range(len(vote.projects))]
    batch = make_batch(signed_desk(3), 3)
    key_batch(batch, relay, [p[0], p[1], ("", "blank")])
    key_batch(batch, relay2, [p[0], p[2], ("", "void-identifying_mark")])
    return batch


def test_mismatches_are_listed_by_position(db, vote, mismatched):
    found = services.mismatches(mismatched)

    assert mismatched.state is BatchState.SECOND_KEYED
    assert [m.position for m in found] == [2, 3]
    assert found[0].first.pairs == [(vote.projects[1].id, 1)]
    assert found[0].second.pairs == [(vote.projects[2].id, 1)]
    assert found[1].first.mark is Mark.BLANK
    assert found[1].second.mark is Mark.VOID
    assert not any(m.is_resolved for m in found)


def test_a_keyer_cannot_settle_the_differences(db, mismatched, relay, relay2):
    for keyer in (relay, relay2):
        assert not services.can_resolve(keyer, mismatched)
        with pytest.raises(PermissionDenied):
            services.resolve_position(mismatched, 2, keyer, source="first")


def test_nothing_is_deposited_before_reconciliation(db, mismatched, relay, staff):
    with pytest.raises(Conflict):
        services.deposit_batch(mismatched, staff)
    with pytest.raises(Conflict):
        services.reconcile_batch(mismatched, staff)
    services.resolve_position(mismatched, 2, staff, source="second")
    with pytest.raises(Conflict) as refused:
        services.reconcile_batch(mismatched, staff)

    assert "n° 3" in str(refused.value)
    assert count(db, Ballot) == 0


def test_staff_settles_then_the_batch_is_deposited_all_at_once(
    db, vote, mismatched, staff, relay
):
    services.resolve_position(mismatched, 2, staff, source="first")
    # A third reading: the paper shows project 4 only.
    services.resolve_position(
        mismatched,
        3,
        staff,
        source="other",
        typed=services.Typed(choices=vote.numbers(3)),
    )
    services.reconcile_batch(mismatched, staff)
    db.session.commit()
    assert (mismatched.valid_count, mismatched.blank_count) == (3, 0)

    deposited = services.deposit_batch(mismatched, relay)
    db.session.commit()

    assert deposited == 3
    assert mismatched.state is BatchState.DEPOSITED
    ballots = db.session.scalars(sa.select(Ballot)).all()
    assert {b.channel for b in ballots} == {Channel.PAPER}
    assert {b.envelope_id for b in ballots} == {vote.envelope.id}
    chosen = sorted(c.idea_id for c in db.session.scalars(sa.select(BallotChoice)))
    assert chosen == sorted(
        [vote.projects[0].id, vote.projects[1].id, vote.projects[3].id]
    )
    figures = queries.desk_figures(mismatched.desk)
    assert (figures.sign_ins, figures.ballots, figures.deposited) == (3, 3, 3)
    assert figures.matches

    with pytest.raises(Conflict):
        services.deposit_batch(mismatched, relay)
    db.session.rollback()
    assert count(db, Ballot) == 3
    by_qpv = queries.paper_figures_by_territory(vote.round.id)
    assert list(by_qpv) == [vote.here.id]
    assert (by_qpv[vote.here.id].sign_ins, by_qpv[vote.here.id].deposited) == (3, 3)


def test_blank_and_void_ballots_stay_out_of_the_box(
    db, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    readings = [vote.numbers(0), ("", "blank"), ("", "void-too_many")]
    batch = make_batch(signed_desk(3), 3)
    key_batch(batch, relay, readings)
    key_batch(batch, relay2, readings)

    services.deposit_batch(batch, relay)
    db.session.commit()

    assert count(db, Ballot) == 1
    figures = queries.desk_figures(batch.desk)
    assert (figures.valid, figures.blank, figures.void, figures.deposited) == (
        1,
        1,
        1,
        1,
    )
    assert figures.ballots == figures.sign_ins == 3


def test_deposit_is_all_or_nothing(
    db, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    p = [vote.numbers(i) for i in range(len(vote.projects))]
    readings = [p[0], p[1]]
    batch = make_batch(signed_desk(2), 2)
    key_batch(batch, relay, readings)
    key_batch(batch, relay2, readings)
    # Project 2 is withdrawn from the vote after the batch was reconciled.
    vote.projects[1].state = IdeaState.IN_REVIEW
    db.session.commit()

    with pytest.raises(Conflict) as refused:
        services.deposit_batch(batch, relay)
    db.session.rollback()

    assert "nothing was put" in str(refused.value)
    assert count(db, Ballot) == 0
    db.session.refresh(batch)
    assert batch.state is BatchState.RECONCILED


def test_paper_ballots_against_sign_ins_flag_a_difference(
    db, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    desk = signed_desk(3)
    batch = make_batch(desk, 2)

    figures = queries.desk_figures(desk)
    assert (figures.sign_ins, figures.ballots, figures.difference) == (3, 2, -1)
    assert not figures.matches
    assert not figures.is_counted

    services.cancel_batch(batch, relay, "Recompté : trois bulletins")
    services.create_batch(desk, relay, declared_count=3)
    db.session.commit()
    assert queries.desk_figures(desk).matches


# ---------------------------------------------------------------------------
# The transition table
# ---------------------------------------------------------------------------


def _batch_in(db, desk, relay, state: BatchState) -> PaperBatch:
    now = utcnow()
    values = {}
    if state in (BatchState.RECONCILED, BatchState.DEPOSITED):
        values = {"valid_count": 1, "blank_count": 0, "void_count": 0}
        values["reconciled_at"] = now
    if state is BatchState.DEPOSITED:
        values["deposited_at"] = now
    if state is BatchState.CANCELLED:
        values["cancelled_at"] = now
    batch = PaperBatch(
        desk_id=desk.id,
        number=db.session.scalar(sa.select(sa.func.count()).select_from(PaperBatch))
        + 1,
        declared_count=1,
        state=state,
        created_by_id=relay.id,
        **values,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def test_every_state_and_action_pair(db, desk, relay, staff):
    """Legal pairs land where the table says, with history and audit; others raise."""
    for state in BatchState:
        for action in BatchAction:
            batch = _batch_in(db, desk, relay, state)
            expected = services.BATCH_WORKFLOW.transitions.get((state, action))
            extra: dict[str, object] = {}
            if expected is BatchState.RECONCILED:
                extra = {"valid_count": 1, "blank_count": 0, "void_count": 0}
                extra["reconciled_at"] = utcnow()
            elif expected is BatchState.DEPOSITED:
                extra = {"deposited_at": utcnow()}
            elif expected is BatchState.CANCELLED:
                extra = {"cancelled_at": utcnow()}

            if expected is None:
                with pytest.raises(Conflict):
                    services.transition(batch, action, staff, values=extra)
                assert batch.state is state, (state, action)
                assert not batch.history
                continue
            assert services.transition(batch, action, staff, values=extra) is expected
            assert batch.state is expected
            change = db.session.scalars(
                sa.select(PaperBatchStateChange).where(
                    PaperBatchStateChange.batch_id == batch.id
                )
            ).one()
            assert (change.from_state, change.to_state, change.action) == (
                state,
                expected,
                action,
            )
            assert actions(db)[-1] == f"paper_batch.{action.value}"
    db.session.commit()


def test_relay_cancels_only_their_own_open_batch(
    db, signed_desk, make_batch, relay, relay2, staff
):
    batch = make_batch(signed_desk(1), 1)

    assert not services.can_perform(relay2, batch, BatchAction.CANCEL)
    with pytest.raises(PermissionDenied):
        services.cancel_batch(batch, relay2, "Erreur de comptage")
    with pytest.raises(FieldErrors):
        services.cancel_batch(batch, relay, "")
    services.cancel_batch(batch, relay, "Erreur de comptage")
    db.session.commit()

    assert batch.state is BatchState.CANCELLED
    assert batch.cancel_reason == "Erreur de comptage"
    assert services.can_perform(staff, batch, BatchAction.CANCEL) is False
