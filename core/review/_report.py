"""An analysis report (read by ``core.analysis.load_report``) in the shape the player needs.

Per-frame columns become float64 arrays (what pyqtgraph plots fastest) and heatmaps are
quantised to uint8 once at load, so each frame's overlay is a ready index image. Reading
happens on a worker thread.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.review._overlay import HEATMAP_CLASSES, DefectClass, combine, quantize

Box = tuple[int, int, int, int]


class ReportError(ValueError):
    """A report file is missing or malformed; the message names the file and field."""


@dataclass(frozen=True)
class ReviewEvent:
    """One detected event: frames ``start <= f < end`` (end exclusive), worst at ``peak``."""

    kind: str
    start: int
    end: int
    peak: int
    score: float
    box: Box | None
    detail: str = ""
    """Sub-kind, e.g. ``teleport`` or ``vanish`` for physics events."""
    evidence: str = ""
    """A sentence a person can check against the video."""

    def active(self, frame: int) -> bool:
        """True when ``frame`` lies in the event's span."""
        return self.start <= frame < self.end

    @property
    def label(self) -> str:
        """``kind`` or ``kind/detail``."""
        return f"{self.kind}/{self.detail}" if self.detail else self.kind


@dataclass
class FrameTable:
    """Per-frame columns (frame, time_s, scores, raw signals), growable while analysis runs."""

    columns: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns.get("frame", ()))

    def append_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Add rows as they arrive; unknown or non-numeric values become NaN."""
        rows = list(rows)
        if not rows:
            return
        names = list(dict.fromkeys([*self.columns, *(k for r in rows for k in r)]))
        size = len(self)
        for name in names:
            new = np.array([_number(r.get(name)) for r in rows], np.float64)
            old = self.columns.get(name, np.full(size, np.nan))
            self.columns[name] = np.concatenate([old, new])

    def metric_names(self) -> list[str]:
        """Columns other than the frame number and time."""
        return [n for n in self.columns if n not in ("frame", "time_s")]


@dataclass
class ReviewReport:
    """An analysis report, loaded for display."""

    report_dir: Path
    scores: dict[str, float]
    events: tuple[ReviewEvent, ...]
    table: FrameTable
    heatmaps: dict[DefectClass, NDArray[np.uint8]]

    @property
    def html_path(self) -> Path:
        """The report's HTML page (it may not exist)."""
        return self.report_dir / "report.html"

    def heat(self, defect: DefectClass, frame: int) -> NDArray[np.uint8] | None:
        """The quantised heatmap of ``frame`` for one class, or the max over all; None if absent."""
        classes = HEATMAP_CLASSES if defect is DefectClass.ALL else (defect,)
        maps = [self.heatmaps[c] for c in classes if c in self.heatmaps]
        return combine([m[frame] for m in maps if 0 <= frame < len(m)])

    def events_at(self, frame: int) -> list[ReviewEvent]:
        """Events whose span holds ``frame``."""
        return [e for e in self.events if e.active(frame)]


def read_report(report_dir: Path | str) -> ReviewReport:
    """Load a report directory; raises :class:`ReportError` naming the bad file or field."""
    from core.analysis import load_report  # the analysis' own reader: one parser per format

    report_dir = Path(report_dir)
    try:
        report = load_report(report_dir)
    except FileNotFoundError as err:
        raise ReportError(f"{report_dir / 'report.json'}: no such file") from err
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as err:
        raise ReportError(f"{report_dir}: not a readable report ({_describe(err)})") from err
    table = FrameTable()
    table.append_rows(report.rows)
    events = tuple(
        ReviewEvent(e.kind, e.start, e.end, e.peak, e.score, e.box, e.detail, e.evidence)
        for e in report.events
    )
    heatmaps = {
        c: quantize(report.heatmaps[c.value])
        for c in HEATMAP_CLASSES
        if c.value in report.heatmaps and report.heatmaps[c.value].ndim == 3
    }
    return ReviewReport(report_dir, dict(report.scores), events, table, heatmaps)


def _describe(err: Exception) -> str:
    return (
        f"missing field {err}" if isinstance(err, KeyError) else f"{err.__class__.__name__}: {err}"
    )


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")
