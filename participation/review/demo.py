"""Demo data of the review feature."""

from __future__ import annotations


def load() -> None:
    """Add this feature's demo data (called once by participation.demo)."""
