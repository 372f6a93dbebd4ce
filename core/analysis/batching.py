"""Streaming frames into overlapping batches, with decode and flow off the main thread.

A batch ("window") is N core frames plus one frame of context on each side (the detectors
compare t with t-1 and t+1). The flow between two frames is computed once: the last pair of a
window is the first pair of the next. Decoding, flow and the stateless per-window work each run
in their own thread, ahead of the device's work on the current window (see :data:`AHEAD`).
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from core.analysis.decode import DecodedFrame
from core.analysis.flow import FlowEstimator, PairFlow, still_pair
from core.analysis.local import FrameLocal
from core.analysis.motion import Motion

_END = object()


@dataclass(frozen=True)
class Window:
    """Core frames with their neighbours and the N+1 flows between consecutive frames."""

    prev: DecodedFrame | None
    core: list[DecodedFrame]
    nxt: DecodedFrame | None
    pairs: list[PairFlow]
    local: FrameLocal | None = None
    """Stateless per-frame results computed ahead (None: compute them on the main thread)."""
    motion: Motion | None = None
    """The batch's motion front end computed ahead (None: compute it on the main thread)."""

    def split(self) -> tuple[Window, Window]:
        """Two windows covering the same core frames (used to retry after running out of memory);
        their motion is recomputed."""
        half, n = len(self.core) // 2, len(self.core)
        a, b = (self.local.part(0, half), self.local.part(half, n)) if self.local else (None, None)
        first = Window(self.prev, self.core[:half], self.core[half], self.pairs[: half + 1], a)
        second = Window(self.core[half - 1], self.core[half:], self.nxt, self.pairs[half:], b)
        return first, second


def prefetch(
    frames: Iterator[DecodedFrame], depth: int, stop: threading.Event
) -> Iterator[DecodedFrame]:
    """Run ``frames`` in a daemon thread, ``depth`` frames ahead; errors re-raise here."""
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)

    def produce() -> None:
        try:
            for frame in frames:
                if stop.is_set():
                    return
                buffer.put(frame)
            buffer.put(_END)
        except Exception as err:  # noqa: BLE001 - handed to the consumer, who re-raises it
            buffer.put(err)

    threading.Thread(target=produce, name="analysis-decode", daemon=True).start()
    while True:
        item = buffer.get()
        if item is _END:
            return
        if isinstance(item, Exception):
            raise item
        assert isinstance(item, DecodedFrame)
        yield item


def _raw_windows(
    frames: Iterator[DecodedFrame], batch: int
) -> Iterator[tuple[DecodedFrame | None, list[DecodedFrame], DecodedFrame | None]]:
    prev: DecodedFrame | None = None
    pending: list[DecodedFrame] = []
    for frame in frames:
        pending.append(frame)
        if len(pending) == batch + 1:
            yield prev, pending[:batch], pending[batch]
            prev, pending = pending[batch - 1], [pending[batch]]
    if pending:
        yield prev, pending, None


class _Flows:
    """Pair flows with a one-pair cache across windows."""

    def __init__(self, short_side_px: int, factor: int) -> None:
        self._estimator = FlowEstimator(short_side_px, factor)
        self._factor = factor
        self._cache: tuple[int, int, PairFlow] | None = None

    def window(
        self, prev: DecodedFrame | None, core: list[DecodedFrame], nxt: DecodedFrame | None
    ) -> Window:
        seq = [prev, *core, nxt]
        pairs = [self._pair(a, b) for a, b in itertools.pairwise(seq)]
        return Window(prev, core, nxt, pairs)

    def _pair(self, a: DecodedFrame | None, b: DecodedFrame | None) -> PairFlow:
        if a is None or b is None:
            shape = b or a
            assert shape is not None
            h, w = shape.y.shape
            return still_pair(h // self._factor, w // self._factor)
        if self._cache and self._cache[:2] == (a.index, b.index):
            return self._cache[2]
        pair = self._estimator.pair(a.y, b.y)
        self._cache = (a.index, b.index, pair)
        return pair


AHEAD = 2
"""Windows in flight ahead of the consumer: the flow of window k+2 and the ``prepare`` work of
window k+1 run while the consumer works on window k, so on a shared 2-core machine there is
always more runnable work than cores (idle stages lose their share of the CPU to other load)."""


def windows(
    frames: Iterator[DecodedFrame],
    batch: int,
    short_side_px: int,
    prepare: Callable[[Window], Window] | None = None,
    factor: int = 1,
) -> Generator[Window, None, None]:
    """Yield windows with their flows (at ``1/factor`` size, in a flow thread) and
    ``prepare``'s extra work (in a second thread), up to :data:`AHEAD` windows ahead."""
    flows = _Flows(short_side_px, factor)

    def prepared(flowed: Future[Window]) -> Window:
        window = flowed.result()
        return prepare(window) if prepare is not None else window

    with (
        ThreadPoolExecutor(1, thread_name_prefix="analysis-flow") as flow_pool,
        ThreadPoolExecutor(1, thread_name_prefix="analysis-prepare") as prepare_pool,
    ):
        pending: deque[Future[Window]] = deque()
        for prev, core, nxt in _raw_windows(frames, batch):
            flowed = flow_pool.submit(flows.window, prev, core, nxt)
            pending.append(prepare_pool.submit(prepared, flowed))
            if len(pending) > AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
