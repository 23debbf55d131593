"""Factories of the FPH tests: a fund with its council, committees, applications at
each step. fph2's tests reuse them (committee, letters, payments, bilan)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from participation.accounts.models import User
from participation.core.actors import SYSTEM
from participation.core.time import utcnow
from participation.council.models import Council, Meeting
from participation.council.services import councils, meetings
from participation.council.states import MeetingKind
from participation.fph import services
from participation.fph.models import Application, Fund
from participation.fph.states import ApplicantKind

#: An IBAN whose check digits hold (the example of the French banks' guide).
GOOD_IBAN = "FR7630006000011234567890189"
#: A SIRET whose Luhn checksum holds, and one mistyped.
GOOD_SIRET = "73282932000074"
BAD_SIRET = "73282932000075"


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
def resident(make_user) -> User:
    return make_user(pseudonym="porteuse", real_name="Awa Diallo")


@pytest.fixture
def make_fund(db, make_territory) -> Callable[..., Fund]:
    """A fund of a new QPV, its council, a règlement in force."""

    def _make(**values: Any) -> Fund:
        territory = values.pop("territory", None) or make_territory()
        council = councils.create_council(
            councils.CouncilData(
                name=f"Conseil citoyen {territory.name}",
                territory_id=territory.id,
                is_draw_required=False,
            ),
            SYSTEM,
        )
        data = services.FundData(
            name=values.pop("name", f"FPH {territory.name}"),
            year=values.pop("year", utcnow().year),
            territory_id=territory.id,
            envelope=values.pop("envelope", Decimal("3000.00")),
            council_id=council.id,
            managing_body="Conseil citoyen",
            **values,
        )
        fund = services.create_fund(data, SYSTEM)
        services.adopt_reglement(
            fund,
            "Article 1. Le fonds aide les projets d'habitants.",
            "Délibération n° 2026-41",
            date(2026, 1, 15),
            SYSTEM,
        )
        db.session.flush()
        return fund

    return _make


@pytest.fixture
def fund(make_fund) -> Fund:
    return make_fund()


@pytest.fixture
def make_committee(db) -> Callable[..., Meeting]:
    """An FPH committee meeting of the fund's council, *days* from now."""

    def _make(fund: Fund, days: int = 45) -> Meeting:
        council = db.session.get(Council, fund.council_id)
        starts = (utcnow() + timedelta(days=days)).replace(
            minute=0, second=0, microsecond=0
        )
        meeting = meetings.create_meeting(
            council,
            meetings.MeetingData(
                title="Comité FPH",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                kind=MeetingKind.FPH_COMMITTEE,
                place="Centre social",
            ),
            SYSTEM,
        )
        db.session.flush()
        return meeting

    return _make


def expense(label: str, amount: str) -> services.LineData:
    return services.LineData(label, Decimal(amount))


def fill_application(
    application: Application,
    actor: Any,
    *,
    upto: int = 5,
    starts_on: date | None = None,
) -> Application:
    """Save the steps 1..*upto* with valid data (a group of three adults)."""
    if upto >= 1:
        services.accept_reglement(application, True, actor)
    if upto >= 2:
        services.save_applicant(
            application,
            services.ApplicantData(
                kind=ApplicantKind.INFORMAL_GROUP,
                name="Les voisins de la rue Haute",
                contact_name="Awa Diallo",
                contact_email="awa@example.test",
                members_count=5,
                adult_names=["Awa Diallo", "Marc Petit", "Lina Haddad"],
            ),
            actor,
        )
    if upto >= 3:
        services.save_project(
            application,
            services.ProjectData(
                title="Repas partagé de la rue Haute",
                description="Un repas entre voisins.",
                audience="Les habitants de la rue.",
                starts_on=starts_on or (utcnow() + timedelta(days=90)).date(),
                place="Square de la rue Haute",
                expected_participants=60,
            ),
            actor,
        )
    if upto >= 4:
        services.save_budget(
            application,
            [expense("Nourriture", "600"), expense("Location de tables", "150")],
            [expense("Participation des habitants", "150")],
            Decimal("600"),
            actor,
        )
    if upto >= 5:
        services.save_holder(
            application, services.HolderData(name="Awa Diallo", iban=GOOD_IBAN), actor
        )
    return application


@pytest.fixture
def make_application(db, resident) -> Callable[..., Application]:
    """An application of *owner* (the resident) filled up to a step, or submitted."""

    def _make(
        fund: Fund,
        *,
        owner: User | None = None,
        upto: int = 5,
        submit: bool = False,
        **values: Any,
    ) -> Application:
        person = owner or resident
        application = services.start_application(fund, person)
        fill_application(application, person, upto=upto, **values)
        if submit:
            services.submit_application(application, person)
        db.session.flush()
        return application

    return _make


def at(days: int) -> datetime:
    return utcnow() + timedelta(days=days)
