"""Qt-free models behind the review player: playhead and pacing, frame cache and prefetch,
overlay compositing, comparison maths, and a reader for analysis reports.

The GUI (``gui.review``) shows these; everything here is tested without Qt.
"""

from core.reports.locate import default_report_dir, find_report_dir
from core.review._cache import FrameCache, frames_for_budget, prefetch_plan
from core.review._child import ChildRun
from core.review._clock import FrameRange, Playhead, PlayState, Tick, frames_elapsed
from core.review._compare import (
    CompareMode,
    difference,
    side_by_side,
    side_frame,
    wipe,
)
from core.review._export import compose_still, draw_events, save_png
from core.review._jobs import analysis_job, similarity_job
from core.review._overlay import (
    COLORMAPS,
    HEATMAP_CLASSES,
    DefectClass,
    OverlaySettings,
    blend,
    colormap_lut,
    combine,
    heat_at,
    quantize,
    stretch_indices,
)
from core.review._prefetch import Prefetcher
from core.review._report import (
    FrameTable,
    ReportError,
    ReviewEvent,
    ReviewReport,
    read_report,
)
from core.review._similarity import aligned_pairs, engine_metrics, similarity_series

__all__ = [
    "COLORMAPS",
    "HEATMAP_CLASSES",
    "ChildRun",
    "CompareMode",
    "DefectClass",
    "FrameCache",
    "FrameRange",
    "FrameTable",
    "OverlaySettings",
    "PlayState",
    "Playhead",
    "Prefetcher",
    "ReportError",
    "ReviewEvent",
    "ReviewReport",
    "Tick",
    "aligned_pairs",
    "analysis_job",
    "blend",
    "colormap_lut",
    "combine",
    "compose_still",
    "default_report_dir",
    "difference",
    "draw_events",
    "engine_metrics",
    "find_report_dir",
    "frames_elapsed",
    "frames_for_budget",
    "heat_at",
    "prefetch_plan",
    "quantize",
    "read_report",
    "save_png",
    "side_by_side",
    "side_frame",
    "similarity_job",
    "similarity_series",
    "stretch_indices",
    "wipe",
]
