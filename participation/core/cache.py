"""Public pages for visitors, rendered once per data version (issue 14).

A page marked :func:`public_page` is stored, for visitors only (no session, no
remember cookie), under a key made of the **data version**, the language, the path
and the query string. The data version changes after every committed transaction
that wrote something (one place: the session hooks below), so a page is never
served from the cache after a write that could change it: the next request reads
the new version and renders again. Pages also carry an ``ETag`` (a hash of the
body) and ``Cache-Control: public, no-cache``: browsers and proxies revalidate
each time and get a ``304 Not Modified`` while nothing changed.

Where things live:

- the rendered pages: Flask-Caching, in process (``SimpleCache``) by default, in
  Redis when ``CACHE_REDIS_URL`` is set (``PARTICIPATION_CACHE_REDIS_URL``);
- the data version: a file of the instance folder by default (shared by the workers
  and the commands of one machine), a Redis counter when ``CACHE_REDIS_URL`` is set
  (shared by every app server). Several machines therefore need Redis.

Signed-in people's pages are never stored and are sent ``private, no-store``.
A page whose rendering touched the session (a CSRF token, a flash message) is not
stored either: it varies per person.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

from .database import is_write

log = logging.getLogger(__name__)

cache = Cache()

#: Attribute of a view function that may be stored for visitors.
_PUBLIC = "_participation_public_page"
#: Connection.info key: this transaction wrote something.
_WROTE = "participation_wrote"
#: Session.info key: the connections of the current transaction.
_CONNECTIONS = "participation_connections"
#: g key of the cache key computed for this request.
_KEY = "_page_cache_key"

View = TypeVar("View", bound=Callable[..., Any])


def public_page(view: View) -> View:
    """Mark *view* as the same for every visitor: it may be served from the cache."""
    setattr(view, _PUBLIC, True)
    return view


# ------------------------------------------------------------------ data version


class VersionStore(Protocol):
    """Where the data version lives: read on each cached request, bumped on writes."""

    def get(self) -> str: ...

    def bump(self) -> None: ...


class FileVersion:
    """A random token in a file, replaced atomically on each bump (one machine)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self) -> str:
        try:
            with open(self.path, "rb") as file:
                return file.read().decode() or "0"
        except FileNotFoundError:
            return "0"

    def bump(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            dir=self.path.parent, prefix=".data-version-"
        )
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(8))
        os.replace(temporary, self.path)


class RedisVersion:
    """A Redis counter (every app server of the city sees the same)."""

    def __init__(self, url: str, key: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.key = key

    def get(self) -> str:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else "0"

    def bump(self) -> None:
        self.client.incr(self.key)


def data_version() -> VersionStore:
    """The current app's version store."""
    store: VersionStore = current_app.extensions["participation_data_version"]
    return store


def bump_data_version() -> None:
    """Make every cached page old (called after each committed write)."""
    try:
        data_version().bump()
    except Exception:  # the write is committed; say loudly that pages may be old
        log.exception("the data version could not be bumped: cached pages may lag")
        try:
            cache.clear()
        except Exception:
            log.exception("the page cache could not be cleared either")


# ------------------------------------------------------------- the write hooks


@event.listens_for(Engine, "begin")
def _transaction_begins(connection: Any) -> None:
    connection.info.pop(_WROTE, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(
    connection: Any, cursor: Any, statement: str, *args: Any, **kwargs: Any
) -> None:
    if is_write(statement):
        connection.info[_WROTE] = True


@event.listens_for(Session, "after_begin")
def _remember_connection(
    session: Session, transaction: SessionTransaction, connection: Any
) -> None:
    session.info.setdefault(_CONNECTIONS, []).append(connection)


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    """After the commit (its connections are not given back yet): bump if it wrote."""
    connections = session.info.pop(_CONNECTIONS, ())
    wrote = any(connection.info.get(_WROTE) for connection in connections)
    if (
        wrote
        and has_app_context()
        and "participation_data_version" in current_app.extensions
    ):
        bump_data_version()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_CONNECTIONS, None)


# ------------------------------------------------------------------ the pages


def _is_visitor(app: Flask) -> bool:
    """No session and no remember cookie: a page the same for everyone."""
    cookies = request.cookies
    if app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
        return False
    return app.config["SESSION_COOKIE_NAME"] not in cookies or len(session) == 0


def _page_key(version: str) -> str:
    from flask_babel import get_locale

    query = request.query_string.decode("latin-1")
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:32]
    return f"page:{version}:{get_locale()}:{digest}"


