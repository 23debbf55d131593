"""The audit log read as sentences: "Agent X published the result “Bastide”".

An entry stores codes (``vote_result.publish``, object type ``vote_result``, id 6).
The audit page turns each into a sentence in the reader's language, with a link to
the object when it has a page, and keeps the raw record one click away.

Core sits below the features, so objects are found through the mapped classes of
the shared declarative registry (an entry's object type is its table's name) and
their pages through endpoint names; an object type or action this module does not
know still gets a sentence, naming the code.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from ..extensions import Base, db
from .converters import ascii_int
from .i18n import lazy_gettext as _l
from .models import AuditEntry

#: What the person did, by whole action first, then by the part after the dot.
VERBS: Mapping[str, Any] = {
    "vote_key.open": _l("opened the ballot box of"),
    "round.vote_close_change": _l("changed the end of the vote of"),
    "round.results_published": _l("published the results of"),
    "account.signed_in": _l("signed in to"),
    "abandon": _l("abandoned"),
    "acknowledge": _l("recorded the reply of the service for"),
    "adopt": _l("adopted"),
    "agenda_item_added": _l("added"),
    "apply_theme_rules": _l("applied the theme rules to"),
    "approve": _l("approved"),
    "assign": _l("assigned the review of"),
    "attendance_recorded": _l("recorded the attendance of"),
    "cancel": _l("cancelled"),
    "carry_over": _l("carried over the money left of"),
    "certify": _l("certified"),
    "close": _l("closed"),
    "composition_recorded": _l("recorded"),
    "compute": _l("counted"),
    "convene": _l("convened"),
    "council_created": _l("created"),
    "create": _l("created"),
    "create_default": _l("created"),
    "declare_ineligible": _l("declared ineligible"),
    "defaults": _l("created the default themes of"),
    "defer": _l("deferred"),
    "deliberation_recorded": _l("recorded"),
    "deliver": _l("marked as delivered"),
    "deposit": _l("put in the ballot box"),
    "draw_imported": _l("imported"),
    "draw_performed": _l("performed"),
    "email_confirmed": _l("confirmed the e-mail address of"),
    "facilitator_added": _l("added"),
    "finish": _l("finished"),
    "finish_keying": _l("finished keying"),
    "follow": _l("followed"),
    "follow_confirmed": _l("confirmed the following of"),
    "follow_requested": _l("asked to follow"),
    "funders": _l("set the funders of"),
    "grant": _l("granted"),
    "help_recorded": _l("recorded help for"),
    "hide": _l("hid"),
    "import_pabulib": _l("imported"),
    "lock": _l("locked"),
    "managed_created": _l("created"),
    "mark_complete": _l("marked as complete"),
    "mark_incomplete": _l("marked as incomplete"),
    "meeting_created": _l("created"),
    "member_added": _l("added"),
    "merge": _l("merged"),
    "milestone_add": _l("added a milestone to"),
    "minutes_revised": _l("revised"),
    "minutes_started": _l("started"),
    "not_select": _l("did not select"),
    "open": _l("opened"),
    "password_changed": _l("changed the password of"),
    "password_reset": _l("reset the password of"),
    "pay_advance": _l("paid the advance of"),
    "payment_advance": _l("recorded the advance paid for"),
    "payment_balance": _l("recorded the balance paid for"),
    "photo_removed": _l("removed a photo from"),
    "propose": _l("proposed"),
    "publish": _l("published"),
    "recompute": _l("counted again"),
    "reconcile": _l("reconciled"),
    "recovery_code_used": _l("used a recovery code for"),
    "recovery_codes_renewed": _l("renewed the recovery codes of"),
    "refuse": _l("refused"),
    "rename": _l("renamed"),
    "request_report": _l("asked for the report of"),
    "retain": _l("kept for the vote"),
    "role_granted": _l("gave a role to"),
    "role_revoked": _l("took a role from"),
    "rules_adopted": _l("adopted the rules of"),
    "save": _l("saved the review of"),
    "save_applicant": _l("saved the group of"),
    "save_budget": _l("saved the budget of"),
    "save_holder": _l("saved the payment holder of"),
    "save_project": _l("saved the project of"),
    "save_reglement": _l("accepted the rules for"),
    "schedule": _l("scheduled"),
    "score": _l("scored"),
    "second_factor_disabled": _l("turned off two-factor sign-in for"),
    "second_factor_enabled": _l("turned on two-factor sign-in for"),
    "select": _l("selected"),
    "setup_code_issued": _l("issued a set-up code for"),
    "setup_code_used": _l("used the set-up code of"),
    "signed_out_everywhere": _l("signed out everywhere from"),
    "start": _l("started"),
    "start_review": _l("started the review of"),
    "submit": _l("submitted"),
    "submit_report": _l("submitted the report of"),
    "theme_rule": _l("set a theme rule of"),
    "transfer": _l("transmitted to a service"),
    "unfollow": _l("stopped following"),
    "update": _l("changed"),
    "update_published": _l("published an update of"),
    "verified": _l("verified the residence of"),
    "version_freeze": _l("froze"),
    "withdraw": _l("withdrew"),
}

#: The object, with its article, by object type (the table's name).
KINDS: Mapping[str, Any] = {
    "commune": _l("the commune"),
    "council": _l("the council"),
    "council_agenda_item": _l("the agenda item"),
    "council_composition": _l("the composition"),
    "council_deliberation": _l("the deliberation"),
    "council_draw": _l("the draw by lot"),
    "council_facilitator": _l("the facilitator"),
    "council_meeting": _l("the meeting"),
    "council_member": _l("the council member"),
    "council_minutes": _l("the minutes"),
    "envelope": _l("the envelope"),
    "fph_application": _l("the FPH application"),
    "fph_fund": _l("the FPH fund"),
    "fph_reglement": _l("the FPH rules"),
    "framework_objective": _l("the objective"),
    "grid": _l("the eligibility grid"),
    "grid_version": _l("the version of the grid"),
    "idea": _l("the idea"),
    "paper_batch": _l("the paper batch"),
    "paper_keying": _l("the keying"),
    "polling_desk": _l("the polling desk"),
    "project": _l("the project"),
    "round": _l("the round"),
    "territory": _l("the neighbourhood"),
    "theme": _l("the theme"),
    "user": _l("the account"),
    "vote_result": _l("the result"),
    "vote_rules": _l("the vote rules"),
}

#: Object types with a page: (endpoint, its argument, the attribute that fills it).
LINKS: Mapping[str, tuple[str, str, str]] = {
    "idea": ("budget.idea_detail", "idea_id", "id"),
    "round": ("budget.round_detail", "round_id", "id"),
    "project": ("followup.project_detail", "project_id", "id"),
    "vote_result": ("voting.result_detail", "envelope_id", "envelope_id"),
    "territory": ("territories.territory_detail", "territory_id", "id"),
    "polling_desk": ("desks.desk_detail", "desk_id", "id"),
    "paper_batch": ("desks.batch_detail", "batch_id", "id"),
    "council": ("council.council_detail", "council_id", "id"),
    "council_meeting": ("council.meeting_detail", "meeting_id", "id"),
    "fph_fund": ("fph.fund_detail", "fund_id", "id"),
    "fph_application": ("fph.review", "application_id", "id"),
    "user": ("accounts.person_detail", "person_id", "id"),
}

#: The attributes tried, in order, for an object's name.
TITLE_ATTRIBUTES = ("title", "name", "place", "pseudonym")


@dataclass(frozen=True)
class Described:
    """An object named in an entry: its name (or None) and its page (or None)."""

    title: str | None
    url: str | None


def _mapped_class(table: str) -> Any | None:
    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table:
            return mapper.class_
    return None


def _title(obj: Any, object_type: str) -> str | None:
    if object_type == "vote_result":
        envelope = getattr(obj, "envelope", None)
        territory = getattr(envelope, "territory", None)
        round_ = getattr(envelope, "round", None)
        if territory is not None and round_ is not None:
            return f"{territory.name} — {round_.title}"
        return None
    for attribute in TITLE_ATTRIBUTES:
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _url(obj: Any, object_type: str) -> str | None:
    link = LINKS.get(object_type)
    if link is None:
        return None
    endpoint, argument, attribute = link
    value = getattr(obj, attribute, None)
    if value is None:
        return None
    try:
        return url_for(endpoint, **{argument: value})
    except BuildError:  # the feature is not installed in this application
        return None


def describe(entries: Iterable[AuditEntry]) -> dict[tuple[str, str], Described]:
    """Name and page of every object the entries point at, one query per type.

    Keys are ``(object type, object id)`` as the entries store them (text).
    """
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        number = ascii_int(entry.object_id) if entry.object_id else None
        if number is not None:
            wanted[entry.object_type].add(number)
    found: dict[tuple[str, str], Described] = {}
    for object_type, ids in wanted.items():
        model = _mapped_class(object_type)
        if model is None or not hasattr(model, "id"):
            continue
        stmt = sa.select(model).where(model.id.in_(ids))
        if object_type == "vote_result" and hasattr(model, "envelope"):
            # The name of a result is its envelope's neighbourhood and round.
            envelope = model.envelope.property.mapper.class_
            stmt = stmt.options(
                selectinload(model.envelope).selectinload(envelope.territory),
                selectinload(model.envelope).selectinload(envelope.round),
            )
        for obj in db.session.scalars(stmt):
            found[(object_type, str(obj.id))] = Described(
                _title(obj, object_type), _url(obj, object_type)
            )
    return found


def verb(action: str) -> str:
    """What was done, in the reader's language (the code itself when unknown)."""
    phrase = VERBS.get(action) or VERBS.get(action.rpartition(".")[2])
    if phrase is None:
        return str(_("recorded “%(action)s” on", action=action))
    return str(phrase)


