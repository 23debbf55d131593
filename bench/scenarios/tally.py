"""The counting engine on Łódź 2022, and the same count by pabutools in the same run."""

from __future__ import annotations

from ..bench_tally import DEFAULT_FILE, lodz_setup, report, run
from ..harness import PythonScenario, register


def _against_pabutools(_context: object) -> object:
    # One run: pabutools takes about a minute per rule on this file.
    return lambda: print(report(run()), flush=True)


if DEFAULT_FILE.exists():
    register(
        PythonScenario(
            "tally-greedy-lodz",
            "our greedy count of Łódź 2022",
            lodz_setup("greedy"),
            max_calls=20,
        )
    )
    register(
        PythonScenario(
            "tally-mes-lodz",
            "our Method of Equal Shares on Łódź 2022",
            lodz_setup("mes"),
            max_calls=20,
        )
    )
    register(
        PythonScenario(
            "tally-vs-pabutools",
            "ours against pabutools on Łódź 2022: same winners, speed ratio",
            _against_pabutools,
            max_calls=1,
        )
    )
