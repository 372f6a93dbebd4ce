"""A-vs-B series: time-synced pairs with offsets, and the same numbers as compare_videos."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from core.analysis import compare_videos
from core.review import aligned_pairs, similarity_series
from core.synth import ClipSpec, render_clip


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pair")
    a, b = folder / "a.mp4", folder / "b.mp4"
    render_clip(ClipSpec("a dog chases a frisbee", 1, 96, 64, 24, 0.75), a)
    render_clip(ClipSpec("a dog chases a frisbee", 2, 96, 64, 24, 0.75), b)
    return a, b


def test_aligned_pairs_follow_time_and_offsets():
    t24 = tuple(i / 24 for i in range(4))
    t12 = tuple(i / 12 for i in range(2))
    assert aligned_pairs(t24, t24, (0, 0)) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert aligned_pairs(t24, t12, (0, 0)) == [(0, 0), (1, 0), (2, 1), (3, 1)]
    assert aligned_pairs(t24, t24, (1, -1)) == [(1, 0), (2, 0), (3, 1), (3, 2)]


def test_matches_compare_videos_without_offsets(pair):
    a, b = pair
    series = similarity_series(a, b)
    reference = compare_videos(a, b, device="cpu")
    assert series["psnr_db"] == pytest.approx([r["psnr"] for r in reference.rows], abs=1e-5)
    assert series["ssim"] == pytest.approx([r["ssim"] for r in reference.rows], abs=1e-6)


def test_offset_shifts_the_pairs_and_cancel_returns_nothing(pair):
    a, b = pair
    shifted = similarity_series(a, a, offsets=(0, 1))
    assert shifted["ssim"][-1] == pytest.approx(1.0)  # clamped: last frame against itself
    assert np.all(shifted["ssim"][:-1] < 1.0)
    cancel = threading.Event()
    cancel.set()
    assert similarity_series(a, b, cancel=cancel) == {}
