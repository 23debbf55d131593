"""Publishing pages: the staff dashboard, open data (catalogue, CSV, JSON, schemas,
indicators, Atom feed) and "what became of our ideas" per neighbourhood."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from ..core.decorators import require
from ..core.i18n import money
from ..core.permissions import is_staff
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from . import feed, indicators, neighbourhood, opendata, stats
from .charts import Chart, Value, layout

bp = Blueprint("publishing", __name__)


def can_view_dashboard(user: Any) -> bool:
    return is_staff(user)


def format_value(chart: Chart) -> Any:
    """The formatter of *chart*'s values in the page's language."""

    def fmt(value: Value) -> str:
        if value is None:
            return _("fewer than 10") if chart.unit == "count" else "—"
        if chart.unit == "euros":
            return money(Decimal(value))
        if chart.unit == "percent":
            return str(_("%(value)s %%", value=format_decimal(value)))
        return str(format_decimal(value))

    return fmt


@bp.app_context_processor
def publishing_helpers() -> dict[str, Any]:
    return {
        "can_view_dashboard": can_view_dashboard,
        "neighbourhood": neighbourhood.neighbourhood,
    }


def _format_cell(series_key: str, chart: Chart, value: Value) -> str:
    if series_key == "rate" and value is not None:
        return str(_("%(value)s %%", value=format_decimal(value)))
    return str(format_value(chart)(value))


@bp.app_template_global("chart_layout")
def chart_layout(chart: Chart) -> Any:
    return layout(chart, format_value(chart))


@bp.app_template_global("chart_cell")
def chart_cell(chart: Chart, index: int, value: Value) -> str:
    return _format_cell(chart.series[index].key, chart, value)


# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------


@bp.get("/dashboard")
@require(can_view_dashboard)
def dashboard() -> ResponseReturnValue:
    return render_template(
        "publishing/dashboard.html",
        sections=stats.dashboard(),
        cross=stats.ideas_per_qpv_and_theme(),
        extra_sections=stats.extra_sections(),
    )


# ---------------------------------------------------------------------------
# Open data
# ---------------------------------------------------------------------------


@bp.get("/opendata")
def opendata_index() -> ResponseReturnValue:
    from .opendata import published_results

    return render_template(
        "publishing/opendata.html",
        datasets=opendata.DATASETS,
        coming=opendata.COMING,
        indicator_years=indicators.years(),
        indicator_fields=opendata.schema("indicators")["fields"],
        votes=published_results(),
        licence_url=opendata.LICENCE_URL,
    )


def _download(text: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _dataset_or_404(name: str) -> opendata.Dataset:
    dataset = opendata.BY_NAME.get(name)
    if dataset is None:
        abort(404)
    return dataset


@bp.get("/opendata/<name>.csv")
def dataset_csv(name: str) -> ResponseReturnValue:
    dataset = _dataset_or_404(name)
    return _download(
        opendata.to_csv(name, dataset.rows()), "text/csv; charset=utf-8", f"{name}.csv"
    )


@bp.get("/opendata/<name>.json")
def dataset_json(name: str) -> ResponseReturnValue:
    dataset = _dataset_or_404(name)
    schema_url = url_for(".dataset_schema", name=name, _external=True)
    return _download(
        opendata.to_json(name, dataset.rows(), schema_url=schema_url),
        "application/json",
        f"{name}.json",
    )


@bp.get("/opendata/schemas/<name>.json")
def dataset_schema(name: str) -> ResponseReturnValue:
    if name != "indicators":
        _dataset_or_404(name)
    return Response(
        json.dumps(opendata.schema(name), ensure_ascii=False, indent=2),
        mimetype="application/json",
    )


@bp.get("/opendata/indicators-<int:year>.<any(csv, json):fmt>")
def indicators_file(year: int, fmt: str) -> ResponseReturnValue:
    if year < 2000 or year > 2100:
        abort(404)
    rows = list(indicators.rows(year))
    name = f"indicators-{year}.{fmt}"
    if fmt == "csv":
        return _download(
            opendata.to_csv("indicators", rows), "text/csv; charset=utf-8", name
        )
    schema_url = url_for(".dataset_schema", name="indicators", _external=True)
    return _download(
        opendata.to_json("indicators", rows, schema_url=schema_url),
        "application/json",
        name,
    )


@bp.get("/opendata/feed.atom")
def atom_feed() -> ResponseReturnValue:
    def link(endpoint: str, **values: Any) -> str:
        return url_for(endpoint, _external=True, **values)

    document = feed.atom(
        title=_(
            "%(site)s: results and news of the projects",
            site=current_app.config["SITE_NAME"],
        ),
        self_url=url_for(".atom_feed", _external=True),
        site_url=url_for("core.home", _external=True),
        author=current_app.config["ORGANISATION_NAME"],
        language=str(get_locale()),
        items=feed.entries(link),
    )
    return Response(document, mimetype="application/atom+xml")


# ---------------------------------------------------------------------------
# What became of our ideas
# ---------------------------------------------------------------------------


def _public_territory(territory_id: int) -> Territory:
    territory = db.get_or_404(Territory, territory_id)
    if not territory.is_active:
        abort(404)
    return territory


@bp.get("/territories/<int:territory_id>/ideas")
def ideas_outcome(territory_id: int) -> ResponseReturnValue:
    territory = _public_territory(territory_id)
    years = neighbourhood.outcome_years(territory)
    year = request.args.get("year", type=int)
    if year is None or year not in years:
        year = years[0] if years else None
    return render_template(
        "publishing/ideas_outcome.html",
        territory=territory,
        years=years,
        year=year,
        outcomes=neighbourhood.ideas_outcome(territory, year) if year else [],
        is_qpv=territory.kind is TerritoryKind.QPV,
    )
