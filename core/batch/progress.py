"""The CLI's live progress line and end-of-run summary (plain text on stderr, no Qt).

On a terminal the line is redrawn in place twice a second; when stderr is a file or a pipe a
full line is written every :data:`LOG_INTERVAL_S` instead, so logs stay readable.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from core.batch.rate import RateMeter, settled_count
from core.store import JobState, JobStore

BAR_WIDTH = 24
TTY_INTERVAL_S = 0.5
LOG_INTERVAL_S = 10.0
RATE_WINDOW_S = 30.0
WORST_SHOWN = 5
_SHOWN = (
    JobState.QUEUED,
    JobState.SUBMITTING,
    JobState.GENERATING,
    JobState.DOWNLOADING,
    JobState.ANALYSING,
    JobState.DONE,
    JobState.FAILED,
    JobState.MODERATED,
    JobState.START_UNKNOWN,
    JobState.CANCELLED,
)


@dataclass(frozen=True)
class Snapshot:
    """Counts at one moment."""

    at_s: float
    counts: dict[JobState, int]

    @property
    def total(self) -> int:
        """All jobs."""
        return sum(self.counts.values())

    @property
    def settled(self) -> int:
        """Jobs the run has nothing more to do for."""
        return settled_count(self.counts)


def progress_line(snap: Snapshot, rate_per_s: float, eta_s: float | None, spent_usd: float) -> str:
    """One status line: bar, settled/total, per-state counts, rate, ETA and spend."""
    total = snap.total or 1
    filled = round(BAR_WIDTH * snap.settled / total)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    states = " ".join(f"{state}={snap.counts[state]}" for state in _SHOWN if snap.counts[state])
    eta = "--:--" if eta_s is None else format_duration(eta_s)
    return (
        f"[{bar}] {snap.settled}/{snap.total}  {states}  "
        f"{rate_per_s:.1f} jobs/s  ETA {eta}  ${spent_usd:.2f}"
    )


def format_duration(seconds: float) -> str:
    """``mm:ss`` or ``h:mm:ss``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class LiveProgress:
    """Redraws the progress line from the store until cancelled."""

    def __init__(
        self,
        store: JobStore,
        spent_usd: Callable[[], float],
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store, self._spent_usd, self._stream, self._clock = store, spent_usd, stream, clock
        self._tty = stream.isatty()
        self._meter = RateMeter(RATE_WINDOW_S)

    async def run(self) -> None:
        """Draw until cancelled (then finish the line)."""
        interval_s = TTY_INTERVAL_S if self._tty else LOG_INTERVAL_S
        try:
            while True:
                self.draw()
                await asyncio.sleep(interval_s)
        finally:
            self.draw()
            if self._tty:
                self._stream.write("\n")
                self._stream.flush()

    def draw(self) -> None:
        """Write the line once."""
        snap = Snapshot(self._clock(), self._store.counts_by_state())
        self._meter.add(snap.at_s, snap.settled)
        eta_s = self._meter.eta_s(snap.total - snap.settled)
        line = progress_line(snap, self._meter.per_s() or 0.0, eta_s, self._spent_usd())
        if self._tty:
            self._stream.write("\r\x1b[2K" + line)
        else:
            self._stream.write(line + "\n")
        self._stream.flush()


def summary_table(store: JobStore, wall_s: float | None = None) -> str:
    """The end-of-run (and ``status``) table: states, spend, failures by reason."""
    counts = store.counts_by_state()
    spend = store.spend()
    width = max(len(str(state)) for state in JobState)
    lines = [f"{'state':<{width}}  jobs"]
    lines += [f"{state!s:<{width}}  {counts[state]}" for state in JobState if counts[state]]
    lines.append(f"{'total':<{width}}  {sum(counts.values())}")
    lines.append("")
    lines.append(
        f"spend: ${spend.total_usd:.2f} (actual ${spend.actual_usd:.2f}, estimated "
        f"${spend.estimated_usd:.2f}, earlier starts ${spend.prior_usd:.2f})"
    )
    failures = store.failures_by_reason()
    if failures:
        listed = ", ".join(f"{reason} {n}" for reason, n in sorted(failures.items()))
        lines.append(f"failed by reason: {listed}")
    if counts[JobState.START_UNKNOWN]:
        lines.append(
            f"{counts[JobState.START_UNKNOWN]} start(s) with unknown outcome (maybe billed): "
            "`resume --resend-unknown` re-sends them, accepting possible double charges"
        )
    lines += _worst_lines(store)
    if wall_s is not None:
        lines.append(f"wall time: {format_duration(wall_s)}")
    return "\n".join(lines)


def _worst_lines(store: JobStore, n: int = WORST_SHOWN) -> list[str]:
    worst = store.worst_scored(n)
    if not worst:
        return []
    lines = [f"worst {len(worst)} clip(s), overall score (higher = more broken):"]
    for job in worst:
        prompt = job.prompt if len(job.prompt) <= 60 else job.prompt[:57] + "..."
        lines.append(
            f"  {job.score_overall:.2f}  {job.worst_defect or '?':<14} {job.clip_path}  {prompt}"
        )
    return lines
