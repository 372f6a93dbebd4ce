"""The Review tab inside the window: queue rows and dropped .mp4 files open there; the
review panel's Roast button opens the roast dialog."""

from __future__ import annotations

from core.media import write_mp4
from core.sim import fast_options
from core.store import JobState
from tests.gui.helpers import RUN_TIMEOUT_MS, drop_on, file_mime, prompt_file

REVIEW_TAB = 1


def test_finished_job_opens_in_review_and_roast_opens(
    make_window, qtbot, fast_settings, tmp_path, artifacts_dir
):
    window = make_window(settings=fast_settings, analyse=True)
    window.runs.sim.options = fast_options(gen_seconds=0.1, defect_rate=1.0)
    drop_on(window, file_mime([prompt_file(tmp_path, 2, bad=False)]))
    qtbot.waitUntil(lambda: window.runs.model.rowCount() == 2, timeout=10_000)
    window.acts.start.trigger()
    counts = window.runs.session.counts
    qtbot.waitUntil(lambda: counts()[JobState.DONE] == 2, timeout=RUN_TIMEOUT_MS)
    model = window.runs.model
    qtbot.waitUntil(lambda: model.row_data(0).report_dir is not None, timeout=5000)
    score = model.data(model.index(0, 6))  # Defects: overall score and the worst class
    assert (
        score
        and float(score.split()[0]) >= 0
        and score.split()[1] in ("warping", "melting", "flicker", "physics", "realism_defect")
    )
    window.gpu_dock.raise_()  # the GPU tab lists the analysis workers
    qtbot.waitUntil(lambda: window.gpu_panel.table.rowCount() > 0, timeout=30_000)
    assert "worker 0" in window.gpu_panel.table.item(0, 3).text()
    table = window.runs.view.table
    with qtbot.waitSignal(window.review.report_loaded, timeout=20_000):
        table.doubleClicked.emit(window.runs.model.index(0, 1))
    assert window.tabs.currentIndex() == REVIEW_TAB
    panel = window.review.panel
    run_dir = window.runs.session.run_dir
    assert panel is not None and panel.clip_path == run_dir / model.row_data(0).clip_path
    assert panel.report_dir == run_dir / model.row_data(0).report_dir
    assert panel.isVisible()
    qtbot.waitUntil(lambda: panel.shown_frame >= 0, timeout=10_000)
    window.grab().save(str(artifacts_dir / "gui_review_tab.png"))
    panel.roast_requested.emit(str(panel.clip_path), "")
    assert len(window.review.roast_dialogs) == 1
    dialog = window.review.roast_dialogs[0]
    assert dialog.isVisible()
    dialog.close()
    qtbot.waitUntil(lambda: not window.review.roast_dialogs, timeout=5000)


def test_dropped_video_goes_to_review(make_window, qtbot, tmp_path):
    import numpy as np

    clips = [tmp_path / "a_outside.mp4", tmp_path / "b_other.mp4"]
    for shade, clip in enumerate(clips):
        frames = [np.full((96, 128, 3), i * 20 + shade, dtype=np.uint8) for i in range(8)]
        write_mp4(clip, frames, fps=8)
    window = make_window()
    assert drop_on(window, file_mime([clips[0]]))
    assert window.tabs.currentIndex() == REVIEW_TAB
    assert window.review.panel.clip_path == clips[0]
    assert drop_on(window, file_mime(list(reversed(clips))))  # order of a drop is undefined
    assert window.review.panel.clip_path == clips[0]
    assert len(window.review.panel.layers) == 2  # the second clip opened side by side
