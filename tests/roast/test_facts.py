"""Reading a clip's findings and finding its prompt, report folder and run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from core.roast.facts import ReportError, facts_from_report
from core.roast.sources import (
    AnalysedClip,
    analysed_clip,
    find_report_dir,
    iter_clip_targets,
    load_facts,
    worst_clips,
)


def _report(folder: Path, **fields) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"schema": 1, "video": "c.mp4", "fps": 25, "frame_count": 100, "scores": {}}
    data.update(fields)
    (folder / "report.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_worst_event_wins_and_frames_become_seconds(tmp_path):
    folder = _report(
        tmp_path / "r",
        scores={"overall": 0.7, "melting": 0.9},
        events=[
            {"kind": "flicker", "start": 5, "end": 9, "peak": 7, "score": 0.4, "box": [0, 0, 9, 9]},
            {
                "kind": "melting",
                "start": 50,
                "end": 74,
                "peak": 60,
                "score": 0.9,
                "box": [0, 0, 9, 9],
            },
        ],
    )
    facts = facts_from_report(folder)
    assert (facts.defect, facts.score, facts.overall) == ("melting", 0.9, 0.7)
    assert (facts.start_s, facts.peak_s, facts.end_s) == (2.0, 2.4, 2.96)  # end exclusive
    assert facts.peak_frame == 60 and facts.clip_duration_s == 4.0


def test_without_events_the_worst_class_and_its_worst_frame(tmp_path):
    folder = _report(tmp_path / "r", scores={"overall": 0.5, "warping": 0.2, "physics": 0.6})
    rows = ["frame,time_s,warping,physics"] + [
        f"{i},{i / 25},{0.1},{0.9 if i == 33 else 0.2}" for i in range(100)
    ]
    (folder / "frames.csv").write_text("\n".join(rows), encoding="utf-8")
    facts = facts_from_report(folder)
    assert facts.defect == "physics" and facts.peak_s == pytest.approx(33 / 25)
    assert facts.start_s == facts.peak_s and facts.end_s == pytest.approx(34 / 25)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scores": 3}, "'scores'"),
        ({"fps": "fast"}, "'fps' must be a number"),
        ({"events": [{"start": 1}]}, r"events\[0\] needs a string 'kind'"),
        ({"events": [{"kind": "melting", "peak": "x"}]}, r"'peak' must be a number"),
        ({"scores": {"overall": 0.3}}, "no per-class scores and no events"),
    ],
)
def test_bad_reports_name_file_and_field(tmp_path, fields, message):
    folder = _report(tmp_path / "r", **fields)
    with pytest.raises(ReportError, match=message) as caught:
        facts_from_report(folder)
    assert "report.json" in str(caught.value)


def test_missing_and_broken_report(tmp_path):
    with pytest.raises(ReportError, match="missing"):
        facts_from_report(tmp_path)
    (tmp_path / "report.json").write_text("{not json")
    with pytest.raises(ReportError, match="not readable JSON"):
        facts_from_report(tmp_path)


def test_bad_frames_csv_names_the_line(tmp_path):
    folder = _report(tmp_path / "r", scores={"overall": 0.5, "melting": 0.6})
    (folder / "frames.csv").write_text("frame,time_s,melting\n0,0,0.1\n1,0.04,oops\n")
    with pytest.raises(ReportError, match="line 3"):
        facts_from_report(folder)


def test_prompt_comes_from_the_job_store_then_sidecar(make_analysed_clip):
    clip = make_analysed_clip(prompt="prompt from the sidecar")
    assert load_facts(clip).prompt == "prompt from the sidecar"
    with sqlite3.connect(clip.run_dir / "run.db") as conn:
        conn.execute("CREATE TABLE jobs (job_id TEXT PRIMARY KEY, prompt TEXT, model TEXT)")
        conn.execute("INSERT INTO jobs VALUES ('job-0001', 'prompt from the store', 'grok-x')")
    facts = load_facts(clip)
    assert (facts.prompt, facts.model) == ("prompt from the store", "grok-x")
    assert load_facts(clip, prompt="given").prompt == "given"
    assert facts.defect == "melting" and facts.score == 0.83


def test_worst_clips_of_a_run_in_order(make_analysed_clip, tmp_path):
    run = tmp_path / "run"
    for job, score in (("a", 0.2), ("b", 0.9), ("c", 0.5)):
        make_analysed_clip(job_id=job, score=score, duration_s=0.5, defect=("melt", 2, 6))
    (run / "analysis" / "orphan").mkdir()
    (run / "analysis" / "orphan" / "report.json").write_text('{"scores": {"overall": 1}}')
    assert [c.clip_path.stem for c in worst_clips(run, 2)] == ["b", "c"]
    assert [c.job_id for c in iter_clip_targets(run, None, 5)] == ["b", "c", "a"]


def test_report_dir_next_to_a_standalone_clip(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    with pytest.raises(ReportError, match="use --report DIR"):
        find_report_dir(clip)
    _report(tmp_path / "clip.analysis", scores={"overall": 0.1, "flicker": 0.1})
    assert find_report_dir(clip) == tmp_path / "clip.analysis"
    [target] = iter_clip_targets(clip, None, 1)
    assert target == AnalysedClip(clip, tmp_path / "clip.analysis", None)
    assert target.job_id is None


def test_analysed_clip_finds_or_names_its_report_folder(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    missing = analysed_clip(clip)
    assert missing == AnalysedClip(clip, tmp_path / "clip", None)  # loading names this place
    with pytest.raises(ReportError, match=r"report\.json"):
        load_facts(missing)
    _report(tmp_path / "clip.analysis", scores={"overall": 0.1, "flicker": 0.1})
    assert analysed_clip(clip).report_dir == tmp_path / "clip.analysis"
    given = analysed_clip(clip, tmp_path / "elsewhere", tmp_path)
    assert given == AnalysedClip(clip, tmp_path / "elsewhere", tmp_path)


@pytest.mark.parametrize(
    ("detail", "label"),
    [
        ("teleport", "teleport"),
        ("jerk", "impossible jerk"),
        ("area_change", "shape-shifting solid"),
        ("vanish_or_appear", "object-permanence failure"),
    ],
)
def test_physics_sub_kind_picks_its_own_words(tmp_path, detail, label):
    import random

    from core.roast.compose import roast_values
    from core.roast.templates import load_library

    event = {"kind": "physics", "detail": detail, "start": 3, "end": 5, "peak": 4, "score": 0.7}
    facts = facts_from_report(_report(tmp_path / "r", scores={"overall": 0.7}, events=[event]))
    assert (facts.defect, facts.detail) == ("physics", detail)
    values = roast_values(facts, load_library(), random.Random(0))
    assert values["defect"] == label and values["span"] == "0.1 s"
