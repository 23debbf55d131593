"""Benchmark: our counting engine against pabutools on Łódź 2022 (90,494 voters).

Run with ``python -m bench.bench_tally [--file PATH] [--repeat N] [--no-pabutools]``.
In one process and one run it times parsing the file (ours and pabutools'), our greedy
and MES (best of N runs) and pabutools' ``greedy_utilitarian_welfare`` and
``method_of_equal_shares`` with ``Cost_Sat`` (once each: half a minute apiece or more),
checks that the winners are the same and prints the speed ratios. The goal of issue 4:
at least 50 times faster than pabutools and under one second, for greedy and for MES.

Times are CPU seconds of this process, with wall-clock seconds beside them: on a shared
machine the wall clock also counts the other processes. ``run()`` returns the figures
as a dict (for the ``make bench`` report).
"""

from __future__ import annotations

import argparse
import gc
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Lodz_2022.pb"
GOAL_RATIO = 50.0
GOAL_SECONDS = 1.0
STEPS = ("parse", "greedy", "mes")


def _best_of(repeat: int, function: Callable[[], Any]) -> tuple[float, float, Any]:
    """Best CPU and best wall-clock seconds of *repeat* calls, and the last value."""
    best_cpu = best_wall = float("inf")
    value: Any = None
    for _ in range(repeat):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        value = function()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, value


def run(
    path: Path = DEFAULT_FILE, repeat: int = 5, with_pabutools: bool = True
) -> dict[str, Any]:
    """Time parsing and counting *path*; compare with pabutools unless told not to."""
    from participation.voting import pabulib, tally
    from participation.voting.counting import CountingRule

    if not path.exists():
        return {"skipped": f"{path} is absent (no shared data beside this clone)"}
    figures: dict[str, Any] = {
        "file": path.name,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    cpu, wall, election = _best_of(repeat, lambda: pabulib.read(path))
    figures.update(parse_cpu_s=cpu, parse_s=wall)
    figures.update(voters=len(election.votes), projects=len(election.projects))
    projects, ballots = tally.election_input(election)
    rules = {"greedy": CountingRule.GREEDY, "mes": CountingRule.MES}
    ours: dict[str, tuple[str, ...]] = {}
    for key, rule in rules.items():

        def count(rule: CountingRule = rule) -> tally.TallyResult:
            return tally.tally(
                projects, ballots, election.budget, rule, tie_break="pabutools"
            )

        cpu, wall, result = _best_of(repeat, count)
        figures.update({f"{key}_cpu_s": cpu, f"{key}_s": wall})
        figures[f"{key}_winners"] = len(result.winners)
        ours[key] = result.winners
    if with_pabutools:
        # pabutools ships no type information (and is GPL: a dev-only dependency).
        from pabutools.election import (  # type: ignore[import-untyped]
            Cost_Sat,
            parse_pabulib,
        )
        from pabutools.rules import (  # type: ignore[import-untyped]
            greedy_utilitarian_welfare,
            method_of_equal_shares,
        )

        cpu, wall, (instance, profile) = _best_of(1, lambda: parse_pabulib(str(path)))
        figures.update(pabutools_parse_cpu_s=cpu, pabutools_parse_s=wall)
        reference = {
            "greedy": greedy_utilitarian_welfare,
            "mes": method_of_equal_shares,
        }
        for key, rule_function in reference.items():

            def reference_count(rule_function: Any = rule_function) -> Any:
                return rule_function(instance, profile, sat_class=Cost_Sat)

            cpu, wall, allocation = _best_of(1, reference_count)
            figures.update({f"pabutools_{key}_cpu_s": cpu, f"pabutools_{key}_s": wall})
            winners = tuple(project.name for project in allocation)
            figures[f"{key}_same_winners"] = winners == ours[key]
        for key in STEPS:
            ratio = figures[f"pabutools_{key}_cpu_s"] / figures[f"{key}_cpu_s"]
            figures[f"{key}_ratio"] = ratio
    figures["goal_met"] = all(
        figures[f"{key}_cpu_s"] < GOAL_SECONDS
        and (
            not with_pabutools
            or (
                figures[f"{key}_same_winners"] and figures[f"{key}_ratio"] >= GOAL_RATIO
            )
        )
        for key in rules
    )
    return figures


def lodz_setup(rule: str) -> Callable[[Any], Callable[[], object]]:
    """A ``PythonScenario`` setup for the bench harness: Łódź, counted by *rule*.

    Register with ``register(PythonScenario("tally-mes-lodz", "...", lodz_setup("mes"),
    max_calls=50))`` in ``bench/scenarios/``.
    """

    def setup(context: Any) -> Callable[[], object]:
        from participation.voting import pabulib, tally

        election = pabulib.read(DEFAULT_FILE)
        projects, ballots = tally.election_input(election)
        return lambda: tally.tally(projects, ballots, election.budget, rule)

    return setup


def report(figures: dict[str, Any]) -> str:
    """The figures as a small text table."""
    if "skipped" in figures:
        return f"tally benchmark skipped: {figures['skipped']}"
    lines = [
        f"Counting engine on {figures['file']}: {figures['voters']} voters, "
        f"{figures['projects']} projects "
        f"(Python {figures['python']}, {figures['machine']})",
        "seconds: CPU (wall clock); ratio: pabutools CPU / ours CPU",
        f"{'step':<8} {'ours':>16} {'pabutools':>18} {'ratio':>7}  same winners",
    ]
    for key in STEPS:
        ours = f"{figures[f'{key}_cpu_s']:.3f} ({figures[f'{key}_s']:.3f})"
        theirs = "-"
        if f"pabutools_{key}_s" in figures:
            cpu, wall = figures[f"pabutools_{key}_cpu_s"], figures[f"pabutools_{key}_s"]
            theirs = f"{cpu:.2f} ({wall:.2f})"
        ratio = figures.get(f"{key}_ratio")
        same = figures.get(f"{key}_same_winners")
        lines.append(
            f"{key:<8} {ours:>16} {theirs:>18} "
            f"{'-' if ratio is None else f'{ratio:.0f}x':>7}  "
            f"{'-' if same is None else ('yes' if same else 'NO')}"
        )
    met = "met" if figures["goal_met"] else "NOT met"
    lines.append(
        f"goal (>= {GOAL_RATIO:.0f}x and < {GOAL_SECONDS:.0f} s CPU for greedy and "
        f"MES, same winners): {met}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="a .pb file")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of ours (best kept)"
    )
    parser.add_argument("--no-pabutools", action="store_true", help="time ours only")
    args = parser.parse_args(argv)
    figures = run(args.file, repeat=args.repeat, with_pabutools=not args.no_pabutools)
    print(report(figures))
    return figures


if __name__ == "__main__":
    main()
