"""Read a volunteer or tenant list (CSV) into a pseudonymised draw pool.

Only the columns the draw needs are kept: a ``reference`` (the list's own number
for the person, e.g. a tenant or volunteer number), the ``sex`` and, when present,
an ``age_band`` and a ``qpv``. Any other column (name, address, e-mail, phone) is
ignored and never stored: staff find the drawn people in their own list by the
reference. Either every line is good and the whole pool is returned, or
:class:`PoolErrors` lists the bad lines by number and nothing is kept.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from flask_babel import ngettext

from ..core.errors import DomainError
from ..core.i18n import lazy_gettext as _l
from .draw import PoolPerson

MAX_POOL_SIZE = 5000
MAX_FILE_BYTES = 1024 * 1024
MAX_REFERENCE_LENGTH = 64
MAX_LABEL_LENGTH = 30
#: Line errors shown at most (the count says how many there are in all).
SHOWN_ERRORS = 20

#: Accepted headers (compared without case, accents or spaces) for each column.
HEADERS = {
    "reference": {"reference", "ref", "id", "numero", "number", "no"},
    "sex": {"sex", "sexe", "genre"},
    "age_band": {"age_band", "ageband", "tranche_age", "tranche_d_age", "age"},
    "qpv": {"qpv", "quartier", "neighbourhood"},
}
SEX_VALUES = {
    "f": "female",
    "female": "female",
    "femme": "female",
    "w": "female",
    "woman": "female",
    "m": "male",
    "h": "male",
    "male": "male",
    "homme": "male",
    "man": "male",
}


class PoolErrors(DomainError):
    """The file cannot be imported; ``lines`` holds ``(line number, message)``."""

    def __init__(self, lines: list[tuple[int, Any]], *, field: str = "pool_file"):
        self.lines = lines
        shown = "; ".join(
            str(_l("line %(n)d: %(problem)s", n=n, problem=problem))
            for n, problem in lines[:SHOWN_ERRORS]
        )
        if len(lines) > SHOWN_ERRORS:
            shown += " …"
        super().__init__(
            ngettext(
                "Nothing was imported: %(num)d line of the file has a problem"
                " (%(lines)s).",
                "Nothing was imported: %(num)d lines of the file have problems"
                " (%(lines)s).",
                len(lines),
                lines=shown,
            ),
            field=field,
        )


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(plain.replace("'", " ").replace("-", " ").split())


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(
            _l("The file is larger than 1 MB: split the list."), field="pool_file"
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(  # pragma: no cover - cp1252 decodes nearly every byte
        _l("The file is not a text (CSV) file."), field="pool_file"
    )


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        folded = _folded(name)
        for column, aliases in HEADERS.items():
            if folded in aliases and column not in found:
                found[column] = index
    return found


def _person(
    row: list[str], columns: dict[str, int], seen: set[str]
) -> PoolPerson | Any:
    """The person of one line, or the (lazily translated) problem with it."""

    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    reference = cell("reference")
    if not reference:
        return _l("the reference is missing")
    if len(reference) > MAX_REFERENCE_LENGTH:
        return _l("the reference is longer than 64 characters")
    if reference in seen:
        return _l("the reference %(ref)s appears twice", ref=reference)
    sex = SEX_VALUES.get(_folded(cell("sex")))
    if sex is None:
        return _l("the sex must be F or M (read: “%(value)s”)", value=cell("sex"))
    age_band = cell("age_band") or None
    qpv = cell("qpv") or None
    if any(len(value or "") > MAX_LABEL_LENGTH for value in (age_band, qpv)):
        return _l("the age band and the QPV are at most 30 characters")
    seen.add(reference)
    return PoolPerson(reference=reference, sex=sex, age_band=age_band, qpv=qpv)


def parse_pool(data: bytes) -> list[PoolPerson]:
    """Every person of the CSV file, or :class:`PoolErrors` naming the bad lines.

    The separator may be a comma or a semicolon (French spreadsheets); the first
    line names the columns.
    """
    text = _decode(data)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise PoolErrors([(1, _l("the file is empty"))])
    try:
        dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
        columns = _columns(header)
        if "reference" not in columns or "sex" not in columns:
            raise PoolErrors(
                [(1, _l("the first line must name the columns “reference” and “sex”"))]
            )
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise PoolErrors(
            [(reader.line_num, _l("the line cannot be read (%(why)s)", why=str(error)))]
        ) from None
    people: list[PoolPerson] = []
    problems: list[tuple[int, Any]] = []
    seen: set[str] = set()
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        result = _person(row, columns, seen)
        if isinstance(result, PoolPerson):
            people.append(result)
        else:
            problems.append((number, result))
    if problems:
        raise PoolErrors(problems)
    if not people:
        raise PoolErrors([(2, _l("the list has no one in it"))])
    if len(people) > MAX_POOL_SIZE:
        raise PoolErrors(
            [(MAX_POOL_SIZE + 2, _l("the list has more than 5,000 people"))]
        )
    return people
