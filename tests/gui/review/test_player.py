"""The player opens a real H.264 clip, steps frame-accurately and shows core.media's pixels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from core.media import VideoReader


def shown_pixels(panel) -> np.ndarray:
    return panel.layers[0].frame_item.image


def wait_frame(qtbot, panel, index: int) -> None:
    qtbot.waitUntil(lambda: panel.shown_frame == index, timeout=5000)


def test_open_and_step_shows_exact_frames(qtbot, panel, synth_clip, artifacts_dir):
    path, _ = synth_clip
    assert panel.open_clip(path)
    wait_frame(qtbot, panel, 0)
    reader = VideoReader(path)
    for key, expected in [(Qt.Key.Key_Right, 1), (Qt.Key.Key_Right, 2), (Qt.Key.Key_Left, 1)]:
        qtbot.keyClick(panel, key)
        wait_frame(qtbot, panel, expected)
        assert panel.w.transport.frame_label.text().startswith(f"frame {expected} / 23")
        assert np.array_equal(shown_pixels(panel), reader.frame(expected))
    qtbot.keyClick(panel, Qt.Key.Key_End)
    wait_frame(qtbot, panel, 23)
    assert np.array_equal(shown_pixels(panel), reader.frame(23))
    reader.close()
    panel.grab().save(str(artifacts_dir / "review_player_step.png"))


def test_play_reaches_the_end_and_counts_frames(qtbot, panel, synth_clip):
    path, _ = synth_clip
    panel.open_clip(path)
    wait_frame(qtbot, panel, 0)
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.shown_frame == 23, timeout=8000)
    qtbot.waitUntil(lambda: panel.player.playhead.state == "paused", timeout=2000)
    stats = panel.player.stats
    assert stats.shown + stats.dropped == 23
    assert stats.shown > 0


def test_loop_keys_and_scrub_seek(qtbot, panel, synth_clip):
    path, _ = synth_clip
    panel.open_clip(path)
    wait_frame(qtbot, panel, 0)
    panel.player.seek(5)
    wait_frame(qtbot, panel, 5)
    qtbot.keyClick(panel, Qt.Key.Key_BracketLeft)
    panel.player.seek(9)
    wait_frame(qtbot, panel, 9)
    qtbot.keyClick(panel, Qt.Key.Key_BracketRight)
    assert panel.w.transport.loop_label.text() == "loop 5–9"
    seen: list[int] = []
    panel.player.frames_shown.connect(lambda master, _frames: seen.append(master))
    panel.player.play(4.0)
    qtbot.waitUntil(lambda: len(seen) >= 12, timeout=8000)
    panel.player.pause()
    assert set(seen) <= set(range(5, 10))
    assert seen.index(9) < len(seen) - 1  # it wrapped back into the range after frame 9
    x = int(panel.w.scrub.width() * (20.5 / 24))
    qtbot.mouseClick(panel.w.scrub, Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    wait_frame(qtbot, panel, 20)


def test_click_on_plot_seeks_and_playhead_follows(qtbot, panel, synth_clip):
    path, _ = synth_clip
    panel.open_clip(path)
    wait_frame(qtbot, panel, 0)
    plots = panel.w.plots
    qtbot.waitUntil(lambda: plots.graphics.isVisible())
    view = plots.scores_plot.vb
    scene_pos = view.mapViewToScene(QPointF(12.2, 0.5))
    widget_pos = plots.graphics.mapFromScene(scene_pos)
    qtbot.mouseClick(plots.graphics.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    wait_frame(qtbot, panel, 12)
    assert [line.value() for line in plots.lines] == [12, 12]
    panel.player.step(3)
    wait_frame(qtbot, panel, 15)
    assert [line.value() for line in plots.lines] == [15, 15]


def test_export_png_without_analysis_is_the_decoded_frame(qtbot, panel, synth_clip, tmp_path):
    import cv2

    path, _ = synth_clip
    panel.open_clip(path)
    panel.player.seek(7)
    wait_frame(qtbot, panel, 7)
    saved = panel.export_png(tmp_path / "still.png")
    still = cv2.cvtColor(cv2.imread(str(saved)), cv2.COLOR_BGR2RGB)
    with VideoReader(path) as reader:
        assert np.array_equal(still, reader.frame(7))
    assert panel.open_html_report() is False
    assert "No HTML report" in panel.w.status.text()


def test_bad_file_is_named_and_roast_carries_paths(qtbot, panel, synth_clip, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video")
    assert panel.open_clip(bad) is False
    assert "broken.mp4" in panel.w.status.text()
    path, _ = synth_clip
    panel.open_clip(path)
    with qtbot.waitSignal(panel.roast_requested) as signal:
        panel.w.roast_button.click()
    assert signal.args == [str(path), ""]


def test_jkl_shuttle_and_speed_box(qtbot, panel, synth_clip):
    path, _ = synth_clip
    panel.open_clip(path)
    wait_frame(qtbot, panel, 0)
    head = panel.player.playhead
    qtbot.keyClick(panel, Qt.Key.Key_L)
    assert (head.state, head.speed) == ("playing", 1.0)
    qtbot.keyClick(panel, Qt.Key.Key_L)
    assert head.speed == 2.0
    assert panel.w.transport.speed_box.currentText() == "2x"
    qtbot.keyClick(panel, Qt.Key.Key_K)
    assert head.state == "paused"
    panel.player.seek(20)
    wait_frame(qtbot, panel, 20)
    qtbot.keyClick(panel, Qt.Key.Key_J)
    assert (head.state, head.speed) == ("playing", -1.0)
    qtbot.waitUntil(lambda: panel.shown_frame < 18, timeout=5000)  # it really runs backward
    panel.w.transport.speed_box.setCurrentIndex(0)
    panel.w.transport.speed_box.activated.emit(0)
    assert head.speed == -0.25
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert head.state == "paused"


def test_pixel_readout_under_the_mouse(qtbot, panel, synth_clip):
    path, _ = synth_clip
    panel.open_clip(path)
    panel.player.seek(4)
    wait_frame(qtbot, panel, 4)
    viewer = panel.w.viewer
    scene_pos = viewer.left_view.mapViewToScene(QPointF(30.5, 20.5))
    viewer.left_widget.scene().sigMouseMoved.emit(scene_pos)
    r, g, b = panel.layers[0].frame[20, 30]
    assert panel.w.transport.pixel_label.text() == f"A  x 30 y 20  RGB {r} {g} {b}"
