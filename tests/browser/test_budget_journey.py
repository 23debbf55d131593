"""An idea's life in a real browser (issue 3): a resident submits an idea with a
photo, a relay submits one for a managed account with their consent, staff start the
review and assign both ideas to the demo reviewer, the reviewer fills the grid (one
idea fails a mandatory criterion, the other passes), staff declare the first
ineligible and retain the second; the ineligible idea's public page names the failed
criterion, the retained one is on its QPV's announcement page, and the resident's
outbox holds the e-mails of every state change.

The journey runs on a round of its own, made in the live server's database with the
budget services, so the demo rounds stay as they are for other journeys. Phases are
derived from the round's dates: between steps the test moves the round into its
review, then announcement phase with ``services.update_round`` (the same service the
round form uses: date order checked, audit entry written).

Elements are found by id, name or URL, never by text: the pages are translated.
Every page visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from participation.accounts.demo import (
    DEMO_PEOPLE,
    MANAGED_PSEUDONYM,
    RELAY_EMAIL,
    RESIDENT_EMAIL,
    REVIEWER_EMAIL,
    STAFF_EMAIL,
    main_qpv,
)
from participation.accounts.models import User
from participation.budget import services
from participation.budget.models import Idea, Round
from participation.budget.states import IdeaState, RoundPhase
from participation.core.i18n import money
from participation.core.models import OutboxMessage
from participation.core.time import utcnow
from participation.eligibility.demo import demo_grid_version
from participation.eligibility.models import GridVersion
from participation.eligibility.states import Check, CriterionKind
from participation.extensions import db
from participation.territories.models import Theme

from .conftest import sign_in

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)
DAY = timedelta(days=1)
#: The mandatory criterion the resident's idea fails (a private garden, say).
FAILED_CRITERION = "general_interest"
FINAL_COST = Decimal("8500")

#: Offsets (days from now) of the six dates, per phase the journey needs.
PHASE_DATES = {
    RoundPhase.SUBMISSION: (-1, 10, 20, 30, 40, 50),
    RoundPhase.REVIEW: (-20, -0.01, 10, 20, 30, 40),
    RoundPhase.ANNOUNCEMENT: (-30, -20, -10, -0.01, 10, 20),
}
DATE_NAMES = services.CALENDAR


def _password(login: str) -> str:
    return next(p.password for p in DEMO_PEOPLE if p.login == login)


def _sign_in(page, login: str, then: str) -> None:
    """Sign in from the sign-in page, which then leads to *then*."""
    sign_in(page, login, _password(login), then)
    expect(page).to_have_url(_path_pattern(then))
    expect(page.locator("#signout-button")).to_be_visible()


def _path_pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path) + "$")


def _leave(page) -> None:
    """The next person takes the browser (cookies cleared; signing out is tested
    by the accounts journey, and skipping it saves a page load per person)."""
    page.context.clear_cookies()


def _staff() -> User:
    staff = db.session.scalar(sa.select(User).where(User.email == STAFF_EMAIL))
    assert staff is not None
    return staff


def _dates(phase: RoundPhase) -> dict[str, datetime]:
    now = utcnow()
    return {
        name: now + days * DAY
        for name, days in zip(DATE_NAMES, PHASE_DATES[phase], strict=True)
    }


def _make_round(live_server) -> tuple[int, int]:
    """A published round in its submission phase on the demo QPV: (round, QPV) ids."""
    with live_server.app.app_context():
        staff = _staff()
        version = demo_grid_version()
        assert version is not None
        themes = db.session.scalars(
            sa.select(Theme.id).where(Theme.is_active.is_(True))
        ).all()
        data = services.RoundData(
            title=f"Parcours des idées {next(_numbers)}",
            rules_text="Un projet d'investissement, d'intérêt général.",
            min_cost=Decimal("500"),
            max_cost=Decimal("12000"),
            theme_ids=list(themes),
            grid_version_id=version.id,
            **_dates(RoundPhase.SUBMISSION),
        )
        round_ = services.create_round(data, staff)
        territory = main_qpv()
        services.set_envelopes(round_, {territory.id: Decimal("15000")}, staff)
        services.publish_round(round_, staff)
        db.session.commit()
        assert round_.phase is RoundPhase.SUBMISSION
        ids = round_.id, territory.id
        db.session.remove()
        return ids


def _move_to(live_server, round_id: int, phase: RoundPhase) -> None:
    """Move the round's dates so that it is in *phase* now, as staff would."""
    with live_server.app.app_context():
        round_ = db.session.get(Round, round_id)
        assert round_ is not None
        data = services.RoundData(
            title=round_.title,
            description=round_.description,
            rules_text=round_.rules_text,
            min_cost=round_.min_cost,
            max_cost=round_.max_cost,
            is_carry_over_enabled=round_.is_carry_over_enabled,
            theme_ids=[t.id for t in round_.themes],
            grid_version_id=round_.grid_version_id,
            **_dates(phase),
        )
        services.update_round(round_, data, _staff())
        db.session.commit()
        assert round_.phase is phase
        db.session.remove()


