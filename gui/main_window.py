"""The main window: Queue and Review tabs, docked Prompts/Library/Log/GPU, menus, status bar.

The window wires widgets to core objects and forwards user commands; it holds no business
rules. Lifecycle (gui-practices 2.1): build it inside the running qasync loop, call
:meth:`MainWindow.start` to begin background work, and ``await`` :meth:`MainWindow.shutdown`
after ``closed`` fires. Closing while a run is active asks first, with a non-modal box.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from core.config import ConfigError, Settings, load_settings
from core.notify import manager as notifications
from gui.actions import Actions, build_actions
from gui.async_glue import TaskKeeper, shutdown_executor
from gui.dropping import PROMPT_SUFFIXES, DropPayload, classify
from gui.gpu_panel import GpuPanel
from gui.library_browser import LibraryBrowser
from gui.log_panel import LogPanel
from gui.notify import NotificationPresenter
from gui.prompts_panel import PromptsPanel
from gui.provider_glue import test_key
from gui.review_host import ReviewHost
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
        self._close_box: QMessageBox | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.acts: Actions = build_actions(self)
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
        self.queue_placeholder = QLabel("The queue appears here once a run is open.")
        self.queue_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(self.queue_placeholder, "Queue")
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
        self.library = LibraryBrowser(
            self.prompts.params.defaults, self.prompts.params.samples_per_prompt
        )
        self.log_panel = LogPanel()
        self.gpu_panel = GpuPanel(self.tasks)
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self.prompts_dock = self._dock("Prompts", "promptsDock", self.prompts, left)
        self.library_dock = self._dock("Library", "libraryDock", self.library, left)
        self.tabifyDockWidget(self.prompts_dock, self.library_dock)
        self.prompts_dock.raise_()
        self.log_dock = self._dock("Log", "logDock", self.log_panel, bottom)
        self.gpu_dock = self._dock("GPU", "gpuDock", self.gpu_panel, bottom)
        self.tabifyDockWidget(self.log_dock, self.gpu_dock)
        self.log_dock.raise_()
        self.resizeDocks([self.prompts_dock], [430], Qt.Orientation.Horizontal)
        self.resizeDocks([self.log_dock], [190], Qt.Orientation.Vertical)
        self.acts.view_menu.addSeparator()
        self.acts.view_menu.addAction(self.acts.reset_layout)
        self._default_state = self.saveState()

    def _build_status_bar(self) -> None:
        self.provider_label = QLabel()
        self.provider_label.setObjectName("providerBadge")
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
        self.gpu_panel.stop()
        self.presenter.close()
        await self.tasks.cancel_all()
        self.log_panel.detach()
        shutdown_executor()

    def is_run_active(self) -> bool:
        """True while a run is generating (closing then asks first)."""
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_run_active() and not self._close_confirmed:
            event.ignore()
            self._ask_before_close()
            return
        self.state.save_layout(self, self.tabs.currentIndex())
        self.state.set_prompt_params(self.prompts.params.state())
        event.accept()
        self.closed.emit()

    def _ask_before_close(self) -> None:
        if self._close_box is not None:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Quit Torture Chamber?")
        box.setText("A run is in progress.")
        box.setInformativeText(
            "Quit now and the run is paused; open it again (File > Recent Runs) to continue. "
            "Jobs that were generating resume without being paid for twice."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        self.quit_button = box.addButton("Pause and Quit", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(self.quit_button)
        box.finished.connect(lambda _result: self._close_answered(box))
        self._close_box = box
        box.open()  # never exec() inside the qasync loop (gui-practices 2.1)

    def _close_answered(self, box: QMessageBox) -> None:
        self._close_box = None
        if box.clickedButton() is self.quit_button:
            self._close_confirmed = True
            self.close()

    # -- provider and settings -------------------------------------------------------------

    def uses_simulator(self) -> bool:
        """True when no API key is set: runs go to the built-in local simulator."""
        return not self.settings.xai_api_key

    def show_provider(self) -> None:
        """Say clearly in the status bar (and title) which provider runs will use."""
        sim = self.uses_simulator()
        self.provider_label.setProperty("simulator", "true" if sim else "false")
        if sim:
            self.provider_label.setText("SIMULATOR · no API key set")
            self.provider_label.setToolTip(
                "Runs use the built-in local simulator (real HTTP, real H.264 clips, no cost). "
                "Add an xAI API key in Settings to generate with Grok Imagine."
            )
            self.setWindowTitle("Torture Chamber — built-in simulator (no API key)")
        else:
            key = self.settings.xai_api_key
            self.provider_label.setText(f"xAI · key {key.masked() if key else ''}")
            self.provider_label.setToolTip(f"Runs use {self.settings.xai_base_url}")
            self.setWindowTitle("Torture Chamber")
        self.provider_label.style().unpolish(self.provider_label)
        self.provider_label.style().polish(self.provider_label)

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

    def import_prompt_files(self, paths: object) -> None:
        """Import prompt files into the queue (implemented with the run session)."""

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
        """Prompt lists go to the queue, text to the editor, videos to Review."""
        if payload.prompt_files:
            self.import_prompt_files(payload.prompt_files)
        if payload.text.strip():
            self.prompts.append_lines(payload.text)
            self.prompts_dock.raise_()
        for video in payload.videos[:1]:
            self.review_video(video)

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
