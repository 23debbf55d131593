"""The Atom feed of published results, project news and, through
:func:`register_entries`, what other features publish (the council's minutes).
Built with feedgen, which writes well-formed, escaped XML through lxml."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from feedgen.feed import FeedGenerator
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..budget.models import Envelope
from ..extensions import db
from ..followup.models import ProjectUpdate
from ..voting.models import VoteResult
from ..voting.states import ResultState

#: Entries in the feed (the newest).
FEED_SIZE = 50


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    updated: datetime
    summary: str


#: ``provider(link, limit)`` -> entries: EXTENSION POINT of the other features.
EntryProvider = Callable[[Callable[..., str], int], list[Entry]]
_PROVIDERS: list[EntryProvider] = []


def register_entries(provider: EntryProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def entries(link: Callable[..., str], limit: int = FEED_SIZE) -> list[Entry]:
    """The newest results and news, newest first; *link* is ``url_for``-like."""
    out: list[Entry] = []
    results = db.session.scalars(
        sa.select(VoteResult)
        .where(VoteResult.state == ResultState.PUBLISHED)
        .options(selectinload(VoteResult.envelope).selectinload(Envelope.territory))
        .order_by(VoteResult.published_at.desc())
        .limit(limit)
    )
    for result in results:
        envelope = result.envelope
        assert result.published_at is not None
        out.append(
            Entry(
                id=link("voting.result_detail", envelope_id=envelope.id),
                title=_(
                    "Results of %(round)s — %(qpv)s",
                    round=envelope.round.title,
                    qpv=envelope.territory.name,
                ),
                link=link("voting.result_detail", envelope_id=envelope.id),
                updated=result.published_at,
                summary=_(
                    "%(winners)d winning projects; %(voters)d voters.",
                    winners=len(result.winners or []),
                    voters=result.num_sign_ins,
                ),
            )
        )
    updates = db.session.scalars(
        sa.select(ProjectUpdate)
        .where(ProjectUpdate.withdrawn_at.is_(None))
        .options(selectinload(ProjectUpdate.project))
        .order_by(ProjectUpdate.published_at.desc())
        .limit(limit)
    )
    for update in updates:
        page = link(
            "followup.project_detail",
            project_id=update.project_id,
            _anchor=f"update-{update.id}",
        )
        out.append(
            Entry(
                id=page,
                title=f"{update.project.title} — {update.title}",
                link=page,
                updated=update.published_at,
                summary=update.body,
            )
        )
    for provider in _PROVIDERS:
        out.extend(provider(link, limit))
    out.sort(key=lambda e: e.updated, reverse=True)
    return out[:limit]


def atom(
    *,
    title: str,
    self_url: str,
    site_url: str,
    author: str,
    language: str,
    items: list[Entry],
) -> bytes:
    """The Atom document (UTF-8 bytes)."""
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(title)
    feed.author({"name": author})
    feed.link(href=site_url, rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.language(language)
    if items:
        feed.updated(items[0].updated)
    for item in reversed(items):  # feedgen prepends: the newest ends first
        entry = feed.add_entry()
        entry.id(item.id)
        entry.title(item.title)
        entry.link(href=item.link)
        entry.updated(item.updated)
        entry.published(item.updated)
        entry.summary(item.summary)
    data: bytes = feed.atom_str(pretty=True)
    return data
