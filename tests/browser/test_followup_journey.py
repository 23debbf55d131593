"""A winning project's life in a real browser (issue 12), at 390 px, in French then
Arabic: a visitor follows a demo winner by e-mail (a malformed address first) and
confirms the link; staff start the works, add a milestone, publish news with a photo
(refused first without the consent of the people shown), correct the news and the
photo's description (no new e-mail), and mark it delivered; the follower's outbox
holds the news and each change of status, each with an unsubscribe link; the
neighbourhood page (with its council) and its "what became of our ideas" list show
the project delivered; the staff dashboard shows its charts with their tables, the
council's too.

A second journey follows an FPH grant: the demo's granted file of a QPV is on its
neighbourhood page (with the fund's next committee and how to apply, carried by "a
group of residents", never a name), linked to its follow-up project, whose page
links back to the file; in French then Arabic, at 390 px.

The journey takes the demo's planned "Jardin partagé Ozanam" (no other journey uses
it). Elements are found by id, name or URL, never by text: the pages are translated.
Every page visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from participation.accounts.demo import DEMO_PEOPLE, STAFF_EMAIL
from participation.core.time import today_paris
from participation.extensions import db
from participation.followup.models import Project
from participation.followup.states import ProjectState, SourceKind
from participation.fph.models import Application
from participation.fph.states import GRANTED_STATES

from .conftest import sign_in

pytestmark = pytest.mark.browser

FOLLOWER = "voisine.journey@example.org"
MOBILE = {"width": 390, "height": 844}


def _password(login: str) -> str:
    return next(p.password for p in DEMO_PEOPLE if p.login == login)


def _sign_in(page, login: str, then: str) -> None:
    sign_in(page, login, _password(login), then)
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def _demo_project(live_server) -> tuple[int, int]:
    with live_server.app.app_context():
        project = db.session.scalar(
            sa.select(Project).where(Project.title.startswith("Jardin partagé"))
        )
        assert project is not None
        assert project.state is ProjectState.PLANNED
        ids = project.id, project.territory_id
        db.session.remove()
        return ids


def _photo(tmp_path: Path) -> Path:
    image = Image.new("RGB", (320, 200), (150, 200, 120))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 120, 280, 190), fill=(120, 80, 40))
    path = tmp_path / "jardin.png"
    image.save(path, format="PNG")
    return path


def _to_arabic(page) -> None:
    page.locator('.lang-switch a[hreflang="ar"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def _to_french(page) -> None:
    page.locator('.lang-switch a[hreflang="fr"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def _follow_by_email(page, live_server, project_id: int) -> None:
    page.goto(f"/projects/{project_id}")
    page.locator("#email").fill("voisine@@exemple")
    page.locator("#follow-form #submit").click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#email")).to_have_value("voisine@@exemple")
    page.locator("#email").fill(FOLLOWER)
    page.locator("#follow-form #submit").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}#follow$"))
    confirm = next(
        link
        for link in live_server.links_in(live_server.last_email_to(FOLLOWER))
        if "/follows/confirm/" in link
    )
    page.goto(confirm)
    page.locator("#follow-confirm-submit").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}$"))


def _staff_run_the_works(page, project_id: int, tmp_path: Path) -> None:
    _sign_in(page, STAFF_EMAIL, f"/projects/{project_id}")
    page.locator("#action-start").click()
    page.locator("#comment").fill("Les services commencent l'aménagement.")
    page.locator("#transition-form #submit").click()
    expect(page.locator("#project-state")).to_have_class(
        re.compile(r"project-state-in_progress")
    )

    page.locator("#add-milestone").click()
    page.locator("#title").fill("Livraison des bacs")
    page.locator("#planned_on").fill(today_paris().isoformat())
    page.locator("#actual_on").fill(today_paris().isoformat())
    page.locator("#milestone-form #submit").click()
    expect(page.locator("#milestone-table tbody tr")).to_have_count(2)

    page.locator("#add-update").click()
    page.locator("#title").fill("Les bacs sont arrivés")
    page.locator("#body").fill("Les voisins ont planté les premières salades.")
    page.locator("#photo").set_input_files(str(_photo(tmp_path)))
    page.locator("#photo_alt").fill("Des bacs de culture au pied de l'immeuble")
    page.locator("#update-form #submit").click()
    expect(page.locator("#photo_consent-error")).to_be_visible()
    expect(page.locator("#title")).to_have_value("Les bacs sont arrivés")
    page.locator("#photo").set_input_files(str(_photo(tmp_path)))
    page.locator("#photo_consent").check()
    page.locator("#update-form #submit").click()
    photo = page.locator(f'#updates img[src^="/projects/{project_id}/photos/"]')
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 320

    # The news is corrected and its photo described better: no new e-mail.
    page.locator('#updates a[id^="edit-update-"]').last.click()
    page.locator("#title").fill("Les bacs de culture sont arrivés")
    page.locator("#update-edit-form #submit").click()
    expect(page.locator('#updates [id$="-corrected"]')).to_have_count(1)
    page.locator('#updates a[id^="edit-update-"]').last.click()
    page.locator('a[id^="edit-photo-"]').first.click()
    page.locator("#photo_alt").fill("Des bacs de culture en bois au pied de l'immeuble")
    page.locator("#photo-edit-form #submit").click()
    expect(page.locator("#update-edit-form")).to_be_visible()
    page.goto(f"/projects/{project_id}")
    expect(photo).to_have_attribute(
        "alt", "Des bacs de culture en bois au pied de l'immeuble"
    )

    page.locator("#action-deliver").click()
    page.locator("#transition-form #submit").click()
    expect(page.locator("#project-state")).to_have_class(
        re.compile(r"project-state-delivered")
    )
    expect(page.locator("#progress")).to_have_attribute("value", "100")


def test_a_winner_is_followed_delivered_and_shown_on_its_neighbourhood_page(
    page, live_server, tmp_path, axe_scanner
):
    page.set_viewport_size(MOBILE)
    project_id, territory_id = _demo_project(live_server)

    # 1. A visitor follows the project by e-mail and confirms the link.
    _follow_by_email(page, live_server, project_id)

    # 2. Staff run the works: start, milestone, news with a photo, delivery.
    page.context.clear_cookies()
    _staff_run_the_works(page, project_id, tmp_path)

    # 3. The follower got the news and each change of status, each with a way out.
    mails = [m for m in live_server.emails() if m["To"] == FOLLOWER]
    assert len(mails) == 4  # confirmation, started, news, delivered
    news = [m for m in mails if "Les bacs sont arrivés" in m["Subject"]]
    assert len(news) == 1
    for message in mails[1:]:
        assert any("/follows/unsubscribe/" in x for x in live_server.links_in(message))

    # 4. The staff dashboard: every chart comes with its table (French, Arabic).
    page.goto("/dashboard")
    for chart in (
        "ideas-qpv",
        "money-qpv",
        "delivery",
        "participation-channel",
        "council-seats",
        "fph-envelopes",
        "fph-people",
    ):
        expect(page.locator(f"#{chart} svg[role=img]")).to_have_count(1)
        expect(page.locator(f"#{chart}-table")).to_be_visible()
    _to_arabic(page)
    expect(page.locator("#delivery-table")).to_be_visible()
    _to_french(page)

    # 5. The neighbourhood page and "what became of our ideas" show it delivered.
    page.context.clear_cookies()
    page.goto("/territories")
    page.locator(f'main a[href="/territories/{territory_id}"]').click()
    delivered = page.locator(f'ul[id$="-delivered"] a[href="/projects/{project_id}"]')
    expect(delivered).to_have_count(1)
    expect(page.locator("#place-list li").first).to_be_visible()
    council = page.locator('#council a[href^="/councils/"]')
    expect(council.first).to_be_visible()
    page.locator("#outcome-years a").first.click()
    line = page.locator(
        f'#outcome-table a.outcome-project[href="/projects/{project_id}"]'
    )
    expect(line).to_have_count(1)
    _to_arabic(page)  # the links now carry the language of the address
    expect(
        page.locator(
            f'#outcome-table a.outcome-project[href="/projects/{project_id}?lang=ar"]'
        )
    ).to_have_count(1)
    page.goto(f"/territories/{territory_id}")
    expect(delivered).to_have_count(1)
    expect(council.first).to_be_visible()
    page.goto(f"/projects/{project_id}")
    expect(page.locator("#project-history li")).to_have_count(3)
    page.goto("/opendata")
    expect(page.locator("#download-projects-csv")).to_be_visible()

    assert any(f"/territories/{territory_id}" in url for url in axe_scanner.scanned)


def _demo_fph_grant(live_server) -> tuple[int, int, int, str]:
    """The demo's first granted FPH file with its project: ids and group name."""
    with live_server.app.app_context():
        application, project = db.session.execute(
            sa.select(Application, Project)
            .join(
                Project,
                sa.and_(
                    Project.source_kind == SourceKind.FPH_GRANT,
                    Project.source_id == Application.id,
                ),
            )
            .where(Application.state.in_(sorted(GRANTED_STATES)))
            .order_by(Application.id)
            .limit(1)
        ).one()
        ids = application.id, project.id, project.territory_id
        name = application.applicant_name
        assert application.public_name is None  # an informal group
        db.session.remove()
        return (*ids, name)


