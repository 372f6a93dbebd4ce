"""What the review GUI runs in a child process (see :mod:`core.review._child`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.review._child import Emit


def analysis_job(emit: Emit, cancel: Any, clip: str, out_dir: str, device: str) -> str:
    """Analyse ``clip`` into ``out_dir``; rows and progress are emitted as they come."""
    from core.analysis import AnalysisOptions, analyze

    options = AnalysisOptions(
        out_dir=Path(out_dir), device=device, on_rows=lambda rows: emit(("rows", list(rows)))
    )
    analyze(
        clip, options, progress=lambda done, total: emit(("progress", done, total)), cancel=cancel
    )
    return out_dir


def similarity_job(
    emit: Emit, cancel: Any, path_a: str, path_b: str, offsets: tuple[int, int]
) -> dict[str, Any]:
    """Per-frame PSNR/SSIM of B against A as the player aligns them (empty when cancelled)."""
    from core.review._similarity import similarity_series

    return similarity_series(path_a, path_b, offsets, cancel=cancel)
