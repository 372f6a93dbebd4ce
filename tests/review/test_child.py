"""Child-process runs: results and failures come back as messages; orphans do not linger."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from core.review import ChildRun


def sleepy_job(emit, cancel, seconds: float) -> str:
    emit(("progress", 1, 2))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not cancel.is_set():
        time.sleep(0.01)
    return "slept"


def broken_job(emit, cancel, path: str) -> None:
    raise OSError(f"{path}: cannot be read")


def test_messages_end_with_the_result_or_the_error():
    run = ChildRun(sleepy_job, 0.05)
    run.start()
    assert list(run.messages()) == [("progress", 1, 2), ("done", "slept")]
    run = ChildRun(broken_job, "/nowhere/clip.mp4")
    run.start()
    assert list(run.messages()) == [("failed", "/nowhere/clip.mp4: cannot be read")]


def test_cancel_is_reported():
    run = ChildRun(sleepy_job, 60.0)
    run.start()
    messages = run.messages()
    assert next(messages) == ("progress", 1, 2)
    run.cancel()
    assert list(messages) == [("cancelled",)]


def gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "State:\tZ" in status.read_text()


def test_child_exits_when_its_parent_dies():
    code = (
        "import os\n"
        "from core.review import ChildRun\n"
        "from tests.review.test_child import sleepy_job\n"
        "run = ChildRun(sleepy_job, 120.0); run.start()\n"
        "next(run.messages())\n"
        "print(run._process.pid, flush=True)\n"
        "os._exit(0)\n"  # a crash: no atexit, no cleanup of daemon children
    )
    repo = Path(__file__).resolve().parents[2]  # tests chdir to a temporary home
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=repo
    )
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout.strip())
    deadline = time.monotonic() + 20
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not gone(pid):
        os.kill(pid, 9)
        raise AssertionError(f"orphaned child {pid} still running")
