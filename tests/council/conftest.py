"""Factories of the council tests: councils, members, meetings at each stage."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from participation.accounts.models import User
from participation.accounts.states import Role, Sex
from participation.core.actors import SYSTEM
from participation.core.time import PARIS, utcnow
from participation.council.models import AgendaItem, Council, CouncilMember, Meeting
from participation.council.services import attendance, councils, meetings, seats
from participation.council.states import (
    AgendaItemKind,
    AttendanceStatus,
    College,
)

_numbers = itertools.count(1)


def meeting_link(meeting: Meeting) -> str:
    return f"http://localhost/councils/meetings/{meeting.id}"


@pytest.fixture
def login_as(login_as: Callable[[User], FlaskClient]) -> Callable[[User], FlaskClient]:
    """Sign in with the pages in English (the session's language wins)."""

    def _login_as(user: User) -> FlaskClient:
        client = login_as(user)
        with client.session_transaction() as session:
            session["lang"] = "en"
        return client

    return _login_as


@pytest.fixture
def staff(make_user) -> User:
    return make_user(roles=(Role.STAFF,), pseudonym="agent_pv", real_name="Julien R.")


@pytest.fixture
def resident(make_user) -> User:
    return make_user(pseudonym="simple_habitante")


@pytest.fixture
def make_council(db, make_territory) -> Callable[..., Council]:
    """A council of a new QPV; the draw is not required unless asked (setup speed)."""

    def _make(**values: Any) -> Council:
        territory = values.pop("territory", None) or make_territory()
        rules = values.pop("rules", None)
        data = councils.CouncilData(
            name=values.pop("name", f"Conseil citoyen {territory.name}"),
            territory_id=territory.id,
            is_draw_required=values.pop("is_draw_required", False),
            **values,
        )
        council = councils.create_council(data, SYSTEM)
        if rules is not None:
            councils.adopt_rules(council, rules, SYSTEM)
        db.session.flush()
        return council

    return _make


@pytest.fixture
def council(make_council) -> Council:
    return make_council()


@pytest.fixture
def make_member(db, make_user) -> Callable[..., CouncilMember]:
    def _make(council: Council, **values: Any) -> CouncilMember:
        n = next(_numbers)
        user = values.pop("user", None)
        if user is None:
            user_values: dict[str, Any] = {"pseudonym": f"membre{n}"}
            if values.pop("no_email", False):
                user_values["email"] = None
                user_values["is_managed"] = True
                user_values["managed_consent_at"] = utcnow()
                user_values["managed_by_id"] = values.pop("relay_id", None)
                user_values["password"] = None
            user_values["real_name"] = values.pop("real_name", f"Prénom{n} Nom{n}")
            user = make_user(**user_values)
        data = seats.MemberData(
            person=user.email or user.pseudonym,
            college=values.pop("college", College.RESIDENTS),
            sex=values.pop("sex", Sex.FEMALE if n % 2 else Sex.MALE),
            mandate_starts_on=values.pop("mandate_starts_on", date(2024, 1, 1)),
            **values,
        )
        member = seats.add_member(council, data, SYSTEM)
        db.session.flush()
        return member

    return _make


@pytest.fixture
def members(council, make_member) -> list[CouncilMember]:
    """Six voting titular members: four residents, two local actors."""
    made = [make_member(council) for _ in range(4)]
    made += [make_member(council, college=College.LOCAL_ACTORS) for _ in range(2)]
    return made


@pytest.fixture
def make_meeting(db) -> Callable[..., Meeting]:
    def _make(
        council: Council,
        *,
        starts_at: datetime | None = None,
        items: tuple[AgendaItemKind, ...] = (
            AgendaItemKind.INFORMATION,
            AgendaItemKind.DELIBERATION,
        ),
        **values: Any,
    ) -> Meeting:
        starts = starts_at or (utcnow() + timedelta(days=10)).replace(
            minute=0, second=0, microsecond=0
        )
        meeting = meetings.create_meeting(
            council,
            meetings.MeetingData(
                title=values.pop("title", "Séance plénière"),
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                place=values.pop("place", "Maison des associations"),
                **values,
            ),
            SYSTEM,
        )
        for n, kind in enumerate(items, start=1):
            meetings.add_item(
                meeting, meetings.ItemData(kind=kind, title=f"Point {n}"), SYSTEM
            )
        db.session.flush()
        return meeting

    return _make


@pytest.fixture
def convene(db) -> Callable[..., Meeting]:
    def _convene(meeting: Meeting, now: datetime | None = None) -> Meeting:
        meetings.convene(meeting, SYSTEM, meeting_url=meeting_link, now=now)
        db.session.flush()
        return meeting

    return _convene


@pytest.fixture
def open_meeting(db, convene) -> Callable[..., Meeting]:
    """Convened, *present* members marked present (others absent), then opened."""

    def _open(
        meeting: Meeting, present: list[CouncilMember], **proxies: Any
    ) -> Meeting:
        if meeting.state.value == "planned":
            convene(meeting)
        sheet = attendance.sheet_members(meeting)
        lines = []
        holders: dict[int, int] = proxies.get("proxies", {})
        for member in sheet:
            if member in present:
                status = AttendanceStatus.PRESENT
            elif member.id in holders:
                status = AttendanceStatus.REPRESENTED
            else:
                status = AttendanceStatus.ABSENT
            lines.append(
                attendance.LineData(
                    member_id=member.id,
                    status=status,
                    proxy_holder_id=holders.get(member.id),
                )
            )
        attendance.record_attendance(meeting, lines, SYSTEM)
        meetings.open_meeting(meeting, SYSTEM)
        db.session.flush()
        return meeting

    return _open


def voting_item(meeting: Meeting) -> AgendaItem:
    return next(item for item in meeting.items if item.is_voting)


def paris(year: int, month: int, day: int, hour: int = 18) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)
