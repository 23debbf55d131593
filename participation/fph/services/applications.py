"""Applications: started and filled in steps (:mod:`.application_steps`), submitted
with a receipt number and a committee date, reviewed by staff (complete, incomplete,
withdrawn) and put on the committee's agenda. Every change of state goes through
the table."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from ...core import outbox
from ...core.actors import SYSTEM, Actor
from ...core.errors import FieldErrors, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.time import PARIS, utcnow
from ...core.workflow import Workflow, apply_transition
from ...council.models import Meeting
from ...council.services import meetings as council_meetings
from ...council.states import AgendaItemKind, DecisionKind, MeetingState
from ...extensions import db
from ..models import Application, ApplicationStateChange
from ..states import (
    GRANTED_STATES,
    TRANSITIONS,
    ApplicationAction,
    ApplicationState,
    BudgetLineKind,
    Channel,
)
from .application_steps import MAX_BUDGET_LINES as MAX_BUDGET_LINES  # forms
from .application_steps import LineData, check_budget, check_editable
from .funds import CommitteeDate, committee_dates, next_committee, staff_only
from .permissions import can_act, can_manage_funds

A = ApplicationAction
S = ApplicationState

WORKFLOW: Workflow[ApplicationState, ApplicationAction] = Workflow(
    name="fph_application",
    transitions=TRANSITIONS,
    history=ApplicationStateChange,
    stamps={
        A.SUBMIT: "submitted_at",
        A.WITHDRAW: "withdrawn_at",
        A.CLOSE: "closed_at",
    },
    permission=can_act,
)


def transition(
    application: Application,
    action: ApplicationAction,
    actor: Actor,
    *,
    comment: str | None = None,
    now: datetime | None = None,
) -> ApplicationState:
    """The one way an application changes state."""
    return apply_transition(
        WORKFLOW, application, action, actor, comment=comment, now=now
    )


# --- Submission ----------------------------------------------------------------


def missing_steps(application: Application) -> list[int]:
    """Steps (1..5) not yet saved, or whose content no longer holds."""
    missing = []
    fund = application.fund
    in_force = fund.reglement_in_force
    if application.reglement_id is None or (
        in_force is not None and application.reglement_id != in_force.id
    ):
        missing.append(1)
    if application.applicant_kind is None:
        missing.append(2)
    if not application.title or application.starts_on is None:
        missing.append(3)
    if application.amount_requested is None or not application.budget_lines:
        missing.append(4)
    if not application.holder_iban:
        missing.append(5)
    return missing


def grants_this_year(application: Application) -> int:
    """Grants the same applicant already has from this fund."""
    query = sa.select(sa.func.count(Application.id)).where(
        Application.fund_id == application.fund_id,
        Application.id != application.id,
        Application.state.in_(GRANTED_STATES),
    )
    if application.siret or application.rna:
        query = query.where(
            sa.or_(
                sa.and_(
                    Application.siret.is_not(None),
                    Application.siret == application.siret,
                ),
                sa.and_(
                    Application.rna.is_not(None), Application.rna == application.rna
                ),
            )
        )
    else:
        query = query.where(_same_informal_group(application))
    return db.session.scalar(query) or 0


def _same_informal_group(application: Application) -> sa.ColumnElement[bool]:
    """Files of the same informal group. Filed online: the same resident's account.
    Filed by a relay or keyed from paper: the same named contact (name, and e-mail or
    phone), since a relay or a desk holds the files of many groups."""
    if application.channel is Channel.ONLINE:
        return sa.and_(
            Application.owner_id == application.owner_id,
            Application.channel == Channel.ONLINE,
        )
    name = application.contact_name.strip().lower()
    reach = [
        column == value
        for column, value in (
            (Application.contact_email, application.contact_email),
            (Application.contact_phone, application.contact_phone),
        )
        if value
    ]
    if not name or not reach:
        return sa.false()
    return sa.and_(
        Application.channel != Channel.ONLINE,
        sa.func.lower(sa.func.trim(Application.contact_name)) == name,
        sa.or_(*reach),
    )


def _assign_committee(application: Application, now: datetime) -> CommitteeDate | None:
    """The next committee whose deadline the file meets; the action comes after."""
    entry = next_committee(application.fund, now)
    starts_on = application.starts_on
    if entry is not None and starts_on is not None and starts_on <= entry.day:
        raise FieldErrors(
            {
                "starts_on": _l(
                    "The committee that can examine this file meets on %(day)s"
                    " (files are due %(n)d days before): your action starts"
                    " before. Change its date in the project step.",
                    day=entry.day.strftime("%d/%m/%Y"),
                    n=application.fund.deadline_days,
                )
            }
        )
    application.meeting_id = entry.meeting.id if entry is not None else None
    return entry


def submit_application(
    application: Application, actor: Actor, *, now: datetime | None = None
) -> CommitteeDate | None:
    """Step 6: submit (or resubmit an incomplete file): receipt number, committee."""
    check_editable(application, actor)
    now = now or utcnow()
    missing = missing_steps(application)
    if missing:
        raise FieldErrors(
            {
                None: _l(
                    "Some steps are not finished: %(steps)s.",
                    steps=", ".join(str(n) for n in missing),
                )
            }
        )
    budget = check_budget(
        application.fund,
        [
            LineData(line.label, line.amount)
            for line in application.budget_lines
            if line.kind is BudgetLineKind.EXPENSE
        ],
        [
            LineData(line.label, line.amount)
            for line in application.budget_lines
            if line.kind is BudgetLineKind.RESOURCE
        ],
        application.amount_requested,
    )
    if budget:
        raise FieldErrors(budget)
    if grants_this_year(application) >= application.fund.max_grants_per_group:
        raise FieldErrors(
            {
                None: _l(
                    "This fund gives at most %(n)d grants a year to the same group or"
                    " association.",
                    n=application.fund.max_grants_per_group,
                )
            }
        )
    entry = _assign_committee(application, now)
    resubmit = application.state is S.INCOMPLETE
    if application.reference is None:
        application.reference = f"FPH-{application.fund.year}-{application.id:05d}"
    transition(application, A.RESUBMIT if resubmit else A.SUBMIT, actor, now=now)
    application.missing_note = None
    application.step = 6
    _notify_receipt(application, entry)
    return entry


def _recipient(application: Application) -> tuple[str | None, str]:
    """Where the applicant's e-mails go, and in which language."""
    owner = application.owner
    address = application.contact_email or owner.email
    return address, owner.locale or "fr"


