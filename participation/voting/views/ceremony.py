"""The key ceremony, the sealed box and its fingerprints; the vote's rules and end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ...budget.forms import paris_to_utc, utc_to_paris_naive
from ...core.errors import DomainError
from ...core.forms import show_errors
from ...core.time import utcnow
from ...core.web import submit
from ...extensions import db
from .. import services
from ..forms import (
    CeremonyForm,
    RulesForm,
    VoteCloseForm,
    shares_form,
)
from . import (
    _make,
    _no_store,
    _require_staff,
    _round_or_404,
    bp,
)

# ---------------------------------------------------------------------------
# Key ceremony, the sealed box, its fingerprints
# ---------------------------------------------------------------------------


def _typed_shares(form: Any, threshold: int) -> list[str]:
    return [str(form[f"share_{n}"].data or "") for n in range(1, threshold + 1)]


@bp.route("/rounds/<int:round_id>/vote/ceremony", methods=["GET", "POST"])
@login_required
def ceremony(round_id: int) -> ResponseReturnValue:
    """The key ceremony: name the trustees, hand out the shares once, check them."""
    _require_staff()
    round_ = _round_or_404(round_id)
    key = services.key_of(round_)
    here = url_for(".ceremony", round_id=round_.id)
    people = services.trustee_candidates()
    form = CeremonyForm()
    form.trustees.choices = [SelectChoice(p.id, p.pseudonym) for p in people]
    check = shares_form(key.threshold) if key is not None and not key.is_ready else None
    shares: tuple[str, ...] = ()
    step = request.form.get("step")
    if step == "start" and form.validate_on_submit():
        chosen = [p for p in people if p.id in (form.trustees.data or [])]
        try:
            key, shares = services.start_ceremony(
                round_, chosen, int(form.threshold.data or 0), current_user
            )
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            check = shares_form(key.threshold)
    elif (
        step == "check"
        and check is not None
        and key is not None
        and check.validate_on_submit()
    ):
        typed = _typed_shares(check, key.threshold)
        response = submit(
            lambda: services.check_ceremony(round_, typed, current_user),
            redirect_to=here,
            success=_("The shares rebuild the key: online voting can open."),
            form=check,
        )
        if response is not None:
            return response
    status = 400 if (form.errors or (check is not None and check.errors)) else 200
    return _no_store(
        _make(
            (
                render_template(
                    "voting/ceremony.html",
                    round=round_,
                    key=key,
                    form=form,
                    check=check,
                    shares=shares,
                ),
                status,
            )
        )
    )


def _after_open(url: str) -> Callable[[int], str]:
    def after_commit(opened: int) -> str:
        services.erase_traces()
        flash(
            ngettext(
                "The ballot box is open: %(num)d online ballot, shuffled.",
                "The ballot box is open: %(num)d online ballots, shuffled.",
                opened,
            ),
            "success",
        )
        return url

    return after_commit


@bp.route("/rounds/<int:round_id>/vote/open", methods=["GET", "POST"])
@login_required
def open_box(round_id: int) -> ResponseReturnValue:
    """After the close, k trustees type their shares: the box opens for the count."""
    _require_staff()
    round_ = _round_or_404(round_id)
    key = services.key_of(round_)
    if key is None or not key.is_ready:
        abort(404)
    form = shares_form(key.threshold)
    if key.is_sealed and form.validate_on_submit():
        typed = _typed_shares(form, key.threshold)
        response = submit(
            lambda: services.open_sealed_box(round_, typed, current_user),
            redirect_to=_after_open(url_for(".round_results", round_id=round_.id)),
            form=form,
        )
        if response is not None:
            return response
    return _no_store(
        _make(
            (
                render_template(
                    "voting/open_box.html",
                    round=round_,
                    key=key,
                    form=form,
                    closed=utcnow() >= round_.vote_closes_at,
                ),
                400 if form.errors else 200,
            )
        )
    )


@bp.get("/rounds/<int:round_id>/vote/fingerprints")
def fingerprints(round_id: int) -> ResponseReturnValue:
    """The public list of the sealed ballots' fingerprints: each voter finds theirs."""
    round_ = _round_or_404(round_id)
    return render_template(
        "voting/fingerprints.html",
        round=round_,
        key=services.key_of(round_),
        fingerprints=services.public_fingerprints(round_),
    )


# ---------------------------------------------------------------------------
# Rules (staff)
# ---------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/vote/rules", methods=["GET", "POST"])
@login_required
def rules_edit(round_id: int) -> ResponseReturnValue:
    _require_staff()
    round_ = _round_or_404(round_id)
    rules = services.get_rules(round_)
    form = RulesForm(obj=rules) if rules is not None else RulesForm()
    if request.method == "GET" and rules is not None:
        for name in ("ballot_type", "required_level", "counting_rule", "tie_break"):
            form[name].data = getattr(rules, name).value
    here = url_for(".rules_edit", round_id=round_.id)
    if rules is not None and rules.is_frozen:
        if request.method == "POST":
            flash(
                _("The first ballot has been cast: the rules of this vote are frozen."),
                "error",
            )
            return redirect(here)
    elif form.validate_on_submit():
        response = submit(
            lambda: services.save_rules(
                round_, services.RulesData(**form.data_kwargs()), current_user
            ),
            form=form,
            success=_("The rules of the vote are saved."),
            redirect_to=here,
        )
        if response is not None:
            return response
    return render_template(
        "voting/rules_form.html", round=round_, rules=rules, form=form
    )


@bp.route("/rounds/<int:round_id>/vote/end", methods=["GET", "POST"])
@login_required
def vote_close_edit(round_id: int) -> ResponseReturnValue:
    """Close the vote early or extend it, with a written reason (audited)."""
    _require_staff()
    round_ = _round_or_404(round_id)
    form = VoteCloseForm()
    if request.method == "GET":
        form.closes_at.data = utc_to_paris_naive(round_.vote_closes_at)
    elif form.validate_on_submit():
        response = submit(
            lambda: services.change_vote_close(
                round_,
                paris_to_utc(form.closes_at.data),
                form.reason.data or "",
                current_user,
            ),
            form=form,
            success=_("The end of the vote is changed."),
            redirect_to=url_for(".round_results", round_id=round_.id),
        )
        if response is not None:
            return response
    return render_template("voting/vote_close_form.html", round=round_, form=form)
