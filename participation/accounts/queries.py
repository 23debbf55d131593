"""Read-only queries of the accounts feature (lookups, searches, select choices)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from .models import User


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


def search_people(
    text: str, *, phone: str | None = None, page: int = 1, per_page: int = 25
) -> Pagination:
    """People whose pseudonym, e-mail, phone or real name contains *text*.

    *phone* is the normalised form of *text* when it reads as a phone number.
    Roles and territory are loaded in two extra queries, whatever the page size.
    """
    stmt = (
        sa.select(User)
        .options(
            selectinload(User.territory),
            selectinload(User.roles),
            selectinload(User.verifications),
        )
        .order_by(sa.func.lower(User.pseudonym), User.id)
    )
    text = text.strip()
    if text:
        pattern = _like_pattern(text)
        conditions: list[sa.ColumnElement[bool]] = [
            User.pseudonym.ilike(pattern, escape="\\"),
            User.email.ilike(pattern, escape="\\"),
            User.phone.ilike(pattern, escape="\\"),
            User.real_name.ilike(pattern, escape="\\"),
        ]
        if phone:
            conditions.append(User.phone == phone)
        stmt = stmt.where(sa.or_(*conditions))
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
