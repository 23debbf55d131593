"""Ideas: what a person types, creating and editing them, the relay's search.

The state of an idea changes only through ``workflow.transition``; creating an
idea makes a draft, submitting it is the workflow's SUBMIT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ...accounts import queries as account_queries
from ...accounts.models import User
from ...accounts.permissions import can_act_for
from ...core import audit
from ...core.errors import Conflict, FieldErrors, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.i18n import money
from ...core.time import utcnow
from ...extensions import db
from ..models import Idea, IdeaCoAuthor, Round
from ..states import IdeaAction, IdeaState
from .permissions import (
    can_edit_idea,
    can_submit_ideas,
    can_submit_on_behalf,
    is_owner,
)
from .rounds import themes_by_id
from .workflow import transition

#: Upload folder of idea photos (core.uploads).
PHOTO_FOLDER = "ideas"


@dataclass
class IdeaData:
    """What a person typed for an idea (the view unpacks its form into this)."""

    title: str
    description: str = ""
    territory_id: int | None = None
    place: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    theme_ids: list[int] = field(default_factory=list)
    estimated_cost: Decimal | None = None
    association_name: str | None = None
    co_author_ids: list[int] = field(default_factory=list)
    accepted_rules: bool = False
    #: A newly stored photo (core.uploads name) and its text alternative.
    photo_name: str | None = None
    photo_alt: str | None = None
    remove_photo: bool = False


def check_idea_data(round_: Round, data: IdeaData, *, complete: bool) -> None:
    """Raise FieldErrors with every problem (*complete*: a submission, not a draft)."""
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _l("Give your idea a title.")
    if complete and not data.description.strip():
        errors["description"] = _l("Describe your idea.")
    covered = {e.territory_id for e in round_.envelopes}
    if data.territory_id is None:
        if complete:
            errors["territory_id"] = _l("Choose the neighbourhood of your idea.")
    elif data.territory_id not in covered:
        errors["territory_id"] = _l("This round does not cover this neighbourhood.")
    allowed = {t.id for t in round_.themes}
    if set(data.theme_ids) - allowed:
        errors["theme_ids"] = _l("Choose themes from the list of this round.")
    if data.estimated_cost is not None:
        if data.estimated_cost < 0:
            errors["estimated_cost"] = _l("The cost cannot be negative.")
        elif data.estimated_cost > round_.max_cost:
            errors["estimated_cost"] = _l(
                "Projects of this round cost at most %(max)s.",
                max=money(round_.max_cost),
            )
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = _l("Give both latitude and longitude, or neither.")
    if complete and not data.accepted_rules:
        errors["accepted_rules"] = _l(
            "You must accept the rules of the round to submit."
        )
    if errors:
        raise FieldErrors(errors)


def _apply_idea_data(idea: Idea, data: IdeaData, now: datetime) -> str | None:
    """Copy *data* onto *idea*; return the name of a replaced photo to delete."""
    idea.title = data.title.strip()
    idea.description = data.description.strip()
    idea.territory_id = data.territory_id
    idea.place = data.place.strip()
    idea.latitude = data.latitude
    idea.longitude = data.longitude
    idea.estimated_cost = data.estimated_cost
    idea.association_name = (data.association_name or "").strip() or None
    idea.themes = themes_by_id(data.theme_ids)
    if data.accepted_rules and idea.accepted_rules_at is None:
        idea.accepted_rules_at = now
    wanted = [uid for uid in dict.fromkeys(data.co_author_ids) if uid != idea.author_id]
    current = {c.user_id: c for c in idea.co_authors}
    for uid, link in current.items():
        if uid not in wanted and link.merged_from_idea_id is None:
            idea.co_authors.remove(link)
    for uid in wanted:
        if uid not in current:
            idea.co_authors.append(IdeaCoAuthor(user_id=uid))
    old_photo = None
    if data.photo_name is not None or data.remove_photo:
        old_photo = idea.photo_name
        idea.photo_name = data.photo_name
    if idea.photo_name:
        idea.photo_alt = (data.photo_alt or "").strip() or idea.title
    else:
        idea.photo_alt = None
    return old_photo


def find_by_token(token: str | None) -> Idea | None:
    """The idea an earlier POST of the same form created, if any."""
    if not token:
        return None
    return db.session.scalar(sa.select(Idea).where(Idea.submission_token == token))


def _check_on_behalf(actor: User, author: User, consent_note: str | None) -> str:
    """A relay enters the idea of a person they created or help, with the person's
    consent; returns the note kept."""
    if not can_submit_on_behalf(actor) or not can_act_for(actor, author):
        raise PermissionDenied(_l("Only relays can enter an idea for someone else."))
    note = (consent_note or "").strip()
    if not note:
        raise FieldErrors({"consent": _l("Record the person's consent.")})
    return note[:200]


def create_idea(
    round_: Round,
    data: IdeaData,
    *,
    author: User,
    actor: User,
    submit: bool,
    token: str | None = None,
    consent_note: str | None = None,
    now: datetime | None = None,
) -> Idea:
    """Create an idea as a draft, and submit it when *submit*.

    When *actor* is not *author*, the actor must be a relay entering it on the
    author's behalf with their consent (*consent_note* says how it was given).
    A repeated *token* returns the idea created the first time.
    """
    now = now or utcnow()
    existing = find_by_token(token)
    if existing is not None:
        if is_owner(actor, existing):
            return existing
        raise Conflict(_l("This form was already used. Please reload it."))
    if not can_submit_ideas(actor, round_, now):
        raise FieldErrors(
            {"round": _l("The submission of ideas is closed for this round.")}
        )
    on_behalf = actor.id != author.id
    note = _check_on_behalf(actor, author, consent_note) if on_behalf else None
    check_idea_data(round_, data, complete=submit)
    idea = Idea(
        round=round_,
        author_id=author.id,
        title=data.title,
        submission_token=token,
        state_changed_at=now,
        created_at=now,
    )
    if on_behalf:
        idea.submitted_on_behalf_by_id = actor.id
        idea.consent_recorded_at = now
        idea.consent_note = note
    _apply_idea_data(idea, data, now)
    db.session.add(idea)
    db.session.flush()
    audit.record(
        "idea.create",
        actor=actor,
        obj=idea,
        round_id=round_.id,
        on_behalf_of=author.id if on_behalf else None,
    )
    if submit:
        transition(idea, IdeaAction.SUBMIT, actor, now=now)
    return idea


def update_idea(
    idea: Idea,
    data: IdeaData,
    actor: User,
    *,
    submit: bool,
    now: datetime | None = None,
) -> tuple[Idea, str | None]:
    """Save the owner's changes (until the deadline); submit a draft when *submit*.

    :returns: the idea and the name of a replaced photo, to delete after commit.
    """
    now = now or utcnow()
    if not can_edit_idea(actor, idea, now):
        if is_owner(actor, idea):
            raise FieldErrors(
                {"round": _l("The submission of ideas is closed for this round.")}
            )
        raise PermissionDenied(_l("Only the author of the idea can change it."))
    complete = submit or idea.state is not IdeaState.DRAFT
    check_idea_data(idea.round, data, complete=complete)
    old_photo = _apply_idea_data(idea, data, now)
    db.session.flush()
    audit.record("idea.update", actor=actor, obj=idea)
    if submit and idea.state is IdeaState.DRAFT:
        transition(idea, IdeaAction.SUBMIT, actor, now=now)
    return idea, old_photo


def search_people(query: str, relay: User, limit: int = 20) -> list[User]:
    """People a relay can enter an idea for: those they created or help (accounts'
    scoped search: anyone else only by an exact e-mail, phone or account code)."""
    found = account_queries.search_people(query, viewer=relay, per_page=limit)
    return [person for person in found.items if can_act_for(relay, person)]


def seconds_left(round_: Round, now: datetime | None = None) -> float:
    """Seconds before the submission deadline (negative once passed)."""
    delta: timedelta = round_.submission_closes_at - (now or utcnow())
    return delta.total_seconds()
