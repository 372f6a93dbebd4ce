"""Side-by-side comparison: synced frames, wipe, difference, flip, offsets, A-vs-B metrics."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from core.media import VideoReader
from core.review import CompareMode, difference


def settle(qtbot) -> None:
    qtbot.wait(30)  # let posted layout requests run before a screenshot


def wait_both(qtbot, panel, master: int, b_index: int) -> None:
    def shown() -> bool:
        layers = panel.layers
        return panel.shown_frame == master and len(layers) == 2 and layers[1].index == b_index

    qtbot.waitUntil(shown, timeout=5000)


def test_compare_modes_with_screenshots(qtbot, panel, synth_clip, other_clip, artifacts_dir):
    path, _ = synth_clip
    panel.open_clip(path)
    assert panel.open_compare(other_clip)
    panel.player.seek(10)
    wait_both(qtbot, panel, 10, 10)
    with VideoReader(other_clip) as reader:
        b10 = reader.frame(10)
    assert np.array_equal(panel.layers[1].frame_item.image, b10)
    assert panel.w.viewer.right_widget.isVisible()
    settle(qtbot)
    panel.grab().save(str(artifacts_dir / "review_compare_side_by_side.png"))

    panel.set_compare_mode(CompareMode.WIPE)
    assert not panel.w.viewer.right_widget.isVisible()
    panel.w.viewer.divider.setValue(40)
    rect = panel.layers[1].rect()
    assert (rect.left(), rect.width()) == (40, 120)  # B shows source columns 40..159 only
    settle(qtbot)
    panel.grab().save(str(artifacts_dir / "review_compare_wipe.png"))

    panel.set_compare_mode(CompareMode.DIFFERENCE)
    a, b = panel.layers[0].frame, panel.layers[1].frame
    assert np.array_equal(panel.w.viewer.diff_item.image, difference(a, b))
    settle(qtbot)
    panel.grab().save(str(artifacts_dir / "review_compare_difference.png"))

    panel.set_compare_mode(CompareMode.FLIP)
    assert panel.layers[0].isVisible() and not panel.layers[1].isVisible()
    qtbot.keyClick(panel, Qt.Key.Key_F)
    assert panel.layers[1].isVisible() and not panel.layers[0].isVisible()


def test_offset_shifts_b_and_metrics_fill_the_plot(qtbot, panel, synth_clip, other_clip):
    path, _ = synth_clip
    panel.open_clip(path)
    panel.open_compare(other_clip)
    panel.player.seek(4)
    wait_both(qtbot, panel, 4, 4)
    panel.w.compare_bar.offsets[1].setValue(3)
    wait_both(qtbot, panel, 4, 7)
    qtbot.waitUntil(lambda: "A↔B SSIM" in panel.w.plots.extra, timeout=20000)
    ssim = panel.w.plots.extra["A↔B SSIM"]
    psnr = panel.w.plots.extra["A↔B PSNR (dB)"]
    assert ssim.shape == psnr.shape == (24,)
    assert np.all((ssim > -1) & (ssim < 1))  # two different seeds: never identical
    assert np.all(psnr < 100)


def test_compare_against_itself_is_identical(qtbot, panel, synth_clip):
    path, _ = synth_clip
    panel.open_clip(path)
    panel.open_compare(path)
    qtbot.waitUntil(lambda: "A↔B SSIM" in panel.w.plots.extra, timeout=20000)
    assert np.allclose(panel.w.plots.extra["A↔B SSIM"], 1.0)
    assert np.allclose(panel.w.plots.extra["A↔B PSNR (dB)"], 100.0)
    panel.close_compare()
    assert len(panel.layers) == 1
    assert not panel.w.compare_bar.isVisible()


def test_each_side_keeps_its_overlay_and_export_composes_the_mode(
    qtbot, panel, synth_clip, other_clip, tmp_path
):
    import cv2

    from core.review import DefectClass

    path, _ = synth_clip
    panel.open_clip(path)
    panel.open_compare(other_clip)
    panel.player.seek(3)
    wait_both(qtbot, panel, 3, 3)
    panel.w.overlay_b.set_defect(DefectClass.FLICKER)
    panel.w.overlay_b.cmap_box.setCurrentText("turbo")
    assert panel.layers[1].settings.defect is DefectClass.FLICKER
    assert panel.layers[1].settings.colormap == "turbo"
    assert panel.layers[0].settings.defect is DefectClass.ALL
    assert panel.layers[0].settings.colormap == "inferno"
    side = cv2.imread(str(panel.export_png(tmp_path / "side.png")))
    assert side.shape == (96, 160 * 2 + 8, 3)
    panel.set_compare_mode(CompareMode.WIPE)
    panel.w.viewer.divider.setValue(100)
    wiped = cv2.cvtColor(
        cv2.imread(str(panel.export_png(tmp_path / "wipe.png"))), cv2.COLOR_BGR2RGB
    )
    a, b = panel.layers[0].frame, panel.layers[1].frame
    assert np.array_equal(wiped[:, :100], a[:, :100])
    assert np.array_equal(wiped[:, 100:], b[:, 100:])
