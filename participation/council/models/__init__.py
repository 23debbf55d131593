"""Tables of the council feature (councils and members, meetings, minutes)."""

from __future__ import annotations

from .councils import (
    Council,
    CouncilComposition,
    CouncilDraw,
    CouncilFacilitator,
    CouncilMember,
    CouncilRules,
    DrawEntry,
)
from .meetings import (
    AgendaItem,
    Attendance,
    Convocation,
    Deliberation,
    DeliberationVoter,
    Meeting,
    MeetingStateChange,
)
from .minutes import Minutes, MinutesErratum, MinutesRevision, MinutesStateChange

__all__ = [
    "AgendaItem",
    "Attendance",
    "Convocation",
    "Council",
    "CouncilComposition",
    "CouncilDraw",
    "CouncilFacilitator",
    "CouncilMember",
    "CouncilRules",
    "Deliberation",
    "DeliberationVoter",
    "DrawEntry",
    "Meeting",
    "MeetingStateChange",
    "Minutes",
    "MinutesErratum",
    "MinutesRevision",
    "MinutesStateChange",
]
