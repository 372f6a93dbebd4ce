"""Export a clip (its worst moment or all of it) as an MP4 that X accepts.

X's video rules (../shared/reference/x-posting.md, 3.3): H.264 yuv420p + AAC-LC, closed GOP,
0.5-140 s, <= 512 MB, 32x32..1280x1024, <= 60 fps, aspect 1:3..3:1, square pixels. The plan
is computed by pure functions (:func:`worst_window`, :func:`output_geometry`,
:func:`plan_export`); :func:`export_clip` decodes with :class:`core.media.VideoReader`,
optionally burns in the defect heatmap and a caption (:mod:`core.roast.overlay`), and writes
with :class:`core.media.Mp4Writer` to a temporary file that replaces ``out_path`` only when
complete. The audio track is silence: the source audio is not carried over.
"""

from __future__ import annotations

import bisect
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from core.media import MediaError, Mp4Writer, VideoInfo, VideoReader, probe
from core.roast.facts import RoastFacts

X_MAX_DURATION_S = 140.0
X_MIN_DURATION_S = 0.5
X_MAX_BYTES = 512 * 1024 * 1024
X_MAX_SIZE = (1280, 1024)
X_MIN_SIDE = 32
X_MAX_FPS = 60.0
X_MAX_ASPECT = 3.0
WORST_SEGMENT_S = 4.0
"""Default length of the worst segment: enough to see the moment before and after."""
MAX_EVENT_SEGMENT_S = 12.0
"""A long event is shown whole up to this length (plus a margin), else around its peak."""
_CRF_STEPS = (0, 6, 12)
"""CRF increases tried in turn if an export comes out over X's size limit."""

if TYPE_CHECKING:
    from core.roast.overlay import Overlay

ProgressFn = Callable[[int, int], None]


class SegmentMode(StrEnum):
    """Which part of the clip to export."""

    WORST = "worst"
    """A few seconds around the worst defect."""
    WHOLE = "whole"
    """The whole clip (its worst 140 s if longer)."""


class ExportError(Exception):
    """The clip cannot be exported; the message says why."""


class ExportCancelled(ExportError):
    """The caller's cancel event was set; no output file is left behind."""


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how."""

    segment: SegmentMode = SegmentMode.WORST
    segment_s: float = WORST_SEGMENT_S
    heatmap: bool = False
    """Blend the worst class's heatmap (``heatmaps.npz``) over the picture."""
    caption: bool = True
    """Draw ``DEFECT score @ time`` in the top-left corner."""
    crf: int = 21
    preset: str = "fast"


@dataclass(frozen=True)
class Geometry:
    """Output frame size and where the scaled picture sits in it (pillar/letterbox bars)."""

    width: int
    height: int
    content_width: int
    content_height: int
    pad_x: int
    pad_y: int


@dataclass(frozen=True)
class ExportPlan:
    """Which source frames go out, how often, and at what size."""

    first_frame: int
    end_frame: int
    """Exclusive."""
    step: int
    """Every ``step``-th source frame is kept (to stay at or under 60 fps)."""
    fps: float
    hold_frames: int
    """Copies of the last frame appended so the export lasts at least 0.5 s."""
    geometry: Geometry
    start_s: float
    end_s: float

    @property
    def frames_out(self) -> int:
        """Frames the export will have."""
        return len(range(self.first_frame, self.end_frame, self.step)) + self.hold_frames


@dataclass(frozen=True)
class ExportResult:
    """What was written."""

    path: Path
    start_s: float
    """Where the export starts in the source clip."""
    duration_s: float
    width: int
    height: int
    fps: float
    frame_count: int
    size_bytes: int


