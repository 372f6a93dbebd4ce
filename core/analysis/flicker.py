"""Flicker: brightness that pumps up and down from frame to frame.

Local: the motion-compensated second difference s_t = I_t - (W(I_{t-1}) + W(I_{t+1})) / 2
(both neighbours warped onto frame t), smoothed, counted only where its sign is opposite to
s_{t-1} carried along the flow (pumping alternates; a fade or an exposure ramp does not), and
down-weighted where the residual motion is fast (motion silencing, Choi & Bovik).

Global: the mean-luma series L_t; its second difference |L_t - (L_{t-1} + L_{t+1}) / 2| with
the same sign test, divided by the clip's robust spread so far (median absolute second
difference, floored at 0.5 levels).

Calibration, in 8-bit luma levels: clean footage keeps |s| under ~4 levels (codec noise);
a 10% pump on mid-grey is ~25. Local: heat 0 (per-frame 0.1) at 4, 1 at 12. Global: 0.1 at 4
spreads, 1 at 10.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from core.analysis.context import Context
from core.analysis.motion import Motion
from core.analysis.ops import Tensor, blur, calibrate, frame_score, top_mean, warp_with

LOCAL_CLEAN, LOCAL_BAD = 4.0, 12.0
GLOBAL_CLEAN, GLOBAL_BAD = 4.0, 10.0
SPREAD_FLOOR = 0.5
SILENCE_PX = 6.0
"""Residual motion (360p px/frame) at which a flicker is judged half as visible."""
TOP_FRACTION = 0.01


@dataclass(frozen=True)
class FlickerState:
    """The previous frame's second difference map and the global history."""

    second: Tensor | None = None
    global_second: float = 0.0
    abs_history: tuple[float, ...] = field(default=())


def step(
    ctx: Context, m: Motion, state: FlickerState
) -> tuple[dict[str, Tensor], Tensor, Tensor, FlickerState]:
    """Return (raw signals, heatmap in [0, 1], per-frame score, new state) for a batch."""
    second = blur(m.cur - 0.5 * (m.warped_prev + m.warped_next), 1.5) * m.valid
    prev = torch.cat([state.second if state.second is not None else second[:1] * 0, second[:-1]])
    alternating = (second * warp_with(prev, m.back_grid) < 0).float()
    local = second.abs() * alternating / (1.0 + m.speed / SILENCE_PX)
    local = local * (~m.first).float().view(-1, 1, 1, 1)
    heat = calibrate(local, LOCAL_CLEAN, LOCAL_BAD)
    glob, new_state = _global(m, state, second)
    raw = top_mean(local, TOP_FRACTION)
    score = torch.maximum(frame_score(raw, LOCAL_CLEAN, LOCAL_BAD), glob["score"])
    signals = {
        "flicker_local": raw,
        "luma_mean": m.cur.mean((1, 2, 3)),
        "luma_d2": glob["d2"],
        "flicker_global": glob["score"],
    }
    return signals, heat, score, new_state


def _global(
    m: Motion, state: FlickerState, second: Tensor
) -> tuple[dict[str, Tensor], FlickerState]:
    mean_prev = m.prev.mean((1, 2, 3))
    mean_cur = m.cur.mean((1, 2, 3))
    mean_next = m.nxt.mean((1, 2, 3))
    d2 = (mean_cur - 0.5 * (mean_prev + mean_next)).cpu().double()
    d2 = torch.where(m.first.cpu(), torch.zeros_like(d2), d2)
    scores, history, last = [], list(state.abs_history), state.global_second
    for value in d2.tolist():
        history.append(abs(value))
        spread = max(SPREAD_FLOOR, float(torch.tensor(history).median()))
        alternates = value * last < 0
        scores.append((abs(value) / spread) if alternates else 0.0)
        last = value
    score = frame_score(torch.tensor(scores, dtype=torch.float32), GLOBAL_CLEAN, GLOBAL_BAD)
    new = FlickerState(second[-1:], last, tuple(history[-2000:]))
    return {"d2": d2.float().to(second.device), "score": score.to(second.device)}, new
