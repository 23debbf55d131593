"""The staff page of the audit log: access, order, filters, pagination, no N+1."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from participation.accounts.states import Role
from participation.core import audit
from participation.core.actors import SYSTEM
from participation.core.time import today_paris
from participation.core.views import AUDIT_PER_PAGE

from .querycount import count_queries


def _entry_ids(html: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb'id="audit-entry-(\d+)"', html)]


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/audit")

    assert response.status_code == 302
    assert "/signin" in response.location


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.RELAY, Role.REVIEWER])
def test_people_who_are_not_staff_get_403(person, login_as, role):
    client = login_as(person(role))

    response = client.get("/audit")

    assert response.status_code == 403


def test_staff_see_entries_newest_first_with_pseudonyms(db, person, login_as):
    agent = person(Role.STAFF, pseudonym="agent-smith")
    first = audit.record("idea.submit", actor=agent, object_type="idea", object_id=7)
    second = audit.record("idea.hide", actor=SYSTEM, object_type="idea", object_id=7)
    db.session.commit()

    response = login_as(agent).get("/audit")

    assert response.status_code == 200
    assert _entry_ids(response.data) == [second.id, first.id]
    assert b"agent-smith" in response.data
    assert response.data.count(b"<h1") == 1


def test_filters_by_object_type_action_and_person(db, person, login_as):
    agent = person(Role.STAFF, pseudonym="agent-a")
    other = person(Role.ADMIN, pseudonym="agent-b")
    idea = audit.record("idea.submit", actor=agent, object_type="idea", object_id=1)
    fund = audit.record("fund.create", actor=agent, object_type="fund", object_id=1)
    by_other = audit.record("idea.submit", actor=other, object_type="idea", object_id=2)
    db.session.commit()
    client = login_as(agent)

    assert _entry_ids(client.get("/audit?object_type=fund").data) == [fund.id]
    assert _entry_ids(client.get("/audit?action=idea.submit").data) == [
        by_other.id,
        idea.id,
    ]
    assert _entry_ids(client.get("/audit?actor=AGENT-B").data) == [by_other.id]
    assert _entry_ids(client.get("/audit?actor=nobody").data) == []


def test_pages_hold_a_fixed_number_of_entries(db, person, login_as):
    agent = person(Role.STAFF)
    entries = [
        audit.record("thing.touch", actor=agent, object_type="thing", object_id=n)
        for n in range(AUDIT_PER_PAGE + 3)
    ]
    db.session.commit()
    client = login_as(agent)

    first_page = _entry_ids(client.get("/audit").data)
    second_page = client.get("/audit?page=2")
    odd_page = client.get("/audit?page=abc")

    assert len(first_page) == AUDIT_PER_PAGE
    assert first_page[0] == entries[-1].id
    assert _entry_ids(second_page.data) == [e.id for e in reversed(entries[:3])]
    assert b'rel="prev"' in second_page.data
    assert _entry_ids(odd_page.data) == first_page


def test_list_does_not_query_per_row(db, person, login_as):
    agent = person(Role.STAFF)
    actors = [person(Role.STAFF) for _ in range(5)]
    client = login_as(agent)

    def add(n: int) -> None:
        for i in range(n):
            audit.record("x.y", actor=actors[i % 5], object_type="x", object_id=i)
        db.session.commit()

    add(5)
    client.get("/audit")  # first-request work out of the way
    db.session.expire_all()  # both measured requests load the signed-in person
    with count_queries(db) as few:
        assert client.get("/audit").status_code == 200
    add(40)
    db.session.expire_all()
    with count_queries(db) as many:
        assert client.get("/audit").status_code == 200

    assert len(many) == len(few)


def _row(html: str, entry_id: int) -> str:
    start = html.index(f'id="audit-entry-{entry_id}"')
    return html[start : html.index("</tr>", start)]


@pytest.mark.french
def test_entries_read_as_sentences_linking_to_their_object(
    db, person, login_as, make_round, make_idea
):
    agent = person(Role.STAFF, pseudonym="agent-smith")
    idea = make_idea(make_round(), title="Des bancs au square")
    submitted = audit.record(
        "idea.submit", actor=agent, object_type="idea", object_id=idea.id
    )
    by_system = audit.record(
        "round.publish", actor=SYSTEM, object_type="round", object_id=idea.round_id
    )
    unknown = audit.record(
        "gadget.polish", actor=agent, object_type="gadget", object_id=3
    )
    hostile = make_idea(idea.round, title="<b>gras</b>")
    escaped = audit.record(
        "idea.hide", actor=agent, object_type="idea", object_id=hostile.id
    )
    db.session.commit()

    html = login_as(agent).get("/audit").get_data(as_text=True)

    row = _row(html, submitted.id)
    assert "agent-smith a soumis l\u2019idée «\u00a0<a" in row
    assert f'<a href="/ideas/{idea.id}">Des bancs au square</a>' in row
    assert "Le système a publié la campagne" in _row(html, by_system.id)
    # An action and object type nobody described still read as a sentence.
    assert "gadget.polish" in _row(html, unknown.id)
    assert "gadget n° 3" in _row(html, unknown.id)
    assert "&lt;b&gt;gras&lt;/b&gt;</a>" in _row(html, escaped.id)
    # The raw record stays one click away.
    assert "<code>idea.submit</code>" in row


def test_filters_by_object_number_and_dates(db, person, login_as):
    agent = person(Role.STAFF)
    old = audit.record("idea.submit", actor=agent, object_type="idea", object_id=5)
    old.at = old.at - timedelta(days=10)
    recent = audit.record("idea.hide", actor=agent, object_type="idea", object_id=5)
    other = audit.record("idea.hide", actor=agent, object_type="idea", object_id=6)
    db.session.commit()
    client = login_as(agent)
    today = today_paris()
    week_ago = (today - timedelta(days=7)).isoformat()

    assert _entry_ids(client.get("/audit?object_type=idea&object_id=5").data) == [
        recent.id,
        old.id,
    ]
    assert _entry_ids(client.get(f"/audit?object_id=5&since={week_ago}").data) == [
        recent.id
    ]
    assert _entry_ids(
        client.get(f"/audit?until={(today - timedelta(days=9)).isoformat()}").data
    ) == [old.id]
    assert other.id in _entry_ids(client.get(f"/audit?until={today}").data)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=0001-01-01", "since"),
        ("until=2026-01-01&since=2026-02-01", "until"),
        ("object_id=-4", "object_id"),
        ("object_id=99999999999999999999", "object_id"),
    ],
)
def test_bad_filters_are_explained_next_to_the_field(
    db, person, login_as, query, field
):
    agent = person(Role.STAFF)
    audit.record("idea.submit", actor=agent, object_type="idea", object_id=5)
    db.session.commit()

    response = login_as(agent).get(f"/audit?{query}")

    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
