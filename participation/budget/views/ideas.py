"""Idea pages: the list, an idea and its photo, submitting, editing, withdrawing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from ...accounts.models import User
from ...accounts.permissions import can_act_for
from ...core.cache import public_page
from ...core.database import write_lock
from ...core.errors import DomainError
from ...core.forms import show_errors
from ...core.i18n import format_date, money, source_text
from ...core.i18n import gettext as _
from ...core.pagination import page_number
from ...core.time import utcnow
from ...core.uploads import UploadError, delete_upload, send_upload, store_image
from ...core.web import submit
from ...extensions import db
from .. import queries, services
from ..forms import ConfirmForm, IdeaForm, PersonSearchForm
from ..models import Idea, Round
from ..services import PHOTO_FOLDER
from ..states import IdeaAction, IdeaState
from .common import arg_int, bp, idea_or_404, idea_page, round_or_404, unless_possible

# ---------------------------------------------------------------------------
# The list, an idea's page, its photo
# ---------------------------------------------------------------------------


@bp.get("/ideas")
@public_page
def idea_list() -> ResponseReturnValue:
    """The public list: plain rows and plain selects, each text translated once.

    (Profiled with pyinstrument, issue 14: the WTForms filter form, one ``url_for``,
    ``format_date`` and several ``gettext`` per card were most of the page's cost.)
    """
    state_arg = request.args.get("state", "")
    state = IdeaState(state_arg) if state_arg in set(IdeaState) else None
    filters = queries.IdeaFilters(
        round_id=arg_int("round"),
        territory_id=arg_int("qpv"),
        theme_id=arg_int("theme"),
        state=state if state is not IdeaState.DRAFT else None,
        text=request.args.get("q", "").strip()[:200],
        sort=sort
        if (sort := request.args.get("sort", "")) in queries.IDEA_SORTS
        else "newest",
    )
    page = queries.public_idea_cards(filters, page_number(request.args.get("page")))
    rounds, territories, themes = queries.filter_options()
    labels = dict(themes)
    missing = {i for card in page.items for i in card.theme_ids if i not in labels}
    labels.update(queries.theme_labels(missing))
    states: dict[IdeaState, str] = {
        s: s.label for s in IdeaState if s is not IdeaState.DRAFT
    }
    selects = [
        _select("round", _("Round"), _("All rounds"), rounds, filters.round_id),
        _select(
            "qpv",
            _("Neighbourhood"),
            _("All neighbourhoods"),
            territories,
            filters.territory_id,
        ),
        _select("theme", _("Theme"), _("All themes"), themes, filters.theme_id),
        _select(
            "state",
            _("Status"),
            _("All statuses"),
            [(s.value, label) for s, label in states.items()],
            filters.state.value if filters.state else None,
        ),
    ]
    sorts = {
        "newest": _("Newest first"),
        "oldest": _("Oldest first"),
        "cost": _("Lowest cost first"),
        "support": _("Most supported in the vote first"),
    }
    selects.append(
        {
            "name": "sort",
            "label": _("Order"),
            "options": [
                (value, text, value == filters.sort) for value, text in sorts.items()
            ],
        }
    )
    return render_template(
        "budget/idea_list.html",
        page=page,
        cards=_cards(page.items, states, labels),
        search={"label": _("Words to find"), "value": filters.text},
        selects=selects,
        filters=filters,
        source=source_text(),
    )


def _select(
    name: str,
    label: str,
    everything: str,
    options: list[tuple[Any, str]],
    selected: Any,
) -> dict[str, Any]:
    """A filter's plain ``<select>``: name, label and (value, text, selected)."""
    return {
        "name": name,
        "label": label,
        "options": [("", everything, selected is None)]
        + [(value, text, value == selected) for value, text in options],
    }


@dataclass(slots=True)
class _Card:
    """What one card prints. Attributes, not a dict: Jinja reads ``c.url`` with
    ``getattr`` first, and a dict made it raise and catch for every field."""

    id: int
    url: str
    hidden: bool
    state: str
    state_label: str
    heading: str = ""
    reason: str = ""
    meta: str = ""
    themes: str = ""
    photo: str = ""
    photo_alt: str = ""
    cost: str = ""
    submitted: str = ""


def _cards(
    rows: Sequence[queries.IdeaCardRow],
    states: dict[IdeaState, str],
    themes: dict[int, str],
) -> list[_Card]:
    """What each card prints, computed in Python once per row (no call per field
    in the template): link, heading, status, meta lines."""
    link = url_for(".idea_detail", idea_id=0)
    path, _sep, query = link.partition("?")
    prefix, suffix = path[: -len("0")], f"?{query}" if query else ""
    photo = url_for(".idea_photo", idea_id=0)
    photo_path, _sep, photo_query = photo.partition("?")
    photo_prefix, photo_tail = photo_path.split("/0/", 1)
    photo_suffix = f"/{photo_tail}" + (f"?{photo_query}" if photo_query else "")
    dates: dict[Any, str] = {}
    locale = str(get_locale())
    cards = []
    for row in rows:
        card = _Card(
            id=row.id,
            url=f"{prefix}{row.id}{suffix}",
            hidden=row.state is IdeaState.HIDDEN,
            state=row.state.value,
            state_label=states.get(row.state) or row.state.label,
        )
        if card.hidden:
            card.heading = _("Idea no. %(id)d", id=row.id)
            card.reason = row.hidden_reason or ""
        else:
            card.heading = row.title
            card.meta = f"{row.territory_name or ''} · {row.round_title}"
            card.themes = ", ".join(themes.get(i, "") for i in row.theme_ids)
            if row.photo_name:
                card.photo = f"{photo_prefix}/{row.id}{photo_suffix}"
                card.photo_alt = row.photo_alt or ""
            if row.cost is not None:
                card.cost = money(row.cost, locale)
            if row.submitted_at is not None:
                day = row.submitted_at.date()
                if day not in dates:
                    dates[day] = _(
                        "Submitted on %(date)s", date=format_date(row.submitted_at)
                    )
                card.submitted = dates[day]
        cards.append(card)
    return cards


@bp.get("/ideas/<int:idea_id>")
@public_page
def idea_detail(idea_id: int) -> ResponseReturnValue:
    page = queries.load_idea_page(idea_id)
    if page is None or not services.can_view_idea(current_user, page.idea):
        abort(404)
    idea = page.idea
    now = utcnow()
    return render_template(
        "budget/idea_detail.html",
        page=page,
        idea=idea,
        show_content=services.can_view_idea_content(current_user, idea),
        can_edit=services.can_edit_idea(current_user, idea, now),
        can_withdraw=services.can_perform(idea, IdeaAction.WITHDRAW, current_user, now),
        can_hide=services.can_perform(idea, IdeaAction.HIDE, current_user, now),
        can_unhide=services.can_perform(idea, IdeaAction.UNHIDE, current_user, now),
        can_merge=services.can_perform(idea, IdeaAction.MERGE, current_user, now),
        is_staff=services.can_moderate(current_user),
    )


@bp.get("/ideas/<int:idea_id>/photo")
def idea_photo(idea_id: int) -> ResponseReturnValue:
    idea = db.get_or_404(Idea, idea_id)
    if not idea.photo_name or not services.can_view_idea_content(current_user, idea):
        abort(404)
    return send_upload(PHOTO_FOLDER, idea.photo_name, public=idea.shows_content)


# ---------------------------------------------------------------------------
# The idea form, shared by submitting and editing
# ---------------------------------------------------------------------------


def _setup_idea_form(form: IdeaForm, round_: Round) -> IdeaForm:
    form.territory_id.choices = [
        ("", _("Choose a neighbourhood")),
        *((e.territory_id, e.territory.name) for e in round_.envelopes),
    ]
    form.theme_ids.choices = [(t.id, t.label) for t in round_.themes]
    return form


def _co_author_ids(form: IdeaForm) -> list[int]:
    """Resolve the typed pseudonyms; unknown ones become an error by the field."""
    names = [n.strip() for n in (form.co_authors.data or "").split(",") if n.strip()]
    if not names:
        return []
    users = db.session.scalars(
        sa.select(User).where(
            sa.func.lower(User.pseudonym).in_([n.lower() for n in names])
        )
    ).all()
    found = {u.pseudonym.lower(): u.id for u in users}
    missing = [n for n in names if n.lower() not in found]
    if missing:
        form.co_authors.errors = [
            *form.co_authors.errors,
            _("Unknown pseudonyms: %(names)s.", names=", ".join(missing)),
        ]
    return [found[n.lower()] for n in names if n.lower() in found]


def _store_photo(form: IdeaForm) -> str | None:
    """Store an uploaded photo once the rest of the form is valid."""
    upload = form.photo.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    try:
        return store_image(upload.stream, PHOTO_FOLDER).name
    except UploadError as error:
        form.photo.errors = [*form.photo.errors, str(error)]
        return None


def _idea_data(
    form: IdeaForm, photo_name: str | None, co_author_ids: list[int]
) -> services.IdeaData:
    return services.IdeaData(
        title=form.title.data or "",
        description=form.description.data or "",
        territory_id=form.territory_id.data,
        place=form.place.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        theme_ids=list(form.theme_ids.data or []),
        estimated_cost=form.estimated_cost.data,
        association_name=form.association_name.data,
        co_author_ids=co_author_ids,
        accepted_rules=bool(form.accepted_rules.data),
        photo_name=photo_name,
        photo_alt=form.photo_alt.data,
        remove_photo=bool(form.remove_photo.data),
    )


def _has_errors(form: IdeaForm) -> bool:
    return any(field.errors for field in form) or bool(form.form_errors)


def _refused(form: IdeaForm, error: DomainError, photo_name: str | None) -> None:
    """Undo a refused save: roll back, delete the new photo, show why."""
    db.session.rollback()
    delete_upload(PHOTO_FOLDER, photo_name)
    show_errors(form, error)


def _saved(idea: Idea, submitted: bool, draft_message: str) -> Response:
    """After a save: a submitted idea shows its page, a draft its form again."""
    if submitted:
        flash(_("Your idea is submitted. Thank you!"), "success")
        return redirect(idea_page(idea))
    flash(draft_message, "success")
    return redirect(url_for(".idea_edit", idea_id=idea.id))


def _render_idea_form(form: IdeaForm, round_: Round, **context: Any) -> str:
    if form.photo.data and not form.photo.errors:
        form.photo.errors = [_("Please choose the photo again.")]
    return render_template("budget/idea_form.html", form=form, round=round_, **context)


# ---------------------------------------------------------------------------
# Submitting an idea (also for someone else, by a relay)
# ---------------------------------------------------------------------------


def _beneficiary(round_: Round) -> User | None:
    """The person a relay enters the idea for (``?for=<id>``), or None."""
    for_id = arg_int("for")
    if for_id is None or for_id == current_user.id:
        return None
    if not services.can_submit_on_behalf(current_user):
        abort(403)
    person = db.session.get(User, for_id)
    if person is None or not person.is_active:
        abort(404)
    if not can_act_for(current_user, person):
        abort(403)  # a relay files only for the people they created or help
    return person


def _earlier_idea(form: IdeaForm) -> Idea | None:
    """The idea an identical earlier POST of this form created for this person."""
    existing = services.find_by_token(form.token.data)
    if existing is not None and services.is_owner(current_user, existing):
        return existing
    return None


def _create_idea(
    form: IdeaForm, round_: Round, beneficiary: User | None
) -> Response | None:
    """Check the form, store the photo, create the idea; None when refused."""
    submit_now = bool(form.submit.data)
    form.validate()
    co_author_ids = _co_author_ids(form)
    if beneficiary is not None and not form.consent.data:
        form.consent.errors = [*form.consent.errors, _("Record the person's consent.")]
    photo_name = None if _has_errors(form) else _store_photo(form)
    if _has_errors(form):
        return None
    note = (form.consent_note.data or "").strip() or _("Consent given in person.")
    try:
        idea = services.create_idea(
            round_,
            _idea_data(form, photo_name, co_author_ids),
            author=beneficiary or current_user,
            actor=current_user,
            submit=submit_now,
            token=form.token.data or None,
            consent_note=note if beneficiary is not None else None,
        )
        db.session.commit()
    except DomainError as error:
        _refused(form, error, photo_name)
        return None
    except IntegrityError:
        # Two identical POSTs at once on PostgreSQL: the unique token stops the
        # second one, and the first one's idea is the answer.
        db.session.rollback()
        delete_upload(PHOTO_FOLDER, photo_name)
        existing = _earlier_idea(form)
        if existing is None:
            raise
        return redirect(idea_page(existing))
    return _saved(idea, idea.state is IdeaState.SUBMITTED, _("Your draft is saved."))


@bp.route("/rounds/<int:round_id>/ideas/new", methods=["GET", "POST"])
@login_required
def idea_create(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    beneficiary = _beneficiary(round_)
    author = beneficiary or current_user
    form = _setup_idea_form(IdeaForm(), round_)
    open_now = services.can_submit_ideas(current_user, round_)
    if request.method == "GET":
        form.ensure_token()
        if author.territory_id in {e.territory_id for e in round_.envelopes}:
            form.territory_id.data = author.territory_id
    else:
        # Not core.web.submit(): the photo is stored before the service runs and is
        # deleted when it refuses, and a repeated POST answers with the first one's
        # idea. So the write lock is taken here, before the token is read: a second
        # identical POST waits for the first to commit, then finds its idea.
        write_lock()
        existing = _earlier_idea(form)
        if existing is not None:
            return redirect(idea_page(existing))
        response = _create_idea(form, round_, beneficiary)
        if response is not None:
            return response
    return _render_idea_form(
        form, round_, idea=None, beneficiary=beneficiary, open_now=open_now
    )


@bp.get("/rounds/<int:round_id>/ideas/for-someone")
@login_required
def idea_relay_search(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    if not services.can_submit_on_behalf(current_user):
        abort(403)
    form = PersonSearchForm(request.args)
    people = (
        services.search_people(form.q.data or "", current_user)
        if form.validate()
        else []
    )
    return render_template(
        "budget/idea_relay_search.html",
        form=form,
        round=round_,
        people=people,
        searched=bool(form.q.data),
    )


# ---------------------------------------------------------------------------
# Editing and withdrawing
# ---------------------------------------------------------------------------


def _fill_idea_form(form: IdeaForm, idea: Idea) -> None:
    for name in (
        "title",
        "description",
        "territory_id",
        "place",
        "latitude",
        "longitude",
        "estimated_cost",
        "association_name",
        "photo_alt",
    ):
        getattr(form, name).data = getattr(idea, name)
    form.theme_ids.data = [t.id for t in idea.themes]
    form.co_authors.data = ", ".join(c.user.pseudonym for c in idea.co_authors)
    form.accepted_rules.data = idea.accepted_rules_at is not None


def _save_idea(form: IdeaForm, idea: Idea, editable: bool) -> Response | None:
    """Check the form, store a new photo, save the changes; None when refused."""
    submit_now = bool(form.submit.data)
    form.validate()
    co_author_ids = _co_author_ids(form)
    if not editable:
        form.form_errors.append(
            _("This idea can no longer be changed: the submission is closed.")
        )
    photo_name = None if _has_errors(form) else _store_photo(form)
    if _has_errors(form):
        return None
    try:
        old_photo = services.update_idea(
            idea,
            _idea_data(form, photo_name, co_author_ids),
            current_user,
            submit=submit_now,
        )[1]
        db.session.commit()
    except DomainError as error:
        _refused(form, error, photo_name)
        return None
    delete_upload(PHOTO_FOLDER, old_photo)
    return _saved(idea, submit_now, _("Your changes are saved."))


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def idea_edit(idea_id: int) -> ResponseReturnValue:
    idea = idea_or_404(idea_id)
    if not services.is_owner(current_user, idea):
        abort(403)
    round_ = idea.round
    form = _setup_idea_form(IdeaForm(), round_)
    editable = services.can_edit_idea(current_user, idea)
    if request.method == "GET":
        _fill_idea_form(form, idea)
    else:
        # Not core.web.submit(), for the photo stored before the service runs (see
        # idea_create): the write lock is taken here, before anything is read.
        write_lock()
        response = _save_idea(form, idea, editable)
        if response is not None:
            return response
    return _render_idea_form(
        form,
        round_,
        idea=idea,
        beneficiary=idea.author if idea.submitted_on_behalf_by_id else None,
        open_now=editable,
        confirm_form=ConfirmForm(),
    )


@bp.post("/ideas/<int:idea_id>/withdraw")
@login_required
def idea_withdraw(idea_id: int) -> ResponseReturnValue:
    idea = idea_or_404(idea_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refused = unless_possible(idea, IdeaAction.WITHDRAW)
    if refused is not None:
        return refused
    return submit(
        lambda: services.transition(idea, IdeaAction.WITHDRAW, current_user),
        success=_("Your idea is withdrawn."),
        redirect_to=idea_page(idea),
        error_redirect=idea_page(idea),
    ) or redirect(idea_page(idea))


# ---------------------------------------------------------------------------
# The person's own ideas, and the ideas a relay entered for others
# ---------------------------------------------------------------------------


@bp.get("/my/ideas")
@login_required
def my_ideas() -> ResponseReturnValue:
    entered = (
        queries.ideas_entered_by(current_user)
        if services.can_submit_on_behalf(current_user)
        else []
    )
    return render_template(
        "budget/idea_mine.html", ideas=queries.ideas_of(current_user), entered=entered
    )
