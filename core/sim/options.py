"""What a simulator run does: timing, defects, faults, rendering size and the load-test mode.

Every fault has a name (used by the CLI ``--fault NAME=RATE``, by ``/sim/stats`` and in
docs/providers.md) and the sites where it can happen: a start request, a poll, a media
download, or the generation itself (decided once when the start is accepted).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.sim.journal import CLIPS_DIR
from core.synth import DEFECT_KINDS

DEFAULT_API_KEY = "sim-local-key"
"""The key a simulator accepts when none is given (it guards nothing: 127.0.0.1 only)."""


class Site(enum.StrEnum):
    """Where a fault is drawn."""

    START = "start"
    """``POST /v1/videos/generations``, after the request validated."""
    POLL = "poll"
    """``GET /v1/videos/{id}``."""
    MEDIA = "media"
    """``GET /media/{id}.mp4``."""
    JOB = "job"
    """The generation's fate, drawn once when a start is accepted."""


FAULT_SITES: dict[str, tuple[Site, ...]] = {
    "rate_limit": (Site.START, Site.POLL),  # 429 with Retry-After and retry-after-ms
    "rate_limit_bare": (Site.START, Site.POLL),  # 429 without any hint
    "server_error": (Site.START, Site.POLL, Site.MEDIA),  # 500, 502 or 503
    "reset": (Site.POLL, Site.MEDIA),  # connection dropped before any response
    "slow": (Site.START, Site.POLL, Site.MEDIA),  # answer delayed by slow_s
    "start_drop": (Site.START,),  # accepted and billed, then the connection is dropped
    "truncate": (Site.MEDIA,),  # body cut half-way (Range resume works)
    "url_expire": (Site.JOB,),  # media URL answers 404 after expired_url_ttl_s
    "gen_failed": (Site.JOB,),  # status "failed", error.code internal_error
    "gen_expired": (Site.JOB,),  # status "expired"
    "moderation": (Site.JOB,),  # done, respect_moderation false, empty URL (billed)
}
FAULTS = tuple(FAULT_SITES)


def site_faults(site: Site) -> tuple[str, ...]:
    """The fault names that can happen at ``site``."""
    return tuple(name for name, sites in FAULT_SITES.items() if site in sites)


@dataclass(frozen=True)
class SimOptions:
    """Options of one simulator; the defaults give full-size clips and no faults."""

    host: str = "127.0.0.1"
    port: int = 0
    """0 picks a free port (the chosen one is in ``SimServer.base_url``)."""
    api_key: str = DEFAULT_API_KEY
    gen_seconds: float = 3.0
    """How long each generation stays ``pending`` (progress rises over it)."""
    seed: int = 0
    """Same seed and options give the same request ids, clips, defects and faults."""
    defect_rate: float = 0.0
    """Fraction of clips that get one injected defect (recorded at ``/sim/truth/{id}``)."""
    defect_kinds: tuple[str, ...] = DEFECT_KINDS
    fault_rate: float = 0.0
    """Chance that a request (or a generation) gets a fault, spread evenly over the faults
    that can happen at its site."""
    fault_rates: Mapping[str, float] = field(default_factory=dict)
    """Per-fault rates that replace the even share of ``fault_rate``: ``{"reset": 0.05}``
    everywhere the fault can happen, or ``{"slow@poll": 1.0}`` at one site only."""
    slow_s: float = 2.0
    """Delay added by the ``slow`` fault."""
    retry_after_s: float = 1.0
    """Hint sent with the ``rate_limit`` fault."""
    expired_url_ttl_s: float = 0.0
    """How long a ``url_expire`` job's media URL works after the job is done."""
    url_ttl_s: float = 24 * 3600.0
    """How long every other media URL works (xAI: 24 hours)."""
    legacy_rate: float = 0.0
    """Fraction of jobs answered in the older poll form (no ``status``; 202 while pending)."""
    fps: float = 24.0
    render_scale: float = 1.0
    """Scale factor on the requested frame size (load tests and CI use small clips)."""
    max_short_side: int | None = None
    """Cap on the rendered short side in pixels (applied after ``render_scale``)."""
    render_workers: int = 2
    render_processes: bool = False
    """Render in worker processes instead of threads (frees the server's GIL under load)."""
    clip_cache: Path | None = None
    """Folder that keeps rendered clips between runs; ``None``: a temporary folder."""
    distinct_clips: int | None = None
    """Load-test mode: at most this many distinct clips per (size, duration); every prompt
    is served one of them (its ground truth too)."""
    state_dir: Path | None = None
    """Folder where the simulator keeps its generations (journal, clip cache), so a new
    simulator on the same folder answers the request ids of an earlier one, as xAI's
    servers do after a client restarts; ``None``: forget everything when stopped."""

    def __post_init__(self) -> None:
        known = set(FAULTS) | {f"{n}@{s}" for n, sites in FAULT_SITES.items() for s in sites}
        unknown = set(self.fault_rates) - known
        if unknown:
            raise ValueError(
                f"unknown fault(s) {sorted(unknown)}; known: {', '.join(FAULTS)} "
                "(optionally NAME@SITE, site one of start, poll, media)"
            )
        rates = {"fault_rate": self.fault_rate, "defect_rate": self.defect_rate}
        rates |= {f"fault {k}": v for k, v in self.fault_rates.items()}
        rates["legacy_rate"] = self.legacy_rate
        for name, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if not 0.0 < self.render_scale <= 1.0:
            raise ValueError(f"render_scale must be in (0, 1], got {self.render_scale}")
        if self.gen_seconds < 0 or self.render_workers < 1:
            raise ValueError("gen_seconds must be >= 0 and render_workers >= 1")
        if self.distinct_clips is not None and self.distinct_clips < 1:
            raise ValueError(f"distinct_clips must be >= 1, got {self.distinct_clips}")
        if not self.api_key:
            raise ValueError("the simulator needs a non-empty api_key")

    @property
    def cache_dir(self) -> Path | None:
        """Where rendered clips are kept: ``clip_cache``, else ``state_dir/clips``."""
        if self.clip_cache is not None or self.state_dir is None:
            return self.clip_cache
        return self.state_dir / CLIPS_DIR

    def site_rates(self, site: Site) -> dict[str, float]:
        """The chance of each fault at ``site``; their sum must stay <= 1."""
        names = site_faults(site)
        share = self.fault_rate / len(names)
        rates = self.fault_rates
        return {n: float(rates.get(f"{n}@{site}", rates.get(n, share))) for n in names}


def fast_options(**changes: object) -> SimOptions:
    """Options for tests, demos and benchmarks: tiny clips, near-instant generation.

    64 px short side, 8 fps, 0.05 s generation; override anything by keyword.
    """
    base: dict[str, object] = {
        "gen_seconds": 0.05,
        "max_short_side": 64,
        "fps": 8.0,
        "slow_s": 0.3,
        "retry_after_s": 0.01,
    }
    base.update(changes)
    return SimOptions(**base)  # type: ignore[arg-type]
