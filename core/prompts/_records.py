"""The records the prompt importer produces: prompts, issues and the import result."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from core import spec
from core.config import Settings
from core.providers import GenerationRequest

MAX_REPEAT = 100
"""More samples of one prompt than this is almost surely a typo (and a large bill)."""


@dataclass(frozen=True)
class PromptDefaults:
    """Parameters a prompt gets when its row does not name them (the settings' defaults).

    Raises
    ------
    ValueError
        ``repeat`` is outside 1 to :data:`MAX_REPEAT`.
    """

    model: str = spec.DEFAULT_MODEL
    duration_s: int = spec.DEFAULT_DURATION_S
    aspect_ratio: str = spec.DEFAULT_ASPECT_RATIO
    resolution: str = spec.DEFAULT_RESOLUTION
    repeat: int = 1
    """Samples (jobs) per prompt for rows that do not set their own ``repeat``."""

    def __post_init__(self) -> None:
        if not 1 <= self.repeat <= MAX_REPEAT:
            raise ValueError(f"repeat: {self.repeat} is out of range (1-{MAX_REPEAT})")

    @classmethod
    def from_settings(cls, settings: Settings) -> PromptDefaults:
        """The defaults the user configured (``TC_MODEL``, ``TC_DURATION``, ...)."""
        return cls(settings.model, settings.duration_s, settings.aspect_ratio, settings.resolution)


@dataclass(frozen=True)
class Prompt:
    """One validated prompt row, ready to enqueue (``repeat`` jobs are made from it)."""

    text: str
    model: str = spec.DEFAULT_MODEL
    duration_s: int = spec.DEFAULT_DURATION_S
    aspect_ratio: str = spec.DEFAULT_ASPECT_RATIO
    resolution: str = spec.DEFAULT_RESOLUTION
    repeat: int = 1
    """How many samples (jobs) of this prompt to generate."""
    tags: tuple[str, ...] = ()
    category: str | None = None
    """What the prompt stresses (a library category id), when known."""
    defect: str | None = None
    """The defect the prompt tends to provoke, when known."""
    source: str = ""
    """Where it came from, ``path:line`` (or ``<pasted>:line``), for messages."""

    def request(self) -> GenerationRequest:
        """The provider request for one sample of this prompt."""
        return GenerationRequest(
            prompt=self.text,
            model=self.model,
            duration_s=self.duration_s,
            aspect_ratio=self.aspect_ratio,
            resolution=self.resolution,
        )

    def estimated_cost_usd(self) -> float:
        """Estimated price of one sample, before it is submitted."""
        return spec.estimate_cost_usd(self.model, self.resolution, self.duration_s)

    def identity(self) -> tuple[str, str, int, str, str]:
        """What makes two rows duplicates: the same text with the same parameters."""
        return (self.text, self.model, self.duration_s, self.aspect_ratio, self.resolution)


class Severity(enum.StrEnum):
    """How bad an import issue is."""

    ERROR = "error"
    """The row (or file) was not imported."""
    WARNING = "warning"
    """The row was imported, or skipped on purpose (a duplicate); worth a look."""


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in the input, tied to a place the user can go and fix.

    ``line`` is 1-based; 0 means the whole file (unreadable, binary, no header).
    """

    path: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


@dataclass
class ImportResult:
    """Valid prompts and every issue found, reported all at once."""

    prompts: list[Prompt] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[ImportIssue]:
        """Issues that kept a row or file out."""
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[ImportIssue]:
        """Issues that did not keep anything out, or skipped a duplicate."""
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def job_count(self) -> int:
        """How many jobs enqueuing these prompts makes (``repeat`` counted)."""
        return sum(p.repeat for p in self.prompts)

    def estimated_cost_usd(self) -> float:
        """Estimated price of every job these prompts make."""
        return sum(p.estimated_cost_usd() * p.repeat for p in self.prompts)

    def extend(self, other: ImportResult) -> None:
        """Append another result's prompts and issues (several files, one import)."""
        self.prompts.extend(other.prompts)
        self.issues.extend(other.issues)
