"""Territory and theme operations. Services flush; the calling view or command commits.

Every function takes the actor first and re-checks the permission: an
administrator, or :data:`~participation.core.actors.SYSTEM` for the command line
and the demo loader.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.actors import Actor, is_system
from ..core.errors import Conflict, DomainError, PermissionDenied
from ..core.i18n import lazy_gettext as _l
from ..core.permissions import can_manage_territories
from ..extensions import db
from . import queries
from .models import DEFAULT_THEMES, Commune, Territory, TerritoryKind, Theme
from .rules import (
    check_population,
    clean_name,
    is_valid_insee_code,
    is_valid_qpv_code,
    normalise_insee_code,
    normalise_qpv_code,
    slug,
    tidy_name,
)


@dataclass(frozen=True)
class CommuneData:
    """What a form gives to create or edit a commune."""

    insee_code: str
    name: str
    population: int | None = None


@dataclass(frozen=True)
class TerritoryData:
    """What a form gives to create or edit a QPV or a "hors QPV" territory."""

    commune_id: int
    kind: TerritoryKind
    name: str
    code: str | None = None
    population: int | None = None
    is_active: bool = True


def _check(actor: Actor) -> None:
    if not is_system(actor) and not can_manage_territories(actor):
        raise PermissionDenied(_l("Only administrators manage territories and themes."))


@contextmanager
def _unique_guard(message: Any, field: str) -> Iterator[None]:
    """Turn a unique-constraint race (double click, two admins) into a field error.

    The block runs in a SAVEPOINT, flushed at its end: a clash undoes only the
    block, and the caller's transaction stays usable until it is rolled back.
    """
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as error:
        raise Conflict(message, field=field) from error


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply *values* to *obj*; return {field: [old, new]} for what really changed."""
    changed: dict[str, list[Any]] = {}
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            changed[key] = [old, value]
            setattr(obj, key, value)
    return changed


# --- Communes -------------------------------------------------------------------


def _commune_values(data: CommuneData, current: Commune | None) -> dict[str, Any]:
    code = normalise_insee_code(data.insee_code)
    if not is_valid_insee_code(code):
        raise DomainError(
            _l("Enter the INSEE code of the commune: five digits, for example 11069."),
            field="insee_code",
        )
    check_population(data.population)
    clash = db.session.scalar(sa.select(Commune).where(Commune.insee_code == code))
    if clash is not None and clash is not current:
        raise Conflict(
            _l("The commune %(name)s already has this INSEE code.", name=clash.name),
            field="insee_code",
        )
    return {
        "insee_code": code,
        "name": clean_name(data.name),
        "population": data.population,
    }


def create_commune(actor: Actor, data: CommuneData) -> Commune:
    """Add a commune of the collectivité."""
    _check(actor)
    values = _commune_values(data, None)
    commune = Commune(**values)
    with _unique_guard(_l("Another commune has this INSEE code."), "insee_code"):
        db.session.add(commune)
    audit.record("commune.create", actor=actor, obj=commune, **values)
    return commune


def update_commune(actor: Actor, commune: Commune, data: CommuneData) -> Commune:
    """Change a commune's code, name or population."""
    _check(actor)
    values = _commune_values(data, commune)
    with _unique_guard(_l("Another commune has this INSEE code."), "insee_code"):
        changes = _changes(commune, values)
    if changes:
        audit.record("commune.update", actor=actor, obj=commune, changes=changes)
    return commune


# --- Territories (QPV and "hors QPV") -------------------------------------------


def _territory_code(data: TerritoryData, current: Territory | None) -> str | None:
    """The official code a QPV must have (and no other territory may)."""
    code: str | None = normalise_qpv_code(data.code) or None
    if data.kind is not TerritoryKind.QPV:
        if code is not None:
            raise DomainError(
                _l("Only a QPV has an official code: leave this field empty."),
                field="code",
            )
        return None
    if code is None:
        raise DomainError(
            _l("Enter the official code of the QPV, for example QN01101M."),
            field="code",
        )
    if not is_valid_qpv_code(code):
        raise DomainError(
            _l(
                "This does not look like a QPV code: QN or QP, the département, "
                "then digits and sometimes a letter, for example QN01101M."
            ),
            field="code",
        )
    clash = db.session.scalar(sa.select(Territory).where(Territory.code == code))
    if clash is not None and clash is not current:
        raise Conflict(
            _l("The QPV %(name)s already has this code.", name=clash.name),
            field="code",
        )
    return code


def _territory_values(data: TerritoryData, current: Territory | None) -> dict[str, Any]:
    commune = db.session.get(Commune, data.commune_id)
    if commune is None:
        raise DomainError(_l("Choose a commune."), field="commune_id")
    name = clean_name(data.name)
    code = _territory_code(data, current)
    check_population(data.population)
    same_name = db.session.scalar(
        sa.select(Territory).where(
            Territory.commune_id == commune.id,
            sa.func.lower(Territory.name) == name.lower(),
        )
    )
    if same_name is not None and same_name is not current:
        raise Conflict(
            _l("This commune already has a territory with this name."), field="name"
        )
    return {
        "commune_id": commune.id,
        "kind": data.kind,
        "code": code,
        "name": name,
        "population": data.population,
        "is_active": data.is_active,
    }


