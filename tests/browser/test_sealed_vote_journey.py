"""The whole vote of issue 8 in a real browser, from the key ceremony to the result.

Staff hold the key ceremony with three trustees (two shares of three open the box);
a resident votes online; a relay opens a desk, prints the ballots, signs a walk-in
voter in, closes the desk with its procès-verbal, and the paper batch is keyed twice.
The vote is closed early with a reason; the count is refused while the batch is
outside the box and the box is sealed; the batch goes in, two trustees open the box,
the votes are counted, one staff member certifies and another publishes.

Elements are found by id, name or URL, never by text: the pages are translated.
Every page visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.demo import (
    ADMIN_EMAIL,
    DEMO_PEOPLE,
    RELAY_EMAIL,
    RESIDENT_EMAIL,
    STAFF_EMAIL,
)
from participation.accounts.models import User
from participation.budget.models import Envelope
from participation.core.time import utcnow
from participation.council.demo import MEMBER_EMAIL
from participation.extensions import db
from participation.voting.desks import services as desk_services
from participation.voting.models import Ballot
from participation.voting.states import BallotType, Channel

from .conftest import sign_in
from .test_voting_journey import _make_round

pytestmark = pytest.mark.browser

PASSWORDS = {person.login: person.password for person in DEMO_PEOPLE}
PARIS = ZoneInfo("Europe/Paris")


def _sign_in(page, identifier: str) -> None:
    page.context.clear_cookies()
    sign_in(page, identifier, PASSWORDS[identifier])


def _user_ids(live_server, *emails: str) -> list[int]:
    with live_server.app.app_context():
        ids = [
            db.session.scalar(sa.select(User.id).where(User.email == email))
            for email in emails
        ]
        db.session.remove()
    assert all(ids)
    return ids


def _ballots(live_server, envelope_id: int) -> dict[Channel, int]:
    with live_server.app.app_context():
        rows = db.session.execute(
            sa.select(Ballot.channel, sa.func.count())
            .where(Ballot.envelope_id == envelope_id)
            .group_by(Ballot.channel)
        ).all()
        db.session.remove()
    return {channel: count for channel, count in rows}


def _ballot_number(live_server, envelope_id: int, idea_id: int) -> int:
    """What a keyer types for *idea_id*: its number on the printed ballot."""
    with live_server.app.app_context():
        envelope = db.session.get(Envelope, envelope_id)
        number = desk_services.ballot_numbers(envelope)[idea_id]
        db.session.commit()
        db.session.remove()
    return number


def _pdf(page, url: str) -> bytes:
    response = page.request.get(url)
    assert response.status == 200, url
    assert response.headers["content-type"].startswith("application/pdf")
    body = response.body()
    assert body.startswith(b"%PDF"), url
    return body


def test_ceremony_online_and_desk_votes_refused_count_opened_box_four_eyes(
    page, live_server
) -> None:
    round_id, envelope_id, ideas = _make_round(
        live_server, "main", BallotType.APPROVAL, ceremony=False
    )
    results = f"/rounds/{round_id}/results"

    # The key ceremony: three trustees, two shares open the box; checked once.
    _sign_in(page, STAFF_EMAIL)
    page.goto(results)
    expect(page.locator("#no-ceremony")).to_be_visible()
    page.goto(f"/rounds/{round_id}/vote/ceremony")
    for user_id in _user_ids(live_server, STAFF_EMAIL, ADMIN_EMAIL, MEMBER_EMAIL):
        page.locator(f'input[name="trustees"][value="{user_id}"]').check()
    page.locator("#threshold").fill("2")
    page.locator("#start-ceremony").click()
    expect(page.locator("#ceremony-shares")).to_be_visible()
    shares = [
        page.locator(f"#share-{n} .share-code").inner_text().strip() for n in (1, 2, 3)
    ]
    assert len(set(shares)) == 3
    page.locator("#share_1").fill(shares[0])
    page.locator("#share_2").fill(shares[0])  # the same share twice: refused
    page.locator("#check-shares").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.locator("#share_1").fill(shares[1])
    page.locator("#share_2").fill(shares[2])
    page.locator("#check-shares").click()
    expect(page.locator("#ceremony-done")).to_be_visible()

    # A resident votes online and gets the fingerprint of the sealed ballot.
    _sign_in(page, RESIDENT_EMAIL)
    page.goto(f"/rounds/{round_id}/vote")
    page.locator(f"#project-{ideas[0]}").check()
    page.locator("#ballot-form button[type=submit]").click()
    page.locator("#confirm-vote").click()
    code = page.locator("#receipt-code").inner_text().strip()
    assert len(code) == 64

    # A relay opens a desk, prints the ballots, signs a walk-in voter in.
    _sign_in(page, RELAY_EMAIL)
    page.locator("#nav-desks").click()
    page.locator(f"#round-{round_id}").click()
    printed = page.locator("#ballot-papers a").first.get_attribute("href")
    assert printed is not None
    _pdf(page, printed)
    page.locator("#desk-create-link").click()
    page.locator("#place").fill("Maison de quartier, bureau du vote scellé")
    page.locator("#desk-form #submit").click()
    expect(page).to_have_url(re.compile(r"/desks/\d+$"))
    desk_url = page.url
    page.locator("#walk-in-link").click()
    page.locator("#pseudonym").fill("Votante au bureau")
    page.locator("#birth_year").fill("1949")
    page.locator("#proof_checked").check()
    page.locator("#consent").check()
    page.locator("#walk-in-form #submit").click()
    expect(page).to_have_url(desk_url)
    expect(page.locator("#figure-sign-ins")).to_have_text("1")

    # The desk closes; the paper batch is keyed by the relay.
    sheet = page.locator("#sign-in-sheet-link").get_attribute("href")
    assert sheet is not None
    _pdf(page, sheet)
    page.locator("#desk-close").click()  # the confirmation page
    page.locator("#desk-close").click()
    # The procès-verbal of the closed desk, prefilled, to sign.
    minutes = page.locator("#minutes-pdf-link").get_attribute("href")
    assert minutes is not None
    assert b"%PDF" in _pdf(page, minutes)[:8]
    page.locator("#batch-create-link").click()
    page.locator("#declared_count").fill("1")
    page.locator("#batch-form #submit").click()
    expect(page).to_have_url(re.compile(r"/desks/batches/\d+$"))
    batch_url = page.url
    number = str(_ballot_number(live_server, envelope_id, ideas[1]))
    page.locator("#keying-start").click()
    page.locator("#b1_choices").fill(number)
    page.locator("#finish").click()
    expect(page).to_have_url(batch_url)

    # Staff key it again, the same; the batch is reconciled but not deposited.
    _sign_in(page, STAFF_EMAIL)
    page.goto(batch_url)
    page.locator("#keying-start").click()
    page.locator("#b1_choices").fill(number)
    page.locator("#finish").click()
    expect(page).to_have_url(batch_url)
    if page.locator("#batch-reconcile").count():
        page.locator("#batch-reconcile").click()
    expect(page.locator("#batch-state")).to_have_attribute("data-state", "reconciled")

    # The vote closes early, with a reason. The count is refused: the batch is
    # outside the box, so the desk's sign-ins are not matched, and the box is sealed.
    page.goto(f"/rounds/{round_id}/vote/end")
    now = utcnow().astimezone(PARIS).replace(second=0, microsecond=0)
    page.locator("#closes_at").fill(now.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#vote-close-submit").click()  # no reason: refused
    expect(page.locator("#error-summary")).to_be_visible()
    page.locator("#reason").fill("Le dernier bureau a fermé, le vote se clôt.")
    page.locator("#vote-close-submit").click()
    page.goto(results)
    expect(page.locator("#count-refusals li")).to_have_count(3)
    expect(page.locator("#compute-results")).to_have_count(0)

    # The batch goes in the box; two trustees open it; the votes are counted.
    page.goto(batch_url)
    page.locator("#batch-deposit").click()  # the confirmation page
    page.locator("#batch-deposit").click()
    expect(page.locator("#batch-state")).to_have_attribute("data-state", "deposited")
    page.goto(results)
    expect(page.locator("#count-refusals li")).to_have_count(1)
    page.locator("#open-box-link").click()
    page.locator("#share_1").fill(shares[0])
    page.locator("#share_2").fill(shares[2])
    page.locator("#open-box").click()
    expect(page.locator("#box-opened")).to_be_visible()
    page.goto(results)
    page.locator("#compute-results").click()  # the confirmation page
    expect(page.locator("#cannot-undo")).to_be_visible()
    page.locator("#compute-results").click()
    assert _ballots(live_server, envelope_id) == {Channel.ONLINE: 1, Channel.PAPER: 1}

    # Four eyes: staff certify; the same person cannot publish; the admin does.
    page.goto(f"/results/{envelope_id}")
    page.locator("#result-certify").click()  # the confirmation page
    page.locator("#result-certify").click()
    page.goto(f"/results/{envelope_id}")
    expect(page.locator("#four-eyes")).to_be_visible()
    expect(page.locator("#result-publish")).to_have_count(0)
    _sign_in(page, ADMIN_EMAIL)
    page.goto(f"/results/{envelope_id}")
    page.locator("#result-publish").click()
    page.locator("#result-publish").click()
    expect(page.locator("#result-state")).to_be_visible()

    # The public result: the receipt is in the list of the counted box.
    page.context.clear_cookies()
    page.goto(f"/results/{envelope_id}")
    page.locator("#code").fill(code)
    page.locator("#receipt-check button[type=submit]").click()
    expect(page.locator("#receipt-found")).to_be_visible()
    assert not live_server.server_errors
