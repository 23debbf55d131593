"""How meeting times read: the full date and the hour, in Paris time.

Babel's "full" date-time spells the time zone out ("heure normale d'Europe
centrale"); people read "jeudi 3 décembre 2026, 18:00".
"""

from __future__ import annotations

from datetime import datetime

from ..core.i18n import format_date, format_time


def moment(when: datetime) -> str:
    """``jeudi 3 décembre 2026, 18:00`` in the current language, Paris time."""
    return f"{format_date(when, 'full')}, {format_time(when, 'short')}"
