"""Inline SVG plots of view.html: one actor's mean score per period, above its claim counts per label.

The score axis runs from -1 (against) to +1 (favor) with the neutral band shaded; a point's area grows with
its claims, and a period without claims leaves a gap in the line rather than joining its neighbours. The
bars below stack the claims of each period by label. Hovering a point or bar shows its figures (SVG <title>).
"""
from __future__ import annotations

from html import escape

WIDTH, TOP, SCORE_H, GAP, BARS_H, AXIS_H = 320, 8, 96, 12, 40, 16
HEIGHT = TOP + SCORE_H + GAP + BARS_H + AXIS_H
LEFT, RIGHT = 30, 8
COLOURS = {"against": "#b2182b", "neutral": "#9a9a9a", "favor": "#2166ac"}


def _y(score: float) -> float:
    return TOP + (1 - score) / 2 * SCORE_H


def actor_plot(actor: str, rows: list[dict], periods: list[tuple[str, str]], neutral_band: float) -> str:
    """The <svg> of one actor; `rows` are its actors_over_time.csv rows, `periods` every (label, start) of the
    corpus's range in order."""
    by_period = {row["period"]: row for row in rows}
    span = WIDTH - LEFT - RIGHT
    step = span / max(len(periods), 1)
    xs = [LEFT + step * (i + 0.5) for i in range(len(periods))]
    most = max((row["claims"] for row in rows), default=1)
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(actor)}: mean score per period">',
             (f'<rect x="{LEFT}" y="{_y(neutral_band):.1f}" width="{span}" '
              f'height="{_y(-neutral_band) - _y(neutral_band):.1f}" fill="#efefef"/>')]
    for score, label in ((1, "+1"), (0, "0"), (-1, "-1")):
        y = _y(score)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c8c8c8" '
                     f'stroke-width="{1 if score == 0 else 0.5}"/>'
                     f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{label}</text>')
    parts.append(f'<text x="{LEFT - 4}" y="{TOP + SCORE_H + GAP + 9}" text-anchor="end">{most}</text>')
    segment: list[str] = []
    for x, (period, _) in zip(xs, periods):
        row = by_period.get(period)
        if row is None:
            parts.append(_polyline(segment))
            segment = []
            continue
        segment.append(f"{x:.1f},{_y(row['mean_score']):.1f}")
    parts.append(_polyline(segment))
    bar_w = max(min(step * 0.7, 24), 1.5)
    for x, (period, _) in zip(xs, periods):
        row = by_period.get(period)
        if row is None:
            continue
        tip = (f"{period}: mean score {row['mean_score']:+.2f} over {row['claims']} claims "
               f"({row['n_against']} against, {row['n_neutral']} neutral, {row['n_favor']} favor)")
        radius = 2 + 4 * (row["claims"] / most) ** 0.5
        colour = COLOURS[row["label"]]
        parts.append(f'<circle cx="{x:.1f}" cy="{_y(row["mean_score"]):.1f}" r="{radius:.1f}" fill="{colour}" '
                     f'fill-opacity="0.8"><title>{escape(tip)}</title></circle>')
        base = TOP + SCORE_H + GAP + BARS_H
        for label in ("against", "neutral", "favor"):
            height = BARS_H * row[f"n_{label}"] / most
            if height:
                base -= height
                parts.append(f'<rect x="{x - bar_w / 2:.1f}" y="{base:.1f}" width="{bar_w:.1f}" '
                             f'height="{height:.1f}" fill="{COLOURS[label]}"><title>{escape(tip)}</title></rect>')
    axis_y = HEIGHT - 3
    parts.append(f'<text x="{LEFT}" y="{axis_y}">{escape(periods[0][0])}</text>' if periods else "")
    if len(periods) > 1:
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{axis_y}" text-anchor="end">{escape(periods[-1][0])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _polyline(points: list[str]) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="#777" stroke-width="1.2"/>'
