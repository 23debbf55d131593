"""Pages of the budget feature: rounds, envelopes, ideas, moderation, announcements."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.datastructures import FileStorage

from ..accounts.models import User
from ..accounts.permissions import can_act_for
from ..core.converters import ascii_int
from ..core.errors import Conflict, DomainError
from ..core.forms import show_errors
from ..core.pagination import page_number
from ..core.time import utcnow
from ..core.uploads import (
    UPLOAD_REQUEST_LIMIT,
    UploadError,
    delete_upload,
    send_upload,
    store_image,
)
from ..core.web import submit
from ..extensions import db
from ..territories.models import Territory
from . import queries, services
from .forms import (
    ConfirmForm,
    HideForm,
    IdeaFilterForm,
    IdeaForm,
    MergeForm,
    MoneyField,
    PersonSearchForm,
    RoundForm,
    paris_to_utc,
    utc_to_paris_naive,
)
from .models import Idea, Round
from .services import PHOTO_FOLDER
from .states import IdeaAction, IdeaState, RoundPhase

bp = Blueprint("budget", __name__)

#: Tries of an idea creation that SQLite refused because another request was
#: writing (its snapshot went stale); PostgreSQL never needs a second one.
WRITE_ATTEMPTS = 4

#: Views whose form carries a photo: their request limit is raised so that an
#: oversized photo reaches the view and gets a message by its field.
UPLOAD_ENDPOINTS = frozenset({"budget.idea_create", "budget.idea_edit"})


@bp.record_once
def _install_upload_limit(state: BlueprintSetupState) -> None:
    def raise_upload_limit() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = UPLOAD_REQUEST_LIMIT

    # First of the app's hooks: CSRFProtect's hook reads the body, and would
    # otherwise answer 413 before the view can explain the problem by the field.
    state.app.before_request_funcs.setdefault(None, []).insert(0, raise_upload_limit)


@bp.app_context_processor
def budget_helpers() -> dict[str, Any]:
    return {"budget_can": services, "IdeaState": IdeaState, "IdeaAction": IdeaAction}


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's messages next to their fields (core.forms.show_errors)."""
    show_errors(form, error)


def _round_or_404(round_id: int) -> Round:
    round_ = queries.load_round(round_id)
    if round_ is None or not services.can_view_round(current_user, round_):
        abort(404)
    return round_


def _require_staff() -> None:
    if not services.can_manage_rounds(current_user):
        abort(403)


# ---------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------


@bp.get("/rounds")
def round_list() -> ResponseReturnValue:
    now = utcnow()
    rounds = queries.visible_rounds(current_user)
    return render_template(
        "budget/round_list.html",
        rounds=rounds,
        now=now,
        can_manage=services.can_manage_rounds(current_user),
    )


def _calendar(round_: Round) -> list[dict[str, Any]]:
    """The phases of a round, in order, with their dates (for the calendar list)."""
    return [
        {
            "phase": RoundPhase.SUBMISSION,
            "start": round_.submission_opens_at,
            "end": round_.submission_closes_at,
        },
        {
            "phase": RoundPhase.REVIEW,
            "start": round_.submission_closes_at,
            "end": round_.review_closes_at,
        },
        {
            "phase": RoundPhase.ANNOUNCEMENT,
            "start": round_.announcement_at,
            "end": None,
        },
        {
            "phase": RoundPhase.VOTE,
            "start": round_.vote_opens_at,
            "end": round_.vote_closes_at,
        },
        {
            "phase": RoundPhase.RESULTS,
            "start": round_.results_published_at,
            "end": None,
        },
        {"phase": RoundPhase.DELIVERY, "start": round_.delivery_starts_at, "end": None},
    ]


@bp.get("/rounds/<int:round_id>")
def round_detail(round_id: int) -> ResponseReturnValue:
    round_ = _round_or_404(round_id)
    now = utcnow()
    phase = round_.phase_at(now)
    next_round = db.session.scalar(
        sa.select(Round).where(Round.previous_round_id == round_.id)
    )
    return render_template(
        "budget/round_detail.html",
        round=round_,
        phase=phase,
        calendar=_calendar(round_),
        next_round=next_round,
        unspent={e.id: services.unspent(e) for e in round_.envelopes},
        can_manage=services.can_manage_rounds(current_user),
        can_submit=services.can_submit_ideas(current_user, round_, now),
        is_submission=phase is RoundPhase.SUBMISSION,
        can_relay=services.can_submit_on_behalf(current_user),
        confirm_form=ConfirmForm(),
    )


