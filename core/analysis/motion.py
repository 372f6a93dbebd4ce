"""The motion front end every detector shares, computed once per batch on the device.

For each core frame t of a batch it holds the neighbours t-1 and t+1 warped onto t's grid,
the non-occlusion mask (Ruder et al.'s forward-backward check plus motion boundaries, as in
Lai et al. ECCV 2018 and EvalCrafter), and the flow left over after removing the camera
homography.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import NDArray

from core.analysis.context import REFERENCE_SHORT_SIDE_PX
from core.analysis.flow import PairFlow
from core.analysis.ops import (
    Tensor,
    block_mean,
    flow_grid,
    gradients,
    magnitude,
    pixel_grid,
    points_grid,
    warp_with,
)

# Lai/Ruder occlusion thresholds, in pixels² (their constants, unchanged).
_FB_REL, _FB_ABS = 0.01, 0.5
_MB_REL, _MB_ABS = 0.01, 0.002
# Residual-flow gradients above this (squared, px/px) count as motion boundaries only where the
# flow also jumps by more than _MB_JUMP_PX within 2 px: smooth non-rigid warps are what we look
# for, so they must not be masked out as occlusions.
_MB_JUMP_PX = 1.5
_BORDER_FRACTION, _BORDER_MIN_PX = 0.04, 6
MAP_SHORT_SIDE_PX = 180


@dataclass(frozen=True)
class Motion:
    """Per-batch motion tensors, all (N, C, H, W) float32 on the analysis device."""

    prev: Tensor
    cur: Tensor
    nxt: Tensor
    back: Tensor
    """Flow t -> t-1 (C=2)."""
    back_grid: Tensor
    """``back`` as a grid_sample grid (N, H, W, 2): warp with ``warp_with(x, m.back_grid)``."""
    residual: Tensor
    """``back`` minus the camera motion (C=2): what the camera does not explain."""
    speed: Tensor
    """|``residual``| in 360p px/frame (C=1): how fast a pixel moves against the camera."""
    camera_grid: Tensor
    """The camera motion alone (``back - residual``) as a grid_sample grid (N, H, W, 2)."""
    warped_prev: Tensor
    warped_next: Tensor
    valid: Tensor
    """1 where t-1 -> t is not occluded and the pixel came from inside the frame (C=1)."""
    interior: Tensor
    """(1, 1, H, W): 1 away from the frame border, where content may enter or leave freely."""
    first: Tensor
    """(N,) bool: the frame has no predecessor (frame 0)."""


def _stack_flows(flows: list[NDArray[np.float32]], device: torch.device) -> Tensor:
    """(N, 2, H, W) from OpenCV's (H, W, 2) flows."""
    return _stack_points(flows, device).permute(0, 3, 1, 2).contiguous()


def _stack_points(flows: list[NDArray[np.float32]], device: torch.device) -> Tensor:
    return torch.from_numpy(np.stack(flows)).to(device)


def camera_field(homographies: NDArray[np.float64], h: int, w: int, device: torch.device) -> Tensor:
    """(N, 2, H, W) flow induced by each 3x3 homography (t -> t-1)."""
    grid = pixel_grid(h, w, device).reshape(2, -1)
    ones = torch.ones(1, grid.shape[1], device=device)
    mats = torch.from_numpy(homographies.astype(np.float32)).to(device)
    pts = mats @ torch.cat([grid, ones])[None]
    z = pts[:, 2:].where(pts[:, 2:].abs() > 1e-6, torch.full_like(pts[:, 2:], 1e-6))
    return (pts[:, :2] / z - grid[None]).reshape(-1, 2, h, w)


