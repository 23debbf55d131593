"""Applications: started, filled in steps (each saved), submitted with a receipt
number and a committee date, reviewed by staff (complete, incomplete, withdrawn)
and put on the committee's agenda. Every change of state goes through the table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...core import audit, outbox
from ...core.actors import SYSTEM, Actor
from ...core.errors import Conflict, FieldErrors, PermissionDenied
from ...core.time import PARIS, utcnow
from ...core.workflow import Workflow, apply_transition
from ...council.models import Meeting
from ...council.services import meetings as council_meetings
from ...council.states import AgendaItemKind, DecisionKind, MeetingState
from ...extensions import db
from ...territories.models import Theme
from .. import rules
from ..models import (
    Application,
    ApplicationMember,
    ApplicationStateChange,
    BudgetLine,
    Fund,
)
from ..states import (
    GRANTED_STATES,
    TRANSITIONS,
    ApplicantKind,
    ApplicationAction,
    ApplicationState,
    BudgetLineKind,
    Channel,
)
from .funds import CommitteeDate, committee_dates, next_committee, staff_only
from .permissions import (
    can_act,
    can_apply,
    can_edit_application,
    can_file_on_behalf,
    can_manage_funds,
)

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

#: The steps of the form, in order (the review comes last).
STEPS = ("reglement", "applicant", "project", "budget", "holder", "review")
MAX_BUDGET_LINES = 8
MAX_MEMBERS = 30


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


# --- Starting and the steps --------------------------------------------------


def start_application(
    fund: Fund,
    actor: User,
    *,
    for_group: bool = False,
    consent_note: str | None = None,
    paper: bool = False,
    now: datetime | None = None,
) -> Application:
    """A new draft, held by *actor*.

    *for_group*: a relay files for a group without e-mail or computer, with its
    consent (*consent_note*); *paper*: staff key in a paper form.
    """
    if not can_apply(actor):
        raise PermissionDenied(_l("Sign in to apply."))
    if not fund.is_open:
        raise Conflict(_l("This fund does not take applications at the moment."))
    channel = Channel.ONLINE
    note: str | None = None
    if paper:
        staff_only(actor)
        channel = Channel.PAPER
    elif for_group:
        if not can_file_on_behalf(actor):
            raise PermissionDenied(_l("Only relays can file for a group."))
        note = (consent_note or "").strip()[:300]
        if not note:
            raise FieldErrors({"consent_note": _l("Record how the group agreed.")})
        channel = Channel.RELAY
    application = Application(
        fund_id=fund.id,
        owner_id=actor.id,
        filed_by_id=actor.id if channel is not Channel.ONLINE else None,
        consent_note=note,
        channel=channel,
        state_changed_at=now or utcnow(),
    )
    db.session.add(application)
    db.session.flush()
    audit.record(
        "fph_application.create",
        actor=actor,
        obj=application,
        fund_id=fund.id,
        channel=channel.value,
    )
    return application


def _editable(application: Application, actor: Actor) -> None:
    if not can_edit_application(actor, application):
        if application.state in (S.DRAFT, S.INCOMPLETE):
            raise PermissionDenied(_l("You may not do this."))
        raise Conflict(_l("This application was submitted: it can no longer change."))


def _done(application: Application, step: int, actor: Actor, name: str) -> None:
    application.step = max(application.step, step)
    db.session.flush()
    audit.record(f"fph_application.save_{name}", actor=actor, obj=application)


def accept_reglement(
    application: Application,
    accepted: bool,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> Application:
    """Step 1: the applicant accepts the règlement in force (its version kept)."""
    _editable(application, actor)
    reglement = application.fund.reglement_in_force
    if reglement is None:
        raise Conflict(_l("This fund has no règlement in force yet."))
    if not accepted:
        raise FieldErrors(
            {"accept": _l("Tick the box to accept the règlement of the fund.")}
        )
    application.reglement_id = reglement.id
    application.reglement_accepted_at = now or utcnow()
    _done(application, 1, actor, "reglement")
    return application


@dataclass(frozen=True)
class ApplicantData:
    kind: ApplicantKind | None
    name: str = ""
    rna: str = ""
    siret: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    members_count: int | None = None
    #: Names of the adult members of an informal group, one each.
    adult_names: list[str] = field(default_factory=list)


def check_applicant(fund: Fund, data: ApplicantData) -> dict[str, Any]:
    """Messages by field for the applicant step; empty when it holds."""
    errors: dict[str, Any] = {}
    if data.kind is None:
        errors["kind"] = _l("Say whether you apply as a group or an association.")
        return errors
    if not data.contact_name.strip():
        errors["contact_name"] = _l("Give the name of the contact person.")
    email = data.contact_email.strip()
    if email and ("@" not in email or len(email) > 254 or " " in email):
        errors["contact_email"] = _l("Type an e-mail address like name@example.fr.")
    if not email and not data.contact_phone.strip():
        errors["contact_phone"] = _l(
            "Give a phone number or an e-mail address to reach the contact person."
        )
    if data.kind is ApplicantKind.ASSOCIATION:
        if not data.name.strip():
            errors["name"] = _l("Give the name of the association.")
        rna, siret = rules.compact(data.rna), rules.compact(data.siret)
        if not rna and not siret:
            errors["rna"] = _l("Give the association's RNA number or its SIRET.")
        if rna and not rules.rna_ok(rna):
            errors["rna"] = _l(
                "An RNA number is W followed by nine digits, like W302001234."
            )
        if siret and not rules.siret_ok(siret):
            errors["siret"] = _l(
                "This SIRET is not valid: 14 digits, check that none is mistyped."
            )
    else:
        names = [n.strip() for n in data.adult_names if n.strip()]
        if len(names) < fund.min_group_adults:
            errors["adult_names"] = _l(
                "An informal group has at least %(n)d adult residents: give their"
                " names, one per line.",
                n=fund.min_group_adults,
            )
        elif len(names) > MAX_MEMBERS:
            errors["adult_names"] = _l("At most %(n)d names.", n=MAX_MEMBERS)
        if data.members_count is None or data.members_count < len(names):
            errors["members_count"] = _l(
                "Count every member, children included: at least the %(n)d adults.",
                n=max(len(names), fund.min_group_adults),
            )
    return errors


def save_applicant(
    application: Application, data: ApplicantData, actor: Actor
) -> Application:
    """Step 2: who applies (an informal group of adults, or an association)."""
    _editable(application, actor)
    errors = check_applicant(application.fund, data)
    if errors:
        raise FieldErrors(errors)
    assert data.kind is not None
    # Loaded first: its lazy load would flush a half-changed row.
    application.members.clear()
    application.applicant_kind = data.kind
    application.applicant_name = data.name.strip()[:200]
    application.contact_name = data.contact_name.strip()[:120]
    application.contact_email = data.contact_email.strip().lower()[:254] or None
    application.contact_phone = data.contact_phone.strip()[:20] or None
    if data.kind is ApplicantKind.ASSOCIATION:
        application.rna = rules.compact(data.rna) or None
        application.siret = rules.compact(data.siret) or None
        application.members_count = None
        application.adults_count = None
    else:
        names = [n.strip()[:120] for n in data.adult_names if n.strip()]
        application.rna = application.siret = None
        application.members_count = data.members_count
        application.adults_count = len(names)
        application.members.extend(ApplicationMember(name=n) for n in names)
    _done(application, 2, actor, "applicant")
    return application


@dataclass(frozen=True)
class ProjectData:
    title: str = ""
    description: str = ""
    audience: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    place: str = ""
    expected_participants: int | None = None
    theme_ids: list[int] = field(default_factory=list)


def check_project(data: ProjectData) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _l("Give the project a title.")
    elif len(data.title.strip()) > 150:
        errors["title"] = _l("At most %(n)d characters.", n=150)
    if not data.description.strip():
        errors["description"] = _l("Say what you want to do.")
    if not data.audience.strip():
        errors["audience"] = _l("Say for whom: the residents the project is for.")
    if data.starts_on is None:
        errors["starts_on"] = _l("Give the date of the action.")
    if data.ends_on and data.starts_on and data.ends_on < data.starts_on:
        errors["ends_on"] = _l("The end cannot come before the start.")
    if not data.place.strip():
        errors["place"] = _l("Say where it takes place.")
    if data.expected_participants is None or data.expected_participants < 1:
        errors["expected_participants"] = _l("Give the number of people expected.")
    return errors


def save_project(
    application: Application, data: ProjectData, actor: Actor
) -> Application:
    """Step 3: what, for whom, when, where, how many people, which themes."""
    _editable(application, actor)
    errors = check_project(data)
    if errors:
        raise FieldErrors(errors)
    application.title = data.title.strip()
    application.description = data.description.strip()[:10_000]
    application.audience = data.audience.strip()[:5000]
    application.starts_on = data.starts_on
    application.ends_on = data.ends_on
    application.place = data.place.strip()[:200]
    application.expected_participants = data.expected_participants
    themes = (
        list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(data.theme_ids))))
        if data.theme_ids
        else []
    )
    application.themes = themes
    _done(application, 3, actor, "project")
    return application


@dataclass(frozen=True)
class LineData:
    label: str
    amount: Decimal | None


def check_budget(
    fund: Fund,
    expenses: list[LineData],
    resources: list[LineData],
    requested: Decimal | None,
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if len(expenses) > MAX_BUDGET_LINES or len(resources) > MAX_BUDGET_LINES:
        errors["expenses"] = _l("At most %(n)d lines.", n=MAX_BUDGET_LINES)
        return errors
    for kind, lines in (("expense", expenses), ("resource", resources)):
        for index, line in enumerate(lines):
            if line.label.strip() and line.amount is None:
                errors[f"{kind}_amount_{index}"] = _l("Give the amount of this line.")
            elif line.amount is not None and not line.label.strip():
                errors[f"{kind}_label_{index}"] = _l("Say what this amount is for.")
            elif line.amount is not None and line.amount <= 0:
                errors[f"{kind}_amount_{index}"] = _l("An amount above zero.")
    if errors:
        return errors
    return rules.budget_problems(
        [line.amount for line in expenses if line.amount is not None],
        [line.amount for line in resources if line.amount is not None],
        requested,
        cap=fund.cap_per_project,
        max_share_percent=fund.max_share_percent,
    )


def save_budget(
    application: Application,
    expenses: list[LineData],
    resources: list[LineData],
    requested: Decimal | None,
    actor: Actor,
) -> Application:
    """Step 4: the forecast budget balances and the request stays within the caps."""
    _editable(application, actor)
    errors = check_budget(application.fund, expenses, resources, requested)
    if errors:
        raise FieldErrors(errors)
    expenses = [line for line in expenses if line.amount is not None]
    resources = [line for line in resources if line.amount is not None]
    application.budget_lines.clear()
    db.session.flush()
    for kind, lines in (
        (BudgetLineKind.EXPENSE, expenses),
        (BudgetLineKind.RESOURCE, resources),
    ):
        for position, line in enumerate(lines, start=1):
            assert line.amount is not None
            application.budget_lines.append(
                BudgetLine(
                    kind=kind,
                    position=position,
                    label=line.label.strip()[:200],
                    amount=line.amount,
                )
            )
    application.amount_requested = requested
    _done(application, 4, actor, "budget")
    return application


@dataclass(frozen=True)
class HolderData:
    name: str = ""
    iban: str = ""
    bic: str = ""
    address: str = ""


def check_holder(data: HolderData) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if not data.name.strip():
        errors["holder_name"] = _l(
            "Give the name of the account holder: the association, or the member of"
            " the group who receives the money."
        )
    iban = rules.compact(data.iban)
    if not rules.iban_ok(iban):
        errors["holder_iban"] = _l(
            "This IBAN is not valid: check it on your bank details (RIB)."
        )
    bic = rules.compact(data.bic)
    if bic and not rules.bic_ok(bic):
        errors["holder_bic"] = _l("A BIC has 8 or 11 letters and digits.")
    return errors


def save_holder(
    application: Application, data: HolderData, actor: Actor
) -> Application:
    """Step 5: who receives the money (private: never shown in public)."""
    _editable(application, actor)
    errors = check_holder(data)
    if errors:
        raise FieldErrors(errors)
    application.holder_name = data.name.strip()[:200]
    application.holder_iban = rules.compact(data.iban)
    application.holder_bic = rules.compact(data.bic) or None
    application.holder_address = data.address.strip()[:300] or None
    _done(application, 5, actor, "holder")
    return application


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
        query = query.where(Application.owner_id == application.owner_id)
    return db.session.scalar(query) or 0


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
    _editable(application, actor)
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
