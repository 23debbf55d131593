"""URL converters: integers in URLs stay within what the database can store.

Werkzeug's ``int`` converter accepts any number of digits, and an id too large
for its column then fails deep in the database driver (a 500). The ids are
``INTEGER`` columns: 32 bits on PostgreSQL. The bounded converter replaces
``int`` application-wide, so ``<int:idea_id>`` above 2^31 - 1 (and so anything
above 2^63) answers 404 instead.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map, ValidationError

#: The largest value of an id column (PostgreSQL INTEGER is 32-bit; SQLite's are
#: 64-bit, so this bound fits both).
MAX_DB_INT = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """An ``int`` URL segment between 0 and 2^31 - 1 (else the route does not match)."""

    #: ASCII digits only (``\\d`` would also match other scripts' digits).
    regex = r"[0-9]+"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)
        if self.max is None or self.max > MAX_DB_INT:
            self.max = MAX_DB_INT

    def to_python(self, value: str) -> Any:
        # Only ASCII digits match the rule's regex; the length check spares int().
        if len(value) > len(str(MAX_DB_INT)):
            raise ValidationError()
        return super().to_python(value)


def ascii_int(
    text: object, *, minimum: int = 0, maximum: int = MAX_DB_INT
) -> int | None:
    """*text* as an int when it is ASCII digits within [minimum, maximum], else None.

    ``"²".isdigit()`` is true and ``int("²")`` fails; ``int("١٢")`` succeeds with
    Arabic-Indic digits. Query strings and form values go through this instead.
    """
    if not isinstance(text, str):
        return None
    value = text.strip()
    if not value or not value.isascii() or not value.isdecimal():
        return None
    if len(value) > len(str(maximum)) + 1:
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None
