"""A worker's resident memory after 1,000 and 50,000 requests (no leak)."""

from ..memory import register_scenarios

register_scenarios()
