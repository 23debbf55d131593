"""Domain errors: services raise them, views turn them into messages or status codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """A rule of the product was broken; ``message`` is a translatable text.

    ``field`` names the form field the message belongs to, when there is one.
    """

    status_code = 400

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        # Kept lazy: translated when shown, not when raised (a permission check
        # that only asks yes or no never translates it).
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)

    def messages_by_field(self) -> dict[str | None, Any]:
        """Messages by field name (``None``: the message belongs to the whole form)."""
        return {self.field: self.message}


class FieldErrors(DomainError):
    """Several fields are wrong at once; ``errors`` maps field names to messages.

    The first message is also the error's own message, so a view without a form
    can still flash it.
    """

    def __init__(self, errors: Mapping[Any, Any]) -> None:
        if not errors:
            raise ValueError("FieldErrors needs at least one message")
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors: dict[str | None, Any] = dict(errors)

    def messages_by_field(self) -> dict[str | None, Any]:
        return dict(self.errors)


class PermissionDenied(DomainError):
    """The actor may not do this (views answer 403)."""

    status_code = 403


class NotFound(DomainError):
    """The object does not exist or is not visible to the actor (views answer 404)."""

    status_code = 404


class Conflict(DomainError):
    """The object is not in a state that allows this (views answer 409)."""

    status_code = 409