def _public_headers(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    # Revalidate every time (never stale); the same for everyone without a cookie.
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["Vary"] = "Cookie"
    return response


def _serve_from_cache() -> Response | None:
    app = current_app
    if not app.config["PAGE_CACHE_ENABLED"] or request.method not in ("GET", "HEAD"):
        return None
    view = app.view_functions.get(request.endpoint or "")
    if view is None or not getattr(view, _PUBLIC, False) or not _is_visitor(app):
        return None
    try:
        key = _page_key(data_version().get())
        stored = cache.get(key)
    except Exception:  # Redis away: serve the page uncached, say so once per request
        log.exception("page cache unavailable")
        return None
    g.setdefault(_KEY, key)
    if stored is None:
        return None
    body, etag, mimetype = stored
    response = app.response_class(body, mimetype=mimetype)
    response.headers["X-Page-Cache"] = "hit"
    _public_headers(response, etag)
    response.make_conditional(request)
    return response


def _store_or_protect(response: Response) -> Response:
    key = g.pop(_KEY, None)
    if key is not None and response.headers.get("X-Page-Cache") != "hit":
        if (
            response.status_code == 200
            and not response.direct_passthrough
            and not session.modified
            and "Set-Cookie" not in response.headers
        ):
            body = response.get_data()
            etag = hashlib.sha256(body).hexdigest()[:32]
            try:
                cache.set(key, (body, etag, response.mimetype))
            except Exception:
                log.exception("page cache unavailable")
            response.headers["X-Page-Cache"] = "miss"
            _public_headers(response, etag)
            response.make_conditional(request)
        return response
    already = response.headers.get("Cache-Control", "")
    if request.endpoint != "static" and "no-store" not in already and _signed_in():
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _signed_in() -> bool:
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def init_app(app: Flask) -> None:
    """Configure Flask-Caching and the version store; hook the page cache in."""
    redis_url = app.config.get("CACHE_REDIS_URL")
    config = {
        "CACHE_TYPE": "RedisCache" if redis_url else "SimpleCache",
        "CACHE_DEFAULT_TIMEOUT": app.config["PAGE_CACHE_TIMEOUT"],
        "CACHE_KEY_PREFIX": app.config["PAGE_CACHE_PREFIX"],
        "CACHE_THRESHOLD": app.config["PAGE_CACHE_THRESHOLD"],
    }
    if redis_url:
        config["CACHE_REDIS_URL"] = redis_url
    cache.init_app(app, config=config)
    store: VersionStore
    if redis_url:
        store = RedisVersion(redis_url, app.config["PAGE_CACHE_PREFIX"] + "version")
    else:
        store = FileVersion(
            Path(app.config.get("DATA_VERSION_FILE") or "")
            if app.config.get("DATA_VERSION_FILE")
            else Path(app.instance_path) / "data-version"
        )
    app.extensions["participation_data_version"] = store
    # Before the other hooks (the rate limiter, the session checks): a visitor's
    # cached page needs none of them, and they were a third of a hit's time. No
    # public page has a rate limit; a request the hooks would refuse (a NUL in
    # the address) never rendered a page, so its key is never in the cache.
    app.before_request_funcs.setdefault(None, []).insert(0, _serve_from_cache)
    app.after_request(_store_or_protect)


__all__ = ["bump_data_version", "cache", "init_app", "public_page"]
