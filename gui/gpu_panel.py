"""The GPU panel: each analysis device with its memory in use and the workers running on it.

Device queries need torch, so a helper process answers them (:mod:`gui.device_probe`), and
only while the panel is visible: a hidden GPU tab costs the window nothing, and the first look
at it fills it in. It refreshes every two seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.devices import DeviceInfo
from gui.async_glue import TaskKeeper
from gui.device_probe import DeviceProbe

REFRESH_MS = 2000
GIB = 1024**3
WorkersSource = Callable[[], Mapping[str, Sequence[str]]]
"""Returns ``{device name: [worker labels]}`` for the analysis workers now running."""


def memory_text(device: DeviceInfo) -> str:
    """``"12.3 / 80.0 GiB"`` for a GPU; ``"system memory"`` for the CPU."""
    if device.total_bytes <= 0:
        return "system memory"
    return f"{device.used_bytes / GIB:.1f} / {device.total_bytes / GIB:.1f} GiB"


def memory_percent(device: DeviceInfo) -> int:
    """Share of the device's memory in use, 0-100 (0 for the CPU)."""
    if device.total_bytes <= 0:
        return 0
    return round(100 * device.used_bytes / device.total_bytes)


class GpuPanel(QWidget):
    """Table of devices, fed by a :class:`DeviceProbe` (torch stays out of the GUI process)."""

    def __init__(
        self,
        tasks: TaskKeeper,
        probe: DeviceProbe,
        workers: WorkersSource | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks, self._probe, self._workers = tasks, probe, workers
        self._busy = False
        self.devices: list[DeviceInfo] = []
        self.summary = QLabel("Looking for GPUs…")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Device", "Name", "Memory", "Analysis workers"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((80, 220, 180)):
            self.table.setColumnWidth(column, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Begin live updates (call once the event loop runs).

        No query right away: just after ``show()`` every dock still counts as visible, even a
        tab that the layout is about to hide; the timer (or the tab being shown) starts it.
        """
        self._timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._timer.isActive():
            self.refresh()  # the first look at a hidden tab should not wait for the timer

    def stop(self) -> None:
        """Stop live updates."""
        self._timer.stop()

    def set_workers_source(self, workers: WorkersSource | None) -> None:
        """Show the workers of a (new) analysis pool."""
        self._workers = workers
        self.show_devices(self.devices)

    @Slot()
    def _tick(self) -> None:
        if self.isVisible() and self.devices:
            self.show_devices(self.devices)  # workers change often and cost nothing to read
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Query the devices in the background unless a query is already running."""
        if not self._busy and self.isVisible():
            self._busy = True
            self._tasks.spawn(self._query(), "gpu-query")

    async def _query(self) -> None:
        try:
            devices = await self._probe.devices()
        finally:
            self._busy = False
        self.show_devices(devices)

    def show_devices(self, devices: list[DeviceInfo]) -> None:
        """Render ``devices`` (and who works on each)."""
        self.devices = devices
        gpus = [d for d in devices if d.name != "cpu"]
        self.summary.setText(
            f"{len(gpus)} GPU(s)" if gpus else "CPU only: no CUDA GPU found, analysis uses the CPU"
        )
        workers = dict(self._workers()) if self._workers else {}
        self.table.setRowCount(len(devices))
        for row, device in enumerate(devices):
            self._set_row(row, device, workers.get(device.name, ()))

    def _set_row(self, row: int, device: DeviceInfo, workers: Sequence[str]) -> None:
        self.table.setItem(row, 0, QTableWidgetItem(device.name))
        self.table.setItem(row, 1, QTableWidgetItem(device.label))
        bar = self.table.cellWidget(row, 2)
        if not isinstance(bar, QProgressBar):
            bar = QProgressBar()
            bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setCellWidget(row, 2, bar)
        bar.setValue(memory_percent(device))
        bar.setFormat(memory_text(device))
        self.table.setItem(row, 3, QTableWidgetItem(", ".join(workers) or "idle"))
