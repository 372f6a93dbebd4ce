"""Comparison maths: time sync with offsets, difference, wipe, side by side, report paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.review import (
    default_report_dir,
    difference,
    find_report_dir,
    side_by_side,
    side_frame,
    wipe,
)

T24 = tuple(i / 24 for i in range(48))
T30 = tuple(i / 30 for i in range(60))


@pytest.mark.parametrize(
    ("time_s", "times", "offset", "expected"),
    [
        (0.0, T24, 0, 0),
        (10 / 24, T24, 0, 10),  # exact timestamps match despite float error
        (10 / 24, T30, 0, 12),  # 0.4167 s: the 30 fps frame that started at 0.4 s
        (10 / 24, T24, 3, 13),
        (0.0, T24, -2, 0),  # clamped at the start
        (47 / 24, T24, 5, 47),  # and at the end
    ],
)
def test_side_frame(time_s, times, offset, expected):
    assert side_frame(time_s, times, offset) == expected


def test_difference_wipe_side_by_side():
    a = np.full((4, 6, 3), 100, np.uint8)
    b = np.full((4, 6, 3), 103, np.uint8)
    assert (difference(a, b, gain=4.0) == 12).all()
    wiped = wipe(a, b, 2)
    assert (wiped[:, :2] == 100).all()
    assert (wiped[:, 2:] == 103).all()
    both = side_by_side(a, b, gap_px=2)
    assert both.shape == (4, 14, 3)
    assert (both[:, 6:8] == 0).all()
    with pytest.raises(ValueError, match="differ in shape"):
        difference(a, b[:, :5])


@pytest.mark.parametrize(
    ("clip", "expected"),
    [
        ("/runs/r1/clips/job42.mp4", "/runs/r1/analysis/job42"),
        ("/home/me/Videos/dropped.mp4", "/home/me/Videos/dropped.analysis"),
    ],
)
def test_default_report_dir(clip, expected):
    assert default_report_dir(clip) == Path(expected)


def test_find_report_dir_looks_beside_the_clip_and_in_tc_analysis(tmp_path):
    clip = tmp_path / "gen.mp4"
    assert find_report_dir(clip) is None
    cli_dir = tmp_path / "tc-analysis" / "gen"
    cli_dir.mkdir(parents=True)
    (cli_dir / "report.json").write_text("{}")
    assert find_report_dir(clip) == cli_dir
    gui_dir = tmp_path / "gen.analysis"
    gui_dir.mkdir()
    (gui_dir / "report.json").write_text("{}")
    assert find_report_dir(clip) == gui_dir
