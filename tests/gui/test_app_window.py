"""The first window opens offscreen, says which provider it uses, and closes cleanly."""

from __future__ import annotations

from gui.main_window import MainWindow


def test_window_shows_simulator_when_no_key(qtbot, artifacts_dir):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "simulator" in window.provider_label.text()
    window.grab().save(str(artifacts_dir / "main_window_first.png"))
    with qtbot.waitSignal(window.closed, timeout=2000):
        window.close()
