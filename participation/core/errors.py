"""Domain errors: services raise them, views turn them into messages or status codes."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the product was broken; ``message`` is a translatable text.

    ``field`` names the form field the message belongs to, when there is one.
    """

    status_code = 400

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(DomainError):
    """The actor may not do this (views answer 403)."""

    status_code = 403


class NotFound(DomainError):
    """The object does not exist or is not visible to the actor (views answer 404)."""

    status_code = 404


class Conflict(DomainError):
    """The object is not in a state that allows this (views answer 409)."""

    status_code = 409
