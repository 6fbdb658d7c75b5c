"""SVG charts for the evaluation reports (WeasyPrint draws inline SVG; the pages can show them too).

Colours are presentation attributes (no inline style), each bar is labelled with its
figure in words and the reports print the same numbers in a table, so nothing is
told by colour alone.
"""

from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contracts import performance

COLOURS = {performance.RED: "#d4351c", performance.AMBER: "#f47738", performance.GREEN: "#00703c", "none": "#b1b4b6"}
LABELS = {**performance.RAG_LABELS, "none": "No returns yet"}
TEXT = "#0b0c0c"


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="chart-title chart-desc"><title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(description)}</desc>{"".join(body)}</svg>'
    )


def _score_colour(score: float) -> str:
    return COLOURS[performance.GREEN] if score >= 75 else COLOURS[performance.AMBER] if score >= 50 else COLOURS[performance.RED]


def score_trend(trend: list[list[str]]) -> SafeString:
    """Bars of the weighted score (0 to 100) for each of the latest periods, oldest on the left."""
    width, height, left, bottom, top = 560, 180, 36, 30, 10
    plot_height = height - bottom - top
    if not trend:
        return _svg(width, 40, "Score by period", "No returns yet.", [f'<text x="0" y="24" fill="{TEXT}" font-size="12">No returns yet.</text>'])
    slot = (width - left) / len(trend)
    body = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}" stroke="{TEXT}"/>',
            f'<line x1="{left}" y1="{top + plot_height}" x2="{width}" y2="{top + plot_height}" stroke="{TEXT}"/>']
    for mark in (0, 50, 100):
        y = top + plot_height * (1 - mark / 100)
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" fill="{TEXT}" font-size="10" text-anchor="end">{mark}</text>')
    for index, (period, score_text) in enumerate(trend):
        score = float(score_text)
        bar = plot_height * score / 100
        x = left + index * slot + slot * 0.15
        y = top + plot_height - bar
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" fill="{_score_colour(score)}"/>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{max(y - 2, top + 8):.1f}" fill="{TEXT}" font-size="9" text-anchor="middle">{score:g}</text>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - 12}" fill="{TEXT}" font-size="9" text-anchor="middle">'
                    f'{date.fromisoformat(period):%b %y}</text>')
    description = "; ".join(f"{date.fromisoformat(p):%B %Y}: {s}" for p, s in trend)
    return _svg(width, height, "Weighted score by period (0 to 100)", description, body)


def rag_bars(counts: dict) -> SafeString:
    """Horizontal bars: how many agreements are Red, Amber, Green, or without returns."""
    width, row, left = 560, 26, 120
    order = [performance.RED, performance.AMBER, performance.GREEN, "none"]
    largest = max([counts.get(code, 0) for code in order] + [1])
    body = []
    for index, code in enumerate(order):
        count = counts.get(code, 0)
        y = index * row + 4
        bar = (width - left - 60) * count / largest
        body.append(f'<text x="{left - 6}" y="{y + 14}" fill="{TEXT}" font-size="11" text-anchor="end">{LABELS[code]}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{bar:.1f}" height="{row - 8}" fill="{COLOURS[code]}"/>')
        body.append(f'<text x="{left + bar + 6:.1f}" y="{y + 14}" fill="{TEXT}" font-size="11">{count:,}</text>')
    description = "; ".join(f"{LABELS[code]}: {counts.get(code, 0)}" for code in order)
    return _svg(width, len(order) * row + 8, "Agreements by RAG rating", description, body)
