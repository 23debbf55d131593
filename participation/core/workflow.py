"""One way to move any workflow: the transition table, the applier, the history mixin.

A feature declares its workflow once (:class:`Workflow`: the table, the history
row class, the audit prefix) and calls :func:`apply_transition` from its service
after its own checks and side effects. The applier checks the table and the
permission, sets the state and its timestamp, appends the history row and writes
the audit entry. Nothing else assigns a workflow's state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from . import audit
from .actors import Actor, actor_id, is_system
from .errors import Conflict, PermissionDenied
from .i18n import lazy_gettext as _l
from .time import UTCDateTime, utcnow

S = TypeVar("S", bound=Enum)
A = TypeVar("A", bound=Enum)


class HistoryMixin:
    """Columns of a history row: action, from, to, who, a comment, when.

    The subclass adds its foreign key to the object and types ``action``,
    ``from_state`` and ``to_state`` with its own enums.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:
        """Who acted; None for the system. Never shown publicly."""
        return mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))


#: A permission check: may this actor apply this action to this object?
Permission = Callable[[Actor, Any, Any], bool]


@dataclass(frozen=True)
class Workflow(Generic[S, A]):
    """The description of one workflow, shared by its service and its tests."""

    #: Audit prefix, for example ``"idea"`` gives ``idea.submit``.
    name: str
    transitions: Mapping[tuple[S, A], S]
    #: The history row class (a :class:`HistoryMixin` model).
    history: type[Any]
    #: Attribute of the object holding its history rows (a list relationship).
    history_attr: str = "history"
    state_attr: str = "state"
    #: Set to the moment of each change when the object has such a column.
    changed_at_attr: str | None = "state_changed_at"
    #: Optional per-action timestamp columns, e.g. ``{SUBMIT: "submitted_at"}``.
    stamps: Mapping[A, str] = field(default_factory=dict)
    #: The default permission check, when the caller gives none.
    permission: Permission | None = None

    def next_state(self, state: S, action: A) -> S:
        """The state *action* leads to from *state*; :class:`Conflict` if none."""
        try:
            return self.transitions[(state, action)]
        except KeyError:
            raise Conflict(
                _l("This action is not possible in the current state.")
            ) from None

    def allows(self, state: S, action: A) -> bool:
        return (state, action) in self.transitions

    def actions_from(self, state: S) -> list[A]:
        """The actions the table allows from *state*, in table order."""
        return [a for (s, a) in self.transitions if s == state]


def apply_transition(
    workflow: Workflow[S, A],
    obj: Any,
    action: A,
    actor: Actor,
    *,
    comment: str | None = None,
    permission: Permission | None = None,
    now: datetime | None = None,
    audit_details: Mapping[str, Any] | None = None,
) -> S:
    """Apply *action* to *obj*: table, permission, state, stamps, history, audit.

    :raises Conflict: the table has no such transition from the current state.
    :raises PermissionDenied: the actor may not do this (the system actor may).
    """
    now = now or utcnow()
    old_state: S = getattr(obj, workflow.state_attr)
    new_state = workflow.next_state(old_state, action)
    check = permission or workflow.permission
    if check is not None and not is_system(actor) and not check(actor, obj, action):
        raise PermissionDenied(_l("You may not do this."))
    setattr(obj, workflow.state_attr, new_state)
    if workflow.changed_at_attr:
        setattr(obj, workflow.changed_at_attr, now)
    stamp = workflow.stamps.get(action)
    if stamp:
        setattr(obj, stamp, now)
    getattr(obj, workflow.history_attr).append(
        workflow.history(
            action=action,
            from_state=old_state,
            to_state=new_state,
            actor_id=actor_id(actor),
            comment=comment,
            changed_at=now,
        )
    )
    db.session.flush()
    audit.record(
        f"{workflow.name}.{action.value}",
        actor=actor,
        obj=obj,
        from_state=old_state.value,
        to_state=new_state.value,
        comment=comment,
        **dict(audit_details or {}),
    )
    return new_state
