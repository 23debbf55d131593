"""Seats on a council: members, substitutes and their ranks, facilitators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...accounts.models import User
from ...accounts.states import Sex
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, DomainError, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...extensions import db
from ..models import Council, CouncilFacilitator, CouncilMember, DrawEntry
from ..states import College, DrawOutcome, LeaveReason
from .common import clean_text, collect, record
from .councils import staff_only as _staff

# --- Members ----------------------------------------------------------------


def find_person(text: str) -> User | None:
    """An account by e-mail address or pseudonym (case-insensitive)."""
    wanted = text.strip().lower()
    if not wanted:
        return None
    person: User | None = db.session.scalar(
        sa.select(User).where(
            sa.or_(User.email == wanted, sa.func.lower(User.pseudonym) == wanted)
        )
    )
    return person


@dataclass(frozen=True)
class MemberData:
    #: E-mail address or pseudonym of the person's account.
    person: str
    college: College
    sex: Sex
    mandate_starts_on: date
    mandate_ends_on: date | None = None
    is_voting: bool = True
    substitute_rank: int | None = None
    is_secretary: bool = False
    organisation: str | None = None
    draw_entry_id: int | None = None


def _draw_entry(council: Council, entry_id: int | None) -> DrawEntry | None:
    if entry_id is None:
        return None
    entry = db.session.get(DrawEntry, entry_id)
    if (
        entry is None
        or entry.draw.council_id != council.id
        or entry.outcome not in (DrawOutcome.TITULAR, DrawOutcome.SUBSTITUTE)
    ):
        raise DomainError(
            _l("This line of the draw does not exist or was not drawn."),
            field="draw_entry_id",
        )
    seated = db.session.scalar(
        sa.select(CouncilMember.id).where(CouncilMember.draw_entry_id == entry.id)
    )
    if seated is not None:
        raise DomainError(
            _l("The person drawn on this line already has a seat."),
            field="draw_entry_id",
        )
    return entry


def next_free_rank(council: Council, college: College, sex: Sex) -> int:
    """The rank after the last standing substitute of this list."""
    highest = db.session.scalar(
        sa.select(sa.func.max(CouncilMember.substitute_rank)).where(
            CouncilMember.council_id == council.id,
            CouncilMember.college == college,
            CouncilMember.sex == sex,
            CouncilMember.left_on.is_(None),
        )
    )
    return (highest or 0) + 1


def _check_member(council: Council, data: MemberData) -> tuple[User, DrawEntry | None]:
    errors: dict[str, Any] = {}
    person = find_person(data.person)
    if person is None:
        errors["person"] = _l(
            "No account has this e-mail address or pseudonym. A relay or staff"
            " member can create a managed account for a person without e-mail."
        )
    elif (
        db.session.scalar(
            sa.select(CouncilMember.id).where(
                CouncilMember.council_id == council.id,
                CouncilMember.user_id == person.id,
                CouncilMember.left_on.is_(None),
            )
        )
        is not None
    ):
        errors["person"] = _l("This person already has a seat on this council.")
    entry = collect(
        errors, "draw_entry_id", lambda: _draw_entry(council, data.draw_entry_id)
    )
    if (
        council.is_draw_required
        and data.college is College.RESIDENTS
        and entry is None
        and "draw_entry_id" not in errors
    ):
        errors["draw_entry_id"] = _l(
            "The council's policy is that residents are drawn by lot: seat them"
            " from a draw."
        )
    if entry is not None and entry.sex != data.sex:
        errors["sex"] = _l("The person was drawn in the stratum of the other sex.")
    if entry is not None and data.college is not College.RESIDENTS:
        errors["college"] = _l("People drawn by lot sit in the residents' college.")
    _check_seat(data, errors)
    if errors:
        raise FieldErrors(errors)
    assert person is not None
    return person, entry


def _check_seat(data: Any, errors: dict[str, Any]) -> None:
    if (
        data.mandate_ends_on is not None
        and data.mandate_ends_on < data.mandate_starts_on
    ):
        errors["mandate_ends_on"] = _l("The mandate must end after it starts.")
    if data.substitute_rank is not None and data.substitute_rank < 1:
        errors["substitute_rank"] = _l("A rank is 1 or more.")
    if data.is_secretary and data.substitute_rank is not None:
        errors["is_secretary"] = _l("The secretary is a titular member.")
    if data.organisation and len(data.organisation.strip()) > 160:
        errors["organisation"] = _l("At most %(n)d characters.", n=160)


def _rank_free(member: CouncilMember) -> None:
    if member.substitute_rank is None:
        return
    with db.session.no_autoflush:  # the new rank must not reach the index first
        taken = db.session.scalar(
            sa.select(CouncilMember.id).where(
                CouncilMember.council_id == member.council_id,
                CouncilMember.college == member.college,
                CouncilMember.sex == member.sex,
                CouncilMember.substitute_rank == member.substitute_rank,
                CouncilMember.left_on.is_(None),
                CouncilMember.id != (member.id or 0),
            )
        )
    if taken is not None:
        raise DomainError(
            _l("Another substitute of this list already has this rank."),
            field="substitute_rank",
        )


def add_member(council: Council, data: MemberData, actor: Actor) -> CouncilMember:
    """Seat a person: a titular member, or a substitute at a rank of their list."""
    _staff(actor)
    person, entry = _check_member(council, data)
    member = CouncilMember(
        council_id=council.id,
        user_id=person.id,
        college=data.college,
        sex=data.sex,
        organisation=(data.organisation or "").strip() or None,
        mandate_starts_on=data.mandate_starts_on,
        mandate_ends_on=data.mandate_ends_on,
        is_voting=data.is_voting,
        substitute_rank=data.substitute_rank,
        is_secretary=data.is_secretary,
        draw_entry_id=entry.id if entry else None,
        created_by_id=actor_id(actor),
    )
    _rank_free(member)
    db.session.add(member)
    db.session.flush()
    record(
        "member_added",
        actor,
        member,
        council_id=council.id,
        college=member.college.value,
        substitute_rank=member.substitute_rank,
        from_draw=entry.draw_id if entry else None,
    )
    return member


@dataclass(frozen=True)
class SeatChanges:
    mandate_starts_on: date
    mandate_ends_on: date | None
    is_voting: bool
    is_secretary: bool
    substitute_rank: int | None
    organisation: str | None = None


def update_member(
    member: CouncilMember, data: SeatChanges, actor: Actor
) -> CouncilMember:
    """Change a standing seat: mandate, voting right, secretary role, rank."""
    _staff(actor)
    if not member.is_active:
        raise Conflict(_l("This person has left the council."))
    errors: dict[str, Any] = {}
    _check_seat(data, errors)
    if errors:
        raise FieldErrors(errors)
    member.mandate_starts_on = data.mandate_starts_on
    member.mandate_ends_on = data.mandate_ends_on
    member.is_voting = data.is_voting
    member.is_secretary = data.is_secretary
    member.substitute_rank = data.substitute_rank
    member.organisation = (data.organisation or "").strip() or None
    _rank_free(member)
    db.session.flush()
    record(
        "member_updated",
        actor,
        member,
        is_voting=member.is_voting,
        is_secretary=member.is_secretary,
        substitute_rank=member.substitute_rank,
    )
    return member


def next_substitute(member: CouncilMember) -> CouncilMember | None:
    """The first standing substitute of the same council, college and sex."""
    substitute: CouncilMember | None = db.session.scalar(
        sa.select(CouncilMember)
        .where(
            CouncilMember.council_id == member.council_id,
            CouncilMember.college == member.college,
            CouncilMember.sex == member.sex,
            CouncilMember.substitute_rank.is_not(None),
            CouncilMember.left_on.is_(None),
            CouncilMember.id != member.id,
        )
        .order_by(CouncilMember.substitute_rank)
        .limit(1)
    )
    return substitute


def end_membership(
    member: CouncilMember, reason: LeaveReason, left_on: date, actor: Actor
) -> CouncilMember | None:
    """Record that a member left; return the substitute proposed to replace them."""
    _staff(actor)
    if not member.is_active:
        raise Conflict(_l("This person has already left the council."))
    if left_on < member.mandate_starts_on:
        raise DomainError(
            _l("The departure cannot come before the start of the mandate."),
            field="left_on",
        )
    member.left_on = left_on
    member.leave_reason = reason
    member.is_secretary = False
    db.session.flush()
    record("member_left", actor, member, reason=reason.value, left_on=left_on)
    return next_substitute(member) if member.is_titular else None


def promote_substitute(
    substitute: CouncilMember, replaced: CouncilMember, actor: Actor, starts_on: date
) -> CouncilMember:
    """The substitute takes the seat of a member who left."""
    _staff(actor)
    if replaced.is_active or not replaced.is_titular:
        raise Conflict(_l("Only the seat of a titular member who left is replaced."))
    if not substitute.is_active or substitute.is_titular:
        raise Conflict(_l("This person is not a standing substitute."))
    if (
        substitute.council_id != replaced.council_id
        or substitute.college != replaced.college
        or (substitute.council.is_parity_required and substitute.sex != replaced.sex)
    ):
        raise DomainError(
            _l("The substitute must be of the same college and, for parity, sex.")
        )
    rank = substitute.substitute_rank
    substitute.substitute_rank = None
    substitute.replaces_id = replaced.id
    substitute.mandate_starts_on = max(substitute.mandate_starts_on, starts_on)
    db.session.flush()
    record(
        "substitute_promoted",
        actor,
        substitute,
        replaces=replaced.id,
        rank=rank,
    )
    return substitute


# --- Facilitators -----------------------------------------------------------


@dataclass(frozen=True)
class FacilitatorData:
    name: str
    starts_on: date
    ends_on: date
    organisation: str = ""


def add_facilitator(
    council: Council, data: FacilitatorData, actor: Actor
) -> CouncilFacilitator:
    """A facilitator who is not a member, always with an end date."""
    _staff(actor)
    errors: dict[str, Any] = {}
    name = collect(
        errors, "name", lambda: clean_text(data.name, "name", max_length=120)
    )
    organisation = collect(
        errors,
        "organisation",
        lambda: clean_text(
            data.organisation, "organisation", max_length=160, required=False
        ),
    )
    if data.ends_on < data.starts_on:
        errors["ends_on"] = _l("The facilitation must end after it starts.")
    if errors:
        raise FieldErrors(errors)
    facilitator = CouncilFacilitator(
        council=council,
        name=name,
        organisation=organisation,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        created_by_id=actor_id(actor),
    )
    db.session.add(facilitator)
    db.session.flush()
    record("facilitator_added", actor, facilitator, council_id=council.id)
    return facilitator
