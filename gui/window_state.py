"""What the window remembers between sessions (QSettings): layout, recent runs, last folder.

Nothing secret is ever stored here; keys live in the user's ``.env`` (see
:mod:`gui.settings_dialog`). Tests pass a QSettings on a temporary ini file.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

MAX_RECENT_RUNS = 10
LAYOUT_VERSION = 1
"""Bump when docks are added/renamed so an old saved layout is not restored onto new docks."""


def recent_list(current: list[str], added: str, limit: int = MAX_RECENT_RUNS) -> list[str]:
    """Put ``added`` first, drop its older copy, keep at most ``limit`` entries."""
    return [added, *[p for p in current if p != added]][:limit]


class WindowState:
    """Typed access to the window's QSettings keys."""

    def __init__(self, qsettings: QSettings) -> None:
        self.qsettings = qsettings

    def save_layout(self, window: QMainWindow, tab_index: int) -> None:
        """Remember geometry, dock layout and the selected central tab."""
        self.qsettings.setValue("window/geometry", window.saveGeometry())
        self.qsettings.setValue("window/state", window.saveState(LAYOUT_VERSION))
        self.qsettings.setValue("window/tab", tab_index)
        self.qsettings.sync()

    def restore_layout(self, window: QMainWindow) -> int:
        """Restore what :meth:`save_layout` saved; return the tab index to show (0 if none)."""
        geometry = self.qsettings.value("window/geometry")
        state = self.qsettings.value("window/state")
        if isinstance(geometry, QByteArray):
            window.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            window.restoreState(state, LAYOUT_VERSION)
        return int(str(self.qsettings.value("window/tab", 0)) or 0)

    def recent_runs(self) -> list[Path]:
        """Recently opened run folders that still exist, newest first."""
        paths = self._json("runs/recent", [])
        if not isinstance(paths, list):
            return []
        return [Path(p) for p in paths if isinstance(p, str) and Path(p).is_dir()]

    def add_recent_run(self, run_dir: Path) -> None:
        """Record that ``run_dir`` was opened (or created) just now."""
        current = [str(p) for p in self.recent_runs()]
        self._set_json("runs/recent", recent_list(current, str(run_dir)))

    def last_dir(self) -> str:
        """The folder the last file dialog was in ("" when none)."""
        return str(self.qsettings.value("files/last_dir", "") or "")

    def set_last_dir(self, folder: Path) -> None:
        """Remember the folder of a file the user picked."""
        self.qsettings.setValue("files/last_dir", str(folder))

    def prompt_params(self) -> dict[str, object]:
        """The Prompts panel's last parameters."""
        value = self._json("prompts/params", {})
        return value if isinstance(value, dict) else {}

    def set_prompt_params(self, params: dict[str, str | int]) -> None:
        """Remember the Prompts panel's parameters."""
        self._set_json("prompts/params", params)

    def _json(self, key: str, default: object) -> object:
        try:
            return json.loads(str(self.qsettings.value(key, "")))
        except ValueError:
            return default

    def _set_json(self, key: str, value: object) -> None:
        self.qsettings.setValue(key, json.dumps(value))
