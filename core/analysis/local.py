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

from core.analysis import realism
from core.analysis.context import Context
from core.analysis.decode import DecodedFrame
from core.analysis.ops import Tensor, block_mean
from core.analysis.ssim import ssim_and_psnr


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
    ctx: Context, map_ctx: Context, prev: DecodedFrame | None, core: list[DecodedFrame]
) -> FrameLocal:
    """Plain metrics (at ``ctx`` size) and realism (at ``map_ctx`` size, like the other
    detectors: the block statistics are z-scored within the clip, so the scale cancels) for
    ``core``; ``prev`` precedes ``core[0]``."""
    seq = [prev or core[0], *core]
    luma = torch.from_numpy(np.stack([f.y for f in seq])).to(ctx.device).float().unsqueeze(1)
    cur, before = luma[1:], luma[:-1]
    first = torch.tensor([f.index == 0 for f in core], device=ctx.device)
    one = torch.ones(1, device=ctx.device, dtype=torch.float64)
    uv = torch.from_numpy(np.stack([f.uv for f in core])).to(ctx.device).float()
    factor = ctx.width // map_ctx.width
    if factor > 1:
        cur_map, uv = block_mean(cur, factor), block_mean(uv, factor)
    else:
        cur_map = cur
    signals, heat, score = realism.step(map_ctx, cur_map, uv)
    ssim_prev, psnr_prev = ssim_and_psnr(cur, before)
    signals["ssim_prev"] = torch.where(first, one, ssim_prev)
    signals["psnr_prev"] = psnr_prev
    return FrameLocal(signals, heat, score)
