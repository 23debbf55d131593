"""The FPH committee as a council meeting: agenda, scores, recusal, the decision."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, DomainError, PermissionDenied
from participation.core.models import OutboxMessage
from participation.council.services.deliberations import VoteData, record_deliberation
from participation.council.states import AgendaItemKind, Outcome
from participation.eligibility.services import create_default_grid
from participation.eligibility.states import Check, CriterionKind
from participation.followup.models import Project
from participation.followup.states import SourceKind
from participation.fph import committee
from participation.fph.states import ApplicationState

from .fph2_support import grant, make_application, make_committee, open_committee


@pytest.fixture
def c(db, make_user, make_territory):
    return make_committee(make_user, make_territory)


@pytest.fixture
def applicant_member(c):
    """The applicant is the fifth member of the committee."""
    return c.users[4]


@pytest.fixture
def scheduled(db, c, applicant_member):
    application = make_application(c.fund, applicant_member, meeting=c.meeting)
    committee.put_on_agenda(application, SYSTEM)
    db.session.flush()
    return application


def _answers(version):
    answers = {}
    for criterion in version.criteria:
        if criterion.kind is CriterionKind.MANDATORY:
            answers[criterion.code] = Check.PASS
        elif criterion.kind is CriterionKind.SCORED:
            answers[criterion.code] = 2
    return answers


def test_a_complete_file_goes_on_its_committee_agenda(db, scheduled, c):
    item = scheduled.agenda_item
    assert scheduled.state is ApplicationState.SCHEDULED
    assert item.meeting_id == c.meeting.id
    assert item.kind is AgendaItemKind.FPH_FILE
    assert scheduled.reference in item.title
    assert committee.application_of(item) == scheduled
    with pytest.raises(Conflict):
        committee.put_on_agenda(scheduled, SYSTEM)


def test_a_plenary_meeting_is_not_a_committee(db, c, make_user):
    from datetime import timedelta

    from participation.council.services import meetings

    plenary = meetings.create_meeting(
        c.council,
        meetings.MeetingData(
            title="Plénière",
            starts_at=c.meeting.starts_at + timedelta(days=1),
            ends_at=c.meeting.ends_at + timedelta(days=1),
            place="Mairie",
        ),
        SYSTEM,
    )
    application = make_application(c.fund, make_user(), meeting=plenary)
    with pytest.raises(Conflict, match="not an FPH committee"):
        committee.put_on_agenda(application, SYSTEM)


def test_members_score_and_the_applicant_member_is_recused(
    db, c, scheduled, applicant_member, make_user
):
    create_default_grid(actor=SYSTEM)
    version = committee.grid_version_for(scheduled)
    for user in c.users[:3]:
        _assessment, result = committee.score(scheduled, _answers(version), user)
    assert len(committee.scores(scheduled)) == 3
    assert committee.average_score(scheduled) == result.score.quantize(Decimal("0.1"))
    # Scoring again replaces the member's own scores.
    committee.score(scheduled, _answers(version), c.users[0])
    assert len(committee.scores(scheduled)) == 3
    with pytest.raises(PermissionDenied, match="recused"):
        committee.score(scheduled, _answers(version), applicant_member)
    with pytest.raises(PermissionDenied, match="voting members"):
        committee.score(scheduled, _answers(version), make_user())
    assert [m.user_id for m in committee.recused_members(scheduled, c.meeting)] == [
        applicant_member.id
    ]


def test_an_adopted_grant_decides_the_file_and_debits_the_fund(db, c, scheduled):
    open_committee(c)
    deliberation = committee.decide(scheduled, grant("800.00"), c.users[0])
    db.session.flush()

    assert deliberation.outcome is Outcome.ADOPTED
    assert deliberation.recused_count == 1
    assert deliberation.entitled_count == 4
    recused = [v for v in deliberation.voters if v.is_recused]
    assert [v.member.user_id for v in recused] == [scheduled.owner_id]
    assert scheduled.state is ApplicationState.GRANTED
    assert scheduled.amount_granted == Decimal("800.00")
    assert scheduled.deliberation_id == deliberation.id
    assert c.fund.balance == Decimal("2200.00")
    project = db.session.scalar(
        sa.select(Project).where(Project.source_kind == SourceKind.FPH_GRANT)
    )
    assert project.source_id == scheduled.id
    assert project.amount_voted == Decimal("800.00")
    letters = db.session.scalars(sa.select(OutboxMessage)).all()
    letters = [m for m in letters if (m.attachment_name or "").endswith(".pdf")]
    names = sorted(m.attachment_name for m in letters)
    assert names == [
        f"convention-{scheduled.reference}.pdf",
        f"notification-{scheduled.reference}.pdf",
    ]
    assert all(m.attachment_data.startswith(b"%PDF-") for m in letters)


def test_less_than_requested_is_a_partial_grant(db, c, scheduled):
    open_committee(c)
    committee.decide(scheduled, grant("500.00"), c.users[0])
    assert scheduled.state is ApplicationState.GRANTED_PARTIALLY
    assert c.fund.balance == Decimal("2500.00")


@pytest.mark.parametrize(
    ("amount", "words"),
    [("900.00", "requested"), ("0", "more than 0")],
)
def test_a_bad_amount_records_nothing(db, c, scheduled, amount, words):
    open_committee(c)
    with pytest.raises(DomainError, match=words) as caught:
        committee.decide(scheduled, grant(amount), c.users[0])
    assert caught.value.field == "amount"
    assert scheduled.state is ApplicationState.SCHEDULED
    assert scheduled.agenda_item.deliberation is None


def test_cap_share_and_balance_bound_the_amount(db, c, make_user):
    c.fund.cap_per_project = Decimal("600.00")
    big = make_application(
        c.fund,
        make_user(),
        requested=Decimal("950.00"),
        expenses=(Decimal("1000.00"),),
        meeting=c.meeting,
    )
    shared = make_application(
        c.fund,
        make_user(),
        requested=Decimal("500.00"),
        expenses=(Decimal("500.00"),),
        meeting=c.meeting,
    )
    for application in (big, shared):
        committee.put_on_agenda(application, SYSTEM)
    open_committee(c)
    with pytest.raises(DomainError, match="cap"):
        committee.decide(big, grant("700.00"), c.users[0])
    with pytest.raises(DomainError, match="80"):
        committee.decide(shared, grant("450.00"), c.users[0])
    c.fund.balance = Decimal("300.00")
    with pytest.raises(DomainError, match="left in the fund"):
        committee.decide(shared, grant("350.00"), c.users[0])


def test_a_rejected_motion_or_no_quorum_defers_the_file(db, c, make_user):
    first = make_application(c.fund, make_user(), meeting=c.meeting)
    second = make_application(c.fund, make_user(), meeting=c.meeting)
    for application in (first, second):
        committee.put_on_agenda(application, SYSTEM)
    open_committee(c)
    committee.decide(
        first, grant("800.00", votes_for=1, votes_against=3, abstentions=0), c.users[0]
    )
    assert first.state is ApplicationState.DEFERRED
    assert c.fund.balance == Decimal("3000.00")
    refusal = committee.DecisionData(
        proposal=committee.Proposal.REFUSE,
        decision_text="Le projet relève d'un autre dispositif.",
        votes_for=4,
        votes_against=0,
        abstentions=0,
    )
    committee.decide(second, refusal, c.users[0])
    assert second.state is ApplicationState.REFUSED
    assert "autre dispositif" in second.decision_reason


def test_the_vote_cannot_bypass_the_file_page(db, c, scheduled):
    open_committee(c)
    with pytest.raises(Conflict, match="committee page"):
        record_deliberation(
            scheduled.agenda_item,
            VoteData(motion="Oui", votes_for=3, votes_against=0, abstentions=0),
            SYSTEM,
        )


def test_only_the_secretary_or_staff_record_the_decision(db, c, scheduled):
    open_committee(c)
    with pytest.raises(PermissionDenied):
        committee.decide(scheduled, grant("800.00"), c.users[1])


def test_a_deferred_file_goes_on_the_next_committee(db, c, scheduled):
    from datetime import timedelta

    from participation.council.services import meetings

    later = meetings.create_meeting(
        c.council,
        meetings.MeetingData(
            title="Comité FPH suivant",
            kind=c.meeting.kind,
            starts_at=c.meeting.starts_at + timedelta(days=60),
            ends_at=c.meeting.ends_at + timedelta(days=60),
            place="Centre social",
        ),
        SYSTEM,
    )
    open_committee(c)
    deferral = committee.DecisionData(
        proposal=committee.Proposal.DEFER,
        decision_text="Le groupe doit préciser le lieu.",
        votes_for=4,
        votes_against=0,
        abstentions=0,
    )
    committee.decide(scheduled, deferral, c.users[0])
    assert scheduled.state is ApplicationState.DEFERRED
    item = committee.put_on_agenda(scheduled, SYSTEM)
    assert item.meeting_id == later.id
    assert scheduled.state is ApplicationState.SCHEDULED
