"""``torture-chamber generate "a prompt" [--provider xai|sim]``: one clip, with progress.

Prints where the clip was saved (stdout) and progress on stderr. ``--provider sim`` starts
an in-process simulator, so it works with no key and no network.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import time
import uuid
from pathlib import Path
from typing import Any, TextIO

from core import spec
from core.cli._keyprompt import prompt_for_secret
from core.config import ConfigError, Settings, load_settings, user_env_path
from core.providers import (
    AuthError,
    ClientOptions,
    GenerationRequest,
    GenerationResult,
    GenerationStatus,
    PollPolicy,
    ProviderError,
    XaiClient,
)
from core.sim import SimOptions, SimServer

SIM_POLL_INTERVAL_S = 0.25
SIM_GEN_SECONDS = 2.0
NO_KEY_HELP = (
    "generate: no xAI API key. Set XAI_API_KEY in the environment or in a .env file "
    "(see .env.example), or try the local simulator: --provider sim"
)


def register(subparsers: Any) -> None:
    """Add the ``generate`` subcommand."""
    parser = subparsers.add_parser("generate", help="generate and download one clip")
    parser.add_argument("prompt", help="what the video should show")
    parser.add_argument("--provider", choices=("xai", "sim"), default="xai")
    parser.add_argument("--duration", type=int, default=None, help="seconds (1-15)")
    parser.add_argument("--aspect-ratio", choices=spec.ASPECT_RATIOS, default=None)
    parser.add_argument("--resolution", choices=spec.RESOLUTIONS, default=None)
    parser.add_argument("--model", default=None)
    parser.add_argument("--out", type=Path, default=None, help="file to write (.mp4)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate one clip; exit 0 with its path printed, 1 on a provider error, 2 on setup."""
    try:
        settings = load_settings()
    except ConfigError as err:
        print(f"generate: {err}", file=sys.stderr)
        return 2
    if args.provider == "xai" and not settings.xai_api_key:
        key = prompt_for_secret("XAI_API_KEY", user_env_path())
        if key is None:
            print(NO_KEY_HELP, file=sys.stderr)
            return 2
        settings = dataclasses.replace(settings, xai_api_key=key)
    request = GenerationRequest(
        prompt=args.prompt,
        model=_given(args.model, settings.model),
        duration_s=_given(args.duration, settings.duration_s),
        aspect_ratio=_given(args.aspect_ratio, settings.aspect_ratio),
        resolution=_given(args.resolution, settings.resolution),
    )
    dest = args.out or settings.download_dir / "clips" / f"{new_job_id()}.mp4"
    try:
        result = asyncio.run(_generate(args.provider, settings, request, dest))
    except ProviderError as err:
        hint = " (check XAI_API_KEY)" if isinstance(err, AuthError) else ""
        print(f"\ngenerate: {err}{hint}", file=sys.stderr)
        return 1
    cost = result.status.cost_usd
    cost_text = f", cost ${cost:.2f}" if cost else ""
    print(f"\nsaved a {request.duration_s} s clip{cost_text}", file=sys.stderr)
    print(result.path)
    return 0


def _given(value: Any, default: Any) -> Any:
    # An explicit --duration 0 must reach the server (and be refused), not become the default.
    return default if value is None else value


def new_job_id() -> str:
    """A local job id (file names come from our ids, never from the provider's URL)."""
    return time.strftime("gen-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:8]


async def _generate(
    provider: str, settings: Settings, request: GenerationRequest, dest: Path
) -> GenerationResult:
    bar = ProgressLine(sys.stderr)
    if provider == "sim":
        async with SimServer(SimOptions(gen_seconds=SIM_GEN_SECONDS)) as sim:
            options = ClientOptions(poll=PollPolicy(SIM_POLL_INTERVAL_S, settings.deadline_s))
            client = XaiClient(sim.api_key, sim.base_url, jitter_s=(0.0, 0.0), options=options)
            async with client:
                return await client.generate(request, dest, bar.on_status, bar.on_bytes)
    # One submission: the pause between submissions only matters for batches.
    async with XaiClient.from_settings(settings, jitter_s=(0.0, 0.0)) as client:
        return await client.generate(request, dest, bar.on_status, bar.on_bytes)


class ProgressLine:
    """A one-line progress bar (rewritten in place on a terminal, sparse lines otherwise)."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last = ""

    def on_status(self, status: GenerationStatus) -> None:
        """Generation progress from a poll."""
        self._show("generating ", status.progress / 100.0, f"{status.progress:3d}%")

    def on_bytes(self, done: int, total: int | None) -> None:
        """Download progress."""
        fraction = done / total if total else 0.0
        size = f"{done / 1e6:.1f}/{total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
        self._show("downloading", fraction, size)

    def _show(self, phase: str, fraction: float, label: str) -> None:
        filled = int(self.WIDTH * max(0.0, min(1.0, fraction)))
        line = f"{phase} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {label}"
        if self._tty:
            self._stream.write("\r" + line)
            self._stream.flush()
        elif line.split("]")[0] != self._last.split("]")[0]:
            # Off a terminal, print only when the bar itself moves (logs stay short).
            self._stream.write(line + "\n")
        self._last = line
