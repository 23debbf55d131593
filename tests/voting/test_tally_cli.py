"""``flask --app participation voting tally-pb``: count a pabulib file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from participation.voting import pabulib
from tests.voting.test_pabulib import APPROVAL, CUMULATIVE
from tests.voting.test_pabulib_files import pabulib_path


@pytest.fixture
def approval_file(tmp_path: Path) -> Path:
    path = tmp_path / "approval.pb"
    path.write_text(APPROVAL, encoding="utf-8")
    return path


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["voting", "tally-pb", *args])


def test_tally_pb_prints_winners_cost_and_seconds_as_json(
    app: Flask, approval_file: Path
) -> None:
    result = run(app, str(approval_file), "--rule", "greedy", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["winners"] == ["1", "2"]
    assert data["cost"] == 900.5
    assert isinstance(data["seconds"], float)
    assert data["seconds"] >= 0
    assert data["rule"] == "greedy"
    assert data["num_ballots"] == 4


def test_tally_pb_counts_each_rule(app: Flask, approval_file: Path) -> None:
    winners = {}
    for rule in ("greedy", "mes", "mes-greedy"):
        result = run(app, str(approval_file), "--rule", rule, "--json")
        assert result.exit_code == 0, result.output
        winners[rule] = json.loads(result.output)["winners"]
    assert winners["greedy"] == ["1", "2"]
    # MES, 4 voters (one blank) with 250 each: project 1 costs its three supporters 200
    # each; project 2 (300.50) then has 50 + 50 from voters 1 and 3: unaffordable.
    assert winners["mes"] == ["1"]
    # the completion funds project 2 with the 400 left
    assert winners["mes-greedy"] == ["1", "2"]


def test_tally_pb_threshold_comes_from_the_option_or_the_file(
    app: Flask, approval_file: Path, tmp_path: Path
) -> None:
    result = run(
        app,
        str(approval_file),
        "--rule",
        "greedy-threshold",
        "--threshold",
        "2",
        "--json",
    )
    assert json.loads(result.output)["winners"] == ["1", "2"]
    result = run(
        app,
        str(approval_file),
        "--rule",
        "greedy-threshold",
        "--threshold",
        "3",
        "--json",
    )
    assert json.loads(result.output)["winners"] == ["1"]
    with_meta = tmp_path / "threshold.pb"
    with_meta.write_text(
        APPROVAL.replace(
            "rule;greedy", "rule;greedy-threshold\nmin_project_score_threshold;3"
        ),
        encoding="utf-8",
    )
    result = run(app, str(with_meta), "--rule", "greedy-threshold", "--json")
    data = json.loads(result.output)
    assert (data["winners"], data["threshold"]) == (["1"], 3)


def test_tally_pb_counts_cumulative_points(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "points.pb"
    path.write_text(CUMULATIVE, encoding="utf-8")
    result = run(app, str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["winners"] == ["a"]  # 7 points against 3


def test_tally_pb_without_json_prints_a_readable_list(
    app: Flask, approval_file: Path
) -> None:
    result = run(app, str(approval_file), "--rule", "mes-greedy")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("mes-greedy on approval.pb: 4 ballots")
    assert "1. 1  support 3  cost 600" in lines[1]
    assert lines[-1].startswith("2 winners, cost 900.50, left 99.50")


def test_tally_pb_reports_a_malformed_file_with_its_line(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "bad.pb"
    path.write_text(APPROVAL.replace("v2;1;", "v2;7;"), encoding="utf-8")
    result = run(app, str(path), "--json")
    assert result.exit_code == 1
    assert "line 22: voter 'v2' votes for unknown project '7'" in result.output
    assert "Traceback" not in result.output


def test_tally_pb_refuses_a_threshold_with_another_rule(
    app: Flask, approval_file: Path
) -> None:
    result = run(app, str(approval_file), "--rule", "mes", "--threshold", "5")
    assert result.exit_code == 2
    assert "--threshold only applies" in result.output


def test_tally_pb_refuses_an_unknown_rule_and_a_missing_file(
    app: Flask, approval_file: Path, tmp_path: Path
) -> None:
    result = run(app, str(tmp_path / "nowhere.pb"))
    assert result.exit_code == 2
    assert "does not exist" in result.output
    result = run(app, str(approval_file), "--rule", "phragmen")
    assert result.exit_code == 2
    assert "phragmen" in result.output


@pytest.mark.shared_data
def test_tally_pb_on_lodz_matches_the_official_winners(app: Flask) -> None:
    path = pabulib_path("Poland_Lodz_2022.pb")
    result = run(app, str(path), "--rule", "greedy-threshold", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    official = {
        p.project_id for p in pabulib.read(path).projects.values() if p.selected == 1
    }
    assert set(data["winners"]) == official
    assert data["threshold"] == 100
    assert data["num_ballots"] == 90494


def test_tally_pb_refuses_an_ordinal_file(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "ordinal.pb"
    path.write_text(APPROVAL.replace("vote_type;approval", "vote_type;ordinal"))
    result = run(app, str(path), "--json")
    assert result.exit_code == 1
    assert "vote_type 'ordinal' cannot be counted" in result.output
