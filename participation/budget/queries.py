"""Read-only queries of the budget pages, eager-loaded so lists cost O(1) queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask.sansio.app import App
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..core.pagination import Page
from ..core.permissions import is_staff
from ..core.time import utcnow
from ..extensions import db
from ..territories.models import Territory, TerritoryKind, Theme, theme_label
from .models import (
    Envelope,
    Idea,
    IdeaCoAuthor,
    IdeaStateChange,
    Round,
    display_reason,
    idea_theme,
)
from .states import MERGE_TARGET_STATES, IdeaState, RoundPhase

#: Ideas per page of the public list.
IDEAS_PER_PAGE = 20


@dataclass(frozen=True)
class IdeaFilters:
    """Filters of the public idea list (all optional)."""

    round_id: int | None = None
    territory_id: int | None = None
    theme_id: int | None = None
    state: IdeaState | None = None
    #: Words to find in the title or the description.
    text: str = ""
    #: One of IDEA_SORTS.
    sort: str = "newest"

    def as_args(self) -> dict[str, Any]:
        """Query-string arguments that reproduce these filters (for page links)."""
        args: dict[str, Any] = {}
        if self.text:
            args["q"] = self.text
        if self.sort != "newest":
            args["sort"] = self.sort
        if self.round_id:
            args["round"] = self.round_id
        if self.territory_id:
            args["qpv"] = self.territory_id
        if self.theme_id:
            args["theme"] = self.theme_id
        if self.state:
            args["state"] = self.state.value
        return args


def visible_rounds(viewer: Any) -> list[Round]:
    """Rounds a person may see, newest first, with envelopes and their QPV loaded."""
    stmt = (
        sa.select(Round)
        .options(selectinload(Round.envelopes).joinedload(Envelope.territory))
        .order_by(Round.submission_opens_at.desc(), Round.id.desc())
    )
    if not is_staff(viewer):
        stmt = stmt.where(Round.published_at.is_not(None))
    return list(db.session.scalars(stmt).unique())


def load_round(round_id: int) -> Round | None:
    """One round with everything its page shows."""
    return db.session.scalar(
        sa.select(Round)
        .where(Round.id == round_id)
        .options(
            selectinload(Round.envelopes).joinedload(Envelope.territory),
            selectinload(Round.envelopes)
            .joinedload(Envelope.carried_from)
            .joinedload(Envelope.round),
            selectinload(Round.envelopes)
            .joinedload(Envelope.carried_to)
            .joinedload(Envelope.round),
            selectinload(Round.themes),
        )
    )


#: Orders of the public list: newest first, oldest first, cheapest first, most
#: supported in the published votes.
IDEA_SORTS = ("newest", "oldest", "cost", "support")

_SUPPORT_KEY = "participation.published_support"


def register_published_support(
    app: App, source: Callable[[], Mapping[int, int]]
) -> None:
    """Let the vote (which builds on this feature) say each idea's published support.

    *source* returns ``{idea id: approvals or points}`` from the published results.
    """
    app.extensions[_SUPPORT_KEY] = source


def published_support() -> Mapping[int, int]:
    """Each idea's support in the published results (empty without the vote)."""
    source: Callable[[], Mapping[int, int]] = current_app.extensions.get(
        _SUPPORT_KEY, dict
    )
    return source()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _idea_order(sort: str) -> tuple[Any, ...]:
    if sort == "oldest":
        return (Idea.submitted_at.asc(), Idea.id.asc())
    if sort == "cost":
        cost = sa.func.coalesce(Idea.final_cost, Idea.estimated_cost)
        return (cost.is_(None), cost.asc(), Idea.id.desc())
    if sort == "support" and (support := published_support()):
        # Ideas put to a published vote, most supported first; then the others.
        score = sa.case(dict(support), value=Idea.id, else_=None)
        return (score.is_(None), score.desc(), Idea.submitted_at.desc(), Idea.id.desc())
    return (Idea.submitted_at.desc(), Idea.id.desc())


#: At most this many words of a search count.
SEARCH_WORDS = 8


@dataclass(frozen=True)
class _ListShape:
    """Which filters a list has, not their values: the statements of one shape are
    built once (:func:`_list_statements`) and run with the values as parameters."""

    round: bool
    territory: bool
    state: bool
    theme: bool
    words: int
    sort: str

    @classmethod
    def of(cls, filters: IdeaFilters) -> _ListShape:
        return cls(
            round=bool(filters.round_id),
            territory=bool(filters.territory_id),
            state=bool(filters.state),
            theme=bool(filters.theme_id),
            words=len(filters.text.split()[:SEARCH_WORDS]),
            sort=filters.sort,
        )


