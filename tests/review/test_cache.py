"""Frame cache (byte-bounded LRU) and the decode-ahead order."""

from __future__ import annotations

import numpy as np
import pytest

from core.review import FrameCache, FrameRange, frames_for_budget, prefetch_plan


def frame(value: int) -> np.ndarray:
    return np.full((10, 10, 3), value, np.uint8)  # 300 bytes


def test_lru_evicts_least_recently_used_beyond_budget():
    cache = FrameCache(budget_bytes=900)
    for i in range(3):
        cache.put(i, frame(i))
    assert cache.get(0) is not None  # 0 is now the most recent
    cache.put(3, frame(3))
    assert 1 not in cache
    assert [i in cache for i in (0, 2, 3)] == [True, True, True]
    assert cache.nbytes == 900
    assert cache.missing([0, 1, 2, 5]) == [1, 5]


def test_cached_frames_are_read_only():
    cache = FrameCache(budget_bytes=1000)
    cache.put(0, frame(7))
    with pytest.raises(ValueError, match="read-only"):
        cache.get(0)[0, 0, 0] = 1


def test_budget_must_be_positive_and_frames_for_budget():
    with pytest.raises(ValueError, match="positive"):
        FrameCache(0)
    assert frames_for_budget(320 * 2**20, 1280, 720) == 121
    assert frames_for_budget(10, 1280, 720) == 2


CLIP = FrameRange(0, 99)


@pytest.mark.parametrize(
    ("center", "direction", "span", "loop", "ahead", "behind", "expected"),
    [
        (10, 1, CLIP, False, 3, 0, [10, 11, 12, 13]),
        (98, 1, CLIP, False, 3, 0, [98, 99]),
        (8, 1, FrameRange(5, 9), True, 4, 0, [8, 9, 5, 6, 7]),
        (7, 1, FrameRange(5, 9), True, 10, 0, [7, 8, 9, 5, 6]),  # no repeats in a short loop
        (10, -1, CLIP, False, 3, 0, [10, 7, 8, 9]),  # backward: ascending, one seek
        (1, -1, CLIP, False, 3, 0, [1, 0]),
        (10, 0, CLIP, False, 2, 2, [10, 11, 12, 8, 9]),
        (0, 0, CLIP, False, 2, 2, [0, 1, 2]),
        (150, 1, CLIP, False, 2, 0, [99]),  # a centre outside the span is clamped
    ],
)
def test_prefetch_plan(center, direction, span, loop, ahead, behind, expected):
    assert prefetch_plan(center, direction, span, loop, ahead, behind) == expected
