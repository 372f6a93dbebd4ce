"""kill -9 at chosen moments, then ``resume``: nothing lost, nothing paid twice.

The runner is the real CLI in a subprocess; the simulator runs in this test's process and
outlives it, like xAI's servers outlive a crashed desktop app. The last test kills the
built-in simulator together with the runner (``--provider sim``): its state in RUNDIR/sim
lets the resumed run's new simulator answer the old request ids.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from core.sim import SimOptions, SimServer
from core.store import JobState, JobStore, SchemaError
from tests.batch.conftest import HeldGenerations

S = JobState
N_PROMPTS = 6
TIMEOUT_S = 60.0


def batch_args(tmp_path: Path, run_dir: Path) -> list[str]:
    return ["batch", str(write_prompts(tmp_path)), "--out", str(run_dir), "--concurrency", "6"]


def write_prompts(tmp_path: Path, n: int = N_PROMPTS) -> Path:
    path = tmp_path / "prompts.txt"
    path.write_text("".join(f"crash test prompt {i}\n" for i in range(n)), encoding="utf-8")
    return path


def cli_env(sim: SimServer | None, **changes: str) -> dict[str, str]:
    """The runner's environment: fast pacing, and ``sim``'s URL and key (``None``: no key,
    so ``--provider sim`` is the built-in simulator)."""
    env = dict(os.environ)
    if sim is not None:
        env.update(XAI_API_KEY=sim.api_key, XAI_BASE_URL=sim.base_url)
    env.update(TC_JITTER="0", TC_RATE_LIMIT_RPM="60000", TC_POLL_INTERVAL_S="0.05")
    env.update(TC_DURATION="1", **changes)
    return env


async def start_cli(sim: SimServer | None, *args: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "core.cli",
        *args,
        env=cli_env(sim, **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish_cli(sim: SimServer | None, *args: str, **env: str) -> tuple[int, str]:
    proc = await start_cli(sim, *args, **env)
    out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT_S)
    return int(proc.returncode or 0), out.decode() + err.decode()


def counts(run_dir: Path) -> dict[JobState, int]:
    if not (run_dir / "run.db").exists():
        return {}
    try:
        store = JobStore(run_dir / "run.db", readonly=True)
    except SchemaError:  # the runner is still creating the schema
        return {}
    try:
        return store.counts_by_state()
    finally:
        store.close()


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for ``condition`` (no fixed sleep: a loaded machine may take a while)."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT_S
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting: {what}"
        await asyncio.sleep(0.02)


async def kill_when(
    proc: asyncio.subprocess.Process, ready: Callable[[], bool], sig: int = signal.SIGKILL
) -> None:
    deadline = asyncio.get_running_loop().time() + TIMEOUT_S
    while not ready():
        assert proc.returncode is None, "the runner ended before the chosen moment"
        assert asyncio.get_running_loop().time() < deadline, "the chosen moment never came"
        await asyncio.sleep(0.02)
    proc.send_signal(sig)
    await proc.wait()


async def test_kill_mid_poll_then_resume(make_sim, tmp_path: Path) -> None:
    sim = await make_sim()
    held = HeldGenerations(sim)  # all six stay mid-generation until the kill
    run_dir = tmp_path / "run"
    proc = await start_cli(sim, *batch_args(tmp_path, run_dir))
    await kill_when(proc, lambda: counts(run_dir).get(S.GENERATING) == N_PROMPTS)
    assert proc.returncode == -signal.SIGKILL
    assert sim.stats()["accepted"] == N_PROMPTS

    held.release()
    rc, output = await finish_cli(sim, "resume", str(run_dir))
    assert rc == 0, output
    assert counts(run_dir)[S.DONE] == N_PROMPTS
    stats = sim.stats()
    assert (stats["accepted"], stats["duplicate_prompts"]) == (N_PROMPTS, 0)
    assert len(list((run_dir / "clips").glob("*.mp4"))) == N_PROMPTS


async def test_kill_mid_download_then_resume(make_sim, tmp_path: Path) -> None:
    # Every request waits 1 s before its answer, so downloads are caught with a .part file.
    sim = await make_sim(fault_rates={"slow": 1.0}, slow_s=1.0)
    run_dir = tmp_path / "run"
    proc = await start_cli(sim, *batch_args(tmp_path, run_dir))

    def mid_download() -> bool:
        parts = list((run_dir / "clips").glob("*.part")) if (run_dir / "clips").exists() else []
        return bool(parts) and counts(run_dir).get(S.DOWNLOADING, 0) > 0

    await kill_when(proc, mid_download)
    before = counts(run_dir)
    assert before[S.DOWNLOADING] > 0 and before[S.SUBMITTING] == 0

    rc, output = await finish_cli(sim, "resume", str(run_dir))
    assert rc == 0, output
    assert counts(run_dir)[S.DONE] == N_PROMPTS
    stats = sim.stats()
    assert (stats["accepted"], stats["duplicate_prompts"]) == (N_PROMPTS, 0)
    assert not list((run_dir / "clips").glob("*.part"))


async def test_kill_mid_start_is_never_silently_resent(make_sim, tmp_path: Path) -> None:
    sim = await make_sim(fault_rates={"slow": 1.0}, slow_s=1.0)
    run_dir = tmp_path / "run"
    proc = await start_cli(sim, *batch_args(tmp_path, run_dir))
    await kill_when(proc, lambda: counts(run_dir).get(S.SUBMITTING, 0) > 0)
    at_kill = counts(run_dir)
    caught, queued = at_kill[S.SUBMITTING], at_kill[S.QUEUED]
    further = N_PROMPTS - caught - queued  # answered before the kill (0 unless the box is slow)
    # The orphaned starts still land (the simulator keeps going after the client died).
    post = "POST /v1/videos/generations"
    await until(
        lambda: sim.stats()["accepted"] == sim.stats()["requests"].get(post, 0),
        "the simulator to finish the orphaned starts",
    )
    accepted_at_crash = sim.stats()["accepted"]

    rc, output = await finish_cli(sim, "resume", str(run_dir))
    assert rc == 0, output
    after = counts(run_dir)
    assert after[S.START_UNKNOWN] == caught
    assert after[S.DONE] == N_PROMPTS - caught
    assert sim.stats()["duplicate_prompts"] == 0
    assert sim.stats()["accepted"] == accepted_at_crash + queued
    rc, output = await finish_cli(sim, "status", str(run_dir), "--json")
    assert json.loads(output)["start_unknown"] == caught

    # Only the user's explicit choice re-sends them, one new start each.
    rc, output = await finish_cli(sim, "resume", str(run_dir), "--resend-unknown")
    assert rc == 0, output
    assert counts(run_dir)[S.DONE] == N_PROMPTS, (counts(run_dir), output)
    assert sim.stats()["accepted"] == accepted_at_crash + queued + caught
    assert sim.stats()["duplicate_prompts"] == accepted_at_crash - further  # the user's choice


async def test_ctrl_c_saves_in_flight_state(make_sim, tmp_path: Path) -> None:
    sim = await make_sim()
    held = HeldGenerations(sim)
    run_dir = tmp_path / "run"
    proc = await start_cli(sim, *batch_args(tmp_path, run_dir))
    await kill_when(proc, lambda: counts(run_dir).get(S.GENERATING) == N_PROMPTS, sig=signal.SIGINT)
    assert proc.returncode == 130
    saved = counts(run_dir)
    assert saved[S.GENERATING] == N_PROMPTS  # request ids kept; polling resumes later
    held.release()
    rc, output = await finish_cli(sim, "resume", str(run_dir))
    assert rc == 0, output
    assert counts(run_dir)[S.DONE] == N_PROMPTS
    assert (sim.stats()["accepted"], sim.stats()["duplicate_prompts"]) == (N_PROMPTS, 0)


async def test_kill_the_built_in_simulator_mid_generation_then_resume(tmp_path: Path) -> None:
    # Starts 0.5 s apart, each generating for 1 s: some job is always mid-generation.
    pace = {"TC_RATE_LIMIT_RPM": "120"}
    run_dir = tmp_path / "run"
    proc = await start_cli(None, *batch_args(tmp_path, run_dir), "--provider", "sim", **pace)
    await kill_when(proc, lambda: counts(run_dir).get(S.GENERATING, 0) > 0)
    at_kill = counts(run_dir)
    assert at_kill[S.GENERATING] + at_kill[S.DOWNLOADING] > 0  # ids only the dead sim knew

    rc, output = await finish_cli(None, "resume", str(run_dir), **pace)
    assert rc == 0, output
    assert counts(run_dir)[S.DONE] == N_PROMPTS, output
    assert len(list((run_dir / "clips").glob("*.mp4"))) == N_PROMPTS
    # The simulator's state holds both sessions: every prompt accepted once, none twice.
    sim = SimServer(SimOptions(state_dir=run_dir / "sim"))
    await sim.start()
    try:
        stats = sim.stats()
    finally:
        await sim.stop()
    assert (stats["accepted"], stats["duplicate_prompts"]) == (N_PROMPTS, 0)
