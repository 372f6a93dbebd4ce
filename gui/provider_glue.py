"""Which provider a run talks to: xAI with the user's key, or the built-in simulator.

The simulator (:func:`core.sim.start_in_thread`) runs on its own loop and thread, so its
rendering never competes with the Qt thread; it is started on first need and stopped at
shutdown. ``core.sim`` (it renders with OpenCV) is imported only then, keeping start-up
light. Clients are ordinary :class:`core.providers.XaiClient` objects either way.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.config import Settings
from core.providers import ClientOptions, XaiClient, key_blocks
from core.secrets import Secret
from gui.async_glue import run_blocking

if TYPE_CHECKING:
    from core.sim import SimHandle, SimOptions

log = logging.getLogger(__name__)
# Demo clips: small and quick so a first run finishes in seconds, still real H.264.
DEMO_SIM_OPTIONS: dict[str, Any] = {
    "gen_seconds": 2.0,
    "max_short_side": 240,
    "fps": 24.0,
    "defect_rate": 0.6,
    "fault_rate": 0.05,
}


class ProviderChoice(enum.StrEnum):
    """What the run controls offer."""

    XAI = "xai"
    """xAI's API with the key from Settings."""
    SIMULATOR = "sim"
    """The built-in local simulator: real HTTP and real clips, no key, no cost."""


def default_choice(settings: Settings) -> ProviderChoice:
    """The simulator when no key is set (a new user can run everything at once), else xAI."""
    return ProviderChoice.XAI if settings.xai_api_key else ProviderChoice.SIMULATOR


async def test_key(key: Secret, base_url: str) -> str:
    """Ask the provider about ``key``; return a sentence, or raise the provider's error."""
    options = ClientOptions(max_retries=0, read_timeout_s=15.0)
    async with XaiClient(key, base_url, options=options) as client:
        info = await client.api_key_info()
    if key_blocks(info):
        return "The key is valid but blocked or disabled; check it at console.x.ai."
    name = info.get("name") or "unnamed"
    return f"The key works (key name: {name})."


class SimulatorService:
    """Starts the simulator on first use (off the GUI thread) and stops it at shutdown."""

    def __init__(self, options: SimOptions | None = None) -> None:
        self.options = options
        self.handle: SimHandle | None = None

    async def ensure_started(self, state_dir: Path | None = None) -> SimHandle:
        """Return the running simulator, starting it if needed (its start blocks ~0.1 s).

        ``state_dir`` (the run's ``RUNDIR/sim``) keeps its generations, so a reopened run
        polls the request ids of a closed or killed session; another run's simulator is
        stopped first.
        """
        from core.sim import SimOptions, start_in_thread

        if self.handle is not None and self.handle.server.options.state_dir != state_dir:
            await self.stop()
        if self.handle is None:
            options = replace(self.options or SimOptions(**DEMO_SIM_OPTIONS), state_dir=state_dir)
            self.handle = await run_blocking(start_in_thread, options)
            log.info("built-in simulator listening at %s", self.handle.base_url)
        return self.handle

    async def stop(self) -> None:
        """Stop the simulator thread (idempotent)."""
        if self.handle is not None:
            handle, self.handle = self.handle, None
            await run_blocking(handle.stop)


def run_settings(settings: Settings, choice: ProviderChoice, sim: SimHandle | None) -> Settings:
    """The settings a run uses: the simulator's URL and key when it is the provider."""
    if choice is ProviderChoice.SIMULATOR:
        assert sim is not None
        return replace(settings, xai_api_key=Secret(sim.api_key), xai_base_url=sim.base_url)
    return settings


def client_for(settings: Settings, **overrides: Any) -> XaiClient:
    """A client for a run (same class for xAI and the simulator)."""
    return XaiClient.from_settings(settings, **overrides)
