"""What the runner does about an error: retry after a backoff, fail the job, or pause the run.

Small pure functions, tested as a table. The provider client already retried the single
HTTP call (transport retries, Retry-After); these decide about the *job*: another attempt
after an exponential, jittered backoff, up to :attr:`RetryPolicy.max_attempts`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from core.batch.events import PauseReason
from core.providers import (
    APIConnectionError,
    AuthError,
    DeadlineExceeded,
    DownloadError,
    GenerationExpired,
    GenerationFailed,
    InvalidRequest,
    MissingApiKey,
    ProviderError,
    RateLimited,
    ServerError,
)
from core.store import FailReason


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per job step and the backoff between them."""

    max_attempts: int = 5
    """Tries of one step (start, poll, download) before the job fails."""
    base_delay_s: float = 2.0
    """Backoff ceiling after the first failure; doubles with each further one."""
    max_delay_s: float = 300.0
    """Cap on the backoff ceiling."""

    def delay_s(
        self, attempt: int, hint_s: float | None = None, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        Equal jitter (half fixed, half random) keeps workers from retrying in lockstep; a
        server hint (Retry-After) is a floor.
        """
        ceiling_s = min(self.max_delay_s, self.base_delay_s * 2.0 ** max(0, attempt - 1))
        return max(ceiling_s * (0.5 + 0.5 * rand()), hint_s or 0.0)


@dataclass(frozen=True)
class Verdict:
    """How to treat one error."""

    reason: FailReason
    retry: bool
    """Another attempt may succeed."""
    pause: PauseReason | None = None
    """Pause the whole run (the job goes back untouched, no attempt counted)."""


def classify(err: ProviderError) -> Verdict:
    """The verdict for a provider error (``StartOutcomeUnknown`` is handled before this)."""
    for kind, verdict in _TABLE:
        if isinstance(err, kind):
            return verdict
    # An error type added to the provider later: assume trying again is safe, not useful.
    return Verdict(FailReason.CONNECTION, retry=False)


_TABLE: tuple[tuple[type[ProviderError], Verdict], ...] = (
    # A bad key fails every job the same way: stop spending attempts and ask the user.
    (AuthError, Verdict(FailReason.AUTH, retry=True, pause=PauseReason.AUTH)),
    (MissingApiKey, Verdict(FailReason.AUTH, retry=True, pause=PauseReason.AUTH)),
    # The request itself is wrong (or the provider does not know the request id).
    (InvalidRequest, Verdict(FailReason.INVALID_REQUEST, retry=False)),
    (RateLimited, Verdict(FailReason.RATE_LIMITED, retry=True)),
    (ServerError, Verdict(FailReason.SERVER_ERROR, retry=True)),
    (APIConnectionError, Verdict(FailReason.CONNECTION, retry=True)),
    # Outcomes of a generation: a new one would be charged again, so only the user retries.
    (GenerationFailed, Verdict(FailReason.GENERATION_FAILED, retry=False)),
    (GenerationExpired, Verdict(FailReason.EXPIRED, retry=False)),
    (DeadlineExceeded, Verdict(FailReason.DEADLINE, retry=False)),
    # A download retry polls again for a (fresh) URL first: free.
    (DownloadError, Verdict(FailReason.DOWNLOAD, retry=True)),
)


def hint_s(err: ProviderError) -> float | None:
    """The server's Retry-After hint carried by an error, if any."""
    return err.retry_after_s if isinstance(err, RateLimited) else None
