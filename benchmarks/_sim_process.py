"""The simulator in its own process, for benchmarks that must not share its CPU time.

``torture-chamber sim --port 0`` picks a free port and prints ``simulator listening on URL``
as its first line; this starts it, waits for that line and stops it with SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

READY = "simulator listening on "


def start_sim_process(
    api_key: str,
    options: list[str],
    stderr: IO[str] | int = subprocess.PIPE,
    cwd: Path | None = None,
) -> tuple[subprocess.Popen[str], str]:
    """Start ``torture-chamber sim`` with ``options``; return the process and its base URL.

    ``stderr`` is piped (and shown if the start fails) unless a log file is given.
    """
    command = [sys.executable, "-m", "core.cli", "sim", "--port", "0", "--api-key", api_key]
    proc = subprocess.Popen(
        [*command, *options], cwd=cwd, stdout=subprocess.PIPE, stderr=stderr, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith(READY):
        proc.kill()
        detail = proc.stderr.read() if proc.stderr else ""
        raise SystemExit(f"the simulator did not start: {line!r} {detail}")
    return proc, line.removeprefix(READY)


def stop_sim_process(proc: subprocess.Popen[str]) -> None:
    """Stop the simulator (SIGTERM: it finishes its journal) and reap it."""
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
