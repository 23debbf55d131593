"""The idea list (10,000 ideas loaded) and one idea's page."""

from ..bench_ideas import register_scenarios

register_scenarios()
