"""Read-only queries of the accounts feature (lookups, searches, select choices)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from ..core.errors import DomainError
from ..core.permissions import Visitor, is_relay, is_staff, person_id
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from . import rules
from .models import RelayHelp, RelayTerritory, User


def residence_territories() -> list[Territory]:
    """Active territories a person may declare: the QPV first, then "hors QPV"."""
    return list(
        db.session.scalars(
            sa.select(Territory)
            .where(Territory.is_active.is_(True))
            .order_by(
                sa.case((Territory.kind == TerritoryKind.QPV, 0), else_=1),
                Territory.name,
            )
        )
    )


def qpv_territories() -> list[Territory]:
    """Active QPV, the territories a residence can be verified for."""
    return list(
        db.session.scalars(
            sa.select(Territory)
            .where(Territory.is_active.is_(True), Territory.kind == TerritoryKind.QPV)
            .order_by(Territory.name)
        )
    )


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def user_by_phone(phone: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def user_by_pseudonym(pseudonym: str) -> User | None:
    """Case-insensitive: "Amina" and "amina" are the same public name."""
    return db.session.scalar(
        sa.select(User)
        .where(sa.func.lower(User.pseudonym) == pseudonym.lower())
        .limit(1)
    )


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def helped_ids(relay_id: int) -> sa.Select[tuple[int]]:
    """Ids of the people a relay created an account for or records helping."""
    return sa.union(
        sa.select(User.id).where(User.managed_by_id == relay_id),
        sa.select(RelayHelp.person_id).where(RelayHelp.relay_id == relay_id),
    )  # type: ignore[return-value]


def is_helped_by(person_id_: int, relay_id: int) -> bool:
    """The relay created the person's account or records helping them."""
    return (
        db.session.scalar(
            sa.select(sa.literal(1)).where(
                sa.or_(
                    sa.exists().where(
                        User.id == person_id_, User.managed_by_id == relay_id
                    ),
                    sa.exists().where(
                        RelayHelp.person_id == person_id_,
                        RelayHelp.relay_id == relay_id,
                    ),
                )
            )
        )
        is not None
    )


def relay_territory_ids(relay_id: int) -> set[int]:
    """The QPV a relay serves."""
    return set(
        db.session.scalars(
            sa.select(RelayTerritory.territory_id).where(
                RelayTerritory.relay_id == relay_id
            )
        )
    )


def exact_match(text: str) -> sa.ColumnElement[bool] | None:
    """Who *text* names exactly: an e-mail, a phone number or an account code."""
    text = text.strip()
    if not text:
        return None
    conditions: list[sa.ColumnElement[bool]] = []
    if "@" in text:
        conditions.append(User.email == text.lower())
    with contextlib.suppress(DomainError):
        conditions.append(User.phone == rules.normalize_phone(text))
    code = rules.exact_code(text)
    if code is not None:
        conditions.append(User.account_code == code)
    return sa.or_(*conditions) if conditions else None


def search_people(
    text: str, *, viewer: Visitor, page: int = 1, per_page: int = 25
) -> Pagination:
    """The people *viewer* may find with *text*.

    Staff: pseudonym, e-mail, phone or real name containing *text* (everyone
    without text). Relays: the people they created or help (by pseudonym or real
    name), and anyone else only by an exact e-mail, phone number or account code —
    never by a part of it. Others find nobody. Roles and territory are loaded in
    extra queries, whatever the page size.
    """
    stmt = (
        sa.select(User)
        .where(User.deleted_at.is_(None))
        .options(
            selectinload(User.territory),
            selectinload(User.roles),
            selectinload(User.verifications),
        )
        .order_by(sa.func.lower(User.pseudonym), User.id)
    )
    text = text.strip()
    exact = exact_match(text)
    if is_staff(viewer):
        if text:
            pattern = _like_pattern(text)
            conditions: list[sa.ColumnElement[bool]] = [
                User.pseudonym.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                User.phone.ilike(pattern, escape="\\"),
                User.real_name.ilike(pattern, escape="\\"),
            ]
            if exact is not None:
                conditions.append(exact)
            stmt = stmt.where(sa.or_(*conditions))
    elif is_relay(viewer):
        own = User.id.in_(helped_ids(person_id(viewer) or 0))
        if text:
            pattern = _like_pattern(text)
            mine = sa.and_(
                own,
                sa.or_(
                    User.pseudonym.ilike(pattern, escape="\\"),
                    User.real_name.ilike(pattern, escape="\\"),
                ),
            )
            stmt = stmt.where(sa.or_(mine, exact) if exact is not None else mine)
        else:
            stmt = stmt.where(own)
    else:
        stmt = stmt.where(sa.false())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def pseudonyms(ids: Collection[int]) -> dict[int, str]:
    """``{id: pseudonym}`` of the accounts among *ids* (one query)."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(User.id, User.pseudonym).where(User.id.in_(set(ids)))
    )
    return {user_id: pseudonym for user_id, pseudonym in rows}


def ids_by_pseudonym(pseudonym: str) -> list[int]:
    """Ids of the accounts named *pseudonym*, compared without case."""
    return list(
        db.session.scalars(
            sa.select(User.id).where(sa.func.lower(User.pseudonym) == pseudonym.lower())
        )
    )
