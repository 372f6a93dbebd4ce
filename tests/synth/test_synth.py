"""Synthetic clips: deterministic, real H.264 files, defects confined to their box and span."""

from __future__ import annotations

import random

import numpy as np
import pytest

from core.media import probe
from core.synth import (
    DEFECT_KINDS,
    EXTRA_KINDS,
    ClipSpec,
    DefectSpec,
    GroundTruth,
    iter_clip_frames,
    plan_defects,
    render_clip,
)

W, H, FPS = 192, 108, 24


def _spec(*defects: DefectSpec, prompt: str = "a red ball rolls", seed: int = 3) -> ClipSpec:
    return ClipSpec(prompt, seed, W, H, FPS, 1.5, defects)


def _frames(spec: ClipSpec) -> np.ndarray:
    return np.stack(list(iter_clip_frames(spec))).astype(np.int16)


@pytest.fixture(scope="module")
def clean() -> np.ndarray:
    return _frames(_spec())


def _outside(mask_shape: tuple[int, ...], box: tuple[int, int, int, int]) -> np.ndarray:
    outside = np.ones(mask_shape, bool)
    x0, y0, x1, y1 = box
    outside[y0:y1, x0:x1] = False
    return outside


def test_same_spec_same_pixels_and_prompt_changes_content(clean):
    assert np.array_equal(clean, _frames(_spec()))
    other = _frames(_spec(prompt="a blue ball rolls"))
    assert np.abs(other - clean).mean() > 10


def test_clean_clip_moves_consistently(clean):
    step = np.abs(np.diff(clean, axis=0)).mean(axis=(1, 2, 3))
    assert step.min() > 0.3, "camera and objects should move every frame"
    assert step.max() < 6 * np.median(step), "no jumps in a clean clip"


@pytest.mark.parametrize("kind", ["warp", "melt", "flicker", "realism"])
def test_field_defects_stay_in_box_and_span(clean, kind):
    box = (50, 20, 130, 90)
    frames = _frames(_spec(DefectSpec(kind, 10, 24, box)))
    diff = np.abs(frames - clean).max(axis=3)
    assert diff[:10].max() == 0 and diff[24:].max() == 0
    assert diff[10:24][:, _outside(diff.shape[1:], box)].max() == 0
    assert diff[10:24].mean(axis=(1, 2)).min() > 0.2


def test_flicker_alternates_and_melt_smooths(clean):
    box = (50, 20, 130, 90)
    x0, y0, x1, y1 = box
    flicker = _frames(_spec(DefectSpec("flicker", 10, 24, box)))
    delta = (flicker - clean)[10:24, y0:y1, x0:x1].mean(axis=(1, 2, 3))
    assert np.all(np.sign(delta[:-1]) == -np.sign(delta[1:]))
    melt = _frames(_spec(DefectSpec("melt", 4, 30, box)))

    def energy(frames, t):  # in the box's core, where the melt is at full strength
        grey = frames[t, y0 + 18 : y1 - 18, x0 + 20 : x1 - 20].mean(axis=2)
        return float(np.abs(np.diff(grey, axis=0)).mean() + np.abs(np.diff(grey, axis=1)).mean())

    ratios = [energy(melt, t) / energy(clean, t) for t in (6, 15, 29)]
    assert ratios[0] > ratios[1] > ratios[2] and ratios[2] < 0.4


def test_teleport_jumps_inside_its_box(clean):
    box = (20, 30, 176, 74)
    frames = _frames(_spec(DefectSpec("teleport", 12, 15, box)))
    changed = np.abs(frames - clean).max(axis=3) > 0
    for t in range(11, 15):
        assert changed[t].any() and not changed[t][_outside(changed.shape[1:], box)].any()
    cols_before = np.flatnonzero(changed[11].any(axis=0))
    cols_after = np.flatnonzero(changed[12].any(axis=0))
    jump = abs(cols_after.mean() - cols_before.mean())
    assert jump > 0.4 * (box[2] - box[0])


def test_vanish_removes_the_object_for_good(clean):
    box = (60, 30, 110, 80)
    frames = _frames(_spec(DefectSpec("vanish", 12, 15, box)))
    changed = np.abs(frames - clean).max(axis=3) > 0
    assert changed[11].any() and not changed[11][_outside(changed.shape[1:], box)].any()
    assert not changed[12:].any()


