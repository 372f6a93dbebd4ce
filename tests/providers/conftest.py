"""Fixtures: a simulator on loopback and clients whose waits are recorded, not slept."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable

import pytest

from core.providers import ClientOptions, DownloadPolicy, PollPolicy, XaiClient
from core.sim import SimServer

REAL_SLEEP_CAP_S = 0.005


class RecordingSleep:
    """An injectable ``sleep``: records each requested delay and sleeps only a few ms.

    Tests assert the delays the client *asked for* (backoff, Retry-After, poll interval)
    without spending them.
    """

    def __init__(self) -> None:
        self.delays_s: list[float] = []

    async def __call__(self, delay_s: float) -> None:
        self.delays_s.append(delay_s)
        await asyncio.sleep(min(delay_s, REAL_SLEEP_CAP_S))


class FakeTime:
    """A clock that moves only when the code under test sleeps (pacing and polling tests)."""

    def __init__(self) -> None:
        self.now_s = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now_s

    async def sleep(self, delay_s: float) -> None:
        self.sleeps.append(delay_s)
        self.now_s += delay_s
        await asyncio.sleep(0)


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., XaiClient]]:
    """``make_client(sim, **XaiClient kwargs)``: fast polls, no jitter, recorded sleeps.

    The client's ``RecordingSleep`` is available as ``client.test_sleep``.
    """
    clients: list[XaiClient] = []

    def make(sim: SimServer, **overrides: object) -> XaiClient:
        sleep = RecordingSleep()
        options = ClientOptions(
            poll=PollPolicy(interval_s=0.02, deadline_s=30.0),
            download=DownloadPolicy(),
        )
        kwargs: dict[str, object] = {
            "jitter_s": (0.0, 0.0),
            "rate_limit_rpm": 1e6,
            "options": options,
            "sleep": sleep,
            "rand": random.Random(7),
        }
        kwargs.update(overrides)
        client = XaiClient(kwargs.pop("api_key", sim.api_key), sim.base_url, **kwargs)  # type: ignore[arg-type]
        client.test_sleep = kwargs["sleep"]  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
