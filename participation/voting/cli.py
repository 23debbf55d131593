"""Commands of the voting feature: ``flask --app participation voting ...``."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import click
from flask.cli import AppGroup

from . import pabulib, tally
from .archive_cli import ARCHIVE_COMMANDS
from .counting import CountingRule, TieBreak

#: ``flask --app participation voting ...``; import-pb and export-pb join this group.
voting = AppGroup("voting", help="Votes: count pabulib files, import and export them.")


def _number(value: Decimal) -> int | float:
    """A JSON number: whole amounts as integers, others as floats."""
    return int(value) if value == value.to_integral_value() else float(value)


@voting.command("tally-pb")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rule",
    type=click.Choice([rule.value for rule in CountingRule]),
    default=CountingRule.GREEDY.value,
    show_default=True,
    help="Counting rule.",
)
@click.option(
    "--threshold",
    type=click.IntRange(min=0),
    default=None,
    help="Minimum support for greedy-threshold "
    "(default: META min_project_score_threshold).",
)
@click.option(
    "--tie-break",
    type=click.Choice([mode.value for mode in TieBreak]),
    default=TieBreak.SUPPORT_COST_ORDER.value,
    show_default=True,
    help="support-cost-order: more support, lower cost, earlier project; "
    "pabutools: pabutools' lexicographic order.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def tally_pb(
    path: Path, rule: str, threshold: int | None, tie_break: str, as_json: bool
) -> None:
    """Count the pabulib file PATH with its META budget and print the winners."""
    if threshold is not None and rule != CountingRule.GREEDY_THRESHOLD:
        raise click.UsageError("--threshold only applies to --rule greedy-threshold")
    try:
        election = pabulib.read(path)
    except pabulib.PabulibError as error:
        raise click.ClickException(f"{path}: {error}") from None
    started = time.perf_counter()
    try:
        result = tally.tally_election(
            election, rule, threshold=threshold, tie_break=tie_break
        )
    except tally.TallyError as error:
        raise click.ClickException(f"{path}: {error}") from None
    seconds = time.perf_counter() - started
    if as_json:
        payload = {
            "winners": list(result.winners),
            "cost": _number(result.total_cost),
            "seconds": round(seconds, 6),
            "rule": result.rule.value,
            "threshold": result.threshold,
            "tie_break": result.tie_break.value,
            "budget": _number(result.budget),
            "num_ballots": result.num_ballots,
        }
        click.echo(json.dumps(payload))
        return
    final = result.final_steps()
    click.echo(
        f"{result.rule.value} on {path.name}: {result.num_ballots} ballots, "
        f"budget {result.budget}"
    )
    for rank, project_id in enumerate(result.winners, start=1):
        step = final[project_id]
        click.echo(f"{rank:4d}. {project_id}  support {step.support}  cost {step.cost}")
    click.echo(
        f"{len(result.winners)} winners, cost {result.total_cost}, "
        f"left {result.budget_left} ({seconds:.3f} s)"
    )


# import-pb and export-pb (archive_cli.py, the voting feature's owner).
for _command in ARCHIVE_COMMANDS:
    voting.add_command(_command)

#: Commands and groups registered on ``flask --app participation``.
COMMANDS: list[click.Command] = [voting]
