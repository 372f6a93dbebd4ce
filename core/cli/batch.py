"""``torture-chamber batch FILE... [--out RUNDIR] [--concurrency N] [--provider sim|xai]
[--budget USD] [--analyze]``: generate (and analyse) every prompt in the files.

Import problems are printed as ``file:line: field: message`` and the valid prompts still
run. With ``--provider sim`` (or no key) an in-process simulator serves the run; it keeps its
generations in ``RUNDIR/sim`` so ``resume`` finishes jobs caught mid-generation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.batch import Analyzer, RunController, RunDir, RunDirError, new_run_dir, pool_analyzer
from core.batch.providers import (
    PROVIDERS,
    ProviderChoiceError,
    choose_provider,
    client_factory,
    provider_settings,
)
from core.batch.session import run_session
from core.config import ConfigError, Settings, load_settings
from core.prompts import PromptDefaults, load_prompt_files
from core.sim import SimStateError
from core.spec import ASPECT_RATIOS, RESOLUTIONS

EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    """Add the ``batch`` subcommand."""
    parser = subparsers.add_parser(
        "batch",
        help="generate (and analyse) every prompt in .txt/.csv/.jsonl files",
        description="Run every prompt in the files as a crash-safe, resumable batch.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--out", type=Path, metavar="RUNDIR", help="run directory (new)")
    add_run_options(parser)
    parser.add_argument("--model", help="model for prompts that do not name one")
    parser.add_argument("--duration", type=int, help="seconds, for prompts without one")
    parser.add_argument("--aspect-ratio", choices=ASPECT_RATIOS)
    parser.add_argument("--resolution", choices=RESOLUTIONS)
    parser.set_defaults(handler=run)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``batch`` and ``resume``."""
    parser.add_argument("--concurrency", type=_positive_int, metavar="N")
    parser.add_argument("--rate-limit", type=float, metavar="RPM", help="starts per minute")
    parser.add_argument("--provider", choices=PROVIDERS, help="default: xai with a key, else sim")
    parser.add_argument("--budget", type=float, metavar="USD", help="pause before spending more")
    parser.add_argument("--analyze", action="store_true", help="analyse each clip as it lands")


def run(args: argparse.Namespace) -> int:
    """Import, create the run directory, and run it."""
    settings = cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    result = load_prompt_files(args.files, _defaults(args, settings))
    for issue in result.issues:
        print(f"{issue.severity}: {issue}", file=sys.stderr)
    if not result.prompts:
        print("no valid prompts to run", file=sys.stderr)
        return EXIT_USAGE
    try:
        provider = choose_provider(args.provider, settings)
    except ProviderChoiceError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    run_dir = RunDir(args.out or new_run_dir(settings.download_dir))
    if run_dir.exists():
        resume = f"`torture-chamber resume {run_dir.path}`"
        print(f"{run_dir.path} already holds a run; use {resume}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"{result.job_count} jobs ({len(result.errors)} rows rejected), estimated "
        f"${result.estimated_cost_usd():.2f}, provider {provider}, run directory {run_dir.path}",
        file=sys.stderr,
    )
    try:
        with provider_settings(provider, settings, sim_state_dir=run_dir.sim_state_dir) as s:
            run_dir.create(provider, s.xai_base_url, settings)
            return execute(run_dir, s, args, lambda c: c.enqueue(result.prompts))
    except SimStateError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE


def execute(
    run_dir: RunDir,
    settings: Settings,
    args: argparse.Namespace,
    prepare: Callable[[RunController], object],
) -> int:
    """Open the controller, let ``prepare(controller)`` add work, run it with progress."""
    try:
        with _analyzer(args.analyze) as (analyzer, analysis_workers):
            controller = RunController(
                run_dir.path,
                settings,
                client_factory(settings),
                analyzer,
                budget_usd=args.budget,
                resend_unknown=getattr(args, "resend_unknown", False),
                analysis_workers=analysis_workers,
            )
            try:
                prepare(controller)
                return asyncio.run(run_session(controller))
            finally:
                controller.close()
    except RunDirError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE


def cli_settings(args: argparse.Namespace) -> Settings | None:
    """Settings with the command line's overrides (``None`` after printing a config error)."""
    try:
        settings = load_settings()
    except ConfigError as err:
        print(err, file=sys.stderr)
        return None
    overrides: dict[str, Any] = {}
    if args.concurrency:
        overrides["concurrency"] = args.concurrency
    if args.rate_limit:
        overrides["rate_limit_rpm"] = args.rate_limit
    return dataclasses.replace(settings, **overrides)


def existing_run_dir(path: Path) -> RunDir | None:
    """The run directory named on the command line; ``None`` (after saying why) if it is not one."""
    run_dir = RunDir(path)
    if not run_dir.exists():
        print(f"{run_dir.path}: not a run directory (no run.db)", file=sys.stderr)
        return None
    return run_dir


def _defaults(args: argparse.Namespace, settings: Settings) -> PromptDefaults:
    base = PromptDefaults.from_settings(settings)
    return PromptDefaults(
        model=args.model or base.model,
        duration_s=args.duration or base.duration_s,
        aspect_ratio=args.aspect_ratio or base.aspect_ratio,
        resolution=args.resolution or base.resolution,
    )


@contextlib.contextmanager
def _analyzer(enabled: bool) -> Iterator[tuple[Analyzer | None, int]]:
    """The analysis engine's pool when ``--analyze`` is given, and how many clips it takes
    at once (the size of the runner's analysis lane)."""
    if not enabled:
        yield None, 1
        return
    try:
        from core.analysis import AnalysisPool  # heavy (torch): only when asked for
    except ImportError as err:
        raise SystemExit(f"--analyze: the analysis engine is not available ({err})") from None
    pool = AnalysisPool()
    try:
        yield pool_analyzer(pool), max(1, len(pool.workers()))
    finally:
        pool.close()


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
