"""The one CSV writer every export uses: a cell a spreadsheet would run as a formula is neutralised.

OWASP's "CSV injection": a cell beginning `=`, `+`, `-`, `@`, a tab or a carriage return is
read by Excel and LibreOffice as a formula (`=HYPERLINK(…)`, `=cmd|…`). Such a cell is written
with a leading apostrophe, which spreadsheets show as text and do not evaluate. Numbers are
written as they are (a negative amount is a number, not a formula).
"""

import csv
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | int | float | Decimal:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV download: the header, then each row's cells, every one through `cell`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return response
