"""Core tables: the hash-chained audit log, the e-mail outbox, used form tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Base
from .time import UTCDateTime, utcnow


class AuditEntry(Base):
    """One state change or staff action. Append-only; each row hashes the previous."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The person who acted; None for the system (CLI, jobs, imports). Deliberately
    #: not a foreign key: deleting an account must not rewrite the log (a SET NULL
    #: would change hashed content and make verify() report tampering).
    actor_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[str | None] = mapped_column(sa.String(60))
    #: Canonical JSON of what changed (never secrets, never ballot contents).
    details: Mapped[str] = mapped_column(sa.Text, default="{}")
    #: Hash of the previous entry ("" for the first one); unique, so the chain
    #: cannot fork.
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: 1: plain SHA-256 (entries written before the keyed chain); 2: HMAC-SHA256
    #: with a key kept outside the database (see core.audit).
    scheme: Mapped[int] = mapped_column(default=1, server_default="1")

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)


class OutboxMessage(Base):
    """An e-mail waiting to be sent; kept after sending so nothing is ever lost."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    #: Optional attachment (for example an .ics file), stored inline.
    attachment_name: Mapped[str | None] = mapped_column(sa.String(120))
    attachment_type: Mapped[str | None] = mapped_column(sa.String(80))
    attachment_data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class FormSubmission(Base):
    """A create form's token, used once: a double click or a replay finds it."""

    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    endpoint: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Where the first submission led (set once it committed).
    result_url: Mapped[str | None] = mapped_column(sa.String(500))
