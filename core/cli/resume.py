"""``torture-chamber resume RUNDIR [--resend-unknown] [--concurrency N] [--budget USD]``.

Finishes a run after a crash, ``kill -9``, Ctrl-C or a budget pause: jobs with a request id
resume polling (never re-submitted), partial downloads restart, finished jobs are untouched.
Starts whose outcome is unknown stay for the user unless ``--resend-unknown`` accepts that
each may be charged twice. A run made with the built-in simulator gets its simulator back:
the new one reloads ``RUNDIR/sim`` and answers the earlier session's request ids.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from core.batch import RunController, RunDirError
from core.batch.providers import SIM, XAI, ProviderChoiceError, choose_provider, provider_settings
from core.cli.batch import EXIT_USAGE, add_run_options, cli_settings, execute, existing_run_dir
from core.sim import SimStateError
from core.sim.journal import JOURNAL_NAME


def register(subparsers: Any) -> None:
    """Add the ``resume`` subcommand."""
    parser = subparsers.add_parser(
        "resume",
        help="finish a stopped or crashed batch run",
        description="Finish a run directory: resume polls, restart downloads, run the rest.",
    )
    parser.add_argument("run_dir", type=Path, metavar="RUNDIR")
    add_run_options(parser)
    parser.add_argument(
        "--resend-unknown",
        action="store_true",
        help="re-send starts whose outcome is unknown (each may then be charged twice)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Resume the run directory with the provider it was started with."""
    run_dir = existing_run_dir(args.run_dir)
    if run_dir is None:
        return EXIT_USAGE
    settings = cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    try:
        meta = run_dir.read_meta()
        provider = choose_provider(args.provider or meta.get("provider"), settings)
    except (RunDirError, ProviderChoiceError) as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    if provider == XAI and meta.get("provider") == XAI and meta.get("base_url"):
        # The saved request ids belong to the server the run started on.
        settings = dataclasses.replace(settings, xai_base_url=str(meta["base_url"]))
    state_dir = run_dir.sim_state_dir
    if provider == SIM and not (state_dir / JOURNAL_NAME).exists():
        print(
            f"note: no simulator state in {state_dir} (a run from an older version, or not "
            "made with the simulator): jobs caught mid-generation fail; retry them",
            file=sys.stderr,
        )
    try:
        with provider_settings(provider, settings, sim_state_dir=state_dir) as run_settings:
            return execute(run_dir, run_settings, args, _unpause)
    except SimStateError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE


def _unpause(controller: RunController) -> None:
    """``resume`` means go on: a pause kept from an earlier session is lifted."""
    if controller.paused:
        print(f"lifting the earlier pause ({controller.pause_reason})", file=sys.stderr)
        controller.resume()
