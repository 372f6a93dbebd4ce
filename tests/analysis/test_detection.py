"""Each detector finds its injected defect: when (AUC of per-frame scores), where (heatmap mass
inside the box) and how much (the clip scores above the clean clip of the same scene)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.analysis.conftest import KIND_CLASS, SEEDS, auc

KINDS = list(SEEDS)


def _positive_frames(kind: str, start: int, end: int) -> list[int]:
    if kind in ("teleport", "vanish", "resize"):
        return [start]  # the discontinuity happens at start_frame (see DefectSpec)
    if kind == "jerk":
        return [start, start + 1]  # a reversal is a third difference of position on two frames
    if kind == "melt":
        # A melt is progressive: its first quarter is a barely visible softening by design.
        return list(range(start + (end - start) // 4, end))
    return list(range(start, end))


@pytest.mark.parametrize("kind", KINDS)
def test_per_frame_score_separates_defect_frames_from_clean_frames(kind, defect_clips, clean_clips):
    clip = defect_clips[kind]
    d = clip.defect
    scores = clip.report.column(KIND_CLASS[kind])
    clean = clean_clips[SEEDS[kind]].report.column(KIND_CLASS[kind])
    positives = scores[_positive_frames(kind, d.start_frame, d.end_frame)]
    # Negatives: every frame of the same scene without the defect (frame 0 has no predecessor).
    negatives = clean[1:]
    assert auc(positives, negatives) >= 0.9, (positives, negatives.max())


@pytest.mark.parametrize("kind", KINDS)
def test_heatmap_mass_lies_in_the_injected_box(kind, defect_clips):
    clip = defect_clips[kind]
    d, report = clip.defect, clip.report
    heat = report.heatmaps[KIND_CLASS[kind]][_positive_frames(kind, d.start_frame, d.end_frame)]
    heat = heat.astype(np.float64)
    hh, hw = heat.shape[1:]
    sx, sy = hw / report.width, hh / report.height
    x0, y0, x1, y1 = d.box
    inside = np.zeros((hh, hw), bool)
    inside[int(y0 * sy) : int(np.ceil(y1 * sy)), int(x0 * sx) : int(np.ceil(x1 * sx))] = True
    assert heat.sum() > 0
    assert heat[:, inside].sum() / heat.sum() >= 0.6


@pytest.mark.parametrize("kind", KINDS)
def test_defective_clip_scores_higher_than_its_clean_twin(kind, defect_clips, clean_clips):
    cls = KIND_CLASS[kind]
    defective = defect_clips[kind].report.scores[cls]
    clean = clean_clips[SEEDS[kind]].report.scores[cls]
    assert defective >= 0.5 and defective > clean + 0.3, (defective, clean)


def test_clean_clips_score_low(clean_clips):
    for clip in clean_clips.values():
        assert clip.report.scores["overall"] < 0.5, clip.report.scores


@pytest.mark.parametrize("kind", KINDS)
def test_events_point_at_the_defect(kind, defect_clips):
    clip = defect_clips[kind]
    d = clip.defect
    found = [e for e in clip.report.events if e.kind == KIND_CLASS[kind]]
    assert found, clip.report.events
    best = max(found, key=lambda e: e.score)
    assert best.start < d.end_frame + 2 and best.end > d.start_frame - 1
    bx0, by0, bx1, by1 = best.box
    x0, y0, x1, y1 = d.box
    assert bx0 < x1 and x0 < bx1 and by0 < y1 and y0 < by1, (best.box, d.box)
    if kind == "teleport":
        assert best.detail in ("teleport", "vanish_or_appear")
    expected = {"jerk": ("jerk", "velocity changed"), "resize": ("area_change", "area jumped")}
    if kind in expected:
        detail, words = expected[kind]
        assert best.detail == detail and words in best.evidence, best
