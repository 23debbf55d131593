"""iCalendar (RFC 5545) files of meetings, built with the ``icalendar`` library.

Times are written in Europe/Paris (``DTSTART;TZID=Europe/Paris``) with the matching
VTIMEZONE, so calendars show the meeting at the hour on the convocation whatever
the reader's own zone. A convocation attaches a ``METHOD:REQUEST`` invitation; the
feed of a council is a ``METHOD:PUBLISH`` calendar to subscribe to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, Timezone

from ..core.time import PARIS

PRODID = "-//participation//conseil citoyen//FR"
UID_DOMAIN = "participation"


@dataclass(frozen=True)
class CalendarEvent:
    """What a calendar needs to know of a meeting."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    url: str
    sequence: int = 0
    is_cancelled: bool = False
    stamp: datetime | None = None


def meeting_uid(meeting_id: int) -> str:
    return f"council-meeting-{meeting_id}@{UID_DOMAIN}"


def _event(item: CalendarEvent, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", (item.stamp or stamp).astimezone(UTC))
    event.add("dtstart", item.starts_at.astimezone(PARIS))
    event.add("dtend", item.ends_at.astimezone(PARIS))
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    event.add("sequence", item.sequence)
    event.add("status", "CANCELLED" if item.is_cancelled else "CONFIRMED")
    return event


def calendar(
    events: Sequence[CalendarEvent],
    *,
    stamp: datetime,
    method: str | None = None,
    name: str | None = None,
) -> bytes:
    """A VCALENDAR holding *events* and the Europe/Paris VTIMEZONE they use."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/Paris")
    for item in events:
        cal.add_component(_event(item, stamp))
    years = [e.starts_at.astimezone(PARIS).year for e in events] or [stamp.year]
    cal.add_missing_timezones(
        first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
    )
    if not events:
        # An empty feed still says which zone its future events will use.
        cal.add_component(
            Timezone.from_tzinfo(
                PARIS,
                first_date=date(stamp.year - 1, 1, 1),
                last_date=date(stamp.year + 2, 1, 1),
            )
        )
    data: bytes = cal.to_ical()
    return data


#: How long a feed may be cached by calendar clients.
FEED_REFRESH = timedelta(hours=6)
