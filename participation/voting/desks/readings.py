"""What a keyer typed for one paper ballot, read and checked (pure: no app, no DB).

A keyer types the project numbers printed on the ballot (``12, 15``, or with points
``12:3, 15:2``) and chooses its reading: valid, blank, or void for a reason. A valid
ballot is checked by the vote's own rules (``voting.ballots.BallotSheet``); a paper
that breaks them is recorded as void. Messages are lazy strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from ...core.errors import DomainError, FieldErrors
from ..ballots import BallotSheet, canonical_ballot
from .states import Mark, VoidReason

#: What a keyer may type for one ballot (a few dozen project numbers).
CHOICES_MAX_LENGTH = 400
#: One project on a typed ballot: ``12`` or ``12:3`` (points), ``n°12`` or ``#12``.
_TOKEN = re.compile(r"(?:n°|no|#)?(\d{1,9})(?::(\d{1,6}))?", re.IGNORECASE)
_CHOOSE = _l("Choose what the ballot is from the list.")


class ReadingInvalid(DomainError):
    """What was typed for one paper ballot cannot be recorded; ``messages`` says why.

    One field (the ballot's projects), possibly several sentences: the message is
    all of them, in order.
    """

    def __init__(self, messages: Sequence[Any], *, field: str = "choices") -> None:
        super().__init__(" ".join(str(m) for m in messages), field=field)
        self.messages = list(messages)


@dataclass(frozen=True)
class Reading:
    """One paper ballot as read: a mark and, when valid, the canonical choices."""

    mark: Mark
    choices: str = ""
    void_reason: VoidReason | None = None

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """``[(idea_id, points), ...]`` of a valid reading."""
        out = []
        for item in self.choices.split(","):
            if item:
                idea, _sep, points = item.partition(":")
                out.append((int(idea), int(points or 1)))
        return out

    @property
    def key(self) -> tuple[Mark, str]:
        """What two readings must share to agree (the grounds of a void don't count)."""
        return (self.mark, self.choices)

    @property
    def form_value(self) -> str:
        """The mark as the keying form's select names it."""
        return mark_value(self.mark, self.void_reason)

    @property
    def typed(self) -> str:
        """The choices as a keyer types them: ``12, 15`` or ``12:3, 15:2``."""
        return ", ".join(str(i) if self.is_plain else f"{i}:{p}" for i, p in self.pairs)

    @property
    def is_plain(self) -> bool:
        """Every project with one point (an approval ballot)."""
        return all(p == 1 for _, p in self.pairs)


@dataclass(frozen=True)
class Typed:
    """What the keying grid (or the settling form) sent for one position."""

    choices: str = ""
    mark: str = Mark.VALID.value


def mark_value(mark: Mark, reason: VoidReason | None = None) -> str:
    if mark is Mark.VOID:
        return f"void-{(reason or VoidReason.UNREADABLE).value}"
    return mark.value


def parse_mark(value: str) -> tuple[Mark, VoidReason | None]:
    """``valid``, ``blank`` or ``void-<reason>`` (the keying form's values)."""
    head, _sep, tail = (value or Mark.VALID.value).partition("-")
    try:
        mark = Mark(head)
        reason = VoidReason(tail) if mark is Mark.VOID else None
    except ValueError:
        raise ReadingInvalid([_CHOOSE]) from None
    if mark is not Mark.VOID and tail:
        raise ReadingInvalid([_CHOOSE])
    return mark, reason


def parse_choices(text: str) -> list[tuple[int, int]]:
    """``12, 15`` → ``[(12, 1), (15, 1)]``; ``12:3 15:2`` → points. Raises on junk."""
    text = re.sub(r"\s*:\s*", ":", (text or "").strip())
    pairs: list[tuple[int, int]] = []
    bad: list[str] = []
    for token in re.split(r"[,;\s]+", text):
        if not token:
            continue
        match = _TOKEN.fullmatch(token)
        if match is None:
            bad.append(token)
            continue
        pairs.append((int(match.group(1)), int(match.group(2) or 1)))
    if bad:
        raise ReadingInvalid(
            [
                _l(
                    "“%(text)s” is not a project number: type the numbers printed on"
                    " the ballot, separated by commas (with points: 12:3).",
                    text=bad[0][:30],
                )
            ]
        )
    return pairs


def _rule_messages(error: FieldErrors) -> list[Any]:
    """The vote's messages for one paper ballot, each project's with its number."""
    messages: list[Any] = []
    for field, message in error.messages_by_field().items():
        if field and field.startswith("idea-"):
            messages.append(
                _l("n° %(number)s: %(message)s", number=field[5:], message=message)
            )
        else:
            messages.append(message)
    messages.append(
        _l("If the paper ballot itself breaks the rules, record it as void.")
    )
    return messages


def read_ballot(text: str, mark_text: str, sheet: BallotSheet) -> Reading | None:
    """Check what was typed for one paper ballot; None when nothing was typed yet.

    A valid ballot goes through the vote's own check: a project of another QPV,
    one not put to the vote, an unknown number, too many projects or points are
    refused with the vote's message. If the paper itself breaks the rules, the
    keyer records it as void.
    """
    if len(text or "") > CHOICES_MAX_LENGTH:
        raise ReadingInvalid([_l("This is too long for one ballot.")])
    mark, reason = parse_mark(mark_text)
    pairs = parse_choices(text)
    if mark is Mark.BLANK:
        if pairs:
            raise ReadingInvalid(
                [
                    _l(
                        "A blank ballot names no project: clear the numbers"
                        " or choose another reading."
                    )
                ]
            )
        return Reading(Mark.BLANK)
    if mark is Mark.VOID:
        # The projects read on a void ballot do not count: they are not kept.
        return Reading(Mark.VOID, void_reason=reason)
    if not pairs:
        return None
    try:
        chosen = sheet.check(pairs)
    except FieldErrors as invalid:
        raise ReadingInvalid(_rule_messages(invalid)) from None
    if not chosen:
        raise ReadingInvalid(
            [_l("No project is chosen on this ballot: record it as blank.")]
        )
    return Reading(Mark.VALID, canonical_ballot(chosen.items()))
