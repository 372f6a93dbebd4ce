"""Read an analysis report directory (report.json, frames.csv, heatmaps.npz) for review.

The GUI needs the report in a display-ready shape: per-frame columns as float64 arrays (what
pyqtgraph plots fastest), events as records, and heatmaps quantised to uint8 once at load so
each frame's overlay is a ready index image. Reading happens on a worker thread.
"""

from __future__ import annotations

import csv
import json
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
    meta: dict[str, Any]
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
    report_dir = Path(report_dir)
    meta = _read_json(report_dir / "report.json")
    events = tuple(_event(e, i, report_dir) for i, e in enumerate(meta.get("events", [])))
    table = read_frames_csv(report_dir / "frames.csv")
    heatmaps = read_heatmaps(report_dir / "heatmaps.npz")
    return ReviewReport(report_dir, meta, events, table, heatmaps)


def read_frames_csv(path: Path) -> FrameTable:
    """frames.csv -> columns; a missing file gives an empty table (analysis still running)."""
    table = FrameTable()
    if not path.is_file():
        return table
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "frame" not in reader.fieldnames:
            raise ReportError(f"{path}: line 1: header has no 'frame' column")
        table.append_rows(reader)
    return table


def read_heatmaps(path: Path) -> dict[DefectClass, NDArray[np.uint8]]:
    """heatmaps.npz -> {class: (frames, h, w) uint8}; a missing file gives no heatmaps."""
    if not path.is_file():
        return {}
    try:
        with np.load(path) as npz:
            return {
                c: _heat_stack(npz[c.value], path, c) for c in HEATMAP_CLASSES if c.value in npz
            }
    except (OSError, ValueError, zipfile.BadZipFile) as err:
        raise ReportError(f"{path}: not a readable heatmaps archive ({err})") from err


def _heat_stack(array: NDArray[Any], path: Path, defect: DefectClass) -> NDArray[np.uint8]:
    if array.ndim != 3:
        raise ReportError(f"{path}: '{defect.value}' has shape {array.shape}, want (frames, h, w)")
    return quantize(array)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ReportError(f"{path}: no such file") from err
    except json.JSONDecodeError as err:
        raise ReportError(f"{path}: line {err.lineno}: {err.msg}") from err
    if not isinstance(data, dict):
        raise ReportError(f"{path}: top level must be an object")
    return data


def _event(raw: Any, index: int, report_dir: Path) -> ReviewEvent:
    where = f"{report_dir / 'report.json'}: events[{index}]"
    try:
        box = raw.get("box")
        return ReviewEvent(
            kind=str(raw["kind"]),
            start=int(raw["start"]),
            end=int(raw["end"]),
            peak=int(raw.get("peak", raw["start"])),
            score=float(raw.get("score", 0.0)),
            box=(int(box[0]), int(box[1]), int(box[2]), int(box[3])) if box else None,
            detail=str(raw.get("detail", "")),
            evidence=str(raw.get("evidence", "")),
        )
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise ReportError(f"{where}: {err.__class__.__name__}: {err}") from err


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")
