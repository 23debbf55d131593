"""The FPH committee and after, in a real browser on a phone (issue 11, part B).

A file filed by the relay is on the agenda of an open FPH committee of the main
demo QPV (the steps before are part A's journey). A council member who is in the
group is told she is recused and cannot score; the secretary scores the file with
the grid and records the committee's vote with the amount; the notification letter
is a PDF; staff record the advance and ask for the bilan; the relay files the
bilan with a receipt (a PDF); staff find it conform, pay the balance: closed.
Elements are found by id or name, never by text; axe-core scans every page.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.demo import RELAY_EMAIL, STAFF_EMAIL
from participation.accounts.models import User
from participation.core.actors import SYSTEM
from participation.core.time import utcnow
from participation.council import demo as council_demo
from participation.council.models import Council
from participation.council.services import attendance, meetings
from participation.council.states import AttendanceStatus, MeetingKind
from participation.eligibility.states import CriterionKind
from participation.extensions import db
from participation.fph import committee
from participation.fph import demo as fph_demo
from participation.fph.models import Application, ApplicationMember, Fund
from participation.fph.services import applications as app_services
from participation.fph.states import ApplicationState
from participation.territories.models import Territory

from .conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORDS = {
    STAFF_EMAIL: "agent-demo-pv",
    RELAY_EMAIL: "relais-demo-1",
    council_demo.SECRETARY_EMAIL: council_demo.SECRETARY_PASSWORD,
    council_demo.MEMBER_EMAIL: council_demo.MEMBER_PASSWORD,
}
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _sign_in(page, login: str) -> None:
    sign_in(page, login, PASSWORDS[login])
    expect(page.locator("#signout-button")).to_be_visible()


def _sign_out(page) -> None:
    page.locator("#signout-button").click()


def _file_on_an_open_committee(live_server) -> tuple[int, dict[str, str]]:
    """A relay's file on a committee opened now; the demo member is in the group."""
    with live_server.app.app_context():
        council = db.session.scalars(
            sa.select(Council)
            .join(Territory, Territory.id == Council.territory_id)
            .where(Territory.code == council_demo.MAIN_QPV_CODE)
        ).one()
        fund = db.session.scalars(
            sa.select(Fund).where(Fund.council_id == council.id)
        ).one()
        relay = db.session.scalars(
            sa.select(User).where(User.email == RELAY_EMAIL)
        ).one()
        member = db.session.scalars(
            sa.select(User).where(User.email == council_demo.MEMBER_EMAIL)
        ).one()
        starts = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
        meeting = meetings.create_meeting(
            council,
            meetings.MeetingData(
                title="Commission FPH de décembre",
                kind=MeetingKind.FPH_COMMITTEE,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                place="Centre social",
            ),
            SYSTEM,
        )
        application = fph_demo._application(fund, relay, 30, utcnow().date())
        application.members.append(
            ApplicationMember(name="Conseiller du groupe", user_id=member.id)
        )
        app_services.submit_application(application, relay)
        application.meeting_id = meeting.id
        app_services.mark_complete(application, SYSTEM)
        assert application.state is ApplicationState.SCHEDULED
        assert application.agenda_item.meeting_id == meeting.id
        meetings.convene(
            meeting, SYSTEM, meeting_url=lambda m: f"/councils/meetings/{m.id}"
        )
        attendance.record_attendance(
            meeting,
            [
                attendance.LineData(m.id, AttendanceStatus.PRESENT)
                for m in attendance.sheet_members(meeting)
            ],
            SYSTEM,
        )
        meetings.open_meeting(meeting, SYSTEM)
        version = committee.grid_version_for(application)
        answers = {}
        for criterion in version.criteria:
            if criterion.kind is CriterionKind.MANDATORY:
                answers[f"c_{criterion.code}"] = "pass"
            elif criterion.kind is CriterionKind.SCORED:
                answers[f"c_{criterion.code}"] = "2"
        db.session.commit()
        return application.id, answers


