"""The reference scenarios: the bare endpoint and the public frame pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..harness import BenchContext, HttpScenario, PythonScenario, register

#: Public list pages in order of preference; the first answering 200 is loaded.
LIST_PAGE_ENDPOINTS = (
    "territories.territory_list",
    "territories.territories",
    "territories.index",
    "territories.list",
)


def list_page_path(app: Any) -> str:
    """The public QPV list page if there is one, else the accessibility statement."""
    from flask import url_for

    client = app.test_client()
    candidates = [rule for rule in app.url_map.iter_rules() if not rule.arguments]
    by_endpoint = {
        rule.endpoint: rule for rule in candidates if "GET" in (rule.methods or ())
    }
    ordered = [e for e in LIST_PAGE_ENDPOINTS if e in by_endpoint] + sorted(
        e for e in by_endpoint if e.startswith("territories.") and "list" in e
    )
    for endpoint in ordered:
        path = url_for(endpoint)
        if client.get(path).status_code == 200:
            return str(path)
    return str(url_for("core.accessibility"))


def round_path(app: Any) -> str:
    """The page of the first published round of the demo."""
    import sqlalchemy as sa

    from participation.budget.models import Round
    from participation.extensions import db

    round_id = db.session.scalar(
        sa.select(Round.id)
        .where(Round.published_at.is_not(None))
        .order_by(Round.id)
        .limit(1)
    )
    return f"/rounds/{round_id}"


def result_path(app: Any) -> str:
    """A published result page (what visitors read on results night)."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.voting.models import VoteResult

    envelope_id = db.session.scalar(
        sa.select(VoteResult.envelope_id)
        .where(VoteResult.published_at.is_not(None))
        .order_by(VoteResult.id)
        .limit(1)
    )
    return f"/results/{envelope_id}"


def _home_through_test_client(context: BenchContext) -> Callable[[], object]:
    from flask import current_app

    client = current_app.test_client()

    def get_home() -> object:
        response = client.get("/")
        assert response.status_code == 200
        return response

    return get_home


register(
    HttpScenario(
        "hello", "bare Flask 'Hello, World!' (the reference)", "/", app="hello"
    )
)
register(HttpScenario("home", "home page, anonymous", "/"))
register(
    HttpScenario(
        "list-page", "public QPV list (else the accessibility page)", list_page_path
    )
)
register(HttpScenario("round", "a published round's page", round_path))
register(HttpScenario("result-page", "a published result, for visitors", result_path))
register(
    PythonScenario(
        "home-in-process",
        "home page through Flask's test client: the app without HTTP or gunicorn",
        _home_through_test_client,
        needs_database=True,
    )
)
