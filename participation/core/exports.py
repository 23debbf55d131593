"""Spreadsheet-safe CSV: a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return) is a formula to Excel and LibreOffice, so it is prefixed
with an apostrophe. Every CSV the site produces goes through :func:`csv_text`.

The CSV is the one a French spreadsheet opens as it is: UTF-8 with a byte-order
mark (without it Excel reads the accents as Windows-1252) and ``;`` between cells
(Excel and LibreOffice in French take ``,`` as the decimal separator, so a comma
would split every amount in two), lines ending in CRLF. The open data uses the
same (``publishing.opendata.to_csv``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

#: What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What a French spreadsheet needs to open the file right (see above).
BYTE_ORDER_MARK = "\ufeff"
DELIMITER = ";"


def safe_cell(value: Any) -> Any:
    """*value*, with an apostrophe before text a spreadsheet would evaluate.

    Numbers stay numbers (``-3`` is a value, not a formula); text such as
    ``-3+cmd|' /C calc'!A0`` or ``=HYPERLINK(...)`` is neutralised.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The CSV document of *header* and *rows*, every cell made safe."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def safe_row(row: Sequence[Any]) -> list[Any]:
    """One row's cells made safe, for callers that keep their own ``csv.writer``."""
    return [safe_cell(cell) for cell in row]
