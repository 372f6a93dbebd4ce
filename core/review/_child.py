"""Long review work (analysis, A-vs-B metrics) in a spawned process, reporting through a queue.

The analysis engine and its metrics import torch, whose import and compute hold the GIL long
enough to stall a GUI's event loop; in a child process they cannot. A spawned child (not
forked: CUDA and Qt do not survive a fork) runs ``target(emit, cancel, *args)``; ``emit``
sends ``(kind, *payload)`` messages back, and the parent reads them until a final one.

Message kinds: ``progress`` (done, total), ``rows`` (list of dicts), and the final
``done`` (result), ``failed`` (text naming the file) or ``cancelled``.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

Message = tuple[Any, ...]
Emit = Callable[[Message], None]
FINAL_KINDS = ("done", "failed", "cancelled")


def _exit_with_parent(poll_s: float = 1.0) -> None:
    # The queue's pipe stays open in the child itself, so an orphan would block forever on a
    # full pipe; a crashed GUI must not leave analysis processes behind.
    parent = multiprocessing.parent_process()
    while parent is not None and parent.is_alive():
        time.sleep(poll_s)
    os._exit(1)


def _child_main(target: Callable[..., Any], messages: Any, cancel: Any, *args: Any) -> None:
    from core.analysis import AnalysisCancelled, AnalysisError
    from core.media import MediaError

    threading.Thread(target=_exit_with_parent, daemon=True).start()

    try:
        result = target(messages.put, cancel, *args)
    except AnalysisCancelled:
        messages.put(("cancelled",))
    except (AnalysisError, MediaError, OSError, ValueError, RuntimeError) as err:
        messages.put(("failed", str(err)))
    else:
        messages.put(("cancelled",) if cancel.is_set() else ("done", result))


class ChildRun:
    """One call of ``target(emit, cancel, *args)`` in a spawned process.

    ``target`` must be a module-level function (it is pickled by name). Use :meth:`messages`
    from one thread to receive everything it emits, ending with a final message.
    """

    def __init__(self, target: Callable[..., Any], *args: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._messages = context.Queue()
        self.cancel_event = context.Event()
        self._process = context.Process(
            target=_child_main,
            args=(target, self._messages, self.cancel_event, *args),
            daemon=True,
        )

    def start(self) -> None:
        """Start the child (returns at once; the child imports its modules meanwhile)."""
        self._process.start()

    def cancel(self) -> None:
        """Ask the child to stop at its next check (it then sends ``cancelled``)."""
        self.cancel_event.set()

    def messages(self, poll_s: float = 0.1) -> Iterator[Message]:
        """Yield messages until a final one; a child that dies silently yields ``failed``."""
        while True:
            try:
                message = self._messages.get(timeout=poll_s)
            except queue.Empty:
                if not self._process.is_alive() and self._messages.empty():
                    code = self._process.exitcode
                    yield ("failed", f"the worker process ended without a result (exit {code})")
                    return
                continue
            yield message
            if message[0] in FINAL_KINDS:
                self._process.join(5.0)
                return

    def stop(self, timeout_s: float = 10.0) -> None:
        """Cancel, wait up to ``timeout_s``, then terminate (shutdown)."""
        self.cancel()
        self._process.join(timeout_s)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(2.0)