def worst_window(
    peak_s: float, start_s: float, end_s: float, clip_s: float, length_s: float
) -> tuple[float, float]:
    """A window of about ``length_s`` around the worst moment, clamped to ``[0, clip_s]``.

    An event longer than the window (up to :data:`MAX_EVENT_SEGMENT_S`) is shown whole with
    half a second either side; a longer one is centred on its peak.
    """
    span_s = end_s - start_s
    want_s = max(length_s, span_s + 1.0) if 0 < span_s <= MAX_EVENT_SEGMENT_S else length_s
    want_s = min(want_s, X_MAX_DURATION_S, clip_s)
    centre_s = (start_s + end_s) / 2 if span_s + 1.0 <= want_s else peak_s
    first_s = min(max(0.0, centre_s - want_s / 2), max(0.0, clip_s - want_s))
    return first_s, min(clip_s, first_s + want_s)


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def output_geometry(width: int, height: int) -> Geometry:
    """Fit a picture within X's limits: bars for aspects beyond 3:1, then scale, even sides."""
    canvas_w = max(width, math.ceil(height / X_MAX_ASPECT))
    canvas_h = max(height, math.ceil(width / X_MAX_ASPECT))
    scale = min(1.0, X_MAX_SIZE[0] / canvas_w, X_MAX_SIZE[1] / canvas_h)
    scale = max(scale, X_MIN_SIDE / min(canvas_w, canvas_h))
    out_w, out_h = _even(canvas_w * scale), _even(canvas_h * scale)
    # Rounding to even sizes must not push the aspect past 3:1.
    out_h += 2 * max(0, math.ceil((out_w / X_MAX_ASPECT - out_h) / 2))
    out_w += 2 * max(0, math.ceil((out_h / X_MAX_ASPECT - out_w) / 2))
    content_w = min(out_w, _even(width * scale + 1))
    content_h = min(out_h, _even(height * scale + 1))
    return Geometry(
        out_w, out_h, content_w, content_h, (out_w - content_w) // 2, (out_h - content_h) // 2
    )


def plan_export(info: VideoInfo, facts: RoastFacts | None, options: ExportOptions) -> ExportPlan:
    """Decide frames, rate and size; without ``facts`` the worst segment is the clip's start."""
    clip_s = info.duration_s if info.duration_s > 0 else info.frame_count / max(info.fps, 1.0)
    if options.segment is SegmentMode.WHOLE or facts is None:
        peak = facts.peak_s if facts else 0.0
        length = X_MAX_DURATION_S if options.segment is SegmentMode.WHOLE else options.segment_s
        first_s, end_s = worst_window(peak, peak, peak, clip_s, length)
    else:
        first_s, end_s = worst_window(
            facts.peak_s, facts.start_s, facts.end_s, clip_s, options.segment_s
        )
    times = info.frame_times_s
    first = min(bisect.bisect_left(times, first_s - 1e-6), info.frame_count - 1)
    end = max(first + 1, bisect.bisect_left(times, end_s - 1e-6))
    step = max(1, math.ceil(info.fps / X_MAX_FPS - 1e-9)) if info.fps > 0 else 1
    fps = info.fps / step if info.fps > 0 else 24.0
    kept = len(range(first, end, step))
    hold = max(0, math.ceil(X_MIN_DURATION_S * fps) - kept)
    return ExportPlan(
        first, end, step, fps, hold, output_geometry(info.width, info.height), first_s, end_s
    )


