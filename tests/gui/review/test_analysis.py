"""Analysis from the GUI, and overlays from a real analysis landing on the injected defect."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from core.review import DefectClass, default_report_dir

SIZE_HINTS_NOISE = "This plugin does not support propagateSizeHints()\n"


def grab_rgb(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    width, height = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    return rows[:, : width * 3].reshape(height, width, 3).copy()


def test_analyse_from_gui_fills_plots_live_then_loads_report(
    qtbot, panel, synth_clip, tmp_path, artifacts_dir
):
    source, truth = synth_clip
    clip = tmp_path / "fresh.mp4"
    shutil.copy(source, clip)
    batches: list[int] = []
    panel.analyze_clip(clip)
    run = panel.analyzer.run
    run.rows.connect(lambda rows: batches.append(len(rows)))
    assert panel.w.progress.isVisible() and panel.w.cancel_button.isVisible()
    panel.player.step(1)  # the GUI thread stays free while the engine runs
    qtbot.waitUntil(lambda: panel.shown_frame == 1, timeout=5000)
    with qtbot.waitSignal(panel.report_loaded, timeout=120_000):
        pass
    assert sum(batches) == 24  # every frame's row arrived while the analysis ran
    assert not panel.w.progress.isVisible()
    assert panel.report_dir == default_report_dir(clip)
    assert len(panel.w.plots.table) == 24
    assert panel.w.events.rowCount() >= 1
    warp = truth.defects[0]
    panel.w.events.sortItems(3, Qt.SortOrder.DescendingOrder)
    panel.w.events.cellClicked.emit(0, 0)
    qtbot.waitUntil(lambda: panel.shown_frame == panel.w.events.item(0, 0).data(Qt.UserRole))
    panel.player.seek((warp.start_frame + warp.end_frame) // 2)
    qtbot.waitUntil(lambda: panel.shown_frame == (warp.start_frame + warp.end_frame) // 2)
    panel.grab().save(str(artifacts_dir / "review_analysed.png"))
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open_url")
    try:
        assert panel.open_html_report()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert catcher.urls == [str(default_report_dir(clip) / "report.html")]


class UrlCatcher(QObject):
    """Receives file:// URLs instead of the desktop's browser."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        self.urls.append(url.toLocalFile())


def test_cancel_stops_the_analysis(qtbot, panel, synth_clip, tmp_path):
    source, _ = synth_clip
    clip = tmp_path / "cancel.mp4"
    shutil.copy(source, clip)
    panel.analyze_clip(clip)
    panel.cancel_analysis()
    qtbot.waitUntil(lambda: not panel.analyzer.run.running(), timeout=60_000)
    qtbot.waitUntil(lambda: not panel.w.progress.isVisible())
    assert panel.w.status.text() in ("analysis cancelled",) or "written" in panel.w.status.text()


@pytest.fixture
def analysed_panel(qtbot, panel, analysed_clip):
    clip, report_dir, truth = analysed_clip
    with qtbot.waitSignal(panel.report_loaded, timeout=30_000):
        panel.open_clip(clip, report_dir)
    return panel, truth


def test_overlay_pixel_lands_on_the_injected_defect_box(qtbot, analysed_panel, artifacts_dir):
    panel, truth = analysed_panel
    warp = truth.defects[0]
    frame = (warp.start_frame + warp.end_frame) // 2
    panel.resize(1000, 560)  # a window whose aspect differs from the clip's
    controls = panel.w.overlay_a
    controls.set_defect(DefectClass.WARPING)
    controls.box_check.setChecked(False)
    controls.threshold.setValue(30)
    controls.opacity.setValue(100)
    panel.player.seek(frame)
    qtbot.waitUntil(lambda: panel.shown_frame == frame)
    qtbot.wait(50)
    viewer = panel.w.viewer
    with_heat = grab_rgb(viewer.left_widget).astype(int)
    qtbot.keyClick(panel, Qt.Key.Key_O)
    assert not panel.layers[0].overlay_item.isVisible()
    without = grab_rgb(viewer.left_widget).astype(int)
    change = np.abs(with_heat - without).sum(axis=2)
    assert change.max() > 60
    row, col = np.unravel_index(np.argmax(change), change.shape)
    x, y = viewer.widget_to_source(int(col), int(row))
    x0, y0, x1, y1 = warp.box
    assert x0 <= x < x1 and y0 <= y < y1, f"hottest overlay pixel at source ({x:.0f}, {y:.0f})"
    qtbot.keyClick(panel, Qt.Key.Key_O)
    panel.grab().save(str(artifacts_dir / "review_overlay_warp.png"))


def test_gui_analysis_and_metrics_keep_torch_out_of_the_gui_process(synth_clip, tmp_path):
    # A fresh process: torch would stall the GUI's GIL, so it must load only in the children.
    source, _ = synth_clip
    clip = tmp_path / "torchless.mp4"
    shutil.copy(source, clip)
    code = (
        "import sys, time\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from gui.review import ReviewPanel\n"
        "panel = ReviewPanel(); panel.show()\n"
        "loaded = []\n"
        "panel.report_loaded.connect(loaded.append)\n"
        "panel.analyze_clip(sys.argv[1]); panel.open_compare(sys.argv[1])\n"
        "deadline = time.monotonic() + 150\n"
        "while time.monotonic() < deadline and not (loaded and panel.w.plots.extra):\n"
        "    app.processEvents(); time.sleep(0.01)\n"
        "import json\n"
        "print('RESULT', json.dumps({'loaded': loaded, 'extra': sorted(panel.w.plots.extra),"
        " 'torch': 'torch' in sys.modules, 'status': panel.w.status.text()}))\n"
        "panel.close_clips()\n"
        "import os; sys.stdout.flush(); os._exit(0)\n"  # what is checked ends here
    )
    out = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", code, str(clip)],
        capture_output=True, text=True, timeout=200,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr.replace(SIZE_HINTS_NOISE, "")
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, out.stdout + out.stderr.replace(SIZE_HINTS_NOISE, "")
    result = json.loads(lines[0].removeprefix("RESULT "))
    assert 0 in result["loaded"], result
    assert result["extra"] == ["A↔B PSNR (dB)", "A↔B SSIM"]
    assert result["torch"] is False


def test_opening_another_clip_drops_the_running_analysis(
    qtbot, panel, synth_clip, other_clip, tmp_path
):
    source, _ = synth_clip
    clip = tmp_path / "dropped.mp4"
    shutil.copy(source, clip)
    panel.analyze_clip(clip)
    old = panel.analyzer.run
    panel.open_clip(other_clip)  # returns at once: the old analysis is cancelled, not awaited
    assert panel.analyzer.run is None
    assert not panel.w.progress.isVisible()
    qtbot.waitUntil(lambda: not old.running(), timeout=60_000)
    qtbot.wait(50)  # let any queued signal of the old run arrive
    assert len(panel.w.plots.table) == 0  # none of its rows reached the new clip's plots
    assert panel.report_dir is None