def create_territory(actor: Actor, data: TerritoryData) -> Territory:
    """Add a QPV (with its official code) or a "hors QPV" territory."""
    _check(actor)
    values = _territory_values(data, None)
    territory = Territory(**values)
    with _unique_guard(_l("Another territory has this code or name."), "code"):
        db.session.add(territory)
    audit.record("territory.create", actor=actor, obj=territory, **values)
    return territory


def update_territory(
    actor: Actor, territory: Territory, data: TerritoryData
) -> Territory:
    """Change a territory; deactivating hides it from new rounds, funds and forms."""
    _check(actor)
    values = _territory_values(data, territory)
    with _unique_guard(_l("Another territory has this code or name."), "code"):
        changes = _changes(territory, values)
    if changes:
        audit.record("territory.update", actor=actor, obj=territory, changes=changes)
    return territory


# --- Themes ---------------------------------------------------------------------


def _unique_code(name: str) -> str:
    base = slug(name)
    taken = set(
        db.session.scalars(sa.select(Theme.code).where(Theme.code.like(f"{base}%")))
    )
    code, n = base, 2
    while code in taken or code in DEFAULT_THEMES:
        code, n = f"{base}_{n}", n + 1
    return code


def _check_theme_name(name: str, current: Theme | None) -> str:
    name = clean_name(name)
    for theme in db.session.scalars(sa.select(Theme)):
        if theme is not current and name.casefold() in {
            theme.name.casefold(),
            theme.label.casefold(),
        }:
            raise Conflict(_l("A theme already has this name."), field="name")
    return name


def _next_position() -> int:
    return (db.session.scalar(sa.select(sa.func.max(Theme.position))) or 0) + 1


def create_theme(actor: Actor, name: str) -> Theme:
    """Add a theme at the end of the list."""
    _check(actor)
    name = _check_theme_name(name, None)
    theme = Theme(
        code=_unique_code(name),
        name=name,
        position=_next_position(),
        has_custom_name=False,
    )
    with _unique_guard(_l("A theme already has this name."), "name"):
        db.session.add(theme)
    audit.record("theme.create", actor=actor, obj=theme, code=theme.code, name=name)
    return theme


def rename_theme(actor: Actor, theme: Theme, name: str) -> Theme:
    """Rename a theme. Giving a default theme its own label again restores it."""
    _check(actor)
    default = DEFAULT_THEMES.get(theme.code)
    clean = tidy_name(name)
    if default is not None and clean == str(default):
        if theme.has_custom_name:
            old = theme.name
            theme.has_custom_name = False
            audit.record("theme.rename", actor=actor, obj=theme, old=old, new=None)
        return theme
    clean = _check_theme_name(name, theme)
    old_label = theme.label
    theme.name = clean
    theme.has_custom_name = default is not None
    db.session.flush()
    if old_label != theme.label:
        audit.record("theme.rename", actor=actor, obj=theme, old=old_label, new=clean)
    return theme


def move_theme(actor: Actor, theme: Theme, direction: Literal["up", "down"]) -> bool:
    """Swap *theme* with its neighbour; return False when it is already at that end."""
    _check(actor)
    themes = queries.ordered_themes()
    index = themes.index(theme)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(themes):
        return False
    themes[index], themes[other] = themes[other], themes[index]
    # Renumber 1..n: positions may have gaps or ties after imports and deletions.
    for position, item in enumerate(themes, start=1):
        item.position = position
    db.session.flush()
    audit.record(
        "theme.move", actor=actor, obj=theme, direction=direction, position=other + 1
    )
    return True


def set_theme_active(actor: Actor, theme: Theme, active: bool) -> None:
    """Offer (or stop offering) a theme for new items; tagged items keep it."""
    _check(actor)
    if theme.is_active == active:
        return
    theme.is_active = active
    db.session.flush()
    audit.record(
        "theme.activate" if active else "theme.deactivate", actor=actor, obj=theme
    )


def ensure_default_themes(actor: Actor) -> int:
    """Add the default themes that are missing; return how many were added."""
    _check(actor)
    existing = set(db.session.scalars(sa.select(Theme.code)))
    position = _next_position()
    added: list[str] = []
    for code, label in DEFAULT_THEMES.items():
        if code in existing:
            continue
        # The stored name is the French label (the site's default language); the
        # page shows the label in each visitor's language.
        with force_locale("fr"):
            name = str(label)
        db.session.add(Theme(code=code, name=name, position=position))
        position += 1
        added.append(code)
    if added:
        db.session.flush()
        audit.record("theme.defaults", actor=actor, object_type="theme", added=added)
    return len(added)
