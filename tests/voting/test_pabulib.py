"""pabulib.py on hand-written files: format quirks, line-numbered errors, writing."""

from __future__ import annotations

import contextlib
import io
from decimal import Decimal
from pathlib import Path

import pytest

from participation.voting import pabulib
from participation.voting.pabulib import PabulibError, PbElection, PbProject, PbVote

#: Pure computation, no database: run once, in the SQLite pass (see Makefile).
pytestmark = pytest.mark.db_independent

APPROVAL = """META
key;value
description;Test PB
country;France
unit;Carcassonne
instance;2026
num_projects;3
num_votes;4
budget;1000
vote_type;approval
rule;greedy
date_begin;01.01.2026
date_end;31.01.2026
PROJECTS
project_id;cost;votes;name;category;selected
1;600;3;"Jardin; partagé";culture,nature;1
2;300.50;2;"Le ""grand"" banc";nature;1
3;500;1;Fresque;culture;0
VOTES
voter_id;vote;age;sex;voting_method
v1;1,2;34;F;internet
v2;1;;M;paper
v3;1,2,3;71;O;internet
v4;;none;none;paper
"""

CUMULATIVE = """META
key;value
description;Points
country;France
unit;Carcassonne
instance;2026
num_projects;2
num_votes;2
budget;100
vote_type;cumulative
rule;greedy
date_begin;2026
date_end;2026
max_sum_points;5
PROJECTS
project_id;cost;score
a;60;7
b;50;3
VOTES
voter_id;vote;points
1;a,b;4,1
2;b,a;2,3
"""


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def error_of(text: str) -> PabulibError:
    with pytest.raises(PabulibError) as caught:
        pabulib.parse(text)
    return caught.value


def test_parse_reads_meta_projects_and_votes() -> None:
    election = pabulib.parse(APPROVAL)
    assert election.budget == Decimal(1000)
    assert election.vote_type == "approval"
    assert election.rule == "greedy"
    assert list(election.projects) == ["1", "2", "3"]
    garden = election.projects["1"]
    assert garden.cost == Decimal(600)
    assert garden.name == "Jardin; partagé"
    assert garden.votes == 3
    assert garden.selected == 1
    assert garden.categories == ["culture", "nature"]
    assert election.projects["2"].name == 'Le "grand" banc'
    assert election.projects["2"].cost == Decimal("300.50")
    assert [v.vote for v in election.votes] == [("1", "2"), ("1",), ("1", "2", "3"), ()]
    assert election.votes[0].age == 34
    assert election.votes[0].sex == "F"
    assert election.votes[1].voting_method == "paper"
    assert election.votes[1].age is None
    assert election.votes[3].sex is None
    assert election.project_columns == [
        "project_id",
        "cost",
        "votes",
        "name",
        "category",
        "selected",
    ]
    assert election.vote_columns == ["voter_id", "vote", "age", "sex", "voting_method"]


def test_crlf_bom_blank_lines_and_spaces_give_the_same_election() -> None:
    plain = pabulib.parse(APPROVAL)
    messy = "\ufeff" + crlf(APPROVAL).replace("VOTES\r\n", "\r\n  \r\nVOTES\r\n")
    messy = messy.replace("v1;1,2;34", "v1 ; 1, 2 ;34").replace(
        "unit;Carcassonne", "unit; Carcassonne"
    )
    assert pabulib.parse(messy) == plain
    assert pabulib.parse_bytes(messy.encode("utf-8")) == plain


def test_quoted_name_may_span_lines() -> None:
    text = APPROVAL.replace('"Jardin; partagé"', '"Jardin\npartagé"')
    election = pabulib.parse(text)
    assert election.projects["1"].name == "Jardin\npartagé"
    # the vote lines still report their real line numbers
    bad = text.replace("v3;1,2,3", "v3;1,9")
    assert error_of(bad).line == text.splitlines().index("v3;1,2,3;71;O;internet") + 1


