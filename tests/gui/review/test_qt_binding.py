"""The installed Qt binding keeps None's reference count (shiboken6 6.12.0 on Python < 3.12
did not, and the player aborted after a few hundred frames)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_do_not_drain_none_refcount():
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        obj.setObjectName("probe")
    assert sys.getrefcount(None) > before - 200
