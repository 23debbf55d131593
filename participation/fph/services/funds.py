"""Funds: setting one up, its funders and shares, its règlement versions, and the
committee calendar (which meeting a file submitted today goes to)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ...core import audit
from ...core.actors import Actor, actor_id, is_system
from ...core.errors import FieldErrors, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.texts import TextsByLanguage, clean_texts_by_language
from ...core.time import PARIS, utcnow
from ...council.models import Council, Meeting
from ...council.states import MeetingKind, MeetingState
from ...extensions import db
from ..models import Fund, FundFunder, Reglement
from ..rules import deadline_of
from ..states import FunderKind
from .permissions import can_manage_funds


def staff_only(actor: Actor) -> None:
    """Staff (or the system: jobs, the demo) only."""
    if not is_system(actor) and not can_manage_funds(actor):
        raise PermissionDenied(_l("Only staff can manage the residents' funds."))


@dataclass(frozen=True)
class FundData:
    name: str
    year: int
    territory_id: int
    envelope: Decimal | None
    managing_body: str = ""
    council_id: int | None = None
    cap_per_project: Decimal | None = Decimal("1000.00")
    max_share_percent: int | None = 80
    max_grants_per_group: int | None = 2
    min_group_adults: int | None = 3
    deadline_days: int | None = 30
    help_text: str = ""
    contact: str = ""
    is_open: bool = True
    #: The help text in other languages: ``{"ar": {"help_text": ...}}``.
    texts_by_language: TextsByLanguage | None = None


def _check_fund(data: FundData, fund: Fund | None) -> None:
    errors: dict[str, Any] = {}
    if not data.name.strip():
        errors["name"] = _l("Give the fund a name, for example FPH Les Prés 2026.")
    elif len(data.name.strip()) > 160:
        errors["name"] = _l("At most %(n)d characters.", n=160)
    if not 2000 <= data.year <= 2100:
        errors["year"] = _l("Give a year between 2000 and 2100.")
    if data.envelope is None or data.envelope < 0:
        errors["envelope"] = _l("Give the envelope in euros (zero or more).")
    elif fund is not None and data.envelope < fund.granted_total:
        errors["envelope"] = _l(
            "The fund has already granted %(amount)s €: the envelope cannot be less.",
            amount=fund.granted_total,
        )
    if data.cap_per_project is None or data.cap_per_project <= 0:
        errors["cap_per_project"] = _l("Give the cap per project in euros.")
    if data.max_share_percent is None or not 1 <= data.max_share_percent <= 100:
        errors["max_share_percent"] = _l("Give a percentage between 1 and 100.")
    if data.max_grants_per_group is None or data.max_grants_per_group < 1:
        errors["max_grants_per_group"] = _l("Give a number of at least 1.")
    if data.min_group_adults is None or data.min_group_adults < 1:
        errors["min_group_adults"] = _l("Give a number of at least 1.")
    if data.deadline_days is None or not 0 <= data.deadline_days <= 365:
        errors["deadline_days"] = _l("Give a number of days between 0 and 365.")
    if data.council_id is not None and db.session.get(Council, data.council_id) is None:
        errors["council_id"] = _l("Choose a council in the list.")
    if "year" not in errors:
        clash = db.session.scalar(
            sa.select(Fund.id).where(
                Fund.territory_id == data.territory_id, Fund.year == data.year
            )
        )
        if clash is not None and (fund is None or clash != fund.id):
            errors["year"] = _l("This neighbourhood already has a fund for that year.")
    clean_texts_by_language(
        data.texts_by_language, {"help_text": data.help_text}, errors
    )
    if errors:
        raise FieldErrors(errors)


def _apply(fund: Fund, data: FundData) -> None:
    fund.name = data.name.strip()
    fund.year = data.year
    fund.territory_id = data.territory_id
    fund.managing_body = data.managing_body.strip()[:200]
    fund.council_id = data.council_id
    fund.cap_per_project = data.cap_per_project or Decimal("1000.00")
    fund.max_share_percent = data.max_share_percent or 80
    fund.max_grants_per_group = data.max_grants_per_group or 1
    fund.min_group_adults = data.min_group_adults or 3
    fund.deadline_days = data.deadline_days if data.deadline_days is not None else 30
    fund.help_text = data.help_text.strip()[:5000]
    fund.texts_by_language = clean_texts_by_language(
        data.texts_by_language, {"help_text": fund.help_text}
    )
    fund.contact = data.contact.strip()[:200]
    fund.is_open = data.is_open


def create_fund(data: FundData, actor: Actor) -> Fund:
    """A new fund; its balance starts at the envelope."""
    staff_only(actor)
    _check_fund(data, None)
    assert data.envelope is not None
    fund = Fund(envelope=data.envelope, balance=data.envelope)
    fund.created_by_id = actor_id(actor)
    _apply(fund, data)
    db.session.add(fund)
    db.session.flush()
    audit.record("fph_fund.create", actor=actor, obj=fund, envelope=fund.envelope)
    return fund


def update_fund(fund: Fund, data: FundData, actor: Actor) -> Fund:
    """Change a fund's settings; a new envelope moves the balance by the difference."""
    staff_only(actor)
    _check_fund(data, fund)
    assert data.envelope is not None
    fund.balance = fund.balance + (data.envelope - fund.envelope)
    fund.envelope = data.envelope
    _apply(fund, data)
    db.session.flush()
    audit.record("fph_fund.update", actor=actor, obj=fund, envelope=fund.envelope)
    return fund


