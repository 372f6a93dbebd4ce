"""The Roast dialog: pick or edit a roast of one clip, preview the clip, post it to X.

Non-modal (``open()``, never ``exec()``, which re-enters the qasync loop). The text comes
from :mod:`core.roast`; the weighted-length counter updates on every keystroke. The clip is
exported off the GUI thread (:func:`core.roast.post.prepare_clip`, via
:class:`gui.roast_tasks.TaskRunner`) as soon as the dialog opens and whenever its options
change; posting runs there too. Dry run is ticked by default;
with it unticked, "Post…" shows an inline confirmation naming the text and the clip before
anything is sent.
"""

from __future__ import annotations

import html
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.config import ConfigError, Settings, load_settings
from core.export import ExportOptions, SegmentMode
from core.roast import ComposeOptions, Roast, RoastComposer, Style, format_time
from core.roast.facts import ReportError, RoastFacts
from core.roast.length import TWEET_MAX_WEIGHT, weighted_length
from core.roast.post import PostOutcome, PreparedClip, export_path_for, post_roast, prepare_clip
from core.roast.sources import analysed_clip, load_facts
from core.x_client import XClient, XCredentials, XEndpoints
from core.x_client.errors import XError
from gui.roast_tasks import TaskRunner

log = logging.getLogger(__name__)
OVER_LIMIT_STYLE = "color: #e5534b; font-weight: bold;"
VARIANTS_PER_STYLE = 4
PREVIEW_SIZE = (480, 270)