def _list_parameters(filters: IdeaFilters) -> dict[str, Any]:
    """The values of *filters* for the statements of their :class:`_ListShape`."""
    values: dict[str, Any] = {
        "round_id": filters.round_id,
        "territory_id": filters.territory_id,
        "state": filters.state,
        "theme_id": filters.theme_id,
    }
    for n, word in enumerate(filters.text.split()[:SEARCH_WORDS]):
        values[f"word_{n}"] = _like(word)
    return {name: value for name, value in values.items() if value}


def _public_ideas(shape: _ListShape) -> sa.Select[Any]:
    # Only an open round takes submissions, so a submission date means "public".
    stmt = sa.select(Idea).where(Idea.submitted_at.is_not(None))
    if shape.round:
        stmt = stmt.where(Idea.round_id == sa.bindparam("round_id"))
    if shape.territory:
        stmt = stmt.where(Idea.territory_id == sa.bindparam("territory_id"))
    if shape.state:
        stmt = stmt.where(Idea.state == sa.bindparam("state", type_=Idea.state.type))
    for n in range(shape.words):
        pattern = sa.bindparam(f"word_{n}", type_=sa.String)
        stmt = stmt.where(
            sa.or_(
                Idea.title.ilike(pattern, escape="\\"),
                Idea.description.ilike(pattern, escape="\\"),
            )
        )
    if shape.theme:
        stmt = stmt.where(
            sa.exists().where(
                idea_theme.c.idea_id == Idea.id,
                idea_theme.c.theme_id == sa.bindparam("theme_id"),
            )
        )
    return stmt


def _list_statements(shape: _ListShape) -> tuple[Any, Any]:
    """(count, page) statements of the public list for *shape*.

    Built once per shape (there are a few dozen), except the order by published
    support, which carries the scores in the statement.
    """
    if shape.sort == "support":
        return _build_list_statements(shape)
    return _cached_list_statements(shape)


def _build_list_statements(shape: _ListShape) -> tuple[Any, Any]:
    stmt = _public_ideas(shape)
    counted = stmt.with_only_columns(sa.func.count(Idea.id)).order_by(None)
    page = (
        stmt.with_only_columns(
            Idea.id,
            Idea.title,
            Idea.state,
            Idea.hidden_reason,
            Idea.submitted_at,
            Territory.name,
            Round.title,
            Idea.photo_name,
            Idea.photo_alt,
            sa.func.coalesce(Idea.final_cost, Idea.estimated_cost),
            maintain_column_froms=True,
        )
        .outerjoin(Territory, Territory.id == Idea.territory_id)
        .join(Round, Round.id == Idea.round_id)
        .order_by(*_idea_order(shape.sort))
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )
    return counted, page


_cached_list_statements = lru_cache(maxsize=256)(_build_list_statements)


