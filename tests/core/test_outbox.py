"""The e-mail outbox: sent after commit, kept on failure, dropped on rollback."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from typing import ClassVar

import pytest
import sqlalchemy as sa

from participation.core.errors import Conflict
from participation.core.models import OutboxMessage
from participation.core.outbox import (
    MAX_ATTEMPTS,
    outbox_dir,
    queue_email,
    retry_delay,
    send_pending,
)
from participation.core.time import utcnow
from participation.extensions import db as _db


def _messages(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


class FakeSMTP:
    """Stands in for smtplib.SMTP; records what was sent, or fails on demand."""

    sent: ClassVar[list] = []
    fail_with: ClassVar[Exception | None] = None

    def __init__(self, host, port, timeout=None):
        if FakeSMTP.fail_with is not None:
            raise FakeSMTP.fail_with

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, email):
        FakeSMTP.sent.append(email)


@pytest.fixture
def fake_smtp(app, monkeypatch):
    app.config["MAIL_SERVER"] = "smtp.example.test"
    FakeSMTP.sent = []
    FakeSMTP.fail_with = None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


@pytest.fixture
def mail_routes(add_route):
    def queue_and_commit():
        queue_email("ana@example.test", "Votre idée", "Bonjour Ana")
        _db.session.commit()
        return "ok"

    def queue_then_refuse():
        queue_email("ana@example.test", "Jamais", "Ce message ne part pas")
        raise Conflict("not now")

    def queue_then_crash():
        queue_email("ana@example.test", "Jamais", "Ce message ne part pas")
        raise RuntimeError("bug")

    def queue_without_commit():
        queue_email("ana@example.test", "Oublié", "La vue n'a pas validé")
        return "forgot to commit"

    add_route("/_test/mail", queue_and_commit, methods=["POST"])
    add_route("/_test/mail-uncommitted", queue_without_commit, methods=["POST"])
    add_route("/_test/mail-refused", queue_then_refuse, methods=["POST"])
    add_route("/_test/mail-crash", queue_then_crash, methods=["POST"])


def test_message_is_written_as_eml_after_the_request_commits(
    app, db, client, mail_routes
):
    response = client.post("/_test/mail")

    assert response.status_code == 200
    (message,) = _messages(db)
    assert message.sent_at is not None
    assert message.attempts == 1
    files = sorted(outbox_dir().glob("*.eml"))
    assert [f.name for f in files] == [f"{message.id:08d}.eml"]
    assert str(outbox_dir()).startswith(app.instance_path)
    email = message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert email["To"] == "ana@example.test"
    assert email["Subject"] == "Votre idée"
    assert "Bonjour Ana" in email.get_content()


@pytest.mark.parametrize("url", ["/_test/mail-refused", "/_test/mail-crash"])
def test_nothing_is_queued_or_sent_when_the_request_rolls_back(
    db, client, mail_routes, url
):
    response = client.post(url)

    assert response.status_code in (409, 500)
    assert _messages(db) == []
    assert not outbox_dir().exists() or list(outbox_dir().glob("*.eml")) == []


def test_a_message_of_a_request_that_did_not_commit_is_not_sent(
    db, client, mail_routes
):
    client.post("/_test/mail-uncommitted")

    assert not outbox_dir().exists() or list(outbox_dir().glob("*.eml")) == []
    db.session.rollback()  # what the end of a real request does
    assert _messages(db) == []


def test_a_failed_delivery_stays_queued_with_its_error(
    db, client, mail_routes, fake_smtp
):
    fake_smtp.fail_with = ConnectionRefusedError(111, "Connection refused")

    response = client.post("/_test/mail")

    assert response.status_code == 200  # the request itself succeeded
    (message,) = _messages(db)
    assert message.sent_at is None
    assert message.attempts == 1
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at > utcnow() + timedelta(seconds=30)


def test_send_command_retries_once_the_delay_is_over(app, db, fake_smtp):
    queue_email("bob@example.test", "Convocation", "Réunion lundi")
    db.session.commit()
    fake_smtp.fail_with = smtplib.SMTPServerDisconnected("gone")
    runner = app.test_cli_runner()

    failed = runner.invoke(args=["outbox", "send"])
    too_early = runner.invoke(args=["outbox", "send"])
    (message,) = _messages(db)
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    fake_smtp.fail_with = None
    sent = runner.invoke(args=["outbox", "send"])

    assert failed.exit_code == 1
    assert "Sent 0, failed 1, still queued 1." in failed.output
    assert too_early.exit_code == 0
    assert "Sent 0, failed 0, still queued 1." in too_early.output
    assert sent.exit_code == 0, sent.output
    assert "Sent 1, failed 0, still queued 0." in sent.output
    (message,) = _messages(db)
    assert (message.attempts, message.last_error) == (2, None)
    assert message.sent_at is not None
    assert [m["Subject"] for m in fake_smtp.sent] == ["Convocation"]


def test_delay_doubles_after_each_failure_up_to_a_day():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert retry_delay(30) == timedelta(days=1)


def test_a_message_that_failed_too_often_is_kept_but_not_retried(db, fake_smtp):
    message = queue_email("eve@example.test", "Rappel", "Texte")
    message.attempts = MAX_ATTEMPTS
    message.last_error = "mailbox unavailable"
    db.session.commit()

    assert send_pending() == (0, 0)
    assert fake_smtp.sent == []
    assert _messages(db)[0].last_error == "mailbox unavailable"


def test_attachments_travel_with_the_message(db, fake_smtp):
    queue_email(
        "cc@example.test",
        "Convocation",
        "Voir la pièce jointe",
        attachment=(
            "reunion.ics",
            "text/calendar",
            b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        ),
    )
    db.session.commit()

    assert send_pending() == (1, 0)
    (email,) = fake_smtp.sent
    (part,) = list(email.iter_attachments())
    assert part.get_filename() == "reunion.ics"
    assert part.get_content_type() == "text/calendar"
