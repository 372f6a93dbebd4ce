"""Client throughput against the simulator, with and without injected faults.

Generates N short clips (start, poll, download, verify) with concurrency C against a
simulator running in a *separate process* (so the CPU measured here is the client's alone),
jitter off, fast generation, tiny clips (load-test mode: a bounded set of distinct clips).
Runs a fault-free baseline and then the same prompts with injected faults, and prints for
each: jobs/s, client CPU seconds per job, peak RSS, succeeded / failed-by-type counts and
what the server accepted. The faulted run must have the server accept exactly one
generation per prompt (nothing paid twice); the script exits 1 if not.

    .venv/bin/python benchmarks/client_throughput.py            # 1000 jobs, C=32, 10 % faults
    .venv/bin/python benchmarks/client_throughput.py --jobs 200 --fault-rate 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from _sim_process import start_sim_process, stop_sim_process

from core.providers import (
    ClientOptions,
    GenerationRequest,
    PollPolicy,
    ProviderError,
    XaiClient,
)

API_KEY = "bench-key-0123456789"


@dataclass
class RunResult:
    """What one run measured."""

    label: str
    jobs: int
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    outcomes: Counter[str] = field(default_factory=Counter)
    server: dict[str, Any] = field(default_factory=dict)

    @property
    def jobs_per_s(self) -> float:
        return self.jobs / self.wall_s

    @property
    def cpu_per_job_ms(self) -> float:
        return 1000.0 * self.cpu_s / self.jobs


def start_sim(fault_rate: float, args: argparse.Namespace) -> tuple[subprocess.Popen[str], str]:
    """Start ``torture-chamber sim`` in its own process; return it and its base URL."""
    options = [
        "--gen-seconds", str(args.gen_seconds), "--fault-rate", str(fault_rate),
        "--seed", str(args.seed), "--max-short-side", "64", "--fps", "8",
        "--distinct-clips", "16", "--slow-s", "0.5", "--retry-after-s", "0.2",
        "--expired-url-ttl-s", "0",
    ]  # fmt: skip
    return start_sim_process(API_KEY, options)


async def fetch_stats(base_url: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(base_url.removesuffix("/v1") + "/sim/stats") as resp,
    ):
        return dict(await resp.json())


async def run_jobs(base_url: str, args: argparse.Namespace, out: Path) -> Counter[str]:
    """Generate every prompt once with ``args.concurrency`` workers; count the outcomes."""
    options = ClientOptions(poll=PollPolicy(args.poll_interval_s, deadline_s=120.0))
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(args.jobs):
        queue.put_nowait(i)
    outcomes: Counter[str] = Counter()
    client = XaiClient(
        API_KEY,
        base_url,
        concurrency=args.concurrency,
        rate_limit_rpm=1e9,
        jitter_s=(0.0, 0.0),
        options=options,
    )

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            request = GenerationRequest(f"benchmark prompt {i}", duration_s=1)
            try:
                await client.generate(request, out / f"job-{i:05d}.mp4")
                outcomes["succeeded"] += 1
            except ProviderError as err:
                outcomes[f"failed: {type(err).__name__}"] += 1

    async with client:
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    return outcomes


def measure(label: str, fault_rate: float, args: argparse.Namespace) -> RunResult:
    proc, base_url = start_sim(fault_rate, args)
    try:
        with tempfile.TemporaryDirectory(prefix="tc-bench-") as tmp:
            wall0, cpu0 = time.perf_counter(), time.process_time()
            outcomes = asyncio.run(run_jobs(base_url, args, Path(tmp)))
            wall_s, cpu_s = time.perf_counter() - wall0, time.process_time() - cpu0
        server = asyncio.run(fetch_stats(base_url))
    finally:
        stop_sim_process(proc)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return RunResult(label, args.jobs, wall_s, cpu_s, rss_mib, outcomes, server)


def report(result: RunResult) -> None:
    server = result.server
    print(f"\n== {result.label}: {result.jobs} jobs")
    print(f"  jobs/s                 {result.jobs_per_s:8.1f}")
    print(f"  client CPU per job     {result.cpu_per_job_ms:8.2f} ms")
    print(f"  peak RSS (so far)      {result.peak_rss_mib:8.1f} MiB")
    for name, count in sorted(result.outcomes.items()):
        print(f"  {name:<22} {count:8d}")
    print(f"  accepted by server     {server['accepted']:8d}")
    print(f"  duplicate prompts      {server['duplicate_prompts']:8d}")
    print(f"  faults injected        {json.dumps(server['faults'], sort_keys=True)}")
    print(f"  requests               {json.dumps(server['requests'], sort_keys=True)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--gen-seconds", type=float, default=0.05)
    parser.add_argument("--poll-interval-s", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"client throughput: {args.jobs} jobs, concurrency {args.concurrency}")
    baseline = measure("baseline, no faults", 0.0, args)
    report(baseline)
    faulted = measure(f"{args.fault_rate:.0%} injected faults", args.fault_rate, args)
    report(faulted)
    print("\n== ratios (faulted / baseline, same run)")
    print(f"  jobs/s                 {faulted.jobs_per_s / baseline.jobs_per_s:8.2f}")
    print(f"  CPU per job            {faulted.cpu_per_job_ms / baseline.cpu_per_job_ms:8.2f}")
    paid_once = faulted.server["accepted"] == args.jobs and not faulted.server["duplicate_prompts"]
    verdict = "OK" if paid_once else "FAILED"
    print(f"\nnothing paid twice (accepted == prompts, no duplicates): {verdict}")
    return 0 if paid_once else 1


if __name__ == "__main__":
    sys.exit(main())
