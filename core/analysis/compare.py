"""Full-reference comparison of two videos: per-frame PSNR and SSIM on luma as stored.

Both files are decoded to their Y plane at source resolution (no range conversion), like
ffmpeg's ``psnr`` and ``ssim`` filters; SSIM follows scikit-image's Gaussian-window definition
(see :mod:`core.analysis.ssim`). Frames are paired by index; the shorter clip decides the
length and the difference is reported.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import torch

from core.analysis.options import AnalysisCancelled, AnalysisError, ProgressFn
from core.analysis.ssim import psnr, ssim
from core.devices import resolve_device
from core.media import MediaError, VideoInfo, iter_frames, probe

BATCH_FRAMES = 8


@dataclass
class Comparison:
    """Per-frame PSNR (dB) and SSIM between two videos, with their means and minima."""

    a: str
    b: str
    rows: list[dict[str, float]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        """Mean and minimum of each metric over the frames compared."""
        psnrs = np.array([r["psnr"] for r in self.rows])
        ssims = np.array([r["ssim"] for r in self.rows])
        return {
            "frames": float(len(self.rows)),
            "psnr_mean": float(psnrs.mean()) if len(psnrs) else 0.0,
            "psnr_min": float(psnrs.min()) if len(psnrs) else 0.0,
            "ssim_mean": float(ssims.mean()) if len(ssims) else 0.0,
            "ssim_min": float(ssims.min()) if len(ssims) else 0.0,
        }


def compare_videos(
    a: Path | str,
    b: Path | str,
    device: str = "auto",
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> Comparison:
    """Compare ``b`` against reference ``a`` frame by frame.

    Raises
    ------
    AnalysisError
        Either file is unreadable, or the frame sizes differ (names both sizes).
    """
    a, b = Path(a), Path(b)
    info_a, info_b = _probe(a), _probe(b)
    if (info_a.width, info_a.height) != (info_b.width, info_b.height):
        raise AnalysisError(
            b,
            f"frame size {info_b.width}x{info_b.height} differs from "
            f"{a.name}'s {info_a.width}x{info_a.height}",
        )
    result = Comparison(str(a), str(b))
    total = min(info_a.frame_count, info_b.frame_count)
    if info_a.frame_count != info_b.frame_count:
        result.warnings.append(
            f"frame counts differ ({info_a.frame_count} vs {info_b.frame_count}); "
            f"compared the first {total}"
        )
    dev = torch.device(resolve_device(device))
    pairs = zip(iter_frames(a, fmt="y"), iter_frames(b, fmt="y"), strict=False)
    for chunk in _chunks(pairs, BATCH_FRAMES):
        if cancel is not None and cancel.is_set():
            raise AnalysisCancelled(str(b))
        result.rows.extend(_rows(chunk, dev))
        if progress is not None:
            progress(len(result.rows), total)
    return result


def _probe(path: Path) -> VideoInfo:
    try:
        return probe(path)
    except MediaError as err:
        raise AnalysisError(path, err.reason) from err


def _chunks(pairs: Iterator, size: int) -> Iterator[list]:  # type: ignore[type-arg]
    while chunk := list(islice(pairs, size)):
        yield chunk


@torch.inference_mode()
def _rows(chunk: list, device: torch.device) -> list[dict[str, float]]:  # type: ignore[type-arg]
    x = torch.from_numpy(np.stack([fa[2] for fa, _ in chunk])).to(device).float().unsqueeze(1)
    y = torch.from_numpy(np.stack([fb[2] for _, fb in chunk])).to(device).float().unsqueeze(1)
    p, s = psnr(x, y).tolist(), ssim(x, y).tolist()
    return [
        {
            "frame": float(fa[0]),
            "time_s": round(fa[1], 6),
            "psnr": round(p[i], 6),
            "ssim": round(s[i], 8),
        }
        for i, (fa, _) in enumerate(chunk)
    ]
