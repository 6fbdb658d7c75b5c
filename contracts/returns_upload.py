"""A month's returns in one file (issue #18): the template a provider downloads, and reading what it uploads.

The file is a CSV or an Excel workbook (openpyxl) with the columns of `COLUMNS`, one row per
return: the measure by name, the period by the date it starts, the value and, optionally, the
evidence in words and the name of an evidence file attached with the upload. Reading is pure: it gives each row's values with its row number, or the problems of
the file as a whole (not a CSV or workbook, columns missing, too many rows). Checking each row
against the agreement is `contracts.services.returns_submit_all`'s.
"""

import csv
import io
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

COLUMNS = ("measure", "period_start", "value", "evidence", "evidence_file")
REQUIRED = ("measure", "period_start", "value")
MAX_ROWS = 2000  # a provider's month: every measure of every agreement, with room to spare
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnreadableFile(ValueError):
    """The file as a whole cannot be read as returns: says why."""


@dataclass(frozen=True)
class Row:
    number: int  # as the provider sees it: the heading is row 1
    values: dict[str, Any]


def template(rows: Iterable[tuple[str, date]]) -> bytes:
    """A workbook with the heading and one row per (measure, period) awaiting a return, the value to fill in."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = "Returns"
    sheet.append(list(COLUMNS))
    for measure, period_start in rows:
        sheet.append([measure, period_start.isoformat(), None, None, None])
    for column, width in zip("ABCDE", (40, 14, 12, 60, 30)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _rows_of(table: list[list[Any]]) -> list[Row]:
    if not table:
        raise UnreadableFile("The file is empty: download the template and fill it in.")
    heading = [str(c).strip().lower() if c is not None else "" for c in table[0]]
    missing = [name for name in REQUIRED if name not in heading]
    if missing:
        raise UnreadableFile(f"Row 1 must name the columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}.")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {name: _cell(cells[heading.index(name)]) if heading.index(name) < len(cells) else None
                  for name in COLUMNS if name in heading}
        if all(v in (None, "") for v in values.values()):
            continue  # a blank line
        rows.append(Row(number, values))
    if not rows:
        raise UnreadableFile("The file has no returns in it: fill in a value on each row.")
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(f"The file has {len(rows)} returns; send at most {MAX_ROWS} at a time.")
    return rows


def read(name: str, content: bytes) -> list[Row]:
    """The rows of an uploaded .csv or .xlsx file; UnreadableFile saying why not."""
    if name.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            table = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
        except (InvalidFileException, BadZipFile, zlib.error, ParseError, NotImplementedError, KeyError, IndexError, ValueError,
                TypeError, AttributeError, OSError, EOFError) as broken:
            # A damaged or disguised workbook fails somewhere in openpyxl's reader: the provider is told, nothing else happens.
            raise UnreadableFile("The workbook cannot be opened: save it again as an Excel workbook (.xlsx).") from broken
        return _rows_of(table)
    if name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as broken:
            raise UnreadableFile("The CSV file is not UTF-8 text: save it again as CSV UTF-8.") from broken
        try:
            table = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as broken:
            raise UnreadableFile(f"The CSV file cannot be read ({broken}): save it again as CSV UTF-8.") from broken
        return _rows_of(table)
    raise UnreadableFile("Upload the returns as a CSV file (.csv) or an Excel workbook (.xlsx).")