@cache
def _card_themes_statement() -> Any:
    return (
        sa.select(idea_theme.c.idea_id, idea_theme.c.theme_id)
        .join(Theme, Theme.id == idea_theme.c.theme_id)
        .where(idea_theme.c.idea_id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(Theme.position, Theme.id)
    )


@dataclass(frozen=True)
class IdeaCardRow:
    """What a card of the public list shows, read as plain columns (no ORM object)."""

    id: int
    title: str
    state: IdeaState
    hidden_reason: str | None
    submitted_at: Any
    territory_name: str | None
    round_title: str
    photo_name: str | None
    photo_alt: str | None
    #: The final cost when known, else the estimate (None when neither is).
    cost: Decimal | None
    #: Ids of the idea's themes, in the themes' order.
    theme_ids: tuple[int, ...]


def public_idea_cards(
    filters: IdeaFilters, page: int, per_page: int = IDEAS_PER_PAGE
) -> Page[IdeaCardRow]:
    """One page of the public list as rows: a count, a page query, one for themes.

    Only the columns a card shows; the themes come as ids (their labels are the
    filter's, resolved once per request by the view).
    """
    counted, listed = _list_statements(_ListShape.of(filters))
    params = _list_parameters(filters)
    total = db.session.scalar(counted, params) or 0
    last_page = max(1, -(-total // per_page))
    page = min(max(page, 1), last_page)
    params.update(limit=per_page, offset=(page - 1) * per_page)
    rows = db.session.execute(listed, params).all()
    themes: dict[int, list[int]] = {}
    if rows:
        for idea_id, theme_id in db.session.execute(
            _card_themes_statement(), {"ids": [row[0] for row in rows]}
        ):
            themes.setdefault(idea_id, []).append(theme_id)
    items = [
        IdeaCardRow(
            id=row[0],
            title=row[1],
            state=row[2],
            hidden_reason=row[3],
            submitted_at=row[4],
            territory_name=row[5],
            round_title=row[6],
            photo_name=row[7],
            photo_alt=row[8],
            cost=row[9],
            theme_ids=tuple(themes.get(row[0], ())),
        )
        for row in rows
    ]
    return Page(items=items, page=page, per_page=per_page, total=total)


def theme_labels(ids: Iterable[int]) -> dict[int, str]:
    """The label of each theme of *ids* in the reader's language (one query)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        theme.id: theme.label
        for theme in db.session.scalars(sa.select(Theme).where(Theme.id.in_(wanted)))
    }


@cache
def _filter_statements() -> tuple[Any, Any, Any]:
    """The statements of :func:`filter_options`, built once."""
    return (
        sa.select(Round.id, Round.title)
        .where(Round.published_at.is_not(None))
        .order_by(Round.submission_opens_at.desc()),
        sa.select(Territory.id, Territory.name)
        .where(Territory.kind == TerritoryKind.QPV, Territory.is_active.is_(True))
        .order_by(Territory.name),
        sa.select(Theme.id, Theme.code, Theme.name, Theme.has_custom_name)
        .where(Theme.is_active.is_(True))
        .order_by(Theme.position),
    )


def filter_options() -> tuple[
    list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]]
]:
    """(id, label) of the rounds, QPV and themes the list's filters offer."""
    rounds, territories, themes = _filter_statements()
    return (
        [(row[0], row[1]) for row in db.session.execute(rounds)],
        [(row[0], row[1]) for row in db.session.execute(territories)],
        [(row[0], theme_label(*row[1:])) for row in db.session.execute(themes)],
    )


def load_idea(idea_id: int) -> Idea | None:
    """One idea with its lists loaded (history, themes, co-authors, merges)."""
    idea: Idea | None = db.session.scalar(
        _idea_with_parents(idea_id).options(
            selectinload(Idea.themes),
            selectinload(Idea.history),
            selectinload(Idea.co_authors).joinedload(IdeaCoAuthor.user),
            selectinload(Idea.merged_ideas),
        )
    )
    return idea


def _idea_with_parents(idea_id: Any) -> sa.Select[Any]:
    return (
        sa.select(Idea)
        .where(Idea.id == idea_id)
        .options(
            joinedload(Idea.round),
            joinedload(Idea.territory),
            # The author's name only: their roles load if something asks.
            joinedload(Idea.author).lazyload(User.roles),
            joinedload(Idea.merged_into),
        )
    )


class IdeaLink(NamedTuple):
    id: int
    title: str


@dataclass(frozen=True, slots=True)
class IdeaPage:
    """What an idea's page shows: the idea with its round, QPV, author and the idea
    it was merged into, and its lists as plain rows.

    Read as ORM collections the four lists cost about 1.5 ms (a third of the page,
    issue 14); as rows, a fifth of that. The idea's own collections stay unloaded.
    """

    idea: Idea
    themes: list[str]
    #: Pseudonyms of the co-authors who accepted to be named.
    co_authors: list[str]
    merged_ideas: list[IdeaLink]
    #: Rows with ``changed_at``, ``to_state`` and ``comment``, oldest first.
    history: Sequence[Any]

    @property
    def display_reason(self) -> str | None:
        return display_reason(self.idea, self.history)


@cache
def _idea_page_statements() -> tuple[Any, ...]:
    """The statements of :func:`load_idea_page`, built once (a fifth of their cost
    was building them again on every page)."""
    idea_id = sa.bindparam("idea_id", type_=sa.Integer)
    return (
        _idea_with_parents(idea_id),
        sa.select(Theme.code, Theme.name, Theme.has_custom_name)
        .join(idea_theme, idea_theme.c.theme_id == Theme.id)
        .where(idea_theme.c.idea_id == idea_id)
        .order_by(Theme.position),
        sa.select(User.pseudonym)
        .join(IdeaCoAuthor, IdeaCoAuthor.user_id == User.id)
        .where(IdeaCoAuthor.idea_id == idea_id, IdeaCoAuthor.accepted_at.is_not(None))
        .order_by(IdeaCoAuthor.id),
        sa.select(Idea.id, Idea.title)
        .where(Idea.merged_into_id == idea_id)
        .order_by(Idea.id),
        sa.select(
            IdeaStateChange.changed_at,
            IdeaStateChange.to_state,
            IdeaStateChange.comment,
        )
        .where(IdeaStateChange.idea_id == idea_id)
        .order_by(IdeaStateChange.id),
    )


def load_idea_page(idea_id: int) -> IdeaPage | None:
    """An idea's page (:class:`IdeaPage`), or None if there is no such idea."""
    the_idea, themes, co_authors, merged, history = _idea_page_statements()
    params = {"idea_id": idea_id}
    idea = db.session.scalar(the_idea, params)
    if idea is None:
        return None
    return IdeaPage(
        idea=idea,
        themes=[theme_label(*row) for row in db.session.execute(themes, params)],
        co_authors=list(db.session.scalars(co_authors, params)),
        merged_ideas=[IdeaLink(*row) for row in db.session.execute(merged, params)],
        history=db.session.execute(history, params).all(),
    )


def ideas_of(user: User) -> list[Idea]:
    """Ideas a person authored or co-authors, drafts included, newest first."""
    co_authored = sa.select(IdeaCoAuthor.idea_id).where(
        IdeaCoAuthor.user_id == user.id, IdeaCoAuthor.accepted_at.is_not(None)
    )
    return list(
        db.session.scalars(
            sa.select(Idea)
            .where(sa.or_(Idea.author_id == user.id, Idea.id.in_(co_authored)))
            .options(joinedload(Idea.round), joinedload(Idea.territory))
            .order_by(Idea.created_at.desc(), Idea.id.desc())
        )
    )


def ideas_entered_by(relay: User) -> list[Idea]:
    """Ideas a relay entered for other people, with their authors and states."""
    return list(
        db.session.scalars(
            sa.select(Idea)
            .where(Idea.submitted_on_behalf_by_id == relay.id)
            .options(
                joinedload(Idea.round),
                joinedload(Idea.territory),
                joinedload(Idea.author),
            )
            .order_by(Idea.created_at.desc(), Idea.id.desc())
        )
    )


@dataclass(frozen=True)
class Announcement:
    """What the announcement page of one round and QPV shows."""

    round: Round
    envelope: Envelope
    retained: Sequence[Idea]
    not_retained: Sequence[Idea]

    @property
    def retained_total(self) -> Any:
        return sum((idea.final_cost or 0 for idea in self.retained), start=0)


#: Retained for the vote, then won or lost it: all were put to the vote.
PUT_TO_VOTE = (IdeaState.ELIGIBLE, IdeaState.SELECTED, IdeaState.NOT_SELECTED)


def announcement(round_: Round, envelope: Envelope) -> Announcement:
    """Retained ideas with their cost; ineligible or transferred ones with reasons."""
    ideas = db.session.scalars(
        sa.select(Idea)
        .where(
            Idea.round_id == round_.id,
            Idea.territory_id == envelope.territory_id,
            Idea.state.in_([*PUT_TO_VOTE, IdeaState.INELIGIBLE, IdeaState.TRANSFERRED]),
        )
        .options(selectinload(Idea.history), selectinload(Idea.themes))
        .order_by(Idea.title, Idea.id)
    ).all()
    retained = [i for i in ideas if i.state in PUT_TO_VOTE]
    others = [i for i in ideas if i.state not in PUT_TO_VOTE]
    return Announcement(
        round=round_, envelope=envelope, retained=retained, not_retained=others
    )


def failed_criteria(idea_ids: list[int]) -> dict[int, list[Any]]:
    """Failed grid criteria of ineligible ideas, from the review feature (batched).

    Empty when the review feature is not installed: the pages then show the
    public reason alone.
    """
    try:
        from ..review.queries import failed_criteria_by_idea
    except ImportError:  # review is optional for the budget pages
        return {}
    return dict(failed_criteria_by_idea(idea_ids))


def merge_candidates(idea: Idea) -> list[Idea]:
    """Ideas *idea* could be merged into: same round and QPV, still open."""
    return list(
        db.session.scalars(
            sa.select(Idea)
            .where(
                Idea.round_id == idea.round_id,
                Idea.territory_id == idea.territory_id,
                Idea.id != idea.id,
                Idea.state.in_(MERGE_TARGET_STATES),
            )
            .order_by(Idea.title, Idea.id)
        )
    )


def grid_version_choices() -> list[tuple[int, str]]:
    """Eligibility grid versions a round can use, as (id, label)."""
    from ..eligibility.models import Grid, GridVersion

    rows = db.session.execute(
        sa.select(GridVersion.id, Grid.name, GridVersion.number)
        .join(Grid, GridVersion.grid_id == Grid.id)
        .order_by(Grid.name, GridVersion.number.desc())
    ).all()
    return [(row.id, f"{row.name} — v{row.number}") for row in rows]


# --- The action of the moment ---------------------------------------------------

#: What a resident can do in a round, by phase, most pressing first.
MOMENT_KINDS = ("vote", "propose", "announced", "results", "follow", "upcoming")
_MOMENT_OF_PHASE = {
    RoundPhase.VOTE: "vote",
    RoundPhase.SUBMISSION: "propose",
    RoundPhase.REVIEW: "announced",
    RoundPhase.ANNOUNCEMENT: "announced",
    RoundPhase.COUNTING: "results",
    RoundPhase.RESULTS: "results",
    RoundPhase.DELIVERY: "follow",
    RoundPhase.UPCOMING: "upcoming",
}


@dataclass(frozen=True)
class Moment:
    """One thing a neighbourhood's residents can do now in one round.

    *kind* is one of MOMENT_KINDS; *until* the end of that possibility (the end of
    the submission or of the vote) or, for a phase still to come, when it starts.
    """

    kind: str
    round: Round
    phase: RoundPhase
    until: datetime | None
    starts: datetime | None


def _moment(round_: Round, now: datetime) -> Moment | None:
    phase = round_.phase_at(now)
    kind = _MOMENT_OF_PHASE.get(phase)
    if kind is None:
        return None
    until = {
        "vote": round_.vote_closes_at,
        "propose": round_.submission_closes_at,
    }.get(kind)
    starts = {
        "upcoming": round_.submission_opens_at,
        "announced": round_.vote_opens_at,
    }.get(kind)
    return Moment(kind, round_, phase, until, starts)


def moments_by_territory(
    territory_ids: Sequence[int] | None = None, now: datetime | None = None
) -> list[tuple[Territory, list[Moment]]]:
    """For each QPV (all, or *territory_ids*), by name: what its residents can do now.

    One moment per published round that has an envelope for the QPV, the most
    pressing first (a vote before an idea to propose, before results to read);
    a round whose projects are delivered shows only for the newest such round.
    """
    now = now or utcnow()
    stmt = (
        sa.select(Envelope)
        .join(Envelope.round)
        .where(Round.published_at.is_not(None))
        .options(joinedload(Envelope.round), joinedload(Envelope.territory))
        .order_by(Round.submission_opens_at.desc(), Round.id.desc())
    )
    if territory_ids is not None:
        stmt = stmt.where(Envelope.territory_id.in_(list(territory_ids)))
    moments: dict[Territory, list[Moment]] = {}
    for envelope in db.session.scalars(stmt).unique():
        moment = _moment(envelope.round, now)
        if moment is None:
            continue
        found = moments.setdefault(envelope.territory, [])
        if moment.kind in ("follow", "results") and any(
            m.kind == moment.kind for m in found
        ):
            continue  # the newest one is enough
        found.append(moment)
    for found in moments.values():
        found.sort(key=lambda m: MOMENT_KINDS.index(m.kind))
    return sorted(moments.items(), key=lambda item: item[0].name)


def rounds_before_vote(now: datetime | None = None) -> list[Round]:
    """Published rounds whose vote is still to come, the soonest vote first."""
    now = now or utcnow()
    stmt = (
        sa.select(Round)
        .where(Round.published_at.is_not(None), Round.vote_opens_at > now)
        .options(selectinload(Round.envelopes).joinedload(Envelope.territory))
        .order_by(Round.vote_opens_at, Round.id)
    )
    return list(db.session.scalars(stmt).unique())
