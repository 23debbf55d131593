"""How core names people without importing accounts.

Core sits below the feature that keeps the accounts, yet the audit page shows who
acted. That feature registers a :class:`PeopleDirectory` on the application;
core asks :func:`directory` and knows nobody when none is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from flask.sansio.app import App

_EXTENSION_KEY = "participation.people_directory"


@dataclass(frozen=True)
class PeopleDirectory:
    """Look-ups of public pseudonyms, one query each whatever the number of ids."""

    #: ``{id: pseudonym}`` of the accounts among *ids* that still exist.
    pseudonyms: Callable[[Collection[int]], Mapping[int, str]]
    #: Ids of the accounts named *pseudonym* (compared without case).
    ids_named: Callable[[str], Sequence[int]]


#: Used while no feature registered a directory: nobody has a name.
NOBODY = PeopleDirectory(pseudonyms=lambda ids: {}, ids_named=lambda name: [])


def register_directory(app: App, people: PeopleDirectory) -> None:
    """Make *people* the directory of *app* (called once, by the accounts feature)."""
    app.extensions[_EXTENSION_KEY] = people


def directory() -> PeopleDirectory:
    """The current application's directory of people."""
    people: PeopleDirectory = current_app.extensions.get(_EXTENSION_KEY, NOBODY)
    return people
