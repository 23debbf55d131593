"""Demo data of the review feature: the review of the announced and in-review rounds.

Runs after the budget demo, which creates the rounds and, for the announced round,
already took the decisions through ``budget.services.transition``. Here, as the
system (``SYSTEM``) for what staff do:

- each round gets the demo grid (when the budget demo left it unset), and its
  review is started with ``start_review`` (the grid version is frozen);
- the announced round: every decided idea gets the handed-in review that led to
  the decision (answers consistent with it, dated before it), so that ineligible
  ideas show the criteria they failed;
- the round in review: rules by theme, assignments, a few reviews handed in
  (one waiting for the staff decision), a draft, some still to do, one idea
  without a reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..accounts.models import User, UserRole
from ..accounts.states import Role
from ..budget.models import Idea, Round
from ..budget.states import IdeaState, RoundPhase
from ..core import audit
from ..core.actors import SYSTEM
from ..core.time import utcnow
from ..eligibility import services as eligibility
from ..eligibility.demo import demo_grid_version
from ..eligibility.models import GridVersion
from ..eligibility.states import Check, CriterionKind
from ..extensions import db
from ..territories.models import Theme
from . import services
from .models import IdeaReview

DAY = timedelta(days=1)

#: A second reviewer, who only carries assignments (no password: cannot sign in).
EXTRA_REVIEWER = ("Instructrice espaces verts", "Nadia Roussel")

#: Themes each demo reviewer takes (first reviewer, second reviewer). Education
#: and access to rights have no rule: an idea is left for staff to assign.
THEMES_BY_REVIEWER = (
    ("health", "living_environment", "ecological_transition", "safety", "employment"),
    ("culture", "social_ties"),
)

#: Words of a public reason -> the mandatory criterion the idea failed.
REASON_CRITERIA = (
    (
        ("fonctionnement", "investissement", "chaque année", "salaire"),
        "investment",
    ),
    (("plafond", "coût", "coûte", "12 000", "trop cher"), "cost_within_cap"),
    (("terrain", "propriét", "bailleur", "domanial", "gestionnaire"), "land_ownership"),
    (("commercial", "politique", "religi", "publicit"), "neutrality"),
    (("entretien", "maintenance"), "maintenance"),
    (("compétence", "compétent", "département", "région", "état"), "city_competence"),
    (("hors du quartier", "hors qpv", "périmètre"), "in_qpv"),
    (("intérêt général", "privé", "particulier"), "general_interest"),
)

FEASIBLE = "Faisable par les services techniques en moins de trois mois."
RETAINED = (
    "Le projet est utile au quartier, faisable et dans les limites du budget. "
    "Il sera soumis au vote des habitants."
)


@dataclass(frozen=True)
class DemoReview:
    """What a demo reviewer entered for one idea (saved by ``save_review``)."""

    hand_in: bool
    #: Mandatory criteria answered "not met"; the others pass.
    failed: tuple[str, ...] = ()
    #: Only the mandatory criteria answered (a draft begun).
    mandatory_only: bool = False
    #: Cost estimate when the idea has none (None: no estimate yet).
    cost: Decimal | None = None
    feasibility_note: str = ""
    land_owner: str = ""
    land_maintainer: str = ""
    justification: str = ""


#: The first reviewer (the demo login) handed one review in, waiting for the staff
#: decision, and began a draft; each other reviewer handed in one that the grid
#: finds ineligible.
PLANS: tuple[tuple[DemoReview, ...], tuple[DemoReview, ...]] = (
    (
        DemoReview(
            hand_in=True,
            cost=Decimal("3000"),
            feasibility_note=FEASIBLE,
            land_owner="Ville de Carcassonne",
            land_maintainer="Services techniques de la ville",
            justification=RETAINED,
        ),
        DemoReview(hand_in=False, mandatory_only=True),
    ),
    (
        DemoReview(
            hand_in=True,
            failed=("land_ownership",),
            cost=Decimal("1500"),
            land_owner="Bailleur social",
            land_maintainer="Non défini",
            justification=(
                "Le lieu proposé appartient au bailleur, qui n'a pas donné son "
                "accord : la ville ne peut pas y installer le projet."
            ),
        ),
    ),
)


def _points(idea_id: int, code: str) -> int:
    """Deterministic, varied marks (2 or 3) so the demo scores differ."""
    return 2 + (idea_id + len(code)) % 2


def _answers(
    version: GridVersion, idea: Idea, failed: Sequence[str] = ()
) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for criterion in version.criteria:
        if criterion.kind is CriterionKind.MANDATORY:
            answers[criterion.code] = (
                Check.FAIL if criterion.code in failed else Check.PASS
            )
        elif criterion.kind is CriterionKind.SCORED:
            answers[criterion.code] = _points(idea.id, criterion.code)
        else:
            answers[criterion.code] = (
                "Le centre social du quartier est prêt à s'associer."
            )
    return answers


def failed_codes_for(reason: str | None, version: GridVersion) -> list[str]:
    """The mandatory criteria a public reason points at (investment by default)."""
    text = (reason or "").lower()
    codes = [code for words, code in REASON_CRITERIA if any(w in text for w in words)]
    known = {c.code for c in version.criteria if c.kind is CriterionKind.MANDATORY}
    found = [code for code in dict.fromkeys(codes) if code in known]
    return found or (["investment"] if "investment" in known else [])


def _reviewers() -> list[User]:
    people = list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.REVIEWER, User.is_active.is_(True))
            .order_by(User.id)
        )
    )
    extra = db.session.scalar(
        sa.select(User).where(User.pseudonym == EXTRA_REVIEWER[0])
    )
    if extra is None:
        extra = User(
            pseudonym=EXTRA_REVIEWER[0],
            real_name=EXTRA_REVIEWER[1],
            email="espaces-verts@example.org",
            locale="fr",
        )
        extra.roles = [UserRole(role=Role.REVIEWER)]
        db.session.add(extra)
        db.session.flush()
    if extra not in people:
        people.append(extra)
    return people


def _round_in(phase: RoundPhase, now: datetime) -> Round | None:
    for round_ in db.session.scalars(sa.select(Round).order_by(Round.id)):
        if round_.phase_at(now) is phase:
            return round_
    return None


def _start(round_: Round, version: GridVersion) -> datetime:
    """Give the round the demo grid if it has none, and start its review."""
    if round_.grid_version_id is None:
        # The budget demo creates its rounds before any review exists; the grid is
        # a setting of the round like any other, chosen here for the demo.
        round_.grid_version_id = version.id
        db.session.flush()
    started_at = round_.submission_closes_at + DAY
    services.start_review(round_, SYSTEM, now=started_at)
    return started_at


def _backfill_review(
    idea: Idea,
    reviewer: User,
    version: GridVersion,
    *,
    failed: Sequence[str],
    cost: Decimal | None,
    justification: str,
    at: datetime,
) -> None:
    """The handed-in review behind a decision the budget demo already took."""
    assessment, result = eligibility.save_assessment(
        version,
        _answers(version, idea, failed),
        subject_type=services.SUBJECT_TYPE,
        subject_id=idea.id,
        assessor=reviewer,
    )
    assessment.created_at = assessment.updated_at = at
    db.session.add(
        IdeaReview(
            idea_id=idea.id,
            reviewer_id=reviewer.id,
            assigned_at=at - 5 * DAY,
            assessment=assessment,
            cost_estimate=cost,
            feasibility_note=FEASIBLE if not failed else "",
            land_owner="Ville de Carcassonne",
            land_maintainer="Services techniques de la ville",
            public_justification=justification,
            submitted_at=at,
            updated_at=at,
        )
    )
    db.session.flush()
    audit.record(
        "review.submit",
        actor=reviewer,
        obj=idea,
        outcome=result.outcome.value,
        score=str(result.score),
        failed=list(result.failed),
        demo=True,
    )


def _decision_time(idea: Idea) -> datetime:
    """When the idea left the review (its last history step), else now."""
    for change in reversed(idea.history):
        if change.from_state is IdeaState.IN_REVIEW:
            return change.changed_at
    return utcnow()


def _review_announced(
    round_: Round, reviewers: list[User], version: GridVersion
) -> None:
    ideas = db.session.scalars(
        sa.select(Idea)
        .where(
            Idea.round_id == round_.id,
            Idea.state.in_(
                (IdeaState.ELIGIBLE, IdeaState.INELIGIBLE, IdeaState.TRANSFERRED)
            ),
        )
        .order_by(Idea.id)
    ).all()
    for number, idea in enumerate(ideas):
        reviewer = reviewers[number % len(reviewers)]
        decided = _decision_time(idea)
        if idea.state is IdeaState.ELIGIBLE:
            failed: list[str] = []
            cost = idea.final_cost
            justification = idea.public_reason or RETAINED
        elif idea.state is IdeaState.TRANSFERRED:
            failed = ["city_competence"]
            cost = None
            justification = idea.public_reason or "Ce n'est pas à la ville de le faire."
        else:
            failed = failed_codes_for(idea.public_reason, version)
            cost = idea.estimated_cost
            justification = idea.public_reason or ""
        _backfill_review(
            idea,
            reviewer,
            version,
            failed=failed,
            cost=cost,
            justification=justification,
            at=decided - DAY,
        )


def _review_in_progress(
    round_: Round,
    reviewers: list[User],
    version: GridVersion,
    started_at: datetime,
) -> None:
    # Retained by the budget demo already: their review comes first.
    for idea in db.session.scalars(
        sa.select(Idea)
        .where(Idea.round_id == round_.id, Idea.state == IdeaState.ELIGIBLE)
        .order_by(Idea.id)
    ):
        _backfill_review(
            idea,
            reviewers[0],
            version,
            failed=[],
            cost=idea.final_cost,
            justification=idea.public_reason or RETAINED,
            at=_decision_time(idea) - DAY,
        )
    themes = {t.code: t for t in db.session.scalars(sa.select(Theme))}
    for reviewer, codes in zip(reviewers, THEMES_BY_REVIEWER, strict=False):
        for code in codes:
            if code in themes:
                services.set_theme_rule(round_, themes[code].id, reviewer.id, SYSTEM)
    services.apply_theme_rules(round_, SYSTEM, now=started_at + DAY)
    waiting = db.session.scalars(
        sa.select(Idea)
        .where(
            Idea.round_id == round_.id,
            Idea.state == IdeaState.IN_REVIEW,
            ~sa.exists().where(IdeaReview.idea_id == Idea.id),
        )
        .order_by(Idea.id)
    ).all()
    # All but one by hand: the overview then shows an idea still without reviewer.
    for idea in waiting[:-1]:
        services.assign(idea, reviewers[0], SYSTEM, now=started_at + 2 * DAY)

    reviews = db.session.scalars(
        sa.select(IdeaReview)
        .join(Idea, Idea.id == IdeaReview.idea_id)
        .where(Idea.round_id == round_.id, Idea.state == IdeaState.IN_REVIEW)
        .order_by(Idea.id)
    ).all()
    # What each reviewer has done, in the order of their ideas (PLANS); their
    # other ideas are still to do.
    plans = {
        reviewer.id: list(PLANS[0] if reviewer is reviewers[0] else PLANS[1])
        for reviewer in reviewers
    }
    moment = started_at + 3 * DAY
    for review in reviews:
        plan = plans.get(review.reviewer_id)
        if plan:
            _fill(review, plan.pop(0), version, moment)


def _fill(
    review: IdeaReview, plan: DemoReview, version: GridVersion, at: datetime
) -> None:
    """Save what *plan* says the reviewer entered, through the review's service."""
    idea = review.idea
    answers = _answers(version, idea, plan.failed)
    if plan.mandatory_only:
        mandatory = {
            c.code for c in version.criteria if c.kind is CriterionKind.MANDATORY
        }
        answers = {code: v for code, v in answers.items() if code in mandatory}
    data = services.ReviewData(
        answers=answers,
        cost_estimate=(idea.estimated_cost or plan.cost) if plan.cost else None,
        feasibility_note=plan.feasibility_note,
        land_owner=plan.land_owner,
        land_maintainer=plan.land_maintainer,
        public_justification=plan.justification,
    )
    services.save_review(review, data, review.reviewer, submit=plan.hand_in, now=at)


def load() -> None:
    """Start the reviews of the demo rounds (called once by participation.demo)."""
    version = demo_grid_version()
    if version is None:
        return
    now = utcnow()
    announced = _round_in(RoundPhase.ANNOUNCEMENT, now)
    in_review = _round_in(RoundPhase.REVIEW, now)
    if announced is None and in_review is None:
        return  # the budget demo did not run
    reviewers = _reviewers()
    if announced is not None:
        _start(announced, version)
        _review_announced(announced, reviewers, version)
    if in_review is not None:
        started_at = _start(in_review, version)
        _review_in_progress(in_review, reviewers, version, started_at)
    db.session.flush()
