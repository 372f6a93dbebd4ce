"""The queue model over a real run.db: Qt's model tester, lazy pages, coalesced updates."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.prompts import Prompt
from core.store import JobFilter, JobState, JobStore, open_store
from gui.queue_model import DOWNLOAD_ROLE, JOB_ID_ROLE, PAGE_ROWS, QueueModel
from gui.queue_rows import COST, DEFECTS, DOWNLOAD, GENERATION, STATE
from gui.queue_source import QueueSource


def _prompts(n: int, category: str = "gravity") -> list[Prompt]:
    return [
        Prompt(f"prompt {i} a ball falls", category=category, source=f"t:{i}") for i in range(n)
    ]


@pytest.fixture
def run(tmp_path):
    store = open_store(tmp_path)
    yield tmp_path, store
    store.close()


def _model(run_dir) -> QueueModel:
    model = QueueModel()
    model.set_source(QueueSource(run_dir))
    return model


def _generate(store: JobStore, job_id: str, request_id: str = "req-1") -> None:
    store.transition(job_id, JobState.SUBMITTING)
    store.transition(job_id, JobState.GENERATING, request_id=request_id)


def test_model_passes_qt_model_tester(qtmodeltester, run):
    run_dir, store = run
    ids = store.enqueue(_prompts(30))
    _generate(store, ids[0])
    store.transition(ids[1], JobState.CANCELLED)
    model = _model(run_dir)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 30


def test_rows_load_lazily_by_page(run):
    run_dir, store = run
    store.enqueue(_prompts(PAGE_ROWS * 3))
    model = _model(run_dir)
    assert model.rowCount() == PAGE_ROWS * 3 and not model._rows
    assert model.data(model.index(PAGE_ROWS + 5, 1)) == f"prompt {PAGE_ROWS + 5} a ball falls"
    assert len(model._rows) == PAGE_ROWS  # one page, not the whole run


def test_changes_are_coalesced_into_one_data_changed(qtbot, run):
    run_dir, store = run
    ids = store.enqueue(_prompts(50))
    model = _model(run_dir)
    model.data(model.index(0, 0))  # load the first page
    emitted = []
    model.dataChanged.connect(lambda a, b: emitted.append((a.row(), b.row())))
    for job_id in ids[3:8]:
        _generate(store, job_id)
        model.on_job_changed(job_id)
    model.on_progress(ids[5], "generating", 40, 100)
    with qtbot.waitSignal(model.refreshed, timeout=2000):
        pass
    assert emitted == [(3, 7)]
    assert model.data(model.index(5, STATE)) == "generating"
    assert model.data(model.index(5, GENERATION)) == "40%"
    assert model.data(model.index(5, STATE), Qt.ItemDataRole.ForegroundRole) is not None


def test_download_progress_and_scores_render(qtbot, run):
    run_dir, store = run
    (job_id,) = store.enqueue(_prompts(1))
    _generate(store, job_id)
    store.transition(job_id, JobState.DOWNLOADING)
    model = _model(run_dir)
    model.on_progress(job_id, "downloading", 1_500_000, 3_000_000)
    qtbot.waitSignal(model.refreshed, timeout=2000).wait()
    assert model.data(model.index(0, DOWNLOAD), DOWNLOAD_ROLE) == 50
    assert model.data(model.index(0, DOWNLOAD)) == "1.5 / 3.0 MB"
    store.transition(job_id, JobState.DOWNLOADED, clip_path=f"clips/{job_id}.mp4", cost_usd=0.4)
    store.transition(
        job_id, JobState.DONE, score_overall=0.72, worst_defect="warping", report_dir="a"
    )
    model.on_job_changed(job_id)
    qtbot.waitSignal(model.refreshed, timeout=2000).wait()
    assert model.data(model.index(0, DOWNLOAD), DOWNLOAD_ROLE) == 100
    assert model.data(model.index(0, DEFECTS)) == "0.72 warping"
    assert model.data(model.index(0, COST)) == "$0.40"


def test_new_jobs_append_and_a_state_filter_tracks_changes(qtbot, run):
    run_dir, store = run
    ids = store.enqueue(_prompts(10))
    model = _model(run_dir)
    inserted = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    store.enqueue(_prompts(5, category="liquids"))
    qtbot.waitSignal(model.refreshed, timeout=3000).wait()  # found by the store poll
    assert inserted == [(10, 14)] and model.rowCount() == 15
    model.set_filter(JobFilter(states=(JobState.CANCELLED,)))
    assert model.rowCount() == 0
    store.transition(ids[2], JobState.CANCELLED)
    model.on_job_changed(ids[2])
    qtbot.waitSignal(model.refreshed, timeout=2000).wait()
    assert model.rowCount() == 1 and model.data(model.index(0, 0), JOB_ID_ROLE) == ids[2]
    model.set_filter(JobFilter(category="liquids", text="PROMPT 3"))
    assert model.rowCount() == 1


def test_sort_keeps_the_selection_on_the_same_job(qtbot, qtmodeltester, run):
    from PySide6.QtCore import QPersistentModelIndex

    run_dir, store = run
    ids = store.enqueue(_prompts(20))
    model = _model(run_dir)
    held = QPersistentModelIndex(model.index(4, 1))
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert held.row() == 15 and model.data(model.index(15, 0), JOB_ID_ROLE) == ids[4]
    model.sort(1)  # the prompt column has no store sort key: nothing changes
    assert held.row() == 15
    qtmodeltester.check(model, force_py=True)


def test_ten_thousand_rows_are_counted_but_loaded_a_page_at_a_time(run):
    run_dir, store = run
    store.enqueue(_prompts(10_000))
    model = _model(run_dir)
    assert model.rowCount() == 10_000
    assert model.data(model.index(9_999, 1)) == "prompt 9999 a ball falls"
    assert model.data(model.index(0, 1)) == "prompt 0 a ball falls"
    assert len(model._rows) == 2 * PAGE_ROWS  # the two pages looked at, not 10,000 rows
