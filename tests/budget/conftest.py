"""Factories of the budget tests: rounds in a chosen phase, ideas in a chosen state."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from participation.accounts.states import Role
from participation.budget.models import Envelope, Idea, IdeaStateChange, Round
from participation.budget.states import COSTED_STATES, IdeaAction, IdeaState
from participation.core.time import utcnow

DAY = timedelta(days=1)

#: Offsets in days from now of (submission opens, closes, review closes,
#: announcement, vote opens, vote closes) putting a round in each phase.
PHASE_OFFSETS: dict[str, tuple[int, int, int, int, int, int]] = {
    "upcoming": (5, 15, 20, 25, 30, 40),
    "submission": (-10, 10, 20, 30, 40, 50),
    "review": (-20, -10, -5, 5, 10, 20),
    "announcement": (-40, -30, -25, -20, 5, 15),
    "vote": (-40, -30, -25, -20, -5, 5),
    "counting": (-60, -50, -45, -40, -15, -5),
}


def round_dates(phase: str, now: datetime | None = None) -> dict[str, datetime]:
    """Dates that put a round in *phase* (results/delivery: after a closed vote)."""
    now = now or utcnow()
    key = "counting" if phase in ("results", "delivery") else phase
    names = (
        "submission_opens_at",
        "submission_closes_at",
        "review_closes_at",
        "announcement_at",
        "vote_opens_at",
        "vote_closes_at",
    )
    return {
        name: now + offset * DAY
        for name, offset in zip(names, PHASE_OFFSETS[key], strict=True)
    }


@pytest.fixture
def staff(make_user):
    return make_user(
        roles=(Role.STAFF,), pseudonym="agent_pv", email="agent@example.test"
    )


@pytest.fixture
def resident(make_user):
    return make_user(pseudonym="amina", email="amina@example.test")


@pytest.fixture
def make_round(db, make_territory, make_theme) -> Callable[..., Round]:
    """A published round in *phase*, one envelope per territory (default: a new one)."""
    numbers = itertools.count(1)

    def _make_round(
        phase: str = "submission",
        *,
        territories: list[Any] | None = None,
        amount: Decimal = Decimal("10000.00"),
        themes: list[Any] | None = None,
        published: bool = True,
        **values: Any,
    ) -> Round:
        n = next(numbers)
        now = utcnow()
        territories = territories if territories is not None else [make_territory()]
        fields: dict[str, Any] = {
            "title": f"Budget participatif {n}",
            "min_cost": Decimal("500.00"),
            "max_cost": Decimal("20000.00"),
            "rules_text": "Règlement : projets d'intérêt général.",
            "published_at": now - 100 * DAY if published else None,
            **round_dates(phase, now),
        }
        if phase in ("results", "delivery"):
            fields["results_published_at"] = now - DAY
        if phase == "delivery":
            fields["delivery_starts_at"] = now - DAY / 2
        fields.update(values)
        round_ = Round(**fields)
        round_.themes = themes if themes is not None else [make_theme(), make_theme()]
        round_.envelopes = [Envelope(territory=t, amount=amount) for t in territories]
        db.session.add(round_)
        # Committed: a view that rolls back after a refused form must not take it away.
        db.session.commit()
        return round_

    return _make_round


@pytest.fixture
def make_idea(db, make_user) -> Callable[..., Idea]:
    """An idea put straight into *state* with consistent columns (no history)."""
    numbers = itertools.count(1)

    def _make_idea(
        round_: Round,
        *,
        state: IdeaState = IdeaState.SUBMITTED,
        author: Any = None,
        territory_id: int | None = None,
        **values: Any,
    ) -> Idea:
        n = next(numbers)
        now = utcnow()
        author = author or make_user()
        fields: dict[str, Any] = {
            "round": round_,
            "author_id": author.id,
            "territory_id": territory_id or round_.envelopes[0].territory_id,
            "title": f"Idée {n}",
            "description": f"Description de l'idée {n}.",
            "place": "Square de la Conte",
            "estimated_cost": Decimal("3000.00"),
            "accepted_rules_at": now,
            "state": state,
        }
        if state is not IdeaState.DRAFT:
            fields["submitted_at"] = now
        if state in COSTED_STATES:
            fields["final_cost"] = Decimal("3000.00")
        if state is IdeaState.HIDDEN:
            fields["hidden_reason"] = "Propos injurieux."
        if state is IdeaState.MERGED and "merged_into" not in values:
            fields["merged_into"] = _make_idea(round_, author=author)
        fields.update(values)
        idea = Idea(**fields)
        db.session.add(idea)
        db.session.commit()
        return idea

    return _make_idea


def jpeg_bytes(
    size: tuple[int, int] = (64, 48), *, exif_gps: bool = False, fmt: str = "JPEG"
) -> bytes:
    """A small real image, optionally with an EXIF GPS position."""
    image = Image.new("RGB", size, (30, 120, 60))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (43.0, 12.0, 30.0)
        gps[3] = "E"
        gps[4] = (2.0, 21.0, 10.0)
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def history_actions(db, idea: Idea) -> list[IdeaAction]:
    """Actions recorded in an idea's public history, in order."""
    return list(
        db.session.scalars(
            sa.select(IdeaStateChange.action)
            .where(IdeaStateChange.idea_id == idea.id)
            .order_by(IdeaStateChange.id)
        )
    )
