"""Enumerations of the voting feature and the one transition table of a vote's result.

A result (one per envelope, i.e. per QPV of a round) is ``computed`` by the count,
``certified`` by staff after review, then ``published``, after which it never changes.
Anything not in ``TRANSITIONS`` is illegal.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class BallotType(StrEnum):
    """What a ballot lets the voter express (PRODUCT.md §4.1)."""

    #: Tick between ``min_projects`` and ``max_projects`` projects.
    APPROVAL = "approval"
    #: Tick projects whose total cost fits the envelope.
    KNAPSACK = "knapsack"
    #: Share ``total_points``, at most ``max_points_per_project`` on one project.
    CUMULATIVE = "cumulative"

    @property
    def label(self) -> str:
        return str(BALLOT_TYPE_LABELS[self])


BALLOT_TYPE_LABELS = {
    BallotType.APPROVAL: _l("Approval: choose several projects"),
    BallotType.KNAPSACK: _l("Budget: choose projects within the envelope"),
    BallotType.CUMULATIVE: _l("Points: share your points between projects"),
}


class Channel(StrEnum):
    """How a ballot reached the ballot box."""

    ONLINE = "online"
    PAPER = "paper"
    #: An imported pabulib archive that does not say how each voter voted.
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.ONLINE: _l("Online"),
    Channel.PAPER: _l("Paper, at a polling desk"),
    Channel.UNKNOWN: _l("Not recorded (imported archive)"),
}


class CountingRule(StrEnum):
    """How the winners are computed; values are those of ``tally.Rule``."""

    GREEDY = "greedy"
    GREEDY_THRESHOLD = "greedy-threshold"
    MES = "mes"
    MES_GREEDY = "mes-greedy"

    @property
    def label(self) -> str:
        return str(COUNTING_RULE_LABELS[self])


COUNTING_RULE_LABELS = {
    CountingRule.GREEDY: _l(
        "Most supported projects first, skipping those that no longer fit"
    ),
    CountingRule.GREEDY_THRESHOLD: _l(
        "Most supported projects first, with a minimum support,"
        " skipping those that no longer fit"
    ),
    CountingRule.MES: _l("Method of Equal Shares"),
    CountingRule.MES_GREEDY: _l(
        "Method of Equal Shares, completed by the most supported projects"
    ),
}


class TieBreak(StrEnum):
    """Tie-break order; values are those of ``tally.TieBreak``."""

    #: More support, then lower cost, then earlier submission.
    SUPPORT_COST_ORDER = "support-cost-order"
    #: pabutools' lexicographic tie-break (the smaller project id); imported archives.
    PABUTOOLS = "pabutools"

    @property
    def label(self) -> str:
        return str(TIE_BREAK_LABELS[self])


TIE_BREAK_LABELS = {
    TieBreak.SUPPORT_COST_ORDER: _l(
        "More support first, then the lower cost, then the earlier submitted idea"
    ),
    TieBreak.PABUTOOLS: _l("The smaller project number first"),
}


class ResultState(StrEnum):
    """Where the result of one envelope stands."""

    COMPUTED = "computed"
    CERTIFIED = "certified"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return str(RESULT_STATE_LABELS[self])


RESULT_STATE_LABELS = {
    ResultState.COMPUTED: _l("Computed, to be checked"),
    ResultState.CERTIFIED: _l("Certified"),
    ResultState.PUBLISHED: _l("Published"),
}


class ResultAction(StrEnum):
    """What staff do to a result."""

    #: Count again (a paper batch came late, a mistake was found): back to computed.
    RECOMPUTE = "recompute"
    CERTIFY = "certify"
    PUBLISH = "publish"

    @property
    def label(self) -> str:
        return str(RESULT_ACTION_LABELS[self])


RESULT_ACTION_LABELS = {
    ResultAction.RECOMPUTE: _l("Count again"),
    ResultAction.CERTIFY: _l("Certify the result"),
    ResultAction.PUBLISH: _l("Publish the result"),
}

#: (current state, action) -> next state. Anything not listed is forbidden; a
#: published result has no outgoing transition: it is final.
TRANSITIONS: dict[tuple[ResultState, ResultAction], ResultState] = {
    (ResultState.COMPUTED, ResultAction.RECOMPUTE): ResultState.COMPUTED,
    (ResultState.COMPUTED, ResultAction.CERTIFY): ResultState.CERTIFIED,
    (ResultState.CERTIFIED, ResultAction.RECOMPUTE): ResultState.COMPUTED,
    (ResultState.CERTIFIED, ResultAction.PUBLISH): ResultState.PUBLISHED,
}
