"""The steps of an application: started, then filled in step by step (each saved
and checked: the règlement, the applicant, the project, the budget, the holder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ...accounts.models import User
from ...core import audit
from ...core.actors import Actor
from ...core.errors import Conflict, FieldErrors, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...extensions import db
from ...territories.models import Theme
from .. import rules
from ..models import Application, ApplicationMember, BudgetLine, Fund
from ..states import ApplicantKind, ApplicationState, BudgetLineKind, Channel
from .funds import staff_only
from .permissions import can_apply, can_edit_application, can_file_on_behalf

S = ApplicationState

#: The steps of the form, in order (the review comes last).
STEPS = ("reglement", "applicant", "project", "budget", "holder", "review")
MAX_BUDGET_LINES = 8
MAX_MEMBERS = 30


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


def check_editable(application: Application, actor: Actor) -> None:
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
    check_editable(application, actor)
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
    check_editable(application, actor)
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
    check_editable(application, actor)
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
    check_editable(application, actor)
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
    check_editable(application, actor)
    errors = check_holder(data)
    if errors:
        raise FieldErrors(errors)
    application.holder_name = data.name.strip()[:200]
    application.holder_iban = rules.compact(data.iban)
    application.holder_bic = rules.compact(data.bic) or None
    application.holder_address = data.address.strip()[:300] or None
    _done(application, 5, actor, "holder")
    return application
