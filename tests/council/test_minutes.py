"""Minutes: prefilled draft, revisions with diffs, approval by a later vote,
publication, lock, errata, and the PDF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, DomainError, PermissionDenied
from participation.core.models import AuditEntry, OutboxMessage
from participation.core.time import utcnow
from participation.council import pdf
from participation.council.models import Minutes, MinutesStateChange
from participation.council.services import deliberations, meetings, minutes
from participation.council.states import (
    MINUTES_TRANSITIONS,
    AgendaItemKind,
    MinutesAction,
    MinutesState,
    NameDisplay,
)

from .conftest import voting_item


@pytest.fixture
def held(council, members, make_meeting, open_meeting):
    """A meeting held with a quorum, a decision adopted, then closed."""
    a, b, c, d, *_ = members
    meeting = open_meeting(
        make_meeting(council, title="Plénière de mars"), [a, b, c], proxies={d.id: a.id}
    )
    deliberations.record_deliberation(
        voting_item(meeting),
        deliberations.VoteData(
            motion="Soutenir la fête de quartier.",
            votes_for=3,
            votes_against=1,
            abstentions=0,
        ),
        SYSTEM,
    )
    meetings.close_meeting(meeting, SYSTEM)
    return meeting


def approve_at_next_meeting(council, members, make_meeting, open_meeting, target):
    later = make_meeting(
        council, starts_at=target.meeting.starts_at + timedelta(days=30), items=()
    )
    item = meetings.add_item(
        later,
        meetings.ItemData(
            kind=AgendaItemKind.MINUTES_APPROVAL, title="PV", minutes_id=target.id
        ),
        SYSTEM,
    )
    open_meeting(later, members)
    return later, deliberations.record_deliberation(
        item,
        deliberations.VoteData(
            motion="Approuver le PV.", votes_for=6, votes_against=0, abstentions=0
        ),
        SYSTEM,
    )


def test_the_draft_is_prefilled_from_agenda_attendance_and_votes(held, members):
    record = minutes.start_minutes(held, SYSTEM)

    body = record.body
    assert record.state is MinutesState.DRAFT
    assert "Plénière de mars" in body
    assert "Present (3)" in body
    assert f"(proxy to {members[0].user.pseudonym})" in body
    assert (
        "Quorum at the opening: 4 members present or represented for 3 required" in body
    )
    assert "Motion: Soutenir la fête de quartier." in body
    assert "Decision: Adopted" in body
    assert record.revisions[0].number == 1
    with pytest.raises(Conflict):
        minutes.start_minutes(held, SYSTEM)


def test_every_edit_is_a_revision_with_author_and_diff(db, held, members):
    record = minutes.start_minutes(held, SYSTEM)
    secretary = members[0].user

    revision = minutes.edit_minutes(
        record,
        record.body.replace("Discussion: …", "Discussion: accord unanime."),
        SYSTEM,
        comment="Débats",
    )
    unchanged = minutes.edit_minutes(record, record.body, SYSTEM)

    assert revision is not None
    assert revision.number == 2
    assert "-Discussion: …" in revision.diff
    assert "+Discussion: accord unanime." in revision.diff
    assert unchanged is None
    assert record.revision_number == 2
    with pytest.raises(PermissionDenied):
        minutes.edit_minutes(record, "autre", secretary)


def test_minutes_are_approved_by_a_vote_of_a_later_meeting_then_published_and_locked(
    db, council, members, held, make_meeting, open_meeting
):
    record = minutes.start_minutes(held, SYSTEM)
    minutes.transition(record, MinutesAction.PROPOSE, SYSTEM)
    notified = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.subject.like("Minutes to review%"))
    ).all()
    assert len(notified) == len(members)
    with pytest.raises(Conflict, match="vote"):
        minutes.transition(record, MinutesAction.APPROVE, SYSTEM)

    later, approval = approve_at_next_meeting(
        council, members, make_meeting, open_meeting, record
    )

    assert approval.decision_kind.value == "minutes_approval"
    assert record.state is MinutesState.APPROVED
    assert record.approved_at_meeting_id == later.id
    with pytest.raises(DomainError, match="no longer change"):
        minutes.edit_minutes(record, "Nouveau texte", SYSTEM)
    minutes.transition(record, MinutesAction.PUBLISH, SYSTEM)
    minutes.transition(record, MinutesAction.LOCK, SYSTEM)
    assert record.state is MinutesState.LOCKED
    assert record.is_public
    history = db.session.scalars(
        sa.select(MinutesStateChange.action).where(
            MinutesStateChange.minutes_id == record.id
        )
    ).all()
    assert history == [
        MinutesAction.PROPOSE,
        MinutesAction.APPROVE,
        MinutesAction.PUBLISH,
        MinutesAction.LOCK,
    ]
    audited = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.action.like("council_minutes.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert audited == [f"council_minutes.{a.value}" for a in history]


def test_locked_minutes_take_errata_never_edits(
    db, council, members, held, make_meeting, open_meeting
):
    record = minutes.start_minutes(held, SYSTEM)
    with pytest.raises(Conflict, match="locked minutes"):
        minutes.add_erratum(record, "Trop tôt", SYSTEM)
    minutes.transition(record, MinutesAction.PROPOSE, SYSTEM)
    approve_at_next_meeting(council, members, make_meeting, open_meeting, record)
    minutes.transition(record, MinutesAction.PUBLISH, SYSTEM)
    minutes.transition(record, MinutesAction.LOCK, SYSTEM)
    body = record.body

    with pytest.raises(DomainError, match="locked: add an erratum") as raised:
        minutes.edit_minutes(record, body + "ajout", SYSTEM)
    assert raised.value.field == "body"
    erratum = minutes.add_erratum(record, "Lire 4 voix pour au point 2.", SYSTEM)

    assert erratum.number == 1
    assert record.body == body
    assert [e.text for e in record.errata] == ["Lire 4 voix pour au point 2."]


def test_a_rejected_approval_leaves_the_minutes_proposed(
    council, members, held, make_meeting, open_meeting
):
    record = minutes.start_minutes(held, SYSTEM)
    minutes.transition(record, MinutesAction.PROPOSE, SYSTEM)
    later = make_meeting(
        council, starts_at=held.starts_at + timedelta(days=30), items=()
    )
    item = meetings.add_item(
        later,
        meetings.ItemData(
            kind=AgendaItemKind.MINUTES_APPROVAL, title="PV", minutes_id=record.id
        ),
        SYSTEM,
    )
    open_meeting(later, members)

    deliberations.record_deliberation(
        item,
        deliberations.VoteData(
            motion="Approuver.", votes_for=1, votes_against=5, abstentions=0
        ),
        SYSTEM,
    )

    assert record.state is MinutesState.PROPOSED


def test_minutes_are_proposed_only_once_the_session_is_closed(
    council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members)
    record = minutes.start_minutes(meeting, SYSTEM)

    with pytest.raises(Conflict, match="Close the session"):
        minutes.transition(record, MinutesAction.PROPOSE, SYSTEM)


@pytest.mark.parametrize("state", list(MinutesState), ids=lambda s: s.value)
def test_every_minutes_action_from_each_state(state):
    for action in MinutesAction:
        expected = MINUTES_TRANSITIONS.get((state, action))
        if expected is None:
            with pytest.raises(Conflict):
                minutes.WORKFLOW.next_state(state, action)
        else:
            assert minutes.WORKFLOW.next_state(state, action) is expected


def test_the_transition_table_reaches_every_state_from_draft():
    reached = {MinutesState.DRAFT}
    for _ in MinutesState:
        reached |= {
            to for (frm, _a), to in MINUTES_TRANSITIONS.items() if frm in reached
        }
    assert reached == set(MinutesState)


def test_the_pdf_holds_the_attendance_and_the_decisions(held, members):
    held.council.name_display = NameDisplay.INITIALS
    record = minutes.start_minutes(held, SYSTEM)

    reader = PdfReader(io.BytesIO(pdf.minutes_document(record, public=True)))
    text = "\n".join(page.extract_text() for page in reader.pages)

    assert "Attendance" in text
    assert "Present" in text
    assert "Represented (proxy)" in text
    assert "Absent" in text
    initials = " ".join(f"{w[0]}." for w in members[0].user.real_name.split())
    assert initials in text
    assert members[0].user.pseudonym not in text
    assert "Soutenir la fête de quartier." in text
    assert "3 / 1 / 0" in text
    assert "Adopted" in text


def test_only_one_set_of_minutes_per_meeting_in_the_database(db, held):
    db.session.add(Minutes(meeting_id=held.id, body="a"))
    db.session.add(Minutes(meeting_id=held.id, body="b"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_minutes_cannot_start_before_the_session_opens(
    council, members, make_meeting, convene
):
    meeting = convene(make_meeting(council, starts_at=utcnow() + timedelta(days=9)))

    with pytest.raises(Conflict):
        minutes.start_minutes(meeting, SYSTEM)
