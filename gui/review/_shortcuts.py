"""Keyboard map of the review panel (documented in docs/review.md)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

KEYS: dict[str, tuple[str, ...]] = {
    "toggle_play": ("Space",),
    "pause": ("K",),
    "step_back": ("Left",),
    "step_forward": ("Right",),
    "play_backward": ("J",),
    "play_forward": ("L",),
    "jump_start": ("Home",),
    "jump_end": ("End",),
    "mark_in": ("[",),
    "mark_out": ("]",),
    "toggle_overlay": ("O",),
    "toggle_boxes": ("B",),
    "flip": ("F",),
    "fit": ("Z",),
}
"""Action name -> keys (J/K/L as in editing suites: back, pause, forward)."""


def install_shortcuts(widget: QWidget, actions: dict[str, Callable[[], None]]) -> list[QShortcut]:
    """Bind every action in ``actions`` to its keys while focus is inside ``widget``."""
    shortcuts = []
    for name, callback in actions.items():
        for key in KEYS[name]:
            shortcut = QShortcut(QKeySequence(key), widget)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(callback)
            shortcuts.append(shortcut)
    return shortcuts
