"""Who acts in a service: a signed-in person, or the explicit system actor.

Services take an ``Actor``. A job, an import or the demo passes :data:`SYSTEM`;
nothing else skips the permission checks, and ``None`` is never an actor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, Protocol, TypeAlias, runtime_checkable


@runtime_checkable
class Person(Protocol):
    """What services read of a person (``accounts.models.User`` fits it)."""

    id: int

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def role_set(self) -> Iterable[Any]: ...


class SystemActor:
    """The site itself: CLI commands, scheduled jobs, imports and the demo loader."""

    id: None = None
    is_authenticated: Final = True
    role_set: frozenset[Any] = frozenset()

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self) -> str:
        return "SYSTEM"


#: The one system actor; compare with ``actor is SYSTEM``.
SYSTEM: Final = SystemActor()

Actor: TypeAlias = Person | SystemActor


def is_system(actor: object) -> bool:
    """True for the system actor (jobs, imports), which passes permission checks."""
    return actor is SYSTEM


def actor_id(actor: Actor | None) -> int | None:
    """The id stored in history and audit rows (None for the system)."""
    return None if actor is None or actor is SYSTEM else actor.id
