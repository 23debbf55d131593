"""The labelled-enum base of every workflow: members carry their translated label.

Write a state or action enum as::

    class IdeaState(LabelledEnum):
        DRAFT = "draft", _l("Draft")

The stored value stays the lowercase code (``IdeaState.DRAFT == "draft"``); the
label is a lazy string, so it is translated in the reader's language when shown.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members are declared as ``value, label`` pairs."""

    _label: Any

    def __new__(cls, value: str, label: Any = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self) -> str:
        """The member's label in the current language."""
        return str(self._label)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs for a select field, in declaration order."""
        return [(member.value, member.label) for member in cls]
