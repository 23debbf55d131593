"""Hostile input everywhere: no 5xx from any field of any form or any argument of
any route.

The forms are found by reading every page the demo shows (their action and
field names), the routes from the URL map, so what is added later is fuzzed too.
Hypothesis draws, for each route, a hostile value for each of its fields, query
arguments and URL arguments: numbers a column cannot hold (``1e30``, 2^64),
dates in year 1, Unicode digits (superscripts, Arabic-Indic), formulas, markup, control
characters, very long text. The examples are few and fixed (derandomised), so
the suite stays fast and the same on every run.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from . import routes
from .conftest import build_demo_app, demo_database_uri

HOSTILE = [
    "1e30",
    "-1e30",
    "1e-30",
    "NaN",
    "Infinity",
    "sNaN",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-02-30",
    "²",
    "١٢٣",
    "99999999999999999999",
    "-99999999999999999999",
    "9223372036854775808",
    "-1",
    "0",
    "",
    " ",
    "\x00",
    "\u202e",
    "😀",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "+33 6 12 34 56 78",
    "a@b",
    "1 500,50",
    "0x10",
    "1_000",
    "../../etc/passwd",
    "%00",
    "None",
    "x" * 5000,
]
#: Query arguments tried on every GET route, beside those of its forms.
QUERY_ARGS = ("page", "q", "for", "found", "next", "state", "round", "territory")
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


class _Forms(HTMLParser):
    """Collect each form's method, action and field names from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str | None, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form":
            method = (named.get("method") or "get").upper()
            self.forms.append((method, named.get("action"), set()))
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            name = named.get("name")
            if name and name != "csrf_token":
                self.forms[-1][2].add(name)


def _fields_by_route(app) -> dict[str, set[str]]:
    """``"METHOD endpoint"`` -> the field names of the forms that target it."""
    adapter = app.url_map.bind("localhost")
    fields: dict[str, set[str]] = {}
    for role in ("visitor", "resident", "relay", "admin"):
        for case in routes.cases(app):
            if case.method != "GET":
                continue
            url = case.url(app)
            page = routes.client_for(app, role).get(url)
            html = page.get_data(as_text=True) if page.mimetype == "text/html" else ""
            page.close()  # a served file's handle is closed at once
            if not html:
                continue
            parser = _Forms()
            parser.feed(html)
            for method, action, names in parser.forms:
                path = urlsplit(action or url).path
                try:
                    endpoint, _args = adapter.match(path, method=method)
                except HTTPException:
                    continue
                fields.setdefault(f"{method} {endpoint}", set()).update(names)
    return fields


#: Integers no column holds, tried in every integer URL argument.
BIG_INTEGERS = ("18446744073709551616", "99999999999999999999")
#: Values Hypothesis draws per example (beside every one of HOSTILE), in one draw.
DRAWN = 64


def _hostile_path(rule: str, take: Callable[[], str], big: Callable[[], str]) -> str:
    """The rule with each argument replaced by a hostile value (URL-quoted)."""

    def replace(match: re.Match[str]) -> str:
        converter = match.group(1) or ""
        if converter.startswith("int"):
            return big()
        return quote(take().replace("/", "") or "x", safe="")

    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?[a-z_]+>", replace, rule)


@pytest.fixture(scope="module")
def fuzz_app(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    yield from build_demo_app(folder, demo_database_uri(request, folder, "fuzz"))


@pytest.fixture(scope="module")
def targets(fuzz_app):
    fields = _fields_by_route(fuzz_app)
    return [
        (case, sorted(fields.get(case.key, set()))) for case in routes.cases(fuzz_app)
    ]


@pytest.mark.parametrize("role", ["visitor", "resident", "admin"])
def test_no_input_gives_a_server_error(fuzz_app, targets, role, caplog):
    caplog.set_level(logging.CRITICAL)
    posted_fields = sum(len(names) for case, names in targets if case.method == "POST")
    assert posted_fields > 150  # the forms were found

    @settings(
        max_examples=3,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.lists(values, min_size=DRAWN, max_size=DRAWN),
        st.integers(0, len(HOSTILE) - 1),
    )
    def fuzz(drawn: list[str], start: int) -> None:
        # Two draws per example, the values then dealt in turn to every field and
        # argument: thousands of separate draws make Hypothesis' own bookkeeping
        # of draw times quadratic (its slow-input report cubic) on this many routes.
        take = itertools.cycle(HOSTILE[start:] + HOSTILE[:start] + drawn).__next__
        big = itertools.cycle(BIG_INTEGERS).__next__
        errors = []
        for case, names in targets:
            fields = {name: take() for name in names}
            client = routes.client_for(fuzz_app, role)
            if case.method == "GET":
                query = {name: take() for name in QUERY_ARGS}
                response = client.get(
                    case.url(fuzz_app), query_string={**query, **fields}
                )
            else:
                response = client.post(case.url(fuzz_app), data=fields)
            response.close()  # a served file's handle is closed at once
            if response.status_code >= 500:
                errors.append(f"{case.label} {fields}: {response.status_code}")
            hostile = client.open(
                _hostile_path(case.rule, take, big), method=case.method
            )
            hostile.close()
            if hostile.status_code >= 500:
                errors.append(f"{case.method} {case.rule} (URL): {hostile.status_code}")
        assert not errors, "\n".join(errors)

    fuzz()
