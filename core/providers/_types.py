"""The provider interface and the records that cross it."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from core import spec

ProgressCallback = Callable[[int, int | None], None]
"""Download progress: ``(bytes_done, bytes_total_or_None)``."""


@dataclass(frozen=True)
class GenerationRequest:
    """What to generate. Validated by the prompt importer; the server validates again."""

    prompt: str
    model: str = spec.DEFAULT_MODEL
    duration_s: int = spec.DEFAULT_DURATION_S
    aspect_ratio: str = spec.DEFAULT_ASPECT_RATIO
    resolution: str = spec.DEFAULT_RESOLUTION

    def to_json(self) -> dict[str, Any]:
        """The JSON body of ``POST /v1/videos/generations``."""
        return {
            "prompt": self.prompt,
            "model": self.model,
            "duration": self.duration_s,
            "aspect_ratio": self.aspect_ratio,
            "resolution": self.resolution,
        }


class GenerationState(enum.StrEnum):
    """The provider-side state of a generation (``status`` on the wire)."""

    PENDING = "pending"
    """Still generating; ``progress`` rises 0-99."""
    DONE = "done"
    """Finished; ``video_url`` is set unless moderation blocked it."""
    FAILED = "failed"
    """Generation failed; ``error_code``/``error_message`` say why."""
    EXPIRED = "expired"
    """The request expired before finishing."""


@dataclass(frozen=True)
class GenerationStatus:
    """One poll result, normalised from either wire form (with or without ``status``)."""

    request_id: str
    state: GenerationState
    progress: int = 0
    """0-100 as reported by the server."""
    video_url: str | None = None
    video_duration_s: float | None = None
    respect_moderation: bool = True
    cost_usd_ticks: int | None = None
    """``usage.cost_in_usd_ticks``; 1e10 ticks = 1 USD. ``None`` when not reported."""
    model: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def cost_usd(self) -> float | None:
        """The cost in USD, when reported."""
        return None if self.cost_usd_ticks is None else self.cost_usd_ticks / spec.USD_TICKS


@dataclass(frozen=True)
class GenerationResult:
    """A finished, downloaded and verified generation."""

    request_id: str
    path: Path
    status: GenerationStatus


class Provider(Protocol):
    """The small async interface every provider implements (xAI, and the simulator via xAI)."""

    async def start(self, request: GenerationRequest) -> str:
        """Submit a generation and return its ``request_id``.

        Raises :class:`~core.providers.StartOutcomeUnknown` when the request went out and no
        answer came back; never re-sends it itself.
        """
        ...

    async def poll(self, request_id: str) -> GenerationStatus:
        """Fetch the current status once (transport retries included, no waiting loop)."""
        ...

    async def wait(
        self,
        request_id: str,
        on_status: Callable[[GenerationStatus], None] | None = None,
    ) -> GenerationStatus:
        """Poll until done; raise the typed outcome error for failed/expired/moderated/deadline."""
        ...

    async def download(
        self, url: str, dest: Path, progress: ProgressCallback | None = None
    ) -> Path:
        """Stream ``url`` to ``dest`` atomically (``dest.part`` first), verify, return ``dest``."""
        ...

    async def generate(
        self,
        request: GenerationRequest,
        dest: Path,
        on_status: Callable[[GenerationStatus], None] | None = None,
        progress: ProgressCallback | None = None,
    ) -> GenerationResult:
        """Start, wait and download in one call."""
        ...

    async def aclose(self) -> None:
        """Close the HTTP session."""
        ...


KEY_BLOCK_FLAGS = ("api_key_blocked", "api_key_disabled", "team_blocked")
"""Fields of ``GET /v1/api-key`` that, when true, mean the key cannot be used."""


def key_blocks(info: Mapping[str, Any]) -> list[str]:
    """The block flags set in an ``api_key_info()`` answer (empty: the key may be used)."""
    return [flag for flag in KEY_BLOCK_FLAGS if info.get(flag)]
