"""The yearly indicators file: roll-up along the framework, CSV valid by its schema."""

from __future__ import annotations

from decimal import Decimal

from participation.core.actors import SYSTEM
from participation.followup import framework, services
from participation.followup.framework import ObjectiveData
from participation.followup.states import ProjectAction
from participation.publishing import indicators

from .test_opendata import _validate


def _tag(project, objective):
    services.update_project(
        project,
        services.ProjectData(
            title=project.title,
            progress_percent=project.progress_percent,
            amount_committed=Decimal("1000.00"),
            amount_spent=Decimal("500.00"),
            objective_ids=[objective.id],
        ),
        SYSTEM,
    )


def test_indicators_roll_projects_up_the_tree(db, projects, published):
    axis = framework.create_objective(ObjectiveData("V2", "Vie de quartier"), SYSTEM)
    child = framework.create_objective(
        ObjectiveData("6", "Embellir", parent_id=axis.id), SYSTEM
    )
    here = [p for p in projects if p.territory_id == published.here.id]
    _tag(here[0], child)
    _tag(here[1], axis)
    services.transition_project(here[0], ProjectAction.START, SYSTEM)
    services.transition_project(here[0], ProjectAction.DELIVER, SYSTEM)
    year = projects[0].decided_on.year

    rows = list(indicators.rows(year))

    mine = {
        r["objective_code"]: r
        for r in rows
        if r["territory_name"] == published.here.name
    }
    assert set(mine) == {None, "V2", "6"}
    assert mine[None]["projects"] == 2
    assert mine["V2"]["projects"] == 2
    assert mine["6"]["projects"] == 1
    assert mine["6"]["projects_delivered"] == 1
    assert mine["6"]["delivery_rate"] == Decimal("100.0")
    assert mine["V2"]["amount_voted"] == Decimal("7000.00")
    assert mine["V2"]["participants"] == 4
    assert mine[None]["participants"] == 4
    assert mine["6"]["objective_level"] == 1
    assert indicators.years() == [year]


def test_the_indicators_csv_validates_and_json_answers(db, client, tmp_path, projects):
    year = projects[0].decided_on.year

    csv_text = client.get(f"/opendata/indicators-{year}.csv").get_data(as_text=True)
    document = client.get(f"/opendata/indicators-{year}.json").get_json()

    _validate(
        tmp_path,
        "indicators",
        csv_text,
        client.get("/opendata/schemas/indicators.json").get_json(),
    )
    assert len(document["rows"]) == 2  # one line per QPV, nothing tagged yet
    assert client.get("/opendata/indicators-1850.csv").status_code == 404


def test_indicators_of_an_empty_year_are_an_empty_valid_file(db, client, tmp_path):
    text = client.get("/opendata/indicators-2030.csv").get_data(as_text=True)

    _validate(
        tmp_path,
        "indicators",
        text,
        client.get("/opendata/schemas/indicators.json").get_json(),
    )
