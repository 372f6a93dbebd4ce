"""report.json, frames.csv and heatmaps.npz: writing them and reading them back.

Files are written to a temporary name and renamed, so a reader never sees half a report.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from core.analysis.report import CLASSES, SCHEMA, Event, Report


def write_report(
    report: Report, out_dir: Path, video_path: Path | None = None, html: bool = True
) -> Path:
    """Write report.json, frames.csv, heatmaps.npz (and report.html) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _atomic_text(out_dir / "report.json", json.dumps(report_json(report), indent=2))
    _write_csv(out_dir / "frames.csv", report)
    _write_npz(out_dir / "heatmaps.npz", report)
    if html:
        from core.reports.html import write_html

        write_html(report, out_dir / "report.html", video_path=video_path)
    return out_dir


def report_json(report: Report) -> dict[str, Any]:
    """The report.json document (DESIGN.md fields first, then extras)."""
    return {
        "schema": SCHEMA,
        "video": report.video,
        "fps": report.fps,
        "frame_count": report.frame_count,
        "width": report.width,
        "height": report.height,
        "device": report.device,
        "elapsed_s": report.elapsed_s,
        "scores": report.scores,
        "events": [e.to_json() for e in report.events],
        "metrics": report.metrics,
        "analysis_size": list(report.analysis_size),
        "heatmap_size": _heatmap_size(report),
        "batch_frames": report.batch_frames,
        "peak_memory_bytes": report.peak_memory_bytes,
        "warnings": report.warnings,
        "meta": report.meta,
    }


def _heatmap_size(report: Report) -> list[int]:
    heat = report.heatmaps.get("warping")
    return [int(heat.shape[2]), int(heat.shape[1])] if heat is not None else [0, 0]


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_csv(path: Path, report: Report) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=report.metrics)
        writer.writeheader()
        for row in report.rows:
            writer.writerow({k: (int(v) if k == "frame" else v) for k, v in row.items()})
    os.replace(tmp, path)


def _write_npz(path: Path, report: Report) -> None:
    tmp = path.with_name(path.name + ".part.npz")
    arrays = {kind: report.heatmaps[kind].astype(np.float16) for kind in CLASSES}
    np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, path)


def load_report(out_dir: Path | str) -> Report:
    """Read a report folder back (report.json, frames.csv, heatmaps.npz if present).

    Raises
    ------
    FileNotFoundError
        ``report.json`` is missing.
    ValueError
        The files are not a schema-1 report; the message names the file and field.
    """
    out_dir = Path(out_dir)
    doc = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    if doc.get("schema") != SCHEMA:
        raise ValueError(
            f"{out_dir / 'report.json'}: field 'schema' is {doc.get('schema')!r}, expected {SCHEMA}"
        )
    return Report(
        video=str(doc["video"]),
        fps=float(doc["fps"]),
        frame_count=int(doc["frame_count"]),
        width=int(doc["width"]),
        height=int(doc["height"]),
        device=str(doc["device"]),
        elapsed_s=float(doc["elapsed_s"]),
        scores={k: float(v) for k, v in doc["scores"].items()},
        events=[Event.from_json(e) for e in doc["events"]],
        metrics=list(doc["metrics"]),
        rows=_read_csv(out_dir / "frames.csv"),
        heatmaps=_read_npz(out_dir / "heatmaps.npz"),
        analysis_size=tuple(doc.get("analysis_size", (0, 0))),
        batch_frames=int(doc.get("batch_frames", 0)),
        peak_memory_bytes=int(doc.get("peak_memory_bytes", 0)),
        warnings=list(doc.get("warnings", [])),
        meta=dict(doc.get("meta", {})),
    )


def _read_csv(path: Path) -> list[dict[str, float]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def _read_npz(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with np.load(path) as data:
        return {name: data[name] for name in data.files}
