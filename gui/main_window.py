"""The main window: Queue and Review tabs, docked Prompts/Library/Log/GPU, menus, status bar.

The window wires widgets to core objects and forwards user commands; it holds no business
rules. Lifecycle (gui-practices 2.1): build it inside the running qasync loop, call
:meth:`MainWindow.start` to begin background work, and ``await`` :meth:`MainWindow.shutdown`
after ``closed`` fires. Closing while a run is active asks first, with a non-modal box.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from core.batch import RunDir, new_run_dir
from core.config import ConfigError, Settings, load_settings
from core.notify import Notification, Severity
from core.notify import manager as notifications
from core.prompts import ImportResult
from core.store import DB_NAME
from gui.actions import Actions, build_actions
from gui.async_glue import TaskKeeper, shutdown_executor
from gui.close_guard import CloseGuard
from gui.dropping import PROMPT_SUFFIXES, DropPayload, classify
from gui.gpu_panel import GpuPanel
from gui.library_browser import LibraryBrowser
from gui.log_panel import LogPanel
from gui.notify import NotificationPresenter
from gui.prompts_panel import PromptsPanel
from gui.provider_badge import ProviderBadge
from gui.provider_glue import test_key
from gui.review_host import ReviewHost
from gui.run_manager import RunManager
from gui.settings_dialog import SettingsDialog
from gui.window_state import WindowState

QUEUE_TAB, REVIEW_TAB = 0, 1


class MainWindow(QMainWindow):
    """Top-level window. Emits ``closed`` once it has accepted a close.

    Parameters
    ----------
    settings:
        The settings to use; read with :func:`core.config.load_settings` when ``None`` (an
        invalid value is reported and the defaults are used).
    qsettings:
        Where the layout and recent runs are remembered (tests pass a temporary ini file).
    """

    closed = Signal()

    def __init__(self, settings: Settings | None = None, qsettings: QSettings | None = None):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Torture Chamber")
        self.resize(1440, 900)
        self.setAcceptDrops(True)
        self.tasks = TaskKeeper()
        self.state = WindowState(qsettings if qsettings is not None else QSettings())
        self.settings_error: ConfigError | None = None
        self.settings = settings if settings is not None else self._load_settings()
        self._close_confirmed = False
        self._shut_down = False
        self.close_guard = CloseGuard(self, self._quit_confirmed)
        self.settings_dialog: SettingsDialog | None = None
        self.acts: Actions = build_actions(self)
        self.runs = RunManager(self.settings, self.tasks, self.acts, parent=self)
        self.addToolBar(self.runs.controls)
        self._build_central()
        self._build_docks()
        self._build_status_bar()
        self.presenter = NotificationPresenter(self, notifications)
        self._connect_actions()
        self.tabs.setCurrentIndex(self.state.restore_layout(self))
        self.show_provider()

    # -- construction ----------------------------------------------------------------------

    def _load_settings(self) -> Settings:
        try:
            return load_settings()
        except ConfigError as err:
            self.settings_error = err
            return Settings()

    def _build_central(self) -> None:
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.setObjectName("centralTabs")
        self.tabs.addTab(self.runs.view, "Queue")
        self.review = ReviewHost()
        self.tabs.addTab(self.review, "Review")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.acts.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _build_docks(self) -> None:
        self.prompts = PromptsPanel(self.settings, self.tasks)
        self.prompts.params.restore(self.state.prompt_params())
        self.library = LibraryBrowser(self.prompts.params.defaults)
        self.log_panel = LogPanel()
        self.gpu_panel = GpuPanel(self.tasks, self.runs.devices, self.runs.analysis.workers)
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self.prompts_dock = self._dock("Prompts", "promptsDock", self.prompts, left)
        self.library_dock = self._dock("Library", "libraryDock", self.library, left)
        self.tabifyDockWidget(self.prompts_dock, self.library_dock)
        self.prompts_dock.raise_()
        self.log_dock = self._dock("Log", "logDock", self.log_panel, bottom)
        self.gpu_dock = self._dock("GPU", "gpuDock", self.gpu_panel, bottom)
        self.tabifyDockWidget(self.log_dock, self.gpu_dock)
        self.log_dock.raise_()
        self.resizeDocks([self.prompts_dock], [380], Qt.Orientation.Horizontal)
        self.resizeDocks([self.log_dock], [170], Qt.Orientation.Vertical)
        self.acts.view_menu.addSeparator()
        self.acts.view_menu.addAction(self.acts.reset_layout)
        self._default_state = self.saveState()

    def _build_status_bar(self) -> None:
        self.provider_label = ProviderBadge()
        # Permanent widgets: showMessage() (notifications) would hide ordinary ones.
        self.statusBar().addPermanentWidget(self.runs.status)
        self.statusBar().addPermanentWidget(self.provider_label)

    def _connect_actions(self) -> None:
        a = self.acts
        a.open_prompts.triggered.connect(self.choose_prompt_files)
        a.open_video.triggered.connect(self.choose_video)
        a.settings.triggered.connect(self.open_settings)
        a.quit.triggered.connect(self.close)
        a.show_queue.triggered.connect(lambda: self.tabs.setCurrentIndex(QUEUE_TAB))
        a.show_review.triggered.connect(lambda: self.tabs.setCurrentIndex(REVIEW_TAB))
        a.reset_layout.triggered.connect(lambda: self.restoreState(self._default_state))
        a.about.triggered.connect(self._about)
        a.new_run.triggered.connect(self.new_run)
        a.open_run.triggered.connect(self.choose_run)
        a.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.prompts.submitted.connect(self.enqueue)
        self.library.chosen.connect(self.enqueue)
        self.runs.opened.connect(self._run_opened)
        self.runs.review_requested.connect(self.review_clip)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Begin background work; call once the event loop is running (never before)."""
        self.log_panel.attach()
        self.gpu_panel.start()
        if self.settings_error is not None:
            notifications.report_exception(self.settings_error, "settings")

    async def shutdown(self) -> None:
        """Stop runs, timers and tasks before the loop closes (awaited after ``closed``)."""
        if self._shut_down:
            return
        self._shut_down = True
        await self.runs.shutdown()
        self.review.close_panel()
        self.gpu_panel.stop()
        self.presenter.close()
        await self.tasks.cancel_all()
        self.log_panel.detach()
        shutdown_executor()

    def is_run_active(self) -> bool:
        """True while a run is generating (closing then asks first)."""
        return self.runs.is_active()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_run_active() and not self._close_confirmed:
            event.ignore()
            self.close_guard.ask()
            return
        self.state.save_layout(self, self.tabs.currentIndex())
        self.state.set_prompt_params(self.prompts.params.state())
        event.accept()
        self.closed.emit()

    def _quit_confirmed(self) -> None:
        self._close_confirmed = True
        self.close()

    # -- provider and settings -------------------------------------------------------------

    def uses_simulator(self) -> bool:
        """True when no API key is set: runs go to the built-in local simulator."""
        return not self.settings.xai_api_key

    def show_provider(self) -> None:
        """Say clearly in the status bar (and title) which provider runs will use."""
        self.setWindowTitle(self.provider_label.show_for(self.settings))

    @Slot()
    def open_settings(self) -> None:
        """Show the Settings dialog (non-modal; ``saved`` applies the new values)."""
        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.settings, self.tasks, test_key, self)
            self.settings_dialog.saved.connect(self.apply_settings)
            self.settings_dialog.finished.connect(self._settings_closed)
        self.settings_dialog.open()

    @Slot()
    def _settings_closed(self) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
            self.settings_dialog = None

    @Slot(object)
    def apply_settings(self, settings: Settings) -> None:
        """Use newly saved settings from now on."""
        self.settings = settings
        self.runs.apply_settings(settings)
        self.show_provider()
        notifications.info("Settings saved.", "settings")

    # -- files and drops -------------------------------------------------------------------

    @Slot()
    def choose_prompt_files(self) -> None:
        """File > Open Prompt Files…: a non-modal file dialog."""
        dialog = QFileDialog(self, "Open prompt files", self.state.last_dir())
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(f"Prompt lists (*{' *'.join(PROMPT_SUFFIXES)})")
        dialog.filesSelected.connect(lambda files: self.import_prompt_files(map(Path, files)))
        dialog.open()

    @Slot()
    def choose_video(self) -> None:
        """File > Open Video for Review…: analyse a clip from anywhere."""
        dialog = QFileDialog(self, "Open a video", self.state.last_dir(), "Videos (*.mp4)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda f: self.review_video(Path(f)))
        dialog.open()

    def import_prompt_files(self, paths: Iterable[Path]) -> None:
        """Import prompt files into the queue; problems show per line in the Prompts panel."""
        chosen = sorted(paths)
        if chosen:
            self.state.set_last_dir(chosen[0].parent)
            self.tasks.spawn(self._import(chosen), "import-prompts")

    async def _import(self, paths: list[Path]) -> None:
        result = await self.runs.import_files(paths, self.prompts.params.defaults())
        self.prompts.show_file_import(result)
        if result.issues:
            self.prompts_dock.raise_()
        self.tabs.setCurrentIndex(QUEUE_TAB)

    @Slot(object)
    def enqueue(self, result: ImportResult) -> None:
        """Queue prompts from the editor or the library."""
        self.tasks.spawn(self.runs.enqueue(result), "enqueue")

    # -- runs ------------------------------------------------------------------------------

    @Slot()
    def new_run(self) -> None:
        """File > New Run: an empty run in the download folder."""
        run_dir = new_run_dir(self.settings.download_dir)
        self.tasks.spawn(self.runs.open_run(run_dir), "new-run")

    @Slot()
    def choose_run(self) -> None:
        """File > Open Run…: pick a run folder (one holding run.db)."""
        start = str(self.settings.download_dir)
        dialog = QFileDialog(self, "Open a run folder", start)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(lambda folder: self.open_run(Path(folder)))
        dialog.open()

    def open_run(self, run_dir: Path) -> None:
        """Open a run folder (not started: press Start to resume it)."""
        if not RunDir(run_dir).exists():
            notifications.dispatch(
                Notification(
                    Severity.WARNING,
                    f"{run_dir} is not a run folder (it has no {DB_NAME}).",
                    "Choose a folder made by Torture Chamber, e.g. run-20250101-120000.",
                )
            )
            return
        self.tasks.spawn(self.runs.open_run(run_dir), "open-run")

    def _fill_recent_menu(self) -> None:
        menu = self.acts.recent_menu
        menu.clear()
        for run_dir in self.state.recent_runs():
            action = menu.addAction(run_dir.name, functools.partial(self.open_run, run_dir))
            action.setToolTip(str(run_dir))
        if menu.isEmpty():
            menu.addAction("No recent runs").setEnabled(False)

    @Slot(object)
    def _run_opened(self, run_dir: Path) -> None:
        self.state.add_recent_run(run_dir)
        self.review.run_dir = run_dir
        self.tabs.setCurrentIndex(QUEUE_TAB)
        self.show_provider()

    def review_clip(self, clip: Path, report_dir: Path | None) -> None:
        """Show a run's clip (and its analysis) in the Review tab."""
        self.tabs.setCurrentIndex(REVIEW_TAB)
        self.review.open_clip(clip, report_dir)

    def review_video(self, path: Path) -> None:
        """Send an outside clip to the Review tab for analysis."""
        self.state.set_last_dir(path.parent)
        self.tabs.setCurrentIndex(REVIEW_TAB)
        self.review.analyze_clip(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if classify(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if classify(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        payload = classify(event.mimeData())
        if not payload:
            event.ignore()
            return
        event.acceptProposedAction()
        self.handle_drop(payload)

    def handle_drop(self, payload: DropPayload) -> None:
        """Prompt lists go to the queue, text to the editor, videos (one or two) to Review."""
        if payload.prompt_files:
            self.import_prompt_files(payload.prompt_files)
        if payload.text.strip():
            self.prompts.append_lines(payload.text)
            self.prompts_dock.raise_()
        if payload.videos:
            self.review_video(payload.videos[0])
        if len(payload.videos) > 1:  # two clips: side by side, as on the review panel itself
            self.review.compare_clip(payload.videos[1])

    # -- misc ------------------------------------------------------------------------------

    @Slot(int)
    def _tab_changed(self, index: int) -> None:
        if index == REVIEW_TAB:
            self.review.ensure_panel()

    def _about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About Torture Chamber")
        box.setText(
            "Torture Chamber stress-tests AI video generators and shows where their clips "
            "break. See docs/gui.md for a tour of this window."
        )
        box.open()
