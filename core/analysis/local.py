"""Per-frame work that needs no state: plain SSIM/PSNR against the previous frame (at analysis
size) and the realism block statistics.

It runs in the flow worker thread, one window ahead of the detectors, so the two CPU cores
share the load (profiled at 640x360: these were ~60% of the main thread's time while the flow
thread idled). On CUDA it is queued from that thread the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.analysis import ops, realism
from core.analysis.context import Context
from core.analysis.decode import DecodedFrame
from core.analysis.motion import shrink
from core.analysis.ops import Tensor
from core.analysis.ssim import consecutive_ssim_psnr, ssim_and_psnr


@dataclass(frozen=True)
class FrameLocal:
    """Results for a window's core frames (first dimension N)."""

    signals: dict[str, Tensor]
    realism_heat: Tensor
    realism_score: Tensor

    def part(self, start: int, stop: int) -> FrameLocal:
        """The results of core frames ``start:stop``."""
        return FrameLocal(
            {k: v[start:stop] for k, v in self.signals.items()},
            self.realism_heat[start:stop],
            self.realism_score[start:stop],
        )


@torch.inference_mode()
def frame_local(
    ctx: Context,
    map_ctx: Context,
    prev: DecodedFrame | None,
    core: list[DecodedFrame],
    cur_map: Tensor | None = None,
) -> FrameLocal:
    """Plain metrics (at ``ctx`` size) and realism (at ``map_ctx`` size, like the other
    detectors: the block statistics are z-scored within the clip, so the scale cancels) for
    ``core``; ``prev`` precedes ``core[0]``. ``cur_map`` is the core frames' luma already at
    map size (N, 1, h, w), when the caller has it."""
    seq = [prev or core[0], *core]
    first = torch.tensor([f.index == 0 for f in core], device=ctx.device)
    uv = torch.from_numpy(np.stack([f.uv for f in core])).to(ctx.device).float()
    factor = ctx.width // map_ctx.width
    uv = shrink(uv, factor)
    if cur_map is None:
        cur_map = shrink(_luma(seq[1:], ctx), factor)
    signals, heat, score = realism.step(map_ctx, cur_map, uv)
    ssim_prev, psnr_prev = _ssim_psnr(seq, ctx)
    signals["ssim_prev"] = torch.where(first, torch.ones_like(ssim_prev), ssim_prev)
    signals["psnr_prev"] = psnr_prev
    return FrameLocal(signals, heat, score)


def _luma(frames: list[DecodedFrame], ctx: Context) -> Tensor:
    return torch.from_numpy(np.stack([f.y for f in frames])).to(ctx.device).float().unsqueeze(1)


def _ssim_psnr(seq: list[DecodedFrame], ctx: Context) -> tuple[Tensor, Tensor]:
    """SSIM and PSNR of each frame of ``seq[1:]`` against its predecessor, float64."""
    if ctx.device.type == "cpu" and not ops.FORCE_TORCH:
        ssim_np, psnr_np = consecutive_ssim_psnr([f.y for f in seq])
        return torch.from_numpy(ssim_np), torch.from_numpy(psnr_np)
    luma = _luma(seq, ctx)
    return ssim_and_psnr(luma[1:], luma[:-1])
