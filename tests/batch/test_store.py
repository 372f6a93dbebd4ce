"""The job store on a real SQLite file: state machine, queries, revisions, 100k rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.prompts import Prompt
from core.store import (
    LEGAL,
    FailReason,
    IllegalTransition,
    JobFilter,
    JobSort,
    JobState,
    JobStore,
    SchemaError,
    Scores,
    SortKey,
    retry_target,
)
from tests.batch.conftest import PATHS, drive, prompts

S = JobState

# The state machine as written in docs/batch.md: every legal move, nothing else.
EXPECTED_LEGAL = {
    (S.QUEUED, S.SUBMITTING),
    (S.QUEUED, S.CANCELLED),
    (S.SUBMITTING, S.GENERATING),
    (S.SUBMITTING, S.START_UNKNOWN),
    (S.SUBMITTING, S.QUEUED),
    (S.SUBMITTING, S.FAILED),
    (S.START_UNKNOWN, S.QUEUED),
    (S.START_UNKNOWN, S.CANCELLED),
    (S.GENERATING, S.DOWNLOADING),
    (S.GENERATING, S.MODERATED),
    (S.GENERATING, S.FAILED),
    (S.GENERATING, S.CANCELLED),
    (S.DOWNLOADING, S.DOWNLOADED),
    (S.DOWNLOADING, S.GENERATING),
    (S.DOWNLOADING, S.FAILED),
    (S.DOWNLOADING, S.CANCELLED),
    (S.DOWNLOADED, S.ANALYSING),
    (S.DOWNLOADED, S.DONE),
    (S.DOWNLOADED, S.CANCELLED),
    (S.ANALYSING, S.DONE),
    (S.ANALYSING, S.DOWNLOADED),
    (S.ANALYSING, S.FAILED),
    (S.ANALYSING, S.CANCELLED),
    (S.FAILED, S.QUEUED),
    (S.FAILED, S.GENERATING),
    (S.FAILED, S.DOWNLOADED),
    (S.CANCELLED, S.QUEUED),
    (S.CANCELLED, S.GENERATING),
    (S.CANCELLED, S.DOWNLOADED),
}


def test_legal_table_is_the_documented_one() -> None:
    actual = {(a, b) for a, targets in LEGAL.items() for b in targets}
    assert actual == EXPECTED_LEGAL


@pytest.mark.parametrize("current", list(S))
def test_every_transition_from_a_state_on_a_real_store(make_store, current: JobState) -> None:
    store = make_store()
    ids = store.enqueue(prompts(len(S)))
    for job_id, target in zip(ids, S, strict=True):
        drive(store, job_id, current)
        changes = {"request_id": "r-2", "clip_path": "clips/y.mp4"}
        if (current, target) in EXPECTED_LEGAL:
            assert store.transition(job_id, target, **changes).state is target
        else:
            with pytest.raises(IllegalTransition, match=f"{current} -> {target}"):
                store.transition(job_id, target, **changes)
            assert store.get(job_id).state is current


def test_generating_needs_a_request_id_and_downloaded_a_clip(make_store) -> None:
    store = make_store()
    a, b = store.enqueue(prompts(2))
    store.transition(a, S.SUBMITTING)
    with pytest.raises(IllegalTransition, match="no request_id saved"):
        store.transition(a, S.GENERATING)
    drive(store, b, S.DOWNLOADING)
    with pytest.raises(IllegalTransition, match="no clip saved"):
        store.transition(b, S.DOWNLOADED)


def test_unknown_fields_and_jobs_are_refused(make_store) -> None:
    store = make_store()
    (job_id,) = store.enqueue(prompts(1))
    with pytest.raises(ValueError, match="not writable job field"):
        store.transition(job_id, S.SUBMITTING, colour="red")
    with pytest.raises(KeyError, match="no job 'nope'"):
        store.transition("nope", S.SUBMITTING)


@pytest.mark.parametrize(
    ("state", "reason", "has_request_id", "has_clip", "expected"),
    [
        (S.FAILED, FailReason.ANALYSIS, True, True, S.DOWNLOADED),
        (S.FAILED, FailReason.DEADLINE, True, False, S.GENERATING),
        (S.FAILED, FailReason.DOWNLOAD, True, False, S.GENERATING),
        (S.FAILED, FailReason.GENERATION_FAILED, True, False, S.QUEUED),
        (S.FAILED, FailReason.EXPIRED, True, False, S.QUEUED),
        (S.FAILED, FailReason.RATE_LIMITED, False, False, S.QUEUED),
        (S.CANCELLED, None, True, False, S.GENERATING),
        (S.CANCELLED, None, False, False, S.QUEUED),
        (S.CANCELLED, None, True, True, S.DOWNLOADED),
        (S.DONE, None, True, True, None),
        (S.MODERATED, None, True, False, None),
        (S.START_UNKNOWN, None, False, False, None),
    ],
)
def test_retry_target_never_charges_again_when_it_need_not(
    state, reason, has_request_id, has_clip, expected
) -> None:
    assert retry_target(state, reason, has_request_id, has_clip) == expected


def test_enqueue_makes_ids_once_with_samples_and_estimates(make_store) -> None:
    store = make_store()
    ids = store.enqueue(
        [
            Prompt("a", duration_s=10, resolution="720p", repeat=3, tags=("x", "y")),
            Prompt("b", category="hands", defect="fusion", source="f.txt:2"),
        ]
    )
    assert len(ids) == len(set(ids)) == 4
    jobs = store.page(0, 10)
    assert [j.id for j in jobs] == ids
    assert [(j.prompt, j.sample, j.seq) for j in jobs] == [
        ("a", 0, 1),
        ("a", 1, 2),
        ("a", 2, 3),
        ("b", 0, 4),
    ]
    assert jobs[0].tags == ("x", "y")
    assert jobs[0].cost_estimate_usd == pytest.approx(0.70)
    assert (jobs[3].category, jobs[3].defect, jobs[3].source) == ("hands", "fusion", "f.txt:2")
    assert all(j.state is S.QUEUED and j.request_id is None for j in jobs)
    assert store.enqueue(prompts(1)) and store.page(0, 10)[-1].seq == 5


def test_database_is_wal_and_survives_reopening(make_store, tmp_path: Path) -> None:
    store = make_store()
    (job_id,) = store.enqueue(prompts(1))
    drive(store, job_id, S.GENERATING)
    store.close()
    reopened = make_store()
    assert reopened.get(job_id).request_id == "r-1"
    conn = sqlite3.connect(tmp_path / "run.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_newer_schema_is_refused_by_name(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "new.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(SchemaError, match="schema 99"):
        JobStore(tmp_path / "new.db")


def test_counts_filters_sorts_and_pages(make_store) -> None:
    store = make_store()
    ids = store.enqueue(
        [
            Prompt("a red ball rolls", category="permanence"),
            Prompt("100% juice_box spills", category="liquids"),
            Prompt("a RED kite", category="cloth"),
            Prompt("a dog", category="permanence"),
        ]
    )
    drive(store, ids[1], S.DONE)
    drive(store, ids[3], S.FAILED)
    counts = store.counts_by_state()
    assert (counts[S.QUEUED], counts[S.DONE], counts[S.FAILED], counts[S.MODERATED]) == (2, 1, 1, 0)
    red = JobFilter(text="red")
    assert [j.prompt for j in store.page(0, 10, red)] == ["a red ball rolls", "a RED kite"]
    assert store.count(JobFilter(text="100%")) == 1
    assert store.count(JobFilter(text="0%j")) == 0  # % is literal, not a wildcard
    assert store.count(JobFilter(text="_")) == 1
    perm = JobFilter(category="permanence", states=(S.QUEUED,))
    assert [j.id for j in store.page(0, 10, perm)] == [ids[0]]
    newest = store.page(0, 2, sort=JobSort(SortKey.SEQ, descending=True))
    assert [j.id for j in newest] == [ids[3], ids[2]]
    assert [j.id for j in store.page(1, 2)] == ids[1:3]
    by_state = store.page(0, 4, sort=JobSort(SortKey.STATE))
    assert [j.state for j in by_state] == [S.DONE, S.FAILED, S.QUEUED, S.QUEUED]


def test_ids_and_categories_of_a_view_on_a_readonly_store(make_store) -> None:
    store = make_store()
    ids = store.enqueue(
        [
            Prompt("a red ball rolls", category="permanence"),
            Prompt("a juice box spills", category="liquids"),
            Prompt("a RED kite"),
            Prompt("a dog", category="permanence"),
        ]
    )
    drive(store, ids[1], S.DONE)
    reader = make_store(readonly=True)  # the GUI's own connection to the same file
    assert reader.ids() == ids
    assert reader.ids(JobFilter(text="red"), JobSort(SortKey.SEQ, descending=True)) == [
        ids[2],
        ids[0],
    ]
    perm = JobFilter(states=(S.QUEUED,), category="permanence")
    assert reader.ids(perm, JobSort(SortKey.SEQ)) == [ids[0], ids[3]]
    assert reader.ids(sort=JobSort(SortKey.STATE))[0] == ids[1]  # "done" < "queued"
    assert reader.categories() == ["liquids", "permanence"]  # no NULL category
    (late,) = store.enqueue([Prompt("a late one", category="cloth")])
    assert reader.ids()[-1] == late  # WAL: the reader sees the writer's commits
    assert reader.categories() == ["cloth", "liquids", "permanence"]


def test_scores_and_worst_scored(make_store) -> None:
    store = make_store()
    ids = store.enqueue(prompts(4))
    for job_id, overall in zip(ids[:3], (0.2, 0.9, 0.5), strict=True):
        drive(store, job_id, S.ANALYSING)
        scores = Scores(overall, 0.1, 0.2, 0.3, overall, 0.0, "physics", f"analysis/{job_id}")
        store.transition(job_id, S.DONE, **scores.columns())
    worst = store.worst_scored(2)
    assert [(j.id, j.score_overall, j.worst_defect) for j in worst] == [
        (ids[1], 0.9, "physics"),
        (ids[2], 0.5, "physics"),
    ]
    by_score = store.page(0, 4, sort=JobSort(SortKey.SCORE, descending=True))
    assert [j.id for j in by_score] == [ids[1], ids[2], ids[0], ids[3]]


def test_changes_since_gives_only_what_changed(make_store) -> None:
    store = make_store()
    ids = store.enqueue(prompts(5))
    rev = store.revision()
    store.transition(ids[2], S.SUBMITTING)
    store.update(ids[4], cost_usd=0.4)
    changes = store.changes_since(rev)
    assert (changes.job_ids, changes.overflow) == ([ids[2], ids[4]], False)
    assert store.changes_since(changes.rev).job_ids == []
    assert store.changes_since(0, limit=3).overflow
    assert [j.id for j in store.get_many([ids[4], "missing", ids[2]])] == [ids[2], ids[4]]


def test_spend_counts_actual_costs_and_billable_estimates(make_store) -> None:
    store = make_store()
    ids = store.enqueue(prompts(5))  # 1 s at 480p: 0.05 each
    drive(store, ids[0], S.DONE)
    store.update(ids[0], cost_usd=0.04)
    drive(store, ids[1], S.START_UNKNOWN)  # may have been billed: counted
    drive(store, ids[2], S.FAILED)  # refused before any request_id: free
    drive(store, ids[3], S.GENERATING)
    spend = store.spend()
    assert spend.actual_usd == pytest.approx(0.04)
    assert spend.estimated_usd == pytest.approx(0.10)
    assert spend.total_usd == pytest.approx(0.14)


def test_runnable_puts_paid_jobs_first_and_respects_backoff(make_store) -> None:
    store = make_store(clock=lambda: 1000.0)
    ids = store.enqueue(prompts(5))
    drive(store, ids[4], S.GENERATING)
    store.update(ids[0], next_at=2000.0)
    groups = [(S.GENERATING,), (S.QUEUED,)]
    assert store.runnable_ids(groups, now=1000.0, limit=3) == [ids[4], ids[1], ids[2]]
    skip = frozenset({ids[4], ids[1]})
    assert store.runnable_ids(groups, 1000.0, 3, skip) == [ids[2], ids[3]]
    assert store.next_due_at([S.QUEUED], after=1000.0) == 2000.0
    assert store.next_due_at([S.GENERATING], after=1000.0) is None


def test_transition_all_moves_many_in_one_go(make_store) -> None:
    store = make_store()
    ids = store.enqueue(prompts(6))
    drive(store, ids[0], S.DONE)
    drive(store, ids[1], S.START_UNKNOWN)
    moved = store.transition_all([S.QUEUED, S.START_UNKNOWN], S.CANCELLED)
    assert sorted(moved) == sorted(ids[1:])
    assert store.get(ids[0]).state is S.DONE
    again = store.transition_all([S.CANCELLED], S.QUEUED, job_ids=[ids[2]])
    assert again == [ids[2]]
    with pytest.raises(IllegalTransition):
        store.transition_all([S.DONE], S.QUEUED)
    # A bulk move to generating leaves behind the jobs without a request id.
    (paid,) = store.enqueue(prompts(1))
    drive(store, paid, S.GENERATING)
    store.transition(paid, S.CANCELLED)
    assert store.transition_all([S.CANCELLED], S.GENERATING) == [paid]


def test_requeue_keeps_what_earlier_starts_cost(make_store) -> None:
    store = make_store()
    ids = store.enqueue(prompts(4))  # 0.05 each
    drive(store, ids[0], S.START_UNKNOWN)
    drive(store, ids[1], S.GENERATING)
    store.transition(ids[1], S.FAILED, error_kind="generation_failed")
    drive(store, ids[2], S.FAILED)  # refused start: cost nothing
    drive(store, ids[3], S.DONE)
    assert store.spend().total_usd == pytest.approx(0.15)
    moved = store.requeue(ids, resend=True, sources=[S.FAILED, S.START_UNKNOWN])
    assert sorted(moved) == sorted(ids[:3])
    jobs = {j.id: j for j in store.get_many(ids)}
    assert jobs[ids[1]].request_id is None and jobs[ids[1]].state is S.QUEUED
    assert [jobs[i].prior_cost_usd for i in ids] == pytest.approx([0.05, 0.05, 0.0, 0.0])
    assert jobs[ids[0]].resend_allowed
    spend = store.spend()
    assert (spend.prior_usd, spend.total_usd) == pytest.approx((0.10, 0.15))


def test_meta_values_persist(make_store) -> None:
    store = make_store()
    assert store.get_meta("paused") is None
    store.set_meta("paused", "1")
    store.set_meta("paused", "0")
    assert store.get_meta("paused") == "0"


def test_hundred_thousand_rows_in_one_transaction(make_store) -> None:
    store = make_store()
    big = [Prompt(f"load prompt {i}", category=("a", "b")[i % 2]) for i in range(100_000)]
    rev = store.revision()
    ids = store.enqueue(big)
    assert store.revision() == rev + 1  # one transaction
    assert store.counts_by_state()[S.QUEUED] == 100_000
    last_page = store.page(99_990, 50, JobFilter(states=(S.QUEUED,)))
    assert [j.id for j in last_page] == ids[-10:]
    assert store.count(JobFilter(category="b", text="prompt 9999")) == 6
    assert store.changes_since(rev, limit=1000).overflow


def test_paths_cover_every_state() -> None:
    assert set(PATHS) == set(S)
