"""The Prompts panel: a one-prompt-per-line editor, its parameters, problems and cost estimate.

Text is parsed by :func:`core.prompts.parse_text` (off the GUI thread, debounced), so the
editor shows exactly what would be queued: how many jobs, their estimated price and every
line that would be refused. Lines may also be JSON objects with per-prompt parameters.
"Add to queue" emits the parsed result; the window enqueues it. File drops on the editor are
left to the window (they import whole files), text drops are inserted as usual.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.config import Settings
from core.prompts import PASTED_SOURCE, ImportIssue, ImportResult, parse_text
from gui.async_glue import TaskKeeper, run_blocking
from gui.import_issues import ImportIssuesView
from gui.prompt_params import PromptParams

PARSE_DELAY_MS = 300


def editor_format(text: str) -> str:
    """``jsonl`` when the first prompt line is a JSON object (per-prompt parameters, e.g.
    ``{"prompt": "...", "duration": 5, "repeat": 3}``), else ``txt`` (one prompt a line)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return "jsonl" if stripped.startswith("{") else "txt"
    return "txt"


def estimate_text(result: ImportResult) -> str:
    """``"12 prompts → 24 jobs · est. $9.60"`` for the editor's status line."""
    if not result.prompts:
        return "No prompts yet: type one per line, drop a file, or pick from the Library."
    return (
        f"{len(result.prompts):,} prompt(s) → {result.job_count:,} job(s) · "
        f"est. ${result.estimated_cost_usd():,.2f}"
    )


class PromptEditor(QPlainTextEdit):
    """Plain-text editor that lets file drops through to the window."""

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.ignore()  # the window imports files; inserting their paths helps nobody
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.ignore()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if event.mimeData().hasUrls():
            event.ignore()
        else:
            super().dropEvent(event)


class PromptsPanel(QWidget):
    """Editor + parameters + problems; emits ``submitted(ImportResult)`` on "Add to queue"."""

    submitted = Signal(object)
    parsed = Signal(object)
    """Emitted with each fresh parse of the editor (tests wait on it)."""

    def __init__(self, settings: Settings, tasks: TaskKeeper, parent: QWidget | None = None):
        super().__init__(parent)
        self._tasks = tasks
        self._parse_seq = 0
        self.result = ImportResult()
        self.params = PromptParams(settings)
        self.editor = PromptEditor()
        self.editor.setPlaceholderText(
            "One prompt per line, e.g.\n"
            "a glass of water tipping over in slow motion\n"
            "a hand with five fingers playing piano, close-up"
        )
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.issues = ImportIssuesView()
        self.estimate = QLabel(estimate_text(self.result), wordWrap=True)
        self.add_button = QPushButton("Add to queue")
        self.add_button.setDefault(True)
        self.add_button.setEnabled(False)
        self.add_button.setToolTip("Queue these prompts (Ctrl+Return); Start runs the queue")
        self._build_layout()
        self._timer = QTimer(self, singleShot=True, interval=PARSE_DELAY_MS)
        self._timer.timeout.connect(self._parse_now)
        self.editor.textChanged.connect(self._timer.start)
        self.params.changed.connect(self._timer.start)
        self.add_button.clicked.connect(self.submit)
        QShortcut(QKeySequence("Ctrl+Return"), self.editor, self.submit)
        self.issues.issue_activated.connect(self.go_to_issue)

    def _build_layout(self) -> None:
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.params)
        top_layout.addWidget(self.editor, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.issues)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.estimate, 1)
        bottom.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

    def append_lines(self, text: str) -> None:
        """Add prompts (one per line) at the end of the editor."""
        current = self.editor.toPlainText()
        glue = "\n" if current and not current.endswith("\n") else ""
        self.editor.setPlainText(current + glue + text.strip("\n") + "\n")

    @Slot()
    def _parse_now(self) -> None:
        self._parse_seq += 1
        self._tasks.spawn(self._parse(self._parse_seq), "parse-prompts")

    async def _parse(self, seq: int) -> ImportResult:
        text, defaults = self.editor.toPlainText(), self.params.defaults()
        result = await run_blocking(parse_text, text, defaults, PASTED_SOURCE, editor_format(text))
        if seq == self._parse_seq:  # a newer edit supersedes this parse
            self.result = result
            self.estimate.setText(estimate_text(result))
            self.add_button.setEnabled(bool(result.prompts))
            self.issues.show_issues(result.issues, len(result.prompts))
            self.parsed.emit(result)
        return result

    @Slot()
    def submit(self) -> None:
        """Parse the editor now and emit ``submitted`` with its valid prompts."""
        self._timer.stop()
        self._parse_seq += 1
        self._tasks.spawn(self._submit(self._parse_seq), "submit-prompts")

    async def _submit(self, seq: int) -> None:
        result = await self._parse(seq)
        if result.prompts:
            self.submitted.emit(result)
            self.editor.clear()

    def show_file_import(self, result: ImportResult) -> None:
        """Show the problems of an imported file (its prompts went to the queue directly)."""
        self.issues.show_issues(result.issues, len(result.prompts))

    @Slot(object)
    def go_to_issue(self, issue: ImportIssue) -> None:
        """Put the cursor on the editor line an issue names (pasted text only)."""
        if issue.path != PASTED_SOURCE or issue.line < 1:
            return
        block = self.editor.document().findBlockByLineNumber(issue.line - 1)
        cursor = QTextCursor(block)
        cursor.select(QTextCursor.SelectionType.LineUnderCursor)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()
