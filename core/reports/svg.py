"""Inline SVG line plots: no JavaScript, no external files, readable in any browser."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import numpy as np
from numpy.typing import NDArray

_FONT = 'font-family="sans-serif"'
PALETTE = ("#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf")


def line_plot(
    series: Mapping[str, Sequence[float] | NDArray[np.float64]],
    x: Sequence[float] | NDArray[np.float64],
    title: str,
    y_range: tuple[float, float] | None = None,
    width: int = 720,
    height: int = 180,
) -> str:
    """An SVG chart of one or more series against ``x`` (e.g. time in seconds), with a legend."""
    pad_l, pad_r, pad_t, pad_b = 44, 10, 22, 24
    xs = np.asarray(x, np.float64)
    values = [np.nan_to_num(np.asarray(v, np.float64)) for v in series.values()]
    lo, hi = y_range or _auto_range(values)
    x_lo, x_hi = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 1.0)
    x_hi = x_hi if x_hi > x_lo else x_lo + 1.0

    def px(v: float) -> float:
        return pad_l + (v - x_lo) / (x_hi - x_lo) * (width - pad_l - pad_r)

    def py(v: float) -> float:
        return height - pad_b - (v - lo) / (hi - lo) * (height - pad_t - pad_b)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        _text(pad_l, 14, 12, title),
        *_axes(lo, hi, x_lo, x_hi, px, py, width, height, pad_l, pad_b),
    ]
    for i, (name, vals) in enumerate(zip(series, values, strict=True)):
        colour = PALETTE[i % len(PALETTE)]
        points = " ".join(
            f"{px(a):.1f},{py(min(max(b, lo), hi)):.1f}" for a, b in zip(xs, vals, strict=False)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>'
        )
        lx = pad_l + 8 + i * 120
        parts.append(f'<rect x="{lx}" y="{pad_t}" width="10" height="3" fill="{colour}"/>')
        parts.append(_text(lx + 14, pad_t + 5, 10, name))
    parts.append("</svg>")
    return "".join(parts)


def _auto_range(values: list[np.ndarray]) -> tuple[float, float]:
    if not values or not any(v.size for v in values):
        return 0.0, 1.0
    lo = min(float(v.min()) for v in values if v.size)
    hi = max(float(v.max()) for v in values if v.size)
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def _text(x: float, y: float, size: int, body: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {_FONT}>'
        f"{escape(body)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"/>'


def _axes(  # type: ignore[no-untyped-def]
    lo: float,
    hi: float,
    x_lo: float,
    x_hi: float,
    px,
    py,
    width: int,
    height: int,
    pad_l: int,
    pad_b: int,
) -> list[str]:
    bottom = height - pad_b
    out = [
        _line(pad_l, bottom, width - 10, bottom, "#999"),
        _line(pad_l, py(hi), pad_l, bottom, "#999"),
    ]
    for v in (lo, (lo + hi) / 2, hi):
        out.append(_text(pad_l - 4, py(v) + 3, 9, f"{v:.3g}", "end"))
        out.append(_line(pad_l, py(v), width - 10, py(v), "#eee"))
    for v in np.linspace(x_lo, x_hi, 6):
        out.append(_text(px(v), height - 8, 9, f"{v:.2f}s", "middle"))
    return out
