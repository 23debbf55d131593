"""Filling a grid: an assessment stores the answers and what evaluate() computed."""

from __future__ import annotations

from collections.abc import Mapping

from ...core.actors import Actor, actor_id
from ...core.errors import Conflict
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...extensions import db
from ..evaluate import AnswerValue, Result, evaluate
from ..models import Assessment, AssessmentAnswer, GridVersion
from ..states import Check


def _store_answers(
    assessment: Assessment, version: GridVersion, cleaned: Mapping[str, AnswerValue]
) -> None:
    """Make the assessment's answer rows the *cleaned* answers, one per criterion."""
    existing = {answer.criterion_id: answer for answer in assessment.answers}
    for criterion in version.criteria:
        value = cleaned.get(criterion.code)
        answer = existing.pop(criterion.id, None)
        if value is None:
            if answer is not None:
                assessment.answers.remove(answer)
            continue
        if answer is None:
            answer = AssessmentAnswer(criterion_id=criterion.id, kind=criterion.kind)
            assessment.answers.append(answer)
        # evaluate() already checked that each value fits its criterion's kind.
        answer.choice = answer.points = answer.text = None
        if isinstance(value, Check):
            answer.choice = value
        elif isinstance(value, int):
            answer.points = value
        else:
            answer.text = value


def save_assessment(
    version: GridVersion,
    answers: Mapping[str, AnswerValue],
    *,
    subject_type: str,
    subject_id: int,
    assessor: Actor,
    assessment: Assessment | None = None,
) -> tuple[Assessment, Result]:
    """Evaluate *answers* with *version*; store them in *assessment* or a new one.

    Permission is the caller's business (the review checks the assignment); this
    only guarantees that what is stored is what evaluate() computed.
    """
    cleaned: dict[str, AnswerValue] = {}
    for code, value in answers.items():
        # Check is a str too (StrEnum): only free text is trimmed.
        if isinstance(value, str) and not isinstance(value, Check):
            value = value.strip()
            if not value:
                continue  # an empty text is no answer
        cleaned[code] = value
    result = evaluate(version.spec(), cleaned)
    now = utcnow()
    if assessment is None:
        assessment = Assessment(
            grid_version_id=version.id,
            subject_type=subject_type,
            subject_id=subject_id,
            created_at=now,
        )
        db.session.add(assessment)
    elif assessment.grid_version_id != version.id:
        raise Conflict(_l("This assessment was made with another version of the grid."))
    assessment.outcome = result.outcome
    assessment.score = result.score
    assessment.max_score = result.max_score
    assessment.failed_codes = list(result.failed)
    assessment.missing_codes = list(result.missing)
    assessment.assessor_id = actor_id(assessor)
    assessment.updated_at = now

    _store_answers(assessment, version, cleaned)
    db.session.flush()
    return assessment, result
