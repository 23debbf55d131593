"""What a keyer typed for one paper ballot, read and checked (pure: no app, no DB).

A keyer types the ballot numbers printed on the paper next to each project (``1, 3``,
or with points ``1:3, 3:2``: see ``services.numbers``) and chooses its reading:
valid, blank, or void for a reason. The numbers are mapped to the projects' ids, then
a valid ballot is checked by the vote's own rules (``voting.ballots.BallotSheet``); a
paper that breaks them is recorded as void. What is stored is the canonical ballot of
idea ids. Messages are lazy strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...core.errors import DomainError, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ..ballots import BallotSheet, canonical_ballot
from .states import Mark, VoidReason

#: What a keyer may type for one ballot (a few dozen project numbers).
CHOICES_MAX_LENGTH = 400
#: One project on a typed ballot: ``3`` or ``3:2`` (points), ``n°3`` or ``#3``.
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

    def typed(self, numbers: Mapping[int, int]) -> str:
        """The choices as a keyer types them, by ballot number: ``1, 3`` or ``1:3``.

        *numbers* is ``{idea_id: ballot number}``; a project without one (it left
        the ballot since) is left out.
        """
        pairs = sorted((numbers[i], p) for i, p in self.pairs if i in numbers)
        return ", ".join(str(n) if self.is_plain else f"{n}:{p}" for n, p in pairs)

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
    """``1, 3`` → ``[(1, 1), (3, 1)]``; ``1:3 3:2`` → points. Raises on junk.

    The numbers are those typed (ballot numbers), not yet mapped to projects.
    """
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
                    " the ballot, separated by commas (with points: 1:3).",
                    text=bad[0][:30],
                )
            ]
        )
    return pairs


def _rule_messages(error: FieldErrors, numbers: Mapping[int, int]) -> list[Any]:
    """The vote's messages for one paper ballot, each project's with its number."""
    messages: list[Any] = []
    for field, message in error.messages_by_field().items():
        if field and field.startswith("idea-"):
            idea_id = int(field[5:])
            messages.append(
                _l(
                    "n° %(number)s: %(message)s",
                    number=numbers.get(idea_id, idea_id),
                    message=message,
                )
            )
        else:
            messages.append(message)
    messages.append(
        _l("If the paper ballot itself breaks the rules, record it as void.")
    )
    return messages


def _to_ideas(
    pairs: list[tuple[int, int]], numbers: Mapping[int, int]
) -> list[tuple[int, int]]:
    """Typed ``(ballot number, points)`` → ``(idea id, points)``, or refused."""
    by_number = {number: idea_id for idea_id, number in numbers.items()}
    unknown = [number for number, _points in pairs if number not in by_number]
    if unknown:
        if not by_number:
            raise ReadingInvalid([_l("This ballot has no projects.")])
        raise ReadingInvalid(
            [
                _l(
                    "There is no n° %(number)d on this ballot: type the numbers"
                    " printed on the ballot (1 to %(last)d).",
                    number=unknown[0],
                    last=max(by_number),
                )
            ]
        )
    return [(by_number[number], points) for number, points in pairs]


def read_ballot(
    text: str, mark_text: str, sheet: BallotSheet, numbers: Mapping[int, int]
) -> Reading | None:
    """Check what was typed for one paper ballot; None when nothing was typed yet.

    *numbers* is ``{idea_id: ballot number}`` of the envelope: what was typed are
    ballot numbers, an unknown one is refused. A valid ballot then goes through the
    vote's own check: too many projects or points are refused with the vote's
    message (naming the ballot number). If the paper itself breaks the rules, the
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
        chosen = sheet.check(_to_ideas(pairs, numbers))
    except FieldErrors as invalid:
        raise ReadingInvalid(_rule_messages(invalid, numbers)) from None
    if not chosen:
        raise ReadingInvalid(
            [_l("No project is chosen on this ballot: record it as blank.")]
        )
    return Reading(Mark.VALID, canonical_ballot(chosen.items()))
