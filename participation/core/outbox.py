"""The e-mail outbox: queue in the caller's transaction, deliver after commit.

Delivery goes through SMTP when MAIL_SERVER is set, otherwise each message is
written as an .eml file under ``instance/outbox/`` (development and demo).

A message is a row: it is stored or dropped with the request that queued it, and
sent only once that request has committed (``session.info["outbox_queued"]`` is
set by the commit, not by the queueing). A failed delivery stays queued with its
error and is retried with exponential back-off by ``flask outbox send``.
"""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db
from .models import OutboxMessage
from .time import utcnow

#: Give up retrying after this many failed attempts (the row stays, with its error).
MAX_ATTEMPTS = 8


def queue_email(
    to_address: str,
    subject: str,
    body_text: str,
    *,
    attachment: tuple[str, str, bytes] | None = None,
) -> OutboxMessage:
    """Store an e-mail to send once the current transaction commits.

    :param attachment: ``(filename, mime type, content)``, for example an .ics file.
    """
    message = OutboxMessage(to_address=to_address, subject=subject, body_text=body_text)
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment_data = (
            attachment
        )
    db.session.add(message)
    db.session.flush()
    db.session.info["outbox_pending"] = True
    return message


@event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    # Only committed messages may be delivered after the request; releasing a
    # SAVEPOINT is not a commit.
    if not session.in_nested_transaction() and session.info.pop(
        "outbox_pending", False
    ):
        session.info["outbox_queued"] = True


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(
    session: Session, previous_transaction: SessionTransaction
) -> None:
    # The queued rows are gone with the outermost transaction: nothing to deliver.
    if previous_transaction.parent is None:
        session.info.pop("outbox_pending", None)


def build_message(message: OutboxMessage) -> EmailMessage:
    """Turn an outbox row into a standard e-mail message."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@participation>"
    email.set_content(message.body_text)
    if message.attachment_data is not None:
        maintype, _, subtype = (
            message.attachment_type or "application/octet-stream"
        ).partition("/")
        email.add_attachment(
            message.attachment_data,
            maintype=maintype,
            subtype=subtype,
            filename=message.attachment_name,
        )
    return email


def outbox_dir() -> Path:
    """Folder where development e-mails are written."""
    return Path(current_app.instance_path) / "outbox"


def _deliver(email: EmailMessage, message: OutboxMessage) -> None:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20
        ) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(email)
    else:
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{message.id:08d}.eml").write_bytes(bytes(email))


def _next_due(now: datetime) -> OutboxMessage | None:
    """Lock and return the oldest message due now; skip rows another sender holds."""
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(1)
        # PostgreSQL: two senders (after-commit hook, cron) never send the same row.
        .with_for_update(skip_locked=True)
    ).first()


def retry_delay(attempts: int) -> timedelta:
    """Back-off after *attempts* failures: 1, 2, 4, ... minutes, at most a day."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(days=1))


def send_pending(limit: int = 200) -> tuple[int, int]:
    """Send up to *limit* due messages; return (sent, failed). Commits each message.

    A failure keeps the message queued with its error and the time of the next
    attempt; after MAX_ATTEMPTS failures it stays in the table, unsent, for staff.
    """
    now = utcnow()
    sent = failed = 0
    for _ in range(limit):
        message = _next_due(now)
        if message is None:
            break
        message.attempts += 1
        try:
            _deliver(build_message(message), message)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = str(error)[:2000] or type(error).__name__
            message.next_attempt_at = utcnow() + retry_delay(message.attempts)
            failed += 1
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


def pending_count() -> int:
    """Messages not sent yet (due or waiting for a retry), excluding abandoned ones."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS
            )
        )
        or 0
    )
