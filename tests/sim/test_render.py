"""Clip rendering: sizes, the load-test mode, dedupe of identical clips, the cache, pools."""

from __future__ import annotations

import asyncio
import random

import pytest

from core.media import probe
from core.sim import SimOptions, fast_options
from core.sim.render import ClipRenderer, cache_key, clip_spec_for, scaled_size

PARAMS = {"aspect_ratio": "16:9", "resolution": "480p", "duration": 1}


@pytest.mark.parametrize(
    ("size", "scale", "max_short", "expected"),
    [
        ((854, 480), 1.0, None, (854, 480)),
        ((854, 480), 0.25, None, (214, 120)),
        ((854, 480), 1.0, 64, (114, 64)),
        ((480, 854), 1.0, 64, (64, 114)),
        ((854, 480), 0.1, 64, (86, 48)),  # the smaller of the two limits wins
        ((854, 480), 1.0, 5000, (854, 480)),  # never scaled up
        ((854, 480), 0.001, None, (16, 16)),  # floor: H.264-friendly and synth's minimum
    ],
)
def test_scaled_size(size, scale, max_short, expected):
    assert scaled_size(*size, scale, max_short) == expected


def test_load_test_mode_bounds_distinct_clips():
    options = SimOptions(distinct_clips=3, max_short_side=64, defect_rate=0.5, seed=2)
    specs = {clip_spec_for(options, f"prompt {i}", PARAMS, random.Random(i)) for i in range(200)}
    assert len(specs) == 3
    assert len({cache_key(s) for s in specs}) == 3
    normal = SimOptions(max_short_side=64)
    assert len({clip_spec_for(normal, f"p{i}", PARAMS, random.Random(i)) for i in range(5)}) == 5


def test_defect_rate_decides_per_job():
    options = SimOptions(max_short_side=64, defect_rate=0.5)
    with_defects = [
        bool(clip_spec_for(options, "p", PARAMS, random.Random(i)).defects) for i in range(200)
    ]
    assert 60 < sum(with_defects) < 140


async def test_identical_clips_render_once_even_when_concurrent():
    options = fast_options()
    renderer = ClipRenderer(options)
    try:
        spec = clip_spec_for(options, "same", PARAMS, random.Random(0))
        clips = await asyncio.gather(*(renderer.render(spec) for _ in range(5)))
        again = await renderer.render(spec)
        assert renderer.renders == 1 and renderer.cache_hits == 5
        assert len({c.path for c in clips}) == 1 and again.path == clips[0].path
        assert probe(again.path).frame_count == 8
    finally:
        renderer.close()
    assert not renderer.folder.exists()  # the temporary cache is removed


async def test_persistent_cache_is_reused_across_renderers(tmp_path):
    options = fast_options(clip_cache=tmp_path / "cache")
    spec = clip_spec_for(options, "kept", PARAMS, random.Random(0))
    first = ClipRenderer(options)
    clip = await first.render(spec)
    first.close()
    second = ClipRenderer(options)
    try:
        again = await second.render(spec)
    finally:
        second.close()
    assert (second.renders, second.cache_hits) == (0, 1)
    assert again.path == clip.path and again.truth == clip.truth
    assert sorted(p.suffix for p in (tmp_path / "cache").iterdir()) == [".json", ".mp4"]


async def test_process_pool_renders_the_same_clip():
    spec_options = fast_options()
    spec = clip_spec_for(spec_options, "processes", PARAMS, random.Random(0))
    threads = ClipRenderer(spec_options)
    processes = ClipRenderer(fast_options(render_processes=True, render_workers=1))
    try:
        a, b = await asyncio.gather(threads.render(spec), processes.render(spec))
        assert a.path.read_bytes() == b.path.read_bytes()
    finally:
        threads.close()
        processes.close()
