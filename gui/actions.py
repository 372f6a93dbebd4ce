"""The window's actions (menu items, shortcuts, toolbar buttons) and its menu bar.

Actions are made here, in one table-like place, so shortcuts are easy to review and the
docs (docs/gui.md) can list them; the window connects them to what they do.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle


@dataclass
class Actions:
    """Every window-level action."""

    open_prompts: QAction
    open_video: QAction
    new_run: QAction
    open_run: QAction
    settings: QAction
    quit: QAction
    start: QAction
    pause: QAction
    resume: QAction
    cancel: QAction
    retry_failed: QAction
    show_queue: QAction
    show_review: QAction
    reset_layout: QAction
    about: QAction
    recent_menu: QMenu
    view_menu: QMenu


def _action(
    window: QMainWindow,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    icon: QStyle.StandardPixmap | None = None,
    tip: str = "",
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    return action


def build_actions(window: QMainWindow) -> Actions:
    """Create the actions and the File/Run/View/Help menus of ``window``."""
    sp, key = QStyle.StandardPixmap, QKeySequence.StandardKey
    a = Actions(
        open_prompts=_action(window, "&Open Prompt Files…", key.Open, sp.SP_DialogOpenButton),
        open_video=_action(window, "Open &Video for Review…", "Ctrl+Shift+O", sp.SP_FileIcon),
        new_run=_action(window, "&New Run", key.New, sp.SP_FileDialogNewFolder),
        open_run=_action(window, "Open &Run…", "Ctrl+Shift+R", sp.SP_DirOpenIcon),
        settings=_action(window, "&Settings…", key.Preferences, sp.SP_FileDialogDetailedView),
        quit=_action(window, "&Quit", key.Quit),
        start=_action(window, "&Start", "F5", sp.SP_MediaPlay, "Start generating the queue"),
        pause=_action(window, "&Pause", "F6", sp.SP_MediaPause, "Pause after the current step"),
        resume=_action(window, "&Resume", "F7", sp.SP_MediaSeekForward, "Resume a paused run"),
        cancel=_action(window, "&Cancel Run", "Shift+F5", sp.SP_MediaStop, "Cancel all jobs"),
        retry_failed=_action(
            window, "Retry &Failed", "Ctrl+R", sp.SP_BrowserReload, "Queue failed jobs again"
        ),
        show_queue=_action(window, "&Queue", "Ctrl+1"),
        show_review=_action(window, "Re&view", "Ctrl+2"),
        reset_layout=_action(window, "Reset &Layout"),
        about=_action(window, "&About Torture Chamber"),
        recent_menu=QMenu("Recent &Runs", window),
        view_menu=QMenu("&View", window),
    )
    if a.settings.shortcut().isEmpty():  # Linux desktops often have no Preferences key
        a.settings.setShortcut(QKeySequence("Ctrl+,"))
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    for item in (a.open_prompts, a.open_video, None, a.new_run, a.open_run):
        file_menu.addSeparator() if item is None else file_menu.addAction(item)
    file_menu.addMenu(a.recent_menu)
    file_menu.addSeparator()
    file_menu.addAction(a.settings)
    file_menu.addSeparator()
    file_menu.addAction(a.quit)
    run_menu = bar.addMenu("&Run")
    for item in (a.start, a.pause, a.resume, a.cancel, a.retry_failed):
        run_menu.addAction(item)
    bar.addMenu(a.view_menu)
    a.view_menu.addAction(a.show_queue)
    a.view_menu.addAction(a.show_review)
    a.view_menu.addSeparator()
    bar.addMenu("&Help").addAction(a.about)
    return a
