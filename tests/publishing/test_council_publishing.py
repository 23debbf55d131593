"""What the council publishes through the publishing pages: its two open datasets
(each CSV valid against its own Table Schema), its section of the neighbourhood
page and of the dashboard, its minutes in the Atom feed. Nothing private leaks:
internal meetings and items, member names, individual votes."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from participation.core.actors import SYSTEM
from participation.council.services import deliberations, meetings, minutes
from participation.council.states import (
    MeetingState,
    MinutesAction,
    VoteChoice,
    VoteMethod,
)
from participation.publishing import opendata
from tests.council.conftest import voting_item
from tests.council.test_minutes import approve_at_next_meeting

from .test_opendata import _validate

COUNCIL_DATASETS = ["council_meetings", "council_decisions"]


@pytest.fixture
def council(make_council, make_territory):
    return make_council(territory=make_territory(name="Les Cigales", code="QN011001"))


@pytest.fixture
def record(db, council, members, make_meeting, open_meeting):
    """A held public meeting (a roll call adopted, a private item voted), its minutes
    approved at a later meeting and published; an internal meeting with a vote; a
    meeting to come."""
    a, b, c, d, *_ = members
    held = make_meeting(council, title="Plénière de mars")
    secret = meetings.add_item(
        held,
        meetings.ItemData(
            kind=voting_item(held).kind, title="Point confidentiel", is_public=False
        ),
        SYSTEM,
    )
    open_meeting(held, [a, b, c], proxies={d.id: a.id})
    deliberations.record_deliberation(
        voting_item(held),
        deliberations.VoteData(
            motion="=Soutenir la fête de quartier.",
            method=VoteMethod.ROLL_CALL,
            choices={
                a.id: VoteChoice.FOR,
                b.id: VoteChoice.FOR,
                c.id: VoteChoice.AGAINST,
                d.id: VoteChoice.ABSTAIN,
            },
        ),
        SYSTEM,
    )
    deliberations.record_deliberation(
        secret,
        deliberations.VoteData(
            motion="Motion interne.", votes_for=4, votes_against=0, abstentions=0
        ),
        SYSTEM,
    )
    meetings.close_meeting(held, SYSTEM)
    text = minutes.start_minutes(held, SYSTEM)
    minutes.transition(text, MinutesAction.PROPOSE, SYSTEM)
    later, _approval = approve_at_next_meeting(
        council, members, make_meeting, open_meeting, text
    )
    meetings.close_meeting(later, SYSTEM)
    minutes.transition(text, MinutesAction.PUBLISH, SYSTEM)

    internal = make_meeting(
        council,
        title="Réunion interne",
        is_public=False,
        starts_at=held.starts_at + timedelta(days=2),
    )
    open_meeting(internal, [a, b, c, d])
    deliberations.record_deliberation(
        voting_item(internal),
        deliberations.VoteData(
            motion="Décision interne.", votes_for=4, votes_against=0, abstentions=0
        ),
        SYSTEM,
    )
    meetings.close_meeting(internal, SYSTEM)
    coming = make_meeting(
        council, title="Plénière de juin", starts_at=held.starts_at + timedelta(days=60)
    )
    db.session.commit()
    return held, later, internal, coming


def rows(client, name):
    text = client.get(f"/opendata/{name}.csv").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


@pytest.mark.parametrize("name", COUNCIL_DATASETS)
def test_each_council_csv_validates_against_its_own_schema(
    db, client, tmp_path, record, name
):
    response = client.get(f"/opendata/{name}.csv")
    schema = client.get(f"/opendata/schemas/{name}.json").get_json()

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.count("\r\n") >= 2
    _validate(tmp_path, name, text, schema)
    document = client.get(f"/opendata/{name}.json").get_json()
    assert document["rows"]
    assert list(document["rows"][0]) == opendata.field_names(name)


@pytest.mark.parametrize("name", COUNCIL_DATASETS)
def test_council_exports_work_without_any_council(db, client, tmp_path, name):
    response = client.get(f"/opendata/{name}.csv")

    assert response.status_code == 200
    assert client.get(f"/opendata/{name}.json").get_json()["rows"] == []
    _validate(
        tmp_path,
        name,
        response.get_data(as_text=True),
        client.get(f"/opendata/schemas/{name}.json").get_json(),
    )


def test_meetings_give_quorum_and_attendance_counts_of_public_meetings_only(
    db, client, record
):
    held, later, _internal, coming = record

    lines = {int(r["meeting_id"]): r for r in rows(client, "council_meetings")}

    assert set(lines) == {held.id, later.id, coming.id}
    first = lines[held.id]
    assert (first["state"], first["kind"]) == ("closed", "plenary")
    assert (first["quorum_required"], first["quorum_counted"]) == ("3", "4")
    assert first["quorum_reached"] == "true"
    assert (first["present"], first["represented"], first["absent"]) == ("3", "1", "2")
    assert first["decisions"] == "1", "the private item's vote is not counted"
    assert first["minutes_url"].endswith(f"/councils/meetings/{held.id}/minutes")
    to_come = lines[coming.id]
    assert to_come["state"] == MeetingState.PLANNED.value
    assert to_come["quorum_reached"] == ""
    assert to_come["minutes_url"] == ""


def test_decisions_use_scdl_names_and_hide_private_items_and_who_voted_what(
    db, client, record, members
):
    held, later, _internal, _coming = record

    lines = rows(client, "council_decisions")

    assert [int(r["meeting_id"]) for r in lines] == [held.id, later.id]
    first = lines[0]
    assert first["DELIB_ID"].startswith(f"CC-{held.council_id}-")
    assert first["COLL_NOM"] == held.council.name
    assert first["territory_code"] == "QN011001"
    assert first["decision_text"] == "'=Soutenir la fête de quartier."
    assert (first["VOTE_POUR"], first["VOTE_CONTRE"], first["VOTE_ABSTENTION"]) == (
        "2",
        "1",
        "1",
    )
    assert (first["VOTE_EFFECTIF"], first["VOTE_REEL"]) == ("4", "4")
    assert (first["method"], first["outcome"]) == ("roll_call", "adopted")
    assert first["DELIB_URL"].endswith(f"/councils/meetings/{held.id}/minutes")
    assert lines[1]["decision_kind"] == "minutes_approval"
    assert lines[1]["DELIB_URL"] == "", "the later meeting's minutes are not out"
    for name in COUNCIL_DATASETS:
        for fmt in ("csv", "json"):
            body = client.get(f"/opendata/{name}.{fmt}").get_data(as_text=True)
            assert "interne" not in body.lower()
            assert "confidentiel" not in body
            for member in members:
                assert member.user.pseudonym not in body, (name, fmt)
                assert member.user.real_name not in body, (name, fmt)


def test_the_catalogue_lists_the_council_datasets(db, client):
    page = client.get("/opendata").get_data(as_text=True)

    for name in COUNCIL_DATASETS:
        assert f'href="/opendata/{name}.csv"' in page
        assert f'href="/opendata/schemas/{name}.json"' in page
    assert "Council decisions" not in page, "no longer announced as coming"


def test_the_neighbourhood_page_shows_its_council(db, client, record, council):
    _held, _later, _internal, coming = record

    page = client.get(
        f"/territories/{council.territory_id}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)

    assert f'id="council-{council.id}"' in page
    assert "6 members in office" in page
    assert "10 seats vacant" in page, "16 seats, 6 filled"
    assert f'href="/councils/meetings/{coming.id}"' in page
    assert "Plénière de juin" in page
    decisions = page[page.index(f'id="council-{council.id}-decisions"') :]
    assert "Point 2" in decisions
    assert "for 2, against 1, abstentions 1" in decisions
    assert "Réunion interne" not in page
    assert "Point confidentiel" not in page


def test_a_neighbourhood_without_council_has_no_council_section(
    db, client, make_territory
):
    territory = make_territory()

    page = client.get(f"/territories/{territory.id}").get_data(as_text=True)

    assert 'id="council"' not in page


def test_the_dashboard_has_the_council_charts_next_to_the_fph_ones(
    db, client, login_as, make_user, record, council
):
    from participation.accounts.states import Role

    login_as(make_user(roles=(Role.STAFF,)))
    with client.session_transaction() as session:
        session["lang"] = "en"

    page = client.get("/dashboard").get_data(as_text=True)

    assert 'id="section-council"' in page
    seats = page[page.index('id="council-seats-table"') :]
    assert council.name in seats
    assert 'id="council-meetings-table"' in page
    assert 'id="section-fph"' in page
    assert 'id="fph-placeholder"' not in page


def test_the_dashboard_counts_attendance_of_held_meetings(db, app, record, council):
    from participation.council import publishing

    chart = publishing.meetings_chart([council])

    held, rate = chart.rows[0].values
    assert held == 3
    # held: 3 present + 1 represented of 6; later and internal: 6 and 4 of 6.
    assert str(rate) == str(round((4 + 6 + 4) * 100 / 18, 1))


def test_published_minutes_are_in_the_atom_feed(db, client, record):
    import feedparser

    held, *_ = record

    feed = feedparser.parse(client.get("/opendata/feed.atom").data)

    assert not feed.bozo
    links = [e.link for e in feed.entries]
    assert any(link.endswith(f"/councils/meetings/{held.id}/minutes") for link in links)
    assert sum("/minutes" in link for link in links) == 1
