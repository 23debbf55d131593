"""Time helpers: everything stored in UTC, shown in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today_paris() -> date:
    """Return today's date in Europe/Paris (the date residents see)."""
    return datetime.now(PARIS).date()


def paris_midnight(day: date) -> datetime:
    """The start of *day* in Europe/Paris, as a UTC time (for date filters)."""
    return datetime.combine(day, time(), tzinfo=PARIS).astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime stored as naive UTC and always read back timezone-aware.

    SQLite has no timezone support, so we normalise on the way in and out.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Any
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: datetime | None, dialect: Any
    ) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