def test_cumulative_points_are_parallel_to_the_vote() -> None:
    election = pabulib.parse(CUMULATIVE)
    assert election.votes[1].vote == ("b", "a")
    assert election.votes[1].points == (2, 3)
    assert election.point_ballots() == [{"a": 4, "b": 1}, {"b": 2, "a": 3}]
    assert election.projects["a"].score == 7
    assert election.approval_ballots() == [("a", "b"), ("b", "a")]


def test_target_and_beneficiaries_are_lists() -> None:
    project = PbProject("x", Decimal(1), extra={"target": "children, elderly"})
    assert project.targets == ["children", "elderly"]
    assert PbProject("y", Decimal(1), extra={"beneficiaries": "youth"}).targets == [
        "youth"
    ]
    assert PbProject("z", Decimal(1)).targets == []


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (
            lambda t: t.replace("PROJECTS\n", "STUFF\n"),
            14,
            "expected 2 cells (META header), found 1",
        ),
        (lambda t: t[: t.index("VOTES")], 19, "missing section VOTES"),
        (lambda t: t.replace("META\nkey;value\n", ""), 1, "must start with the META"),
        (lambda t: t.replace("v2;1;", "v2;7;"), 22, "unknown project '7'"),
        (
            lambda t: t.replace("3;500;1", "3;5OO;1"),
            18,
            "cost of project '3' is not a number",
        ),
        (lambda t: t.replace("3;500;1", "3;-5;1"), 18, "negative"),
        (lambda t: t.replace("3;500;1", "2;500;1"), 18, "project '2' appears twice"),
        (lambda t: t.replace("v3;", "v1;"), 23, "voter 'v1' appears twice"),
        (
            lambda t: t.replace("v2;1;;M", "v2;1;;M;x"),
            22,
            "expected 5 cells (VOTES header), found 6",
        ),
        (lambda t: t.replace("v1;1,2", "v1;2,2"), 21, "names a project twice"),
        (
            lambda t: t.replace("budget;1000", "budget;1 000"),
            9,
            "budget is not a number",
        ),
        (
            lambda t: t.replace("num_votes;4", "num_votes;5"),
            8,
            "num_votes 5 but the file has 4",
        ),
        (
            lambda t: t.replace("vote_type;approval", "vote_type;ranked"),
            10,
            "unknown vote_type",
        ),
        (lambda t: t.replace("budget;1000\n", ""), 14, "META has no 'budget'"),
        (
            lambda t: t.replace("project_id;cost;votes", "project_id;price;votes"),
            15,
            "no 'cost'",
        ),
        (lambda t: t.replace("key;value", "name;value"), 2, "'key;value'"),
        (
            lambda t: t.replace("rule;greedy", "rule;greedy\nrule;mes"),
            12,
            "'rule' appears twice",
        ),
        (lambda t: t + "PROJECTS\nproject_id;cost\n", 25, "PROJECTS appears twice"),
    ],
)
def test_malformed_file_gives_a_line_numbered_error(change, line, words) -> None:
    error = error_of(change(APPROVAL))
    assert words in error.message
    assert error.line == line
    assert str(error).startswith(f"line {line}: ")


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (lambda t: t.replace("1;a,b;4,1", "1;a,b;4"), 21, "2 projects but 1 points"),
        (lambda t: t.replace("1;a,b;4,1", "1;a,b;4,x"), 21, "not whole numbers"),
        (lambda t: t.replace("1;a,b;4,1", "1;a,b;4,-1"), 21, "negative points"),
        (
            lambda t: t.replace("voter_id;vote;points", "voter_id;vote"),
            20,
            "'points' column",
        ),
    ],
)
def test_malformed_points_give_a_line_numbered_error(change, line, words) -> None:
    text = change(CUMULATIVE)
    if "'points' column" in words:
        text = text.replace("1;a,b;4,1\n2;b,a;2,3\n", "1;a,b\n2;b,a\n")
    error = error_of(text)
    assert words in error.message
    assert error.line == line


