"""The whole FPH journey in a real browser on a phone (issue 11, part B continues A).

A resident applies and staff mark the file complete: it is on the next committee's
agenda (part A's :func:`apply_and_schedule`). The committee opens; a council member
who is in the group is told she is recused and cannot score; the secretary scores
the file with the grid and records the vote (an amount over the request is refused
next to the field, the text kept), then a partial amount; the notification letter
is a PDF; staff record the advance and ask for the bilan; the resident files it
with a receipt (a PDF); staff find it conform and pay the balance: closed.
Elements are found by id or name, never by text; axe-core scans every page.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.demo import RESIDENT_EMAIL, STAFF_EMAIL
from participation.accounts.models import User
from participation.core.actors import SYSTEM
from participation.core.time import utcnow
from participation.council import demo as council_demo
from participation.council.services import attendance, meetings
from participation.council.states import AttendanceStatus, MeetingKind
from participation.eligibility.states import CriterionKind
from participation.extensions import db
from participation.fph import committee
from participation.fph.models import Application, ApplicationMember
from participation.fph.states import ApplicationState

from .conftest import sign_in
from .test_fph_journey import _password, apply_and_schedule

pytestmark = pytest.mark.browser

PASSWORDS = {
    STAFF_EMAIL: "agent-demo-pv",
    council_demo.SECRETARY_EMAIL: council_demo.SECRETARY_PASSWORD,
    council_demo.MEMBER_EMAIL: council_demo.MEMBER_PASSWORD,
}
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _sign_in(page, login: str) -> None:
    sign_in(page, login, PASSWORDS[login])
    expect(page.locator("#signout-button")).to_be_visible()


def _sign_out(page) -> None:
    page.locator("#signout-button").click()


def _open_the_committee_of(live_server, application_id: int) -> dict[str, str]:
    """Staff link the demo member to the group (she is in it), the secretary
    convenes, takes the attendance and opens the meeting (the council journey does
    those in the browser); returns grid answers for the score form."""
    with live_server.app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        assert application.state is ApplicationState.SCHEDULED
        member = db.session.scalars(
            sa.select(User).where(User.email == council_demo.MEMBER_EMAIL)
        ).one()
        application.members.append(
            ApplicationMember(name="Conseiller du groupe", user_id=member.id)
        )
        meeting = application.agenda_item.meeting
        assert meeting.kind is MeetingKind.FPH_COMMITTEE
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
        db.session.remove()
        return answers


def _state(live_server, application_id: int) -> ApplicationState:
    with live_server.app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        return application.state


def test_a_group_applies_and_the_committee_grants_pays_and_closes_its_file(
    page, live_server
):
    application_id = apply_and_schedule(
        page, live_server, "Tournoi de pétanque jusqu'au bilan"
    )
    answers = _open_the_committee_of(live_server, application_id)
    page.context.clear_cookies()
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
    page.locator("#d-amount").fill("350")
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
    expect(page.locator("#a-amount")).to_have_value("245.00")
    page.locator("#advance-form [type=submit]").click()
    expect(page.locator("#payments")).to_be_visible()
    page.locator("#request-report-form [type=submit]").click()
    assert _state(live_server, application_id) is ApplicationState.REPORT_DUE
    _sign_out(page)

    # The resident who applied files the bilan with a receipt.
    sign_in(page, RESIDENT_EMAIL, _password(RESIDENT_EMAIL))
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
        assert sum(p.amount for p in application.payments) == Decimal("350.00")
    assert not live_server.server_errors
