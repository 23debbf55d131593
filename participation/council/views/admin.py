"""Staff pages: councils, their rules, members and substitutes, facilitators and
the composition dashboard."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from ...accounts.states import Sex
from ...core.converters import ascii_int
from ...core.decorators import require
from ...core.time import today_paris
from ...core.web import submit
from ...extensions import db
from ...territories.models import Territory, TerritoryKind
from .. import queries
from ..forms import (
    ActionForm,
    CompositionForm,
    CouncilForm,
    FacilitatorForm,
    LeaveForm,
    MemberForm,
    PromoteForm,
    RulesForm,
    SeatForm,
)
from ..models import Council, CouncilMember, DrawEntry
from ..names import staff_name
from ..permissions import can_manage_councils
from ..services import councils as services
from ..services import seats
from ..states import (
    College,
    CouncilScope,
    LeaveReason,
    MajorityRule,
    NameDisplay,
    QuorumKind,
)
from . import bp, me


def _council(council_id: int) -> Council:
    return db.get_or_404(Council, council_id)


def _member(member_id: int) -> CouncilMember:
    return db.get_or_404(CouncilMember, member_id)


@bp.get("/admin")
@require(can_manage_councils)
def council_admin() -> ResponseReturnValue:
    councils = queries.councils()
    return render_template(
        "council/council_admin.html",
        councils=councils,
        figures={c.id: queries.composition(c) for c in councils},
    )


def _territory_choices() -> list[tuple[str, str]]:
    territories = db.session.scalars(
        sa.select(Territory)
        .where(Territory.kind == TerritoryKind.QPV, Territory.is_active.is_(True))
        .order_by(Territory.name)
    )
    return [("", "—")] + [(str(t.id), t.name) for t in territories]


def _council_data(form: CouncilForm) -> services.CouncilData:
    territory = form.territory_id.data
    return services.CouncilData(
        name=form.name.data or "",
        scope=CouncilScope(form.scope.data),
        territory_id=ascii_int(territory),
        description=form.description.data or "",
        texts_by_language=form.texts_by_language(),
        resident_seats=form.resident_seats.data or 0,
        local_actor_seats=form.local_actor_seats.data or 0,
        is_draw_required=bool(form.is_draw_required.data),
        is_parity_required=bool(form.is_parity_required.data),
        min_residents_share=form.min_residents_share.data or 0,
        is_recognition_required=bool(form.is_recognition_required.data),
        name_display=NameDisplay(form.name_display.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@require(can_manage_councils)
def council_create() -> ResponseReturnValue:
    form = CouncilForm()
    form.territory_id.choices = _territory_choices()
    if form.validate_on_submit():
        response = submit(
            lambda: services.create_council(_council_data(form), me()),
            form=form,
            once=form.form_token.data,
            success=_("The council is created, with default rules to adapt."),
            redirect_to=lambda council: url_for(
                "council.rules_edit", council_id=council.id
            ),
        )
        if response is not None:
            return response
    return render_template("council/council_form.html", form=form, council=None)


@bp.route("/<int:council_id>/edit", methods=["GET", "POST"])
@require(can_manage_councils)
def council_edit(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    form = CouncilForm(obj=council)
    form.territory_id.choices = _territory_choices()
    if request.method == "GET":
        form.territory_id.data = str(council.territory_id or "")
        form.scope.data = council.scope.value
        form.name_display.data = council.name_display.value
        form.fill_translations(council.texts_by_language)
    if form.validate_on_submit():
        response = submit(
            lambda: services.update_council(council, _council_data(form), me()),
            form=form,
            success=_("The council is saved."),
            redirect_to=url_for("council.council_detail", council_id=council.id),
        )
        if response is not None:
            return response
    return render_template("council/council_form.html", form=form, council=council)


def _rules_data(form: RulesForm) -> services.RulesData:
    return services.RulesData(
        text=form.text.data or "",
        adopted_on=form.adopted_on.data,
        quorum_kind=QuorumKind(form.quorum_kind.data),
        quorum_number=form.quorum_number.data,
        quorum_numerator=form.quorum_numerator.data or 0,
        quorum_denominator=form.quorum_denominator.data or 0,
        quorum_counts_proxies=bool(form.quorum_counts_proxies.data),
        are_proxies_allowed=bool(form.are_proxies_allowed.data),
        max_proxies_per_holder=form.max_proxies_per_holder.data or 0,
        abstentions_count=bool(form.abstentions_count.data),
        majority_ordinary=MajorityRule(form.majority_ordinary.data),
        majority_minutes_approval=MajorityRule(form.majority_minutes_approval.data),
        majority_fph_grant=MajorityRule(form.majority_fph_grant.data),
        majority_rules_change=MajorityRule(form.majority_rules_change.data),
        notice_days=form.notice_days.data or 0,
    )


@bp.route("/<int:council_id>/rules", methods=["GET", "POST"])
@require(can_manage_councils)
def rules_edit(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    current = council.rules
    form = RulesForm(obj=current)
    if request.method == "GET":
        for name in (
            "quorum_kind",
            *(
                f"majority_{k}"
                for k in ("ordinary", "minutes_approval", "fph_grant", "rules_change")
            ),
        ):
            form[name].data = getattr(current, name).value
    if form.validate_on_submit():
        response = submit(
            lambda: services.adopt_rules(council, _rules_data(form), me()),
            form=form,
            success=_("The new version of the rules is in force."),
            redirect_to=url_for("council.council_detail", council_id=council.id),
        )
        if response is not None:
            return response
    return render_template(
        "council/rules_form.html", form=form, council=council, current=current
    )


# --- Members ------------------------------------------------------------------


@bp.get("/<int:council_id>/members")
@require(can_manage_councils)
def member_list(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    return render_template(
        "council/member_list.html",
        council=council,
        members=queries.members_of(council),
        former=queries.former_members(council),
        staff_name=staff_name,
        today=today_paris(),
    )


def _optional_int(text: str | None) -> int | None:
    return ascii_int(text)


@bp.route("/<int:council_id>/members/new", methods=["GET", "POST"])
@require(can_manage_councils)
def member_create(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    form = MemberForm()
    entry = None
    entry_id = _optional_int(request.args.get("entry") or form.draw_entry_id.data)
    if entry_id is not None:
        entry = db.session.get(DrawEntry, entry_id)
        if entry is None or entry.draw.council_id != council.id:
            abort(404)
    if request.method == "GET":
        form.mandate_starts_on.data = today_paris()
        if entry is not None:
            form.draw_entry_id.data = str(entry.id)
            form.college.data = College.RESIDENTS.value
            form.sex.data = entry.sex.value
            if entry.outcome and entry.outcome.value == "substitute":
                form.substitute_rank.data = seats.next_free_rank(
                    council, College.RESIDENTS, entry.sex
                )
    if form.validate_on_submit():
        data = seats.MemberData(
            person=form.person.data or "",
            college=College(form.college.data),
            sex=Sex(form.sex.data),
            mandate_starts_on=form.mandate_starts_on.data,
            mandate_ends_on=form.mandate_ends_on.data,
            is_voting=bool(form.is_voting.data),
            substitute_rank=form.substitute_rank.data,
            is_secretary=bool(form.is_secretary.data),
            organisation=form.organisation.data,
            draw_entry_id=_optional_int(form.draw_entry_id.data),
        )
        response = submit(
            lambda: seats.add_member(council, data, me()),
            form=form,
            success=_("The person has a seat on the council."),
            redirect_to=url_for("council.member_list", council_id=council.id),
        )
        if response is not None:
            return response
    return render_template(
        "council/member_form.html", form=form, council=council, entry=entry
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@require(can_manage_councils)
def member_edit(member_id: int) -> ResponseReturnValue:
    member = _member(member_id)
    form = SeatForm(obj=member)
    if form.validate_on_submit():
        data = seats.SeatChanges(
            mandate_starts_on=form.mandate_starts_on.data,
            mandate_ends_on=form.mandate_ends_on.data,
            is_voting=bool(form.is_voting.data),
            is_secretary=bool(form.is_secretary.data),
            substitute_rank=form.substitute_rank.data,
            organisation=form.organisation.data,
        )
        response = submit(
            lambda: seats.update_member(member, data, me()),
            form=form,
            success=_("The seat is saved."),
            redirect_to=url_for("council.member_list", council_id=member.council_id),
        )
        if response is not None:
            return response
    return render_template(
        "council/member_edit.html",
        form=form,
        member=member,
        council=member.council,
        name=staff_name(member),
    )


@bp.route("/members/<int:member_id>/leave", methods=["GET", "POST"])
@require(can_manage_councils)
def member_leave(member_id: int) -> ResponseReturnValue:
    member = _member(member_id)
    form = LeaveForm()
    if request.method == "GET":
        form.left_on.data = today_paris()
    if form.validate_on_submit():

        def leave() -> Any:
            return seats.end_membership(
                member, LeaveReason(form.reason.data), form.left_on.data, me()
            )

        response = submit(
            leave,
            form=form,
            success=_("The departure is recorded."),
            redirect_to=lambda substitute: (
                url_for("council.member_replace", member_id=member.id)
                if substitute is not None
                else url_for("council.member_list", council_id=member.council_id)
            ),
        )
        if response is not None:
            return response
    return render_template(
        "council/member_leave.html",
        form=form,
        member=member,
        council=member.council,
        name=staff_name(member),
    )


@bp.route("/members/<int:member_id>/replace", methods=["GET", "POST"])
@require(can_manage_councils)
def member_replace(member_id: int) -> ResponseReturnValue:
    member = _member(member_id)
    proposed = seats.next_substitute(member)
    substitutes = [
        m
        for m in queries.members_of(member.council)
        if m.substitute_rank is not None and m.college is member.college
    ]
    form = PromoteForm()
    form.substitute.choices = [
        (str(m.id), f"{m.sex.label} · {m.substitute_rank} — {staff_name(m)}")
        for m in substitutes
    ]
    if request.method == "GET":
        form.starts_on.data = member.left_on or today_paris()
        if proposed is not None:
            form.substitute.data = str(proposed.id)
    if form.validate_on_submit():
        chosen = db.get_or_404(CouncilMember, int(form.substitute.data or 0))
        response = submit(
            lambda: seats.promote_substitute(chosen, member, me(), form.starts_on.data),
            form=form,
            success=_("The substitute now holds the seat."),
            redirect_to=url_for("council.member_list", council_id=member.council_id),
        )
        if response is not None:
            return response
    return render_template(
        "council/member_replace.html",
        form=form,
        member=member,
        council=member.council,
        proposed=proposed,
        name=staff_name(member),
        staff_name=staff_name,
    )


@bp.route("/<int:council_id>/facilitators/new", methods=["GET", "POST"])
@require(can_manage_councils)
def facilitator_create(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    form = FacilitatorForm()
    if form.validate_on_submit():
        data = seats.FacilitatorData(
            name=form.name.data or "",
            organisation=form.organisation.data or "",
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )
        response = submit(
            lambda: seats.add_facilitator(council, data, me()),
            form=form,
            success=_("The facilitator is recorded."),
            redirect_to=url_for("council.composition", council_id=council.id),
        )
        if response is not None:
            return response
    return render_template("council/facilitator_form.html", form=form, council=council)


# --- Composition --------------------------------------------------------------


def _render_composition(council: Council, form: FlaskForm) -> str:
    return render_template(
        "council/composition.html",
        council=council,
        figures=queries.composition(council),
        form=form,
        compositions=sorted(
            council_compositions(council), key=lambda c: c.version, reverse=True
        ),
        bar_width=queries.CHART_BAR_WIDTH,
        label_width=queries.CHART_LABEL_WIDTH,
        row=queries.CHART_ROW,
        sexes=(Sex.FEMALE, Sex.MALE),
        colleges=list(College),
    )


def council_compositions(council: Council) -> list[Any]:
    from ..models import CouncilComposition

    return list(
        db.session.scalars(
            sa.select(CouncilComposition).where(
                CouncilComposition.council_id == council.id
            )
        )
    )


@bp.get("/<int:council_id>/composition")
@require(can_manage_councils)
def composition(council_id: int) -> ResponseReturnValue:
    return _render_composition(_council(council_id), CompositionForm())


@bp.post("/<int:council_id>/compositions")
@require(can_manage_councils)
def composition_record(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    form = CompositionForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.record_composition(
                council,
                me(),
                recognition_reference=form.recognition_reference.data,
                recognised_on=form.recognised_on.data,
            ),
            form=form,
            success=_("The composition is recorded with the policy in force."),
            redirect_to=url_for("council.composition", council_id=council.id),
        )
        if response is not None:
            return response
    return _render_composition(council, form), 400


__all__ = ["ActionForm"]
