"""Demo people for every role; their passwords are shown on the demo home page only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    """A demo account as shown on the demo home page."""

    role_label: str
    login: str
    password: str


#: Filled by the accounts feature; shown only when DEMO is on.
DEMO_PEOPLE: list[DemoPerson] = []


def load() -> None:
    """Create the demo people (called once by participation.demo)."""