def test_render_writes_h264_with_audio_and_ground_truth(tmp_path):
    spec = _spec(DefectSpec("warp", 5, 12, (40, 20, 100, 80)))
    truth = render_clip(spec, tmp_path / "clip.mp4")
    info = probe(tmp_path / "clip.mp4")
    assert (info.width, info.height, info.frame_count) == (W, H, 36)
    assert info.codec == "h264" and info.pix_fmt == "yuv420p" and info.has_audio
    data = truth.to_json()
    assert data["defects"] == [
        {"kind": "warp", "start_frame": 5, "end_frame": 12, "box": [40, 20, 100, 80]}
    ]
    assert data["clip"]["frame_count"] == 36 and data["clip"]["prompt"] == "a red ball rolls"
    assert GroundTruth.from_json(data) == truth


def test_plan_defects_is_deterministic_and_fits_the_clip():
    spec = ClipSpec("x", 1, 320, 180, 24, 2.0)
    first = plan_defects(spec, random.Random(7), count=20)
    assert first == plan_defects(spec, random.Random(7), count=20)
    assert {d.kind for d in first} <= set(DEFECT_KINDS) and len({d.kind for d in first}) > 2
    for d in first:
        x0, y0, x1, y1 = d.box
        assert 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 180
        assert 2 <= d.start_frame < d.end_frame <= spec.frame_count - 1
    only = plan_defects(spec, random.Random(1), count=4, kinds=("flicker",))
    assert {d.kind for d in only} == {"flicker"}
    ClipSpec("x", 1, 320, 180, 24, 2.0, first)  # validates every span against the clip


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DefectSpec("blur", 1, 2, (0, 0, 20, 20)), "not one of"),
        (lambda: DefectSpec("warp", 5, 5, (0, 0, 20, 20)), "is empty"),
        (lambda: DefectSpec("warp", 1, 5, (0, 0, 4, 20)), "smaller than 8x8"),
        (lambda: ClipSpec("x", 1, 191, 108, 24, 1.0), "must be even"),
        (lambda: ClipSpec("x", 1, 192, 108, 0, 1.0), "fps"),
        (lambda: ClipSpec("x", 1, 192, 108, 24, 0.01), "under 2 frames"),
        (lambda: _spec(DefectSpec("warp", 30, 40, (0, 0, 20, 20))), "past the clip"),
    ],
)
def test_bad_specs_say_what_is_wrong(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def _centre_and_area(changed: np.ndarray) -> tuple[float, float, int]:
    ys, xs = np.nonzero(changed)
    return float(xs.mean()), float(ys.mean()), int(xs.size)


def test_jerk_reverses_its_velocity_in_mid_air(clean):
    box = (20, 30, 176, 74)
    frames = _frames(_spec(DefectSpec("jerk", 14, 17, box)))
    changed = np.abs(frames - clean).max(axis=3) > 0
    xs = [_centre_and_area(changed[t])[0] for t in range(10, 19)]
    steps = np.diff(xs)  # steps[i] is frame 10 + i -> 11 + i
    before, after = steps[:3], steps[4:]  # frame 13 is the turning point
    assert np.all(np.sign(before) == np.sign(before[0])) and abs(before[0]) > 0.8
    assert np.all(np.sign(after) == -np.sign(before[0]))


def test_resize_grows_the_object_around_its_centre(clean):
    box = (60, 20, 130, 90)
    frames = _frames(_spec(DefectSpec("resize", 12, 15, box)))
    changed = np.abs(frames - clean).max(axis=3) > 0
    x0, y0, a0 = _centre_and_area(changed[11])
    x1, y1, a1 = _centre_and_area(changed[12])
    assert 2.0 < a1 / a0 < 3.2  # 1.6x per side
    assert abs(x1 - x0) < 4 and abs(y1 - y0) < 4
    assert abs(_centre_and_area(changed[13])[2] - a1) < 0.1 * a1  # and it stays that size


def test_extra_kinds_are_never_planned_by_default():
    spec = ClipSpec("x", 1, 320, 180, 24, 2.0)
    kinds = {d.kind for d in plan_defects(spec, random.Random(3), count=40)}
    assert kinds <= set(DEFECT_KINDS) and not kinds & set(EXTRA_KINDS)
    jerk = plan_defects(spec, random.Random(3), count=1, kinds=("jerk",))[0]
    assert jerk.end_frame - jerk.start_frame == 3 and jerk.box[2] - jerk.box[0] > 2 * (
        jerk.box[3] - jerk.box[1]
    )


def test_every_kind_names_the_analysis_class_that_reports_it():
    from core.analysis import CLASSES
    from core.synth import DEFECT_KINDS, EXTRA_KINDS, REPORT_CLASS

    assert set(REPORT_CLASS) == set(DEFECT_KINDS + EXTRA_KINDS)
    assert set(REPORT_CLASS.values()) <= set(CLASSES)
