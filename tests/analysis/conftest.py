"""Shared clips for the analysis tests: real H.264 files rendered with core.synth, analysed
once per session (analysis is the slow part)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from core.analysis import Report, analyze
from core.synth import REPORT_CLASS, ClipSpec, DefectSpec, plan_defects, render_clip

W, H, FPS, SECONDS = 320, 180, 24, 2.0
SEEDS = {
    "warp": 3,
    "melt": 4,
    "flicker": 1,
    "teleport": 1,
    "vanish": 1,
    "realism": 1,
    "jerk": 3,
    "resize": 2,
}
"""One scene per kind whose object defects are not hidden by a scene object crossing them."""
KIND_CLASS = REPORT_CLASS


@dataclass(frozen=True)
class Analysed:
    """A rendered clip, its injected defect (None for clean clips) and its report."""

    path: Path
    defect: DefectSpec | None
    report: Report


def auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """Rank-based ROC AUC (Mann-Whitney U), ties counted as one half."""
    values = np.concatenate([positives, negatives])
    order = values.argsort(kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    n_pos, n_neg = len(positives), len(negatives)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _spec(seed: int, defects: tuple[DefectSpec, ...] = ()) -> ClipSpec:
    return ClipSpec(f"prompt {seed}", seed, W, H, FPS, SECONDS, defects)


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("analysis-clips")


@pytest.fixture(scope="session")
def clean_clips(clip_dir: Path) -> dict[int, Analysed]:
    out = {}
    for seed in sorted(set(SEEDS.values())):
        path = clip_dir / f"clean-{seed}.mp4"
        render_clip(_spec(seed), path)
        out[seed] = Analysed(path, None, analyze(path))
    return out


@pytest.fixture(scope="session")
def defect_clips(clip_dir: Path) -> dict[str, Analysed]:
    out = {}
    for kind, seed in SEEDS.items():
        defect = plan_defects(_spec(seed), random.Random(seed * 7), 1, (kind,))[0]
        path = clip_dir / f"{kind}-{seed}.mp4"
        render_clip(_spec(seed, (defect,)), path)
        out[kind] = Analysed(path, defect, analyze(path))
    return out
