"""The generation lifecycle of the simulator: accept, "generate" (progress), render, finish.

A job's fate (done, failed, expired, moderated, short-lived URL), its request id and its
clip are decided when the start is accepted, from the seed and the prompt, so a run is
reproducible. The clip renders in the background while the job reports ``pending``; the job
reports ``done`` once both its generation time has passed and its clip exists.

Times are wall-clock (``time.time``), so a journaled job (:mod:`core.sim.journal`) reloaded
by a later simulator is done once its generation time has passed, as on xAI's servers.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import spec as wire
from core.sim.faults import FaultInjector, rng_for
from core.sim.journal import Journal
from core.sim.options import SimOptions, Site
from core.sim.render import ClipRenderer, RenderedClip, clip_spec_for
from core.synth import ClipSpec, GroundTruth

log = logging.getLogger(__name__)


class JobFate(enum.StrEnum):
    """How a simulated generation ends."""

    DONE = "done"
    """A video with a URL."""
    FAILED = "failed"
    """``status: failed`` with ``error.code`` ``internal_error``."""
    EXPIRED = "expired"
    """``status: expired``."""
    MODERATED = "moderated"
    """``status: done`` with ``respect_moderation: false`` and an empty URL (billed)."""


_FAULT_FATES = {
    "gen_failed": JobFate.FAILED,
    "gen_expired": JobFate.EXPIRED,
    "moderation": JobFate.MODERATED,
}


@dataclass
class SimJob:
    """One accepted generation."""

    request_id: str
    params: dict[str, Any]
    fate: JobFate
    created_s: float
    """When the start was accepted (wall-clock seconds, ``time.time``)."""
    ready_s: float
    """When the generation time is over (wall-clock seconds)."""
    url_ttl_s: float
    legacy: bool = False
    """Answer polls in the older form (no ``status``; HTTP 202 while pending)."""
    spec: ClipSpec | None = None
    clip: RenderedClip | None = None
    render_error: str | None = None

    def to_record(self) -> dict[str, Any]:
        """The journal record of this job (everything a later simulator needs to answer)."""
        spec = self.spec
        return {
            "type": "accepted",
            "request_id": self.request_id,
            "params": self.params,
            "fate": str(self.fate),
            "created_at_s": self.created_s,
            "ready_at_s": self.ready_s,
            "url_ttl_s": self.url_ttl_s,
            "legacy": self.legacy,
            "truth": None if spec is None else GroundTruth(spec, spec.defects).to_json(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> SimJob:
        """Rebuild a job from :meth:`to_record` output (its clip renders again on demand)."""
        truth = record["truth"]
        return cls(
            request_id=str(record["request_id"]),
            params=dict(record["params"]),
            fate=JobFate(record["fate"]),
            created_s=float(record["created_at_s"]),
            ready_s=float(record["ready_at_s"]),
            url_ttl_s=float(record["url_ttl_s"]),
            legacy=bool(record["legacy"]),
            spec=None if truth is None else GroundTruth.from_json(truth).clip,
        )

    def state(self, now_s: float) -> str:
        """``pending`` or the wire status (``done``, ``failed``, ``expired``)."""
        waiting_clip = self.fate is JobFate.DONE and self.clip is None and not self.render_error
        if now_s < self.ready_s or waiting_clip:
            return "pending"
        if self.render_error or self.fate is JobFate.FAILED:
            return "failed"
        return "expired" if self.fate is JobFate.EXPIRED else "done"

    def cost_ticks(self) -> int:
        """What this generation is billed, in USD ticks (1e10 per USD)."""
        p = self.params
        usd = wire.estimate_cost_usd(p["model"], p["resolution"], p["duration"])
        return round(usd * wire.USD_TICKS)

    def media_expired(self, now_s: float) -> bool:
        """True once the media URL no longer works."""
        return now_s > self.ready_s + self.url_ttl_s

    def poll_body(self, now_s: float, media_url: str) -> tuple[int, dict[str, Any]]:
        """The HTTP status and JSON body of ``GET /v1/videos/{id}`` right now."""
        state = self.state(now_s)
        if state == "pending":
            return self._pending_body(now_s)
        if state == "failed":
            message = self.render_error or "simulated generation failure"
            video = {"duration": 0, "respect_moderation": True}
            error = {"code": "internal_error", "message": message}
            return 200, {
                "status": "failed",
                "progress": 0,
                "video": video,
                "model": "",
                "error": error,
            }
        if state == "expired":
            return 200, {"status": "expired", "progress": 0, "model": self.params["model"]}
        return 200, self._done_body(media_url)

    def _pending_body(self, now_s: float) -> tuple[int, dict[str, Any]]:
        span_s = self.ready_s - self.created_s
        progress = 99 if span_s <= 0 else min(99, int(100 * (now_s - self.created_s) / span_s))
        if self.legacy:
            return 202, {"request_id": self.request_id}
        return 200, {"status": "pending", "progress": progress, "model": self.params["model"]}

    def _done_body(self, media_url: str) -> dict[str, Any]:
        moderated = self.fate is JobFate.MODERATED
        video = {
            "url": "" if moderated else media_url,
            "duration": self.params["duration"],
            "respect_moderation": not moderated,
        }
        if self.legacy:
            return {"video": video, "model": self.params["model"]}
        usage = {"cost_in_usd_ticks": self.cost_ticks()}
        return {
            "status": "done",
            "progress": 100,
            "video": video,
            "model": self.params["model"],
            "usage": usage,
        }


@dataclass
class JobBook:
    """All jobs of one simulator, with the counters that prove nothing was paid twice."""

    options: SimOptions
    renderer: ClipRenderer
    faults: FaultInjector
    journal: Journal | None = None
    """Where accepted jobs are written before they are answered (``None``: memory only)."""
    clock: Callable[[], float] = time.time
    jobs: dict[str, SimJob] = field(default_factory=dict)
    accepted_by_prompt: Counter[str] = field(default_factory=Counter)
    restored: int = 0
    """Jobs reloaded from the journal of earlier sessions."""
    _renders: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        """Generations accepted (and billed)."""
        return len(self.jobs)

    def accept(self, params: dict[str, Any]) -> SimJob:
        """Create the job for a validated start request, journal it, begin rendering its clip.

        Raises ``OSError`` when the journal cannot be written: the start is then not
        accepted (the server answers 500, which clients may safely retry).
        """
        prompt = params["prompt"]
        key = f"{prompt}#{self.accepted_by_prompt[prompt]}"
        job_rng = rng_for(self.options.seed, "job", key)
        fault = self.faults.decide(Site.JOB, key).fault
        now_s = self.clock()
        job = SimJob(
            request_id=str(uuid.UUID(int=job_rng.getrandbits(128), version=4)),
            params=params,
            fate=_FAULT_FATES.get(fault or "", JobFate.DONE),
            created_s=now_s,
            ready_s=now_s + self.options.gen_seconds,
            url_ttl_s=self.options.expired_url_ttl_s
            if fault == "url_expire"
            else self.options.url_ttl_s,
            legacy=job_rng.random() < self.options.legacy_rate,
        )
        if job.fate is JobFate.DONE:
            job.spec = clip_spec_for(self.options, prompt, params, job_rng)
        if self.journal is not None:
            self.journal.append(job.to_record())
        self._add(job)
        self.ensure_render(job)
        return job

    def restore(self, records: list[dict[str, Any]]) -> None:
        """Take back the jobs of earlier sessions (``Journal.open()``); clips render lazily.

        Raises ``ValueError`` naming the request id of a record that cannot be read.
        """
        for record in records:
            try:
                job = SimJob.from_record(record)
            except (KeyError, TypeError, ValueError) as err:
                name = record.get("request_id", "?")
                raise ValueError(f"journal record {name}: {type(err).__name__}: {err}") from None
            self._add(job)
            self.restored += 1

    def _add(self, job: SimJob) -> None:
        self.jobs[job.request_id] = job
        self.accepted_by_prompt[job.params["prompt"]] += 1

    def ensure_render(self, job: SimJob) -> asyncio.Task[None] | None:
        """The task rendering ``job``'s clip, started when the clip is missing (a job
        reloaded from the journal renders, or loads from the clip cache, on first use);
        ``None`` when there is nothing to render."""
        if job.spec is None or job.clip is not None or job.render_error:
            return None
        task = self._renders.get(job.request_id)
        if task is None:
            task = asyncio.create_task(self._render(job))
            self._renders[job.request_id] = task
            task.add_done_callback(lambda _t: self._renders.pop(job.request_id, None))
        return task

    async def _render(self, job: SimJob) -> None:
        assert job.spec is not None
        try:
            job.clip = await self.renderer.render(job.spec)
        except Exception as err:  # a failed render becomes a failed job, not a dead server
            log.exception("rendering %s failed", job.request_id)
            job.render_error = f"render failed: {err}"

    def duplicate_prompts(self) -> int:
        """Prompts accepted more than once (what a client that paid twice would cause)."""
        return sum(1 for count in self.accepted_by_prompt.values() if count > 1)

    def counts_by_state(self) -> dict[str, int]:
        """How many jobs are in each wire state now."""
        now_s = self.clock()
        return dict(Counter(job.state(now_s) for job in self.jobs.values()))

    async def close(self) -> None:
        """Cancel renders still running."""
        tasks = list(self._renders.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
