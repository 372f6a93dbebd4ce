"""From a real analysis run to a roast: synth clip -> core.analysis -> compose -> export."""

from __future__ import annotations

import pytest

from core.analysis import CLASSES, AnalysisOptions, analyze
from core.export import ExportOptions, export_clip, x_video_problems
from core.media import probe
from core.roast import compose_roasts, format_time
from core.roast.length import fits
from core.roast.sources import iter_clip_targets, load_facts
from core.synth import ClipSpec, DefectSpec, render_clip

PROMPT = "a red ball bouncing on a trampoline"


@pytest.fixture(scope="module")
def analysed_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    (run / "clips").mkdir()
    spec = ClipSpec(PROMPT, 3, 192, 108, 24, 2.0, (DefectSpec("melt", 18, 34, (48, 27, 120, 81)),))
    render_clip(spec, run / "clips" / "job-e2e.mp4")
    options = AnalysisOptions(
        out_dir=run / "analysis" / "job-e2e", device="cpu", html=False, meta={"prompt": PROMPT}
    )
    analyze(run / "clips" / "job-e2e.mp4", options)
    return run


def test_roast_of_an_analysed_clip_cites_the_defect(analysed_run, tmp_path):
    [clip] = iter_clip_targets(analysed_run, None, 1)
    facts = load_facts(clip)
    assert facts.prompt == PROMPT and facts.defect in CLASSES
    assert 18 / 24 - 0.5 <= facts.peak_s <= 34 / 24 + 0.5  # the injected defect's frames
    roasts = compose_roasts(facts, count=2, seed=1)
    assert len(roasts) == 6 and all(fits(r.text) for r in roasts)
    when = (format_time(facts.peak_s), f"rame {facts.peak_frame}")
    assert all(any(w in r.text for w in when) for r in roasts), [r.text for r in roasts]

    out = tmp_path / "e2e.mp4"
    result = export_clip(clip.clip_path, out, facts, clip.report_dir, ExportOptions(heatmap=True))
    info = probe(out)
    assert x_video_problems(info, out.stat().st_size) == []
    assert result.start_s <= facts.peak_s <= result.start_s + result.duration_s