def _check_fph_pages(
    page, application_id: int, project_id: int, territory_id: int, lang: str = ""
):
    """The file, its project and its neighbourhood link to one another; in a
    language other than French (*lang*) the links carry it in the address."""
    q = f"?lang={lang}" if lang else ""
    page.goto(f"/territories/{territory_id}{q}")
    row = page.locator(f"#fph-file-{application_id}")
    expect(row).to_be_visible()
    expect(page.locator('#fph [id$="-committee"] time').first).to_be_visible()
    expect(page.locator('#fph a[id$="-apply"]').first).to_be_visible()
    expect(page.locator(f"#fph-file-{application_id}-project")).to_have_attribute(
        "href", f"/projects/{project_id}{q}"
    )
    # The project is also among the neighbourhood's projects.
    expect(
        page.locator(f'#projects a[href="/projects/{project_id}{q}"]')
    ).to_have_count(1)
    page.locator(f"#fph-file-{application_id}-project").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}{re.escape(q)}$"))
    expect(page.locator("#fph-file")).to_have_attribute(
        "href", f"/fph/files/{application_id}{q}"
    )
    page.locator("#fph-file").click()
    expect(page).to_have_url(re.compile(rf"/fph/files/{application_id}{re.escape(q)}$"))
    expect(page.locator("#followup-project")).to_have_attribute(
        "href", f"/projects/{project_id}{q}"
    )


def test_a_granted_fph_file_is_followed_up_on_its_neighbourhood_and_project_pages(
    page, live_server, axe_scanner
):
    page.set_viewport_size(MOBILE)
    application_id, project_id, territory_id, group = _demo_fph_grant(live_server)

    _check_fph_pages(page, application_id, project_id, territory_id)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(f"/territories/{territory_id}")
    carrier = page.locator(f"#fph-file-{application_id}-carrier")
    expect(carrier).not_to_contain_text(group)
    french = carrier.inner_text()
    # "How to apply" leads to the fund's application section.
    page.locator('#fph a[id$="-apply"]').first.click()
    expect(page).to_have_url(re.compile(r"/fph/funds/\d+#apply$"))
    expect(page.locator("#apply")).to_be_visible()

    _to_arabic(page)
    _check_fph_pages(page, application_id, project_id, territory_id, "ar")
    page.goto(f"/territories/{territory_id}?lang=ar")
    expect(carrier).not_to_contain_text(group)
    assert carrier.inner_text() != french  # "a group of residents", translated

    for path in (
        f"/territories/{territory_id}",
        f"/projects/{project_id}",
        f"/fph/files/{application_id}",
    ):
        assert sum(path in url for url in axe_scanner.scanned) >= 2, path
