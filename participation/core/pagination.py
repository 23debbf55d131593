"""Offset pagination for list pages: one count query and one page query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from ..extensions import db

T = TypeVar("T")

#: Rows per page unless a page asks for another size.
PER_PAGE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and what the pagination links need."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown (0 when empty)."""
        return 0 if not self.items else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def page_number(value: Any) -> int:
    """Parse a ``?page=`` argument; anything odd gives page 1 (never an error)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 1_000_000 else 1


#: A SELECT of any number of columns, and one of its result rows.
AnySelect = sa.Select[*tuple[Any, ...]]
AnyRow = sa.Row[*tuple[Any, ...]]


def paginate_rows(stmt: AnySelect, page: int, per_page: int = PER_PAGE) -> Page[AnyRow]:
    """Run *stmt* (ordered) for one page; rows keep every selected column."""
    total = (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        )
        or 0
    )
    last_page = max(1, -(-total // per_page))
    page = min(page, last_page)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=rows, page=page, per_page=per_page, total=total)
