"""The staff page of the audit log: access, order, filters, pagination, no N+1."""

from __future__ import annotations

import re

import pytest

from participation.accounts.states import Role
from participation.core import audit
from participation.core.actors import SYSTEM
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
