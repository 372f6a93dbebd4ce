"""The analysis result: what report.json, frames.csv and heatmaps.npz hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

SCHEMA = 1
CLASSES = ("warping", "melting", "flicker", "physics", "realism_defect")
"""The defect classes, in report order; each has a score, a frames.csv column and a heatmap."""


@dataclass(frozen=True)
class Event:
    """A stretch of frames where one defect class scored high.

    ``end`` is exclusive; ``box`` is (x0, y0, x1, y1) in source-video pixels.
    """

    kind: str
    start: int
    end: int
    peak: int
    score: float
    box: tuple[int, int, int, int]
    detail: str = ""
    """Sub-kind, e.g. ``vanish``/``appear``/``teleport`` for physics events."""
    evidence: str = ""
    """One sentence a person can check against the video."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (box as a list)."""
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "peak": self.peak,
            "score": round(self.score, 4),
            "box": list(self.box),
            "detail": self.detail,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        """Inverse of :meth:`to_json`."""
        x0, y0, x1, y1 = (int(v) for v in data["box"])
        return cls(
            str(data["kind"]),
            int(data["start"]),
            int(data["end"]),
            int(data["peak"]),
            float(data["score"]),
            (x0, y0, x1, y1),
            str(data.get("detail", "")),
            str(data.get("evidence", "")),
        )


@dataclass
class Report:
    """Everything one analysis produced."""

    video: str
    fps: float
    frame_count: int
    width: int
    height: int
    device: str
    elapsed_s: float
    scores: dict[str, float]
    """Per class and ``overall``, in [0, 1], higher is worse."""
    events: list[Event]
    metrics: list[str]
    """Per-frame column names, in frames.csv order."""
    rows: list[dict[str, float]]
    heatmaps: dict[str, NDArray[np.float16]] = field(default_factory=dict)
    """Class -> (frame_count, h, w) float16 in [0, 1]."""
    analysis_size: tuple[int, int] = (0, 0)
    """(w, h) the frames were analysed at."""
    batch_frames: int = 0
    peak_memory_bytes: int = 0
    """Peak device memory allocated by torch (CUDA only; 0 on CPU)."""
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> NDArray[np.float64]:
        """One per-frame column as an array."""
        return np.array([row[name] for row in self.rows], np.float64)

    def summary(self, out_dir: Path | None = None) -> ReportSummary:
        """The small, picklable digest a process pool hands back."""
        return ReportSummary(
            video=self.video,
            out_dir=str(out_dir) if out_dir else "",
            scores=dict(self.scores),
            event_count=len(self.events),
            frame_count=self.frame_count,
            device=self.device,
            elapsed_s=self.elapsed_s,
        )


@dataclass(frozen=True)
class ReportSummary:
    """What :class:`core.analysis.AnalysisPool` returns per clip (the files hold the rest)."""

    video: str
    out_dir: str
    scores: dict[str, float]
    event_count: int
    frame_count: int
    device: str
    elapsed_s: float
