"""Enumerations of the voting feature and the one transition table of a vote's result.

A result (one per envelope, i.e. per QPV of a round) is ``computed`` by the count,
``certified`` by staff after review, then ``published``, after which it never changes.
Anything not in ``TRANSITIONS`` is illegal. The counting rules and tie-breaks live in
the pure ``counting`` module (the engine uses them too) and are re-exported here.
"""

from __future__ import annotations

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l
from .counting import CountingRule, TieBreak

__all__ = [
    "TRANSITIONS",
    "BallotType",
    "Channel",
    "CountingRule",
    "ResultAction",
    "ResultState",
    "TieBreak",
]


class BallotType(LabelledEnum):
    """What a ballot lets the voter express (PRODUCT.md §4.1)."""

    #: Tick between ``min_projects`` and ``max_projects`` projects.
    APPROVAL = "approval", _l("Approval: choose several projects")
    #: Tick projects whose total cost fits the envelope.
    KNAPSACK = "knapsack", _l("Budget: choose projects within the envelope")
    #: Share ``total_points``, at most ``max_points_per_project`` on one project.
    CUMULATIVE = "cumulative", _l("Points: share your points between projects")


class Channel(LabelledEnum):
    """How a ballot reached the ballot box."""

    ONLINE = "online", _l("Online")
    PAPER = "paper", _l("Paper, at a polling desk")
    #: An imported pabulib archive that does not say how each voter voted.
    UNKNOWN = "unknown", _l("Not recorded (imported archive)")


class ResultState(LabelledEnum):
    """Where the result of one envelope stands."""

    COMPUTED = "computed", _l("Computed, to be checked")
    CERTIFIED = "certified", _l("Certified")
    PUBLISHED = "published", _l("Published")


class ResultAction(LabelledEnum):
    """What staff do to a result."""

    #: Count again (a paper batch came late, a mistake was found): back to computed.
    RECOMPUTE = "recompute", _l("Count again")
    CERTIFY = "certify", _l("Certify the result")
    PUBLISH = "publish", _l("Publish the result")


#: (current state, action) -> next state. Anything not listed is forbidden; a
#: published result has no outgoing transition: it is final. The first count creates
#: the result in its initial state, ``computed`` (no transition: there was no result).
TRANSITIONS: dict[tuple[ResultState, ResultAction], ResultState] = {
    (ResultState.COMPUTED, ResultAction.RECOMPUTE): ResultState.COMPUTED,
    (ResultState.COMPUTED, ResultAction.CERTIFY): ResultState.CERTIFIED,
    (ResultState.CERTIFIED, ResultAction.RECOMPUTE): ResultState.COMPUTED,
    (ResultState.CERTIFIED, ResultAction.PUBLISH): ResultState.PUBLISHED,
}
