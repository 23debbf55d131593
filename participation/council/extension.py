"""Extension points for features built on council meetings (the FPH committee first).

* An FPH committee is a meeting of kind ``fph_committee``; each application it
  examines is an agenda item of kind ``fph_file`` (decision kind ``fph_grant``).
  The FPH feature links its applications to such items with a foreign key to
  ``council_agenda_item.id`` on its own table; the council feature needs no code
  of it.
* :data:`deliberation_recorded` is sent with the :class:`Deliberation` once a vote
  is recorded (inside the transaction: a receiver may write, and a failure rolls
  the vote back). The FPH feature listens to turn an adopted ``fph_file`` vote into
  a grant decision.
* :func:`register_item_link` lets a feature show, on the agenda, a link to what an
  item is about (the application of an ``fph_file`` item).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from blinker import Namespace

from .states import AgendaItemKind

if TYPE_CHECKING:
    from .models import AgendaItem

_signals = Namespace()

#: ``deliberation_recorded.send(deliberation)`` after each recorded vote.
deliberation_recorded = _signals.signal("council.deliberation-recorded")

#: item -> (label, url) of what the item is about, or None.
ItemLink = Callable[["AgendaItem"], tuple[str, str] | None]
_ITEM_LINKS: dict[AgendaItemKind, ItemLink] = {}


def register_item_link(kind: AgendaItemKind, link: ItemLink) -> None:
    """Let a feature say what an agenda item of *kind* is about."""
    _ITEM_LINKS[kind] = link


def item_link(item: AgendaItem) -> tuple[str, str] | None:
    """The (label, url) a feature registered for this item, if any."""
    link = _ITEM_LINKS.get(item.kind)
    return link(item) if link is not None else None
