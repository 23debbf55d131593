"""The vote in a real browser: an approval ballot and its receipt, a second attempt
refused, a knapsack ballot over budget explained, staff count, certify and publish,
and the public results with the round-by-round table and the voter's receipt.

The journey uses rounds of its own (made in the live server's database), so the demo's
vote in progress stays as it is for other journeys. "Closing" a vote is its closing
date passing: the test moves that date into the past. Elements are found by id, name
or URL, never by text. Every page visited is scanned by axe-core (``page`` fixture).
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.demo import (
    ADMIN_EMAIL,
    DEMO_PEOPLE,
    RESIDENT_EMAIL,
    STAFF_EMAIL,
    main_qpv,
)
from participation.accounts.models import User
from participation.budget.models import Envelope, Idea, Round
from participation.budget.states import IdeaState
from participation.core.actors import SYSTEM
from participation.core.time import utcnow
from participation.extensions import db
from participation.territories.models import Territory
from participation.voting import services
from participation.voting.demo import CONTE_VOTER_EMAIL
from participation.voting.states import BallotType

from .conftest import sign_in

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)
PASSWORDS = {person.login: person.password for person in DEMO_PEOPLE}
COSTS = ("4000", "5000", "6000")


#: The trustees' shares of each round's key ceremony, by round id.
SHARES: dict[int, tuple[str, ...]] = {}


def _make_round(
    live_server,
    territory_name_like: str,
    ballot_type: BallotType,
    *,
    ceremony: bool = True,
):
    """A round in its vote week on one QPV: (round id, envelope id, idea ids).

    Paper and online; with its key ceremony done unless *ceremony* is False (a
    journey that holds the ceremony in the page).
    """
    n = next(_numbers)
    with live_server.app.app_context():
        now = utcnow()
        day = timedelta(days=1)
        if territory_name_like == "main":
            territory = main_qpv()
        else:
            territory = db.session.scalars(
                sa.select(Territory).where(
                    Territory.name.ilike(f"%{territory_name_like}%")
                )
            ).first()
        author = db.session.scalar(sa.select(User).where(User.email == STAFF_EMAIL))
        round_ = Round(
            title=f"Parcours de vote {n}",
            min_cost=Decimal("100"),
            max_cost=Decimal("20000"),
            published_at=now - 60 * day,
            submission_opens_at=now - 50 * day,
            submission_closes_at=now - 40 * day,
            review_closes_at=now - 30 * day,
            announcement_at=now - 20 * day,
            vote_opens_at=now - day,
            vote_closes_at=now + 7 * day,
        )
        round_.envelopes = [
            Envelope(territory_id=territory.id, amount=Decimal("10000"))
        ]
        db.session.add(round_)
        db.session.flush()
        ideas = [
            Idea(
                round=round_,
                author_id=author.id,
                territory_id=territory.id,
                title=f"Projet de parcours {n}-{k}",
                description="Un projet pour le parcours de vote.",
                accepted_rules_at=now - 45 * day,
                submitted_at=now - 45 * day + k * timedelta(minutes=1),
                state=IdeaState.ELIGIBLE,
                final_cost=Decimal(cost),
            )
            for k, cost in enumerate(COSTS)
        ]
        db.session.add_all(ideas)
        db.session.flush()
        services.save_rules(
            round_,
            services.RulesData(ballot_type=ballot_type, max_projects=3),
            SYSTEM,
            now=round_.announcement_at,
        )
        if ceremony:
            # The key ceremony (2 of 3) before online voting; trustees keep the shares.
            SHARES[round_.id] = services.completed_ceremony(round_, author, now.date())
        db.session.commit()
        ids = (round_.id, round_.envelopes[0].id, [i.id for i in ideas])
        db.session.remove()
        return ids


def _close(live_server, round_id: int) -> None:
    with live_server.app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.vote_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        db.session.remove()


def _sign_in(page, identifier: str) -> None:
    sign_in(page, identifier, PASSWORDS[identifier])


def _sign_out(page) -> None:
    page.locator('form[action*="/signout"] button[type="submit"]').click()


def test_vote_receipt_refusal_knapsack_count_and_published_results(page, live_server):
    round_id, envelope_id, ideas = _make_round(live_server, "main", BallotType.APPROVAL)

    # A verified resident casts an approval ballot and gets a receipt.
    _sign_in(page, RESIDENT_EMAIL)
    page.goto("/votes")
    page.locator(f'a[href="/rounds/{round_id}/vote"]').click()
    page.locator(f"#project-{ideas[0]}").check()
    page.locator(f"#project-{ideas[2]}").check()
    expect(page.locator("#ballot-total")).to_be_visible()  # the running total (JS)
    page.locator("#ballot-form button[type=submit]").click()
    expect(page.locator("#review-choices li")).to_have_count(2)
    page.locator("#confirm-vote").click()
    code = page.locator("#receipt-code").inner_text().strip()
    assert len(code) == 64, "the receipt is the sealed ballot's SHA-256 fingerprint"

    # A second attempt is refused.
    page.goto(f"/rounds/{round_id}/vote")
    expect(page.locator('#vote-refusal[data-reason="already_voted"]')).to_be_visible()
    _sign_out(page)

    # A knapsack ballot over budget is explained next to the form, choices kept.
    knapsack_id, _, knapsack_ideas = _make_round(
        live_server, "conte", BallotType.KNAPSACK
    )
    _sign_in(page, CONTE_VOTER_EMAIL)
    page.goto(f"/rounds/{knapsack_id}/vote")
    page.locator(f"#project-{knapsack_ideas[1]}").check()
    page.locator(f"#project-{knapsack_ideas[2]}").check()  # 5,000 + 6,000 > 10,000
    expect(page.locator("#ballot-total")).to_have_class(
        "callout ballot-total ballot-total-problem"
    )
    page.locator("#ballot-form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator(f"#project-{knapsack_ideas[2]}")).to_be_checked()
    _sign_out(page)

    # Staff count, certify and publish once the vote has closed.
    _close(live_server, round_id)
    _sign_in(page, STAFF_EMAIL)
    page.goto(f"/rounds/{round_id}/results")
    # Two of the three trustees open the sealed box, then the count runs.
    page.locator("#open-box-link").click()
    page.locator("#share_1").fill(SHARES[round_id][0])
    page.locator("#share_2").fill(SHARES[round_id][2])
    page.locator("#open-box").click()
    page.goto(f"/rounds/{round_id}/results")
    page.locator("#compute-results").click()  # the confirmation page
    page.locator("#compute-results").click()
    page.goto(f"/results/{envelope_id}")
    page.locator("#result-certify").click()
    page.locator("#result-certify").click()
    # Four eyes: the one who certified cannot publish; a second staff member does.
    _sign_out(page)
    _sign_in(page, ADMIN_EMAIL)
    page.goto(f"/results/{envelope_id}")
    page.locator("#result-publish").click()
    page.locator("#result-publish").click()
    expect(page.locator("#result-state")).to_be_visible()
    _sign_out(page)

    # The public results: the round-by-round table, the receipt in the list.
    page.goto(f"/results/{envelope_id}")
    expect(page.locator("#steps tbody tr")).to_have_count(len(COSTS))
    page.locator("#receipt-list summary").click()
    expect(page.locator("#receipt-list")).to_contain_text(services.receipt_hash(code))
    page.locator("#code").fill(code)
    page.locator("#receipt-check button[type=submit]").click()
    expect(page.locator("#receipt-found")).to_be_visible()
