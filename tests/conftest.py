"""Shared test set-up: offscreen Qt, settings isolated from the developer's machine, and
the loopback simulator factory that the provider and batch tests share."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from core.sim import SimServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

_OUR_PREFIXES = ("XAI_", "TC_", "X_CONSUMER", "X_ACCESS")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Never read or write the developer's config, .env, logs or Videos folder."""
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith(_OUR_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("TC_DOWNLOAD_DIR", str(home / "downloads"))
    monkeypatch.chdir(home)
    return home


@pytest.fixture
def artifacts_dir() -> Path:
    """Folder for screenshots and other files tests leave for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
async def make_sim() -> AsyncIterator[Callable[..., Awaitable[SimServer]]]:
    """``await make_sim(**SimOptions overrides)``: a started loopback simulator
    (``fast_options``), stopped after the test."""
    from core.sim import SimServer, fast_options  # only the tests that use it pay for cv2

    servers: list[SimServer] = []

    async def make(**overrides: object) -> SimServer:
        server = SimServer(fast_options(**overrides))
        await server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        await server.stop()
