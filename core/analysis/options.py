"""Options, callbacks and errors of :func:`core.analysis.analyze`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ProgressFn = Callable[[int, int], None]
"""``progress(frames_done, frames_total)``; called from the analysing thread."""
RowsFn = Callable[[list[dict[str, float]]], None]
"""``on_rows(rows)``: per-frame rows as they are computed, in frame order."""


@dataclass(frozen=True)
class AnalysisOptions:
    """How to analyse one clip. Every field has a default that suits a 2-core laptop."""

    out_dir: Path | None = None
    """Where report.json, frames.csv, heatmaps.npz and report.html go; None writes nothing."""
    device: str = "auto"
    """``auto``, ``cpu``, ``cuda`` or ``cuda:N``."""
    short_side_px: int = 360
    """Analysis resolution (short side); smaller sources are analysed at their own size."""
    batch_frames: int = 16
    """Frames per batch on the device; halved automatically when CUDA runs out of memory."""
    heatmap_budget_bytes: int = 192 * 1024 * 1024
    """Upper bound for all heatmaps of a clip in memory and on disk (before compression)."""
    heatmap_max_side_px: int = 0
    """Cap on the stored heatmaps' long side; 0 (default) stores them at the detectors' map size
    (~180 px short side, the resolution the analysis really has). Viewers scale them up."""
    torch_threads: int = 0
    """CPU threads for torch; 0 picks cores - 1 (decode and flow run on their own threads)."""
    html: bool = True
    """Also write the self-contained report.html."""
    meta: dict[str, Any] = field(default_factory=dict)
    """Free-form context saved in report.json (e.g. ``prompt``, ``tags``, ``job_id``)."""
    on_rows: RowsFn | None = None


class AnalysisCancelled(Exception):
    """Raised by :func:`analyze` when its cancel event was set; nothing is written."""


class AnalysisError(Exception):
    """A clip cannot be analysed; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type[AnalysisError], tuple[Path, str]]:
        # Crosses process boundaries (AnalysisPool): rebuild from both fields, not the message.
        return (AnalysisError, (self.path, self.reason))
