"""A polling desk in a real browser (issue 4): a relay opens a desk, signs a walk-in
voter in with a new account, closes the desk and keys the paper batch; staff keys it
again and reads one ballot differently; a third person settles it, and the batch goes
in the ballot box. The desk then shows as many paper ballots as sign-ins.

Elements are found by id, name or URL, never by text: the pages are translated.
Every page visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.demo import (
    ADMIN_EMAIL,
    DEMO_PEOPLE,
    RELAY_EMAIL,
    STAFF_EMAIL,
)
from participation.accounts.models import User
from participation.budget.models import Envelope, Idea, Round
from participation.budget.states import IdeaState, RoundPhase
from participation.core.actors import SYSTEM
from participation.core.time import utcnow
from participation.extensions import db
from participation.territories.models import Territory, TerritoryKind
from participation.voting import services as voting
from participation.voting.desks import services as desk_services
from participation.voting.models import Ballot, VoteRules
from participation.voting.states import Channel

from .conftest import sign_in

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)


def _password(login: str) -> str:
    return next(p.password for p in DEMO_PEOPLE if p.login == login)


def _sign_in(page, login: str) -> None:
    sign_in(page, login, _password(login))
    expect(page.locator("#signout-button")).to_be_visible()


def _sign_out(page) -> None:
    page.locator('form[action*="/signout"] button[type="submit"]').click()


def _first_number(envelope: Envelope) -> int:
    """The ballot number of the envelope's first project (what a keyer types)."""
    numbers = desk_services.ballot_numbers(envelope)
    db.session.commit()
    return next(iter(numbers.values()))


def _paper_vote(live_server) -> tuple[int, int, int]:
    """(round id, QPV id, a project's ballot number) of a vote held on paper now.

    The demo's voting round when it has one; otherwise a round made for the journey.
    """
    now = utcnow()
    with live_server.app.app_context():
        rounds = db.session.scalars(
            sa.select(Round)
            .join(VoteRules, VoteRules.round_id == Round.id)
            .where(VoteRules.is_paper_enabled.is_(True))
        ).all()
        for round_ in rounds:
            if round_.phase_at(now) is not RoundPhase.VOTE:
                continue
            for envelope in round_.envelopes:
                projects = voting.ballot_projects(envelope)
                if projects:
                    return round_.id, envelope.territory_id, _first_number(envelope)
        territory = db.session.scalars(
            sa.select(Territory)
            .where(Territory.kind == TerritoryKind.QPV)
            .order_by(Territory.id)
        ).first()
        author = db.session.scalars(sa.select(User).order_by(User.id)).first()
        assert territory is not None
        assert author is not None
        day = timedelta(days=1)
        round_ = Round(
            title="Budget participatif — vote au bureau (parcours)",
            min_cost=Decimal("100"),
            max_cost=Decimal("20000"),
            published_at=now - 60 * day,
            submission_opens_at=now - 50 * day,
            submission_closes_at=now - 40 * day,
            review_closes_at=now - 30 * day,
            announcement_at=now - 20 * day,
            vote_opens_at=now - 2 * day,
            vote_closes_at=now + 5 * day,
        )
        round_.envelopes = [Envelope(territory_id=territory.id, amount=Decimal(9000))]
        db.session.add(round_)
        db.session.flush()
        idea = Idea(
            round=round_,
            author_id=author.id,
            territory_id=territory.id,
            title="Bancs et ombre au square",
            description="Trois bancs et deux arbres.",
            accepted_rules_at=now - 45 * day,
            submitted_at=now - 45 * day,
            state=IdeaState.ELIGIBLE,
            final_cost=Decimal(4000),
        )
        db.session.add(idea)
        db.session.flush()
        voting.save_rules(
            round_,
            voting.RulesData(max_projects=2),
            SYSTEM,
            now=round_.announcement_at,
        )
        db.session.commit()
        return round_.id, territory.id, _first_number(round_.envelopes[0])


def _paper_ballots(live_server, territory_id: int, round_id: int) -> int:
    with live_server.app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Ballot)
            .join(Envelope, Envelope.id == Ballot.envelope_id)
            .where(
                Envelope.round_id == round_id,
                Envelope.territory_id == territory_id,
                Ballot.channel == Channel.PAPER,
            )
        )