def _round_form(round_: Round | None) -> RoundForm:
    form = RoundForm()
    from ..territories.models import Theme

    themes = db.session.scalars(
        sa.select(Theme).where(Theme.is_active.is_(True)).order_by(Theme.position)
    ).all()
    form.theme_ids.choices = [(t.id, t.label) for t in themes]
    form.grid_version_id.choices = [
        ("", _("No grid yet")),
        *queries.grid_version_choices(),
    ]
    if request.method == "GET" and round_ is not None:
        for name in (
            "title",
            "description",
            "rules_text",
            "min_cost",
            "max_cost",
            "is_carry_over_enabled",
            "grid_version_id",
        ):
            getattr(form, name).data = getattr(round_, name)
        for name in services.RoundData.__dataclass_fields__:
            if name.endswith("_at"):
                getattr(form, name).data = utc_to_paris_naive(getattr(round_, name))
        form.theme_ids.data = [t.id for t in round_.themes]
    elif request.method == "GET":
        form.is_carry_over_enabled.data = True
        form.min_cost.data = Decimal("0.00")
    return form


def _round_data(form: RoundForm) -> services.RoundData:
    def at(name: str) -> datetime:
        value = paris_to_utc(getattr(form, name).data)
        assert value is not None  # DataRequired
        return value

    return services.RoundData(
        title=form.title.data or "",
        description=form.description.data or "",
        rules_text=form.rules_text.data or "",
        submission_opens_at=at("submission_opens_at"),
        submission_closes_at=at("submission_closes_at"),
        review_closes_at=at("review_closes_at"),
        announcement_at=at("announcement_at"),
        vote_opens_at=at("vote_opens_at"),
        vote_closes_at=at("vote_closes_at"),
        delivery_starts_at=paris_to_utc(form.delivery_starts_at.data),
        min_cost=form.min_cost.data or Decimal("0.00"),
        max_cost=form.max_cost.data or Decimal("0.00"),
        is_carry_over_enabled=bool(form.is_carry_over_enabled.data),
        theme_ids=list(form.theme_ids.data or []),
        grid_version_id=form.grid_version_id.data,
    )


