"""Screenshots of the pages a resident, a relay and staff meet, on a 390 px phone.

Run against the demo that ``make run`` serves (``make screenshots`` does both ends:
start ``make run`` in one terminal, then this in another). For French and Arabic it
saves, in ``test-artifacts/screenshots/`` (or the folder given):

- the home page for a visitor, and for Samir, a demo resident with an open vote;
- the round in its vote, a published result and a winning idea;
- the demo desk page (as the demo relay who holds it);
- the audit page (as the administrator, through the published demo second factor).

Each picture is the whole page (``full_page``), 390 px wide, named
``<lang>-<page>.png``; the script prints the document width of each page, which must
not be wider than the phone.

Usage: ``.venv/bin/python scripts/screenshots.py [--base URL] [--out DIR]``
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from participation import PROJECT_ROOT
from participation.accounts.demo import ADMIN_EMAIL, DEMO_PEOPLE, RELAY_EMAIL
from participation.voting.demo import CONTE_VOTER_EMAIL, CONTE_VOTER_PASSWORD

# Signing in (and the staff's second factor) is done as the browser journeys do it.
sys.path.insert(0, str(PROJECT_ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in

PHONE = {"width": 390, "height": 844}
PASSWORDS = {person.login: person.password for person in DEMO_PEOPLE}


def _first_link(page: Any, pattern: str) -> str:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    for href in hrefs:
        if re.fullmatch(pattern, href.split("?")[0]):
            return href.split("?")[0]
    raise SystemExit(f"no link like {pattern} on {page.url}")


def _sign_in(page: Any, login: str, password: str) -> None:
    sign_in(page, login, password)
    if "/signin" in page.url:
        raise SystemExit(f"{login} could not sign in ({page.url})")


def _language(page: Any, language: str) -> None:
    page.goto("/")
    page.locator(f".lang-switch [lang='{language}']").first.click()
    page.wait_for_load_state()


def _shot(page: Any, out: Path, language: str, name: str, path: str) -> None:
    # A visitor's language is in the address (signed-in people also keep it).
    page.goto(f"{path}{'&' if '?' in path else '?'}lang={language}")
    page.wait_for_load_state()
    if "/signin" in page.url:
        raise SystemExit(f"{path} asked to sign in again")
    width = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    target = out / f"{language}-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    flag = "" if width <= PHONE["width"] else "  WIDER THAN THE PHONE"
    print(f"{target.name:28} {path:28} {width} px{flag}")


def take(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        for language in ("fr", "ar"):
            people = {
                "visitor": None,
                "resident": (CONTE_VOTER_EMAIL, CONTE_VOTER_PASSWORD),
                "relay": (RELAY_EMAIL, PASSWORDS[RELAY_EMAIL]),
                "admin": (ADMIN_EMAIL, PASSWORDS[ADMIN_EMAIL]),
            }
            pages: dict[str, Any] = {}
            for person, credentials in people.items():
                context = browser.new_context(
                    base_url=base, viewport=PHONE, locale="fr-FR"
                )
                page = context.new_page()
                if credentials:
                    _sign_in(page, *credentials)
                _language(page, language)
                pages[person] = page
            visitor = pages["visitor"]
            _shot(visitor, out, language, "home-visitor", "/")
            _shot(pages["resident"], out, language, "home-resident", "/")
            visitor.goto("/votes")
            voting_round = _first_link(visitor, r"/rounds/\d+/vote").removesuffix(
                "/vote"
            )
            _shot(visitor, out, language, "round-in-vote", voting_round)
            visitor.goto("/votes")
            visitor.goto(_first_link(visitor, r"/rounds/\d+/results"))
            result = _first_link(visitor, r"/results/\d+")
            _shot(visitor, out, language, "result", result)
            idea = _first_link(visitor, r"/ideas/\d+")
            _shot(visitor, out, language, "idea", idea)
            relay = pages["relay"]
            relay.goto(voting_round.replace("/rounds/", "/desks/rounds/"))
            _shot(relay, out, language, "desk", _first_link(relay, r"/desks/\d+"))
            _shot(pages["admin"], out, language, "audit", "/audit")
            for page in pages.values():
                page.context.close()
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--out", type=Path, default=Path("test-artifacts/screenshots"))
    arguments = parser.parse_args(argv)
    take(arguments.base, arguments.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
