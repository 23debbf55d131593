"""Read-only questions about funds and applications, for pages and exports."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import Application, Fund
from .services.permissions import PUBLIC_STATES
from .states import GRANTED_STATES, ApplicationState


def funds() -> list[Fund]:
    """Every fund, the latest year first."""
    return list(
        db.session.scalars(sa.select(Fund).order_by(Fund.year.desc(), Fund.name))
    )


def my_applications(user_id: int) -> list[Application]:
    """The files a person holds or filed for a group, the latest first."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(
                sa.or_(
                    Application.owner_id == user_id, Application.filed_by_id == user_id
                )
            )
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )


def fund_applications(
    fund: Fund, state: ApplicationState | None = None
) -> list[Application]:
    """A fund's files for staff (drafts included), by state when asked."""
    query = sa.select(Application).where(Application.fund_id == fund.id)
    if state is not None:
        query = query.where(Application.state == state)
    return list(db.session.scalars(query.order_by(Application.id)))


def granted(fund: Fund) -> list[Application]:
    """The fund's granted files, for its public page."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(
                Application.fund_id == fund.id,
                Application.state.in_(GRANTED_STATES),
            )
            .order_by(Application.decided_at, Application.id)
        )
    )


def public_files(fund: Fund) -> list[Application]:
    """The fund's files that are public (on an agenda or decided)."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(
                Application.fund_id == fund.id,
                Application.state.in_(PUBLIC_STATES),
            )
            .order_by(Application.id)
        )
    )
