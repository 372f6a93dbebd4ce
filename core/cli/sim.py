"""``torture-chamber sim``: run the local xAI video API simulator until interrupted.

Prints ``simulator listening on http://HOST:PORT/v1`` as its first line (scripts and the
benchmark read it; ``--port 0`` picks a free port), then serves until Ctrl-C or SIGTERM and
prints its counters (``/sim/stats``) as JSON on stderr when it stops. With ``--state-dir``
it journals every accepted generation there and a later ``sim --state-dir`` on the same
folder answers those request ids again (like xAI's servers after a client restart).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

from core.sim import DEFAULT_API_KEY, FAULTS, SimOptions, SimServer, SimStateError
from core.sim.server import dumps_stats
from core.synth import DEFECT_KINDS

DEFAULT_PORT = 8089


def register(subparsers: Any) -> None:
    """Add the ``sim`` subcommand."""
    parser = subparsers.add_parser(
        "sim",
        help="run the local simulator of xAI's video API",
        description="A real HTTP server on HOST:PORT speaking xAI's video REST API. Point the "
        "app at it with XAI_BASE_URL=http://HOST:PORT/v1 and XAI_API_KEY=<--api-key>.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    add("--port", type=int, default=DEFAULT_PORT, help=f"0 picks a free one ({DEFAULT_PORT})")
    add("--api-key", default=DEFAULT_API_KEY, help="the key clients must send")
    add("--gen-seconds", type=float, default=3.0, help="time each generation takes (3)")
    add("--seed", type=int, default=0, help="same seed and options give the same run")
    add("--defect-rate", type=float, default=0.0, help="fraction of clips with a defect")
    add("--defect-kinds", default=",".join(DEFECT_KINDS), help="comma-separated kinds")
    add("--fault-rate", type=float, default=0.0, help="chance of a fault per request/job")
    add(
        "--fault",
        action="append",
        default=[],
        metavar="NAME[@SITE]=RATE",
        help=f"per-fault rate, repeatable; faults: {', '.join(FAULTS)}",
    )
    add("--slow-s", type=float, default=2.0, help="delay of the 'slow' fault (2)")
    add("--retry-after-s", type=float, default=1.0, help="hint sent with 'rate_limit' (1)")
    add("--expired-url-ttl-s", type=float, default=0.0, help="life of 'url_expire' URLs")
    add("--legacy-rate", type=float, default=0.0, help="fraction answered in the older form")
    add("--fps", type=float, default=24.0, help="frame rate of rendered clips (24)")
    add("--render-scale", type=float, default=1.0, help="scale clips down (load tests)")
    add("--max-short-side", type=int, default=None, help="cap the short side in pixels")
    add("--render-pool", type=int, default=2, help="render workers (2)")
    add("--render-processes", action="store_true", help="render in processes, not threads")
    add("--clip-cache", type=Path, default=None, help="keep rendered clips in this folder")
    add("--distinct-clips", type=int, default=None, help="load-test mode: N clips per size")
    add(
        "--state-dir",
        type=Path,
        default=None,
        help="keep generations (and clips) here; a restart on this folder knows them again",
    )
    parser.set_defaults(handler=run)


def parse_fault_rates(items: list[str]) -> dict[str, float]:
    """``["reset=0.1", "slow@poll=1"]`` -> ``{"reset": 0.1, "slow@poll": 1.0}``."""
    rates: dict[str, float] = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            rates[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--fault {item!r}: expected NAME=RATE, e.g. reset=0.05") from None
    return rates


def options_from_args(args: argparse.Namespace) -> SimOptions:
    """Build :class:`SimOptions` from parsed arguments (``ValueError`` names the option)."""
    return SimOptions(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        gen_seconds=args.gen_seconds,
        seed=args.seed,
        defect_rate=args.defect_rate,
        defect_kinds=tuple(k.strip() for k in args.defect_kinds.split(",") if k.strip()),
        fault_rate=args.fault_rate,
        fault_rates=parse_fault_rates(args.fault),
        slow_s=args.slow_s,
        retry_after_s=args.retry_after_s,
        expired_url_ttl_s=args.expired_url_ttl_s,
        legacy_rate=args.legacy_rate,
        fps=args.fps,
        render_scale=args.render_scale,
        max_short_side=args.max_short_side,
        render_workers=args.render_pool,
        render_processes=args.render_processes,
        clip_cache=args.clip_cache,
        distinct_clips=args.distinct_clips,
        state_dir=args.state_dir,
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; exit 2 on invalid options."""
    try:
        options = options_from_args(args)
    except ValueError as err:
        print(f"sim: {err}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(options))
    except SimStateError as err:
        print(f"sim: {err}", file=sys.stderr)
        return 2
    return 0


async def _serve(options: SimOptions) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with SimServer(options) as sim:
        print(f"simulator listening on {sim.base_url}", flush=True)
        print(
            f"  use: XAI_BASE_URL={sim.base_url} XAI_API_KEY=<the --api-key value>",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()
        print(dumps_stats(sim.stats()), file=sys.stderr, flush=True)
