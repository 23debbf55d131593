"""Audit entries turned into the rows of the audit page (``audit_text.rows``)."""

from __future__ import annotations

from participation.accounts.states import Role
from participation.core import audit, audit_text
from participation.core.actors import SYSTEM


def test_details_read_as_key_and_text_pairs():
    assert audit_text.detail_pairs('{"name":"Nord","amount":10,"to":{"a":1}}') == [
        ("name", "Nord"),
        ("amount", "10"),
        ("to", '{"a": 1}'),
    ]
    assert audit_text.detail_pairs('["é", 2]') == [("", '["é", 2]')]
    assert audit_text.detail_pairs("not json {") == [("", "not json {")]


def test_the_person_is_a_pseudonym_a_deleted_account_or_the_system(app):
    names = {4: "agent-smith"}

    assert audit_text.person_name(4, names) == "agent-smith"
    assert audit_text.person_name(9, names) == "Deleted account (no. 9)"
    assert audit_text.person_name(None, names) == "The system"


def test_rows_keep_the_order_and_link_the_objects(app, db, make_user, make_territory):
    staff = make_user(roles=(Role.STAFF,))
    territory = make_territory(name="Bastide")
    changed = audit.record("territory.update", actor=staff, obj=territory, name="N")
    by_system = audit.record("round.publish", actor=SYSTEM, object_type="round")
    deleted = make_user(roles=(Role.STAFF,))  # no pseudonym found: deleted since
    gone = audit.record(
        "territory.update", actor=deleted, object_type="territory", object_id=999
    )
    db.session.commit()

    with app.test_request_context():
        rows = audit_text.rows([gone, by_system, changed], {staff.id: "agent-smith"})

    assert [row.entry for row in rows] == [gone, by_system, changed]
    assert str(rows[2].sentence) == (
        "agent-smith changed the neighbourhood"
        f' “<a href="/territories/{territory.id}">Bastide</a>”'
    )
    assert rows[2].details == [("name", "N")]
    assert str(rows[1].sentence).startswith("The system ")
    assert "<a" not in str(rows[1].sentence)
    # An object that is no longer there is named by its number, without a link.
    assert str(rows[0].sentence) == (
        f"Deleted account (no. {deleted.id}) changed the neighbourhood no. 999"
    )
