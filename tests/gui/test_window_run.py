"""The real window against the built-in simulator: drop a prompt file, run it, pause/resume,
cancel, retry failures, change settings, close mid-run and reopen. Screenshots of each state
go to test-artifacts/."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QDialogButtonBox

from core.sim import fast_options
from core.store import JobState, open_store
from gui.run_controls import IDLE
from tests.gui.helpers import RUN_TIMEOUT_MS, drop_on, file_mime, prompt_file


def _counts(window) -> dict[JobState, int]:
    return window.runs.session.counts()


def _run_to_end(window, qtbot) -> None:
    """Press Start and wait until the run's task has ended (finished, or nothing to do)."""
    window.acts.start.trigger()
    assert window.runs.session.running  # the task exists as soon as Start is pressed
    qtbot.waitUntil(lambda: not window.runs.session.running, timeout=RUN_TIMEOUT_MS)


def _shot(window, artifacts_dir, name: str) -> None:
    window.grab().save(str(artifacts_dir / f"gui_{name}.png"))


def test_drop_start_pause_resume_to_done(
    make_window, qtbot, fast_settings, tmp_path, artifacts_dir
):
    window = make_window(settings=fast_settings)
    window.runs.sim.options = fast_options(gen_seconds=0.4)
    assert drop_on(window, file_mime([prompt_file(tmp_path, 12)]))
    qtbot.waitUntil(lambda: window.runs.model.rowCount() == 12, timeout=10_000)
    issues = window.prompts.issues.model.issues
    assert len(issues) == 1 and issues[0].line == 3 and issues[0].field == "prompt"
    assert "SIMULATOR" in window.provider_label.text()
    _shot(window, artifacts_dir, "queued")

    window.acts.start.trigger()
    qtbot.waitUntil(lambda: _counts(window)[JobState.DONE] >= 3, timeout=RUN_TIMEOUT_MS)
    _shot(window, artifacts_dir, "running")
    window.acts.pause.trigger()
    assert window.runs.session.controller.paused
    qtbot.waitUntil(lambda: window.runs.session.state == "paused", timeout=RUN_TIMEOUT_MS)
    status = window.runs.status
    qtbot.waitUntil(lambda: "active" not in status.counts_label.text(), timeout=5000)
    paused_done = _counts(window)[JobState.DONE]
    assert paused_done < 12 and "Paused" in window.runs.status.state_label.text()
    assert window.acts.resume.isEnabled() and not window.acts.pause.isEnabled()
    _shot(window, artifacts_dir, "paused")

    window.acts.resume.trigger()
    qtbot.waitUntil(lambda: _counts(window)[JobState.DONE] == 12, timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.runs.session.state == IDLE, timeout=RUN_TIMEOUT_MS)
    model = window.runs.model
    qtbot.waitUntil(lambda: model.data(model.index(11, 3)) == "done", timeout=5000)
    assert model.data(model.index(11, 5)) == "done"  # the download column's bar text
    counts_label = window.runs.status.counts_label  # updated at most twice a second
    qtbot.waitUntil(lambda: counts_label.text() == "12 done", timeout=5000)
    _shot(window, artifacts_dir, "done")


def test_failures_retry_and_cancel(make_window, qtbot, fast_settings, tmp_path, artifacts_dir):
    window = make_window(settings=fast_settings)
    window.runs.sim.options = fast_options(gen_seconds=0.2, fault_rates={"gen_failed": 0.5})
    drop_on(window, file_mime([prompt_file(tmp_path, 8, bad=False)]))
    qtbot.waitUntil(lambda: window.runs.model.rowCount() == 8, timeout=10_000)
    _run_to_end(window, qtbot)
    failed = _counts(window)[JobState.FAILED]
    assert failed > 0 and window.acts.retry_failed.isEnabled()
    window.runs.view.state_combo.setCurrentText("Failed")
    qtbot.waitUntil(lambda: window.runs.model.rowCount() == failed, timeout=5000)
    _shot(window, artifacts_dir, "failed")

    view = window.runs.view  # retry one failed job from its context menu
    view.table.selectRow(0)
    menu = view.build_menu(0)
    retry = next(a for a in menu.actions() if a.text().startswith("Retry"))
    assert retry.text() == "Retry (1)"
    retry.trigger()
    assert _counts(window)[JobState.FAILED] == failed - 1
    assert _counts(window)[JobState.QUEUED] == 1

    for _attempt in range(6):  # each retry is a new generation: a new draw of the fault
        if not _counts(window)[JobState.FAILED]:
            break
        window.acts.retry_failed.trigger()
        _run_to_end(window, qtbot)
    assert _counts(window)[JobState.DONE] == 8

    window.runs.sim.options = fast_options(gen_seconds=30.0)  # slow: still running at cancel
    window.tasks.spawn(window.runs.sim.stop(), "restart-sim")
    qtbot.waitUntil(lambda: window.runs.sim.handle is None, timeout=10_000)
    window.library.select_category("hands")
    window.library.add_selected.click()
    qtbot.waitUntil(lambda: _counts(window)[JobState.QUEUED] > 0, timeout=10_000)
    window.acts.start.trigger()
    qtbot.waitUntil(lambda: _counts(window)[JobState.GENERATING] > 0, timeout=RUN_TIMEOUT_MS)
    window.acts.cancel.trigger()
    qtbot.waitUntil(lambda: window.runs.session.state == IDLE, timeout=RUN_TIMEOUT_MS)
    counts = _counts(window)
    assert counts[JobState.CANCELLED] > 0 and counts[JobState.QUEUED] == 0
    window.runs.view.state_combo.setCurrentText("Cancelled")
    _shot(window, artifacts_dir, "cancelled")


