"""The summary page's bar chart: a pure function from labelled amounts to an SVG drawing.

Server-rendered, no script. The drawing carries a <title> and <desc> and the page always shows
the same numbers as a table beside it, so a screen reader or a printout loses nothing. Plain
Python (no Django) so it can be tested without settings; the caller formats the amounts, since
the currency and the reader's locale decide how a number is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# Geometry in SVG user units; the drawing scales to its container's width (viewBox).
WIDTH = 360
ROW = 44
BAR = 18
LABEL_GAP = 4
TOP = 6
AMOUNT_ROOM = 110  # space kept right of the longest bar for its amount
COLOURS = ("#2f6f8f", "#b85c38", "#4f7942", "#7a5195", "#a8741a", "#3c6e71", "#8c4a5b", "#56606b")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str  # the amount as the reader sees it, e.g. "$1,234.50"


def bar_chart(*, title: str, description: str, bars: Sequence[Bar], chart_id: str) -> str:
    """An accessible horizontal bar chart; `chart_id` keeps ids unique when a page shows several.

    Negative values are drawn as empty bars (amounts here are never negative); an empty list
    draws nothing but the title, so the caller decides what to say instead."""
    largest = max((bar.value for bar in bars if bar.value > 0), default=Decimal(0))
    room = WIDTH - AMOUNT_ROOM
    height = TOP + ROW * len(bars) + 4
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = TOP + ROW * index
        share = (bar.value / largest) if largest and bar.value > 0 else Decimal(0)
        length = int((share * room).to_integral_value()) if share else 0
        if share and length < 2:
            length = 2  # a small non-zero amount stays visible
        colour = COLOURS[index % len(COLOURS)]
        parts.append(
            f'<g><text x="0" y="{y + 12}" class="chart-label">{escape(bar.label)}</text>'
            f'<rect x="0" y="{y + 12 + LABEL_GAP}" width="{length}" height="{BAR}" rx="3" '
            f'fill="{colour}"/>'
            f'<text x="{length + 6}" y="{y + 12 + LABEL_GAP + BAR - 4}" '
            f'class="chart-amount">{escape(bar.text)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
