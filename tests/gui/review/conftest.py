"""Fixtures for the review GUI tests: small synthetic clips and a panel that closes cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.synth import ClipSpec, DefectSpec, GroundTruth, render_clip
from gui.review import ReviewPanel

WARP = DefectSpec("warp", 8, 16, (48, 24, 112, 72))


@pytest.fixture(scope="session")
def synth_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    """A 160x96, 1 s, 24 fps clip with one injected warp (frames 8..15)."""
    path = tmp_path_factory.mktemp("clips") / "warp.mp4"
    spec = ClipSpec("a red ball bounces on a table", 3, 160, 96, 24, 1.0, (WARP,))
    return path, render_clip(spec, path)


@pytest.fixture(scope="session")
def other_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second generation of the same prompt (another seed) for comparisons."""
    path = tmp_path_factory.mktemp("clips") / "other.mp4"
    render_clip(ClipSpec("a red ball bounces on a table", 4, 160, 96, 24, 1.0), path)
    return path


@pytest.fixture
def panel(qtbot) -> ReviewPanel:
    """A shown ReviewPanel whose decoder threads are stopped at teardown."""
    widget = ReviewPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 640)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close_clips()


@pytest.fixture(scope="session")
def analysed_clip(
    tmp_path_factory: pytest.TempPathFactory, synth_clip: tuple[Path, GroundTruth]
) -> tuple[Path, Path, GroundTruth]:
    """The warp clip and a real analysis of it (core.analysis.analyze, CPU)."""
    from core.analysis import AnalysisOptions, analyze

    clip, truth = synth_clip
    out_dir = tmp_path_factory.mktemp("analysis") / "warp"
    analyze(clip, AnalysisOptions(out_dir=out_dir, device="cpu", html=False))
    return clip, out_dir, truth
