"""Open data: each CSV validates against its own Table Schema, no personal data,
spreadsheet-safe cells, .pb files pass pabulib-checker, nothing fails when empty."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.core.actors import SYSTEM
from participation.core.time import today_paris
from participation.followup import services
from participation.followup.states import ProjectAction
from participation.publishing import opendata

DATASETS = [d.name for d in opendata.DATASETS]
#: The council's datasets get their rows in test_council_publishing.
FOLLOW_UP_DATASETS = [n for n in DATASETS if not n.startswith("council_")]


def _validate(tmp_path: Path, name: str, text: str, schema: dict) -> None:
    from frictionless import Dialect, Resource, Schema, formats

    path = tmp_path / f"{name}.csv"
    path.write_bytes(text.encode("utf-8"))
    resource = Resource(
        path=path.name,
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(schema),
        encoding="utf-8-sig",
        dialect=Dialect(controls=[formats.CsvControl(delimiter=";")]),
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.fixture
def followed(db, projects, staff):
    """Projects in several states, with a milestone, news and tricky text."""
    first, second, _third = projects
    services.transition_project(first, ProjectAction.START, staff)
    services.update_project(
        first,
        services.ProjectData(
            title='=HYPERLINK("http://evil")',
            progress_percent=40,
            amount_committed=Decimal("2500.50"),
            amount_spent=Decimal("3000.00"),
            overspend_reason='+ une dalle; et des "guillemets"',
            service_in_charge="@service",
            latitude=Decimal("43.2"),
            longitude=Decimal("2.35"),
        ),
        staff,
    )
    services.publish_update(
        first, services.UpdateData(title="-Nouvelle", body="Ligne 1\nLigne 2"), staff
    )
    services.add_milestone(
        first,
        services.MilestoneData(
            title="Pose", planned_on=today_paris(), actual_on=today_paris()
        ),
        staff,
    )
    services.transition_project(
        second, ProjectAction.ABANDON, staff, comment="Le terrain n'est pas à nous."
    )
    db.session.commit()
    return projects


@pytest.mark.parametrize("name", FOLLOW_UP_DATASETS)
def test_each_csv_validates_against_its_own_schema(
    db, client, tmp_path, followed, name
):
    response = client.get(f"/opendata/{name}.csv")
    schema = client.get(f"/opendata/schemas/{name}.json").get_json()

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    assert text.count("\r\n") >= 2, "a header and at least one row"
    _validate(tmp_path, name, text, schema)


@pytest.mark.parametrize("name", DATASETS)
def test_each_export_works_on_an_empty_database(db, client, tmp_path, name):
    csv_response = client.get(f"/opendata/{name}.csv")
    json_response = client.get(f"/opendata/{name}.json")

    assert csv_response.status_code == 200
    assert json_response.status_code == 200
    assert json_response.get_json()["rows"] == []
    _validate(
        tmp_path,
        name,
        csv_response.get_data(as_text=True),
        client.get(f"/opendata/schemas/{name}.json").get_json(),
    )


def test_every_row_key_is_a_schema_column(db, followed):
    for dataset in opendata.DATASETS:
        names = set(opendata.field_names(dataset.name))
        for row in dataset.rows():
            assert set(row) == names, dataset.name


def test_csv_cells_cannot_run_as_formulas_and_use_the_french_decimal_comma(
    db, client, followed
):
    text = client.get("/opendata/projects.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    first = next(r for r in rows if r["project_id"] == str(followed[0].id))

    assert first["title"].startswith("'=")
    assert first["overspend_reason"].startswith("'+")
    assert first["service_in_charge"] == "'@service"
    assert first["amount_committed"] == "2500,50"
    assert first["latitude"] == "43,200000"
    updates = client.get("/opendata/project_updates.csv").get_data(as_text=True)
    assert ";'-Nouvelle;" in updates


def test_no_export_holds_personal_data(db, client, followed, published, resident):
    from participation.followup import follows

    follows.follow_with_account(followed[0], resident)
    follows.request_follow_by_email(followed[0], "secret@suivi.test", "fr", str)
    db.session.commit()
    people = [published.author, resident, published.staff]
    for name in DATASETS:
        for fmt in ("csv", "json"):
            body = client.get(f"/opendata/{name}.{fmt}").get_data(as_text=True)
            assert "@suivi.test" not in body
            assert "@example.test" not in body
            for person in people:
                assert person.pseudonym not in body, (name, fmt)


def test_json_has_the_schema_columns_and_typed_values(db, client, followed):
    document = client.get("/opendata/projects.json").get_json()

    assert document["licence"].startswith("Licence Ouverte")
    assert document["schema"].endswith("/opendata/schemas/projects.json")
    row = next(r for r in document["rows"] if r["project_id"] == followed[0].id)
    assert list(row) == opendata.field_names("projects")
    assert row["amount_committed"] == 2500.5
    assert row["state"] == "in_progress"
    assert row["progress_percent"] == 40


def test_an_unknown_dataset_is_a_404(db, client):
    assert client.get("/opendata/people.csv").status_code == 404
    assert client.get("/opendata/schemas/people.json").status_code == 404


def test_the_catalogue_lists_every_dataset_its_schema_and_the_fph_grants(
    db, client, followed, published
):
    page = client.get("/opendata").get_data(as_text=True)

    for name in DATASETS:
        assert f'href="/opendata/{name}.csv"' in page
        assert f'href="/opendata/schemas/{name}.json"' in page
    assert "Licence Ouverte" in page
    assert 'id="why-semicolon"' in page
    assert 'id="coming"' not in page, "every announced dataset is produced now"
    assert "FPH grants" in page
    assert 'href="/fph/opendata/subventions.csv"' in page
    assert 'href="/opendata/feed.atom"' in page
    envelope_ids = {r.envelope_id for r in _published_results(db)}
    for envelope_id in envelope_ids:
        assert f'href="/results/{envelope_id}/election.pb"' in page


def _published_results(db):
    from participation.voting.models import VoteResult
    from participation.voting.states import ResultState

    return db.session.scalars(
        sa.select(VoteResult).where(VoteResult.state == ResultState.PUBLISHED)
    ).all()


def test_every_pb_listed_passes_pabulib_checker(db, client, followed):
    from pabulib.checker import Checker

    page = client.get("/opendata").get_data(as_text=True)
    links = re.findall(r'href="(/results/\d+/election\.pb)"', page)
    assert len(links) == 2
    for link in links:
        text = client.get(link).get_data(as_text=True)
        with contextlib.redirect_stdout(io.StringIO()):
            report = Checker().process_files([text])
        assert report["metadata"]["valid"] == 1, report


def test_schemas_shipped_with_the_code_are_valid_table_schemas():
    from frictionless import Schema

    folder = Path(opendata.__file__).parent / "schemas"
    names = sorted(p.stem for p in folder.glob("*.json"))
    assert names == sorted([*DATASETS, "indicators"])
    for name in names:
        descriptor = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        report = Schema.validate_descriptor(descriptor)
        assert report.valid, report.flatten(["type", "note"])


def test_a_formula_cell_is_neutralised_but_numbers_stay_numbers():
    assert opendata.neutralise("=1+1") == "'=1+1"
    assert opendata.neutralise("\tcmd") == "'\tcmd"
    assert opendata.neutralise("Jardin") == "Jardin"
    field = {"name": "x", "type": "number", "decimalChar": ","}
    assert opendata.csv_cell(field, Decimal("-3.50")) == "-3,50"


def test_ideas_of_the_system_actor_path_also_export(db, client, published):
    services.create_projects_for_round(published.round, SYSTEM)
    db.session.commit()

    rows = client.get("/opendata/ideas.json").get_json()["rows"]

    winners = {r["idea_id"]: r for r in rows if r["state"] == "selected"}
    assert {i.id for i in published.winners} == set(winners)
    assert all(r["project_id"] for r in winners.values())
