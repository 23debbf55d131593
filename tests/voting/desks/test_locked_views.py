"""The desk's minutes and its close through the pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.audit import AuditEntry
from participation.extensions import db
from participation.voting.desks.states import BatchState

pytestmark = pytest.mark.usefixtures("english")


def test_closing_a_desk_goes_through_a_confirmation_page(desk, relay, login_as):
    client = login_as(relay)

    page = client.get(f"/desks/{desk.id}").get_data(as_text=True)
    confirm = client.get(f"/desks/{desk.id}/close")

    assert f'href="/desks/{desk.id}/close"' in page
    assert confirm.status_code == 200
    assert "cannot be reopened" in confirm.get_data(as_text=True)
    db.session.expire_all()
    assert desk.is_open
    assert client.post(f"/desks/{desk.id}/close").status_code == 302
    db.session.expire_all()
    assert not desk.is_open
    again = client.get(f"/desks/{desk.id}/close").get_data(as_text=True)
    assert 'id="desk-already-closed"' in again
    assert 'id="confirm-form"' not in again


def test_the_minutes_form_refuses_an_empty_note_then_saves_it(
    signed_desk, relay, login_as
):
    desk = signed_desk(2)
    client = login_as(relay)

    assert 'id="minutes-form"' in client.get(f"/desks/{desk.id}").get_data(as_text=True)
    refused = client.post(f"/desks/{desk.id}/minutes", data={"note": " "})
    assert refused.status_code == 200
    assert 'id="note-error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert desk.minutes_note is None

    note = "Une électrice est repartie sans voter."
    saved = client.post(f"/desks/{desk.id}/minutes", data={"note": note})
    assert saved.status_code == 302
    db.session.expire_all()
    assert desk.minutes_note == note
    assert db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "polling_desk.minutes")
    )
    assert note in client.get(f"/desks/{desk.id}").get_data(as_text=True)


def test_the_minutes_wait_for_the_close(desk, relay, login_as):
    client = login_as(relay)
    response = client.post(
        f"/desks/{desk.id}/minutes", data={"note": "Rien à signaler."}
    )
    assert response.status_code == 200
    assert "Close the desk first" in response.get_data(as_text=True)
    db.session.expire_all()
    assert desk.minutes_note is None


def test_a_deposit_goes_through_a_confirmation_page(
    vote, signed_desk, make_batch, relay, relay2, key_batch, login_as
):
    desk = signed_desk(2)
    batch = make_batch(desk, 2)
    client = login_as(relay)
    unkeyed = client.get(f"/desks/batches/{batch.id}/deposit")
    assert 'id="batch-not-depositable"' in unkeyed.get_data(as_text=True)
    readings = [vote.numbers(0)] * 2
    key_batch(batch, relay, readings)
    key_batch(batch, relay2, readings)
    if batch.state is not BatchState.RECONCILED:
        assert client.post(f"/desks/batches/{batch.id}/reconcile").status_code == 302
    page = client.get(f"/desks/batches/{batch.id}").get_data(as_text=True)
    assert f'href="/desks/batches/{batch.id}/deposit"' in page
    confirm = client.get(f"/desks/batches/{batch.id}/deposit").get_data(as_text=True)
    assert "cannot be taken out" in confirm
    assert 'id="confirm-form"' in confirm
    assert client.post(f"/desks/batches/{batch.id}/deposit").status_code == 302
    db.session.expire_all()
    assert batch.state is BatchState.DEPOSITED
