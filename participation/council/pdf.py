"""Printable documents of the council: draw report, convocation letters, minutes.

Written in the site's default language (French in production). Residents are named
in the minutes as the council chose (pseudonym or initials); nobody's address,
e-mail or phone appears.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..core.i18n import format_date
from ..core.pdf import Document
from .formats import moment
from .models import Convocation, CouncilDraw, Meeting, Minutes
from .names import public_name
from .services import attendance
from .services.draws import stratum_label
from .states import AttendanceStatus, DrawOutcome


class CouncilDocument(Document):
    """The core document plus a simple table."""

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.pdf.set_font(self.family, "", 10)
        with self.pdf.table(
            first_row_as_headings=True, line_height=5.5, text_align="LEFT"
        ) as table:
            for values in [headers, *rows]:
                row = table.row()
                for value in values:
                    row.cell(self._text(str(value)))
        self.space(3)


def _locale() -> str:
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def draw_report(draw: CouncilDraw) -> bytes:
    """The report of a draw: seed, witnesses, pool fingerprint, result per stratum."""
    with force_locale(_locale()):
        council = draw.council
        doc = CouncilDocument(_("Draw report"), author=council.name)
        doc.heading(_("Draw by lot — %(council)s", council=council.name))
        doc.paragraph(draw.title, bold=True)
        if draw.source:
            doc.label_value(_("Lists used:"), draw.source, size=11)
        doc.label_value(_("People in the pool:"), str(draw.pool_size), size=11)
        doc.label_value(_("Pool fingerprint (SHA-256):"), "", size=11)
        doc.paragraph(draw.pool_fingerprint, size=9)
        doc.label_value(
            _("Seats per stratum:"),
            _(
                "%(titulars)d titular, %(substitutes)d substitutes",
                titulars=draw.titulars_per_stratum,
                substitutes=draw.substitutes_per_stratum,
            ),
            size=11,
        )
        if draw.is_drawn and draw.drawn_at is not None:
            doc.label_value(_("Drawn on:"), moment(draw.drawn_at), size=11)
            doc.label_value(_("Public seed:"), draw.seed or "", size=11)
            doc.label_value(_("Witnesses:"), ", ".join(draw.witness_names), size=11)
            doc.label_value(_("Master key (SHA-256):"), "", size=11)
            doc.paragraph(draw.master_key or "", size=9)
        else:
            doc.paragraph(_("The draw has not been made yet."))
        doc.paragraph(
            _(
                "Policy applied: draw required %(draw)s, parity required %(parity)s.",
                draw=_("yes") if draw.is_draw_required else _("no"),
                parity=_("yes") if draw.is_parity_required else _("no"),
            ),
            size=10,
        )
        strata: dict[str, list[list[str]]] = {}
        for entry in draw.entries:
            if entry.outcome in (DrawOutcome.TITULAR, DrawOutcome.SUBSTITUTE):
                strata.setdefault(entry.stratum, []).append(
                    [entry.outcome.label, str(entry.rank), entry.reference]
                )
        for stratum, rows in sorted(strata.items()):
            doc.heading(_("Stratum: %(s)s", s=stratum_label(stratum)), size=13)
            rows.sort(key=lambda r: (r[0] != DrawOutcome.TITULAR.label, int(r[1])))
            doc.table([_("List"), _("Rank"), _("Reference in the source list")], rows)
        doc.paragraph(
            _(
                "Anyone can redo the draw: the algorithm is described in the"
                " software's source (council/draw.py); the same pool and seed give"
                " the same result."
            ),
            size=9,
        )
        return doc.output()


def convocation_letters(meeting: Meeting, paper: Sequence[Convocation]) -> bytes:
    """One printable convocation per member convened on paper."""
    with force_locale(_locale()):
        doc = CouncilDocument(_("Convocations"), author=meeting.council.name)
        for number, convocation in enumerate(paper):
            if number:
                doc.pdf.add_page()
            user = convocation.member.user
            doc.heading(meeting.council.name)
            doc.paragraph(_("Convocation"), bold=True, size=14)
            doc.label_value(_("For:"), user.real_name or user.pseudonym)
            if convocation.relay is not None:
                doc.label_value(
                    _("Handed over by:"), convocation.relay.pseudonym, size=11
                )
            doc.label_value(_("Meeting:"), meeting.title)
            doc.label_value(_("When:"), moment(meeting.starts_at))
            if meeting.place:
                doc.label_value(_("Where:"), meeting.place)
            doc.paragraph(_("Agenda:"), bold=True)
            doc.steps([item.title for item in meeting.items])
            doc.paragraph(
                _(
                    "If you cannot come, tell the secretary of the council; you can"
                    " give your proxy to another member."
                ),
                size=11,
            )
        if not paper:
            doc.paragraph(_("Every member was convened by e-mail."))
        return doc.output()


def _attendance_rows(meeting: Meeting) -> list[list[str]]:
    display = meeting.council.name_display
    lines = attendance.lines_of(meeting)
    rows = []
    for member in attendance.sheet_members(meeting):
        line = lines.get(member.id)
        status = line.status if line else AttendanceStatus.ABSENT
        holder = (
            public_name(line.proxy_holder, display)
            if line is not None and line.proxy_holder is not None
            else ""
        )
        rows.append(
            [public_name(member, display), member.college.label, status.label, holder]
        )
    return rows


def _decision_rows(meeting: Meeting, *, public: bool) -> list[list[str]]:
    """Item, motion, counts and outcome of each vote (public items only, in public)."""
    return [
        [
            str(item.position),
            item.deliberation.motion,
            f"{item.deliberation.votes_for} / {item.deliberation.votes_against}"
            f" / {item.deliberation.abstentions}",
            item.deliberation.outcome.label,
        ]
        for item in meeting.items
        if item.deliberation is not None and (item.is_public or not public)
    ]


def minutes_document(minutes: Minutes, *, public: bool) -> bytes:
    """The procès-verbal: header, attendance, quorum, decisions, text, errata."""
    meeting = minutes.meeting
    with force_locale(_locale()):
        doc = CouncilDocument(_("Minutes"), author=meeting.council.name)
        doc.heading(meeting.council.name)
        doc.paragraph(_("Minutes — %(title)s", title=meeting.title), bold=True, size=14)
        doc.label_value(_("Meeting:"), meeting.kind.label, size=11)
        doc.label_value(_("When:"), moment(meeting.starts_at), size=11)
        if meeting.place:
            doc.label_value(_("Where:"), meeting.place, size=11)
        doc.label_value(_("Status:"), minutes.state.label, size=11)
        if minutes.approved_at_meeting is not None:
            doc.label_value(
                _("Approved at the meeting of:"),
                format_date(minutes.approved_at_meeting.starts_at, "long"),
                size=11,
            )
        doc.heading(_("Attendance"), size=13)
        doc.table(
            [_("Member"), _("College"), _("Attendance"), _("Proxy given to")],
            _attendance_rows(meeting),
        )
        if meeting.opening_quorum_required is not None:
            doc.paragraph(
                _(
                    "Quorum at the opening: %(counted)d members present or"
                    " represented for %(required)d required.",
                    counted=meeting.opening_quorum_counted or 0,
                    required=meeting.opening_quorum_required,
                ),
                size=11,
            )
        decisions = _decision_rows(meeting, public=public)
        if decisions:
            doc.heading(_("Decisions"), size=13)
            doc.table(
                [
                    _("Item"),
                    _("Motion"),
                    _("For / against / abstentions"),
                    _("Outcome"),
                ],
                decisions,
            )
        doc.heading(_("Minutes"), size=13)
        doc.paragraph(minutes.body, size=10)
        for erratum in minutes.errata:
            doc.paragraph(
                _(
                    "Erratum n° %(n)d (%(when)s): %(text)s",
                    n=erratum.number,
                    when=format_date(erratum.created_at, "long"),
                    text=erratum.text,
                ),
                size=10,
            )
        doc.space(8)
        doc.paragraph(_("The secretary of the meeting          The president"), size=11)
        return doc.output()
