"""The vocabulary of a count: counting rules, tie-breaks, phases and outcomes (pure).

One enum of each, shared by the counting engine (``tally``), the vote rules and
results (``models``, ``states``), the pabulib archives and the pages. Nothing here
touches the app or the database: the labels are lazy strings, translated only when
a page shows them.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from ..core.enums import LabelledEnum


class CountingRule(LabelledEnum):
    """How the winners are computed (pabulib's and pabutools' vocabulary)."""

    GREEDY = (
        "greedy",
        _l("Most supported projects first, skipping those that no longer fit"),
    )
    GREEDY_THRESHOLD = (
        "greedy-threshold",
        _l(
            "Most supported projects first, with a minimum support,"
            " skipping those that no longer fit"
        ),
    )
    MES = "mes", _l("Method of Equal Shares")
    MES_GREEDY = (
        "mes-greedy",
        _l("Method of Equal Shares, completed by the most supported projects"),
    )


class TieBreak(LabelledEnum):
    """Which of two equally supported projects comes first."""

    #: More support, then lower cost, then earlier submission (then the project id).
    SUPPORT_COST_ORDER = (
        "support-cost-order",
        _l("More support first, then the lower cost, then the earlier submitted idea"),
    )
    #: pabutools' ``lexico_tie_breaking``: the smaller project id, compared as text.
    PABUTOOLS = "pabutools", _l("The smaller project number first")


class Phase(StrEnum):
    """The pass of the count a step belongs to."""

    GREEDY = "greedy"
    MES = "mes"
    #: The greedy pass that completes MES in ``mes-greedy``.
    COMPLETION = "completion"


class Outcome(StrEnum):
    """What happened to a project at one step of the count."""

    SELECTED = "selected"
    #: Greedy: its cost is more than what is left of the budget.
    OVER_BUDGET = "over-budget"
    #: Greedy with threshold: its support is below the threshold.
    BELOW_THRESHOLD = "below-threshold"
    #: MES: what its supporters have left cannot pay for it.
    UNAFFORDABLE = "unaffordable"
    #: MES: nobody supports it, or it costs nothing (no cost satisfaction): left out.
    NOT_IN_MES = "not-in-mes"
