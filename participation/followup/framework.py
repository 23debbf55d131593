"""The contrat de ville's strategic framework: a tree of objectives staff manage.

Axe → objectif stratégique → objectif opérationnel → ..., any depth; each node has
a code ("1.3") and a label kept apart. Funded projects are tagged to nodes; the
yearly indicators file rolls them up the tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from ..core import audit
from ..core.actors import Actor, is_system
from ..core.errors import FieldErrors, PermissionDenied
from ..core.i18n import lazy_gettext as _l
from ..core.permissions import is_staff
from ..extensions import db
from .models import Objective

#: Names of the first levels (deeper ones are sub-objectives).
LEVEL_NAMES = (
    _l("Axis"),
    _l("Strategic objective"),
    _l("Operational objective"),
)
DEEPER_LEVEL = _l("Sub-objective")


def level_name(depth: int) -> str:
    """ "Axis", "Strategic objective", ... for a node at *depth*."""
    return str(LEVEL_NAMES[depth] if depth < len(LEVEL_NAMES) else DEEPER_LEVEL)


def can_manage_framework(user: object) -> bool:
    return is_staff(user)


@dataclass
class ObjectiveData:
    code: str
    label: str
    parent_id: int | None = None
    position: int = 0
    is_active: bool = True


def all_objectives() -> list[Objective]:
    return list(db.session.scalars(sa.select(Objective).order_by(Objective.code)))


def roots() -> list[Objective]:
    return list(
        db.session.scalars(
            sa.select(Objective)
            .where(Objective.parent_id.is_(None))
            .order_by(Objective.position, Objective.code)
        )
    )


def walk(
    nodes: list[Objective] | None = None, depth: int = 0
) -> Iterator[tuple[Objective, int]]:
    """Every node with its depth, parents before children (the tree's reading order)."""
    for node in roots() if nodes is None else nodes:
        yield node, depth
        yield from walk(node.children, depth + 1)


def ancestors(node: Objective) -> list[Objective]:
    """The node's parents, nearest first."""
    out, current = [], node.parent
    while current is not None:
        out.append(current)
        current = current.parent
    return out


def _check(data: ObjectiveData, node: Objective | None) -> None:
    errors: dict[str, object] = {}
    code = data.code.strip()
    if not code:
        errors["code"] = _l("Give a code, for example 1.3.")
    elif len(code) > 20:
        errors["code"] = _l("A code has 20 characters at most.")
    else:
        clash = db.session.scalar(sa.select(Objective).where(Objective.code == code))
        if clash is not None and clash is not node:
            errors["code"] = _l("Another objective already has this code.")
    if not data.label.strip():
        errors["label"] = _l("Give the objective's wording.")
    if data.parent_id is not None:
        parent = db.session.get(Objective, data.parent_id)
        if parent is None:
            errors["parent_id"] = _l("Choose the parent from the list.")
        elif node is not None and (parent is node or node in ancestors(parent)):
            errors["parent_id"] = _l(
                "An objective cannot be placed under itself or one of its own."
            )
    if errors:
        raise FieldErrors(errors)


def _check_staff(actor: Actor) -> None:
    if not is_system(actor) and not can_manage_framework(actor):
        raise PermissionDenied(_l("Only staff can do this."))


def create_objective(data: ObjectiveData, actor: Actor) -> Objective:
    """Add a node to the tree."""
    _check_staff(actor)
    _check(data, None)
    node = Objective(
        code=data.code.strip(),
        label=data.label.strip(),
        parent_id=data.parent_id,
        position=data.position,
        is_active=data.is_active,
    )
    db.session.add(node)
    db.session.flush()
    audit.record(
        "objective.create",
        actor=actor,
        obj=node,
        code=node.code,
    )
    return node


def update_objective(node: Objective, data: ObjectiveData, actor: Actor) -> Objective:
    """Change a node's code, wording, place in the tree or whether it is offered."""
    _check_staff(actor)
    _check(data, node)
    node.code = data.code.strip()
    node.label = data.label.strip()
    node.parent_id = data.parent_id
    node.position = data.position
    node.is_active = data.is_active
    db.session.flush()
    db.session.refresh(node, ["parent"])
    audit.record(
        "objective.update",
        actor=actor,
        obj=node,
        code=node.code,
        parent_id=node.parent_id,
        is_active=node.is_active,
    )
    return node
