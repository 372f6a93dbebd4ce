"""``torture-chamber doctor [--json]``: what works on this machine."""

from __future__ import annotations

import argparse
import json
from typing import Any

from core.doctor import as_json, essentials_ok, run_checks


def register(subparsers: Any) -> None:
    """Add the ``doctor`` subcommand."""
    parser = subparsers.add_parser("doctor", help="check what works on this machine")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--online", action="store_true", help="also call the API to check the key (network)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the checks and print them; exit 0 when the essentials work."""
    checks = run_checks(online=args.online)
    if args.json:
        print(json.dumps(as_json(checks), indent=2))
    else:
        for check in checks:
            mark = "ok  " if check.ok else ("FAIL" if check.essential else "warn")
            print(f"[{mark}] {check.name:<13} {check.detail}")
        print("\nessentials work" if essentials_ok(checks) else "\nessentials FAILED")
    return 0 if essentials_ok(checks) else 1
