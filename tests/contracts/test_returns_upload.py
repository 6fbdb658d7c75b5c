"""Reading a provider's returns file (contracts.returns_upload): whatever arrives, rows or a reason, never a crash."""

import datetime
import io
import random

import pytest
from openpyxl import load_workbook

from contracts import returns_upload


def test_the_template_filled_in_reads_back_as_its_rows():
    content = returns_upload.template([("Accommodation on release", datetime.date(2026, 1, 1))])
    book = load_workbook(io.BytesIO(content))
    book.active["C2"] = 91.5
    out = io.BytesIO()
    book.save(out)
    [row] = returns_upload.read("RETURNS.XLSX", out.getvalue())
    assert row.number == 2 and row.values == {"measure": "Accommodation on release", "period_start": "2026-01-01", "value": 91.5, "evidence": None, "evidence_file": None}


def test_blank_lines_are_skipped_and_rows_keep_their_numbers():
    rows = returns_upload.read("r.csv", b"measure,period_start,value\n\nA,2026-01-01,1\n,,\nB,2026-02-01,2\n")
    assert [(r.number, r.values["measure"]) for r in rows] == [(3, "A"), (5, "B")]


def test_too_many_rows_are_refused_as_a_whole():
    body = "measure,period_start,value\n" + "A,2026-01-01,1\n" * (returns_upload.MAX_ROWS + 1)
    with pytest.raises(returns_upload.UnreadableFile, match=f"at most {returns_upload.MAX_ROWS}"):
        returns_upload.read("r.csv", body.encode())


def test_a_damaged_workbook_is_unreadable_never_a_crash():
    """Bounded and seeded: 400 damaged or truncated copies of a real workbook."""
    good = returns_upload.template([("M", datetime.date(2026, 1, 1)), ("N", datetime.date(2026, 2, 1))])
    rng = random.Random(2026)
    for attempt in range(400):
        data = bytearray(good)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        damaged = bytes(data[: rng.randrange(len(data))] if attempt % 3 == 0 else data)
        try:
            returns_upload.read("returns.xlsx", damaged)
        except returns_upload.UnreadableFile:
            pass


def test_a_damaged_csv_file_is_unreadable_or_its_rows_never_a_crash():
    """Bounded and seeded: 400 copies with quotes, NULs, carriage returns and stray bytes inserted."""
    base = b'measure,period_start,value\n"A",2026-01-01,1\n'
    rng = random.Random(2027)
    for _ in range(400):
        data = bytearray(base)
        for _ in range(rng.randint(1, 10)):
            data.insert(rng.randrange(len(data)), rng.choice([0, 34, 10, 13, 44, rng.randrange(256)]))
        try:
            rows = returns_upload.read("returns.csv", bytes(data))
        except returns_upload.UnreadableFile:
            continue
        assert all(row.number >= 2 for row in rows)