def _photo(tmp_path: Path) -> Path:
    """A small real PNG (the upload is checked by its content)."""
    image = Image.new("RGB", (320, 200), (120, 180, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 120, 280, 190), fill=(60, 140, 70))
    draw.ellipse((220, 20, 290, 90), fill=(250, 210, 60))
    path = tmp_path / "jardin.png"
    image.save(path, format="PNG")
    return path


def _fill_idea(page, title: str, territory_id: int) -> None:
    page.locator("#title").fill(title)
    page.locator("#description").fill(
        "Des bacs de plantation et un banc, à entretenir avec les voisins."
    )
    page.locator("#territory_id").select_option(str(territory_id))
    page.locator("#place").fill("Square derrière l'école")
    page.locator("#theme_ids-0").check()
    page.locator("#estimated_cost").fill("8000")
    page.locator("#accepted_rules").check()


def _idea_id(page) -> int:
    expect(page).to_have_url(re.compile(r"/ideas/\d+$"))
    match = re.search(r"/ideas/(\d+)$", page.url)
    assert match is not None
    return int(match.group(1))


def _fill_review(
    page, criteria: list[tuple[str, CriterionKind]], *, fail: str | None
) -> None:
    """Answer every criterion: all met and 3 points each, except *fail* not met."""
    for code, kind in criteria:
        name = f"criterion_{code}"
        if kind is CriterionKind.MANDATORY:
            value = Check.FAIL if code == fail else Check.PASS
            page.locator(f'input[name="{name}"][value="{value.value}"]').check()
        elif kind is CriterionKind.SCORED:
            page.locator(f'input[name="{name}"][value="3"]').check()
        else:
            page.locator(f"#{name}").fill("Le centre social peut s'y associer.")
    page.locator("#cost_estimate").fill("8 500")
    page.locator("#land_owner").fill("La ville")
    page.locator("#land_maintainer").fill("Service espaces verts")
    page.locator("#public_justification").fill(
        "Le lieu serait réservé à quelques personnes."
        if fail
        else "Utile au quartier et faisable."
    )
    page.locator('button[name="hand_in"]').click()
    expect(page).to_have_url(re.compile(r"/review/$"))


def _labels(live_server, *, criterion_code: str, version_id: int) -> dict[str, str]:
    """What the French pages and e-mails show, whether or not French is compiled."""
    with live_server.app.test_request_context(), force_locale("fr"):
        version = db.session.get(GridVersion, version_id)
        assert version is not None
        criterion = next(c for c in version.criteria if c.code == criterion_code)
        labels = {
            "criterion": criterion.public_label,
            "final_cost": money(FINAL_COST),
            **{state.value: state.label for state in IdeaState},
        }
        db.session.remove()
        return labels