def export_clip(
    clip_path: Path | str,
    out_path: Path | str,
    facts: RoastFacts | None = None,
    report_dir: Path | str | None = None,
    options: ExportOptions | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Write the export of ``clip_path`` to ``out_path`` (atomically) and describe it.

    ``facts`` places the worst segment and feeds the caption; ``report_dir`` supplies
    ``heatmaps.npz`` when ``options.heatmap`` is set. ``progress(done, total)`` is called per
    frame; setting ``cancel`` stops the export with :class:`ExportCancelled`.
    """
    options = options or ExportOptions()
    out_path = Path(out_path)
    try:
        info = probe(clip_path)
    except MediaError as err:
        raise ExportError(str(err)) from err
    plan = plan_export(info, facts, options)
    overlay = _make_overlay(facts, report_dir, options, plan.geometry)
    tmp = out_path.with_name(f".{out_path.stem}.part.mp4")
    for crf_step in _CRF_STEPS:
        _encode(info, plan, tmp, options.crf + crf_step, options, overlay, progress, cancel)
        if tmp.stat().st_size <= X_MAX_BYTES:
            os.replace(tmp, out_path)
            return _result(out_path, plan)
    tmp.unlink(missing_ok=True)
    raise ExportError(f"{clip_path}: export stays over X's 512 MB limit; export a shorter part")


def _make_overlay(
    facts: RoastFacts | None,
    report_dir: Path | str | None,
    options: ExportOptions,
    geometry: Geometry,
) -> Overlay | None:
    if facts is None or not (options.heatmap or options.caption):
        return None
    from core.roast.overlay import Overlay  # cv2 loads only when an overlay is drawn

    heat_path = Path(report_dir) / "heatmaps.npz" if options.heatmap and report_dir else None
    if options.heatmap and (heat_path is None or not heat_path.is_file()):
        raise ExportError(f"heatmap requested but {heat_path or 'no report folder'} is missing")
    return Overlay(facts, geometry, heat_path, caption=options.caption)


def _encode(
    info: VideoInfo,
    plan: ExportPlan,
    path: Path,
    crf: int,
    options: ExportOptions,
    overlay: Overlay | None,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
) -> None:
    from core.roast.overlay import compose_frame

    geometry, total = plan.geometry, plan.frames_out
    size = (geometry.content_width, geometry.content_height)
    try:
        with (
            VideoReader(info.path) as reader,
            Mp4Writer(
                path,
                geometry.width,
                geometry.height,
                plan.fps,
                crf=crf,
                preset=options.preset,
                audio="silence",
            ) as writer,
        ):
            reader.set_size(size)
            done = 0
            for index in range(plan.first_frame, plan.end_frame):
                picture = reader.frame(index)  # every frame: sequential decode, no re-seeks
                if (index - plan.first_frame) % plan.step:
                    continue
                frame = compose_frame(picture, geometry, index, overlay)
                repeats = 1 + (plan.hold_frames if index + plan.step >= plan.end_frame else 0)
                for _ in range(repeats):
                    if cancel is not None and cancel.is_set():
                        raise ExportCancelled(f"export of {info.path.name} cancelled")
                    writer.write(frame)
                    done += 1
                    if progress is not None:
                        progress(done, total)
    except MediaError as err:
        raise ExportError(str(err)) from err


def _result(path: Path, plan: ExportPlan) -> ExportResult:
    frames = plan.frames_out
    return ExportResult(
        path=path,
        start_s=plan.start_s,
        duration_s=frames / plan.fps,
        width=plan.geometry.width,
        height=plan.geometry.height,
        fps=plan.fps,
        frame_count=frames,
        size_bytes=path.stat().st_size,
    )


def x_video_problems(info: VideoInfo, size_bytes: int) -> list[str]:
    """What in a video breaks X's rules (empty when it may be uploaded)."""
    checks = [
        (info.codec == "h264", f"codec {info.codec}, X needs H.264"),
        (info.pix_fmt == "yuv420p", f"pixel format {info.pix_fmt}, X needs yuv420p"),
        (
            X_MIN_DURATION_S - 0.01 <= info.duration_s <= X_MAX_DURATION_S,
            f"duration {info.duration_s:.2f} s outside 0.5-140 s",
        ),
        (size_bytes <= X_MAX_BYTES, f"{size_bytes} bytes, over 512 MB"),
        (
            min(info.width, info.height) >= X_MIN_SIDE
            and info.width <= X_MAX_SIZE[0]
            and info.height <= X_MAX_SIZE[1],
            f"size {info.width}x{info.height} outside 32x32..1280x1024",
        ),
        (info.fps <= X_MAX_FPS + 0.01, f"{info.fps:.2f} fps, over 60"),
        (
            1 / X_MAX_ASPECT - 1e-3 <= info.width / max(info.height, 1) <= X_MAX_ASPECT + 1e-3,
            f"aspect {info.width}:{info.height} outside 1:3..3:1",
        ),
    ]
    return [problem for ok, problem in checks if not ok]
