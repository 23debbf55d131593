"""Wire extensions, hooks, error pages and blueprints into the app (see create_app)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, render_template, request, session
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from ..extensions import babel, csrf, db, limiter, login_manager, migrate
from . import (  # noqa: F401 (database registers the engine hooks)
    audit,
    database,
    i18n,
    ratelimits,
)
from .converters import BoundedIntConverter
from .errors import DomainError
from .i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

#: Strict policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("Access refused"),
    404: _l("Page not found"),
    405: _l("Action not allowed"),
    409: _l("This is not possible now"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}

ERROR_TEXTS = {
    400: _l("Please go back and try again."),
    403: _l("You do not have the right to see this page or do this action."),
    404: _l("The page you asked for does not exist or has moved."),
    405: _l("This address cannot be used this way."),
    409: _l("The item is not in a state that allows this action."),
    413: _l("Files and forms are limited in size. Please send something smaller."),
    429: _l("Please wait a little before trying again."),
    500: _l("The error has been recorded. Please try again in a moment."),
}


def init_app(app: Flask) -> None:
    """Bind extensions, template helpers, hooks and error pages (not the features)."""
    # Before any blueprint adds a route: every <int:...> is then bounded.
    app.url_map.converters["int"] = BoundedIntConverter
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    ratelimits.init_app(app)
    audit.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    from .fragments import static_fragment
    from .requests import Request

    app.request_class = Request  # WTForms' messages read once per language
    i18n.install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.signin"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    app.jinja_env.policies["ext.i18n.trimmed"] = True  # match babel.cfg
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        text_direction=i18n.text_direction,
        source_text=i18n.source_text,
        localized=i18n.localized,
        language_names=i18n.LANGUAGE_NAMES,
        language_url=i18n.language_url,
        static_fragment=static_fragment,
    )
    app.url_defaults(i18n.keep_language)
    app.before_request(i18n.remember_language)
    app.jinja_env.filters.update(
        money=i18n.money,
        percent=i18n.percent,
        date=i18n.format_date,
        datetime=i18n.datetime_text,
    )
    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale

    _register_hooks(app)
    _register_errors(app)
    from . import cache

    cache.init_app(app)


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters() -> tuple[str, int] | None:
        # PostgreSQL cannot store U+0000 in text, and nobody types it: refuse the
        # request with a message rather than fail at the INSERT.
        sources = [request.args]
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sources.append(request.form)
        for values in sources:
            for _name, items in values.lists():
                if any("\x00" in item for item in items):
                    return _render_error(
                        400,
                        _(
                            "What you typed contains an invisible control character "
                            "that cannot be saved. Please type it again."
                        ),
                    )
        return None

    @app.after_request
    def private_pages(response: Response) -> Response:
        # A signed-in person's pages carry personal data; sign-in and registration
        # pages carry what was typed. No shared cache, no back-button copy.
        # A file a view marked itself (a public photo, or "private, no-store")
        # keeps its header.
        chosen = response.headers.get("Cache-Control", "")
        if ("_user_id" in session or request.blueprint == "accounts") and not (
            "no-store" in chosen or chosen.startswith("public")
        ):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
            response.vary.add("Cookie")
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.after_request
    def deliver_outbox(response: Response) -> Response:
        # Messages queued by a committed request go out now; a failure stays queued.
        if (
            db.session.registry.has()  # no session made, nothing queued
            and db.session.info.pop("outbox_queued", False)
            and app.config["OUTBOX_SEND_AFTER_COMMIT"]
        ):
            from .outbox import send_pending

            try:
                send_pending()
            except Exception:  # the request itself succeeded; the outbox retries later
                log.exception("outbox delivery failed")
                db.session.rollback()
        return response


def _render_error(code: int, message: str | None = None) -> tuple[str, int]:
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
            message=message or ERROR_TEXTS.get(code, ERROR_TEXTS[500]),
        ),
        code,
    )


def _megabytes(size: int) -> str:
    return str(_("%(size)s MB", size=format_decimal(round(size / 1024 / 1024, 1))))


def _limit_wait_seconds() -> int:
    """Seconds until the limit that refused this request lets it through."""
    current = limiter.current_limit
    if current is None:
        return 0
    try:
        reset_at = current.reset_at
    except Exception:  # the store is unreachable: say nothing precise
        return 0
    return max(0, int(reset_at - time.time()))


def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _render_error(
            400,
            _(
                "The form expired or was sent from elsewhere. "
                "Please go back, reload it and try again."
            ),
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
        limit = request.max_content_length or 0
        return _render_error(
            413,
            _(
                "What you sent is larger than %(size)s. Go back, send a smaller "
                "file or a shorter text, and try again.",
                size=_megabytes(limit),
            ),
        )

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded) -> tuple[str, int]:
        wait = _limit_wait_seconds()
        if not wait:
            return _render_error(429)
        minutes = max(1, (wait + 59) // 60)
        return _render_error(
            429,
            ngettext(
                "Too many attempts from this address. Please try again in "
                "%(num)d minute.",
                "Too many attempts from this address. Please try again in "
                "%(num)d minutes.",
                minutes,
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        db.session.rollback()
        return _render_error(error.status_code, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if code < 400 or request.path.startswith("/static/"):
            return error
        return _render_error(code if code in ERROR_TITLES else 400)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        log.exception("unexpected error on %s", request.path)
        g.error_logged = True
        return _render_error(500)