def test_invalid_utf8_reports_its_line() -> None:
    data = APPROVAL.encode("utf-8").replace(b"Fresque", b"Fr\xe9sque")
    with pytest.raises(PabulibError) as caught:
        pabulib.parse_bytes(data)
    assert caught.value.line == 18
    assert "UTF-8" in caught.value.message


def test_write_round_trips_and_uses_crlf() -> None:
    election = pabulib.parse(APPROVAL)
    text = pabulib.write(election)
    assert text == crlf(APPROVAL)  # the same bytes, with CRLF line endings
    assert pabulib.parse(text) == election
    assert pabulib.write(election, newline="\n") == APPROVAL


def test_write_quotes_only_what_needs_it_and_recounts() -> None:
    election = pabulib.parse(CUMULATIVE)
    election.projects["b"].name = 'Un ";" banc'
    election.votes.append(PbVote("3", ("a",), (5,)))
    text = pabulib.write(election, newline="\n")
    assert "num_votes;3\n" in text
    assert "project_id;cost;score;name\n" in text
    assert 'b;50;3;"Un "";"" banc"\n' in text
    again = pabulib.parse(text)
    assert again.projects["b"].name == 'Un ";" banc'
    assert again.votes[-1].points == (5,)


def test_write_orders_meta_and_columns_canonically_for_new_elections() -> None:
    election = PbElection(
        meta={
            "rule": "greedy",
            "vote_type": "approval",
            "budget": "500",
            "description": "Export",
            "country": "France",
            "unit": "Carcassonne",
            "instance": "2026",
            "date_begin": "01.03.2026",
            "date_end": "15.03.2026",
            "currency": "EUR",
        },
        projects={
            "7": PbProject(
                "7", Decimal("200.00"), "Bancs", {"selected": "1", "votes": "2"}
            ),
            "8": PbProject(
                "8", Decimal("400.00"), "Fresque", {"selected": "0", "votes": "1"}
            ),
        },
        votes=[
            PbVote("a1", ("7",), extra={"voting_method": "internet"}),
            PbVote("a2", ("7", "8"), extra={"voting_method": "paper"}),
        ],
    )
    lines = pabulib.write(election).split("\r\n")
    keys = [line.split(";")[0] for line in lines[2 : lines.index("PROJECTS")]]
    assert keys[:9] == [
        "description",
        "country",
        "unit",
        "instance",
        "num_projects",
        "num_votes",
        "budget",
        "vote_type",
        "rule",
    ]
    assert lines[lines.index("PROJECTS") + 1] == "project_id;cost;votes;name;selected"
    assert lines[lines.index("VOTES") + 1] == "voter_id;vote;voting_method"
    assert "a2;7,8;paper" in lines


def _checker_results(path: Path) -> dict:
    from pabulib.checker import Checker

    with contextlib.redirect_stdout(io.StringIO()):
        results = Checker().process_files([str(path)])
    return results[path.stem]["results"]


def test_pabulib_checker_accepts_a_written_export(tmp_path: Path) -> None:
    election = pabulib.parse(APPROVAL)
    # The checker refuses blank ballots and "none" as age or sex: v4 has all three.
    assert election.votes.pop().voter_id == "v4"
    path = tmp_path / "export.pb"
    pabulib.write_file(election, path)
    results = _checker_results(path)
    assert results["errors"] == {}, results
    assert path.read_bytes().startswith(b"META\r\nkey;value\r\n")


def test_pabulib_checker_rejects_a_written_file_that_breaks_its_rule(
    tmp_path: Path,
) -> None:
    election = pabulib.parse(APPROVAL)
    election.votes.pop()
    election.projects["3"].extra["selected"] = "1"  # 600 + 300.50 + 500 > 1000
    path = tmp_path / "broken.pb"
    pabulib.write_file(election, path)
    errors = _checker_results(path)["errors"]
    assert set(errors) == {"budget exceeded", "greedy rule not followed"}