@bp.route("/rounds/new", methods=["GET", "POST"])
@login_required
def round_create() -> ResponseReturnValue:
    _require_staff()
    form = _round_form(None)
    if form.validate_on_submit():
        data = _round_data(form)
        # One round per form, however often it is sent (double click, replay).
        response = submit(
            lambda: services.create_round(data, current_user),
            form=form,
            once=form.form_token.data,
            success=_("The round is created. Set its envelopes, then open it."),
            redirect_to=lambda new: url_for(".round_envelopes", round_id=new.id),
        )
        if response is not None:
            return response
    return render_template("budget/round_form.html", form=form, round=None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def round_edit(round_id: int) -> ResponseReturnValue:
    _require_staff()
    round_ = _round_or_404(round_id)
    form = _round_form(round_)
    if form.validate_on_submit():
        try:
            services.update_round(round_, _round_data(form), current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The round is saved."), "success")
            return redirect(url_for(".round_detail", round_id=round_.id))
    return render_template("budget/round_form.html", form=form, round=round_)


def _envelope_form(round_: Round, territories: list[Territory]) -> FlaskForm:
    amounts = {e.territory_id: e.amount for e in round_.envelopes}
    fields = {
        f"amount_{t.id}": MoneyField(
            _("%(name)s (euros)", name=t.name),
            default=amounts.get(t.id),
        )
        for t in territories
    }
    form_class = type("EnvelopeForm", (FlaskForm,), fields)
    form: FlaskForm = form_class()
    return form


@bp.route("/rounds/<int:round_id>/envelopes", methods=["GET", "POST"])
@login_required
def round_envelopes(round_id: int) -> ResponseReturnValue:
    _require_staff()
    round_ = _round_or_404(round_id)
    from ..territories.models import TerritoryKind

    territories = list(
        db.session.scalars(
            sa.select(Territory)
            .where(Territory.kind == TerritoryKind.QPV, Territory.is_active.is_(True))
            .order_by(Territory.name)
        )
    )
    form = _envelope_form(round_, territories)
    if form.validate_on_submit():
        amounts = {t.id: form[f"amount_{t.id}"].data for t in territories}
        try:
            services.set_envelopes(round_, amounts, current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The envelopes are saved."), "success")
            return redirect(url_for(".round_detail", round_id=round_.id))
    return render_template(
        "budget/round_envelopes.html", form=form, round=round_, territories=territories
    )


@bp.post("/rounds/<int:round_id>/publish")
@login_required
def round_publish(round_id: int) -> ResponseReturnValue:
    _require_staff()
    round_ = _round_or_404(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.publish_round(round_, current_user)
    except Conflict as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The round is open to the public."), "success")
    return redirect(url_for(".round_detail", round_id=round_.id))


@bp.post("/rounds/<int:round_id>/next")
@login_required
def round_create_next(round_id: int) -> ResponseReturnValue:
    _require_staff()
    round_ = _round_or_404(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        new_round = services.create_next_round(round_, current_user)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".round_detail", round_id=round_.id))
    except (IntegrityError, OperationalError):
        # A double click: the unique previous_round_id held (or SQLite refused the
        # second writer); the first click created the round.
        db.session.rollback()
        flash(_("The next round of this one already exists."), "error")
        return redirect(url_for(".round_detail", round_id=round_.id))
    flash(_("The next round is created. Check it, then open it."), "success")
    return redirect(url_for(".round_detail", round_id=new_round.id))


@bp.get("/rounds/<int:round_id>/announcement/<int:territory_id>")
def round_announcement(round_id: int, territory_id: int) -> ResponseReturnValue:
    round_ = _round_or_404(round_id)
    envelope = next(
        (e for e in round_.envelopes if e.territory_id == territory_id), None
    )
    if envelope is None:
        abort(404)
    if not round_.is_announced and not services.can_manage_rounds(current_user):
        abort(404)
    data = queries.announcement(round_, envelope)
    return render_template(
        "budget/round_announcement.html",
        round=round_,
        envelope=envelope,
        data=data,
        failed=queries.failed_criteria([i.id for i in data.not_retained]),
    )


# ---------------------------------------------------------------------------
# Ideas: list, page, photo
# ---------------------------------------------------------------------------


def _arg_int(name: str) -> int | None:
    value = request.args.get(name, "")
    return ascii_int(value, maximum=10**9)


@bp.get("/ideas")
def idea_list() -> ResponseReturnValue:
    state_arg = request.args.get("state", "")
    state = IdeaState(state_arg) if state_arg in set(IdeaState) else None
    filters = queries.IdeaFilters(
        round_id=_arg_int("round"),
        territory_id=_arg_int("qpv"),
        theme_id=_arg_int("theme"),
        state=state if state is not IdeaState.DRAFT else None,
    )
    page = queries.public_ideas_page(filters, page_number(request.args.get("page")))
    rounds, territories, themes = queries.filter_choices()
    form = IdeaFilterForm(request.args)
    form.round.choices = [("", _("All rounds")), *((r.id, r.title) for r in rounds)]
    form.qpv.choices = [
        ("", _("All neighbourhoods")),
        *((t.id, t.name) for t in territories),
    ]
    form.theme.choices = [("", _("All themes")), *((t.id, t.label) for t in themes)]
    form.state.choices = [
        ("", _("All statuses")),
        *((s.value, s.label) for s in IdeaState if s is not IdeaState.DRAFT),
    ]
    return render_template(
        "budget/idea_list.html", page=page, form=form, filters=filters
    )


def _idea_or_404(idea_id: int) -> Idea:
    idea = queries.load_idea(idea_id)
    if idea is None or not services.can_view_idea(current_user, idea):
        abort(404)
    return idea


@bp.get("/ideas/<int:idea_id>")
def idea_detail(idea_id: int) -> ResponseReturnValue:
    idea = _idea_or_404(idea_id)
    now = utcnow()
    return render_template(
        "budget/idea_detail.html",
        idea=idea,
        show_content=services.can_view_idea_content(current_user, idea),
        can_edit=services.can_edit_idea(current_user, idea, now),
        can_withdraw=services.can_perform(idea, IdeaAction.WITHDRAW, current_user, now),
        can_hide=services.can_perform(idea, IdeaAction.HIDE, current_user, now),
        can_unhide=services.can_perform(idea, IdeaAction.UNHIDE, current_user, now),
        can_merge=services.can_perform(idea, IdeaAction.MERGE, current_user, now),
        is_staff=services.can_moderate(current_user),
        confirm_form=ConfirmForm(),
    )


@bp.get("/ideas/<int:idea_id>/photo")
def idea_photo(idea_id: int) -> ResponseReturnValue:
    idea = db.get_or_404(Idea, idea_id)
    if not idea.photo_name or not services.can_view_idea_content(current_user, idea):
        abort(404)
    return send_upload(PHOTO_FOLDER, idea.photo_name, public=idea.shows_content)


# ---------------------------------------------------------------------------
# Ideas: submit, edit, withdraw
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


def _idea_data(form: IdeaForm, photo_name: str | None, co_author_ids: list[int]) -> Any:
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


def _beneficiary(round_: Round) -> User | None:
    """The person a relay enters the idea for (``?for=<id>``), or None."""
    for_id = _arg_int("for")
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


@bp.route("/rounds/<int:round_id>/ideas/new", methods=["GET", "POST"])
@login_required
def idea_create(round_id: int) -> ResponseReturnValue:
    round_ = _round_or_404(round_id)
    beneficiary = _beneficiary(round_)
    author = beneficiary or current_user
    form = _setup_idea_form(IdeaForm(), round_)
    if request.method == "GET":
        form.ensure_token()
        if author.territory_id in {e.territory_id for e in round_.envelopes}:
            form.territory_id.data = author.territory_id
    open_now = services.can_submit_ideas(current_user, round_)
    if request.method == "POST":
        existing = services.find_by_token(form.token.data)
        if existing is not None and services.is_owner(current_user, existing):
            return redirect(url_for(".idea_detail", idea_id=existing.id))
        submit = bool(form.submit.data)
        form.validate()
        co_author_ids = _co_author_ids(form)
        if beneficiary is not None and not form.consent.data:
            form.consent.errors = [
                *form.consent.errors,
                _("Record the person's consent."),
            ]
        photo_name = None if _has_errors(form) else _store_photo(form)
        if not _has_errors(form):
            note = (form.consent_note.data or "").strip() or _(
                "Consent given in person."
            )
            data = _idea_data(form, photo_name, co_author_ids)
            for attempt in range(1, WRITE_ATTEMPTS + 1):
                try:
                    idea = services.create_idea(
                        round_,
                        data,
                        author=author,
                        actor=current_user,
                        submit=submit,
                        token=form.token.data or None,
                        consent_note=note if beneficiary is not None else None,
                    )
                    db.session.commit()
                except DomainError as error:
                    db.session.rollback()
                    delete_upload(PHOTO_FOLDER, photo_name)
                    show_error(form, error)
                    break
                except (IntegrityError, OperationalError) as error:
                    # Two identical POSTs at once: the unique token stops the second
                    # (PostgreSQL), or SQLite refuses the second writer's stale
                    # snapshot. Either way the first one's idea is the answer.
                    db.session.rollback()
                    existing = services.find_by_token(form.token.data)
                    if existing is not None and services.is_owner(
                        current_user, existing
                    ):
                        delete_upload(PHOTO_FOLDER, photo_name)
                        return redirect(url_for(".idea_detail", idea_id=existing.id))
                    if attempt == WRITE_ATTEMPTS or isinstance(error, IntegrityError):
                        raise
                    time.sleep(0.05 * attempt)  # let the first writer commit
                else:
                    if idea.state is IdeaState.SUBMITTED:
                        flash(_("Your idea is submitted. Thank you!"), "success")
                        return redirect(url_for(".idea_detail", idea_id=idea.id))
                    flash(_("Your draft is saved."), "success")
                    return redirect(url_for(".idea_edit", idea_id=idea.id))
        if form.photo.data and not form.photo.errors:
            form.photo.errors = [_("Please choose the photo again.")]
    return render_template(
        "budget/idea_form.html",
        form=form,
        round=round_,
        idea=None,
        beneficiary=beneficiary,
        open_now=open_now,
    )


@bp.get("/rounds/<int:round_id>/ideas/for-someone")
@login_required
def idea_relay_search(round_id: int) -> ResponseReturnValue:
    round_ = _round_or_404(round_id)
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


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def idea_edit(idea_id: int) -> ResponseReturnValue:
    idea = _idea_or_404(idea_id)
    if not services.is_owner(current_user, idea):
        abort(403)
    round_ = idea.round
    form = _setup_idea_form(IdeaForm(), round_)
    editable = services.can_edit_idea(current_user, idea)
    if request.method == "GET":
        _fill_idea_form(form, idea)
    else:
        submit = bool(form.submit.data)
        form.validate()
        co_author_ids = _co_author_ids(form)
        if not editable:
            form.form_errors.append(
                _("This idea can no longer be changed: the submission is closed.")
            )
        photo_name = None if _has_errors(form) else _store_photo(form)
        if not _has_errors(form):
            try:
                old_photo = services.update_idea(
                    idea,
                    _idea_data(form, photo_name, co_author_ids),
                    current_user,
                    submit=submit,
                )[1]
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                delete_upload(PHOTO_FOLDER, photo_name)
                show_error(form, error)
            else:
                delete_upload(PHOTO_FOLDER, old_photo)
                if submit:
                    flash(_("Your idea is submitted. Thank you!"), "success")
                    return redirect(url_for(".idea_detail", idea_id=idea.id))
                flash(_("Your changes are saved."), "success")
                return redirect(url_for(".idea_edit", idea_id=idea.id))
        if form.photo.data and not form.photo.errors:
            form.photo.errors = [_("Please choose the photo again.")]
    return render_template(
        "budget/idea_form.html",
        form=form,
        round=round_,
        idea=idea,
        beneficiary=idea.author if idea.submitted_on_behalf_by_id else None,
        open_now=editable,
        confirm_form=ConfirmForm(),
    )


def _transition_view(
    idea: Idea, action: IdeaAction, **kwargs: Any
) -> ResponseReturnValue:
    """Apply a simple action; 403 without the right, a message when not possible."""
    if not services.can_perform(idea, action, current_user):
        try:
            services.check_can_perform(idea, action, current_user)
        except Conflict as error:
            flash(str(error), "error")
            return redirect(url_for(".idea_detail", idea_id=idea.id))
        except DomainError:
            abort(403)
    services.transition(idea, action, current_user, **kwargs)
    db.session.commit()
    return redirect(url_for(".idea_detail", idea_id=idea.id))


@bp.post("/ideas/<int:idea_id>/withdraw")
@login_required
def idea_withdraw(idea_id: int) -> ResponseReturnValue:
    idea = _idea_or_404(idea_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    response = _transition_view(idea, IdeaAction.WITHDRAW)
    if idea.state is IdeaState.WITHDRAWN:
        flash(_("Your idea is withdrawn."), "success")
    return response


# ---------------------------------------------------------------------------
# Moderation
# ---------------------------------------------------------------------------


@bp.route("/ideas/<int:idea_id>/hide", methods=["GET", "POST"])
@login_required
def idea_hide(idea_id: int) -> ResponseReturnValue:
    _require_staff()
    idea = _idea_or_404(idea_id)
    form = HideForm()
    if form.validate_on_submit():
        try:
            services.transition(
                idea, IdeaAction.HIDE, current_user, comment=form.comment.data
            )
        except Conflict as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for(".idea_detail", idea_id=idea.id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The idea is hidden; its page shows the reason."), "success")
            return redirect(url_for(".idea_detail", idea_id=idea.id))
    return render_template("budget/idea_hide.html", form=form, idea=idea)


@bp.post("/ideas/<int:idea_id>/unhide")
@login_required
def idea_unhide(idea_id: int) -> ResponseReturnValue:
    _require_staff()
    idea = _idea_or_404(idea_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _transition_view(idea, IdeaAction.UNHIDE)


@bp.route("/ideas/<int:idea_id>/merge", methods=["GET", "POST"])
@login_required
def idea_merge(idea_id: int) -> ResponseReturnValue:
    _require_staff()
    idea = _idea_or_404(idea_id)
    form = MergeForm()
    candidates = queries.merge_candidates(idea)
    form.into.choices = [
        ("", _("Choose an idea")),
        *((c.id, f"#{c.id} — {c.title}") for c in candidates),
    ]
    if form.validate_on_submit():
        target = next((c for c in candidates if c.id == form.into.data), None)
        try:
            services.transition(
                idea,
                IdeaAction.MERGE,
                current_user,
                comment=form.comment.data,
                into=target,
            )
        except Conflict as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for(".idea_detail", idea_id=idea.id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The ideas are merged."), "success")
            return redirect(url_for(".idea_detail", idea_id=idea.id))
    return render_template("budget/idea_merge.html", form=form, idea=idea)


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
