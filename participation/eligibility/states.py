"""Enumerations of the eligibility feature: criterion kinds, answers and outcomes."""

from __future__ import annotations

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l


class CriterionKind(LabelledEnum):
    """The three kinds of criteria of a grid."""

    #: Pass / fail / not applicable; one fail makes the idea ineligible.
    MANDATORY = "mandatory", _l("Mandatory (pass, fail or not applicable)")
    #: 0 to 3 points, multiplied by the criterion's weight.
    SCORED = "scored", _l("Scored from 0 to 3, with a weight")
    #: Free text for the record; never changes the outcome.
    INFORMATIONAL = "informational", _l("For information (does not count)")


class Check(LabelledEnum):
    """Answer to a mandatory criterion."""

    PASS = "pass", _l("Met")
    FAIL = "fail", _l("Not met")
    NOT_APPLICABLE = "na", _l("Not applicable")


class Outcome(LabelledEnum):
    """What the grid computes from the answers."""

    ELIGIBLE = "eligible", _l("Eligible")
    INELIGIBLE = "ineligible", _l("Ineligible")
    TO_DISCUSS = "to_discuss", _l("To discuss")


#: Points a scored criterion can receive, with their plain meaning.
POINTS = (0, 1, 2, 3)
POINT_LABELS = {
    0: _l("0 — not at all"),
    1: _l("1 — a little"),
    2: _l("2 — clearly"),
    3: _l("3 — strongly"),
}
