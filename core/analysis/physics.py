"""Physics and object permanence: things that vanish, appear or jump in one frame.

A real object that disappears is occluded, leaves through a border, or moves away; in all
those cases the optical flow explains the change. What is left is a one-frame, object-sized
change that nothing explains:

- B_t: the motion-compensated residual |I_t - W(I_{t-1})|, eroded so that the thin bands at
  occlusion edges of moving objects vanish and only solid, object-sized blobs stay.
- P_t = max(0, B_t - max(B^fwd_t, W(B_{t-1}))), where B^fwd_t is the same residual towards
  frame t+1. A vanish, appearance or teleport is a change into a state that then persists, so
  it shows against t-1 but not against t+1 and not in the frame before; flicker, warps and
  melts change on consecutive frames and cancel out.

Each event is classified (``vanish``, ``appear``, ``teleport``: two similar blobs at once) from
the blobs of the peak frame, in :mod:`core.analysis.events`.

Calibration (8-bit luma levels, top 0.5% of pixels, synthetic clips): clean clips stay under
~2 levels; a vanishing or teleporting textured object gives 5-10. Heat 0 and per-frame score
0.1 at 2.5, 1 at 5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from core.analysis import tracks
from core.analysis.context import Context
from core.analysis.motion import Motion, interior_mask
from core.analysis.ops import Tensor, blur, calibrate, erode, frame_score, top_mean, warp_with

RESIDUAL_CLEAN, RESIDUAL_BAD = 2.5, 5.0
TOP_FRACTION = 0.005
BORDER_FRACTION = 0.08
"""Object permanence is judged away from the borders (8% of the short side): objects leave
the frame there, and flow on an object cut by the border fails in exactly this way."""


@dataclass(frozen=True)
class PhysicsState:
    """The previous frame's eroded residual (None before the first frame) and the tracks."""

    blob: Tensor | None = None
    tracks: tracks.TrackState = field(default_factory=tracks.TrackState)


def step(
    ctx: Context, m: Motion, state: PhysicsState
) -> tuple[dict[str, Tensor], Tensor, Tensor, PhysicsState]:
    """Return (raw signals, heatmap in [0, 1], per-frame score, new state) for a batch."""
    size = ctx.kernel(13)
    back = erode(blur((m.cur - m.warped_prev).abs(), 1.5), size)
    fwd = erode(blur((m.cur - m.warped_next).abs(), 1.5), size)
    before = torch.cat([state.blob if state.blob is not None else back[:1] * 0, back[:-1]])
    before = warp_with(before, m.back_grid)
    # The "not there in the frame before" test needs a real residual for t-1: frames 0 and 1
    # have none (frame 0 has no predecessor), so they are not judged.
    had = torch.tensor([state.blob is not None], device=back.device)
    judged = (torch.cat([had, ~m.first[:-1]]) & ~m.first).float().view(-1, 1, 1, 1)
    h, w = back.shape[-2:]
    inner = interior_mask(h, w, back.device, BORDER_FRACTION)
    one_shot = (back - torch.maximum(fwd, before)).clamp_min(0.0) * inner * judged
    raw = top_mean(one_shot, TOP_FRACTION)
    track_signals, track_heat, track_scores, track_state = tracks.step(ctx, m, state.tracks, inner)
    signals = {
        "unexplained_change": raw,
        **track_signals,
        "physics_jerk": track_scores["jerk"],
        "physics_area": track_scores["area_change"],
    }
    heat = torch.maximum(calibrate(one_shot, RESIDUAL_CLEAN, RESIDUAL_BAD), track_heat)
    score = frame_score(raw, RESIDUAL_CLEAN, RESIDUAL_BAD)
    score = torch.maximum(score, torch.maximum(track_scores["jerk"], track_scores["area_change"]))
    carry = None if bool(m.first[-1]) else back[-1:]
    return signals, heat, score, PhysicsState(carry, track_state)