def test_relay_signs_in_a_walk_in_voter_and_two_people_key_the_paper_batch(
    page, live_server, axe_scanner
):
    round_id, territory_id, project_number = _paper_vote(live_server)
    before = _paper_ballots(live_server, territory_id, round_id)
    n = next(_numbers)

    # The relay opens a desk for today.
    _sign_in(page, RELAY_EMAIL)
    page.locator("#nav-desks").click()
    page.locator(f"#round-{round_id}").click()
    # The ballots to print: a PDF per neighbourhood, with the ballot numbers.
    ballots = page.locator("#ballot-papers a").first
    href = ballots.get_attribute("href")
    assert href is not None
    assert href.endswith("/ballots.pdf")
    printed = page.request.get(href)
    assert printed.ok
    assert printed.body().startswith(b"%PDF")
    page.locator("#desk-create-link").click()
    page.locator("#territory").select_option(str(territory_id))
    page.locator("#place").fill(f"Centre social, bureau du parcours {n}")
    page.locator("#desk-form #submit").click()
    expect(page).to_have_url(re.compile(r"/desks/\d+$"))
    desk_url = page.url

    # A walk-in voter without an account: proof of address checked, account made.
    page.locator("#walk-in-link").click()
    page.locator("#walk-in-form #submit").click()  # empty: errors next to the fields
    expect(page.locator("#error-summary")).to_be_visible()
    pseudonym = f"Passante {n}"
    page.locator("#pseudonym").fill(pseudonym)
    page.locator("#birth_year").fill("1957")
    page.locator("#proof_checked").check()
    page.locator("#consent").check()
    page.locator("#walk-in-form #submit").click()
    expect(page).to_have_url(desk_url)
    expect(page.locator("#new-account-code")).to_be_visible()
    expect(page.locator("#figure-sign-ins")).to_have_text("1")

    # Found again, the voter shows as having voted.
    page.locator("#sign-in-link").click()
    page.locator("#q").fill(pseudonym)
    page.locator("#voter-search-submit").click()
    page.locator("#voters-table a").first.click()
    expect(page.locator("#already-voted")).to_be_visible()

    # The desk closes; its paper ballots are counted in a batch.
    page.goto(desk_url)
    page.locator("#desk-close").click()  # the confirmation page
    page.locator("#desk-close").click()
    page.locator("#batch-create-link").click()
    page.locator("#declared_count").fill("1")
    page.locator("#batch-form #submit").click()
    expect(page).to_have_url(re.compile(r"/desks/batches/\d+$"))
    batch_url = page.url
    page.locator("#keying-start").click()
    page.locator("#b1_choices").fill("abc")
    page.locator("#finish").click()  # not a project number: explained, kept
    expect(page.locator("#b1_choices-error")).to_be_visible()
    expect(page.locator("#b1_choices")).to_have_value("abc")
    page.locator("#b1_choices").fill("999")
    page.locator("#finish").click()  # no such number on the ballot: explained, kept
    expect(page.locator("#b1_choices-error")).to_contain_text("999")
    expect(page.locator("#b1_choices")).to_have_value("999")
    page.locator("#b1_choices").fill(str(project_number))
    page.locator("#finish").click()
    expect(page).to_have_url(batch_url)
    expect(page.locator("#batch-state")).to_have_attribute("data-state", "first_keyed")
    _sign_out(page)

    # Staff keys the same batch and reads the ballot as blank.
    _sign_in(page, STAFF_EMAIL)
    page.goto(batch_url)
    page.locator("#keying-start").click()
    page.locator("#b1_mark").select_option("blank")
    page.locator("#finish").click()
    expect(page.locator("#batch-state")).to_have_attribute("data-state", "second_keyed")
    page.locator("#reconciliation-link").click()
    expect(page.locator("#mismatch-1")).to_be_visible()
    expect(page.locator("#third-person")).to_be_visible()
    reconciliation_url = page.url
    _sign_out(page)

    # A third person settles the difference with the paper in hand, then deposits.
    _sign_in(page, ADMIN_EMAIL)
    page.goto(reconciliation_url)
    page.locator("#p1-source-0").check()
    page.locator("#p1-submit").click()
    page.locator("#batch-reconcile").click()
    expect(page.locator("#batch-state")).to_have_attribute("data-state", "reconciled")
    page.locator("#batch-deposit").click()  # the confirmation page
    page.locator("#batch-deposit").click()
    expect(page.locator("#batch-state")).to_have_attribute("data-state", "deposited")

    page.goto(desk_url)
    expect(page.locator("#desk-difference")).to_have_attribute("data-difference", "0")
    expect(page.locator("#figure-deposited")).to_have_text("1")
    assert _paper_ballots(live_server, territory_id, round_id) == before + 1
    assert any("/reconciliation" in url for url in axe_scanner.scanned)
