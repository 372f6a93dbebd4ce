"""The runner's small parts as tables: error policy, budget, throttle, progress, reconcile."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from core.batch import (
    Budget,
    PauseReason,
    RetryPolicy,
    RunDir,
    classify,
    new_run_dir,
    read_scores,
    reconcile,
)
from core.batch.analysis import AnalysisError, scores_from_report
from core.batch.events import ProgressThrottle
from core.batch.progress import RATE_WINDOW_S, Snapshot, format_duration, progress_line
from core.batch.rate import RateMeter, settled_count
from core.batch.reconcile import UNKNOWN_MESSAGE
from core.providers import (
    APIConnectionError,
    AuthError,
    DeadlineExceeded,
    DownloadError,
    GenerationExpired,
    GenerationFailed,
    InvalidRequest,
    RateLimited,
    ServerError,
)
from core.store import IN_FLIGHT, SETTLED, UNFINISHED, FailReason, JobState
from tests.batch.conftest import drive, prompts

S = JobState


@pytest.mark.parametrize(
    ("error", "reason", "retry", "pause"),
    [
        (AuthError(401, "bad key"), FailReason.AUTH, True, PauseReason.AUTH),
        (InvalidRequest(422, "duration"), FailReason.INVALID_REQUEST, False, None),
        (RateLimited(429, "slow down", retry_after_s=3.0), FailReason.RATE_LIMITED, True, None),
        (ServerError(503, "busy"), FailReason.SERVER_ERROR, True, None),
        (APIConnectionError("reset"), FailReason.CONNECTION, True, None),
        (GenerationFailed("r", "internal_error", "x"), FailReason.GENERATION_FAILED, False, None),
        (GenerationExpired("r"), FailReason.EXPIRED, False, None),
        (DeadlineExceeded("r", 600), FailReason.DEADLINE, False, None),
        (DownloadError("404", expired_url=True), FailReason.DOWNLOAD, True, None),
    ],
)
def test_error_policy_table(error, reason, retry, pause) -> None:
    verdict = classify(error)
    assert (verdict.reason, verdict.retry, verdict.pause) == (reason, retry, pause)


@pytest.mark.parametrize(
    ("attempt", "rand", "hint", "expected"),
    [
        (1, 0.0, None, 1.0),  # half the 2 s ceiling
        (1, 1.0, None, 2.0),
        (3, 1.0, None, 8.0),
        (20, 1.0, None, 300.0),  # capped
        (1, 0.0, 30.0, 30.0),  # the server's Retry-After is a floor
    ],
)
def test_backoff_table(attempt, rand, hint, expected) -> None:
    assert RetryPolicy().delay_s(attempt, hint, lambda: rand) == pytest.approx(expected)


def test_budget_reserves_releases_and_settles() -> None:
    budget = Budget(1.0)
    assert all(budget.try_reserve(0.05) for _ in range(20))  # exactly at the limit
    assert not budget.try_reserve(0.05)
    budget.release(0.05)
    assert budget.try_reserve(0.05)
    budget.settle(0.05, 0.02)  # the provider charged less than estimated
    assert budget.spent_usd == pytest.approx(0.97)
    budget.settle(0.05, None)  # no figure: the estimate stands
    assert budget.left_usd == pytest.approx(0.03)
    with pytest.raises(ValueError, match="budget must be >= 0"):
        Budget(-1.0)
    assert Budget(None).try_reserve(1e9)


def test_progress_throttle_keeps_the_final_event() -> None:
    now = [0.0]
    throttle = ProgressThrottle(clock=lambda: now[0])
    assert throttle.allow("j", "downloading", 10, 100)
    assert not throttle.allow("j", "downloading", 20, 100)
    assert throttle.allow("j", "generating", 5, 100)  # phases are throttled apart
    assert throttle.allow("j", "downloading", 100, 100)  # the last one always goes
    now[0] = 0.3
    assert throttle.allow("j", "downloading", 30, 100)


def test_progress_line_and_rate() -> None:
    counts = dict.fromkeys(S, 0) | {S.DONE: 30, S.FAILED: 10, S.QUEUED: 40}
    meter = RateMeter(RATE_WINDOW_S)
    meter.add(0.0, 0)
    meter.add(10.0, 40)
    assert meter.per_s() == pytest.approx(4.0)
    assert meter.eta_s(40) == pytest.approx(10.0)
    line = progress_line(Snapshot(10.0, counts), meter.per_s(), meter.eta_s(40), 1.5)
    assert line == (
        "[############------------] 40/80  queued=40 done=30 failed=10  4.0 jobs/s  "
        "ETA 00:10  $1.50"
    )
    assert format_duration(3725) == "1:02:05"


@pytest.mark.parametrize(
    ("points", "min_span_s", "rate_per_s", "eta_of_10_s"),
    [
        ([], 0.5, None, None),  # no history: no rate
        ([(0.0, 0)], 0.5, None, None),
        ([(0.0, 0), (0.4, 4)], 0.5, None, None),  # too short a span to mean anything
        ([(0.0, 0), (0.4, 4)], 0.1, 10.0, 1.0),
        ([(0.0, 0), (5.0, 10)], 0.5, 2.0, 5.0),
        ([(0.0, 0), (10.0, 20), (100.0, 20), (110.0, 20)], 0.5, 0.0, None),  # window: idle now
        ([(0.0, 20), (10.0, 10)], 0.5, 0.0, None),  # retried jobs un-settle: never negative
    ],
)
def test_rate_meter_table(points, min_span_s, rate_per_s, eta_of_10_s) -> None:
    meter = RateMeter(window_s=30.0, min_span_s=min_span_s)
    for at_s, settled in points:
        meter.add(at_s, settled)
    assert meter.per_s() == (None if rate_per_s is None else pytest.approx(rate_per_s))
    assert meter.eta_s(10) == (None if eta_of_10_s is None else pytest.approx(eta_of_10_s))
    assert meter.eta_s(0) == 0.0  # nothing left: no wait, whatever the rate
    meter.reset()
    assert meter.per_s() is None


def test_unfinished_and_settled_states_split_every_state() -> None:
    assert set(S) == UNFINISHED | SETTLED and not UNFINISHED & SETTLED
    assert UNFINISHED - {S.QUEUED} == IN_FLIGHT
    assert settled_count({S.DONE: 3, S.START_UNKNOWN: 1, S.QUEUED: 5, S.ANALYSING: 2}) == 4


def test_new_run_dir_is_timestamped_and_never_an_existing_folder(tmp_path: Path) -> None:
    now = time.mktime((2025, 3, 4, 5, 6, 7, 0, 0, -1))
    first = new_run_dir(tmp_path, now)
    assert first == tmp_path / "run-20250304-050607" and not first.exists()
    first.mkdir()
    second = new_run_dir(tmp_path, now)
    assert second == tmp_path / "run-20250304-050607-2"
    second.mkdir()
    assert new_run_dir(tmp_path, now).name == "run-20250304-050607-3"


def test_reconcile_rewinds_only_interrupted_steps(make_store, tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path)
    run_dir.clips_dir.mkdir()
    store = make_store()
    ids = store.enqueue(prompts(6))
    for job_id, state in zip(
        ids, (S.SUBMITTING, S.DOWNLOADING, S.ANALYSING, S.DONE, S.GENERATING, S.QUEUED), strict=True
    ):
        drive(store, job_id, state)
    (run_dir.clips_dir / f"{ids[1]}.mp4.part").write_bytes(b"half a clip")
    result = reconcile(store, run_dir)
    assert (result.start_unknown, result.repoll, result.reanalyse, result.parts_removed) == (
        1,
        1,
        1,
        1,
    )
    after = [j.state for j in store.get_many(ids)]
    assert after == [S.START_UNKNOWN, S.GENERATING, S.DOWNLOADED, S.DONE, S.GENERATING, S.QUEUED]
    assert store.get(ids[0]).error == UNKNOWN_MESSAGE
    assert store.get(ids[1]).request_id == "r-1"  # polled again, never re-sent
    assert not list(run_dir.clips_dir.glob("*.part"))
    resent = reconcile(store, run_dir, resend_unknown=True)
    assert resent.resent == 1
    assert store.get(ids[0]).state is S.QUEUED and store.get(ids[0]).resend_allowed


def test_scores_come_from_the_report_contract(tmp_path: Path) -> None:
    scores = {"warping": 0.1, "melting": 0.7, "flicker": 0.2, "physics": 0.3}
    report = {"schema": 1, "scores": {**scores, "realism_defect": 0.4, "overall": 0.55}}
    (tmp_path / "report.json").write_text(json.dumps(report), encoding="utf-8")
    read = read_scores(tmp_path)
    assert (read.overall, read.melting, read.realism, read.worst_defect) == (
        0.55,
        0.7,
        0.4,
        "melting",
    )
    assert scores_from_report(report, "x").report_dir == "x"
    (tmp_path / "report.json").write_text("{}", encoding="utf-8")
    with pytest.raises(AnalysisError, match="no usable report"):
        read_scores(tmp_path)
