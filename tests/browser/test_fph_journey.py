"""A residents' fund file in a real browser (issue 11), on a 390 px phone: a resident
opens the fund page, applies in six steps (a budget that does not balance first,
then one that does), gets a receipt number and a committee date; staff mark the
file complete and it appears on the next committee's agenda.

fph2 continues the same journey from :func:`apply_and_schedule` (committee, letter,
payment, bilan, closed). The journey takes the main demo QPV's fund. Elements are
found by id, name or URL, never by text: the pages are translated. Every page
visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.demo import DEMO_PEOPLE, RESIDENT_EMAIL, STAFF_EMAIL
from participation.core.time import today_paris
from participation.extensions import db
from participation.fph.models import Application, Fund
from participation.fph.states import ApplicationState
from participation.territories.models import Territory

from .conftest import sign_in

pytestmark = pytest.mark.browser

MOBILE = {"width": 390, "height": 844}
MAIN_QPV = "QN01101M"
TITLE = "Tournoi de pétanque des familles"


def _password(login: str) -> str:
    return next(p.password for p in DEMO_PEOPLE if p.login == login)


def _sign_in_as(page, login: str, then: str) -> None:
    page.context.clear_cookies()
    sign_in(page, login, _password(login), then)
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def _main_fund(live_server) -> int:
    with live_server.app.app_context():
        fund_id = db.session.scalar(
            sa.select(Fund.id)
            .join(Territory, Territory.id == Fund.territory_id)
            .where(Territory.code == MAIN_QPV)
        )
        assert fund_id is not None
        db.session.remove()
        return fund_id


def _application(live_server, title: str) -> tuple[int, str, int | None, int | None]:
    with live_server.app.app_context():
        application = db.session.scalar(
            sa.select(Application).where(Application.title == title)
        )
        assert application is not None
        found = (
            application.id,
            application.state.value,
            application.meeting_id,
            application.agenda_item_id,
        )
        db.session.remove()
        return found


def _next(page) -> None:
    page.locator("#step-form #submit").click()
    page.wait_for_load_state()


def apply_and_schedule(page, live_server, title: str = TITLE) -> int:
    """The resident applies, staff mark the file complete; returns its id.

    Journeys share one server per worker, in any order: each names its file by
    its own ``title`` so that it finds its own file and not another journey's.

    On return the file is ``scheduled`` on the next committee's agenda and staff
    are signed in on the file's review page.
    """
    page.set_viewport_size(MOBILE)
    fund_id = _main_fund(live_server)
    page.goto("/fph")
    expect(page.locator("#fund-list")).to_be_visible()
    page.goto(f"/fph/funds/{fund_id}")
    expect(page.locator("#calendar")).to_be_visible()
    expect(page.locator("#paper-form-link")).to_be_visible()

    _sign_in_as(page, RESIDENT_EMAIL, f"/fph/funds/{fund_id}")
    page.locator("#start-form #submit").click()
    expect(page).to_have_url(re.compile(r"/steps/1$"))
    page.locator("#accept").check()
    _next(page)

    expect(page).to_have_url(re.compile(r"/steps/2$"))
    page.locator("#kind-0").check()
    page.locator("#name").fill("Les boulistes du square")
    page.locator("#contact_name").fill("Amina K.")
    page.locator("#contact_phone").fill("06 11 22 33 44")
    page.locator("#adult_names").fill("Amina K.\nGérard P.\nNadia S.")
    page.locator("#members_count").fill("7")
    _next(page)

    expect(page).to_have_url(re.compile(r"/steps/3$"))
    page.locator("#title").fill(title)
    page.locator("#description").fill("Un tournoi ouvert à toutes les familles.")
    page.locator("#audience").fill("Les familles du quartier.")
    page.locator("#starts_on").fill((today_paris() + timedelta(days=100)).isoformat())
    page.locator("#place").fill("Square Jean-Jaurès")
    page.locator("#expected_participants").fill("70")
    _next(page)

    expect(page).to_have_url(re.compile(r"/steps/4$"))
    page.locator("#expense_label_0").fill("Lots et coupes")
    page.locator("#expense_amount_0").fill("300")
    page.locator("#expense_label_1").fill("Goûter")
    page.locator("#expense_amount_1").fill("200")
    page.locator("#resource_label_0").fill("Buvette")
    page.locator("#resource_amount_0").fill("50")
    page.locator("#amount_requested").fill("400")
    _next(page)
    # Unbalanced (500 of expenses, 450 of resources): the message sits by the
    # resources and nothing typed is lost.
    expect(page.locator("#resource-lines-error")).to_be_visible()
    expect(page.locator("#expense_label_1")).to_have_value("Goûter")
    page.locator("#resource_amount_0").fill("100")
    _next(page)

    expect(page).to_have_url(re.compile(r"/steps/5$"))
    page.locator("#holder_name").fill("Amina K.")
    page.locator("#holder_iban").fill("FR76 3000 6000 0112 3456 7890 189")
    _next(page)

    expect(page).to_have_url(re.compile(r"/steps/6$"))
    expect(page.locator("#next-committee")).to_be_visible()
    _next(page)
    expect(page.locator("#receipt-number")).to_be_visible()
    expect(page.locator("#committee-date")).to_be_visible()
    application_id, state, meeting_id, _item = _application(live_server, title)
    assert state == ApplicationState.SUBMITTED.value
    assert meeting_id is not None

    page.goto("/fph/my")
    expect(
        page.locator(f'a[href="/fph/applications/{application_id}"]')
    ).to_be_visible()

    review = f"/fph/manage/applications/{application_id}"
    _sign_in_as(page, STAFF_EMAIL, review)
    page.locator("#mark-complete").click()
    expect(page.locator("#review-meeting")).to_be_visible()
    _id, state, meeting_id, item_id = _application(live_server, title)
    assert state == ApplicationState.SCHEDULED.value
    assert item_id is not None

    page.goto(f"/councils/meetings/{meeting_id}")
    expect(page.locator("#agenda")).to_contain_text(title)
    page.goto(review)
    return application_id


def test_a_group_applies_and_its_file_goes_on_the_committee_agenda(
    page, live_server
) -> None:
    application_id = apply_and_schedule(page, live_server)
    page.goto(f"/fph/files/{application_id}")
    expect(page.locator("#public-history")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("FR76")
    assert not live_server.server_errors
