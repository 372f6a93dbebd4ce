"""The analysis hook: how the runner has a downloaded clip scored, without depending on how.

The runner takes any :data:`Analyzer` (tests pass a small fake-free one that really reads the
clip; the CLI and GUI pass :func:`pool_analyzer` over the analysis engine's ``AnalysisPool``).
Scores are read back from the ``report.json`` the engine writes (DESIGN.md's contract), so
this module does not depend on the engine's Python types.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from core.store import Scores

Analyzer = Callable[[Path, Path], Awaitable[Scores]]
"""``await analyzer(clip_path, out_dir) -> Scores``; writes its report files into ``out_dir``."""

DEFECT_CLASSES = ("warping", "melting", "flicker", "physics", "realism_defect")


class AnalysisError(RuntimeError):
    """The analysis finished without a readable report."""


class _Pool(Protocol):
    async def analyze(self, path: Path, out_dir: Path) -> Any: ...


def pool_analyzer(pool: _Pool) -> Analyzer:
    """An analyzer that runs the analysis engine's pool (``await pool.analyze(path, out)``)."""

    async def analyse(clip: Path, out_dir: Path) -> Scores:
        await pool.analyze(clip, out_dir)
        return read_scores(out_dir)

    return analyse


def read_scores(out_dir: Path) -> Scores:
    """Scores from ``out_dir/report.json`` (schema 1 of DESIGN.md)."""
    path = out_dir / "report.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        return scores_from_report(report, str(out_dir))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise AnalysisError(f"{path}: no usable report ({err})") from err


def scores_from_report(report: dict[str, Any], report_dir: str) -> Scores:
    """Build :class:`Scores` from a report's ``scores`` object; the worst class is named."""
    scores = {name: float(report["scores"][name]) for name in (*DEFECT_CLASSES, "overall")}
    worst = max(DEFECT_CLASSES, key=lambda name: scores[name])
    return Scores(
        overall=scores["overall"],
        warping=scores["warping"],
        melting=scores["melting"],
        flicker=scores["flicker"],
        physics=scores["physics"],
        realism=scores["realism_defect"],
        worst_defect=worst,
        report_dir=report_dir,
    )
