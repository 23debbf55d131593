"""The FPH on the publishing pages: a neighbourhood's fund, the dashboard's section."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from participation.core.actors import SYSTEM
from participation.fph import committee
from participation.fph import publishing as fph_publishing
from participation.publishing import neighbourhood, stats

from .fph2_support import grant, make_application, make_committee, open_committee


@pytest.fixture
def c(db, make_user, make_territory):
    return make_committee(make_user, make_territory)


@pytest.fixture
def granted(db, c, make_user):
    application = make_application(c.fund, make_user(), meeting=c.meeting)
    committee.put_on_agenda(application, SYSTEM)
    open_committee(c)
    committee.decide(application, grant("800.00"), c.users[0])
    db.session.flush()
    return application


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert found, element_id
    return found.group(1).replace("\xa0", " ").replace("\u202f", " ")


def test_both_sections_are_registered_at_app_start(app):
    assert fph_publishing.neighbourhood_section in neighbourhood._PROVIDERS
    assert fph_publishing.dashboard_section in stats._SECTIONS


def test_the_qpv_page_shows_its_fund_and_granted_files_only(
    db, client, c, granted, make_fund, make_user
):
    other = make_fund(envelope=Decimal("5000.00"), name="FPH Ailleurs")
    elsewhere = make_application(other, make_user())
    with client.session_transaction() as session:
        session["lang"] = "en"

    page = client.get(f"/territories/{c.fund.territory_id}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    fund = c.fund.id
    assert 'id="fph"' in html
    assert _text(html, f"fph-fund-{fund}-envelope") == "€3,000.00"
    assert _text(html, f"fph-fund-{fund}-granted") == "€800.00"
    assert _text(html, f"fph-fund-{fund}-remaining") == "€2,200.00"
    assert _text(html, f"fph-fund-{fund}-count") == "1"
    assert f'href="/fph/files/{granted.id}"' in html
    assert f'href="/fph/funds/{fund}"' in html
    # Nothing of another territory, nothing private.
    assert "FPH Ailleurs" not in html
    assert f'id="fph-fund-{other.id}' not in html
    assert f"/fph/files/{elsewhere.id}" not in html
    for private in ("Awa Diallo", "FR76", "12 rue Secrète", granted.owner.email):
        assert private not in html
    # The linked public page exists for anyone.
    assert client.get(f"/fph/files/{granted.id}").status_code == 200


def test_a_territory_without_a_fund_has_no_fph_section(db, client, make_territory):
    territory = make_territory()

    page = client.get(f"/territories/{territory.id}")

    assert page.status_code == 200
    assert 'id="fph"' not in page.get_data(as_text=True)


def test_a_fund_without_grants_shows_zero_granted(db, client, make_fund):
    fund = make_fund()
    with client.session_transaction() as session:
        session["lang"] = "en"

    html = client.get(f"/territories/{fund.territory_id}").get_data(as_text=True)

    assert _text(html, f"fph-fund-{fund.id}-granted") == "€0.00"
    assert _text(html, f"fph-fund-{fund.id}-remaining") == "€3,000.00"
    assert f'id="fph-fund-{fund.id}-files"' not in html


def test_the_dashboard_shows_the_fph_charts_with_their_tables(
    db, client, login_as, staff, c, granted
):
    login_as(staff)

    page = client.get("/dashboard")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="section-fph"' in html
    assert 'id="fph-placeholder"' not in html
    envelopes = html[html.index('id="fph-envelopes-table"') :]
    envelopes = envelopes[: envelopes.index("</table>")]
    row = envelopes[envelopes.index(c.fund.territory.name) :]
    row = row[: row.index("</tr>")].replace("\xa0", " ").replace("\u202f", " ")
    assert re.findall(r'<td class="number">([^<]*)</td>', row) == [
        "€3,000.00",
        "€800.00",
        "€0.00",
    ]
    files = html[html.index('id="fph-states-table"') :]
    files = files[: files.index("</table>")]
    assert re.search(r"<th scope=\"row\">Granted</th>\s*<td[^>]*>1</td>", files)


def test_the_dashboard_figures_count_paid_and_states(db, app, c, granted):
    section = fph_publishing.dashboard_section()

    assert section.id == "fph"
    envelopes, states = section.charts
    assert envelopes.rows[0].values == (
        Decimal("3000.00"),
        Decimal("800.00"),
        Decimal("0.00"),
    )
    assert [(r.label, r.values) for r in states.rows] == [("Granted", (1,))]


def test_the_dashboard_fph_section_works_on_an_empty_database(
    db, client, login_as, staff
):
    login_as(staff)

    page = client.get("/dashboard")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="section-fph"' in html
    assert 'id="fph-placeholder"' not in html
    assert 'id="fph-envelopes"' in html
