"""``analyze(path, options, progress, cancel) -> Report``: the whole analysis of one clip.

Qt-free and thread-agnostic: the GUI runs it on a QThread, the CLI and
:class:`core.analysis.AnalysisPool` in worker processes. Work is streamed in batches (see
:mod:`core.analysis.batching`), so memory stays flat however long the clip is.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from core.analysis import flicker, melting, physics, warping
from core.analysis.batching import Window, prefetch, windows
from core.analysis.context import Context
from core.analysis.decode import DecodedFrame, analysis_size, decode
from core.analysis.events import find_events
from core.analysis.heat import HeatStore, heatmap_size
from core.analysis.local import frame_local
from core.analysis.motion import Motion, build_motion, map_downscale, shrink
from core.analysis.options import AnalysisCancelled, AnalysisError, AnalysisOptions, ProgressFn
from core.analysis.pooling import clip_scores
from core.analysis.report import CLASSES, Report
from core.analysis.rows import frame_rows, motion_metrics
from core.devices import resolve_device
from core.media import MediaError, VideoInfo, probe

MIN_FRAMES = 2


@dataclass(frozen=True)
class _States:
    warp: warping.WarpState = field(default_factory=warping.WarpState)
    melt: melting.MeltState = field(default_factory=melting.MeltState)
    flicker: flicker.FlickerState = field(default_factory=flicker.FlickerState)
    physics: physics.PhysicsState = field(default_factory=physics.PhysicsState)


def analyze(
    path: Path | str,
    options: AnalysisOptions | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> Report:
    """Analyse one video and, when ``options.out_dir`` is set, write its report files.

    Raises
    ------
    AnalysisError
        The file is missing, unreadable, has fewer than two frames, or the device is unknown.
    AnalysisCancelled
        ``cancel`` was set; checked between batches.
    """
    options = options or AnalysisOptions()
    path = Path(path)
    started = time.perf_counter()
    info = _probe(path)
    device = _device(path, options)
    size = analysis_size(info.width, info.height, options.short_side_px)
    run = _Run(path, info, options, device, size, cancel or threading.Event(), progress)
    report = run.execute()
    report.elapsed_s = round(time.perf_counter() - started, 3)
    if options.out_dir is not None:
        from core.reports import write_report

        write_report(report, Path(options.out_dir), video_path=path, html=options.html)
    return report


def _probe(path: Path) -> VideoInfo:
    try:
        info = probe(path)
    except MediaError as err:
        raise AnalysisError(path, err.reason) from err
    if info.width <= 0 or info.height <= 0:
        raise AnalysisError(path, f"has no usable frame size ({info.width}x{info.height})")
    return info


def _device(path: Path, options: AnalysisOptions) -> torch.device:
    try:
        name = resolve_device(options.device)
    except ValueError as err:
        raise AnalysisError(path, str(err)) from err
    if name == "cpu":
        # One torch thread: the decode and flow threads keep the other core(s) busy, and two
        # torch threads fighting them for 2 cores measured 3x slower (7.8 vs 13.5 fps here).
        threads = options.torch_threads or max(1, (os.cpu_count() or 2) - 1)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
    return torch.device(name)


class _Run:
    """One analysis in progress: states, heatmaps and rows accumulated batch by batch."""

    def __init__(
        self,
        path: Path,
        info: VideoInfo,
        options: AnalysisOptions,
        device: torch.device,
        size: tuple[int, int],
        cancel: threading.Event,
        progress: ProgressFn | None,
    ) -> None:
        self.path, self.info, self.options, self.device = path, info, options, device
        self.ctx = Context(size[0], size[1], device)
        self.factor = map_downscale(min(size))
        self.map_ctx = Context(size[0] // self.factor, size[1] // self.factor, device)
        self.cancel, self.progress = cancel, progress
        self.batch = max(1, options.batch_frames)
        self.states = _States()
        hw = heatmap_size((self.map_ctx.width, self.map_ctx.height), info.frame_count, options)
        self.heat = HeatStore(CLASSES, hw)
        self.rows: list[dict[str, float]] = []
        self.warnings: list[str] = []
        self._local_pool = ThreadPoolExecutor(1, thread_name_prefix="analysis-local")
        self._detect_pool = ThreadPoolExecutor(1, thread_name_prefix="analysis-detect")

    def execute(self) -> Report:
        stop = threading.Event()
        frames = prefetch(
            decode(self.path, (self.ctx.width, self.ctx.height)), 2 * self.batch, stop
        )
        short_side = min(self.ctx.width, self.ctx.height)
        with self._local_pool, self._detect_pool:
            batches = windows(
                self._guarded(frames), self.batch, short_side, self._prepare, self.factor
            )
            try:
                with closing(batches):  # the flow thread is done before the local pool closes
                    for window in batches:
                        if self.cancel.is_set():
                            raise AnalysisCancelled(str(self.path))
                        self._process(window)
            finally:
                stop.set()
        if len(self.rows) < MIN_FRAMES:
            raise AnalysisError(self.path, f"has only {len(self.rows)} decodable frame(s)")
        return self._report()

    def _guarded(self, frames: Iterator[DecodedFrame]) -> Iterator[DecodedFrame]:
        """Pass frames through; a decode failure mid-way ends the clip with a warning (the
        frames before it are still analysed: a cut download is worth reporting on)."""
        try:
            yield from frames
        except MediaError as err:
            self.warnings.append(f"decoding stopped early: {err.reason}")

    def _process(self, window: Window) -> None:
        try:
            rows, heat, states = self._compute(window)
        except torch.cuda.OutOfMemoryError:
            if len(window.core) < 2:
                raise
            torch.cuda.empty_cache()
            self.batch = max(1, len(window.core) // 2)
            self.warnings.append(f"device ran out of memory; batch reduced to {self.batch} frames")
            for half in window.split():
                self._process(half)
            return
        self.states = states
        self.rows.extend(rows)
        self.heat.append(heat)
        if self.options.on_rows is not None:
            self.options.on_rows(rows)
        if self.progress is not None:
            self.progress(len(self.rows), max(self.info.frame_count, len(self.rows)))

    def _prepare(self, window: Window) -> Window:
        """Flow-thread part, one window ahead of the detectors: everything stateless. The motion
        front end runs here while a third thread computes the plain metrics and realism, so
        the stateless work of window k+1 overlaps the detectors of window k and, with decoding,
        there is always more runnable work than cores (measured CPU ms per frame at 640x360:
        flow 4, motion 5, plain metrics + realism 4, detectors + rows 8, decode 2.6)."""
        try:
            luma = self._map_luma(window)
            pending = self._local_pool.submit(
                frame_local, self.ctx, self.map_ctx, window.prev, window.core, luma[1:-1]
            )
            motion = self._motion(window, luma)
            return replace(window, local=pending.result(), motion=motion)
        except torch.cuda.OutOfMemoryError:
            return window  # the main thread redoes it inside the batch-halving retry

    @torch.inference_mode()
    def _map_luma(self, window: Window) -> torch.Tensor:
        """(N+2, 1, h, w) float luma of t-1, the core frames and t+1, at map size."""
        seq = [window.prev or window.core[0], *window.core, window.nxt or window.core[-1]]
        luma = torch.from_numpy(np.stack([f.y for f in seq])).to(self.device)
        return shrink(luma.float().unsqueeze(1), self.factor)

    @torch.inference_mode()
    def _motion(self, window: Window, luma: torch.Tensor | None = None) -> Motion:
        luma = self._map_luma(window) if luma is None else luma
        first = [f.index == 0 for f in window.core]
        return build_motion(luma, window.pairs, first, self.device)

    @torch.inference_mode()
    def _compute(
        self, window: Window
    ) -> tuple[list[dict[str, float]], dict[str, torch.Tensor], _States]:
        m = window.motion or self._motion(window)
        s, ctx = self.states, self.map_ctx
        # The detectors only depend on their own state: two run on a helper thread meanwhile.
        side = self._detect_pool.submit(_side_detectors, ctx, m, s)
        w_sig, w_heat, w_score, w_state = warping.step(ctx, m, s.warp)
        f_sig, f_heat, f_score, f_state = flicker.step(ctx, m, s.flicker)
        (m_sig, m_heat, m_score, m_state), (p_sig, p_heat, p_score, p_state) = side.result()
        local = window.local or frame_local(self.ctx, self.map_ctx, window.prev, window.core, m.cur)
        scores = {
            "warping": w_score,
            "melting": m_score,
            "flicker": f_score,
            "physics": p_score,
            "realism_defect": local.realism_score,
        }
        heat = {
            "warping": w_heat,
            "melting": m_heat,
            "flicker": f_heat,
            "physics": p_heat,
            "realism_defect": local.realism_heat,
        }
        plain = {k: v for k, v in local.signals.items() if not k.startswith("realism")}
        realism_signals = {k: v for k, v in local.signals.items() if k.startswith("realism")}
        signals = {**plain, **motion_metrics(ctx, m), **w_sig, **m_sig, **f_sig, **p_sig}
        signals.update(realism_signals)
        rows = frame_rows(window.core, scores, signals)
        return rows, heat, _States(w_state, m_state, f_state, p_state)

    def _report(self) -> Report:
        per_frame = {kind: np.array([r[kind] for r in self.rows]) for kind in CLASSES}
        heatmaps = self.heat.arrays()
        source = (self.info.width, self.info.height)
        parts = {
            name: np.array([r.get(column, 0.0) for r in self.rows])
            for name, column in (("jerk", "physics_jerk"), ("area_change", "physics_area"))
        }
        events = find_events(per_frame, heatmaps, source, self.info.fps, parts)
        peak = torch.cuda.max_memory_allocated(self.device) if self.device.type == "cuda" else 0
        return Report(
            video=str(self.path),
            fps=self.info.fps,
            frame_count=len(self.rows),
            width=self.info.width,
            height=self.info.height,
            device=str(self.device),
            elapsed_s=0.0,
            scores=clip_scores(per_frame),
            events=events,
            metrics=list(self.rows[0].keys()),
            rows=self.rows,
            heatmaps=heatmaps,
            analysis_size=(self.ctx.width, self.ctx.height),
            batch_frames=self.batch,
            peak_memory_bytes=int(peak),
            warnings=self.warnings + _info_warnings(self.info),
            meta=dict(self.options.meta),
        )


@torch.inference_mode()
def _side_detectors(
    ctx: Context, m: Motion, s: _States
) -> tuple[
    tuple[dict[str, torch.Tensor], torch.Tensor, torch.Tensor, melting.MeltState],
    tuple[dict[str, torch.Tensor], torch.Tensor, torch.Tensor, physics.PhysicsState],
]:
    return melting.step(ctx, m, s.melt), physics.step(ctx, m, s.physics)


def _info_warnings(info: VideoInfo) -> list[str]:
    notes = []
    if info.vfr:
        notes.append("variable frame rate: time_s comes from each frame's timestamp")
    if info.truncated:
        notes.append(f"file holds {info.frame_count} of {info.declared_frames} declared frames")
    return notes


def with_out_dir(options: AnalysisOptions, out_dir: Path) -> AnalysisOptions:
    """A copy of ``options`` writing to ``out_dir``."""
    return replace(options, out_dir=out_dir)
