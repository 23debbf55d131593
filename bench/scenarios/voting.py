"""The vote: the import of Łódź (90,494 ballots) and ballots cast over HTTP."""

from ..bench_voting import register_scenarios

register_scenarios()
