"""Benchmark: our counting engine against pabutools on Łódź 2022 (90,494 voters).

Run with ``python -m bench.bench_tally [--file PATH] [--repeat N] [--no-pabutools]``.
It times, in one process and one run: parsing the file (ours and pabutools'), our
greedy and MES (best of N runs) and pabutools' ``greedy_utilitarian_welfare`` and
``method_of_equal_shares`` with ``Cost_Sat`` (once each: about half a minute apiece),
checks that the winners are the same, and prints the speed ratios. The goal of issue 4:
at least 50 times faster than pabutools and under one second, for greedy and MES.

``run()`` returns the figures as a dict (for the ``make bench`` report).
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


def _best_of(repeat: int, function: Callable[[], Any]) -> tuple[float, Any]:
    best = float("inf")
    value: Any = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - started)
    return best, value


def run(
    path: Path = DEFAULT_FILE, repeat: int = 5, with_pabutools: bool = True
) -> dict[str, Any]:
    """Time parsing and counting *path*; compare with pabutools unless told not to."""
    from participation.voting import pabulib, tally

    if not path.exists():
        return {
            "skipped": f"{path} is absent (the shared data is not beside this clone)"
        }
    figures: dict[str, Any] = {
        "file": path.name,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    parse_s, election = _best_of(repeat, lambda: pabulib.read(path))
    figures["voters"] = len(election.votes)
    figures["projects"] = len(election.projects)
    figures["parse_s"] = parse_s
    projects, ballots = tally.election_input(election)
    rules = {"greedy": tally.Rule.GREEDY, "mes": tally.Rule.MES}
    ours: dict[str, tuple[str, ...]] = {}
    for key, rule in rules.items():
        seconds, result = _best_of(
            repeat,
            lambda rule=rule: tally.tally(
                projects,
                ballots,
                election.budget,
                rule,
                tie_break=tally.TieBreak.PABUTOOLS,
            ),
        )
        figures[f"{key}_s"] = seconds
        figures[f"{key}_winners"] = len(result.winners)
        ours[key] = result.winners
    if with_pabutools:
        from pabutools.election import Cost_Sat, parse_pabulib
        from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

        started = time.perf_counter()
        instance, profile = parse_pabulib(str(path))
        figures["pabutools_parse_s"] = time.perf_counter() - started
        reference = {
            "greedy": lambda: greedy_utilitarian_welfare(
                instance, profile, sat_class=Cost_Sat
            ),
            "mes": lambda: method_of_equal_shares(
                instance, profile, sat_class=Cost_Sat
            ),
        }
        for key, function in reference.items():
            seconds, allocation = _best_of(1, function)
            figures[f"pabutools_{key}_s"] = seconds
            figures[f"{key}_same_winners"] = (
                tuple(p.name for p in allocation) == ours[key]
            )
            figures[f"{key}_ratio"] = seconds / figures[f"{key}_s"]
        figures["parse_ratio"] = figures["pabutools_parse_s"] / parse_s
    figures["goal_met"] = all(
        figures[f"{key}_s"] < GOAL_SECONDS
        and (
            not with_pabutools
            or (
                figures[f"{key}_same_winners"] and figures[f"{key}_ratio"] >= GOAL_RATIO
            )
        )
        for key in rules
    )
    return figures


def report(figures: dict[str, Any]) -> str:
    """The figures as a small text table."""
    if "skipped" in figures:
        return f"tally benchmark skipped: {figures['skipped']}"
    lines = [
        f"Counting engine on {figures['file']}: {figures['voters']} voters, "
        f"{figures['projects']} projects "
        f"(Python {figures['python']}, {figures['machine']})",
        f"{'step':<8} {'ours (s)':>10} {'pabutools (s)':>14} {'ratio':>8}"
        "  same winners",
    ]
    for key in ("parse", "greedy", "mes"):
        theirs = figures.get(f"pabutools_{key}_s")
        ratio = figures.get(f"{key}_ratio")
        same = figures.get(f"{key}_same_winners")
        lines.append(
            f"{key:<8} {figures[f'{key}_s']:>10.3f} "
            f"{'-' if theirs is None else f'{theirs:.2f}':>14} "
            f"{'-' if ratio is None else f'{ratio:.0f}x':>8}  "
            f"{'-' if same is None else ('yes' if same else 'NO')}"
        )
    lines.append(
        f"goal (>= {GOAL_RATIO:.0f}x and < {GOAL_SECONDS:.0f} s for greedy and MES, "
        "same "
        f"winners): {'met' if figures['goal_met'] else 'NOT met'}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--file", type=Path, default=DEFAULT_FILE, help="a pabulib .pb file"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of ours (best is kept)"
    )
    parser.add_argument("--no-pabutools", action="store_true", help="time ours only")
    args = parser.parse_args(argv)
    figures = run(args.file, repeat=args.repeat, with_pabutools=not args.no_pabutools)
    print(report(figures))
    return figures


if __name__ == "__main__":
    main()
