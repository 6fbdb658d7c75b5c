"""A horizontal bar chart as inline SVG, for pages that also show its figures in a table (nothing told by the chart alone).

Colours are presentation attributes (the Content Security Policy allows no inline style); each bar
carries its figure in words beside it.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TEXT, BAR = "#0b0c0c", "#1d70b8"
LABEL_WIDTH, BAR_WIDTH, FIGURE_WIDTH, ROW = 210, 330, 140, 30


def bar_chart(rows: list[tuple[str, float, str]], *, title: str, chart_id: str, colours: dict[str, str] | None = None) -> SafeString:
    """`rows` of (label, value, the value as shown); bars scaled to the largest value."""
    largest = max((value for _, value, _ in rows), default=0) or 1
    height = ROW * len(rows) + 10
    width = LABEL_WIDTH + BAR_WIDTH + FIGURE_WIDTH
    body = []
    for index, (label, value, shown) in enumerate(rows):
        y = 5 + index * ROW
        length = max(1.0, BAR_WIDTH * value / largest) if value else 0
        colour = (colours or {}).get(label, BAR)
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 19}" text-anchor="end" font-size="16" fill="{TEXT}">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="20" fill="{colour}"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 19}" font-size="16" fill="{TEXT}">{escape(shown)}</text>'
        )
    summary = "; ".join(f"{label}: {shown}" for label, _, shown in rows)
    return mark_safe(  # nosec B308, B703: every text in it is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="app-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc"><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>{"".join(body)}</svg>'
    )
