"""The budget's part of a person's data: their ideas, co-authorships and the ideas
they entered for others; what deleting their account removes."""

from __future__ import annotations

import sqlalchemy as sa

from ..core.actors import Person
from ..core.privacy import PersonalData, Tables
from ..core.uploads import delete_upload
from ..extensions import db
from .models import Idea, IdeaCoAuthor
from .services import PHOTO_FOLDER
from .states import IdeaState


def _idea_row(idea: Idea) -> dict[str, object]:
    return {
        "id": idea.id,
        "round": idea.round.title,
        "title": idea.title,
        "description": idea.description,
        "state": idea.state.value,
        "created_at": idea.created_at,
        "submitted_at": idea.submitted_at,
        "estimated_cost": idea.estimated_cost,
    }


def export_ideas(person: Person) -> Tables:
    authored = db.session.scalars(
        sa.select(Idea).where(Idea.author_id == person.id).order_by(Idea.id)
    )
    links = db.session.scalars(
        sa.select(IdeaCoAuthor)
        .where(IdeaCoAuthor.user_id == person.id)
        .order_by(IdeaCoAuthor.id)
    )
    entered = db.session.scalars(
        sa.select(Idea)
        .where(Idea.submitted_on_behalf_by_id == person.id)
        .order_by(Idea.id)
    )
    return {
        "ideas": [_idea_row(idea) for idea in authored],
        "co_authorships": [
            {
                "idea_id": link.idea_id,
                "title": link.idea.title,
                "invited_at": link.added_at,
                "accepted_at": link.accepted_at,
            }
            for link in links
        ],
        "ideas_entered_for_others": [
            {"id": idea.id, "title": idea.title, "consent_note": idea.consent_note}
            for idea in entered
        ],
    }


def erase_ideas(person: Person, keep_public: bool) -> None:
    """Removing: drafts and co-authorships go; ideas already public stay (they are
    part of the record of the decisions) under "former account"."""
    if keep_public:
        return
    db.session.execute(sa.delete(IdeaCoAuthor).where(IdeaCoAuthor.user_id == person.id))
    drafts = list(
        db.session.scalars(
            sa.select(Idea).where(
                Idea.author_id == person.id, Idea.state == IdeaState.DRAFT
            )
        )
    )
    for idea in drafts:
        delete_upload(PHOTO_FOLDER, idea.photo_name)
        db.session.delete(idea)
    db.session.flush()


IDEAS = PersonalData("budget", export_ideas, erase_ideas)
