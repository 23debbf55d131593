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

    #: Request bodies above this are refused with a friendly 413 page.
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    #: The text fields of a multipart form (one with a photo) together: werkzeug's
    #: default (500 kB) would answer 413 to a long pasted text before the form's
    #: own length check could say so by the field.
    MAX_FORM_MEMORY_SIZE = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    #: Rate limits (Flask-Limiter). In memory unless a Redis URL is configured.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SIGNIN = "10 per minute;50 per hour"
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
