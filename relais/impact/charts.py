"""Bar charts drawn on the server as SVG (no JavaScript): each has a title its `svg` is labelled
by, and the template shows the same numbers in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
BAR_AREA = 300
ROW = 22


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    unit: str = ""


def bar_chart(
    slug: str, title: str, rows: Sequence[tuple[str, int | float]], unit: str = ""
) -> Chart:
    """A horizontal bar chart of `rows` (label, value), bars scaled to the largest value."""
    top = max((float(value) for _label, value in rows), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            y=index * ROW,
            width=max(1 if value else 0, round(BAR_AREA * float(value) / top)),
            text_y=index * ROW + 15,
        )
        for index, (label, value) in enumerate(rows)
    ]
    return Chart(slug=slug, title=title, bars=bars, height=max(ROW, len(rows) * ROW), unit=unit)
