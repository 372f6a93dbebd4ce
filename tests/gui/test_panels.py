"""The panels that do not need a run: log, notifications, GPU, library, prompts, drops."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QMimeData, QUrl

from core.devices import DeviceInfo, cpu_device
from core.notify import Notification, NotificationManager, Severity
from core.prompts import PromptDefaults
from core.providers import AuthError
from core.secrets import Secret
from gui.dropping import classify
from gui.gpu_panel import GpuPanel, memory_percent, memory_text
from gui.library_browser import LibraryBrowser
from gui.log_panel import LogPanel


def test_log_panel_filters_by_level_and_text_and_redacts(qtbot):
    panel = LogPanel()
    qtbot.addWidget(panel)
    logger = logging.getLogger("tc.test.logpanel")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    panel.attach(logger)
    key = Secret("xai-abcdefghijklmnop1234")
    logger.info("using key %s", key.get())
    logger.debug("a debug line")
    logger.warning("disk nearly full")
    threading.Thread(target=lambda: logger.error("from a worker thread")).start()
    qtbot.waitUntil(lambda: "worker thread" in panel.visible_text())
    text = panel.visible_text()
    assert "abcdefghijklmnop" not in text and "***" in text
    assert "a debug line" not in text  # default level is Info
    panel.level_combo.setCurrentIndex(2)  # Warning
    assert "using key" not in panel.visible_text()
    assert "disk nearly full" in panel.visible_text()
    panel.filter_edit.setText("worker")
    assert panel.visible_text().strip().endswith("from a worker thread")
    panel.detach(logger)


def test_notifications_show_a_sentence_not_a_traceback(qtbot, qloop):
    from PySide6.QtWidgets import QMainWindow

    from gui.notify import NotificationPresenter

    window = QMainWindow()
    qtbot.addWidget(window)
    manager = NotificationManager()
    presenter = NotificationPresenter(window, manager)
    with qtbot.waitSignal(presenter.presented) as blocker:
        threading.Thread(
            target=lambda: manager.report_exception(AuthError(401, "incorrect API key"))
        ).start()
    shown: Notification = blocker.args[0]
    assert shown.severity is Severity.WARNING and shown.detail == ""
    assert "refused" in presenter.box.text() and "Settings" in presenter.box.informativeText()
    with qtbot.waitSignal(presenter.presented):
        manager.report_exception(ValueError("boom"))
    assert "1 more" in presenter.box.informativeText()  # one box, the second is counted
    presenter.box.close()
    qtbot.waitUntil(lambda: presenter.box is None)
    try:
        raise ValueError("bug")
    except ValueError as err:
        with qtbot.waitSignal(presenter.presented):
            manager.report_exception(err)
    assert "Traceback" in presenter.box.detailedText()
    presenter.close()


def test_gpu_panel_reports_cpu_only_and_gpu_memory(qtbot, qloop):
    panel = GpuPanel(None, None, workers=lambda: {"cuda:0": ["analysis-1"]})
    qtbot.addWidget(panel)
    gpu = DeviceInfo("cuda:0", "NVIDIA Test", total_bytes=80 * 1024**3, free_bytes=60 * 1024**3)
    panel.show_devices([gpu])
    assert panel.table.item(0, 1).text() == "NVIDIA Test"
    assert panel.table.cellWidget(0, 2).text() == "20.0 / 80.0 GiB"
    assert panel.table.item(0, 3).text() == "analysis-1"
    panel.show_devices([cpu_device()])
    assert "CPU only" in panel.summary.text()
    assert panel.table.item(0, 3).text() == "idle"
    assert (memory_text(cpu_device()), memory_percent(gpu)) == ("system memory", 25)


def test_gpu_panel_queries_devices_in_a_helper_process(qtbot, run_async):
    from gui.async_glue import TaskKeeper
    from gui.device_probe import DeviceProbe

    probe = DeviceProbe()
    panel = GpuPanel(TaskKeeper(), probe)
    qtbot.addWidget(panel)
    panel.start()
    assert not panel._busy  # hidden: no query at all
    panel.show()  # the user opens the GPU tab
    qtbot.waitUntil(lambda: bool(panel.devices), timeout=60_000)
    assert panel.table.rowCount() == len(panel.devices) >= 1
    panel.stop()
    run_async(probe.close())


def _mime_with(urls: list[str], text: str = "") -> QMimeData:
    mime = QMimeData()
    if urls:
        mime.setUrls([QUrl.fromLocalFile(u) if u.startswith("/") else QUrl(u) for u in urls])
    if text:
        mime.setText(text)
    return mime


def test_drop_classification(tmp_path):
    payload = classify(
        _mime_with([f"{tmp_path}/b.csv", f"{tmp_path}/a.txt", f"{tmp_path}/c.mp4", "/x/y.png"])
    )
    assert [p.name for p in payload.prompt_files] == ["a.txt", "b.csv"]
    assert [p.name for p in payload.videos] == ["c.mp4"]
    assert not classify(_mime_with(["https://example.com/a.txt"]))  # remote: refused
    assert not classify(_mime_with(["/x/y.png"]))
    assert classify(_mime_with([], text="a cat\na dog")).text == "a cat\na dog"
    assert not classify(None)


def test_library_adds_a_category_with_the_panel_parameters(qtbot):
    browser = LibraryBrowser(lambda: PromptDefaults(duration_s=4, repeat=2))
    qtbot.addWidget(browser)
    browser.select_category("hands")
    with qtbot.waitSignal(browser.chosen) as chosen:
        browser.add_selected.click()
    result = chosen.args[0]
    assert result.prompts
    assert {(p.category, p.duration_s, p.repeat) for p in result.prompts} == {("hands", 4, 2)}
    assert result.job_count == 2 * len(result.prompts)
