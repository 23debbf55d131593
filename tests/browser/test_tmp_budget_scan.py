"""TEMPORARY (budget engineer): axe scan of the budget pages. Deleted after use."""

import re
import sqlalchemy as sa
from playwright.sync_api import expect
from participation.accounts.demo import (
    DEMO_PEOPLE,
    RELAY_EMAIL,
    RESIDENT_EMAIL,
    STAFF_EMAIL,
)
from participation.budget.models import Idea, Round
from participation.extensions import db


def _pw(login):
    return next(p.password for p in DEMO_PEOPLE if p.login == login)


def _sign_in(page, login):
    page.goto("/signin")
    page.locator("#identifier").fill(login)
    page.locator("#password").fill(_pw(login))
    page.locator("#signin-form #submit").click()
    expect(page.locator("#signout-button")).to_be_visible()


def test_scan(page, live_server):
    with live_server.app.app_context():
        rounds = db.session.scalars(sa.select(Round).order_by(Round.id)).all()
        ideas = db.session.scalars(
            sa.select(Idea).where(Idea.submitted_at.is_not(None))
        ).all()
        round_ids = [r.id for r in rounds]
        t = rounds[0].envelopes[0].territory_id
        idea_ids = [i.id for i in ideas]
        db.session.remove()
    for url in [
        "/rounds",
        "/ideas",
        f"/ideas?round={round_ids[0]}&qpv={t}",
        *[f"/rounds/{r}" for r in round_ids],
        f"/rounds/{round_ids[0]}/announcement/{t}",
        *[f"/ideas/{i}" for i in idea_ids],
    ]:
        page.goto(url)
    _sign_in(page, RESIDENT_EMAIL)
    page.goto(f"/rounds/{round_ids[2]}/ideas/new")
    page.locator("#title").fill("Un banc")
    page.locator("#estimated_cost").fill("-3")
    page.locator("#submit").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.locator("#estimated_cost").fill("300")
    page.locator("#save_draft").click()
    expect(page).to_have_url(re.compile(r"/ideas/\d+/edit$"))
    page.goto("/my/ideas")
    page.locator('form[action$="/signout"] button[type="submit"]').click()
    _sign_in(page, RELAY_EMAIL)
    page.goto(f"/rounds/{round_ids[2]}/ideas/for-someone")
    page.locator("#people a").first.click()
    page.goto("/my/ideas")
    page.locator('form[action$="/signout"] button[type="submit"]').click()
    _sign_in(page, STAFF_EMAIL)
    page.goto("/rounds/new")
    page.goto(f"/rounds/{round_ids[0]}/edit")
    page.goto(f"/rounds/{round_ids[0]}/envelopes")
    page.goto(f"/rounds/{round_ids[2]}")
    page.goto(f"/ideas/{idea_ids[-1]}/hide")
    page.goto(f"/ideas/{idea_ids[-1]}/merge")
    page.goto(f"/ideas/{idea_ids[-1]}")
    assert not live_server.server_errors


def test_shots(page, live_server):
    with live_server.app.app_context():
        r = db.session.scalars(sa.select(Round).order_by(Round.id)).first()
        t = r.envelopes[0].territory_id
        i = db.session.scalar(sa.select(Idea.id).where(Idea.photo_name.is_not(None)))
        db.session.remove()
    page.set_viewport_size({"width": 1000, "height": 900})
    for name, url in [
        ("round", f"/rounds/{r.id}"),
        ("ann", f"/rounds/{r.id}/announcement/{t}"),
        ("idea", f"/ideas/{i}"),
        ("list", "/ideas"),
    ]:
        page.goto(url)
        page.screenshot(path=f"/tmp/shot_{name}.png", full_page=True)
