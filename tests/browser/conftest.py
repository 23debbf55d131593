"""Browser journeys: a live server, headless Chromium (Playwright), axe-core scans.

The live server is the real app (CSRF on, demo data loaded) served by werkzeug in a
thread on 127.0.0.1 with a free port, on a SQLite file or, when
PARTICIPATION_TEST_DATABASE_URI is set, on a scratch PostgreSQL database of its own.

The ``page`` fixture scans every document the test visits with axe-core (bundled in
axe-playwright-python, injected with ``page.evaluate`` so it works offline and under
our strict CSP): after each Playwright action that navigated (goto, a click on a link
or a submit button, ...) the new page is scanned and the test fails at that step on
any violation, or when the page is wider than a 320 px screen (reflow). A failed
test leaves a screenshot and the HTML in test-artifacts/.

Without /usr/bin/chromium (or Playwright) the journeys are skipped, unless
PARTICIPATION_REQUIRE_BROWSER=1, where they fail.
"""

from __future__ import annotations

import email
import email.policy
import functools
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from participation import PROJECT_ROOT, create_app
from participation.extensions import db

CHROMIUM = Path(os.environ.get("PARTICIPATION_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
#: Playwright's wait for anything (ms), actions and ``expect`` alike. The live
#: server answers in milliseconds; the margin is for a loaded CI machine, where a
#: page that writes the audit chain and an upload waited more than 10 s (a wait,
#: not a measure: speed is measured by ``make bench``).
TIMEOUT_MS = 30_000
#: Playwright actions that may start a navigation; the page is scanned after them.
NAVIGATING_ACTIONS = {
    "Page": (
        "goto",
        "reload",
        "go_back",
        "go_forward",
        "click",
        "dblclick",
        "tap",
        "press",
        "check",
        "uncheck",
        "select_option",
        "dispatch_event",
        "wait_for_url",
        "wait_for_load_state",
    ),
    "Locator": (
        "click",
        "dblclick",
        "tap",
        "press",
        "check",
        "uncheck",
        "set_checked",
        "select_option",
        "dispatch_event",
    ),
}


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Under xdist (loadgroup), journeys share a worker: one Chromium, one server."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))


def _require_browser(reason: str) -> None:
    if os.environ.get("PARTICIPATION_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (PARTICIPATION_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------- live server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log: pytest would show hundreds of lines on a failure."""


@dataclass
class LiveServer:
    """The running app: its URL, the app itself, and what it sent and failed."""

    app: Flask
    url: str
    #: "METHOD /path -> status" of every 5xx answer, checked after each test.
    server_errors: list[str] = field(default_factory=list)

    def url_for(self, path: str) -> str:
        return self.url + path

    @property
    def outbox_dir(self) -> Path:
        return Path(self.app.instance_path) / "outbox"

    def emails(self) -> list[EmailMessage]:
        """Every e-mail delivered so far (instance/outbox/*.eml), oldest first."""
        messages = []
        for path in sorted(self.outbox_dir.glob("*.eml")):
            message = email.message_from_bytes(
                path.read_bytes(), policy=email.policy.default
            )
            assert isinstance(message, EmailMessage)
            messages.append(message)
        return messages

    def last_email_to(self, address: str) -> EmailMessage:
        """The newest e-mail sent to *address*; fails when there is none."""
        matching = [m for m in self.emails() if m["To"] == address]
        assert matching, f"no e-mail to {address} in {self.outbox_dir}"
        return matching[-1]

    def links_in(self, message: EmailMessage) -> list[str]:
        """The links of this site found in the text of *message*."""
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        return [
            link
            for link in re.findall(r"https?://\S+", text)
            if link.startswith(self.url)
        ]


def live_server_config(database_uri: str) -> dict[str, Any]:
    """The live app's configuration: as in production, except plain HTTP and speed."""
    return {
        "SECRET_KEY": "browser-test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": True,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        # Journeys register and sign in more often than a person would.
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_FAST": True,
        # The demo home page (with the demo accounts) is what `make run` shows.
        "DEMO": True,
    }


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory,
    pg_scratch_database: Callable[[str], str],
) -> Iterator[LiveServer]:
    from participation.demo import load_demo

    folder = tmp_path_factory.mktemp("live")
    if os.environ.get("PARTICIPATION_TEST_DATABASE_URI"):
        # Never the truncated test database: other tests empty it under our feet.
        database_uri = pg_scratch_database("live")
    else:
        database_uri = f"sqlite:///{folder / 'live.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTICIPATION_INSTANCE_PATH", str(folder / "instance"))
        app = create_app(live_server_config(database_uri))
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.remove()

    server_errors: list[str] = []

    @app.after_request
    def record_server_errors(response: Response) -> Response:
        if response.status_code >= 500:
            server_errors.append(
                f"{request.method} {request.full_path} -> {response.status}"
            )
        return response

    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", server_errors)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


# ------------------------------------------------------------------------ axe-core


@functools.cache
def _axe_source() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


#: Every rule axe-core runs by default (WCAG 2.x A/AA and best practices).
AXE_OPTIONS = {"resultTypes": ["violations"]}


def format_violations(url: str, title: str, violations: list[dict[str, Any]]) -> str:
    """A readable report: rule id, impact, help, then each failing element."""
    lines = [f"axe-core: {len(violations)} violation(s) on {url} ({title!r})"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}] {violation['help']}"
            f" ({violation.get('helpUrl', '')})"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary}")
            lines.append(f"      {node.get('html', '')[:200]}")
    return "\n".join(lines)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page's current document; return its violations."""
    # page.evaluate goes through the DevTools protocol: the page's CSP does not apply.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def assert_accessible(page: Any) -> None:
    """Fail with a readable report unless axe-core finds zero violations on the page."""
    violations = axe_violations(page)
    if violations:  # a plain raise: pytest would otherwise print the whole result again
        raise AssertionError(format_violations(page.url, page.title(), violations))


