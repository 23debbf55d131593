"""Commands ``import-pb`` and ``export-pb``, added to the ``voting`` group by cli.py.

flask --app participation voting import-pb FILE [--territory CODE] [--rule R]
flask --app participation voting export-pb ROUND_ID [--output FILE|DIR]
"""

from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..budget.models import Round
from ..core.errors import DomainError
from ..extensions import db
from ..territories.models import Territory
from . import archive, pabulib
from .states import CountingRule, TieBreak


@click.command("import-pb")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--territory",
    "territory_code",
    help="Code of an existing territory for the envelope (default: an archive one).",
)
@click.option("--title", help="Title of the round (default: META description).")
@click.option(
    "--rule",
    type=click.Choice([r.value for r in CountingRule]),
    help="Counting rule (default: from META rule).",
)
@click.option("--threshold", type=int, help="Minimum support for greedy-threshold.")
@click.option(
    "--tie-break",
    type=click.Choice([t.value for t in TieBreak]),
    default=TieBreak.SUPPORT_COST_ORDER.value,
    show_default=True,
)
@with_appcontext
def import_pb(
    path: Path,
    territory_code: str | None,
    title: str | None,
    rule: str | None,
    threshold: int | None,
    tie_break: str,
) -> None:
    """Import a pabulib FILE as a closed round with its ballots (all or nothing).

    The voters of an archive are not people of this site: the ballots go into the
    ballot box without sign-ins and the file's voter ids are not kept.
    """
    started = time.perf_counter()
    try:
        election = pabulib.read(path)
    except pabulib.PabulibError as error:
        raise click.ClickException(f"{path.name}: {error}") from None
    territory = None
    if territory_code:
        territory = db.session.scalar(
            sa.select(Territory).where(Territory.code == territory_code)
        )
        if territory is None:
            raise click.ClickException(f"no territory with code {territory_code!r}")
    parsed = time.perf_counter() - started
    try:
        with click.progressbar(
            length=len(election.votes),
            label="Ballots",
        ) as bar:

            def step(count: int) -> None:
                bar.update(count)

            report = archive.import_election(
                election,
                territory=territory,
                title=title,
                rule=CountingRule(rule) if rule else None,
                threshold=threshold,
                tie_break=TieBreak(tie_break),
                progress=step,
            )
        db.session.commit()
    except (DomainError, sa.exc.SQLAlchemyError) as error:
        db.session.rollback()
        raise click.ClickException(f"nothing imported: {error}") from None
    seconds = time.perf_counter() - started
    click.echo(
        f"Imported round {report.round_id} (envelope {report.envelope_id}):"
        f" {report.projects} projects, {report.ballots} ballots,"
        f" {len(report.winners)} winners by the count, in {seconds:.2f} s"
        f" (parse {parsed:.2f} s)."
    )
    if report.file_selected is not None and set(report.file_selected) != set(
        report.winners
    ):
        click.echo(
            "Note: the file's 'selected' column differs from the count; the ideas"
            " follow the file."
        )


@click.command("export-pb")
@click.argument("round_id", type=int)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="File (one QPV) or directory (one file per QPV); default: standard output.",
)
@with_appcontext
def export_pb(round_id: int, output: Path | None) -> None:
    """Write the anonymised pabulib file of each QPV of ROUND_ID (random voter ids)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"no round {round_id}")
    envelopes = archive.envelopes_of(round_)
    try:
        texts = [(e, archive.export_envelope_text(e)) for e in envelopes]
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    if output is None:
        for _, text in texts:
            click.echo(text, nl=False)
        return
    if len(texts) > 1 or output.is_dir():
        output.mkdir(parents=True, exist_ok=True)
        for envelope, text in texts:
            target = output / f"round_{round_id}_{envelope.territory_id}.pb"
            target.write_text(text, encoding="utf-8", newline="")
            click.echo(f"Wrote {target}")
        return
    output.write_text(texts[0][1], encoding="utf-8", newline="")
    click.echo(f"Wrote {output}")


#: Added to the ``voting`` group by cli.py.
ARCHIVE_COMMANDS: list[click.Command] = [import_pb, export_pb]
