"""Batch engine at scale: 10,000 prompts against the simulator, with a kill -9 and a resume.

The simulator runs in its own process (``torture-chamber sim``, load-test mode: tiny cached
clips, fast generation, 10% faults). The runner is the real CLI (``batch``, then ``resume``
after a SIGKILL half-way). Printed: wall time, jobs/s, client CPU ms per job, peak RSS,
final counts by state, and the simulator's accepted count, which must equal the number of
prompts with no prompt accepted twice (nothing lost, nothing paid twice).

Baselines measured in the same run:
- ``raw client``: the same provider client calling ``generate()`` for 1,000 prompts with the
  same concurrency and no job store, against a fault-free simulator, next to the runner on
  the same 1,000 prompts. runner/raw CPU per job is the price of durability (a transaction
  per state change, an fsync per start, the feed, events).
- store: a 100,000-row ``run.db``; each GUI query is compared with fetching every row (what a
  queue view that re-reads the whole queue on each change does).

Run: ``.venv/bin/python benchmarks/batch_10k.py`` (``--prompts 2000`` for a quick look).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _sim_process import start_sim_process, stop_sim_process  # noqa: E402

from core.prompts import Prompt  # noqa: E402
from core.prompts.library import prompts as library_prompts  # noqa: E402
from core.providers import PollPolicy  # noqa: E402
from core.store import JobFilter, JobSort, JobState, JobStore, SchemaError, SortKey  # noqa: E402

SIM_KEY = "bench-key"


def main() -> int:
    args = parse_args()
    if args.raw:
        return raw_client(*args.raw)
    if not hasattr(os, "wait4"):
        raise SystemExit("this benchmark measures child CPU with os.wait4 (Linux, macOS)")
    with tempfile.TemporaryDirectory(prefix="tc-bench-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
        bench_overhead(args, work)
        bench_batch(args, work)
        bench_store(args.store_rows, work / "store")
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--baseline", type=int, default=1_000, help="raw-client prompts")
    parser.add_argument("--kill-at", type=float, default=0.5, help="settled share at SIGKILL")
    parser.add_argument("--store-rows", type=int, default=100_000)
    parser.add_argument("--keep", help="work folder to keep (default: a temporary one)")
    parser.add_argument("--raw", nargs=4, help=argparse.SUPPRESS)
    return parser.parse_args()


# -- the batch runs --------------------------------------------------------------------------


def bench_batch(args: argparse.Namespace, work: Path) -> None:
    """The 10k run with faults and a kill -9 / resume round in the middle."""
    sim, url = start_sim(args.fault_rate, work, "sim-faults")
    try:
        prompts_file = write_prompts(work / "prompts.txt", args.prompts, "take")
        run_dir = fresh(work / "run")
        env = runner_env(url)
        started = time.monotonic()
        batch = ["batch", str(prompts_file), "--out", str(run_dir)]
        first = run_cli(
            [*batch, "--concurrency", str(args.concurrency)],
            env,
            work / "batch.log",
            kill_when=lambda: settled_share(run_dir) >= args.kill_at,
        )
        at_kill = counts(run_dir)
        resume = ["resume", str(run_dir), "--concurrency", str(args.concurrency)]
        second = run_cli(resume, env, work / "resume.log")
        wall_s = time.monotonic() - started
        report_batch(args, run_dir, wall_s, first, second, at_kill, sim_stats(url))
    finally:
        stop_sim_process(sim)


def bench_overhead(args: argparse.Namespace, work: Path) -> None:
    """Baseline: the same client with no job store, against a fault-free simulator."""
    sim, url = start_sim(0.0, work, "sim-clean")
    try:
        n = args.baseline
        prompts_file = write_prompts(work / "baseline.txt", n, "baseline")
        run_dir = fresh(work / "baseline-run")
        started = time.monotonic()
        batch = ["batch", str(prompts_file), "--out", str(run_dir)]
        runner = run_cli(
            [*batch, "--concurrency", str(args.concurrency)],
            runner_env(url),
            work / "baseline-runner.log",
        )
        runner_s = time.monotonic() - started
        started = time.monotonic()
        raw = run_raw(n, args.concurrency, url, fresh(work / "raw"), work / "raw.log")
        raw_s = time.monotonic() - started
    finally:
        stop_sim_process(sim)
    runner_ms, raw_ms = 1000 * runner["cpu_s"] / n, 1000 * raw["cpu_s"] / n
    print(
        f"\n== overhead of the job store: {n} prompts, no faults, concurrency {args.concurrency} =="
    )
    print(
        f"raw client (baseline)   {n / raw_s:7.1f} jobs/s  {raw_ms:6.2f} ms CPU/job  "
        f"peak RSS {raw['peak_rss_mb']:.0f} MB"
    )
    print(
        f"batch runner            {n / runner_s:7.1f} jobs/s  {runner_ms:6.2f} ms CPU/job  "
        f"peak RSS {runner['peak_rss_mb']:.0f} MB"
    )
    print(
        f"runner / raw            {(n / runner_s) / (n / raw_s):7.2f}x jobs/s  "
        f"{runner_ms / raw_ms:6.2f}x CPU/job  (runner includes process start-up, import, "
        f"enqueue and one fsync per start)"
    )


def start_sim(fault_rate: float, work: Path, name: str) -> tuple[subprocess.Popen[str], str]:
    options = [
        "--gen-seconds",
        "0.05",
        "--fault-rate",
        str(fault_rate),
        "--max-short-side",
        "64",
        "--fps",
        "8",
        "--distinct-clips",
        "8",
        "--clip-cache",
        str(work / "clip-cache"),
        "--retry-after-s",
        "0.05",
        "--slow-s",
        "0.2",
        "--seed",
        "7",
    ]
    log = (work / f"{name}.log").open("w")
    return start_sim_process(SIM_KEY, options, stderr=log, cwd=ROOT)


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def write_prompts(path: Path, n: int, label: str) -> Path:
    base = [p.text for p in library_prompts()]
    lines = [f"{base[i % len(base)]} ({label} {i // len(base) + 1})" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def runner_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XAI_API_KEY=SIM_KEY,
        XAI_BASE_URL=url,
        TC_JITTER="0",
        TC_RATE_LIMIT_RPM="1000000",
        TC_POLL_INTERVAL_S="0.05",
        TC_DEADLINE_S="300",
        TC_DURATION="1",
    )
    return env


def run_cli(
    args: list[str], env: dict[str, str], log: Path, kill_when: Any = None
) -> dict[str, float]:
    """Run the CLI; SIGKILL it once ``kill_when()`` holds. Returns its rusage figures."""
    return run_child([sys.executable, "-m", "core.cli", *args], env, log, kill_when)


def run_raw(n: int, concurrency: int, url: str, out: Path, log: Path) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--raw", str(n), str(concurrency), url, str(out)]
    return run_child(cmd, dict(os.environ), log)


def run_child(
    cmd: list[str], env: dict[str, str], log: Path, kill_when: Any = None
) -> dict[str, float]:
    """Run a child to its end (or SIGKILL it when ``kill_when()``); its CPU and peak RSS."""
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if kill_when else 0)
            if pid:
                break
            if kill_when():
                os.kill(proc.pid, signal.SIGKILL)
                kill_when = None
            else:
                time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "exit": float(proc.returncode),
    }


def counts(run_dir: Path) -> dict[JobState, int]:
    try:
        store = JobStore(run_dir / "run.db", readonly=True)
    except (SchemaError, OSError, sqlite3.Error):
        return {}
    try:
        return store.counts_by_state()
    except sqlite3.Error:  # the database may be half-created at the first look
        return {}
    finally:
        store.close()


def settled_share(run_dir: Path) -> float:
    found = counts(run_dir)
    total = sum(found.values())
    return 0.0 if not total else 1 - sum(found[s] for s in ACTIVE) / total


def sim_stats(url: str) -> dict[str, Any]:
    stats_url = url.removesuffix("/v1") + "/sim/stats"
    with urllib.request.urlopen(stats_url, timeout=30) as resp:
        return dict(json.loads(resp.read()))


def raw_client(n_text: str, concurrency_text: str, url: str, out_text: str) -> int:
    """Baseline child: ``generate()`` under a semaphore, no store, errors only counted."""
    from core.providers import ProviderError, XaiClient

    concurrency = int(concurrency_text)

    async def go() -> None:
        out = Path(out_text)
        gate = asyncio.Semaphore(concurrency)
        async with XaiClient(
            SIM_KEY, url, concurrency=concurrency, rate_limit_rpm=1e6, jitter_s=(0, 0)
        ) as client:
            client.options = dataclasses.replace(
                client.options, poll=PollPolicy(0.05, 300.0, client.options.poll.jitter_fraction)
            )

            async def one(i: int) -> bool:
                prompt = Prompt(f"raw baseline prompt {i}", duration_s=1)
                async with gate:
                    try:
                        await client.generate(prompt.request(), out / f"{i}.mp4")
                    except ProviderError:
                        return False
                    return True

            results = await asyncio.gather(*(one(i) for i in range(int(n_text))))
        print(f"raw client: {sum(results)} ok of {len(results)}")

    asyncio.run(go())
    return 0


def report_batch(
    args: argparse.Namespace,
    run_dir: Path,
    wall_s: float,
    first: dict[str, float],
    second: dict[str, float],
    at_kill: dict[JobState, int],
    stats: dict[str, Any],
) -> None:
    n = args.prompts
    final = counts(run_dir)
    with sqlite3.connect(run_dir / "run.db") as conn:
        with_request = conn.execute(
            "SELECT COUNT(*) FROM jobs WHERE request_id IS NOT NULL"
        ).fetchone()[0]
        finished = sorted(
            r[0] for r in conn.execute("SELECT finished_at FROM jobs WHERE finished_at IS NOT NULL")
        )
    lo, hi = finished[len(finished) // 10], finished[len(finished) * 9 // 10]
    steady = 0.8 * len(finished) / (hi - lo) if hi > lo else float("nan")
    cpu_ms = 1000 * (first["cpu_s"] + second["cpu_s"]) / n
    unknown = final[JobState.START_UNKNOWN]
    lost = n - sum(final.values()) + sum(final[s] for s in ACTIVE)
    accepted, twice = stats["accepted"], stats["duplicate_prompts"]
    ok = lost == 0 and twice == 0 and with_request <= accepted <= with_request + unknown
    settled_at_kill = sum(v for k, v in at_kill.items() if k not in ACTIVE)
    print(
        f"\n== batch: {n} prompts, concurrency {args.concurrency}, fault rate "
        f"{args.fault_rate}, SIGKILL at {settled_at_kill} settled, then resume =="
    )
    print(f"wall time            {wall_s:8.1f} s (batch, kill -9, resume; incl. retry tail)")
    print(f"jobs/s               {n / wall_s:8.1f} overall, {steady:.1f} steady (10%-90%)")
    print(f"client CPU per job   {cpu_ms:8.2f} ms")
    print(f"peak RSS             {max(first['peak_rss_mb'], second['peak_rss_mb']):8.1f} MB")
    print(
        "in flight at kill    "
        + ", ".join(f"{k}={v}" for k, v in at_kill.items() if v and k in ACTIVE)
    )
    print("final counts         " + ", ".join(f"{k}={v}" for k, v in final.items() if v))
    print(
        f"simulator accepted   {accepted} for {n} prompts ({with_request} with a saved "
        f"request id; {accepted - with_request} of {unknown} unknown-outcome starts); "
        f"prompts accepted twice: {twice}"
    )
    print(f"simulator faults     {stats['faults']}")
    print(f"nothing lost, nothing paid twice: {'OK' if ok else 'FAIL'} (lost {lost})")


ACTIVE = (
    JobState.QUEUED,
    JobState.SUBMITTING,
    JobState.GENERATING,
    JobState.DOWNLOADING,
    JobState.DOWNLOADED,
    JobState.ANALYSING,
)


# -- the store at 100k rows ------------------------------------------------------------------


def bench_store(rows: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    store = JobStore(folder / "run.db")
    prompts = [
        Prompt(
            f"store row {i} about {'glass' if i % 7 else 'water'}",
            category=("hands", "faces", "cloth")[i % 3],
        )
        for i in range(rows)
    ]
    enqueue_s = timed(lambda: store.enqueue(prompts))
    scan_s = timed(lambda: store.page(0, rows + 1), repeat=3)
    queries = {
        "counts_by_state": lambda: store.counts_by_state(),
        "count(filter)": lambda: store.count(JobFilter(category="faces")),
        "page(mid, 100)": lambda: store.page(rows // 2, 100),
        "page(state, 100)": lambda: store.page(100, 100, JobFilter(states=(JobState.QUEUED,))),
        "page(text, 100)": lambda: store.page(0, 100, JobFilter(text="water")),
        "count(text), full scan": lambda: store.count(JobFilter(text="row 9999")),
        "page(sort score)": lambda: store.page(0, 100, sort=JobSort(SortKey.SCORE, True)),
        "worst_scored(20)": lambda: store.worst_scored(20),
        "changes_since": lambda: store.changes_since(store.revision() - 1),
    }
    print(f"\n== store: {rows} rows ==")
    print(f"enqueue, one transaction  {enqueue_s * 1000:8.1f} ms")
    print(f"baseline: read every row  {scan_s * 1000:8.1f} ms")
    for name, query in queries.items():
        took_s = timed(query, repeat=5)
        print(f"{name:<25} {took_s * 1000:8.2f} ms  ({scan_s / took_s:7.0f}x faster)")
    store.close()


def timed(fn: Any, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


if __name__ == "__main__":
    sys.exit(main())
