"""Personal data: what each feature keeps about a person, and how long.

Core knows no feature. Each registers, once per application:

- a :class:`PersonalData` source: the rows about a person it exports into
  "download my data", and what it erases when the account is deleted (keeping
  or removing the public contributions, as the person chose);
- :class:`RetentionRule` entries: what ``flask privacy purge`` removes once the
  period the personal-data page states is over (sign-in lists of a vote, inactive
  accounts; council draw pools and FPH files will add theirs).

Every export and every purge is written to the audit log.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask.sansio.app import App

from . import audit
from .actors import SYSTEM, Actor, Person
from .exports import csv_text
from .time import utcnow

_SOURCES_KEY = "participation.personal_data"
_RULES_KEY = "participation.retention_rules"

#: ``{table name: [row, ...]}``: one feature's rows about a person.
Tables = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class PersonalData:
    """One feature's part of what the site keeps about a person."""

    name: str
    #: The rows about *person*, by table (JSON-serialisable values).
    export: Callable[[Person], Tables]
    #: Erase what this feature keeps on *person*, whose account is being deleted;
    #: the second argument is True when public contributions are to be kept
    #: (under "former account"). Runs before the account itself is anonymised.
    erase: Callable[[Person, bool], None] | None = None


@dataclass(frozen=True)
class RetentionRule:
    """Data to remove once a stated period is over."""

    name: str
    #: What the rule removes and after how long (shown by ``flask privacy purge``).
    description: str
    #: ``apply(now, dry_run)`` removes (or, dry, counts) what is due; returns how
    #: many rows it removed.
    apply: Callable[[datetime, bool], int]


def register_personal_data(app: App, source: PersonalData) -> None:
    """Add *source* to *app*'s personal data (once per feature)."""
    sources: dict[str, PersonalData] = app.extensions.setdefault(_SOURCES_KEY, {})
    sources[source.name] = source


def register_retention_rule(app: App, rule: RetentionRule) -> None:
    """Add *rule* to what ``flask privacy purge`` applies."""
    rules: dict[str, RetentionRule] = app.extensions.setdefault(_RULES_KEY, {})
    rules[rule.name] = rule


def sources() -> list[PersonalData]:
    found: Mapping[str, PersonalData] = current_app.extensions.get(_SOURCES_KEY, {})
    return list(found.values())


def retention_rules() -> list[RetentionRule]:
    found: Mapping[str, RetentionRule] = current_app.extensions.get(_RULES_KEY, {})
    return list(found.values())


def collect(person: Person) -> dict[str, Tables]:
    """Everything the registered features keep about *person*, by feature."""
    return {source.name: source.export(person) for source in sources()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def export_archive(person: Person, *, actor: Actor) -> bytes:
    """A ZIP of everything about *person*: ``data.json`` and one CSV per table.

    The export is audited (who downloaded whose data); the caller commits.
    """
    data = collect(person)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        document = {
            "generated_at": utcnow().isoformat(timespec="seconds"),
            "site": current_app.config.get("SITE_NAME"),
            "person_id": person.id,
            "data": {
                feature: {
                    table: [
                        {key: _jsonable(value) for key, value in row.items()}
                        for row in rows
                    ]
                    for table, rows in tables.items()
                }
                for feature, tables in data.items()
            },
        }
        out.writestr(
            "data.json", json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        )
        for feature, tables in data.items():
            for table, rows in tables.items():
                out.writestr(f"{feature}/{table}.csv", _table_csv(rows))
    audit.record(
        "privacy.exported",
        actor=actor,
        object_type="user",
        object_id=person.id,
        tables=sorted(f"{f}/{t}" for f, tables in data.items() for t in tables),
    )
    return archive.getvalue()


def _table_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    header: list[str] = []
    for row in rows:
        header.extend(key for key in row if key not in header)
    return csv_text(
        header, ([_jsonable(row.get(key)) for key in header] for row in rows)
    )


def erase(person: Person, *, keep_public: bool) -> None:
    """Let every feature erase what it keeps about *person* (account deletion)."""
    for source in sources():
        if source.erase is not None:
            source.erase(person, keep_public)


def purge(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Apply every retention rule; return what each removed (audited unless dry)."""
    moment = now or utcnow()
    removed = {rule.name: rule.apply(moment, dry_run) for rule in retention_rules()}
    if not dry_run:
        audit.record(
            "privacy.purged",
            actor=SYSTEM,
            object_type="retention",
            removed=removed,
            as_of=moment.isoformat(timespec="seconds"),
        )
    return removed
