"""Factories for the batch tests: a job store on a real SQLite file, prompts, jobs in any state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.prompts import Prompt
from core.store import JobState, JobStore

S = JobState

# A legal path from queued to every state (with the data each step needs).
PATHS: dict[JobState, list[tuple[JobState, dict[str, object]]]] = {
    S.QUEUED: [],
    S.SUBMITTING: [(S.SUBMITTING, {})],
    S.START_UNKNOWN: [(S.SUBMITTING, {}), (S.START_UNKNOWN, {})],
    S.GENERATING: [(S.SUBMITTING, {}), (S.GENERATING, {"request_id": "r-1"})],
    S.DOWNLOADING: [
        (S.SUBMITTING, {}),
        (S.GENERATING, {"request_id": "r-1"}),
        (S.DOWNLOADING, {}),
    ],
    S.DOWNLOADED: [
        (S.SUBMITTING, {}),
        (S.GENERATING, {"request_id": "r-1"}),
        (S.DOWNLOADING, {}),
        (S.DOWNLOADED, {"clip_path": "clips/x.mp4"}),
    ],
    S.ANALYSING: [
        (S.SUBMITTING, {}),
        (S.GENERATING, {"request_id": "r-1"}),
        (S.DOWNLOADING, {}),
        (S.DOWNLOADED, {"clip_path": "clips/x.mp4"}),
        (S.ANALYSING, {}),
    ],
    S.DONE: [
        (S.SUBMITTING, {}),
        (S.GENERATING, {"request_id": "r-1"}),
        (S.DOWNLOADING, {}),
        (S.DOWNLOADED, {"clip_path": "clips/x.mp4"}),
        (S.DONE, {}),
    ],
    S.FAILED: [(S.SUBMITTING, {}), (S.FAILED, {"error_kind": "invalid_request"})],
    S.MODERATED: [
        (S.SUBMITTING, {}),
        (S.GENERATING, {"request_id": "r-1"}),
        (S.MODERATED, {}),
    ],
    S.CANCELLED: [(S.CANCELLED, {})],
}


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[Callable[..., JobStore]]:
    """``make_store(name="run.db", clock=...)`` -> a JobStore on a real file, closed after."""
    stores: list[JobStore] = []

    def make(name: str = "run.db", **kwargs: object) -> JobStore:
        store = JobStore(tmp_path / name, **kwargs)  # type: ignore[arg-type]
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


def prompts(n: int, **fields: object) -> list[Prompt]:
    """``n`` distinct prompts with fast defaults."""
    return [Prompt(text=f"prompt number {i}", duration_s=1, **fields) for i in range(n)]  # type: ignore[arg-type]


def drive(store: JobStore, job_id: str, state: JobState) -> None:
    """Move a queued job to ``state`` along a legal path."""
    for step, changes in PATHS[state]:
        store.transition(job_id, step, **changes)
