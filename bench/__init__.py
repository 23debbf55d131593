"""Benchmarks: public pages under gunicorn + wrk, against a bare Flask endpoint.

Run with ``make bench`` (``python -m bench --help`` for options). Scenarios live in
``bench/scenarios/``: each module there registers its own with ``harness.register``.
"""
