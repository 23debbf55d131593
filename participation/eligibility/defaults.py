"""The default grid of PRODUCT.md §3.3, as plain data, and the translation of its texts.

Default labels are stored in the database as their English source text and shown
translated (a criterion whose label staff changed is shown as typed). This keeps the
default grid readable in French, English and Arabic without a column per language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext

from .states import CriterionKind


def _l(message: str) -> str:
    """Mark *message* for the catalogs without translating it now.

    The text is stored in the database as it is and translated when shown, by
    translated_text(). (Named like lazy_gettext so the extractors pick it up.)
    """
    return message


@dataclass(frozen=True)
class DefaultCriterion:
    """One criterion of the default grid."""

    code: str
    kind: CriterionKind
    label: str
    help_text: str
    weight: Decimal | None = None


DEFAULT_GRID_NAME = _l("Participatory budget grid")
DEFAULT_GRID_DESCRIPTION = _l(
    "The grid the city uses to study the ideas of the participatory budget."
)
#: 9 points out of 18: half of the points of the scored criteria.
DEFAULT_THRESHOLD = Decimal(9)

MANDATORY = CriterionKind.MANDATORY
SCORED = CriterionKind.SCORED

DEFAULT_CRITERIA: tuple[DefaultCriterion, ...] = (
    DefaultCriterion(
        "in_qpv",
        MANDATORY,
        _l("It is in the neighbourhood, or mainly for its residents"),
        _l(
            "The place is inside the priority neighbourhood (QPV), "
            "or its residents are the main users."
        ),
    ),
    DefaultCriterion(
        "general_interest",
        MANDATORY,
        _l("It is useful to many people"),
        _l(
            "It is open to everyone and serves the general interest, "
            "not one person or one private group."
        ),
    ),
    DefaultCriterion(
        "investment",
        MANDATORY,
        _l("It is an investment"),
        _l(
            "It builds or buys something that lasts: works, equipment, planting. "
            "Running costs (salaries, an event every year) "
            "cannot be paid by this budget."
        ),
    ),
    DefaultCriterion(
        "city_competence",
        MANDATORY,
        _l("The city is in charge of this kind of project"),
        _l(
            "The city or the agglomeration is competent. If another body is in charge, "
            "the idea can be passed on to it."
        ),
    ),
    DefaultCriterion(
        "cost_within_cap",
        MANDATORY,
        _l("Its cost is within the limit of the round"),
        _l(
            "The cost estimated by the city's services is not above "
            "the round's maximum cost per project."
        ),
    ),
    DefaultCriterion(
        "land_ownership",
        MANDATORY,
        _l("The place can be used and its manager agrees"),
        _l(
            "We know who owns the place (the city, a housing landlord, someone else) "
            "and the owner or manager agrees."
        ),
    ),
    DefaultCriterion(
        "neutrality",
        MANDATORY,
        _l("It has nothing commercial, political or religious"),
        _l("It does not sell anything, promote a party or a religion."),
    ),
    DefaultCriterion(
        "maintenance",
        MANDATORY,
        _l("Looking after it will not cost too much"),
        _l(
            "Cleaning, repairs and energy in the coming years are affordable, "
            "and someone will do them."
        ),
    ),
    DefaultCriterion(
        "social_link",
        SCORED,
        _l("It brings neighbours together"),
        _l("It creates places or moments where people meet."),
        Decimal(2),
    ),
    DefaultCriterion(
        "inclusion",
        SCORED,
        _l("Everyone can use it"),
        _l("Children, older people, people with a disability, women and men alike."),
        Decimal(2),
    ),
    DefaultCriterion(
        "resident_involvement",
        SCORED,
        _l("Residents take part in it"),
        _l("Residents can help to design it, build it or run it."),
        Decimal(1),
    ),
    DefaultCriterion(
        "sustainability",
        SCORED,
        _l("It is good for the environment and lasts"),
        _l("Sturdy materials, less energy, more nature in the neighbourhood."),
        Decimal(1),
    ),
    DefaultCriterion(
        "links",
        CriterionKind.INFORMATIONAL,
        _l("Links with other projects or services"),
        _l(
            "For example a social centre, a school or a tenants' association "
            "that could take part."
        ),
    ),
)

#: Every default text; only these are translated on display.
DEFAULT_TEXTS = frozenset(
    [DEFAULT_GRID_NAME, DEFAULT_GRID_DESCRIPTION]
    + [c.label for c in DEFAULT_CRITERIA]
    + [c.help_text for c in DEFAULT_CRITERIA]
)


def translated_text(text: str) -> str:
    """Translate *text* when it is a default text, else return it unchanged."""
    if text in DEFAULT_TEXTS:
        return str(gettext(text))
    return text
