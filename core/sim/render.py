"""Rendering the simulator's clips with core.synth: off the event loop, deduplicated, cached.

Clips render in a thread (or process) pool so the server keeps answering while encoding. A
clip is identified by its :class:`core.synth.ClipSpec` (prompt, seed, size, fps, duration,
defects): identical specs render once (concurrent requests share the same render) and are
kept in a cache folder, which a ``clip_cache`` option makes persistent across runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import tempfile
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import spec as wire
from core.sim.faults import rng_for
from core.sim.options import SimOptions
from core.synth import ClipSpec, plan_defects, render_clip

MIN_SIDE_PX = 16


@dataclass(frozen=True)
class RenderedClip:
    """A finished clip on disk and its ground truth (``GroundTruth.to_json()``)."""

    path: Path
    size_bytes: int
    truth: dict[str, Any]


def scaled_size(width: int, height: int, scale: float, max_short: int | None) -> tuple[int, int]:
    """Scale (width, height) by ``scale`` and cap the short side; both stay even and >= 16."""
    factor = scale
    if max_short is not None:
        factor = min(factor, max_short / min(width, height))
    factor = min(factor, 1.0)
    return _even(width * factor), _even(height * factor)


def _even(value: float) -> int:
    return max(MIN_SIDE_PX, round(value / 2) * 2)


def clip_spec_for(
    options: SimOptions, prompt: str, params: dict[str, Any], job_rng: random.Random
) -> ClipSpec:
    """The clip a generation renders: its size, content source and (maybe) a defect.

    In load-test mode (``distinct_clips``) the prompt is replaced by one of N slot names so
    at most N distinct clips exist per (size, duration); the defect decision follows the
    slot too, so each slot's clip and ground truth stay consistent.
    """
    width, height = wire.frame_size(params["aspect_ratio"], params["resolution"])
    width, height = scaled_size(width, height, options.render_scale, options.max_short_side)
    if options.distinct_clips is not None:
        slot = int(hashlib.sha256(prompt.encode()).hexdigest(), 16) % options.distinct_clips
        prompt = f"load-test clip {slot}"
        job_rng = rng_for(options.seed, "slot", slot)
    spec = ClipSpec(prompt, options.seed, width, height, options.fps, float(params["duration"]))
    if job_rng.random() >= options.defect_rate:
        return spec
    defects = plan_defects(spec, job_rng, count=1, kinds=options.defect_kinds)
    return ClipSpec(spec.prompt, spec.seed, width, height, spec.fps, spec.duration_s, defects)


def cache_key(spec: ClipSpec) -> str:
    """A file-name-safe digest of everything that determines the clip's pixels."""
    data = spec.to_json() | {"defects": [d.to_json() for d in spec.defects]}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def _render_file(spec: ClipSpec, path: str) -> dict[str, Any]:
    """Render to a temporary name, then rename: a crash never leaves a half clip in the cache.

    Module-level so a process pool can pickle it.
    """
    tmp = f"{path}.{os.getpid()}.tmp"
    truth = render_clip(spec, tmp).to_json()
    os.replace(tmp, path)
    return truth


class ClipRenderer:
    """Renders clips in a pool, sharing in-flight renders and caching finished ones."""

    def __init__(self, options: SimOptions) -> None:
        self._owns_dir = options.cache_dir is None
        self.folder = Path(options.cache_dir or tempfile.mkdtemp(prefix="tc-sim-clips-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self._executor: Executor = _make_executor(options)
        self._inflight: dict[str, asyncio.Future[RenderedClip]] = {}
        self.renders = 0
        """Clips actually rendered."""
        self.cache_hits = 0
        """Clips served from the cache or from a render already in progress."""

    async def render(self, spec: ClipSpec) -> RenderedClip:
        """Return the rendered clip for ``spec``, rendering it at most once."""
        key = cache_key(spec)
        future = self._inflight.get(key)
        if future is not None:
            self.cache_hits += 1
            return await asyncio.shield(future)
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            clip = await self._load_or_render(key, spec)
        except asyncio.CancelledError:
            del self._inflight[key]
            future.cancel()
            raise
        except Exception as err:
            del self._inflight[key]
            future.set_exception(err)
            future.exception()  # mark retrieved: the awaiting caller re-raises it
            raise
        future.set_result(clip)
        return clip

    async def _load_or_render(self, key: str, spec: ClipSpec) -> RenderedClip:
        path, truth_path = self.folder / f"{key}.mp4", self.folder / f"{key}.json"
        truth = _cached_truth(path, truth_path)
        if truth is not None:
            self.cache_hits += 1
        else:
            loop = asyncio.get_running_loop()
            truth = await loop.run_in_executor(self._executor, _render_file, spec, str(path))
            _write_atomic(truth_path, json.dumps(truth))
            self.renders += 1
        return RenderedClip(path, path.stat().st_size, truth)

    def close(self) -> None:
        """Stop the pool (abandoning queued renders) and remove a temporary cache folder."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._owns_dir:
            shutil.rmtree(self.folder, ignore_errors=True)


def _cached_truth(path: Path, truth_path: Path) -> dict[str, Any] | None:
    """The ground truth of a cached clip, or ``None`` when it must be rendered (again)."""
    if not path.is_file():
        return None
    try:
        truth: dict[str, Any] = json.loads(truth_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return truth


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary name, so a killed simulator never leaves half a file."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _make_executor(options: SimOptions) -> Executor:
    if options.render_processes:
        # spawn: a forked child of a threaded server (or of the Qt app) can deadlock.
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(options.render_workers, mp_context=context)
    return ThreadPoolExecutor(options.render_workers, thread_name_prefix="sim-render")
