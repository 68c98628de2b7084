"""Cells written to a spreadsheet (CSV or XLSX) that a spreadsheet cannot run as a formula.

Every export and downloadable template writes its cells through `spreadsheet_safe`: a text that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula by Excel,
LibreOffice or Google Sheets (CSV injection), so it is prefixed with an apostrophe and shown as
typed. Numbers, dates and booleans are written as they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """The value as a spreadsheet cell that is never run: a formula-looking text is prefixed
    with an apostrophe; anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each made safe."""
    return [spreadsheet_safe(value) for value in values]
