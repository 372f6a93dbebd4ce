"""Per-frame rows: the defect scores first, then the plain metrics and every raw signal."""

from __future__ import annotations

from core.analysis.context import Context
from core.analysis.decode import DecodedFrame
from core.analysis.motion import Motion
from core.analysis.ops import Tensor, magnitude
from core.analysis.report import CLASSES

TEMPORAL = frozenset({"warping", "melting", "flicker", "physics"})
"""Classes that compare a frame with its predecessor; frame 0 scores 0 for them."""


def motion_metrics(ctx: Context, m: Motion) -> dict[str, Tensor]:
    """Mean flow size and camera shift (360p px/frame) and the occluded fraction."""
    to_360p = 1.0 / ctx.scale
    # mean(camera) = mean(back) - mean(residual): no camera map is materialised
    camera = (m.back.mean((2, 3)) - m.residual.mean((2, 3))) * -to_360p
    return {
        "flow_mag": magnitude(m.back)[:, 0].mean((1, 2)) * to_360p,
        "cam_dx": camera[:, 0],
        "cam_dy": camera[:, 1],
        "occluded": 1.0 - (m.valid.sum((1, 2, 3)) / m.interior.sum().clamp_min(1.0)),
    }


def frame_rows(
    frames: list[DecodedFrame], scores: dict[str, Tensor], signals: dict[str, Tensor]
) -> list[dict[str, float]]:
    """One dict per frame: ``frame``, ``time_s``, the class scores, then the raw signals."""
    score_lists = {k: scores[k].detach().cpu().double().tolist() for k in CLASSES}
    signal_lists = {k: v.detach().cpu().double().tolist() for k, v in signals.items()}
    rows = []
    for i, frame in enumerate(frames):
        row: dict[str, float] = {"frame": float(frame.index), "time_s": round(frame.time_s, 6)}
        for kind in CLASSES:
            value = 0.0 if frame.index == 0 and kind in TEMPORAL else score_lists[kind][i]
            row[kind] = round(value, 5)
        row.update({name: round(values[i], 6) for name, values in signal_lists.items()})
        rows.append(row)
    return rows
