"""Committed configuration defaults. No secrets here: see instance/config.py."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar


class DefaultConfig:
    """Defaults for every deployment; overridden by instance/config.py and env vars."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = "sqlite:///participation.sqlite"
    #: A pooled connection is checked before use: after a database restart the next
    #: request reconnects instead of failing (issue 14).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}

    #: Languages offered to people, French first (the default).
    LANGUAGES = ("fr", "en", "ar")
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    BABEL_TRANSLATION_DIRECTORIES = "../translations"

    #: Demo mode shows the demo passwords on the home page. Never in production.
    DEMO = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Secure cookies unless explicitly served over plain HTTP (development, tests).
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    #: Request bodies above this are refused with a 413 page that gives the limit.
    #: Forms without a file are small; views that take a photo or a document raise
    #: their own limit (core.uploads.UPLOAD_REQUEST_LIMIT, the FPH bilan more).
    MAX_CONTENT_LENGTH = 1024 * 1024
    #: The text fields of a multipart form (one with a photo) together: werkzeug's
    #: default (500 kB) would answer 413 to a long pasted text before the form's
    #: own length check could say so by the field.
    MAX_FORM_MEMORY_SIZE = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    #: Rate limits (Flask-Limiter) and sign-in delays. ``memory://`` counts per
    #: process: with several gunicorn workers or servers, set a shared store such as
    #: ``redis://127.0.0.1:6379/0`` (counters then hold across workers).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    #: Failed sign-ins per client address (successful ones are not counted): a
    #: social centre where dozens of people sign in from one address is not locked
    #: out; a guesser trying many accounts from one address is.
    RATELIMIT_SIGNIN = "30 per 10 minutes;200 per day"
    #: Addresses (or networks, such as "192.0.2.0/28") of France Services desks and
    #: social centres: no per-address limit there (per-account delays still apply).
    RATELIMIT_TRUSTED_ADDRESSES: ClassVar[list[str]] = []
    #: Failed sign-ins on one account before the delays start, the first delay
    #: (doubled at each further failure) and the longest.
    SIGNIN_FREE_FAILURES = 3
    SIGNIN_FIRST_DELAY = timedelta(seconds=30)
    SIGNIN_MAX_DELAY = timedelta(hours=1)
    #: Behind a reverse proxy: how many proxies add X-Forwarded-For/-Proto in
    #: front of the app (0: the app faces the clients directly).
    TRUSTED_PROXIES = 0
    #: Staff and admin sessions end after this long without a request.
    STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
    #: Two-factor sign-in: the name shown in authenticator apps.
    TOTP_ISSUER = "Participation"
    #: Key of the audit chain's HMAC; derived from SECRET_KEY when empty. Set it
    #: explicitly (and keep it) if SECRET_KEY may change, or verify fails.
    AUDIT_HMAC_KEY: str | None = None
    #: Where signed statements of the audit chain's head are written (relative to
    #: the instance folder); the newest is also rewritten after every commit.
    AUDIT_ANCHOR_DIR = "audit-anchors"
    #: Where `flask backup create` writes its archives (relative to the instance).
    BACKUP_DIR = "backups"
    #: Folder of PostgreSQL's pg_dump and pg_restore; found from the server's
    #: version under /usr/lib/postgresql when empty.
    PG_BIN_DIR: str | None = None
    RATELIMIT_REGISTER = "5 per minute;30 per hour"
    RATELIMIT_PASSWORD_RESET = "5 per minute;20 per hour"  # noqa: S105 (a rate, not a secret)
    #: Ballot review and confirmation, per signed-in person (not per address: many
    #: residents vote from one public computer).
    RATELIMIT_VOTE = "20 per minute;100 per hour"
    #: Receipt checks on a public results page, per address.
    RATELIMIT_RECEIPT_CHECK = "30 per minute;300 per hour"

    #: Rendered public pages for visitors (core/cache.py): in process by default, in
    #: Redis with CACHE_REDIS_URL (``redis://host:6379/0``), which then also holds
    #: the data version shared by every app server. Pages are dropped after every
    #: write; the timeout only bounds what depends on the clock (a vote opening).
    PAGE_CACHE_ENABLED = True
    CACHE_REDIS_URL: str | None = None
    PAGE_CACHE_TIMEOUT = 60
    PAGE_CACHE_PREFIX = "participation:"
    #: Pages kept by the in-process cache of each worker.
    PAGE_CACHE_THRESHOLD = 2000
    #: File of the data version without Redis (default: instance/data-version).
    DATA_VERSION_FILE: str | None = None

    #: Outgoing mail. Without MAIL_SERVER, messages are written as .eml files
    #: under instance/outbox/.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "participation@localhost"
    #: Deliver the outbox right after each commit (SMTP or .eml files).
    OUTBOX_SEND_AFTER_COMMIT = True

    #: Public name of the running city or agglomeration.
    SITE_NAME = "Participation"
    ORGANISATION_NAME = "Carcassonne Agglomération"
    #: The body granting the FPH subsidies and its SIRET, for the SCDL Subventions
    #: open-data export (required there; the export is refused while unset).
    FPH_ATTRIBUANT_NAME = ""
    FPH_ATTRIBUANT_SIRET = ""

    #: Legal notice, personal-data and accessibility pages (fill in instance/config.py;
    #: an empty value shows "to be completed" on the page).
    ORGANISATION_ADDRESS = ""
    PUBLICATION_DIRECTOR = ""
    CONTACT_EMAIL = ""
    HOSTING_PROVIDER = ""
    HOSTING_ADDRESS = ""
    DPO_CONTACT = ""
    #: Where the running source code can be downloaded (AGPL section 13).
    SOURCE_CODE_URL = ""
