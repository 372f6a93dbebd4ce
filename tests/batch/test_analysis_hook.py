"""Each clip analysed as it lands, through the injected analyzer hook (real decoding here)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np

from core.batch import RunState, read_scores
from core.batch.progress import summary_table
from core.media import iter_frames
from core.store import FailReason, JobFilter, JobState, Scores
from tests.batch.conftest import prompts

S = JobState


def frame_change_report(clip: Path, out_dir: Path) -> None:
    """A tiny but real analysis: mean change between frames, written as a DESIGN.md report."""
    previous = None
    changes = []
    for _index, _time_s, frame in iter_frames(clip, fmt="y", threads=False):
        luma = frame.astype(np.float32) / 255.0
        if previous is not None:
            changes.append(float(np.abs(luma - previous).mean()))
        previous = luma
    flicker = min(1.0, 10 * max(changes, default=0.0))
    scores = {"warping": 0.0, "melting": 0.0, "flicker": flicker, "physics": 0.0}
    report = {"schema": 1, "scores": {**scores, "realism_defect": 0.0, "overall": flicker}}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report), encoding="utf-8")


class FrameChangeAnalyzer:
    """Analyses in a thread (as the real pool does in processes); can be told to fail once."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_left = fail_first
        self.analysed: list[Path] = []

    async def __call__(self, clip: Path, out_dir: Path) -> Scores:
        if self.fail_left:
            self.fail_left -= 1
            raise ValueError(f"cannot read {clip.name}")
        await asyncio.to_thread(frame_change_report, clip, out_dir)
        self.analysed.append(clip)
        return read_scores(out_dir)


async def test_every_clip_is_analysed_as_it_lands(make_sim, make_controller) -> None:
    sim = await make_sim(defect_rate=0.5, seed=5)
    analyzer = FrameChangeAnalyzer()
    controller = make_controller(sim, analyzer=analyzer, concurrency=3)
    ids = controller.enqueue(prompts(6))
    phases: list[str] = []
    controller.events.progress.connect(lambda jid, phase, done, total: phases.append(phase))
    assert await controller.run() is RunState.FINISHED
    jobs = controller.store.get_many(ids)
    assert {j.state for j in jobs} == {S.DONE}
    assert len(analyzer.analysed) == 6
    for job in jobs:
        assert job.report_dir == f"analysis/{job.id}"
        assert (controller.run_dir.path / job.report_dir / "report.json").is_file()
        assert job.score_overall is not None and 0.0 <= job.score_overall <= 1.0
        assert job.worst_defect in ("warping", "melting", "flicker", "physics", "realism_defect")
    worst = controller.store.worst_scored(3)
    assert [j.score_overall for j in worst] == sorted(
        (j.score_overall for j in jobs), reverse=True
    )[:3]
    assert "analysing" in phases
    table = summary_table(controller.store)
    assert "worst 5 clip(s)" in table and f"clips/{worst[0].id}.mp4" in table


async def test_a_failed_analysis_keeps_the_clip_and_retries_free(make_sim, make_controller) -> None:
    sim = await make_sim()
    analyzer = FrameChangeAnalyzer(fail_first=1)
    controller = make_controller(sim, analyzer=analyzer, concurrency=2)
    controller.enqueue(prompts(3))
    assert await controller.run() is RunState.FINISHED
    (failed,) = controller.store.page(0, 3, JobFilter(states=(S.FAILED,)))
    assert failed.error_kind == FailReason.ANALYSIS and "cannot read" in (failed.error or "")
    assert (controller.run_dir.path / (failed.clip_path or "")).is_file()
    assert controller.retry_failed() == 1
    assert controller.store.get(failed.id).state is S.DOWNLOADED
    assert await controller.run() is RunState.FINISHED
    assert controller.store.get(failed.id).state is S.DONE
    assert sim.stats()["accepted"] == 3
