"""Communes, territories (QPV or "hors QPV") and themes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l
from ..extensions import Base


class TerritoryKind(LabelledEnum):
    """A QPV with its official code, or a place outside any QPV."""

    QPV = "qpv", _l("Priority neighbourhood (QPV)")
    OUTSIDE = "outside", _l("Outside the QPV")


class Commune(Base):
    """A commune of the collectivité."""

    __tablename__ = "commune"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: INSEE code, for example 11069 for Carcassonne.
    insee_code: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    population: Mapped[int | None]

    territories: Mapped[list[Territory]] = relationship(
        back_populates="commune", order_by="Territory.name"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "population IS NULL OR population >= 0", name="population_positive"
        ),
    )


class Territory(Base):
    """A priority neighbourhood (QPV) or "hors QPV" area that things attach to."""

    __tablename__ = "territory"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    kind: Mapped[TerritoryKind] = mapped_column(default=TerritoryKind.QPV)
    #: Official QPV code (for example QN01101M); None outside the QPV.
    code: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    population: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)

    commune: Mapped[Commune] = relationship(back_populates="territories")

    __table_args__ = (
        sa.UniqueConstraint("commune_id", "name"),
        sa.CheckConstraint(
            "population IS NULL OR population >= 0", name="population_positive"
        ),
        sa.CheckConstraint("kind <> 'qpv' OR code IS NOT NULL", name="qpv_has_code"),
    )

    def __repr__(self) -> str:
        return f"<Territory {self.code or self.id} {self.name!r}>"


class Theme(Base):
    """A theme items are tagged with; the defaults come from the contrat de ville."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: Label typed by staff. A default theme shows its translated label from
    #: DEFAULT_THEMES instead, until staff rename it (then ``has_custom_name``).
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    has_custom_name: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )

    @property
    def is_default(self) -> bool:
        """One of the themes of the contrat de ville (PRODUCT.md §2)."""
        return self.code in DEFAULT_THEMES

    @property
    def label(self) -> str:
        """The name shown to people, in their language for an unrenamed default."""
        return theme_label(self.code, self.name, self.has_custom_name)

    def __repr__(self) -> str:
        return f"<Theme {self.code!r}>"


#: code -> translated label, in the order of PRODUCT.md §2.
DEFAULT_THEMES = {
    "employment": _l("Employment"),
    "health": _l("Health"),
    "culture": _l("Culture"),
    "education_youth": _l("Education and youth"),
    "access_to_rights": _l("Access to rights"),
    "living_environment": _l("Living environment"),
    "safety": _l("Safety and peace"),
    "ecological_transition": _l("Ecological transitions"),
    "gender_equality": _l("Equality between women and men"),
    "anti_discrimination": _l("Fighting discrimination"),
    "social_ties": _l("Social ties"),
}


def theme_label(code: str, name: str, has_custom_name: bool) -> str:
    """A theme's label from its columns (``Theme.label`` for pages read as rows)."""
    default = DEFAULT_THEMES.get(code)
    if default is not None and not has_custom_name:
        return str(default)
    return name
