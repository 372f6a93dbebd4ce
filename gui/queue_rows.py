"""What one queue row shows: display strings computed once per change, never in ``data()``.

Qt-free and pure so it can be tested as a table. A row is rebuilt when its job changes in
the store or a progress event arrives for it; the model then only indexes into ``cells``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.store import Job, JobState, SortKey

MB = 1_000_000
PROMPT_CHARS = 160


@dataclass(frozen=True)
class Column:
    """A table column: its header and the store sort key behind it (``None``: unsortable)."""

    title: str
    sort: SortKey | None
    width_px: int


COLUMNS = (
    Column("#", SortKey.SEQ, 56),
    Column("Prompt", None, 300),
    Column("Category", None, 90),
    Column("State", SortKey.STATE, 90),
    Column("Generation", None, 80),
    Column("Download", None, 120),
    Column("Defects", SortKey.SCORE, 110),
    Column("Cost", SortKey.COST, 62),
    Column("Error", None, 200),
)
SEQ, PROMPT, CATEGORY, STATE, GENERATION, DOWNLOAD, DEFECTS, COST, ERROR = range(len(COLUMNS))


@dataclass(frozen=True, slots=True)
class Progress:
    """The latest progress event of a job: ``phase`` is generating|downloading|analysing."""

    phase: str
    done: int
    total: int | None

    @property
    def percent(self) -> int | None:
        """0-100, or ``None`` when the total is unknown."""
        if not self.total:
            return None
        return max(0, min(100, round(100 * self.done / self.total)))


@dataclass(frozen=True, slots=True)
class Row:
    """Everything the model serves for one job."""

    job_id: str
    state: JobState
    cells: tuple[str, ...]
    tooltip: str
    download_percent: int
    """-1 when no bar is drawn (nothing downloading or downloaded)."""
    clip_path: str | None
    report_dir: str | None
    prompt: str


_STATE_TEXT = {JobState.START_UNKNOWN: "start unknown?"}


def generation_text(job: Job, progress: Progress | None) -> str:
    """The Generation column: the provider's percent while generating, else a short word."""
    if job.state is JobState.GENERATING:
        if progress is not None and progress.phase == "generating":
            return f"{progress.percent or 0}%"
        return "waiting"
    if job.state in (JobState.QUEUED, JobState.SUBMITTING, JobState.START_UNKNOWN):
        return ""
    return "100%" if job.request_id else ""


def download_state(job: Job, progress: Progress | None) -> tuple[int, str]:
    """(percent for the bar or -1, its text) for the Download column."""
    if job.state is JobState.DOWNLOADING:
        if progress is None or progress.phase != "downloading":
            return 0, "starting…"
        done_mb = progress.done / MB
        if progress.total:
            return progress.percent or 0, f"{done_mb:.1f} / {progress.total / MB:.1f} MB"
        return 0, f"{done_mb:.1f} MB"
    if job.clip_path:
        return 100, "done"
    return -1, ""


def defects_text(job: Job, progress: Progress | None) -> str:
    """``0.72 warping`` once analysed; the analysis percent while analysing."""
    if job.state is JobState.ANALYSING:
        pct = progress.percent if progress is not None and progress.phase == "analysing" else 0
        return f"analysing {pct or 0}%"
    if job.score_overall is None:
        return ""
    return f"{job.score_overall:.2f} {job.worst_defect or ''}".strip()


def cost_text(job: Job) -> str:
    """Actual cost when the provider reported it, else ``~estimate``."""
    if job.cost_usd is not None:
        return f"${job.cost_usd:.2f}"
    return f"~${job.cost_estimate_usd:.2f}"


def build_row(job: Job, progress: Progress | None = None) -> Row:
    """Compute every display string of a job's row."""
    percent, download = download_state(job, progress)
    prompt = job.prompt if len(job.prompt) <= PROMPT_CHARS else job.prompt[:PROMPT_CHARS] + "…"
    sample = f" #{job.sample + 1}" if job.sample else ""
    cells = (
        f"{job.seq}{sample}",
        prompt.replace("\n", " "),
        job.category or "",
        _STATE_TEXT.get(job.state, str(job.state)),
        generation_text(job, progress),
        download,
        defects_text(job, progress),
        cost_text(job),
        (job.error or "").splitlines()[0] if job.error else "",
    )
    tooltip = f"{job.prompt}\n\n{job.model}, {job.duration_s} s, {job.aspect_ratio}, "
    tooltip += f"{job.resolution} · job {job.id}"
    if job.error:
        tooltip += f"\n\n{job.error_kind or 'error'}: {job.error}"
    return Row(
        job.id, job.state, cells, tooltip, percent, job.clip_path, job.report_dir, job.prompt
    )
