"""The inputs of the issue's findings, each answered without a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.accounts import demo as accounts_demo
from participation.budget.models import Idea, Round
from participation.budget.states import RoundPhase
from participation.core.converters import BoundedIntConverter, ascii_int
from participation.core.exports import csv_text, safe_cell
from participation.core.time import utcnow
from participation.extensions import db

from . import routes


def _submission_round() -> Round:
    now = utcnow()
    return next(
        r
        for r in db.session.scalars(sa.select(Round).order_by(Round.id))
        if r.phase_at(now) is RoundPhase.SUBMISSION
    )


def _idea_form(round_: Round, **changes: str) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Des bancs",
        "description": "Quatre bancs à l'ombre.",
        "territory_id": str(round_.envelopes[0].territory_id),
        "theme_ids": [str(round_.themes[0].id)],
        "estimated_cost": "1 500",
        "accepted_rules": "y",
        "submit": "y",
    }
    values.update(changes)
    return values


def test_an_id_above_2_63_is_a_404_not_a_500(demo_app):
    client = routes.client_for(demo_app, "visitor")

    assert client.get("/ideas/99999999999999999999/photo").status_code == 404
    assert client.get("/ideas/9223372036854775808").status_code == 404
    assert client.get("/ideas/9223372036854775807").status_code == 404
    assert client.get("/ideas/2147483648").status_code == 404  # above INTEGER
    assert client.get("/ideas/2147483647").status_code == 404  # no such idea
    assert client.get("/ideas/²").status_code == 404
    assert demo_app.url_map.converters["int"] is BoundedIntConverter


def test_an_amount_a_column_cannot_hold_is_refused_by_its_field(demo_app):
    round_ = _submission_round()
    before = db.session.scalar(sa.select(sa.func.count(Idea.id)))
    client = routes.client_for(demo_app, "resident")

    for amount in ("1e30", "NaN", "12345678901234"):
        response = client.post(
            f"/rounds/{round_.id}/ideas/new",
            data=_idea_form(round_, estimated_cost=amount),
        )
        assert response.status_code == 200, amount
        assert 'id="estimated_cost-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Idea.id))) == before


def test_a_date_in_year_1_is_refused_by_its_field(demo_app):
    client = routes.client_for(demo_app, "staff")

    response = client.post(
        "/rounds/new",
        data={"title": "Un tour", "submission_opens_at": "0001-01-01T00:00"},
    )

    assert response.status_code == 200
    assert 'id="submission_opens_at-error"' in response.get_data(as_text=True)


def test_unicode_digits_are_not_numbers():
    assert "²".isdigit()  # why str.isdigit() is not enough
    assert ascii_int("²") is None
    assert ascii_int("١٢") is None
    assert ascii_int("12") == 12
    assert ascii_int("99999999999999999999") is None
    assert ascii_int("-1") is None


def test_a_double_submitted_round_form_creates_one_round(demo_app):
    client = routes.client_for(demo_app, "staff")
    page = client.get("/rounds/new").get_data(as_text=True)
    token = page.split('name="form_token" type="hidden" value="')[1].split('"')[0]
    data = {
        "form_token": token,
        "title": "Budget participatif — idempotent",
        "submission_opens_at": "2030-04-01T09:00",
        "submission_closes_at": "2030-04-30T18:00",
        "review_closes_at": "2030-05-20T18:00",
        "announcement_at": "2030-05-25T12:00",
        "vote_opens_at": "2030-06-01T09:00",
        "vote_closes_at": "2030-06-15T18:00",
        "min_cost": "500",
        "max_cost": "20 000",
    }

    first = client.post("/rounds/new", data=data)
    second = client.post("/rounds/new", data=data)

    assert first.status_code == 302
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    count = db.session.scalar(
        sa.select(sa.func.count(Round.id)).where(
            Round.title == "Budget participatif — idempotent"
        )
    )
    assert count == 1


def test_a_large_body_is_refused_on_a_form_without_a_file(demo_app):
    client = routes.client_for(demo_app, "visitor")

    response = client.post("/signin", data={"identifier": "x" * (2 * 1024 * 1024)})

    assert response.status_code == 413
    assert "1 MB" in response.get_data(as_text=True)


def test_csv_cells_that_a_spreadsheet_would_evaluate_are_neutralised():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+33 6") == "'+33 6"
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Des bancs") == "Des bancs"
    assert safe_cell(-3) == -3
    assert csv_text(["title"], [["=1+1"]]).splitlines() == ["\ufefftitle", "'=1+1"]


def test_a_managed_account_is_found_by_its_code_only(demo_app):
    client = routes.client_for(demo_app, "relay")

    found = client.get("/people", query_string={"q": accounts_demo.DEMO_ACCOUNT_CODE})
    partial = client.get("/people", query_string={"q": "ROSE"})

    assert accounts_demo.MANAGED_PSEUDONYM in found.get_data(as_text=True)
    # The relay created Rose's account: she is in their own list by name too.
    assert accounts_demo.MANAGED_PSEUDONYM in partial.get_data(as_text=True)


def test_a_nul_character_is_refused_with_a_message(demo_app):
    client = routes.client_for(demo_app, "visitor")

    response = client.post("/signin", data={"identifier": "a\x00b", "password": "x"})
    searched = client.get("/ideas", query_string={"q": "\x00"})

    assert response.status_code == 400
    assert "invisible control character" in response.get_data(as_text=True)
    assert searched.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "territory=99999999999999999999",
        "year=-99999999999999999999",
        "year=%D9%A1%D9%A2",
    ],
)
def test_project_filters_past_a_column_are_ignored_not_a_500(client, query):
    assert client.get(f"/projects?{query}").status_code == 200