def map_downscale(short_side_px: int) -> int:
    """How much smaller than the analysis frames the detector maps are (1 or 2, ...).

    The maps run at a ~180 px short side: DIS solves the flow at a quarter of 360p anyway, the
    heatmaps are stored at most 160 px wide, and it cuts the per-pixel work 4x at 360p.
    """
    return max(1, short_side_px // MAP_SHORT_SIDE_PX)


def shrink(x: Tensor, factor: int) -> Tensor:
    """Analysis-size maps to map size (cell means over ``factor`` x ``factor`` pixels)."""
    return x if factor == 1 else block_mean(x, factor)


def build_motion(
    luma: Tensor, pairs: list[PairFlow], first: list[bool], device: torch.device
) -> Motion:
    """Assemble the motion of core frames 1..N of ``luma`` (N+2 frames: t-1, core, t+1, at map
    size, see :func:`shrink`).

    ``pairs[j]`` is the flow between ``luma[j]`` and ``luma[j+1]``, at the same size
    (:class:`core.analysis.flow.FlowEstimator` with the same factor).
    """
    n = luma.shape[0] - 2
    h, w = luma.shape[-2:]
    prev, cur, nxt = luma[:n], luma[1 : n + 1], luma[2:]
    back_points = _stack_points([p.back for p in pairs[:n]], device)
    back = back_points.permute(0, 3, 1, 2).contiguous()
    fwd = _stack_flows([p.fwd for p in pairs[:n]], device)
    next_grid = points_grid(_stack_points([p.fwd for p in pairs[1:]], device))
    cam = camera_field(np.stack([p.camera for p in pairs[:n]]), h, w, device)
    residual = back - cam
    inner = interior_mask(h, w, device)
    grid = points_grid(back_points)
    valid = non_occluded(grid, back, fwd, residual).mul_(came_from_inside(grid)).mul_(inner)
    return Motion(
        prev=prev,
        cur=cur,
        nxt=nxt,
        back=back,
        back_grid=grid,
        residual=residual,
        speed=magnitude(residual).mul_(REFERENCE_SHORT_SIDE_PX / min(h, w)),
        camera_grid=flow_grid(cam),
        warped_prev=warp_with(prev, grid),
        warped_next=warp_with(nxt, next_grid),
        valid=valid,
        interior=inner,
        first=torch.tensor(first, device=device),
    )


def interior_mask(
    h: int, w: int, device: torch.device, fraction: float = _BORDER_FRACTION
) -> Tensor:
    """(1, 1, H, W) mask that is 0 within the border margin (``fraction`` of the short side):
    objects enter and leave there, and DIS flow is least reliable there."""
    margin = max(_BORDER_MIN_PX, round(fraction * min(h, w)))
    mask = torch.zeros(1, 1, h, w, device=device)
    mask[..., margin : h - margin, margin : w - margin] = 1.0
    return mask


def came_from_inside(grid: Tensor) -> Tensor:
    """1 where the sampling ``grid`` (see :func:`core.analysis.ops.flow_grid`) lands inside the
    previous frame (the pixel was visible there); (N, 1, H, W)."""
    reach = torch.maximum(grid[..., 0].abs(), grid[..., 1].abs())
    return (reach <= 1.0).unsqueeze(1).float()


def non_occluded(grid: Tensor, back: Tensor, fwd: Tensor, residual: Tensor) -> Tensor:
    """1 where frame t's pixel is visible in t-1 (Ruder's test), else 0; (N, 1, H, W)."""
    fwd_at = warp_with(fwd, grid)
    mag_sq = _sum2(fwd_at * fwd_at + back * back)
    fwd_at += back
    inconsistent = _sum2(fwd_at * fwd_at) > mag_sq.mul_(_FB_REL).add_(_FB_ABS)
    ux, uy = gradients(residual)
    grad_sq = _sum2(ux.mul_(ux).addcmul_(uy, uy))
    # |grad| * 2 px > jump  <=>  grad_sq > (jump / 2)^2
    jump = grad_sq > (_MB_JUMP_PX / 2.0) ** 2
    boundary = (grad_sq > _sum2(residual * residual).mul_(_MB_REL).add_(_MB_ABS)) & jump
    return (~(inconsistent | boundary)).float()


def _sum2(x: Tensor) -> Tensor:
    """Channel 0 + channel 1 of (N, 2, H, W) maps, (N, 1, H, W) (cheaper than ``sum(1)``)."""
    return x[:, :1] + x[:, 1:]
