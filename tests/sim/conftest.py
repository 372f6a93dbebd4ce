"""Factories for simulators on real loopback sockets (fast defaults, stopped after the test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from core.sim import SimServer, fast_options

MakeSim = Callable[..., Awaitable[SimServer]]


@pytest.fixture
async def make_sim() -> AsyncIterator[MakeSim]:
    """``await make_sim(fault_rate=0.1, ...)``: a started simulator with ``fast_options``."""
    servers: list[SimServer] = []

    async def make(**overrides: object) -> SimServer:
        server = SimServer(fast_options(**overrides))
        await server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        await server.stop()
