"""The main window without a run: provider badge, layout memory, drops, start-up imports."""

from __future__ import annotations

import subprocess
import sys

from gui.main_window import MainWindow
from tests.gui.helpers import drop_on, text_mime


def test_window_says_it_uses_the_simulator_without_a_key(window, artifacts_dir):
    assert window.uses_simulator()
    assert "SIMULATOR" in window.provider_label.text()
    assert "simulator" in window.windowTitle()
    window.grab().save(str(artifacts_dir / "gui_empty_window.png"))


def test_layout_is_remembered(make_window, qtbot, qsettings):
    first = make_window()
    first.log_dock.hide()
    first.tabs.setCurrentIndex(1)
    first.prompts.params.resolution.setCurrentText("720p")
    with qtbot.waitSignal(first.closed):
        first.close()
    second = make_window(qsettings=qsettings)
    assert not second.log_dock.isVisible()
    assert second.tabs.currentIndex() == 1
    assert second.prompts.params.resolution.currentText() == "720p"
    assert "xai" not in " ".join(qsettings.allKeys()).lower()


def test_text_drop_goes_to_the_prompt_editor(window, qtbot):
    assert drop_on(window, text_mime("a cat juggling\na dog on a skateboard"))
    with qtbot.waitSignal(window.prompts.parsed, timeout=5000) as parsed:
        pass
    assert len(parsed.args[0].prompts) == 2
    assert "2 prompt(s) → 2 job(s)" in window.prompts.estimate.text()


def test_editor_shows_problems_and_cost(window, qtbot):
    panel = window.prompts
    panel.params.samples.setValue(3)
    panel.params.duration.setValue(10)
    with qtbot.waitSignal(panel.parsed, timeout=5000) as parsed:
        panel.editor.setPlainText("a glass tips over\n" + "x" * 5000 + "\na ball bounces\n")
    result = parsed.args[0]
    assert result.job_count == 6
    assert "$3.00" in panel.estimate.text()  # 6 jobs x 10 s x $0.05
    assert panel.issues.model.rowCount() == 1
    assert panel.issues.model.issues[0].line == 2
    panel.go_to_issue(panel.issues.model.issues[0])
    assert panel.editor.textCursor().blockNumber() == 1


def test_startup_does_not_import_heavy_modules():
    code = (
        "import sys\n"
        "from gui.app import create_application\n"
        "app = create_application([])\n"
        "from gui.main_window import MainWindow\n"
        "w = MainWindow(); w.show(); app.processEvents()\n"
        "heavy = [m for m in ('torch', 'cv2', 'core.analysis', 'pyqtgraph', 'skimage')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


def test_window_class_has_no_business_state():
    # The window forwards to core; it does not keep its own job list.
    assert not any(name.startswith("jobs") for name in vars(MainWindow))


def test_ctrl_return_queues_the_editor_prompts(window, qtbot):
    from PySide6.QtCore import Qt

    from core.store import JobState

    window.prompts.editor.setPlainText("a spoon bends in a glass of water\n")
    window.prompts.editor.setFocus()
    qtbot.keyClick(window.prompts.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.runs.session is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.runs.model.rowCount() == 1, timeout=10_000)
    assert window.runs.session.counts()[JobState.QUEUED] == 1
    assert window.prompts.editor.toPlainText() == ""
    assert window.state.recent_runs() == [window.runs.session.run_dir]


def test_gpu_tab_and_analysis_never_load_torch_in_the_gui_process(tmp_path):
    # A behaviour check in a fresh process: the GPU panel and the analysis pool's device
    # lookup go through a helper process, so the window's own process stays torch-free.
    code = (
        "import asyncio, sys\n"
        "import qasync\n"
        "from PySide6.QtCore import QSettings\n"
        "from gui.app import create_application\n"
        "app = create_application([]); app.setQuitOnLastWindowClosed(False)\n"
        "from gui.main_window import MainWindow\n"
        "async def main():\n"
        "    w = MainWindow(qsettings=QSettings(sys.argv[1], QSettings.Format.IniFormat))\n"
        "    w.show(); w.start(); w.gpu_dock.raise_()\n"
        "    names = await w.runs.devices.device_names()\n"
        "    while not w.gpu_panel.devices:\n"
        "        await asyncio.sleep(0.05)\n"
        "    print('NAMES', names, 'TORCH', 'torch' in sys.modules)\n"
        "    w._close_confirmed = True; w.close(); await w.shutdown()\n"
        "qasync.run(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "q.ini")],
        capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    assert "TORCH False" in out.stdout and "NAMES ['" in out.stdout, out.stdout + out.stderr


def test_editor_takes_json_lines_with_per_prompt_parameters(window, qtbot):
    from gui.prompts_panel import editor_format

    assert [editor_format(t) for t in ("a cat\n", '# c\n{"prompt": "x"}', "")] == [
        "txt",
        "jsonl",
        "txt",
    ]
    panel = window.prompts
    text = (
        '{"prompt": "a cat juggles", "duration": 5, "resolution": "720p", "repeat": 2}\n'
        '{"prompt": "a dog surfs", "aspect_ratio": "9:16"}\n'
        '{"prompt": "bad one", "duration": 99}\n'
    )
    with qtbot.waitSignal(panel.parsed, timeout=5000) as parsed:
        panel.editor.setPlainText(text)
    result = parsed.args[0]
    cat, dog = result.prompts
    assert (cat.duration_s, cat.resolution, cat.repeat) == (5, "720p", 2)
    assert dog.aspect_ratio == "9:16" and dog.duration_s == panel.params.duration.value()
    assert [(i.line, i.field) for i in result.errors] == [(3, "duration")]
