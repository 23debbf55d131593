"""The FPH on the publishing pages: a neighbourhood's fund, the dashboard's section."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from babel.dates import format_date

from participation.core.actors import SYSTEM
from participation.core.time import PARIS, today_paris, utcnow
from participation.council.services import meetings
from participation.council.states import MeetingKind
from participation.fph import committee, payments, services
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


def _english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


def _committee_on(fund, days: int):
    starts = (utcnow() + timedelta(days=days)).replace(
        minute=0, second=0, microsecond=0
    )
    return meetings.create_meeting(
        fund.council,
        meetings.MeetingData(
            title="Comité FPH",
            kind=MeetingKind.FPH_COMMITTEE,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Centre social",
        ),
        SYSTEM,
    )


def _long(day) -> str:
    return format_date(day, "d MMMM yyyy", locale="en")


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
    envelopes, states, _people = section.charts
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


def test_the_qpv_page_shows_the_next_committee_and_how_to_apply(db, client, make_fund):
    fund = make_fund()
    # The committee in 20 days is too close for a file submitted today (30 days
    # before): the page gives the next one a resident can still file for.
    _committee_on(fund, 20)
    meeting = _committee_on(fund, 45)
    db.session.flush()
    _english(client)

    html = client.get(f"/territories/{fund.territory_id}").get_data(as_text=True)

    day = meeting.starts_at.astimezone(PARIS).date()
    committee_dd = html[html.index(f'id="fph-fund-{fund.id}-committee"') :]
    committee_dd = committee_dd[: committee_dd.index("</dd>")]
    assert f'datetime="{day.isoformat()}"' in committee_dd
    assert _long(day) in committee_dd
    assert _long(day - timedelta(days=fund.deadline_days)) in _text(
        html, f"fph-fund-{fund.id}-deadline"
    )
    assert f'id="fph-fund-{fund.id}-no-committee"' not in html
    assert f'id="fph-fund-{fund.id}-apply"' in html
    assert f'href="/fph/funds/{fund.id}#apply"' in html
    assert f'href="/fph/funds/{fund.id}/form.pdf"' in html
    assert f'id="fph-fund-{fund.id}-closed"' not in html
    # The link leads to the fund's "how to apply" section.
    assert 'id="apply"' in client.get(f"/fph/funds/{fund.id}").get_data(as_text=True)


def test_without_a_coming_committee_or_a_reglement_the_page_says_so(
    db, client, c, granted
):
    # c's only committee is open (the file was decided there): none is coming,
    # and the fund has no règlement in force, so it takes no application.
    _english(client)

    html = client.get(f"/territories/{c.fund.territory_id}").get_data(as_text=True)

    fund = c.fund.id
    assert f'id="fph-fund-{fund}-no-committee"' in html
    assert f'id="fph-fund-{fund}-committee"' not in html
    assert f'id="fph-fund-{fund}-closed"' in html
    assert f'id="fph-fund-{fund}-apply"' not in html


def test_a_closed_fund_gives_no_way_to_apply(db, client, make_fund):
    fund = make_fund()
    fund.is_open = False
    db.session.flush()

    html = client.get(f"/territories/{fund.territory_id}").get_data(as_text=True)

    assert f'id="fph-fund-{fund.id}-closed"' in html
    assert f'href="/fph/funds/{fund.id}#apply"' not in html


def test_a_grant_names_an_association_and_never_an_informal_group_or_a_person(
    db, client, c, make_user
):
    granted = make_application(c.fund, make_user(), meeting=c.meeting)
    association = make_application(
        c.fund, make_user(), meeting=c.meeting, association=True
    )
    for application in (granted, association):
        committee.put_on_agenda(application, SYSTEM)
    open_committee(c)
    for application in (granted, association):
        committee.decide(application, grant("800.00"), c.users[0])
    db.session.flush()
    _english(client)

    html = client.get(f"/territories/{c.fund.territory_id}").get_data(as_text=True)

    assert _text(html, f"fph-file-{granted.id}-carrier") == "A group of residents"
    assert _text(html, f"fph-file-{association.id}-carrier") == "Les Jardins partagés"
    for private in (
        "Les voisins du 12",  # an informal group's name is often its members'
        "Awa Diallo",
        "Membre0 Nom",
        granted.owner.email,
        granted.owner.pseudonym,
    ):
        assert private not in html


def test_each_granted_file_links_to_its_follow_up_project_and_back(
    db, client, c, granted
):
    project = payments.followup_project(granted)
    assert project is not None
    _english(client)

    html = client.get(f"/territories/{c.fund.territory_id}").get_data(as_text=True)

    row = html[html.index(f'id="fph-file-{granted.id}"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/fph/files/{granted.id}"' in row
    assert f'id="fph-file-{granted.id}-project"' in row
    assert f'href="/projects/{project.id}"' in row
    # The project is also listed with the neighbourhood's projects.
    assert html.count(f'href="/projects/{project.id}"') >= 2
    # The project's page links back to the granted file.
    detail = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert re.search(rf'<a href="/fph/files/{granted.id}" id="fph-file">', detail), (
        "no link back to the FPH file"
    )


def test_a_granted_file_without_a_project_shows_no_follow_up_link(
    db, client, c, granted
):
    project = payments.followup_project(granted)
    assert project is not None
    db.session.delete(project)
    db.session.flush()

    html = client.get(f"/territories/{c.fund.territory_id}").get_data(as_text=True)

    assert f'id="fph-file-{granted.id}"' in html
    assert f'id="fph-file-{granted.id}-project"' not in html


def test_only_the_current_year_fund_is_on_the_qpv_page(db, client, make_fund):
    fund = make_fund()
    old = services.create_fund(
        services.FundData(
            name="FPH de l'an dernier",
            year=today_paris().year - 1,
            territory_id=fund.territory_id,
            envelope=Decimal("2000.00"),
            council_id=fund.council_id,
        ),
        SYSTEM,
    )
    db.session.flush()

    html = client.get(f"/territories/{fund.territory_id}").get_data(as_text=True)

    assert f'id="fph-fund-{fund.id}"' in html
    assert f'id="fph-fund-{old.id}"' not in html
    assert "an dernier" not in html


def test_the_dashboard_counts_people_of_the_grants_and_hides_small_counts(
    db, app, c, granted, make_user
):
    # The group has 4 members (under 10: not shown), its project expected 80.
    people = fph_publishing.dashboard_section().charts[2]

    assert people.id == "fph-people"
    assert [r.values for r in people.rows] == [(None, 80, 0)]
    assert "1 to 9" in people.note

    granted.members_count = 12
    granted.expected_participants = 7
    db.session.flush()
    people = fph_publishing.dashboard_section().charts[2]
    assert [r.values for r in people.rows] == [(12, None, 0)]


def test_the_dashboard_people_chart_leaves_out_files_not_granted(
    db, app, c, granted, make_user
):
    refused = make_application(c.fund, make_user())
    refused.members_count = 50
    refused.expected_participants = 500
    db.session.flush()

    people = fph_publishing.dashboard_section().charts[2]

    assert [r.values for r in people.rows] == [(None, 80, 0)]


def test_the_dashboard_page_shows_the_people_table_with_suppressed_cells(
    db, client, login_as, staff, c, granted
):
    login_as(staff)
    _english(client)

    html = client.get("/dashboard").get_data(as_text=True)

    table = html[html.index('id="fph-people-table"') :]
    table = table[: table.index("</table>")]
    row = table[table.index(c.fund.territory.name) :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'<td class="number">([^<]*)</td>', row)
    assert cells[1:] == ["80", "0"]
    assert cells[0] == "fewer than 10"


def test_a_milestone_of_a_granted_project_before_the_decision_is_refused_on_the_form(
    db, client, login_as, staff, granted
):
    project = payments.followup_project(granted)
    assert project is not None
    db.session.commit()
    login_as(staff)
    _english(client)
    before = project.decided_on - timedelta(days=2)

    form = client.get(f"/projects/{project.id}/milestones/new")
    page = client.post(
        f"/projects/{project.id}/milestones/new",
        data={"title": "Achats", "planned_on": before.isoformat()},
    )

    assert "the day of the decision" in form.get_data(as_text=True)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="planned_on-error"' in text
    assert "cannot be dated before the decision" in text
    assert 'value="Achats"' in text
    db.session.refresh(project)
    assert project.milestones == []