def _notify_receipt(application: Application, entry: CommitteeDate | None) -> None:
    address, locale = _recipient(application)
    if not address:
        return
    with force_locale(locale):
        when = (
            _(
                "The committee of %(day)s will examine it.",
                day=entry.day.strftime("%d/%m/%Y"),
            )
            if entry is not None
            else _("We will tell you the date of the committee that examines it.")
        )
        outbox.queue_email(
            address,
            _("Your application %(ref)s was received", ref=application.reference),
            _(
                'Hello,\n\nYour application "%(title)s" to the residents\' fund was'
                " received under the number %(ref)s. %(when)s\n",
                title=application.title,
                ref=application.reference,
                when=when,
            ),
        )


# --- Staff review ----------------------------------------------------------------


def mark_complete(
    application: Application, actor: Actor, *, now: datetime | None = None
) -> Application:
    """The file is complete; it goes on its committee's agenda when it can."""
    staff_only(actor)
    transition(application, A.MARK_COMPLETE, actor, now=now)
    meeting = application.meeting
    if meeting is not None and meeting.state in (
        MeetingState.PLANNED,
        MeetingState.CONVENED,
    ):
        schedule(application, meeting, actor, now=now)
    return application


def mark_incomplete(
    application: Application,
    missing: str,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> Application:
    """Back to the applicant with what is missing (told by e-mail)."""
    staff_only(actor)
    text = (missing or "").strip()
    if not text:
        raise FieldErrors({"missing": _l("Say what is missing from the file.")})
    application.missing_note = text[:5000]
    transition(application, A.MARK_INCOMPLETE, actor, now=now)
    address, locale = _recipient(application)
    if address:
        with force_locale(locale):
            outbox.queue_email(
                address,
                _("Your application %(ref)s is incomplete", ref=application.reference),
                _(
                    'Hello,\n\nYour application "%(title)s" (%(ref)s) needs more'
                    " before the committee can examine it:\n\n%(missing)s\n\nComplete"
                    " it online or with a relay, then submit it again.\n",
                    title=application.title,
                    ref=application.reference,
                    missing=text,
                ),
            )
    return application


def schedule(
    application: Application,
    meeting: Meeting,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> Application:
    """Put a complete (or deferred) file on a committee's agenda, as an item."""
    staff_only(actor)
    if application.fund.council_id != meeting.council_id:
        raise FieldErrors(
            {"meeting_id": _l("Choose a committee of the fund's council.")}
        )
    item = council_meetings.add_item(
        meeting,
        council_meetings.ItemData(
            kind=AgendaItemKind.FPH_FILE,
            title=f"{application.reference} — {application.title}"[:200],
            decision_kind=DecisionKind.FPH_GRANT,
        ),
        actor,
    )
    application.meeting_id = meeting.id
    application.agenda_item_id = item.id
    transition(application, A.SCHEDULE, actor, now=now)
    return application


def withdraw(
    application: Application,
    actor: Actor,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> Application:
    """Withdraw the file before the decision (its agenda item goes too)."""
    if not can_act(actor, application, A.WITHDRAW):
        raise PermissionDenied(_l("You may not do this."))
    item = application.agenda_item
    transition(
        application, A.WITHDRAW, actor, comment=(reason or "").strip() or None, now=now
    )
    if item is not None and item.meeting.state in (
        MeetingState.PLANNED,
        MeetingState.CONVENED,
    ):
        application.agenda_item_id = None
        db.session.flush()
        council_meetings.remove_item(item, actor if can_manage_funds(actor) else SYSTEM)
    return application


def coming_committees(application: Application) -> list[CommitteeDate]:
    """The committees staff may put the file on."""
    return committee_dates(application.fund)


def meeting_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(PARIS).date()