def kind(object_type: str) -> str:
    """The object's kind with its article (the code itself when unknown)."""
    label = KINDS.get(object_type)
    return str(label) if label is not None else object_type


def sentence(entry: AuditEntry, person: str, found: Described | None) -> Markup:
    """The entry as one sentence, the object linked to its page when it has one."""
    parts: dict[str, Any] = {
        "person": person,
        "verb": verb(entry.action),
        "kind": kind(entry.object_type),
    }
    if entry.object_id is None:
        template = _("%(person)s %(verb)s %(kind)s")
    else:
        if found is not None and found.title:
            template = _("%(person)s %(verb)s %(kind)s “%(object)s”")
            text: Markup | str = found.title
        else:
            template = _("%(person)s %(verb)s %(kind)s no. %(object)s")
            text = str(entry.object_id)
        if found is not None and found.url:
            parts["object"] = Markup('<a href="{}">{}</a>').format(found.url, text)
        else:
            parts["object"] = text
    # escape() gives Markup: the translated template is escaped, then each
    # part is escaped as it goes in (the link is Markup already).
    return escape(template) % parts


def person_name(actor_id: int | None, names: Mapping[int, str]) -> str:
    """Who did it: the person's pseudonym, a deleted account, or the system."""
    if actor_id is None:
        return str(_("The system"))
    name = names.get(actor_id)
    if name is None:
        return str(_("Deleted account (no. %(id)d)", id=actor_id))
    return name


def detail_pairs(raw: str) -> list[tuple[str, str]]:
    """The stored JSON details as (key, text) pairs for display."""
    try:
        data = json.loads(raw)
    except ValueError:
        return [("", raw)]
    if not isinstance(data, dict):
        return [("", json.dumps(data, ensure_ascii=False))]
    return [
        (
            str(key),
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
        )
        for key, value in data.items()
    ]


@dataclass(frozen=True)
class Row:
    """An entry as the audit page shows it: a sentence, and the raw record."""

    entry: AuditEntry
    sentence: Markup
    details: list[tuple[str, str]]


def rows(entries: Sequence[AuditEntry], names: Mapping[int, str]) -> list[Row]:
    """The entries as display rows; *names* are the actors' pseudonyms by id.

    The objects they point at are found with one query per object type.
    """
    objects = describe(entries)
    return [
        Row(
            entry=entry,
            sentence=sentence(
                entry,
                person_name(entry.actor_id, names),
                objects.get((entry.object_type, entry.object_id))
                if entry.object_id is not None
                else None,
            ),
            details=detail_pairs(entry.details),
        )
        for entry in entries
    ]
