"""The Settings dialog: key, X credentials, folders, pacing and the analysis device.

Values are validated with :data:`core.config.VARS` (the same parsers the app reads them with)
and saved with :func:`core.config.save_env_values` to the user's ``.env`` (mode 0600). Only
fields the user changed are written. Secrets are never pre-filled: their fields show the
masked saved value as a placeholder, and are written only when typed into. Nothing goes to
QSettings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.config import (
    ENV_SOURCE,
    VARS,
    Settings,
    check_env_values,
    env_text,
    load_settings,
    save_env_values,
    user_env_path,
)
from core.notify import describe_error
from core.secrets import Secret
from gui.async_glue import TaskKeeper

KeyTester = Callable[[Secret, str], Awaitable[str]]
"""``await tester(key, base_url)`` returns a success sentence or raises a provider error."""

_SECRETS: tuple[str, ...] = (
    "XAI_API_KEY",
    "X_CONSUMER_KEY",
    "X_CONSUMER_SECRET",
    "X_ACCESS_TOKEN",
    "X_ACCESS_TOKEN_SECRET",
)
_LABELS = {
    "XAI_API_KEY": "xAI API key",
    "XAI_BASE_URL": "API base URL",
    "X_CONSUMER_KEY": "Consumer key",
    "X_CONSUMER_SECRET": "Consumer secret",
    "X_ACCESS_TOKEN": "Access token",
    "X_ACCESS_TOKEN_SECRET": "Access token secret",
    "TC_DOWNLOAD_DIR": "Download folder",
    "TC_CONCURRENCY": "Concurrent generations",
    "TC_RATE_LIMIT_RPM": "Rate limit (requests/min)",
    "TC_JITTER": "Jitter between submits (s)",
    "TC_DEADLINE_S": "Give up after (s)",
    "TC_POLL_INTERVAL_S": "Poll every (s)",
    "TC_DEVICE": "Analysis device",
}
_GROUPS = (
    ("xAI", ("XAI_API_KEY", "XAI_BASE_URL")),
    ("Files", ("TC_DOWNLOAD_DIR",)),
    (
        "Pacing",
        ("TC_CONCURRENCY", "TC_RATE_LIMIT_RPM", "TC_JITTER", "TC_DEADLINE_S", "TC_POLL_INTERVAL_S"),
    ),
    ("Analysis", ("TC_DEVICE",)),
    ("X (for roasts)", _SECRETS[1:]),
)


class SettingsDialog(QDialog):
    """Edit and save settings; emits ``saved`` with the reloaded :class:`Settings`."""

    saved = Signal(object)

    def __init__(
        self,
        settings: Settings,
        tasks: TaskKeeper,
        key_tester: KeyTester | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self._settings, self._tasks, self._key_tester = settings, tasks, key_tester
        self.fields: dict[str, QLineEdit] = {}
        self._initial: dict[str, str] = {}
        self._edited: set[str] = set()
        layout = QVBoxLayout(self)
        for title, names in _GROUPS:
            layout.addWidget(self._group(title, names))
        self.key_status = QLabel(wordWrap=True)
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setObjectName("errorLabel")
        layout.addWidget(self.key_status)
        where = QLabel(f"Saved to {user_env_path()} (private, mode 0600).", wordWrap=True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _group(self, title: str, names: tuple[str, ...]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        for name in names:
            form.addRow(_LABELS[name], self._field_row(name))
        return box

    def _field_row(self, name: str) -> QWidget:
        edit = QLineEdit()
        edit.setObjectName(name)
        self.fields[name] = edit
        if name in _SECRETS:
            self._setup_secret(name, edit)
        else:
            self._initial[name] = env_text(self._settings, name)
            edit.setText(self._initial[name])
        source = self._settings.sources.get(name, "")
        if source == ENV_SOURCE or (source.endswith(".env") and source != str(user_env_path())):
            edit.setToolTip(f"Currently set by {source}, which overrides what you save here.")
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit, 1)
        for button in self._extra_buttons(name):
            box.addWidget(button)
        return row

    def _setup_secret(self, name: str, edit: QLineEdit) -> None:
        var = next(v for v in VARS if v.name == name)
        current: Secret | None = getattr(self._settings, var.attr)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(f"saved: {current.masked()}" if current else "not set")
        edit.textEdited.connect(lambda _text, n=name: self._edited.add(n))

    def _extra_buttons(self, name: str) -> list[QPushButton]:
        if name == "XAI_API_KEY":
            self.test_button = QPushButton("Test key")
            self.test_button.clicked.connect(self._start_key_test)
            forget = QPushButton("Forget")
            forget.setToolTip("Remove the saved key (the app then uses its built-in simulator)")
            forget.clicked.connect(lambda: self._forget(name))
            return [self.test_button, forget]
        if name == "TC_DOWNLOAD_DIR":
            browse = QPushButton("Browse…")
            browse.clicked.connect(self._browse_folder)
            return [browse]
        return []

    def _forget(self, name: str) -> None:
        self.fields[name].clear()
        self.fields[name].setPlaceholderText("will be removed when you save")
        self._edited.add(name)

    def _browse_folder(self) -> None:
        dialog = QFileDialog(self, "Download folder", self.fields["TC_DOWNLOAD_DIR"].text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(self.fields["TC_DOWNLOAD_DIR"].setText)
        dialog.open()

    def updates(self) -> dict[str, str | None]:
        """What saving would write: changed plain values, and secrets the user edited."""
        out: dict[str, str | None] = {}
        for name, initial in self._initial.items():
            text = self.fields[name].text().strip()
            if text != initial:
                out[name] = text or None
        for name in self._edited:
            out[name] = self.fields[name].text().strip() or None
        return out

    @Slot()
    def save(self) -> None:
        """Validate, write the user's ``.env`` and emit ``saved``; keep the dialog on errors."""
        updates = self.updates()
        problems = check_env_values({k: v for k, v in updates.items() if v is not None})
        if problems:
            self.error_label.setText(
                "\n".join(f"{_LABELS[name]}: {reason}" for name, reason in problems.items())
            )
            return
        try:
            save_env_values(user_env_path(), updates)
            settings = load_settings()
        except (OSError, ValueError) as err:
            self.error_label.setText(describe_error(err)[1])
            return
        self.saved.emit(settings)
        self.accept()

    def _typed_key(self) -> Secret | None:
        typed = self.fields["XAI_API_KEY"].text().strip()
        return Secret(typed) if typed else self._settings.xai_api_key

    @Slot()
    def _start_key_test(self) -> None:
        key = self._typed_key()
        if key is None or self._key_tester is None:
            self.key_status.setText("No key to test: type one, or run with the built-in simulator.")
            return
        self.test_button.setEnabled(False)
        self.key_status.setText("Testing the key…")
        self._tasks.spawn(self._test_key(key), "test-key")

    async def _test_key(self, key: Secret) -> None:
        assert self._key_tester is not None
        try:
            message = await self._key_tester(key, self.fields["XAI_BASE_URL"].text().strip())
        except Exception as err:  # noqa: BLE001 - every failure becomes a sentence in the dialog
            _severity, text, advice = describe_error(err)
            message = f"{text} {advice}".strip()
        self.key_status.setText(message)
        self.test_button.setEnabled(True)
