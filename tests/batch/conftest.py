"""Factories for the batch tests: a job store on a real SQLite file, prompts, jobs in any state."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.batch import RetryPolicy, RunController
from core.config import Settings
from core.prompts import Prompt
from core.providers import XaiClient
from core.secrets import Secret
from core.sim import SimServer
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


# -- runner fixtures ---------------------------------------------------------------------------

FAST_POLICY = RetryPolicy(max_attempts=3, base_delay_s=0.02, max_delay_s=0.1)


class HeldGenerations:
    """Stops ``sim``'s clock so its generations stay pending until :meth:`release`.

    A test that needs several jobs mid-generation at once (or a deadline to pass first)
    must not race the generation time: on a loaded 2-core CI box the runner can be slower
    than any fixed ``gen_seconds``.
    """

    def __init__(self, sim: SimServer) -> None:
        self._sim = sim
        self.at_s = time.time()
        sim.book.clock = lambda: self.at_s

    def release(self) -> None:
        """Let time run again: generations whose time is over are done."""
        self._sim.book.clock = time.time


def sim_settings(sim: SimServer, download_dir: Path, **changes: object) -> Settings:
    """Settings for a fast run against ``sim``: no jitter, a high rate limit, quick polls."""
    values: dict[str, object] = {
        "xai_api_key": Secret(sim.api_key),
        "xai_base_url": sim.base_url,
        "concurrency": 4,
        "rate_limit_rpm": 60_000.0,
        "jitter_s": (0.0, 0.0),
        "poll_interval_s": 0.02,
        "deadline_s": 30.0,
        "download_dir": download_dir,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_controller(tmp_path: Path):
    """``make_controller(sim, run_dir=..., analyzer=..., budget_usd=..., **settings)``."""
    controllers: list[RunController] = []

    def make(
        sim: SimServer,
        run_dir: Path | None = None,
        analyzer: object = None,
        budget_usd: float | None = None,
        resend_unknown: bool = False,
        **settings_changes: object,
    ) -> RunController:
        settings = sim_settings(sim, tmp_path, **settings_changes)
        controller = RunController(
            run_dir or tmp_path / "run",
            settings,
            lambda: XaiClient.from_settings(settings),
            analyzer,  # type: ignore[arg-type]
            budget_usd=budget_usd,
            resend_unknown=resend_unknown,
            policy=FAST_POLICY,
        )
        controllers.append(controller)
        return controller

    yield make
    for controller in controllers:
        controller.close()
