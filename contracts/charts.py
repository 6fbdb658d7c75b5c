"""Server-side SVG charts for the agreement page: no script and no inline style (static/app/contracts.css colours them).

A trend chart plots a measure's returns, period by period, over three bands: Green
(on or better than target), Amber (short of target by no more than the tolerance)
and Red (further short), as `contracts.performance.rag` rates them. The bands carry
their names in words and each point's marker has its own shape (circle Green, square
Amber, triangle Red), so nothing is told by colour alone; the SVG has a title and a
description, and the page puts the same numbers in a table below it.
"""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contracts import performance
from contracts.models import Direction

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 72, 72, 12, 36
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MARKER = 5
MIN_LABELLED_BAND = 14  # px: a band thinner than this has no room for its name


def number(value: Decimal) -> str:
    """95, 92.5, 1,200 (no trailing zeros)."""
    return f"{Decimal(value).normalize():,f}"


def with_unit(value: Decimal, unit: str) -> str:
    return f"{number(value)}{unit}" if unit == "%" else f"{number(value)} {unit}".rstrip()


def threshold(measure) -> Decimal:
    """The edge between Amber and Red: target less (or, when lower is better, plus) the tolerance."""
    return measure.target - measure.tolerance if measure.direction == Direction.HIGHER_IS_BETTER else measure.target + measure.tolerance


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _marker(x: float, y: float, rating: str, title: str) -> str:
    css = f"app-chart__point app-chart__point--{rating}"
    if rating == performance.GREEN:
        shape = f'<circle class="{css}" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{MARKER}">'
        end = "</circle>"
    elif rating == performance.AMBER:
        shape = f'<rect class="{css}" x="{_fmt(x - MARKER)}" y="{_fmt(y - MARKER)}" width="{2 * MARKER}" height="{2 * MARKER}">'
        end = "</rect>"
    else:
        points = f"{_fmt(x)},{_fmt(y - MARKER - 1)} {_fmt(x + MARKER + 1)},{_fmt(y + MARKER)} {_fmt(x - MARKER - 1)},{_fmt(y + MARKER)}"
        shape = f'<polygon class="{css}" points="{points}">'
        end = "</polygon>"
    return f"{shape}<title>{escape(title)}</title>{end}"


def trend_points(measure) -> list[tuple]:
    """(period start, value, rating) for each return, oldest first (reads the prefetched returns)."""
    return [(r.period_start, r.value, performance.rag(measure, r.value))
            for r in sorted(measure.returns.all(), key=lambda r: r.period_start)]


def trend_chart(measure, *, chart_id: str) -> SafeString:
    """A small line chart of the measure's returns over its Green, Amber and Red bands; empty without returns."""
    points = trend_points(measure)
    if not points:
        return mark_safe("")
    unit = measure.unit
    edge = threshold(measure)
    values = [float(v) for _, v, _ in points] + [float(measure.target), float(edge)]
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or max(abs(high) * 0.1, 1.0)
    low, high = (0.0 if low >= 0 and low - pad < 0 else low - pad), high + pad

    def y(value) -> float:
        return TOP + (high - float(value)) / (high - low) * PLOT_HEIGHT

    def x(index: int) -> float:
        return LEFT + (PLOT_WIDTH / 2 if len(points) == 1 else index * PLOT_WIDTH / (len(points) - 1))

    higher = measure.direction == Direction.HIGHER_IS_BETTER
    target_y, edge_y, top_y, bottom_y = y(measure.target), y(edge), float(TOP), float(TOP + PLOT_HEIGHT)
    if higher:
        bands = [(performance.GREEN, top_y, target_y), (performance.AMBER, target_y, edge_y), (performance.RED, edge_y, bottom_y)]
    else:
        bands = [(performance.RED, top_y, edge_y), (performance.AMBER, edge_y, target_y), (performance.GREEN, target_y, bottom_y)]

    title = f"Trend of “{measure.name}”"
    latest_start, latest_value, latest_rating = points[-1]
    description = (
        f"{len(points)} return{'s' if len(points) != 1 else ''} from {points[0][0]:%B %Y} to {latest_start:%B %Y}. "
        f"Target {with_unit(measure.target, unit)} ({measure.get_direction_display().lower()}); "
        f"Amber to {with_unit(edge, unit)}, Red beyond. "
        f"Latest {with_unit(latest_value, unit)}, {performance.RAG_LABELS[latest_rating]}. The table below gives every figure."
    )
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for rating, start, end in bands:
        height = max(end - start, 0.0)
        parts.append(f'<rect class="app-chart__band app-chart__band--{rating}" x="{LEFT}" y="{_fmt(start)}" width="{PLOT_WIDTH}" height="{_fmt(height)}"/>')
        if height >= MIN_LABELLED_BAND:
            parts.append(f'<text class="app-chart__band-label" x="{LEFT + PLOT_WIDTH + 6}" y="{_fmt(start + height / 2 + 4)}">'
                         f"{performance.RAG_LABELS[rating]}</text>")
    parts.append(f'<line class="app-chart__target" x1="{LEFT}" x2="{LEFT + PLOT_WIDTH}" y1="{_fmt(target_y)}" y2="{_fmt(target_y)}"/>')
    parts.append(f'<text class="app-chart__axis-label" x="{LEFT - 6}" y="{_fmt(target_y + 4)}" text-anchor="end">'
                 f"{escape(with_unit(measure.target, unit))}</text>")
    if measure.tolerance:
        parts.append(f'<line class="app-chart__threshold" x1="{LEFT}" x2="{LEFT + PLOT_WIDTH}" y1="{_fmt(edge_y)}" y2="{_fmt(edge_y)}"/>')
        if abs(edge_y - target_y) >= MIN_LABELLED_BAND:
            parts.append(f'<text class="app-chart__axis-label" x="{LEFT - 6}" y="{_fmt(edge_y + 4)}" text-anchor="end">'
                         f"{escape(with_unit(edge, unit))}</text>")
    parts.append(f'<line class="app-chart__axis" x1="{LEFT}" x2="{LEFT + PLOT_WIDTH}" y1="{_fmt(bottom_y)}" y2="{_fmt(bottom_y)}"/>')
    step = max(1, (len(points) + 5) // 6)  # at most about six period labels
    for index, (start, _value, _rating) in enumerate(points):
        if index % step == 0 or index == len(points) - 1:
            parts.append(f'<text class="app-chart__axis-label" x="{_fmt(x(index))}" y="{HEIGHT - 12}" text-anchor="middle">{start:%b %Y}</text>')
    if len(points) > 1:
        line = " ".join(f"{_fmt(x(i))},{_fmt(y(v))}" for i, (_, v, _) in enumerate(points))
        parts.append(f'<polyline class="app-chart__line" points="{line}"/>')
    for index, (start, value, rating) in enumerate(points):
        parts.append(_marker(x(index), y(value), rating, f"{start:%B %Y}: {with_unit(value, unit)}, {performance.RAG_LABELS[rating]}"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text from data is escaped above
