"""Warping: non-rigid, time-varying deformation that neither the camera nor a rigid object
explains.

Signals (per frame t, on the residual flow r = flow(t -> t-1) minus the fitted camera
homography):

- ``flow_accel``: |r_t - r_{t-1} carried along the flow| — the change of a pixel's own motion
  between frames. Rigid objects at constant velocity give ~0, gravity ~0.5 px/frame² at 360p; a
  wobbling (elastic, time-varying) deformation oscillates by several px/frame². This is the
  heatmap and the score: it separated injected warps from clean motion in our synthetic
  clips where the static Jacobian measures did not (object edges look "strained" too).
- ``warp_error``: Lai et al.'s masked squared residual |I_t - W(I_{t-1})|² on non-occluded
  pixels (raw signal, for comparison with published numbers).
- ``strain``, ``log_det_j``, ``fold_frac``: the static flow-field irregularity of r (shear
  magnitude, |log det J| and the fraction of folded pixels, det J <= 0 by any of the four
  one-sided differences), as raw signals.

Calibration (360p px/frame², top 1% of pixels, measured on synthetic clips): clean clips stay
below ~2.5; injected warps reach 4-8. Heat 0 and per-frame score 0.1 at 2.5, 1 at 5.5.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.analysis.context import Context
from core.analysis.motion import Motion
from core.analysis.ops import (
    Tensor,
    blur,
    calibrate,
    erode,
    frame_score,
    gradients,
    magnitude,
    opening,
    top_mean,
    warp_with,
)

ACCEL_CLEAN, ACCEL_BAD = 2.5, 5.5
TOP_FRACTION = 0.01


@dataclass(frozen=True)
class WarpState:
    """The previous frame's residual flow; None until a frame with a real predecessor."""

    residual: Tensor | None = None


def step(
    ctx: Context, m: Motion, state: WarpState
) -> tuple[dict[str, Tensor], Tensor, Tensor, WarpState]:
    """Return (raw signals, heatmap in [0, 1], per-frame score, new state) for a batch."""
    prev_res = _previous(m.residual, state.residual)
    accel = magnitude(m.residual - warp_with(prev_res, m.back_grid))
    # Acceleration needs two real flows: frame 0 has none, frame 1's predecessor has none.
    had = torch.tensor([state.residual is not None], device=accel.device)
    has_prev = torch.cat([had, ~m.first[:-1]]) & ~m.first
    accel = ctx.px_to_360p(opening(blur(accel, 1.0), ctx.kernel(9)))
    accel = accel * erode(m.valid, 3) * has_prev.view(-1, 1, 1, 1)
    heat = calibrate(accel, ACCEL_CLEAN, ACCEL_BAD)
    raw = top_mean(accel, TOP_FRACTION)
    signals = {"flow_accel": raw, **_static(m)}
    carry = None if bool(m.first[-1]) else m.residual[-1:]
    return signals, heat, frame_score(raw, ACCEL_CLEAN, ACCEL_BAD), WarpState(carry)


def _previous(residual: Tensor, carried: Tensor | None) -> Tensor:
    first = carried if carried is not None else torch.zeros_like(residual[:1])
    return torch.cat([first, residual[:-1]])


def _static(m: Motion) -> dict[str, Tensor]:
    """Raw signals only (not scored), so they are computed on every other pixel: 4x cheaper."""
    err = (m.cur - m.warped_prev).pow(2) * m.valid
    warp_error = err.sum((1, 2, 3)) / m.valid.sum((1, 2, 3)).clamp_min(1.0)
    residual, interior = m.residual[..., ::2, ::2] * 0.5, m.interior[..., ::2, ::2]
    smooth = blur(residual, 0.75)
    ux, uy = gradients(smooth[:, :1])
    vx, vy = gradients(smooth[:, 1:])
    shear = (0.25 * (ux - vy) ** 2 + 0.25 * (uy + vx) ** 2).sqrt() * interior
    det = (1 + ux) * (1 + vy) - uy * vx
    log_det = det.clamp_min(1e-3).log().abs() * interior
    return {
        "warp_error": warp_error,
        "strain": top_mean(shear, TOP_FRACTION),
        "log_det_j": top_mean(log_det, TOP_FRACTION),
        "fold_frac": (_folds(residual) * interior).mean((1, 2, 3)),
    }


def _folds(flow: Tensor) -> Tensor:
    """1 where det J <= 0 by any of the four one-sided difference pairs (Liu et al. 2024)."""
    u, v = flow[:, :1], flow[:, 1:]
    folded = torch.zeros_like(u, dtype=torch.bool)
    for dx in (_fwd_x, _bwd_x):
        for dy in (_fwd_y, _bwd_y):
            det = (1 + dx(u)) * (1 + dy(v)) - dy(u) * dx(v)
            folded |= det <= 0
    return folded.float()


def _fwd_x(x: Tensor) -> Tensor:
    return torch.nn.functional.pad(x[..., 1:] - x[..., :-1], (0, 1))


def _bwd_x(x: Tensor) -> Tensor:
    return torch.nn.functional.pad(x[..., 1:] - x[..., :-1], (1, 0))


def _fwd_y(x: Tensor) -> Tensor:
    return torch.nn.functional.pad(x[..., 1:, :] - x[..., :-1, :], (0, 0, 0, 1))


def _bwd_y(x: Tensor) -> Tensor:
    return torch.nn.functional.pad(x[..., 1:, :] - x[..., :-1, :], (0, 0, 1, 0))
