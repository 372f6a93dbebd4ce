"""``torture-chamber status RUNDIR [--json]``: counts by state, spend, failures by reason."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.batch import RunDir, RunDirError
from core.batch.progress import summary_table
from core.cli.batch import EXIT_USAGE, existing_run_dir
from core.store import JobState, JobStore, SchemaError


def register(subparsers: Any) -> None:
    """Add the ``status`` subcommand."""
    parser = subparsers.add_parser("status", help="show a batch run's progress and spend")
    parser.add_argument("run_dir", type=Path, metavar="RUNDIR")
    parser.add_argument("--json", action="store_true", help="print the status as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the status of a run directory (read-only: safe while the run is going)."""
    run_dir = existing_run_dir(args.run_dir)
    if run_dir is None:
        return EXIT_USAGE
    try:
        meta = run_dir.read_meta() if run_dir.meta_path.exists() else {}
        store = JobStore(run_dir.db_path, readonly=True)
    except (RunDirError, SchemaError) as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.json:
            print(json.dumps(status_json(run_dir, meta, store), indent=2))
        else:
            print(_header(run_dir, meta, store))
            print(summary_table(store))
    finally:
        store.close()
    return 0


def status_json(run_dir: RunDir, meta: dict[str, Any], store: JobStore) -> dict[str, Any]:
    """The status as a JSON-ready dict."""
    counts = store.counts_by_state()
    spend = store.spend()
    budget = store.get_meta("budget_usd") or ""
    return {
        "run_dir": str(run_dir.path),
        "provider": meta.get("provider"),
        "created": meta.get("created"),
        "total": sum(counts.values()),
        "counts": {str(state): n for state, n in counts.items()},
        "spend_usd": {
            "total": spend.total_usd,
            "actual": spend.actual_usd,
            "estimated": spend.estimated_usd,
            "earlier_starts": spend.prior_usd,
        },
        "budget_usd": float(budget) if budget else None,
        "paused": store.get_meta("paused") or None,
        "failures_by_reason": store.failures_by_reason(),
        "start_unknown": counts[JobState.START_UNKNOWN],
    }


def _header(run_dir: RunDir, meta: dict[str, Any], store: JobStore) -> str:
    budget = store.get_meta("budget_usd") or ""
    paused = store.get_meta("paused") or ""
    parts = [
        f"run: {run_dir.path}",
        f"provider: {meta.get('provider', '?')}, created {meta.get('created', '?')}",
    ]
    if budget:
        parts.append(f"budget: ${float(budget):.2f}")
    if paused:
        parts.append(f"paused ({paused}): `torture-chamber resume` continues")
    return "\n".join(parts) + "\n"
