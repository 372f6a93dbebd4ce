"""Which provider a CLI run talks to: xAI with the user's key, or an in-process simulator."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

from core.config import Settings
from core.providers import Provider, XaiClient
from core.secrets import Secret
from core.sim import SimOptions, start_in_thread

SIM = "sim"
XAI = "xai"
PROVIDERS = (SIM, XAI)
CLI_SIM_OPTIONS = SimOptions(gen_seconds=1.0, max_short_side=240, fps=24.0, defect_rate=0.5)
"""The built-in simulator of ``batch --provider sim``: small real clips, a second each."""


class ProviderChoiceError(ValueError):
    """The chosen provider cannot be used (no key for xAI)."""


def choose_provider(requested: str | None, settings: Settings) -> str:
    """``sim`` or ``xai``: the request, else xAI when a key is set, else the simulator."""
    if requested is None:
        return XAI if settings.xai_api_key else SIM
    if requested == XAI and not settings.xai_api_key:
        raise ProviderChoiceError(
            "--provider xai needs XAI_API_KEY (environment or .env); "
            "use --provider sim to try everything without a key"
        )
    return requested


@contextlib.contextmanager
def provider_settings(
    provider: str,
    settings: Settings,
    sim_options: SimOptions = CLI_SIM_OPTIONS,
    sim_state_dir: Path | None = None,
) -> Iterator[Settings]:
    """Settings pointing at the provider; starts (and stops) the simulator for ``sim``.

    ``sim_state_dir`` (the run's ``RUNDIR/sim``) keeps the simulator's generations, so a
    resumed run polls the request ids of a killed session, as it would on xAI. Raises
    :class:`core.sim.SimStateError` when that folder is damaged or in use.
    """
    if provider != SIM:
        yield settings
        return
    if sim_state_dir is not None:
        sim_options = dataclasses.replace(sim_options, state_dir=sim_state_dir)
    handle = start_in_thread(sim_options)
    try:
        yield dataclasses.replace(
            settings, xai_api_key=Secret(handle.api_key), xai_base_url=handle.base_url
        )
    finally:
        handle.stop()


def client_factory(settings: Settings) -> Callable[[], Provider]:
    """Makes the run's client (its pacing is handed to the runner)."""
    return lambda: XaiClient.from_settings(settings)
