"""The queue table's model: a view of a run's job store that stays smooth at 100k rows.

How (gui-practices 2.4):

- The model keeps only the ordered job ids of the current filter/sort (one cheap SQL query)
  and loads rows lazily, a page at a time, when the view asks for them; ``data()`` indexes a
  precomputed tuple of strings (:mod:`gui.queue_rows`), O(1).
- Core events (``job_changed``, ``progress``; any thread) only mark jobs dirty. A 100 ms
  timer then applies everything at once: it asks the store what changed since the last
  revision, reloads just those rows, and emits one ``dataChanged`` for their row range.
  Order is re-queried only when it can have changed (new jobs, or a state filter / sort on a
  changing column), as an append or a ``layoutChanged`` that keeps the selection.
- Counts by state (whole-table queries) are sent at most twice a second.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor

from core.store import Job, JobFilter, JobSort, JobState, SortKey
from gui.queue_rows import COLUMNS, COST, DOWNLOAD, GENERATION, SEQ, STATE, Progress, Row, build_row
from gui.queue_source import QueueSource

FLUSH_MS = 100
COUNTS_MS = 500
POLL_MS = 1000
"""Also look for changes written by another process (the CLI on the same run)."""
PAGE_ROWS = 200
MAX_CACHED_JOBS = 30_000
DOWNLOAD_ROLE = Qt.ItemDataRole.UserRole + 1
JOB_ID_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex
STATE_COLOURS = {
    JobState.QUEUED: "#8a919c",
    JobState.SUBMITTING: "#8fb3f0",
    JobState.START_UNKNOWN: "#e5b455",
    JobState.GENERATING: "#6d9bf1",
    JobState.DOWNLOADING: "#56b6c2",
    JobState.DOWNLOADED: "#56b6c2",
    JobState.ANALYSING: "#c678dd",
    JobState.DONE: "#7ec07a",
    JobState.FAILED: "#e06c75",
    JobState.MODERATED: "#d19a66",
    JobState.CANCELLED: "#5c626b",
}
_BRUSHES = {state: QBrush(QColor(colour)) for state, colour in STATE_COLOURS.items()}
_VOLATILE_SORTS = frozenset({SortKey.STATE, SortKey.SCORE, SortKey.UPDATED, SortKey.COST})
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter


class QueueModel(QAbstractTableModel):
    """Rows of a run's jobs. Feed it with :meth:`set_source` and core events."""

    refreshed = Signal(float)
    """Emitted after each coalesced update with the milliseconds it took."""
    counts_changed = Signal(object)
    """``dict[JobState, int]`` after each update that changed anything."""
    _poke = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source: QueueSource | None = None
        self.filter = JobFilter()
        self.order = JobSort()
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._jobs: dict[str, Job] = {}
        self._rows: dict[str, Row] = {}
        self._progress: dict[str, Progress] = {}
        self._dirty: set[str] = set()
        self._rev = 0
        self._flush_timer = QTimer(self, singleShot=True, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self._poll_timer = QTimer(self, interval=POLL_MS)
        self._poll_timer.timeout.connect(self._schedule)
        self._poke.connect(self._schedule, Qt.ConnectionType.QueuedConnection)
        # Counts (and the spend the window reads with them) are whole-table queries: at most
        # twice a second, whatever the event rate (at 100k rows each costs milliseconds).
        self._counts_timer = QTimer(self, singleShot=True, interval=COUNTS_MS)
        self._counts_timer.timeout.connect(self._emit_counts)

    # -- feeding ---------------------------------------------------------------------------

    def set_source(self, source: QueueSource | None) -> None:
        """Show another run's jobs (``None``: empty)."""
        self.beginResetModel()
        self.source = source
        self._clear_cache()
        self._progress.clear()
        self._rev = source.revision() if source else 0
        self._ids = source.ids(self.filter, self.order) if source else []
        self._pos = {job_id: row for row, job_id in enumerate(self._ids)}
        self.endResetModel()
        self._poll_timer.start() if source else self._poll_timer.stop()
        self._emit_counts()

    def on_job_changed(self, job_id: str) -> None:
        """A job changed in the store (psygnal slot; safe from any thread)."""
        self._dirty.add(job_id)
        if QThread.currentThread() == self.thread():
            self._schedule()
        else:
            self._poke.emit()  # queued: QTimer may only be started from its own thread

    def on_progress(self, job_id: str, phase: str, done: int, total: int | None) -> None:
        """A progress event (psygnal slot; safe from any thread)."""
        self._progress[job_id] = Progress(phase, int(done), total)
        self.on_job_changed(job_id)

    @Slot()
    def _schedule(self) -> None:
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def flush(self) -> None:
        """Apply every change since the last flush (one ``dataChanged``)."""
        if self.source is None:
            return
        started = time.perf_counter()
        dirty, self._dirty = self._dirty, set()
        changes = self.source.changes_since(self._rev)
        self._rev = changes.rev
        changed = set(changes.job_ids)
        if changes.overflow or self._order_may_change(changed):
            self._requery()
        self._reload(changed | dirty)
        if changed and not self._counts_timer.isActive():
            self._counts_timer.start()
        self.refreshed.emit(1000 * (time.perf_counter() - started))

    def _order_may_change(self, changed: set[str]) -> bool:
        if not changed:
            return False
        if any(job_id not in self._pos for job_id in changed):
            return True  # a new job, or one that may now match the filter
        return bool(self.filter.states) or self.order.key in _VOLATILE_SORTS

    def _reload(self, job_ids: set[str]) -> None:
        stale = [j for j in job_ids if j in self._jobs]
        assert self.source is not None
        for job in self.source.jobs(stale):
            self._jobs[job.id] = job
        for job_id in stale:
            self._rows[job_id] = build_row(self._jobs[job_id], self._progress_for(job_id))
        rows = [self._pos[j] for j in stale if j in self._pos]
        if rows:
            last = len(COLUMNS) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    def _progress_for(self, job_id: str) -> Progress | None:
        progress = self._progress.get(job_id)
        job = self._jobs.get(job_id)
        if progress is not None and job is not None and job.state.value != progress.phase:
            self._progress.pop(job_id, None)  # the job moved on; its old progress is moot
            return None
        return progress

    # -- order -----------------------------------------------------------------------------

    def set_filter(self, flt: JobFilter) -> None:
        """Show only the jobs ``flt`` matches."""
        self.filter = flt
        self.set_source(self.source)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort
        if key is None or self.source is None:
            return
        self.order = JobSort(key, order == Qt.SortOrder.DescendingOrder)
        self._requery()

    def _requery(self) -> None:
        assert self.source is not None
        new = self.source.ids(self.filter, self.order)
        old = self._ids
        if new == old:
            return
        if len(new) > len(old) and new[: len(old)] == old:
            self.beginInsertRows(QModelIndex(), len(old), len(new) - 1)
            self._set_ids(new)
            self.endInsertRows()
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(index, self._ids[index.row()]) for index in persistent if index.isValid()]
        self._set_ids(new)
        for index, job_id in held:
            row = self._pos.get(job_id)
            target = QModelIndex() if row is None else self.index(row, index.column())
            self.changePersistentIndex(index, target)
        self.layoutChanged.emit()

    def _set_ids(self, ids: list[str]) -> None:
        self._ids = ids
        self._pos = {job_id: row for row, job_id in enumerate(ids)}

    def _clear_cache(self) -> None:
        self._jobs.clear()
        self._rows.clear()

    # -- reading ---------------------------------------------------------------------------

    def row_data(self, row: int) -> Row:
        """The precomputed row ``row`` (loading its page on first use)."""
        job_id = self._ids[row]
        cached = self._rows.get(job_id)
        if cached is None:
            self._load_page(row)
            cached = self._rows[job_id]
        return cached

    def _load_page(self, row: int) -> None:
        assert self.source is not None
        if len(self._jobs) > MAX_CACHED_JOBS:
            self._clear_cache()
        start = row - row % PAGE_ROWS
        page = [j for j in self._ids[start : start + PAGE_ROWS] if j not in self._rows]
        for job in self.source.jobs(page):
            self._jobs[job.id] = job
            self._rows[job.id] = build_row(job, self._progress_for(job.id))

    def job(self, row: int) -> Job:
        """The full job of a row."""
        self.row_data(row)
        return self._jobs[self._ids[row]]

    def row_of(self, job_id: str) -> int | None:
        """The row a job is shown in, or ``None`` when filtered out."""
        return self._pos.get(job_id)

    def job_ids(self, rows: Iterable[int]) -> list[str]:
        """Job ids of several rows."""
        return [self._ids[row] for row in rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_data(row).cells[column]
        if role == DOWNLOAD_ROLE:
            return self.row_data(row).download_percent
        if role == Qt.ItemDataRole.ForegroundRole and column == STATE:
            return _BRUSHES[self.row_data(row).state]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.row_data(row).tooltip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        if role == JOB_ID_ROLE:
            return self._ids[row]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].title
        return None

    @Slot()
    def _emit_counts(self) -> None:
        counts = self.source.counts_by_state() if self.source else dict.fromkeys(JobState, 0)
        self.counts_changed.emit(counts)


def _alignment(column: int) -> object:
    if column in (SEQ, COST):
        return _RIGHT
    if column in (GENERATION, DOWNLOAD, STATE):
        return _CENTRE
    return None
