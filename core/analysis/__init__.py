"""Defect analysis: warping, melting, flicker, physics and photo-realism, per frame and pixel.

``analyze(path, options, progress, cancel) -> Report`` analyses one clip (Qt-free; call it
from a QThread, a process pool or a remote worker); :class:`AnalysisPool` spreads clips over
the available devices. torch is imported only when these are first used, so importing this
package for its types stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from core.analysis.options import AnalysisCancelled, AnalysisError, AnalysisOptions
from core.analysis.report import CLASSES, Event, Report, ReportSummary

_LAZY = {
    "analyze": "core.analysis.engine",
    "AnalysisPool": "core.analysis.pool",
    "WorkerInfo": "core.analysis.pool",
    "compare_videos": "core.analysis.compare",
    "load_report": "core.reports.json_csv",
}

__all__ = [
    "CLASSES",
    "AnalysisCancelled",
    "AnalysisError",
    "AnalysisOptions",
    "AnalysisPool",
    "Event",
    "Report",
    "ReportSummary",
    "WorkerInfo",
    "analyze",
    "compare_videos",
    "load_report",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