class RoastDialog(QDialog):
    """Compose, preview and post a roast of ``clip_path`` (analysed in ``report_dir``).

    ``settings``/``endpoints`` default to the user's settings and X's real API (tests pass a
    fake server's URL). Signals ``posted(url)`` after a real post.
    """

    posted = Signal(str)

    def __init__(
        self,
        clip_path: str | Path,
        report_dir: str | Path,
        run_dir: str | Path | None = None,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
        endpoints: XEndpoints | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Roast on X")
        self.setModal(False)
        given = Path(report_dir) if str(report_dir) else None  # "": the panel had none
        run = Path(run_dir) if run_dir is not None else None
        self.clip = analysed_clip(Path(clip_path), given, run)
        self._settings, self._endpoints, self._seed = settings, endpoints, seed
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.tasks = TaskRunner(self)
        self._closing = False
        self._prepared: PreparedClip | None = None
        self.facts: RoastFacts | None = None
        self._build()
        self._load_facts()

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.header = QLabel(wordWrap=True)
        self.style_box = QComboBox()
        self.style_box.addItems([s.value for s in Style])
        self.hashtags = _checkbox("Hashtags", True)
        self.model_name = _checkbox("Model name", True)
        self.more = QPushButton("New variants")
        self.variants = QListWidget()
        self.variants.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.counter = QLabel()
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        top = _row(self.style_box, self.hashtags, self.model_name, self.more)
        layout = QVBoxLayout(self)
        for widget in (self.header, top, self.variants, self.editor, self.counter):
            layout.addWidget(widget)
        layout.addWidget(self._build_clip_box())
        layout.addWidget(self._build_post_box())
        self.resize(720, 820)
        self.style_box.currentTextChanged.connect(self._compose)
        self.hashtags.toggled.connect(self._compose)
        self.model_name.toggled.connect(self._compose)
        self.more.clicked.connect(self._compose)
        self.variants.currentRowChanged.connect(self._on_variant_picked)
        self.editor.textChanged.connect(self._update_counter)
        self.tasks.progress.connect(self._on_progress)
        self.tasks.failed.connect(self._on_failed)
        self.tasks.changed.connect(self._on_tasks_changed)
        self.tasks.all_done.connect(self._on_tasks_done)

    def _build_clip_box(self) -> QWidget:
        self.whole = QCheckBox("Whole clip")
        self.heatmap = QCheckBox("Heatmap")
        self.caption = _checkbox("Caption", True)
        self.preview = QLabel("preparing the clip…")
        self.preview.setMinimumSize(PREVIEW_SIZE[0], PREVIEW_SIZE[1])
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clip_info = QLabel()
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        for option in (self.whole, self.heatmap, self.caption):
            option.toggled.connect(self._prepare)
        box = QFrame()
        layout = QVBoxLayout(box)
        layout.addWidget(_row(QLabel("Clip:"), self.whole, self.heatmap, self.caption))
        for widget in (self.preview, self.clip_info, self.progress):
            layout.addWidget(widget)
        return box

    def _build_post_box(self) -> QWidget:
        self.dry_run = _checkbox("Dry run (send nothing)", True)
        self.force = QCheckBox("Post again anyway")
        self.post_button = QPushButton("Post…")
        self.cancel_button = QPushButton("Cancel")
        self.close_button = QPushButton("Close")
        self.status = QLabel(wordWrap=True, openExternalLinks=True)
        self.confirm_text = QLabel(wordWrap=True)
        self.confirm_button = QPushButton("Confirm: post to X")
        self.back_button = QPushButton("Back")
        self.confirm_bar = QFrame()
        self.confirm_bar.setFrameShape(QFrame.Shape.StyledPanel)
        bar = QVBoxLayout(self.confirm_bar)
        bar.addWidget(self.confirm_text)
        bar.addWidget(_row(self.confirm_button, self.back_button))
        self.confirm_bar.setVisible(False)
        self.dry_run.toggled.connect(self._on_dry_run_toggled)
        self.post_button.clicked.connect(self._on_post_clicked)
        self.confirm_button.clicked.connect(self._on_confirmed)
        self.back_button.clicked.connect(lambda: self.confirm_bar.setVisible(False))
        self.cancel_button.clicked.connect(self.tasks.cancel)
        self.close_button.clicked.connect(self.close)
        box = QWidget()
        layout = QVBoxLayout(box)
        buttons = (self.dry_run, self.force, self.post_button, self.cancel_button)
        layout.addWidget(_row(*buttons, self.close_button))
        layout.addWidget(self.confirm_bar)
        layout.addWidget(self.status)
        return box

    # -- composing --------------------------------------------------------------------------
    def _load_facts(self) -> None:
        try:
            self.facts = load_facts(self.clip)
        except ReportError as err:
            self.header.setText(f"Cannot roast this clip: {err}")
            self.post_button.setEnabled(False)
            return
        f = self.facts
        self.header.setText(
            f"<b>{self.clip.clip_path.name}</b>: worst {f.defect} {f.score:.2f} at "
            f"{format_time(f.peak_s)}<br>Prompt: {f.prompt or '(unknown)'}"
        )
        self._composer = RoastComposer(seed=self._seed)
        self._compose()
        self._prepare()

    @Slot()
    def _compose(self) -> None:
        if self.facts is None:
            return
        self._composer.options = ComposeOptions(
            hashtags=self.hashtags.isChecked(), model=self.model_name.isChecked()
        )
        style = Style(self.style_box.currentText())
        self._roasts: list[Roast] = self._composer.compose(self.facts, style, VARIANTS_PER_STYLE)
        self.variants.clear()
        self.variants.addItems([r.text for r in self._roasts])
        self.variants.setCurrentRow(0)

    @Slot(int)
    def _on_variant_picked(self, row: int) -> None:
        if 0 <= row < len(self._roasts):
            self.editor.setPlainText(self._roasts[row].text)

    @Slot()
    def _update_counter(self) -> None:
        used = weighted_length(self.editor.toPlainText())
        left = TWEET_MAX_WEIGHT - used
        words = f"{left} left" if left >= 0 else f"{-left} over the limit"
        self.counter.setText(f"{used} / {TWEET_MAX_WEIGHT} · {words}")
        self.counter.setStyleSheet(OVER_LIMIT_STYLE if left < 0 else "")
        self._update_post_button()

    def over_limit(self) -> bool:
        """True when the edited text is longer than X allows."""
        return weighted_length(self.editor.toPlainText()) > TWEET_MAX_WEIGHT

    def _update_post_button(self) -> None:
        ready = self._prepared is not None and not self.tasks.busy()
        self.post_button.setEnabled(ready and not self.over_limit() and self.facts is not None)
        self.cancel_button.setEnabled(self.tasks.busy())

    # -- background work --------------------------------------------------------------------
    def _start(self, work: Callable[..., Any], done: Callable[[Any], None]) -> None:
        self.progress.setValue(0)
        self.tasks.start(work, done)

    @Slot()
    def _on_tasks_changed(self) -> None:
        self.progress.setVisible(self.tasks.busy())
        self._update_post_button()

    @Slot()
    def _on_tasks_done(self) -> None:
        if self._closing:
            self._remove_tmp()

    def open(self) -> None:
        """Show the dialog non-modally: the main window stays usable (QDialog.open() would
        make it window-modal). Never ``exec()``: it re-enters the qasync loop."""
        self.setModal(False)
        self.show()
        self.raise_()

    @property
    def prepared(self) -> PreparedClip | None:
        """The exported clip being offered for posting (``None`` while it is prepared)."""
        return self._prepared

    def busy(self) -> bool:
        """True while an export or a post runs."""
        return self.tasks.busy()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        text = html.escape(message, quote=False)
        self.status.setText(f"<span style='{OVER_LIMIT_STYLE}'>{text}</span>")

    # -- the clip ---------------------------------------------------------------------------
    def export_options(self) -> ExportOptions:
        """The export the check boxes ask for."""
        return ExportOptions(
            segment=SegmentMode.WHOLE if self.whole.isChecked() else SegmentMode.WORST,
            heatmap=self.heatmap.isChecked(),
            caption=self.caption.isChecked(),
        )

    @Slot()
    def _prepare(self) -> None:
        if self.facts is None:
            return
        self._prepared = None
        self.confirm_bar.setVisible(False)
        out = export_path_for(self.clip, None if self.clip.run_dir else self._tmp_dir())
        out.parent.mkdir(parents=True, exist_ok=True)
        clip, facts, options = self.clip, self.facts, self.export_options()
        self.status.setText("Preparing the clip…")
        self._start(
            lambda progress, cancel: prepare_clip(clip, facts, out, options, progress, cancel),
            self._on_prepared,
        )

    def _tmp_dir(self) -> Path:
        """A folder for exports of a clip outside a run, removed when the dialog closes."""
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="tc-roast-")
        return Path(self._tmp.name)

    def _remove_tmp(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @Slot(object)
    def _on_prepared(self, prepared: PreparedClip) -> None:
        self._prepared = prepared
        rgb = prepared.preview_rgb
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, rgb.strides[0], QImage.Format.Format_RGB888)
        pixmap = QPixmap.fromImage(image.copy())
        self.preview.setPixmap(
            pixmap.scaled(
                *PREVIEW_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.clip_info.setText(f"Clip to post: {prepared.summary}")
        earlier = prepared.previous
        self.status.setText(
            f"Already posted on {earlier[-1].posted_at}: {earlier[-1].url}. "
            "Tick 'Post again anyway' to post it again."
            if earlier
            else "Ready. Dry run is on: posting sends nothing until you untick it."
        )

    # -- posting ----------------------------------------------------------------------------
    @Slot(bool)
    def _on_dry_run_toggled(self, dry: bool) -> None:
        self.confirm_bar.setVisible(False)
        self.status.setText(
            "Dry run is on: Post… sends nothing."
            if dry
            else "Dry run is off: Post… asks you to confirm, then posts publicly to X."
        )

    @Slot()
    def _on_post_clicked(self) -> None:
        if self._prepared is None or self.over_limit():
            return
        if self.dry_run.isChecked():
            self._post(confirm=False)
            return
        used = weighted_length(self.editor.toPlainText())
        self.confirm_text.setText(
            f"Post this text ({used}/{TWEET_MAX_WEIGHT}) with the clip "
            f"({self._prepared.summary}) publicly to X now?"
        )
        self.confirm_bar.setVisible(True)

    @Slot()
    def _on_confirmed(self) -> None:
        self.confirm_bar.setVisible(False)
        self._post(confirm=True)

    def _post(self, confirm: bool) -> None:
        assert self._prepared is not None
        text, clip, export = self.editor.toPlainText(), self.clip, self._prepared.export
        force, factory = self.force.isChecked(), self._client_factory
        self.status.setText("Posting to X…" if confirm else "Dry run…")
        self._start(
            lambda progress, cancel: post_roast(
                text,
                clip,
                export,
                confirm=confirm,
                force=force,
                client_factory=factory,
                progress=progress,
                cancel=cancel,
            ),
            self._on_posted,
        )

    def _client_factory(self) -> XClient:
        try:
            settings = self._settings or load_settings()
        except ConfigError as err:
            raise XError(f"settings: {err}") from err
        return XClient(XCredentials.from_settings(settings), self._endpoints or XEndpoints())

    @Slot(object)
    def _on_posted(self, outcome: PostOutcome) -> None:
        if outcome.tweet is None:
            self.status.setText(
                "Dry run: nothing was sent. Untick 'Dry run' and press Post… to post for real."
            )
            return
        url = outcome.tweet.url
        self.status.setText(f"Posted: <a href='{url}'>{url}</a>")
        self.posted.emit(url)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Running tasks are told to stop; the temporary export goes once they have ended.
        self._closing = True
        self.tasks.cancel()
        if self.tasks.idle():
            self._remove_tmp()
        super().closeEvent(event)


def _checkbox(text: str, checked: bool) -> QCheckBox:
    box = QCheckBox(text)
    box.setChecked(checked)
    return box


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return row
