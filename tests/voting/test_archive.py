"""import-pb and export-pb: pabulib archives in and out of the ballot box."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.budget.models import Idea, Round
from participation.budget.states import IdeaState
from participation.voting import pabulib
from participation.voting.models import Ballot, BallotChoice, SignIn, VoteResult
from participation.voting.states import ResultState
from tests.conftest import shared_file

pytestmark = pytest.mark.usefixtures("english")

SMALL = """META
key;value
description;Test election
country;France
unit;Carcassonne
instance;2026
num_projects;3
num_votes;5
budget;10000
vote_type;approval
rule;greedy
date_begin;01.03.2026
date_end;15.03.2026
PROJECTS
project_id;cost;votes;name;selected
1;6000;4;Aire de jeux;1
2;5000;3;Jardin partagé;0
3;3000;1;Bancs;1
VOTES
voter_id;vote
a;1,2
b;1,2
c;1,2
d;1
e;3
"""


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "election.pb"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_a_closed_published_round_without_sign_ins(app, db, tmp_path):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["voting", "import-pb", str(_write(tmp_path, SMALL))])

    assert result.exit_code == 0, result.output
    assert "5 ballots" in result.output
    round_ = db.session.scalars(sa.select(Round)).one()
    assert round_.results_published_at is not None
    assert count(db, Ballot) == 5
    assert count(db, BallotChoice) == 8
    assert count(db, SignIn) == 0
    states = dict(db.session.execute(sa.select(Idea.title, Idea.state)).all())
    assert states == {
        "Aire de jeux": IdeaState.SELECTED,
        "Jardin partagé": IdeaState.NOT_SELECTED,
        "Bancs": IdeaState.SELECTED,
    }
    vote = db.session.scalars(sa.select(VoteResult)).one()
    assert vote.state is ResultState.PUBLISHED
    assert vote.params["matches_file"] is True


@pytest.mark.parametrize(
    ("broken", "line"),
    [
        (SMALL.replace("e;3", "e;9"), 25),  # unknown project in a vote
        (SMALL.replace("3;3000;1", "3;trois mille;1"), 18),  # bad number
        (SMALL.split("VOTES")[0], None),  # missing section
    ],
)
def test_malformed_file_gives_a_line_numbered_error_and_imports_nothing(
    app, db, tmp_path, broken, line
):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["voting", "import-pb", str(_write(tmp_path, broken))])

    assert result.exit_code != 0
    assert "line" in result.output
    if line is not None:
        assert f"line {line}" in result.output
    assert count(db, Round) == 0
    assert count(db, Ballot) == 0


def test_a_failure_during_the_import_leaves_nothing(app, db, tmp_path, monkeypatch):
    from participation.voting import archive

    def boom(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(archive.services, "compute_result", boom)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["voting", "import-pb", str(_write(tmp_path, SMALL))])

    assert result.exit_code != 0
    assert "nothing imported" in result.output
    db.session.rollback()
    assert count(db, Round) == 0
    assert count(db, Ballot) == 0
    assert count(db, Idea) == 0


def test_export_pb_of_an_import_is_accepted_by_pabulib_checker(app, db, tmp_path):
    from pabulib.checker import Checker

    runner = app.test_cli_runner()
    runner.invoke(args=["voting", "import-pb", str(_write(tmp_path, SMALL))])
    round_id = db.session.scalar(sa.select(Round.id))
    out = tmp_path / "out.pb"

    result = runner.invoke(args=["voting", "export-pb", str(round_id), "-o", str(out)])

    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    election = pabulib.parse(text)
    assert len(election.votes) == 5
    assert not {v.voter_id for v in election.votes} & {"a", "b", "c", "d", "e"}
    report = Checker().process_files([text])
    assert report["metadata"]["valid"] == 1, report


def test_toulouse_mirail_imports_as_an_archive(app, db):
    path = shared_file(
        "data/pabulib/France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb"
    )
    election = pabulib.read(path)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["voting", "import-pb", str(path)])

    assert result.exit_code == 0, result.output
    assert count(db, Ballot) == len(election.votes)
    assert count(db, Idea) == len(election.projects)


def _with_channels(internet: int, paper: int) -> str:
    """A small election whose ballots carry their channel (``voting_method``)."""
    votes = [f"i{n};1;internet" for n in range(internet)]
    votes += [f"p{n};2;paper" for n in range(paper)]
    return (
        SMALL.replace("num_votes;5", f"num_votes;{len(votes)}")
        .replace("1;6000;4;", f"1;6000;{internet};")
        .replace("2;5000;3;", f"2;5000;{paper};")
        .replace("3;3000;1;", "3;3000;0;")
        .split("VOTES\n")[0]
        + "VOTES\nvoter_id;vote;voting_method\n"
        + "\n".join(votes)
        + "\n"
    )


@pytest.mark.parametrize(
    ("internet", "paper", "published"),
    [(12, 3, False), (3, 12, False), (10, 10, True), (25, 0, True)],
)
def test_export_pb_gives_a_ballots_channel_only_when_every_channel_is_big_enough(
    app, db, tmp_path, internet, paper, published
):
    runner = app.test_cli_runner()
    imported = runner.invoke(
        args=[
            "voting",
            "import-pb",
            str(_write(tmp_path, _with_channels(internet, paper))),
        ]
    )
    assert imported.exit_code == 0, imported.output
    round_id = db.session.scalar(sa.select(Round.id))
    out = tmp_path / "out.pb"

    result = runner.invoke(args=["voting", "export-pb", str(round_id), "-o", str(out)])

    assert result.exit_code == 0, result.output
    election = pabulib.parse(out.read_text(encoding="utf-8"))
    assert len(election.votes) == internet + paper
    if published:
        methods = [v.voting_method for v in election.votes]
        assert methods.count("internet") == internet
        assert methods.count("paper") == paper
        assert "voting_method" in election.vote_columns
    else:
        assert "voting_method" not in election.vote_columns
        assert all(v.voting_method is None for v in election.votes)
