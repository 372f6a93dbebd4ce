"""Pure parts of the queue and status bar, as tables: row text, rate/ETA, enabled actions."""

from __future__ import annotations

import dataclasses

import pytest

from core.store import Job, JobState
from gui.queue_rows import Progress, build_row, cost_text, defects_text, download_state
from gui.run_controls import IDLE, enabled_actions
from gui.run_stats import counts_text, format_duration, rate_text, status_meter

BASE = dict(
    id="j1", seq=7, prompt="a ball falls", model="grok-imagine-video", duration_s=8,
    aspect_ratio="16:9", resolution="480p", sample=0, tags=(), category="gravity",
    defect="physics", source="t:1", state=JobState.QUEUED, attempts=0, next_at=0.0,
    created_at=0.0, updated_at=0.0, cost_estimate_usd=0.4, resend_allowed=False, rev=1,
)  # fmt: skip


def job(**changes) -> Job:
    """A Job with the given fields; any field the store adds later defaults to None."""
    values = dict.fromkeys((f.name for f in dataclasses.fields(Job)), None)
    return Job(**(values | BASE | changes))


@pytest.mark.parametrize(
    ("changes", "progress", "expected"),
    [
        ({}, None, (-1, "")),
        ({"state": JobState.DOWNLOADING}, None, (0, "starting…")),
        ({"state": JobState.DOWNLOADING}, Progress("downloading", 500_000, 2_000_000),
         (25, "0.5 / 2.0 MB")),
        ({"state": JobState.DOWNLOADING}, Progress("downloading", 3_000_000, 0), (0, "3.0 MB")),
        ({"state": JobState.DONE, "clip_path": "clips/j1.mp4"}, None, (100, "done")),
    ],
)  # fmt: skip
def test_download_column(changes, progress, expected):
    assert download_state(job(**changes), progress) == expected


@pytest.mark.parametrize(
    ("changes", "progress", "expected"),
    [
        ({}, None, ""),
        ({"state": JobState.ANALYSING}, Progress("analysing", 0, 1), "analysing 0%"),
        ({"state": JobState.DONE, "score_overall": 0.456, "worst_defect": "melting"}, None,
         "0.46 melting"),
    ],
)  # fmt: skip
def test_defects_column(changes, progress, expected):
    assert defects_text(job(**changes), progress) == expected


def test_row_cells_and_cost():
    row = build_row(job(state=JobState.FAILED, error="HTTP 500: oops\nmore", error_kind="server"))
    assert row.cells[0] == "7" and row.cells[3] == "failed"
    assert row.cells[-1] == "HTTP 500: oops" and "server: HTTP 500" in row.tooltip
    assert build_row(job(sample=2)).cells[0] == "7 #3"
    assert cost_text(job()) == "~$0.40" and cost_text(job(cost_usd=0.5)) == "$0.50"
    assert build_row(job(prompt="x" * 500)).cells[1].endswith("…")


def test_generation_column():
    generating = job(state=JobState.GENERATING, request_id="r")
    assert build_row(generating, Progress("generating", 37, 100)).cells[4] == "37%"
    assert build_row(generating).cells[4] == "waiting"
    assert build_row(job(state=JobState.DONE, request_id="r")).cells[4] == "100%"


def test_counts_text_and_durations():
    counts = {JobState.DONE: 1200, JobState.GENERATING: 5, JobState.DOWNLOADING: 3,
              JobState.QUEUED: 40, JobState.FAILED: 2}  # fmt: skip
    assert counts_text(counts) == "1,200 done · 8 active · 40 queued · 2 failed"
    assert counts_text({}) == "No jobs"
    assert [format_duration(s) for s in (42, 600, 3900)] == ["42 s", "10 min", "1 h 05 min"]


def test_rate_meter_uses_a_sliding_window():
    meter = status_meter()
    meter.add(0.0, 0)
    assert meter.per_s() is None and rate_text(meter, 10) == ""
    meter.add(30.0, 10)
    assert meter.per_s() * 60 == pytest.approx(20.0)
    assert meter.eta_s(40) == pytest.approx(120.0)
    assert rate_text(meter, 40) == "20.0 jobs/min · ETA 2 min"
    meter.add(200.0, 10)  # an idle stretch: the old samples leave the window
    meter.add(230.0, 10)
    assert meter.per_s() == 0.0 and meter.eta_s(5) is None


@pytest.mark.parametrize(
    ("state", "runnable", "failed", "expected"),
    [
        (IDLE, False, False, set()),
        (IDLE, True, False, {"start"}),
        (IDLE, False, True, {"retry_failed"}),
        ("running", True, True, {"pause", "cancel", "retry_failed"}),
        ("paused", True, False, {"resume", "cancel"}),
        ("pausing", True, False, {"resume", "cancel"}),
        ("stopping", True, True, set()),
        ("finished", True, False, {"start"}),
    ],
)
def test_enabled_actions(state, runnable, failed, expected):
    assert enabled_actions(state, runnable, failed) == expected
