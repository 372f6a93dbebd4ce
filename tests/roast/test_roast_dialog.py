"""RoastDialog driven with pytest-qt: compose, edit with a live counter, dry run, confirmed post."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from core.config import load_settings
from core.x_client import XEndpoints
from gui.roast_dialog import RoastDialog
from gui.roast_tasks import TaskRunner
from tests.roast.conftest import SECRET_VALUES

X_VARS = ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")


@pytest.fixture
def dialog(qtbot, make_analysed_clip, fake_x):
    clip = make_analysed_clip(duration_s=1.0, defect=("melt", 6, 18), size=(320, 180))
    settings = load_settings(environ=dict(zip(X_VARS, SECRET_VALUES, strict=True)), env_files=[])
    fake_x.scenario.check_after_secs = (0, 0)
    dlg = RoastDialog(
        clip.clip_path,
        clip.report_dir,
        clip.run_dir,
        settings=settings,
        endpoints=XEndpoints(api_base=fake_x.url),
        seed=4,
    )
    qtbot.addWidget(dlg)
    dlg.open()
    qtbot.waitUntil(lambda: dlg.prepared is not None and not dlg.busy(), timeout=20_000)
    yield dlg
    dlg.close()
    qtbot.waitUntil(lambda: not dlg.busy())


def test_compose_and_live_counter(dialog, qtbot):
    assert not dialog.isModal()
    assert dialog.variants.count() == 4
    first = dialog.variants.item(0).text()
    assert dialog.editor.toPlainText() == first
    assert "melting 0.83" in dialog.header.text()
    dialog.editor.setPlainText("")
    qtbot.keyClicks(dialog.editor, "Short roast ")
    assert dialog.counter.text() == "12 / 280 · 268 left"
    dialog.editor.insertPlainText("😀 日本")  # QTest cannot type non-ASCII keys
    assert dialog.counter.text() == "19 / 280 · 261 left"
    assert dialog.counter.styleSheet() == "" and dialog.post_button.isEnabled()
    qtbot.keyClicks(dialog.editor, " https://example.com/" + "x" * 300)
    assert dialog.counter.text() == "43 / 280 · 237 left"  # a URL counts 23
    dialog.editor.setPlainText("y" * 290)
    assert dialog.counter.text() == "290 / 280 · 10 over the limit"
    assert "color" in dialog.counter.styleSheet()
    assert not dialog.post_button.isEnabled()
    dialog.style_box.setCurrentText("technical")
    assert dialog.variants.item(0).text() != first
    assert dialog.counter.styleSheet() == ""


def test_clip_preview_shows_frame_and_size(dialog):
    prepared = dialog.prepared
    assert prepared.export.path.is_file() and prepared.export.width == 320
    assert not dialog.preview.pixmap().isNull()
    assert dialog.clip_info.text().startswith("Clip to post: ")
    assert " s · 320x180 · " in dialog.clip_info.text()


def test_dry_run_sends_nothing(dialog, qtbot, fake_x):
    assert dialog.dry_run.isChecked()
    qtbot.mouseClick(dialog.post_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Dry run: nothing was sent" in dialog.status.text())
    assert not dialog.confirm_bar.isVisible()
    assert fake_x.seen == []


def test_confirm_path_posts_to_x(dialog, qtbot, fake_x, artifacts_dir):
    dialog.dry_run.setChecked(False)
    qtbot.mouseClick(dialog.post_button, Qt.MouseButton.LeftButton)
    assert dialog.confirm_bar.isVisible() and fake_x.seen == []
    assert dialog.prepared.summary in dialog.confirm_text.text()
    dialog.grab().save(str(artifacts_dir / "roast_dialog_confirm.png"))
    with qtbot.waitSignal(dialog.posted, timeout=20_000) as posted:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert posted.args == ["https://x.com/i/web/status/1900000000000000001"]
    assert fake_x.commands()[0] == "initialize" and fake_x.commands()[-1] == "tweet"
    assert fake_x.seen[-1].json["text"] == dialog.editor.toPlainText()
    qtbot.waitUntil(lambda: not dialog.busy())
    assert "Posted:" in dialog.status.text()
    dialog.grab().save(str(artifacts_dir / "roast_dialog_posted.png"))

    qtbot.mouseClick(dialog.post_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already posted" in dialog.status.text())
    assert fake_x.commands().count("tweet") == 1


def test_clip_outside_a_run_exports_to_a_temporary_folder(qtbot, make_analysed_clip, tmp_path):
    made = make_analysed_clip(duration_s=0.5, defect=("melt", 2, 8))
    clip = tmp_path / "loose" / "clip.mp4"
    clip.parent.mkdir()
    clip.write_bytes(made.clip_path.read_bytes())
    dlg = RoastDialog(clip, made.report_dir, settings=load_settings(environ={}, env_files=[]))
    qtbot.addWidget(dlg)
    dlg.open()
    qtbot.waitUntil(lambda: dlg.prepared is not None and not dlg.busy(), timeout=20_000)
    export = dlg.prepared.export.path
    assert export.is_file() and export.parent != clip.parent and dlg.clip.run_dir is None
    dlg.close()
    assert not export.exists()


def test_unanalysed_clip_says_so(qtbot, tmp_path):
    clip = tmp_path / "raw.mp4"
    clip.write_bytes(b"not analysed")
    dlg = RoastDialog(str(clip), "", settings=load_settings(environ={}, env_files=[]))
    qtbot.addWidget(dlg)
    assert (
        "Cannot roast this clip" in dlg.header.text()
        and "analyse the clip first" in dlg.header.text()
    )
    assert not dlg.post_button.isEnabled() and not dlg.busy()


def test_task_runner_relays_only_the_current_task(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    results, errors = [], []
    runner.failed.connect(errors.append)
    runner.start(lambda progress, cancel: gate.wait(10) and "superseded", results.append)
    assert runner.busy() and not runner.idle()
    runner.start(lambda progress, cancel: "current", results.append)
    with qtbot.waitSignal(runner.all_done, timeout=10_000):
        gate.set()  # the first task ends only now, after it was superseded
    assert results == ["current"] and errors == []
    assert not runner.busy() and runner.idle()
    with qtbot.waitSignal(runner.all_done, timeout=10_000):
        runner.start(lambda progress, cancel: Path("/nonexistent/x").read_bytes(), results.append)
    assert len(errors) == 1 and "/nonexistent/x" in errors[0]  # OSError: shown, not raised
