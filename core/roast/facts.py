"""What a roast cites: the worst defect of one analysed clip, read from its report folder.

Reads the files of the analysis contract (../shared/DESIGN.md) directly: ``report.json``
(scores, events) and, when the report has no events, ``frames.csv`` (the worst frame of the
worst class). The prompt and model are not part of a report; :mod:`core.roast.sources` finds
them. Bad input raises :class:`ReportError` naming the file and the field.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.analysis import CLASSES

DEFECT_CLASSES: tuple[str, ...] = CLASSES
"""Per-class score names of the report contract (``overall`` is their summary)."""


class ReportError(ValueError):
    """A report folder cannot be used; the message names the file and the field."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class RoastFacts:
    """The findings one roast cites. Times are seconds from the clip's first frame."""

    defect: str
    """The worst defect's kind as the report names it (``melting``, ``physics``, ...)."""
    score: float
    """How bad, as reported: in [0, 1] for a well-formed report (composers clamp)."""
    peak_s: float
    """When the defect is at its worst."""
    start_s: float
    end_s: float
    """The defect's span, ``end_s`` exclusive (the event's exclusive ``end`` frame over fps);
    one frame long when only a worst frame is known."""
    overall: float
    clip_duration_s: float
    fps: float
    prompt: str | None = None
    """The generation prompt; ``None`` when no source knows it."""
    model: str | None = None
    """The generator's model name; ``None`` when unknown."""
    video: str = ""
    """The report's ``video`` field (the analysed file)."""
    detail: str = ""
    """The event's sub-kind when the report gives one (``teleport``, ``vanish``, ``appear``
    for physics events)."""

    @property
    def peak_frame(self) -> int:
        """The frame index at ``peak_s``."""
        return round(self.peak_s * self.fps) if self.fps > 0 else 0


def read_report_json(report_dir: Path) -> dict[str, Any]:
    """Load and check ``report.json``: an object with numeric ``scores`` and ``fps``."""
    path = report_dir / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(path, "missing (analyse the clip first)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ReportError(path, f"not readable JSON ({err})") from err
    if not isinstance(data, dict):
        raise ReportError(path, "top level must be an object")
    if not isinstance(data.get("scores"), dict):
        raise ReportError(path, "field 'scores' is missing or not an object")
    _number(data, "fps", path)
    return data


def _number(data: dict[str, Any], key: str, path: Path, default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ReportError(path, f"field {key!r} must be a number, got {value!r}")
    return float(value)


def facts_from_report(report_dir: Path | str) -> RoastFacts:
    """Return the worst finding of the report in ``report_dir`` (prompt and model unset).

    The worst event (highest ``score``) wins; event ``start``/``peak`` are frame indices and
    ``end`` is exclusive (as ``core.analysis`` writes them). With no events, the worst class
    by score and its worst frame in ``frames.csv``.
    """
    report_dir = Path(report_dir)
    data = read_report_json(report_dir)
    path = report_dir / "report.json"
    fps = _number(data, "fps", path)
    frame_count = _number(data, "frame_count", path, default=0)
    duration_s = frame_count / fps if fps > 0 else 0.0
    overall = _number(data["scores"], "overall", path, default=0.0)
    events = data.get("events") or []
    if not isinstance(events, list):
        raise ReportError(path, "field 'events' must be a list")
    worst = _worst_event(events, fps, path) if events else _worst_class(report_dir, data, fps)
    kind, detail, score, peak_s, start_s, end_s = worst
    frame_s = 1.0 / fps if fps > 0 else 0.0
    return RoastFacts(
        defect=kind,
        detail=detail,
        score=score,
        peak_s=peak_s,
        start_s=min(start_s, peak_s),
        end_s=max(end_s, peak_s + frame_s),
        overall=overall,
        clip_duration_s=duration_s,
        fps=fps,
        video=str(data.get("video", "")),
    )


_Worst = tuple[str, str, float, float, float, float]


def _worst_event(events: list[Any], fps: float, path: Path) -> _Worst:
    for index, event in enumerate(events):
        if not isinstance(event, dict) or not isinstance(event.get("kind"), str):
            raise ReportError(path, f"events[{index}] needs a string 'kind'")
    index, event = max(enumerate(events), key=lambda item: _score_of(item[1]))
    where = f"events[{index}]"
    peak = _number(event, "peak", path / where, default=event.get("start", 0))
    start = _number(event, "start", path / where, default=peak)
    end = _number(event, "end", path / where, default=peak + 1)
    to_s = 1.0 / fps if fps > 0 else 0.0
    detail = event.get("detail") if isinstance(event.get("detail"), str) else ""
    return str(event["kind"]), str(detail), _score_of(event), peak * to_s, start * to_s, end * to_s


def _score_of(event: dict[str, Any]) -> float:
    value = event.get("score", 0.0)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)
    return float(value) if ok else 0.0


def _worst_class(report_dir: Path, data: dict[str, Any], fps: float) -> _Worst:
    scores = data["scores"]
    known = [name for name in DEFECT_CLASSES if name in scores]
    if not known:
        raise ReportError(report_dir / "report.json", "no per-class scores and no events")
    kind = max(known, key=lambda name: _number(scores, name, report_dir / "report.json"))
    peak_s = _worst_time_s(report_dir / "frames.csv", kind, fps)
    return kind, "", float(scores[kind]), peak_s, peak_s, peak_s


def _worst_time_s(csv_path: Path, column: str, fps: float) -> float:
    """Time of the highest ``column`` value in frames.csv; 0 when there is no such file."""
    if not csv_path.is_file():
        return 0.0
    best_s, best = 0.0, -math.inf
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                value = float(row[column])
                time_s = float(row.get("time_s") or int(row["frame"]) / fps)
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                raise ReportError(csv_path, f"line {line}: bad {column!r} or time") from None
            if value > best:
                best_s, best = time_s, value
    return best_s
