"""Small server-rendered SVG charts (no JavaScript, no CDN: the school PCs may be offline)."""

from html import escape


def bar_chart(rows: list[tuple[str, int]], width: int = 480, bar: int = 18) -> str:
    """Horizontal bars of percentages, one per label."""
    label_width, gap, legend = 110, 6, 24
    height = len(rows) * (bar + gap) + 10 + legend
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" style="max-width:{width}px" role="img" '
             'aria-label="Tiến độ nhập điểm">', _legend()]
    for index, (label, percent) in enumerate(rows):
        y = 5 + legend + index * (bar + gap)
        length = (width - label_width - 50) * max(0, min(percent, 100)) / 100
        colour = "#2e7d32" if percent >= 90 else "#f9a825" if percent >= 50 else "#c62828"
        parts.append(f'<text x="0" y="{y + bar - 5}" font-size="12">{escape(label)}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" '
                     f'fill="{colour}"/><text x="{label_width + length + 4:.1f}" '
                     f'y="{y + bar - 5}" font-size="12">{percent}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    """What the colours mean: the same thresholds as the bars."""
    items = [("#2e7d32", "từ 90%"), ("#f9a825", "50–89%"), ("#c62828", "dưới 50%")]
    parts = []
    for index, (colour, text) in enumerate(items):
        x = index * 120
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="14" font-size="12">{text}</text>')
    return "".join(parts)
