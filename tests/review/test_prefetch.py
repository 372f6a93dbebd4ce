"""The decoder loop fills the cache with exactly core.media's frames, latest plan first."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from core.media import VideoReader
from core.review import FrameCache, Prefetcher
from core.synth import ClipSpec, render_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("prefetch") / "clip.mp4"
    render_clip(ClipSpec("a kite over a beach", 2, 96, 64, 24, 1.0), path)
    return path


def run_in_thread(prefetcher: Prefetcher, seen: list[int], errors: list[str]) -> threading.Thread:
    thread = threading.Thread(target=prefetcher.run, args=(seen.append, errors.append))
    thread.start()
    return thread


def wait_for(condition, timeout_s: float = 10.0) -> None:
    event = threading.Event()
    for _ in range(int(timeout_s / 0.01)):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition not met in time")


def test_decodes_planned_frames_identical_to_reader(clip):
    cache = FrameCache(64 * 2**20)
    prefetcher = Prefetcher(clip, cache)
    seen: list[int] = []
    errors: list[str] = []
    thread = run_in_thread(prefetcher, seen, errors)
    prefetcher.request([20, 3, 4, 5])
    wait_for(lambda: len(seen) == 4)
    prefetcher.request([4, 5, 6])  # 4 and 5 are cached: only 6 is decoded
    wait_for(lambda: len(seen) == 5)
    prefetcher.close()
    thread.join(5)
    assert not thread.is_alive()
    assert seen == [20, 3, 4, 5, 6]
    assert errors == []
    with VideoReader(clip) as reader:
        for index in seen:
            assert np.array_equal(cache.get(index), reader.frame(index))


def test_scaled_decode_and_out_of_range_error(clip):
    cache = FrameCache(64 * 2**20)
    prefetcher = Prefetcher(clip, cache, size=(48, 32))
    seen: list[int] = []
    errors: list[str] = []
    thread = run_in_thread(prefetcher, seen, errors)
    prefetcher.request([99, 1])
    wait_for(lambda: seen == [1])
    prefetcher.close()
    thread.join(5)
    assert cache.get(1).shape == (32, 48, 3)
    assert errors == ["frame 99 out of range 0..23"]
