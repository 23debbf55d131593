"""Official codes and names of communes and territories: pure checks.

No application, no database: the services and the form validators share them.
"""

from __future__ import annotations

import re
import unicodedata

from ..core.errors import DomainError
from ..core.i18n import lazy_gettext as _l

#: Official QPV codes: QP (2015 list) or QN (2024 list), the département on three
#: characters (011, 02A, 971), then digits and sometimes a letter: QP011001,
#: QN01101M, QP02A002. Lenient on the length of the number.
QPV_CODE_RE = re.compile(r"^Q[NP](?:\d{3}|02[AB])\d{2,5}[A-Z]?$")
#: INSEE commune codes: five digits, or 2A/2B and three digits in Corsica.
INSEE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
#: Largest population we accept (more than any French commune).
MAX_POPULATION = 5_000_000
NAME_MAX_LENGTH = 120


def normalise_qpv_code(raw: str | None) -> str:
    """Upper-case *raw* and drop spaces and dashes (people copy codes loosely)."""
    return re.sub(r"[\s\-_.]", "", raw or "").upper()


def normalise_insee_code(raw: str | None) -> str:
    return re.sub(r"\s", "", raw or "").upper()


def is_valid_qpv_code(code: str) -> bool:
    return bool(QPV_CODE_RE.match(code))


def is_valid_insee_code(code: str) -> bool:
    return bool(INSEE_CODE_RE.match(code))


def tidy_name(name: str | None) -> str:
    """Single spaces, no edges."""
    return " ".join((name or "").split())


def clean_name(name: str | None, field: str = "name") -> str:
    """A required name of at most 120 characters, spaces tidied."""
    name = tidy_name(name)
    if not name:
        raise DomainError(_l("Enter a name."), field=field)
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            _l("The name is too long (120 characters at most)."), field=field
        )
    return name


def check_population(population: int | None) -> None:
    if population is not None and not 0 <= population <= MAX_POPULATION:
        raise DomainError(
            _l("Enter a population between 0 and %(max)d.", max=MAX_POPULATION),
            field="population",
        )


def slug(text: str) -> str:
    """A lowercase ASCII code made of *text* (at most 32 characters)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    code = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return code[:32] or "theme"
