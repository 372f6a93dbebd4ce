"""Where a roast's inputs live: the report folder of a clip, a run's worst clips, the prompt.

A report may not hold the prompt, so it is looked up, first hit wins: ``report.json`` (an
optional ``prompt``/``model`` field, or in its ``meta`` object), the run's job store
(``RUNDIR/run.db``, table ``jobs``, row of the clip's job id), a JSON sidecar next to the
clip (``<clip>.json`` as written by the simulator or ``core.synth``: ``prompt`` or
``clip.prompt``), and for the model ``run.json``.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.reports import locate
from core.roast.facts import ReportError, RoastFacts, facts_from_report

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv")


@dataclass(frozen=True)
class AnalysedClip:
    """A clip and its report folder, with the run it belongs to (``None`` when standalone)."""

    clip_path: Path
    report_dir: Path
    run_dir: Path | None = None

    @property
    def job_id(self) -> str | None:
        """The job id of a run's clip (its file stem), ``None`` outside a run."""
        return self.clip_path.stem if self.run_dir is not None else None


def is_run_dir(path: Path) -> bool:
    """True for a run directory (it has ``run.db`` or an ``analysis/`` folder)."""
    return path.is_dir() and ((path / "run.db").is_file() or (path / "analysis").is_dir())


def run_dir_of(clip_path: Path) -> Path | None:
    """The run a clip belongs to (``RUNDIR/clips/<job_id>.mp4``), else ``None``."""
    parent = clip_path.resolve().parent
    return parent.parent if parent.name == "clips" and is_run_dir(parent.parent) else None


def find_report_dir(clip_path: Path) -> Path:
    """Find the analysis folder of a clip, or raise :class:`ReportError` listing where we looked.

    The places are :func:`core.reports.locate.report_dir_candidates`'s.
    """
    found = locate.find_report_dir(clip_path)
    if found is None:
        tried = ", ".join(str(c) for c in locate.report_dir_candidates(clip_path))
        raise ReportError(clip_path, f"no analysis found (looked in {tried}); use --report DIR")
    return found


def analysed_clip(
    clip_path: Path, report_dir: Path | None = None, run_dir: Path | None = None
) -> AnalysedClip:
    """The clip with its report folder and run; what is not given is found from the clip.

    With no report anywhere the folder is ``<clip folder>/<stem>``, so that loading the
    facts fails with a :class:`ReportError` naming a place (a dialog shows it) instead of here.
    """
    clip_path = Path(clip_path)
    if report_dir is None:
        try:
            report_dir = find_report_dir(clip_path)
        except ReportError:
            report_dir = clip_path.parent / clip_path.stem
    if run_dir is None:
        run_dir = run_dir_of(clip_path)
    return AnalysedClip(clip_path, report_dir, run_dir)


def worst_clips(run_dir: Path, count: int) -> list[AnalysedClip]:
    """The ``count`` analysed clips of a run with the highest overall score, worst first."""
    scored: list[tuple[float, AnalysedClip]] = []
    for report in sorted((run_dir / "analysis").glob("*/report.json")):
        clip = _clip_of(run_dir, report.parent.name)
        overall = _overall(report)
        if clip is not None and overall is not None:
            scored.append((overall, AnalysedClip(clip, report.parent, run_dir)))
    scored.sort(key=lambda item: -item[0])
    return [clip for _, clip in scored[:count]]


def _clip_of(run_dir: Path, job_id: str) -> Path | None:
    for suffix in VIDEO_SUFFIXES:
        path = run_dir / "clips" / f"{job_id}{suffix}"
        if path.is_file():
            return path
    return None


def _overall(report: Path) -> float | None:
    with suppress(OSError, ValueError):
        value = json.loads(report.read_text(encoding="utf-8"))["scores"]["overall"]
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
    return None


def load_facts(
    clip: AnalysedClip, prompt: str | None = None, model: str | None = None
) -> RoastFacts:
    """Facts of ``clip`` with the prompt and model filled from the first source that has them."""
    facts = facts_from_report(clip.report_dir)
    found = _lookups(clip)
    return replace(
        facts,
        prompt=prompt or _first(found, "prompt"),
        model=model or _first(found, "model"),
    )


def _first(found: list[dict[str, Any]], key: str) -> str | None:
    for source in found:
        value = source.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _lookups(clip: AnalysedClip) -> list[dict[str, Any]]:
    report = _json_object(clip.report_dir / "report.json")
    meta = report.get("meta")
    found = [report, meta if isinstance(meta, dict) else {}]
    if clip.run_dir is not None:
        found.append(_job_row(clip.run_dir / "run.db", clip.clip_path.stem))
        found.append(_run_json(clip.run_dir / "run.json"))
    sidecar = _json_object(clip.clip_path.with_suffix(".json"))
    found.append(sidecar.get("clip", sidecar) if isinstance(sidecar.get("clip"), dict) else sidecar)
    return found


def _json_object(path: Path) -> dict[str, Any]:
    with suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}


def _run_json(path: Path) -> dict[str, Any]:
    data = _json_object(path)
    settings = data.get("settings")
    model = data.get("model") or (settings.get("model") if isinstance(settings, dict) else None)
    return {"model": model}


def _job_row(db_path: Path, job_id: str) -> dict[str, Any]:
    """The job's row from the batch store, read-only; ``{}`` when absent or unreadable."""
    if not db_path.is_file():
        return {}
    with suppress(sqlite3.Error), closing(_connect_ro(db_path)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(jobs)")]
        key = next((c for c in ("job_id", "id") if c in columns), None)
        if key is not None:
            conn.row_factory = sqlite3.Row
            row = conn.execute(f"SELECT * FROM jobs WHERE {key} = ?", (job_id,)).fetchone()
            return dict(row) if row is not None else {}
    return {}


def _connect_ro(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)


def iter_clip_targets(target: Path, report_dir: Path | None, count: int) -> Iterator[AnalysedClip]:
    """Resolve the CLI's target: a run directory (its worst clips) or one clip."""
    if target.is_dir():
        yield from worst_clips(target, count)
        return
    if not target.is_file():
        raise ReportError(target, "no such clip or run directory")
    yield AnalysedClip(target, report_dir or find_report_dir(target), run_dir_of(target))
