"""Idea workflow and transfer follow-up: every (state, action) pair, rights, phases,
history, audit, mail."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from participation.accounts.states import Role
from participation.budget import services
from participation.budget.models import Idea, IdeaCoAuthor, IdeaStateChange
from participation.budget.states import (
    AUTHOR_ACTIONS,
    STAFF_ACTIONS,
    TRANSFER_TRANSITIONS,
    TRANSITIONS,
    IdeaAction,
    IdeaState,
    TransferAction,
    TransferStatus,
)
from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.models import AuditEntry, OutboxMessage
from participation.core.time import utcnow

from .conftest import history_actions

#: A phase in which each action's phase rule holds, so only the table decides.
ACTION_PHASE = {
    IdeaAction.SUBMIT: "submission",
    IdeaAction.WITHDRAW: "submission",
    IdeaAction.SELECT: "counting",
    IdeaAction.NOT_SELECT: "counting",
}


def _arguments(action, idea, make_idea):
    if action is IdeaAction.RETAIN:
        return {"final_cost": Decimal("2500.00")}
    if action in (IdeaAction.DECLARE_INELIGIBLE, IdeaAction.HIDE):
        return {"comment": "Hors du champ du budget participatif."}
    if action is IdeaAction.TRANSFER:
        return {"transfer_service": "Voirie"}
    if action is IdeaAction.MERGE:
        return {"into": make_idea(idea.round, state=IdeaState.SUBMITTED)}
    return {}


def test_the_table_only_names_known_states_and_actions():
    assert set(IdeaAction) == AUTHOR_ACTIONS | STAFF_ACTIONS
    assert not AUTHOR_ACTIONS & STAFF_ACTIONS
    reachable = {IdeaState.DRAFT}
    changed = True
    while changed:
        before = len(reachable)
        reachable |= {to for (frm, _a), to in TRANSITIONS.items() if frm in reachable}
        changed = len(reachable) != before
    assert reachable == set(IdeaState)


@pytest.mark.parametrize("state", list(IdeaState), ids=lambda s: s.value)
def test_every_action_from_each_state(state, db, make_round, make_idea, staff):
    for action in IdeaAction:
        round_ = make_round(ACTION_PHASE.get(action, "review"))
        idea = make_idea(round_, state=state)
        actor = idea.author if action in AUTHOR_ACTIONS else staff
        expected = TRANSITIONS.get((state, action))
        kwargs = _arguments(action, idea, make_idea)

        if expected is None:
            with pytest.raises(Conflict):
                services.transition(idea, action, actor, **kwargs)
            assert idea.state is state, action
            assert history_actions(db, idea) == []
        else:
            assert services.transition(idea, action, actor, **kwargs) is expected, (
                action
            )
            db.session.refresh(idea)
            assert idea.state is expected, action
            change = idea.history[-1]
            assert (change.from_state, change.action, change.to_state) == (
                state,
                action,
                expected,
            )


def test_transition_writes_history_and_audit(db, make_round, make_idea, staff):
    idea = make_idea(make_round("review"))

    services.transition(idea, IdeaAction.START_REVIEW, staff)
    services.transition(
        idea, IdeaAction.DECLARE_INELIGIBLE, staff, comment="Terrain privé du bailleur."
    )

    assert history_actions(db, idea) == [
        IdeaAction.START_REVIEW,
        IdeaAction.DECLARE_INELIGIBLE,
    ]
    change = idea.history[-1]
    assert change.actor_id == staff.id
    assert change.comment == "Terrain privé du bailleur."
    assert idea.public_reason == "Terrain privé du bailleur."
    assert idea.display_reason == "Terrain privé du bailleur."
    audit_actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_id == str(idea.id))
    ).all()
    assert audit_actions == ["idea.start_review", "idea.declare_ineligible"]


@pytest.mark.parametrize(
    "action", [IdeaAction.START_REVIEW, IdeaAction.HIDE, IdeaAction.TRANSFER]
)
def test_resident_cannot_take_staff_decisions(
    action, db, make_round, make_idea, resident
):
    idea = make_idea(make_round("review"), author=resident)

    with pytest.raises(PermissionDenied):
        services.transition(
            idea, action, resident, comment="x", transfer_service="Voirie"
        )

    assert idea.state is IdeaState.SUBMITTED
    assert idea.history == []


def test_reviewer_without_staff_role_cannot_decide(
    db, make_round, make_idea, make_user
):
    reviewer = make_user(roles=(Role.REVIEWER,))
    idea = make_idea(make_round("review"), state=IdeaState.IN_REVIEW)

    with pytest.raises(PermissionDenied):
        services.transition(
            idea, IdeaAction.RETAIN, reviewer, final_cost=Decimal("1000")
        )

    assert idea.state is IdeaState.IN_REVIEW
    assert idea.final_cost is None


def test_someone_else_cannot_withdraw_an_idea(db, make_round, make_idea, make_user):
    idea = make_idea(make_round("submission"))

    with pytest.raises(PermissionDenied):
        services.transition(idea, IdeaAction.WITHDRAW, make_user())

    assert idea.state is IdeaState.SUBMITTED


def test_the_system_may_take_staff_actions(db, make_round, make_idea):
    idea = make_idea(make_round("counting"), state=IdeaState.ELIGIBLE)

    services.transition(idea, IdeaAction.SELECT, SYSTEM)

    assert idea.state is IdeaState.SELECTED
    assert idea.history[-1].actor_id is None


def test_no_actor_is_not_the_system(db, make_round, make_idea):
    round_ = make_round("counting")
    idea = make_idea(round_, state=IdeaState.ELIGIBLE)

    with pytest.raises(PermissionDenied):
        services.transition(idea, IdeaAction.SELECT, None)
    with pytest.raises(PermissionDenied):
        services.mark_results_published(round_, None)

    assert idea.state is IdeaState.ELIGIBLE
    assert round_.results_published_at is None


def test_submission_after_the_deadline_is_refused(db, make_round, make_idea):
    idea = make_idea(make_round("review"), state=IdeaState.DRAFT, submitted_at=None)

    with pytest.raises(Conflict):
        services.transition(idea, IdeaAction.SUBMIT, idea.author)

    assert idea.state is IdeaState.DRAFT


def test_withdrawal_is_refused_once_the_review_started(db, make_round, make_idea):
    idea = make_idea(make_round("submission"), state=IdeaState.IN_REVIEW)

    with pytest.raises(Conflict):
        services.transition(idea, IdeaAction.WITHDRAW, idea.author)

    assert idea.state is IdeaState.IN_REVIEW


def test_decisions_are_frozen_once_the_vote_opens(db, make_round, make_idea, staff):
    idea = make_idea(make_round("vote"), state=IdeaState.IN_REVIEW)

    with pytest.raises(Conflict):
        services.transition(idea, IdeaAction.RETAIN, staff, final_cost=Decimal("1000"))

    assert idea.state is IdeaState.IN_REVIEW


def test_vote_outcome_waits_for_the_close(db, make_round, make_idea, staff):
    idea = make_idea(make_round("vote"), state=IdeaState.ELIGIBLE)

    with pytest.raises(Conflict):
        services.transition(idea, IdeaAction.SELECT, staff)

    assert idea.state is IdeaState.ELIGIBLE


@pytest.mark.parametrize("cost", ["100.00", "25000.00", None])
def test_retaining_needs_a_cost_within_the_round_bounds(
    cost, db, make_round, make_idea, staff
):
    idea = make_idea(
        make_round("review"), state=IdeaState.IN_REVIEW, estimated_cost=None
    )

    with pytest.raises(FieldErrors) as caught:
        services.transition(
            idea, IdeaAction.RETAIN, staff, final_cost=Decimal(cost) if cost else None
        )

    assert "final_cost" in caught.value.errors
    assert idea.state is IdeaState.IN_REVIEW


def test_retaining_records_the_final_cost(db, make_round, make_idea, staff):
    idea = make_idea(make_round("review"), state=IdeaState.IN_REVIEW)

    services.transition(idea, IdeaAction.RETAIN, staff, final_cost=Decimal("4200.50"))

    assert idea.final_cost == Decimal("4200.50")
    assert idea.decided_at is not None


def test_hiding_needs_a_public_reason_and_showing_again_restarts(
    db, make_round, make_idea, staff
):
    idea = make_idea(make_round("review"), state=IdeaState.INELIGIBLE)
    with pytest.raises(FieldErrors):
        services.transition(idea, IdeaAction.HIDE, staff, comment="  ")

    services.transition(idea, IdeaAction.HIDE, staff, comment="Propos injurieux.")
    assert (idea.state, idea.hidden_reason) == (IdeaState.HIDDEN, "Propos injurieux.")
    assert idea.display_reason == "Propos injurieux."

    services.transition(idea, IdeaAction.UNHIDE, staff)
    assert (idea.state, idea.hidden_reason) == (IdeaState.SUBMITTED, None)


def test_transfer_names_the_service_and_follows_it_up(db, make_round, make_idea, staff):
    idea = make_idea(make_round("review"))

    services.transition(
        idea,
        IdeaAction.TRANSFER,
        staff,
        transfer_service="Bailleur Alogea",
        comment="Entretien des halls : relève du bailleur.",
    )
    services.update_transfer(idea, TransferAction.START, staff, comment="Devis reçu.")

    assert idea.state is IdeaState.TRANSFERRED
    assert idea.transfer_service == "Bailleur Alogea"
    assert idea.transfer_status is TransferStatus.IN_PROGRESS
    steps = [(c.action, c.from_state, c.to_state) for c in idea.transfer_history]
    assert steps == [
        (TransferAction.SEND, None, TransferStatus.SENT),
        (TransferAction.START, TransferStatus.SENT, TransferStatus.IN_PROGRESS),
    ]
    assert idea.transfer_history[-1].comment == "Devis reçu."
    assert idea.transfer_history[-1].actor_id == staff.id
    audit_actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_id == str(idea.id))
    ).all()
    assert audit_actions == ["idea.transfer", "idea_transfer.start"]


@pytest.mark.parametrize("status", list(TransferStatus), ids=lambda s: s.value)
def test_every_follow_up_action_from_each_status(
    status, db, make_round, make_idea, staff
):
    round_ = make_round("counting")  # the follow-up goes on after the vote
    for action in TransferAction:
        idea = make_idea(
            round_,
            state=IdeaState.TRANSFERRED,
            transfer_service="Voirie",
            transfer_status=status,
        )
        expected = TRANSFER_TRANSITIONS.get((status, action))

        if expected is None:
            with pytest.raises(Conflict):
                services.update_transfer(idea, action, staff)
            assert idea.transfer_status is status, action
            assert idea.transfer_history == []
        else:
            assert services.update_transfer(idea, action, staff) is expected, action
            db.session.refresh(idea)
            assert idea.transfer_status is expected, action
            change = idea.transfer_history[-1]
            assert (change.from_state, change.action, change.to_state) == (
                status,
                action,
                expected,
            )


def test_follow_up_table_reaches_every_status_and_ends_at_done_or_declined():
    reachable = {TransferStatus.SENT}
    for _ in TransferStatus:
        reachable |= {
            to for (frm, _a), to in TRANSFER_TRANSITIONS.items() if frm in reachable
        }
    assert reachable == set(TransferStatus)
    assert {frm for frm, _a in TRANSFER_TRANSITIONS} == set(TransferStatus) - {
        TransferStatus.DONE,
        TransferStatus.DECLINED,
    }
    assert TransferAction.SEND not in {a for _s, a in TRANSFER_TRANSITIONS}


@pytest.mark.parametrize(
    "state", [s for s in IdeaState if s is not IdeaState.TRANSFERRED]
)
def test_follow_up_needs_a_transferred_idea(state, db, make_round, make_idea, staff):
    idea = make_idea(make_round("review"), state=state)

    with pytest.raises(Conflict):
        services.update_transfer(idea, TransferAction.COMPLETE, staff)

    assert idea.transfer_status is None
    assert idea.transfer_history == []


def test_only_staff_or_the_system_follow_up_a_transfer(
    db, make_round, make_idea, make_user
):
    idea = make_idea(make_round("review"), state=IdeaState.TRANSFERRED)

    for person in (idea.author, make_user(roles=(Role.REVIEWER,))):
        with pytest.raises(PermissionDenied):
            services.update_transfer(idea, TransferAction.COMPLETE, person)
    assert idea.transfer_status is TransferStatus.SENT

    services.update_transfer(idea, TransferAction.COMPLETE, SYSTEM)
    assert idea.transfer_status is TransferStatus.DONE
    assert idea.transfer_history[-1].actor_id is None


def test_a_new_transfer_starts_a_new_follow_up(db, make_round, make_idea, staff):
    idea = make_idea(make_round("review"))
    services.transition(idea, IdeaAction.TRANSFER, staff, transfer_service="Voirie")
    services.update_transfer(idea, TransferAction.DECLINE, staff)

    services.transition(idea, IdeaAction.REOPEN, staff)
    services.transition(
        idea, IdeaAction.TRANSFER, staff, transfer_service="Bailleur social"
    )

    assert (idea.transfer_service, idea.transfer_status) == (
        "Bailleur social",
        TransferStatus.SENT,
    )
    assert [(c.action, c.from_state) for c in idea.transfer_history] == [
        (TransferAction.SEND, None),
        (TransferAction.DECLINE, TransferStatus.SENT),
        (TransferAction.SEND, TransferStatus.DECLINED),
    ]


def test_merge_keeps_every_author_on_the_target(
    db, make_round, make_idea, make_user, staff
):
    round_ = make_round("review")
    target = make_idea(round_, title="Jardin partagé rue Fleming")
    co_author = make_user()
    original = make_idea(
        round_, title="Un potager collectif", association_name="Les Jardins"
    )
    original.co_authors.append(IdeaCoAuthor(user_id=co_author.id))
    db.session.flush()

    services.transition(
        original, IdeaAction.MERGE, staff, into=target, comment="Même lieu."
    )

    assert original.state is IdeaState.MERGED
    assert original.merged_into_id == target.id
    assert {c.user_id for c in target.co_authors} == {original.author_id, co_author.id}
    assert target.association_name == "Les Jardins"
    assert [i.id for i in target.merged_ideas] == [original.id]


@pytest.mark.parametrize("where", ["itself", "other_round", "other_qpv"])
def test_merge_refuses_a_wrong_target(
    where, db, make_round, make_idea, make_territory, staff
):
    t1, t2 = make_territory(), make_territory()
    round_ = make_round("review", territories=[t1, t2])
    idea = make_idea(round_, territory_id=t1.id)
    target = {
        "itself": idea,
        "other_round": make_idea(make_round("review")),
        "other_qpv": make_idea(round_, territory_id=t2.id),
    }[where]

    with pytest.raises(FieldErrors):
        services.transition(idea, IdeaAction.MERGE, staff, into=target)

    assert idea.state is IdeaState.SUBMITTED
    assert idea.merged_into_id is None


def test_author_is_notified_in_their_language(
    db, make_round, make_idea, make_user, staff
):
    author = make_user(email="lina@example.test", locale="en")
    idea = make_idea(make_round("review"), author=author, title="Bancs à l'ombre")

    services.transition(idea, IdeaAction.START_REVIEW, staff)

    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.to_address == "lina@example.test"
    assert "Bancs à l'ombre" in message.subject
    assert "under review" in message.subject
    assert f"/ideas/{idea.id}" in message.body_text


def _idea_of_a_managed_account(make_round, make_idea, make_user):
    """An idea filed by a relay for a managed account that has no e-mail."""
    relay = make_user(roles=(Role.RELAY,))
    person = make_user(email=None, managed_by_id=relay.id)
    return make_idea(
        make_round("review"),
        author=person,
        submitted_on_behalf_by_id=relay.id,
        consent_recorded_at=utcnow(),
    )


def test_managed_account_without_email_gets_no_message(
    db, make_round, make_idea, make_user, staff
):
    idea = _idea_of_a_managed_account(make_round, make_idea, make_user)

    services.transition(idea, IdeaAction.START_REVIEW, staff)

    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    assert idea.state is IdeaState.IN_REVIEW


def test_only_the_workflows_assign_the_states():
    import pathlib
    import re

    assignment = re.compile(r"\b(idea|self)\.(state|transfer_status)\s*=(?!=)")
    package = pathlib.Path(services.__file__).resolve().parent.parent.parent
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if assignment.search(path.read_text(encoding="utf-8"))
    ]
    # The applier (core.workflow) sets them; entering the follow-up is its first
    # state, set where the idea is sent to the service.
    assert offenders == ["budget/services/transfer.py"]


def test_database_refuses_incoherent_ideas(db, make_round, make_idea):
    from sqlalchemy.exc import IntegrityError

    idea = make_idea(make_round("review"))
    bad_values = [
        {"state": IdeaState.ELIGIBLE, "final_cost": None},
        {"state": IdeaState.MERGED, "merged_into_id": None},
        {"state": IdeaState.HIDDEN, "hidden_reason": None},
        {"estimated_cost": Decimal("-1")},
        {"latitude": Decimal("43.2")},
    ]
    for values in bad_values:
        savepoint = db.session.begin_nested()
        with pytest.raises(IntegrityError):
            db.session.execute(
                sa.update(Idea).where(Idea.id == idea.id).values(**values)
            )
        savepoint.rollback()
    assert db.session.get(Idea, idea.id) is not None
    assert db.session.scalar(sa.select(sa.func.count(IdeaStateChange.id))) == 0


def test_author_hears_each_status_the_service_reports(
    db, make_round, make_idea, make_user, staff
):
    author = make_user(email="lina@example.test", locale="en")
    idea = make_idea(make_round("review"), author=author, title="Halls propres")
    services.transition(
        idea, IdeaAction.TRANSFER, staff, transfer_service="Bailleur Alogea"
    )
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))

    services.update_transfer(idea, TransferAction.START, staff, comment="Devis reçu.")

    messages = db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id).offset(before)
    ).all()
    assert [m.to_address for m in messages] == ["lina@example.test"]
    assert "Halls propres" in messages[0].subject
    assert "Bailleur Alogea reports on your idea: In progress." in messages[0].body_text
    assert "Devis reçu." in messages[0].body_text
    assert f"/ideas/{idea.id}" in messages[0].body_text


def test_transfer_news_for_a_managed_account_sends_nothing(
    db, make_round, make_idea, make_user, staff
):
    idea = _idea_of_a_managed_account(make_round, make_idea, make_user)
    services.transition(idea, IdeaAction.TRANSFER, staff, transfer_service="Voirie")

    services.update_transfer(idea, TransferAction.ACKNOWLEDGE, staff)

    assert idea.transfer_status is TransferStatus.ACKNOWLEDGED
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_each_transfer_status_change_queues_one_email_in_the_authors_language(
    db, make_round, make_idea, make_user, staff
):
    author = make_user(email="nadia@example.test", locale="ar")
    idea = make_idea(make_round("review"), author=author, title="Halls propres")
    services.transition(
        idea, IdeaAction.TRANSFER, staff, transfer_service="Bailleur Alogea"
    )

    for action, status_ar in (
        (TransferAction.ACKNOWLEDGE, "Acknowledged by the service"),
        (TransferAction.START, "In progress"),
        (TransferAction.COMPLETE, "Done"),
    ):
        before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
        services.update_transfer(idea, action, staff)
        messages = db.session.scalars(
            sa.select(OutboxMessage).order_by(OutboxMessage.id).offset(before)
        ).all()
        assert [m.to_address for m in messages] == ["nadia@example.test"], action
        assert messages[0].subject == "فكرتك «Halls propres»: أخبار من المصلحة المختصة"
        assert "أفادت Bailleur Alogea بشأن فكرتك" in messages[0].body_text
        assert status_ar not in messages[0].body_text  # the label is translated too
    assert idea.transfer_status is TransferStatus.DONE


def test_transfer_news_goes_in_french_to_an_author_without_a_language(
    db, make_round, make_idea, make_user, staff
):
    author = make_user(email="paul@example.test", locale=None)
    idea = make_idea(make_round("review"), author=author, title="Bancs")
    services.transition(idea, IdeaAction.TRANSFER, staff, transfer_service="Voirie")
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))

    services.update_transfer(idea, TransferAction.DECLINE, staff, comment="Hors champ.")

    message = db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id).offset(before)
    ).one()
    assert message.to_address == "paul@example.test"

    def plain(text: str) -> str:
        return text.replace("\u00a0", " ").replace("\u202f", " ")

    assert plain(message.subject) == (
        "Votre idée « Bancs » : des nouvelles du service compétent"
    )
    assert "Voirie indique pour votre idée : " in plain(message.body_text)
    assert "Hors champ." in message.body_text