#: The phone width every page must fit without horizontal scrolling (WCAG 1.4.10).
REFLOW_WIDTH = 320


def assert_reflows(page: Any) -> None:
    """Fail unless the page, 320 px wide, is no wider than the screen; then restore."""
    viewport = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": viewport["height"]})
    try:
        width = page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        )
    finally:
        page.set_viewport_size(viewport)
    if width > REFLOW_WIDTH:
        raise AssertionError(
            f"reflow: {page.url} is {width}px wide at {REFLOW_WIDTH}px"
        )


class AxeScanner:
    """Scans each document a page loads, once, right after the step that loaded it."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.pending = False
        #: URLs scanned so far, in order (a journey can assert it saw its pages).
        self.scanned: list[str] = []
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.pending = True

    def flush(self) -> None:
        """Scan the current document if the page navigated since the last scan."""
        if not self.pending or self.page.is_closed():
            return
        self.pending = False
        self.page.wait_for_load_state("load")
        self.scanned.append(self.page.url)
        assert_accessible(self.page)
        assert_reflows(self.page)


_SCANNERS: dict[int, AxeScanner] = {}


def _scanner_of(page: Any) -> AxeScanner | None:
    return _SCANNERS.get(id(page))


def _scanning(
    method: Callable[..., Any], page_of: Callable[[Any], Any]
) -> Callable[..., Any]:
    @functools.wraps(method)
    def action(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        scanner = _scanner_of(page_of(self))
        if scanner is not None:
            scanner.flush()
        return result

    return action


# ---------------------------------------------------------------------- Playwright


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[Any]:
    """Headless Debian Chromium, once per session."""
    if not CHROMIUM.exists():
        _require_browser(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright

        expect.set_options(timeout=TIMEOUT_MS)
    except ImportError:
        _require_browser("Playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_context(playwright_browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser profile (no cookies) per test, pointed at the live server."""
    context = playwright_browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Playwright page whose every visited document must pass axe-core."""
    from playwright.sync_api import Locator, Page

    page_of = {"Page": lambda p: p, "Locator": lambda locator: locator.page}
    for cls in (Page, Locator):
        for name in NAVIGATING_ACTIONS[cls.__name__]:
            monkeypatch.setattr(
                cls, name, _scanning(getattr(cls, name), page_of[cls.__name__])
            )
    page = browser_context.new_page()
    _SCANNERS[id(page)] = AxeScanner(page)
    try:
        yield page
    finally:
        _SCANNERS.pop(id(page), None)


@pytest.fixture
def axe_scanner(page: Any) -> AxeScanner:
    """The scanner of ``page`` (to check which pages a journey scanned)."""
    scanner = _scanner_of(page)
    assert scanner is not None
    return scanner


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a passing journey: scan a page still pending, and refuse any 5xx answer."""
    funcargs = getattr(item, "funcargs", {})  # every fixture in use, not only arguments
    server = funcargs.get("live_server")
    if server is not None:
        server.server_errors.clear()  # those of an earlier, failed test are not ours
    result = yield
    page = funcargs.get("page")
    scanner = _scanner_of(page) if page is not None else None
    if scanner is not None:
        scanner.flush()
    if server is not None and server.server_errors:
        errors, server.server_errors[:] = list(server.server_errors), []
        pytest.fail("the live server answered with errors:\n" + "\n".join(errors))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep a screenshot and the HTML of the page when a journey fails."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.failed and page is not None and not page.is_closed():
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:] + f"-{report.when}"
        try:
            page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
            (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # the browser may be what failed
            report.sections.append(("screenshot", f"could not save the page: {error}"))
        else:
            report.sections.append(
                ("screenshot", f"saved {ARTIFACTS / stem}.png and .html")
            )
    return report


def sign_in(
    page: Any,
    login: str,
    password: str,
    then: str | None = None,
    *,
    second_factor: bool = True,
) -> None:
    """Sign in through the sign-in page, as a person would; *then* is the ``next`` page.

    Every journey signs in through this one function, so a step the site adds to
    signing in (the staff's second factor) is handled here once. A journey that
    tests the second factor page itself passes ``second_factor=False``.
    """
    from urllib.parse import urlencode

    page.goto("/signin" + ("?" + urlencode({"next": then}) if then else ""))
    page.locator("#identifier").fill(login)
    page.locator("#password").fill(password)
    page.locator("#signin-form #submit").click()
    page.wait_for_load_state()
    if second_factor:
        pass_second_factor(page, login)


#: The last TOTP time step used per login: a code works once, so a second sign-in
#: of the same person within 30 seconds uses the next step's code (accepted for
#: clock drift), a third one waits.
_USED_STEPS: dict[str, int] = {}


def pass_second_factor(page: Any, login: str) -> None:
    """After the password: type the demo staff's code when the site asks for it.

    The demo staff and administrator share the published demo secret
    (``participation.accounts.demo.DEMO_TOTP_SECRET``), as `make run` users do.
    """
    import time

    import pyotp

    from participation.accounts.demo import DEMO_TOTP_SECRET

    page.wait_for_load_state()
    if not page.url.endswith("/signin/code"):
        return
    step = max(int(time.time()) // 30, _USED_STEPS.get(login, -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(0.5)
    _USED_STEPS[login] = step
    page.locator("#code").fill(pyotp.TOTP(DEMO_TOTP_SECRET).at(step * 30))
    page.locator("#signin-code-submit").click()
