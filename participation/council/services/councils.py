"""Councils and their rules, members, substitutes, facilitators and compositions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...accounts.states import Sex
from ...core.actors import Actor, actor_id
from ...core.errors import DomainError, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.texts import TextsByLanguage, clean_texts_by_language
from ...core.time import today_paris
from ...extensions import db
from ...territories.models import Territory, TerritoryKind
from ..models import (
    Council,
    CouncilComposition,
    CouncilMember,
    CouncilRules,
)
from ..permissions import can_manage_councils
from ..states import (
    College,
    CouncilScope,
    MajorityRule,
    NameDisplay,
    QuorumKind,
)
from .common import clean_text, collect, record, require

MAX_SEATS = 100
#: Parity holds when women and men differ by at most this many.
PARITY_TOLERANCE = 1


def staff_only(actor: Actor) -> None:
    require(
        can_manage_councils(actor),
        _l("Only the politique de la ville staff manage the councils."),
    )


# --- Councils ---------------------------------------------------------------


@dataclass(frozen=True)
class CouncilData:
    name: str
    scope: CouncilScope = CouncilScope.QPV
    territory_id: int | None = None
    description: str = ""
    #: The presentation in other languages: ``{"ar": {"description": ...}}``.
    texts_by_language: TextsByLanguage | None = None
    resident_seats: int = 10
    local_actor_seats: int = 6
    is_draw_required: bool = True
    is_parity_required: bool = True
    min_residents_share: int = 50
    is_recognition_required: bool = True
    name_display: NameDisplay = NameDisplay.PSEUDONYM


def _check_council(data: CouncilData, council: Council | None) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    values["name"] = collect(
        errors, "name", lambda: clean_text(data.name, "name", max_length=160)
    )
    values["description"] = collect(
        errors,
        "description",
        lambda: clean_text(
            data.description, "description", max_length=5000, required=False
        ),
    )
    values["texts_by_language"] = clean_texts_by_language(
        data.texts_by_language, {"description": data.description}, errors
    )
    if data.scope is CouncilScope.QPV:
        territory = (
            db.session.get(Territory, data.territory_id) if data.territory_id else None
        )
        if territory is None or territory.kind is not TerritoryKind.QPV:
            errors["territory_id"] = _l("Choose the priority neighbourhood (QPV).")
        else:
            other = db.session.scalar(
                sa.select(Council.id).where(Council.territory_id == territory.id)
            )
            if other is not None and (council is None or other != council.id):
                errors["territory_id"] = _l("This neighbourhood already has a council.")
    else:
        other = db.session.scalar(
            sa.select(Council.id).where(Council.scope == CouncilScope.AGGLOMERATION)
        )
        if other is not None and (council is None or other != council.id):
            errors["scope"] = _l("The agglomeration already has its council.")
    for name in ("resident_seats", "local_actor_seats"):
        if not 0 <= getattr(data, name) <= MAX_SEATS:
            errors[name] = _l("Between 0 and %(n)d seats.", n=MAX_SEATS)
    if not 0 <= data.min_residents_share <= 100:
        errors["min_residents_share"] = _l("A share between 0 and 100 %.")
    if errors:
        raise FieldErrors(errors)
    return values


def _apply_council(council: Council, data: CouncilData, values: dict[str, Any]) -> None:
    council.name = values["name"]
    council.description = values["description"]
    council.texts_by_language = values["texts_by_language"]
    council.scope = data.scope
    council.territory_id = data.territory_id if data.scope is CouncilScope.QPV else None
    council.resident_seats = data.resident_seats
    council.local_actor_seats = data.local_actor_seats
    council.is_draw_required = data.is_draw_required
    council.is_parity_required = data.is_parity_required
    council.min_residents_share = data.min_residents_share
    council.is_recognition_required = data.is_recognition_required
    council.name_display = data.name_display


def create_council(data: CouncilData, actor: Actor) -> Council:
    """A council with the default rules (version 1), to be adapted to its règlement."""
    staff_only(actor)
    values = _check_council(data, None)
    council = Council(created_by_id=actor_id(actor))
    _apply_council(council, data, values)
    council.rules_versions = [CouncilRules(version=1, created_by_id=actor_id(actor))]
    db.session.add(council)
    db.session.flush()
    record("council_created", actor, council, scope=council.scope.value)
    return council


def update_council(council: Council, data: CouncilData, actor: Actor) -> Council:
    staff_only(actor)
    values = _check_council(data, council)
    _apply_council(council, data, values)
    db.session.flush()
    record(
        "council_updated",
        actor,
        council,
        policy=policy_of(council),
        name_display=council.name_display.value,
    )
    return council


def policy_of(council: Council) -> dict[str, Any]:
    """The local policies in force (what compositions and draws record)."""
    return {
        "is_draw_required": council.is_draw_required,
        "is_parity_required": council.is_parity_required,
        "min_residents_share": council.min_residents_share,
        "is_recognition_required": council.is_recognition_required,
    }


# --- Rules (règlement intérieur) -------------------------------------------


@dataclass(frozen=True)
class RulesData:
    text: str = ""
    adopted_on: date | None = None
    quorum_kind: QuorumKind = QuorumKind.FRACTION
    quorum_number: int | None = None
    quorum_numerator: int = 1
    quorum_denominator: int = 2
    quorum_counts_proxies: bool = True
    are_proxies_allowed: bool = True
    max_proxies_per_holder: int = 1
    abstentions_count: bool = False
    majority_ordinary: MajorityRule = MajorityRule.SIMPLE
    majority_minutes_approval: MajorityRule = MajorityRule.SIMPLE
    majority_fph_grant: MajorityRule = MajorityRule.SIMPLE
    majority_rules_change: MajorityRule = MajorityRule.TWO_THIRDS
    notice_days: int = 7


def rules_data(rules: CouncilRules) -> RulesData:
    """The values of a version, to start the next one from."""
    names = RulesData.__dataclass_fields__
    return RulesData(**{name: getattr(rules, name) for name in names})


def _check_rules(data: RulesData) -> None:
    errors: dict[str, Any] = {}
    collect(errors, "text", lambda: clean_text(data.text, "text", max_length=50_000))
    if data.quorum_kind is QuorumKind.NUMBER:
        if data.quorum_number is None or not 1 <= data.quorum_number <= MAX_SEATS:
            errors["quorum_number"] = _l("Give the number of members (1 or more).")
    elif not (1 <= data.quorum_numerator <= data.quorum_denominator <= MAX_SEATS):
        errors["quorum_numerator"] = _l(
            "The fraction must be between 1/%(d)d and 1 (for example 1/2).",
            d=MAX_SEATS,
        )
    if not 0 <= data.max_proxies_per_holder <= 10:
        errors["max_proxies_per_holder"] = _l("Between 0 and 10 proxies.")
    if not 0 <= data.notice_days <= 90:
        errors["notice_days"] = _l("Between 0 and 90 days.")
    if data.adopted_on is not None and data.adopted_on > today_paris():
        errors["adopted_on"] = _l("The date of adoption cannot be in the future.")
    if errors:
        raise FieldErrors(errors)


def adopt_rules(council: Council, data: RulesData, actor: Actor) -> CouncilRules:
    """A new version of the règlement; meetings already convened keep theirs."""
    staff_only(actor)
    _check_rules(data)
    version = council.rules.version + 1 if council.rules_versions else 1
    values = dict(data.__dict__)
    values["text"] = data.text.strip()
    if data.quorum_kind is QuorumKind.FRACTION:
        values["quorum_number"] = None
    rules = CouncilRules(version=version, created_by_id=actor_id(actor), **values)
    council.rules_versions.append(rules)
    db.session.flush()
    record("rules_adopted", actor, council, version=version)
    return rules


# --- Compositions -----------------------------------------------------------


@dataclass
class CompositionCounts:
    """Titular members in office on a day, by college and sex."""

    members: list[CouncilMember] = field(default_factory=list)

    def count(self, college: College | None = None, sex: Sex | None = None) -> int:
        return sum(
            1
            for m in self.members
            if (college is None or m.college is college)
            and (sex is None or m.sex is sex)
        )


def titulars_on(council: Council, day: date) -> CompositionCounts:
    members = db.session.scalars(
        sa.select(CouncilMember)
        .where(CouncilMember.council_id == council.id)
        .order_by(CouncilMember.id)
    )
    return CompositionCounts([m for m in members if m.in_office_on(day)])


def _members_json(members: list[CouncilMember]) -> str:
    return json.dumps(
        [
            {
                "member_id": m.id,
                "college": m.college.value,
                "sex": m.sex.value,
                "is_voting": m.is_voting,
            }
            for m in members
        ]
    )


def record_composition(
    council: Council,
    actor: Actor,
    *,
    recognition_reference: str | None = None,
    recognised_on: date | None = None,
) -> CouncilComposition:
    """Keep today's composition with the policy that applied (and the préfet's act)."""
    staff_only(actor)
    reference = (recognition_reference or "").strip() or None
    if reference is not None and len(reference) > 120:
        raise DomainError(
            _l("At most %(n)d characters.", n=120), field="recognition_reference"
        )
    if (reference is None) != (recognised_on is None):
        raise DomainError(
            _l("Give both the reference and the date of the act, or neither."),
            field="recognition_reference",
        )
    counts = titulars_on(council, today_paris())
    version = (
        db.session.scalar(
            sa.select(sa.func.max(CouncilComposition.version)).where(
                CouncilComposition.council_id == council.id
            )
        )
        or 0
    ) + 1
    composition = CouncilComposition(
        council_id=council.id,
        version=version,
        recorded_by_id=actor_id(actor),
        size=len(counts.members),
        residents=counts.count(College.RESIDENTS),
        women=counts.count(sex=Sex.FEMALE),
        men=counts.count(sex=Sex.MALE),
        members_json=_members_json(counts.members),
        recognition_reference=reference,
        recognised_on=recognised_on,
        **policy_of(council),
    )
    db.session.add(composition)
    db.session.flush()
    record(
        "composition_recorded",
        actor,
        composition,
        council_id=council.id,
        version=version,
        policy=policy_of(council),
    )
    return composition