def test_ideas_from_submission_to_announcement_with_review_and_notifications(
    page, live_server, tmp_path, axe_scanner
):
    round_id, territory_id = _make_round(live_server)
    n = next(_numbers)
    resident_title = f"Un jardin au pied de l'immeuble {n}"
    relay_title = f"Des bancs à l'ombre près du marché {n}"

    # 1. A resident submits an idea with a photo during the submission phase.
    _sign_in(page, RESIDENT_EMAIL, f"/rounds/{round_id}")
    page.locator(f'main a[href="/rounds/{round_id}/ideas/new"]').click()
    _fill_idea(page, resident_title, territory_id)
    page.locator("#photo").set_input_files(str(_photo(tmp_path)))
    page.locator("#photo_alt").fill("Un carré de pelouse au soleil")
    page.locator("#submit").click()
    resident_idea = _idea_id(page)
    expect(page.locator("#idea-state")).to_have_class(
        re.compile(r"\bstate-submitted\b")
    )
    photo = page.locator(f'main img[src="/ideas/{resident_idea}/photo"]')
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 320
    _leave(page)

    # 2. A relay submits an idea for the managed account it looks after.
    _sign_in(page, RELAY_EMAIL, f"/rounds/{round_id}")
    page.locator(f'main a[href="/rounds/{round_id}/ideas/for-someone"]').click()
    with live_server.app.app_context():
        managed = db.session.scalar(
            sa.select(User).where(User.pseudonym == MANAGED_PSEUDONYM)
        )
        assert managed is not None
        assert managed.is_managed
        assert not managed.email
        managed_id = managed.id
        db.session.remove()
    page.locator(
        f'#people a[href="/rounds/{round_id}/ideas/new?for={managed_id}"]'
    ).click()
    expect(page.locator("#on-behalf")).to_be_visible()
    _fill_idea(page, relay_title, territory_id)
    page.locator("#submit").click()
    expect(page.locator("#consent-error")).to_be_visible()  # consent is required
    expect(page.locator("#title")).to_have_value(relay_title)  # typed text kept
    page.locator("#consent").check()
    page.locator("#consent_note").fill("Lu et accepté au centre social.")
    page.locator("#submit").click()
    relay_idea = _idea_id(page)
    expect(page.locator("#idea-authors")).to_contain_text(MANAGED_PSEUDONYM)
    with live_server.app.app_context():
        idea = db.session.get(Idea, relay_idea)
        assert idea is not None
        assert idea.author_id == managed_id
        assert idea.submitted_on_behalf_by_id is not None
        assert idea.consent_recorded_at is not None
        db.session.remove()
    _leave(page)

    # 3. The submission closes; staff start the review and assign both ideas.
    _move_to(live_server, round_id, RoundPhase.REVIEW)
    _sign_in(page, STAFF_EMAIL, "/review/rounds")
    page.locator(f'main a[href="/review/rounds/{round_id}"]').click()
    page.locator(f'form[action="/review/rounds/{round_id}/start"] button').click()
    expect(page).to_have_url(re.compile(rf"/review/rounds/{round_id}/assignments$"))
    with live_server.app.app_context():
        reviewer = db.session.scalar(
            sa.select(User).where(User.email == REVIEWER_EMAIL)
        )
        assert reviewer is not None
        reviewer_id = reviewer.id
        db.session.remove()
    for idea_id in (resident_idea, relay_idea):
        page.locator(f"#idea_{idea_id}").select_option(str(reviewer_id))
    page.locator(
        f'form[action="/review/rounds/{round_id}/assignments"] button[type=submit]'
    ).click()
    expect(page.locator(f"#idea_{resident_idea}")).to_have_value(str(reviewer_id))
    expect(page.locator(f"#idea_{relay_idea}")).to_have_value(str(reviewer_id))
    _leave(page)

    # 4. The reviewer fills the grid: the resident's idea fails one mandatory
    #    criterion, the relay's passes everything.
    with live_server.app.app_context():
        version_id = db.session.scalar(
            sa.select(Round.grid_version_id).where(Round.id == round_id)
        )
        assert version_id is not None
        version = db.session.get(GridVersion, version_id)
        assert version is not None
        criteria = [(c.code, c.kind) for c in version.criteria]
        assert FAILED_CRITERION in {code for code, _kind in criteria}
        db.session.remove()
    _sign_in(page, REVIEWER_EMAIL, "/review/")
    for idea_id, fail in ((resident_idea, FAILED_CRITERION), (relay_idea, None)):
        page.locator(
            f'#review-{idea_id} a[href="/review/ideas/{idea_id}/form"]'
        ).click()
        _fill_review(page, criteria, fail=fail)
        expect(page.locator(f"#review-{idea_id}")).to_be_visible()
    _leave(page)

    # 5. Staff decide: ineligible for the first, retained with a final cost for
    #    the second.
    _sign_in(page, STAFF_EMAIL, f"/review/ideas/{resident_idea}")
    page.locator(
        f'form[action="/review/ideas/{resident_idea}/decide/ineligible"] button'
    ).click()
    expect(page).to_have_url(re.compile(rf"/review/ideas/{resident_idea}$"))
    page.goto(f"/review/ideas/{relay_idea}")
    page.locator("#retain-final_cost").fill("8 500")
    page.locator("#retain-comment").fill("Coût précisé par le service.")
    page.locator(
        f'form[action="/review/ideas/{relay_idea}/decide/retain"] button'
    ).click()
    expect(page).to_have_url(re.compile(rf"/review/ideas/{relay_idea}$"))
    _leave(page)
    with live_server.app.app_context():
        first = db.session.get(Idea, resident_idea)
        second = db.session.get(Idea, relay_idea)
        assert first is not None
        assert second is not None
        assert first.state is IdeaState.INELIGIBLE
        assert second.state is IdeaState.ELIGIBLE
        assert second.final_cost == FINAL_COST
        db.session.remove()

    # The ineligible idea's public page shows the criterion it failed.
    labels = _labels(
        live_server, criterion_code=FAILED_CRITERION, version_id=version_id
    )
    page.goto(f"/ideas/{resident_idea}")
    expect(page.locator("#idea-state")).to_have_class(
        re.compile(r"\bstate-ineligible\b")
    )
    expect(page.locator("#failed-criteria li")).to_have_count(1)
    expect(page.locator("#failed-criteria li")).to_have_text(labels["criterion"])
    expect(page.locator("#public-reason")).to_contain_text("quelques personnes")

    # The announcement is not public before its date; then it lists the retained
    # idea with its cost and the ineligible one with its failed criterion.
    announcement = f"/rounds/{round_id}/announcement/{territory_id}"
    assert page.request.get(live_server.url_for(announcement)).status == 404
    _move_to(live_server, round_id, RoundPhase.ANNOUNCEMENT)
    page.goto(f"/rounds/{round_id}")
    page.locator(f'#envelope-{territory_id} a[href="{announcement}"]').click()
    expect(page).to_have_url(live_server.url_for(announcement))
    retained = page.locator(f'#retained li:has(a[href="/ideas/{relay_idea}"])')
    expect(retained).to_have_count(1)
    expect(retained).to_contain_text(labels["final_cost"])
    expect(page.locator(f'#retained a[href="/ideas/{resident_idea}"]')).to_have_count(0)
    not_retained = page.locator(
        f'#not-retained li:has(a[href="/ideas/{resident_idea}"])'
    )
    expect(not_retained).to_contain_text(labels["criterion"])

    # 6. The resident's outbox holds one e-mail per state change of their idea; the
    #    managed account, without an address, gets none (its relay sees the state).
    with live_server.app.app_context():
        rows = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.subject.contains(resident_title[:40]))
            .order_by(OutboxMessage.id)
        ).all()
        assert [row.to_address for row in rows] == [RESIDENT_EMAIL] * 3
        assert all(row.sent_at is not None for row in rows)
        relay_rows = db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.subject.contains(relay_title[:40])
            )
        )
        assert relay_rows == 0
        db.session.remove()
    emails = [
        m
        for m in live_server.emails()
        if m["To"] == RESIDENT_EMAIL and resident_title in str(m["Subject"])
    ]
    assert len(emails) == 3
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in emails]
    for body, state in zip(
        bodies,
        (IdeaState.SUBMITTED, IdeaState.IN_REVIEW, IdeaState.INELIGIBLE),
        strict=True,
    ):
        assert labels[state.value] in body
    assert "quelques personnes" in bodies[-1]  # the public reason
    idea_url = live_server.url_for(f"/ideas/{resident_idea}")
    assert live_server.links_in(emails[-1]) == [idea_url]

    _sign_in(page, RELAY_EMAIL, "/my/ideas")
    expect(
        page.locator(f'#entered-ideas a[href="/ideas/{relay_idea}"]')
    ).to_be_visible()

    assert live_server.url_for(announcement) in axe_scanner.scanned
