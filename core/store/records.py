"""Rows of the job store as typed, frozen records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.providers import GenerationRequest
from core.store.schema import JOB_COLUMNS
from core.store.states import JobState

TAG_SEPARATOR = ";"


@dataclass(frozen=True, slots=True)
class Job:
    """One job: a prompt sample, its parameters, where it is, and what it produced."""

    id: str
    seq: int
    prompt: str
    model: str
    duration_s: int
    aspect_ratio: str
    resolution: str
    sample: int
    tags: tuple[str, ...]
    category: str | None
    defect: str | None
    source: str
    state: JobState
    attempts: int
    """Tries of the current step (start, poll, download, analysis); reset when it advances."""
    next_at: float
    """Epoch seconds before which no worker takes the job (backoff)."""
    request_id: str | None
    created_at: float
    updated_at: float
    submitted_at: float | None
    finished_at: float | None
    cost_estimate_usd: float
    cost_usd: float | None
    """The provider's figure (usage ticks) once known, else ``None``."""
    prior_cost_usd: float
    """What earlier starts of this job may have cost (a re-sent or re-tried job)."""
    clip_path: str | None
    """Relative to the run directory: ``clips/<id>.mp4``."""
    error_kind: str | None
    error: str | None
    resend_allowed: bool
    score_overall: float | None
    score_warping: float | None
    score_melting: float | None
    score_flicker: float | None
    score_physics: float | None
    score_realism: float | None
    worst_defect: str | None
    report_dir: str | None
    rev: int
    """The store revision of the job's last change (for incremental refresh)."""

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Job:
        """Build from a row selected as :data:`~core.store.schema.JOB_COLUMNS`."""
        values = dict(zip(JOB_COLUMNS, row, strict=True))
        values["state"] = JobState(values["state"])
        values["tags"] = tuple(t for t in values["tags"].split(TAG_SEPARATOR) if t)
        values["resend_allowed"] = bool(values["resend_allowed"])
        return cls(**values)

    def request(self) -> GenerationRequest:
        """The provider request for this job."""
        return GenerationRequest(
            prompt=self.prompt,
            model=self.model,
            duration_s=self.duration_s,
            aspect_ratio=self.aspect_ratio,
            resolution=self.resolution,
        )

    @property
    def cost_for_budget_usd(self) -> float:
        """The current start's actual cost when known, else its estimate."""
        return self.cost_estimate_usd if self.cost_usd is None else self.cost_usd


@dataclass(frozen=True)
class Scores:
    """The analysis summary stored with a job (scores in [0, 1], higher = worse)."""

    overall: float
    warping: float
    melting: float
    flicker: float
    physics: float
    realism: float
    worst_defect: str
    report_dir: str
    """Relative to the run directory: ``analysis/<id>``."""

    def columns(self) -> dict[str, Any]:
        """The job-table columns these scores fill."""
        return {
            "score_overall": self.overall,
            "score_warping": self.warping,
            "score_melting": self.melting,
            "score_flicker": self.flicker,
            "score_physics": self.physics,
            "score_realism": self.realism,
            "worst_defect": self.worst_defect,
            "report_dir": self.report_dir,
        }


@dataclass(frozen=True)
class Spend:
    """Money a run may have spent so far (what the budget counts)."""

    actual_usd: float
    """Priced by the provider (usage ticks) for the jobs' current starts."""
    estimated_usd: float
    """Estimates for current starts that may have cost money and are not priced yet."""
    prior_usd: float = 0.0
    """Earlier starts of re-tried or re-sent jobs (priced or estimated)."""

    @property
    def total_usd(self) -> float:
        """Everything: actual, outstanding estimates and earlier starts."""
        return self.actual_usd + self.estimated_usd + self.prior_usd


@dataclass(frozen=True)
class Changes:
    """Jobs changed since a revision, for incremental GUI refresh."""

    rev: int
    """The store's revision now; pass it to the next ``changes_since`` call."""
    job_ids: list[str]
    overflow: bool
    """More changed than the limit: reload everything instead."""