def test_settings_change_applies_to_the_running_run(make_window, qtbot, fast_settings, tmp_path):
    window = make_window(settings=fast_settings)
    window.runs.sim.options = fast_options(gen_seconds=0.5)
    drop_on(window, file_mime([prompt_file(tmp_path, 4, bad=False)]))
    qtbot.waitUntil(lambda: window.runs.model.rowCount() == 4, timeout=10_000)
    window.acts.start.trigger()
    qtbot.waitUntil(lambda: window.runs.session.running, timeout=10_000)
    window.open_settings()
    dialog = window.settings_dialog
    dialog.fields["TC_CONCURRENCY"].setText("7")
    dialog.fields["TC_JITTER"].setText("0")
    with qtbot.waitSignal(dialog.saved):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert window.runs.session.controller.concurrency == 7
    assert window.runs.controls.concurrency.value() == 7
    window.runs.controls.rate.setValue(1234.0)
    window.runs.controls.budget.setValue(50.0)
    assert window.runs.session.controller.budget.limit_usd == 50.0
    assert "of $50.00" in window.runs.status.spend_label.text()
    qtbot.waitUntil(lambda: _counts(window)[JobState.DONE] == 4, timeout=RUN_TIMEOUT_MS)


def test_close_mid_run_asks_then_reopen_resumes(
    make_window, qtbot, qsettings, run_async, fast_settings, tmp_path, artifacts_dir
):
    first = make_window(settings=fast_settings)
    first.runs.sim.options = fast_options(gen_seconds=0.5)
    drop_on(first, file_mime([prompt_file(tmp_path, 10, bad=False)]))
    qtbot.waitUntil(lambda: first.runs.model.rowCount() == 10, timeout=10_000)
    run_dir = first.runs.session.run_dir
    first.runs.controls.concurrency.setValue(1)
    first.acts.start.trigger()
    qtbot.waitUntil(lambda: _counts(first)[JobState.DONE] >= 1, timeout=RUN_TIMEOUT_MS)
    first.close()
    assert first.isVisible() and first.close_guard.box is not None  # it asks, not closes
    _shot(first, artifacts_dir, "close_asks")
    first.close_guard.box.grab().save(str(artifacts_dir / "gui_close_asks_box.png"))
    with qtbot.waitSignal(first.closed, timeout=5000):
        first.close_guard.quit_button.click()
    run_async(first.shutdown(), timeout_ms=RUN_TIMEOUT_MS)  # what gui.app.main awaits
    left = _counts_of(run_dir)
    assert 0 < left[JobState.DONE] < 10 and left[JobState.FAILED] == 0

    second = make_window(settings=fast_settings, qsettings=qsettings)
    second.runs.sim.options = fast_options(gen_seconds=0.2)
    assert second.state.recent_runs()[0] == run_dir
    second.open_run(run_dir)
    qtbot.waitUntil(lambda: second.runs.session is not None, timeout=10_000)
    assert second.runs.model.rowCount() == 10
    second.acts.start.trigger()
    qtbot.waitUntil(lambda: _counts(second)[JobState.DONE] == 10, timeout=RUN_TIMEOUT_MS)
    _shot(second, artifacts_dir, "reopened_done")


def _is_warning(notification) -> bool:
    return notification.severity == "warning"


def _counts_of(run_dir):
    with open_store(run_dir, readonly=True) as store:
        return store.counts_by_state()


def test_budget_and_bad_key_pause_with_a_plain_message(
    make_window, qtbot, fast_settings, tmp_path, artifacts_dir
):
    window = make_window(settings=fast_settings)
    window.runs.sim.options = fast_options(gen_seconds=0.2)
    drop_on(window, file_mime([prompt_file(tmp_path, 6, bad=False)]))
    qtbot.waitUntil(lambda: window.runs.model.rowCount() == 6, timeout=10_000)
    window.runs.controls.budget.setValue(0.5)  # each simulated clip costs $0.40
    with qtbot.waitSignal(
        window.presenter.presented, timeout=RUN_TIMEOUT_MS, check_params_cb=_is_warning
    ) as shown:
        window.acts.start.trigger()
    assert "budget" in shown.args[0].message and "Resume" in shown.args[0].advice
    assert not shown.args[0].detail  # a sentence and what to do, never a traceback
    assert window.presenter.box is not None and "budget" in window.presenter.box.text()
    window.presenter.box.grab().save(str(artifacts_dir / "gui_budget_paused_box.png"))
    window.presenter.box.close()
    assert "Paused: budget" in window.runs.status.state_label.text()
    assert _counts(window)[JobState.DONE] + _counts(window)[JobState.GENERATING] <= 1


def test_a_refused_key_pauses_the_run_and_says_so(make_window, qtbot, fast_settings, tmp_path):
    from core.secrets import Secret
    from core.sim import start_in_thread
    from gui.provider_glue import ProviderChoice

    sim = start_in_thread(fast_options())
    try:
        settings = dataclasses.replace(
            fast_settings, xai_api_key=Secret("xai-wrongkey123456"), xai_base_url=sim.base_url
        )
        window = make_window(settings=settings)
        assert not window.uses_simulator() and "xAI" in window.provider_label.text()
        assert window.runs.controls.choice() is ProviderChoice.XAI
        drop_on(window, file_mime([prompt_file(tmp_path, 3, bad=False)]))
        qtbot.waitUntil(lambda: window.runs.model.rowCount() == 3, timeout=10_000)
        with qtbot.waitSignal(
            window.presenter.presented, timeout=RUN_TIMEOUT_MS, check_params_cb=_is_warning
        ) as shown:
            window.acts.start.trigger()
        assert "refused the API key" in shown.args[0].message
        assert "wrongkey" not in window.presenter.box.text() + window.log_panel.visible_text()
        assert _counts(window)[JobState.DONE] == 0
    finally:
        sim.stop()