@dataclass(frozen=True)
class FunderData:
    name: str
    kind: FunderKind
    share_percent: Decimal | None


def set_funders(fund: Fund, funders: list[FunderData], actor: Actor) -> Fund:
    """Replace the fund's funders; shares are positive and add up to at most 100 %."""
    staff_only(actor)
    errors: dict[str, Any] = {}
    names: set[str] = set()
    for index, funder in enumerate(funders):
        if not funder.name.strip() and funder.share_percent is None:
            continue
        if not funder.name.strip():
            errors[f"funder_name_{index}"] = _l("Give the funder's name.")
        elif funder.name.strip().lower() in names:
            errors[f"funder_name_{index}"] = _l("This funder is already listed.")
        names.add(funder.name.strip().lower())
        if funder.share_percent is None or not 0 < funder.share_percent <= 100:
            errors[f"funder_share_{index}"] = _l("Give a share between 0 and 100 %.")
    kept = [f for f in funders if f.name.strip() or f.share_percent is not None]
    total = sum((f.share_percent or Decimal(0) for f in kept), Decimal(0))
    if not errors and total > 100:
        errors["funders"] = _l(
            "The shares add up to %(total)s %%: at most 100 %%.", total=total
        )
    if errors:
        raise FieldErrors(errors)
    fund.funders.clear()
    db.session.flush()
    for funder in kept:
        assert funder.share_percent is not None
        fund.funders.append(
            FundFunder(
                name=funder.name.strip()[:160],
                kind=funder.kind,
                share_percent=funder.share_percent,
            )
        )
    db.session.flush()
    audit.record(
        "fph_fund.funders",
        actor=actor,
        obj=fund,
        funders=[(f.name, f.kind.value, str(f.share_percent)) for f in fund.funders],
    )
    return fund


def adopt_reglement(
    fund: Fund,
    text: str,
    adopted_by: str,
    adopted_on: date | None,
    actor: Actor,
    *,
    texts_by_language: TextsByLanguage | None = None,
    now: datetime | None = None,
) -> Reglement:
    """A new version of the règlement, in force from now (the former one is not).

    *texts_by_language* gives it in other languages for reading (``{"ar":
    {"text": ...}}``); the French text is the one adopted.
    """
    staff_only(actor)
    errors: dict[str, Any] = {}
    if not text.strip():
        errors["text"] = _l("Give the text of the règlement.")
    translations = clean_texts_by_language(texts_by_language, {"text": text}, errors)
    if not adopted_by.strip():
        errors["adopted_by"] = _l(
            "Give the decision that adopted it, for example a council deliberation."
        )
    if adopted_on is None:
        errors["adopted_on"] = _l("Give the date of that decision.")
    if errors:
        raise FieldErrors(errors)
    assert adopted_on is not None
    now = now or utcnow()
    for former in fund.reglements:
        if former.is_in_force:
            former.is_in_force = False
    db.session.flush()
    version = max((r.version for r in fund.reglements), default=0) + 1
    reglement = Reglement(
        fund_id=fund.id,
        version=version,
        text=text.strip()[:50_000],
        texts_by_language=translations,
        adopted_by=adopted_by.strip()[:300],
        adopted_on=adopted_on,
        is_in_force=True,
        in_force_at=now,
        created_by_id=actor_id(actor),
    )
    db.session.add(reglement)
    db.session.flush()
    db.session.refresh(fund, ["reglements"])
    audit.record(
        "fph_reglement.adopt", actor=actor, obj=reglement, fund_id=fund.id, v=version
    )
    return reglement


@dataclass(frozen=True)
class CommitteeDate:
    """A coming committee meeting and the last day to submit a file for it."""

    meeting: Meeting
    deadline: date

    @property
    def day(self) -> date:
        return self.meeting.starts_at.astimezone(PARIS).date()


def committee_dates(fund: Fund, now: datetime | None = None) -> list[CommitteeDate]:
    """The fund's council's coming FPH committee meetings, with their deadlines."""
    if fund.council_id is None:
        return []
    now = now or utcnow()
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.council_id == fund.council_id,
            Meeting.kind == MeetingKind.FPH_COMMITTEE,
            Meeting.state.in_([MeetingState.PLANNED, MeetingState.CONVENED]),
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at)
    )
    return [
        CommitteeDate(
            m, deadline_of(m.starts_at.astimezone(PARIS).date(), fund.deadline_days)
        )
        for m in meetings
    ]


def next_committee(fund: Fund, now: datetime | None = None) -> CommitteeDate | None:
    """The first coming committee whose deadline a file submitted *now* meets."""
    today = (now or utcnow()).astimezone(PARIS).date()
    for entry in committee_dates(fund, now):
        if today <= entry.deadline:
            return entry
    return None
