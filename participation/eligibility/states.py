"""Enumerations of the eligibility feature: criterion kinds, answers and outcomes."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class CriterionKind(StrEnum):
    """The three kinds of criteria of a grid."""

    #: Pass / fail / not applicable; one fail makes the idea ineligible.
    MANDATORY = "mandatory"
    #: 0 to 3 points, multiplied by the criterion's weight.
    SCORED = "scored"
    #: Free text for the record; never changes the outcome.
    INFORMATIONAL = "informational"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    CriterionKind.MANDATORY: _l("Mandatory (pass, fail or not applicable)"),
    CriterionKind.SCORED: _l("Scored from 0 to 3, with a weight"),
    CriterionKind.INFORMATIONAL: _l("For information (does not count)"),
}


class Check(StrEnum):
    """Answer to a mandatory criterion."""

    PASS = "pass"  # noqa: S105 (an answer, not a password)
    FAIL = "fail"
    NOT_APPLICABLE = "na"

    @property
    def label(self) -> str:
        return str(CHECK_LABELS[self])


CHECK_LABELS = {
    Check.PASS: _l("Met"),
    Check.FAIL: _l("Not met"),
    Check.NOT_APPLICABLE: _l("Not applicable"),
}


class Outcome(StrEnum):
    """What the grid computes from the answers."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    TO_DISCUSS = "to_discuss"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.ELIGIBLE: _l("Eligible"),
    Outcome.INELIGIBLE: _l("Ineligible"),
    Outcome.TO_DISCUSS: _l("To discuss"),
}

#: Points a scored criterion can receive, with their plain meaning.
POINTS = (0, 1, 2, 3)
POINT_LABELS = {
    0: _l("0 — not at all"),
    1: _l("1 — a little"),
    2: _l("2 — clearly"),
    3: _l("3 — strongly"),
}