def _state(live_server, application_id: int) -> ApplicationState:
    with live_server.app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        return application.state


def test_committee_letter_advance_bilan_closed_on_a_phone(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    application_id, answers = _file_on_an_open_committee(live_server)
    committee_url = f"/fph/committee/files/{application_id}"

    # The member who is in the group is recused: no score form for her.
    _sign_in(page, council_demo.MEMBER_EMAIL)
    page.goto(committee_url)
    expect(page.locator("#scores-title")).to_be_visible()
    expect(page.locator("#score-form")).to_have_count(0)
    _sign_out(page)

    # The secretary scores with the grid, then records the vote.
    _sign_in(page, council_demo.SECRETARY_EMAIL)
    page.goto(committee_url)
    for name, value in answers.items():
        if value == "pass":
            page.locator(f"#score-form input[name='{name}'][value='pass']").check()
        else:
            page.locator(f"#score-form select[name='{name}']").select_option(value)
    page.locator("#score-form [type=submit]").click()
    expect(page.locator("#scores")).to_be_visible()
    page.locator("#decision-form input[name='d-proposal'][value='grant']").check()
    page.locator("#d-amount").fill("5000")
    page.locator("#d-decision_text").fill("Le comité soutient ce projet.")
    page.locator("#d-votes_for").fill("7")
    page.locator("#d-votes_against").fill("1")
    page.locator("#d-abstentions").fill("1")
    page.locator("#decision-form [type=submit]").click()
    # Over the request: refused next to the amount, what was typed is kept.
    expect(page.locator("#d-amount-error")).to_be_visible()
    expect(page.locator("#d-decision_text")).to_have_value(
        "Le comité soutient ce projet."
    )
    page.locator("#d-amount").fill("400")
    page.locator("#decision-form [type=submit]").click()
    expect(page.locator("#decided-title")).to_be_visible()
    assert _state(live_server, application_id) is ApplicationState.GRANTED_PARTIALLY
    letter = page.request.get(f"/fph/files/{application_id}/letters/notification.pdf")
    assert letter.ok
    assert letter.body().startswith(b"%PDF-")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _sign_out(page)

    # Staff record the advance and ask for the bilan.
    _sign_in(page, STAFF_EMAIL)
    page.goto(f"/fph/payments/files/{application_id}")
    expect(page.locator("#a-amount")).to_have_value("280.00")
    page.locator("#advance-form [type=submit]").click()
    expect(page.locator("#payments")).to_be_visible()
    page.locator("#request-report-form [type=submit]").click()
    assert _state(live_server, application_id) is ApplicationState.REPORT_DUE
    _sign_out(page)

    # The relay files the bilan with a receipt.
    _sign_in(page, RELAY_EMAIL)
    page.goto(f"/fph/bilan/files/{application_id}")
    page.locator("#held_on").fill(utcnow().date().isoformat())
    page.locator("#actual_participants").fill("64")
    for field in page.locator("#report-form input[name^='actual_']").all():
        field.fill("100")
    page.locator("#narrative").fill(
        "Tout le monde est venu ; les enfants ont préparé les desserts."
    )
    page.locator("#receipts").set_input_files(
        {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.locator("#report-form [type=submit]").click()
    expect(page.locator("#expenses")).to_be_visible()
    assert _state(live_server, application_id) is ApplicationState.REPORT_SUBMITTED
    _sign_out(page)

    # Staff find it conform and pay the balance: closed.
    _sign_in(page, STAFF_EMAIL)
    page.goto(f"/fph/payments/files/{application_id}")
    page.locator("#verdict-form input[name='v-verdict'][value='conform']").check()
    page.locator("#verdict-form [type=submit]").click()
    expect(page.locator("#payments")).to_be_visible()
    assert _state(live_server, application_id) is ApplicationState.CLOSED
    with live_server.app.app_context():
        application = db.session.get(Application, application_id)
        assert sum(p.amount for p in application.payments) == Decimal("400.00")
    assert not live_server.server_errors
