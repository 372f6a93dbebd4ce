"""The ``torture-chamber`` command line.

Subcommands live one per module in this package; each defines ``register(subparsers)``
which adds its parser and sets ``handler`` (a function taking the parsed args and returning an
exit code). New commands need no edit here. With no subcommand the GUI opens.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from core import __version__
from core.logs import setup_logging


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every subcommand module found in this package."""
    parser = argparse.ArgumentParser(
        prog="torture-chamber",
        description="Stress-test AI video generators and show where their videos break.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    setup_logging(logging.DEBUG if args.verbose else logging.INFO)
    if args.command is None:
        # Looked up at run time, not imported: core must run (and import) without Qt.
        gui_app = importlib.import_module("gui.app")
        return int(gui_app.main())
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
