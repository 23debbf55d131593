"""The citizens' council in a real browser (issue 10).

Staff import a pool and draw in front of two witnesses, plan a meeting and convene
it (the e-mail carries an .ics in Europe/Paris); the secretary records attendance
with a proxy, sees the quorum, opens the session, has a deliberation adopted, closes
and drafts the minutes; the next meeting approves them by a vote; they are published
and locked; a visitor finds them in the public archive and downloads the PDF; the
public pages are read in French and in Arabic (right to left) on a 390 px screen.

Elements are found by id, name or URL, never by text: the pages are translated.
Every page visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import io
import itertools
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from participation.accounts.demo import STAFF_EMAIL
from participation.core.outbox import send_pending
from participation.core.time import PARIS, utcnow
from participation.council import demo
from participation.council.models import Council, Meeting
from participation.council.services import attendance
from participation.extensions import db
from participation.territories.models import Territory

from .conftest import sign_in

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)
PASSWORDS = {
    STAFF_EMAIL: "agent-demo-pv",
    demo.SECRETARY_EMAIL: demo.SECRETARY_PASSWORD,
}


def _sign_in(page, login: str) -> None:
    sign_in(page, login, PASSWORDS[login])
    expect(page.locator("#signout-button")).to_be_visible()


def _sign_out(page) -> None:
    page.locator("#signout-button").click()


def _council(live_server) -> tuple[int, int]:
    """(council id, the secretary's member id) of the main demo QPV."""
    with live_server.app.app_context():
        council = db.session.scalars(
            sa.select(Council)
            .join(Territory, Territory.id == Council.territory_id)
            .where(Territory.code == demo.MAIN_QPV_CODE)
        ).one()
        secretary = next(
            m for m in council.members if m.is_secretary and m.left_on is None
        )
        return council.id, secretary.id


def _another_member(live_server, meeting_id: int, not_id: int) -> int:
    with live_server.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting is not None
        member = next(
            m
            for m in attendance.sheet_members(meeting)
            if m.id != not_id and m.is_voting and m.user.email
        )
        return member.id


def _plan_meeting(page, council_id: int, title: str, day: str, starts: str, ends: str):
    page.goto(f"/councils/{council_id}/meetings")
    page.locator("#meeting-create-link").click()
    page.locator("#title").fill(title)
    page.locator("#kind").select_option("plenary")
    page.locator("#day").fill(day)
    page.locator("#starts").fill(starts)
    page.locator("#ends").fill(ends)
    page.locator("#place").fill("Maison des associations")
    page.locator("#meeting-form #submit").click()
    expect(page).to_have_url(re.compile(r"/councils/meetings/\d+/manage$"))
    return int(page.url.split("/")[-2])


def _add_item(page, kind: str, title: str, minutes_id: int | None = None) -> None:
    page.locator("#item-create-link").click()
    page.locator("#kind").select_option(kind)
    page.locator("#title").fill(title)
    if minutes_id is not None:
        page.locator("#minutes_id").select_option(str(minutes_id))
    page.locator("#item-form #submit").click()
    expect(page).to_have_url(re.compile(r"/manage$"))


def _hold_vote(
    page, meeting_id: int, motion: str, counts: tuple[int, int, int]
) -> None:
    """Open the session with everyone present and record one adopted vote."""
    page.goto(f"/councils/meetings/{meeting_id}/manage")
    page.locator("#meeting-open").click()
    expect(page.locator("#meeting-state .badge")).to_have_attribute(
        "data-state", "open"
    )
    page.locator("a[id^=vote-link-]").first.click()
    page.locator("#motion").fill(motion)
    page.locator("#votes_for").fill(str(counts[0]))
    page.locator("#votes_against").fill(str(counts[1]))
    page.locator("#abstentions").fill(str(counts[2]))
    page.locator("#vote-form #submit").click()
    expect(page.locator("#vote-outcome")).to_have_attribute("data-outcome", "adopted")


def test_draw_convocation_attendance_vote_minutes_and_public_archive(
    page, live_server, axe_scanner
):
    council_id, secretary_id = _council(live_server)
    n = next(_numbers)
    tomorrow = (utcnow().astimezone(PARIS) + timedelta(days=1)).date().isoformat()

    # Staff import a pool (a bad file first: lines named, nothing kept) and draw.
    _sign_in(page, STAFF_EMAIL)
    page.locator("#nav-councils-admin").click()
    page.locator(f"#draws-link-{council_id}").click()
    page.locator("#draw-create-link").click()
    page.locator("#title").fill(f"Tirage complémentaire {n}")
    page.locator("#titulars_per_stratum").fill("2")
    page.locator("#substitutes_per_stratum").fill("1")
    page.locator("#pool_file").set_input_files(
        files=[
            {
                "name": "liste.csv",
                "mimeType": "text/csv",
                "buffer": b"reference;sexe\nV1;F\nV2;?\n",
            }
        ]
    )
    page.locator("#pool-form #submit").click()
    expect(page.locator("#pool_file-error")).to_contain_text("3")
    pool = "reference;nom;sexe\n" + "".join(
        f"V{n}-F{i};Mme {i};F\nV{n}-M{i};M. {i};M\n" for i in range(4)
    )
    page.locator("#pool_file").set_input_files(
        files=[{"name": "liste.csv", "mimeType": "text/csv", "buffer": pool.encode()}]
    )
    page.locator("#pool-form #submit").click()
    expect(page).to_have_url(re.compile(r"/councils/draws/\d+$"))
    expect(page.locator("#pool-size")).to_have_text("8")
    page.locator("#seed").fill("5 2 6 1")
    page.locator("#witnesses").fill("Mme Josette Cazals\nM. Rachid Amrani")
    page.locator("#draw-form #submit").click()
    expect(page.locator("#draw-seed")).to_have_text("5 2 6 1")
    expect(page.locator("#draw-witnesses")).to_contain_text("Rachid Amrani")
    report = page.request.get(page.locator("#draw-report-link").get_attribute("href"))
    report_text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(report.body())).pages
    )
    assert "5 2 6 1" in report_text
    assert "Josette Cazals" in report_text

    # Staff plan a meeting for tomorrow and convene it.
    first_id = _plan_meeting(
        page, council_id, f"Plénière du parcours {n}", tomorrow, "18:00", "19:30"
    )
    _add_item(page, "deliberation", "Avis sur la fête de quartier")
    page.locator("#meeting-convene").click()
    expect(page).to_have_url(re.compile(r"/convocations$"))
    expect(page.locator("#convocations-table .convocation-paper").first).to_be_visible()
    with live_server.app.app_context():
        send_pending(limit=10_000)  # the outbox job (the demo left messages queued)
    message = next(
        m
        for m in reversed(live_server.emails())
        if m["To"] == demo.SECRETARY_EMAIL
        and f"Plénière du parcours {n}" in m["Subject"]
    )
    ics = next(message.iter_attachments())
    assert ics.get_content_type() == "text/calendar"
    event = Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert start.tzinfo == ZoneInfo("Europe/Paris")
    assert (start.date().isoformat(), start.hour, start.minute) == (tomorrow, 18, 0)
    _sign_out(page)

    # The secretary records attendance with one proxy and sees the quorum.
    _sign_in(page, demo.SECRETARY_EMAIL)
    page.locator("#nav-my-council").click()
    page.locator(f"#my-meeting-{first_id} a").first.click()
    page.locator("#manage-link").click()
    page.locator("#attendance-link").click()
    expect(page.locator("#quorum")).to_have_attribute("data-met", "no")
    page.locator("#all-present").click()
    represented = _another_member(live_server, first_id, secretary_id)
    page.locator(f"#status_{represented}").select_option("represented")
    page.locator(f"#holder_{represented}").select_option(str(secretary_id))
    page.locator("#attendance-form #submit").click()
    expect(page.locator("#quorum")).to_have_attribute("data-met", "yes")
    expect(page.locator(f"#status_{represented}")).to_have_value("represented")

    # The session opens, the deliberation is adopted, the minutes are drafted.
    _hold_vote(page, first_id, "Le conseil soutient la fête de quartier.", (12, 2, 1))
    page.goto(f"/councils/meetings/{first_id}/manage")
    page.locator("#meeting-close").click()
    page.locator("#minutes-start").click()
    expect(page).to_have_url(re.compile(r"/councils/minutes/\d+/edit$"))
    minutes_id = int(page.url.split("/")[-2])
    body = page.locator("#body").input_value()
    assert "Le conseil soutient la fête de quartier." in body
    page.locator("#body").fill(body + "\nDébats : accord large sur la date.\n")
    page.locator("#comment").fill("Débats")
    page.locator("#minutes-form #submit").click()
    page.locator("#minutes-propose").click()
    expect(page.locator("#minutes-state .badge")).to_have_attribute(
        "data-state", "proposed"
    )
    _sign_out(page)

    # The next meeting puts their approval on its agenda.
    _sign_in(page, STAFF_EMAIL)
    second_id = _plan_meeting(
        page, council_id, f"Séance suivante {n}", tomorrow, "20:00", "21:00"
    )
    _add_item(page, "minutes_approval", "Approbation du compte rendu", minutes_id)
    page.locator("#meeting-convene").click()
    _sign_out(page)

    _sign_in(page, demo.SECRETARY_EMAIL)
    page.goto(f"/councils/meetings/{second_id}/attendance")
    page.locator("#all-present").click()
    expect(page.locator("#quorum")).to_have_attribute("data-met", "yes")
    _hold_vote(page, second_id, "Le compte rendu est approuvé.", (14, 0, 1))
    page.goto(f"/councils/meetings/{first_id}/minutes")
    expect(page.locator("#minutes-state .badge")).to_have_attribute(
        "data-state", "approved"
    )
    page.locator("#minutes-publish").click()
    page.locator("#minutes-lock").click()
    expect(page.locator("#minutes-state .badge")).to_have_attribute(
        "data-state", "locked"
    )
    expect(page.locator("#minutes-edit")).to_have_count(0)
    _sign_out(page)

    # A visitor finds them in the archive and downloads the PDF.
    page.goto(f"/councils/{council_id}")
    page.locator("#archive-link").click()
    page.locator("#q").fill("fête de quartier")
    page.locator("#archive-submit").click()
    entry = page.locator(f"#archive-meeting-{first_id}")
    expect(entry).to_be_visible()
    entry.locator(".minutes-link").click()
    expect(page.locator("#minutes-body")).to_contain_text("accord large")
    pdf = page.request.get(
        live_server.url_for(f"/councils/meetings/{first_id}/minutes.pdf")
    )
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Le conseil soutient la fête de quartier." in text
    assert "12 / 2 / 1" in text
    assert "Représenté" in text  # the attendance, in French
    assert any("/attendance" in url for url in axe_scanner.scanned)


def test_public_council_pages_in_french_and_arabic_on_a_phone(
    page, live_server, axe_scanner
):
    council_id, _secretary = _council(live_server)
    with live_server.app.app_context():
        meeting = db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.council_id == council_id, Meeting.state == "closed")
            .order_by(Meeting.starts_at)
        ).first()
        assert meeting is not None
        meeting_id = meeting.id
    page.set_viewport_size({"width": 390, "height": 844})
    urls = [
        "/councils/",
        f"/councils/{council_id}",
        f"/councils/{council_id}/archive",
        f"/councils/meetings/{meeting_id}",
        f"/councils/meetings/{meeting_id}/minutes",
    ]
    html = page.locator("html")
    for url in urls:
        page.goto(url)
        expect(html).to_have_attribute("lang", "fr")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".lang-switch").get_by_role("link", name="العربية").click()
    expect(html).to_have_attribute("lang", "ar")
    for url in urls:  # a visitor's language is in the address (cookie-free)
        page.goto(f"{url}?lang=ar")
        expect(html).to_have_attribute("dir", "rtl")
        expect(html).to_have_attribute("lang", "ar")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert len(axe_scanner.scanned) >= 2 * len(urls)
