"""Benchmark scenarios: every module here registers its own with ``harness.register``.

Later features add a module (for example ``budget.py`` with the idea list) and
nothing else: the harness imports them all.
"""
