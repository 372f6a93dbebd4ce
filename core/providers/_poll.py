"""Reading poll responses (both wire forms) and the poll loop, separate from transport retries.

The loop only decides *when* to ask again and what a final status means; each single poll
already carries its own transport retries (``XaiClient.poll``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.providers._errors import (
    DeadlineExceeded,
    GenerationExpired,
    GenerationFailed,
    ModerationBlocked,
)
from core.providers._ratelimit import Clock, Sleep
from core.providers._types import GenerationState, GenerationStatus

log = logging.getLogger(__name__)

StatusCallback = Callable[[GenerationStatus], None]


@dataclass(frozen=True)
class PollPolicy:
    """How often to poll and for how long."""

    interval_s: float
    """Mean wait between polls."""
    deadline_s: float
    """Give up (``DeadlineExceeded``) when still pending this long after the first poll."""
    jitter_fraction: float = 0.2
    """Each wait is ``interval_s`` times a factor in ``[1 - f, 1 + f]``."""


def parse_status(request_id: str, body: Any) -> GenerationStatus:
    """Normalise a ``GET /v1/videos/{id}`` body into a :class:`GenerationStatus`.

    Handles the current form (``status`` field) and the older one (no ``status``; a
    ``video.url`` means done). Unknown status strings (aggregators' ``queued``/``processing``)
    count as pending, as xai-sdk does.
    """
    body = body if isinstance(body, dict) else {}
    video = body.get("video") if isinstance(body.get("video"), dict) else {}
    state = _state(body.get("status"), video)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    default_progress = 100 if state is GenerationState.DONE else 0
    return GenerationStatus(
        request_id=request_id,
        state=state,
        progress=max(0, min(100, _int(body.get("progress"), default_progress))),
        video_url=str(video.get("url") or "") or None,
        video_duration_s=_float(video.get("duration")),
        respect_moderation=video.get("respect_moderation") is not False,
        cost_usd_ticks=_int(usage.get("cost_in_usd_ticks"), None),
        model=str(body["model"]) if body.get("model") else None,
        error_code=str(error["code"]) if error.get("code") is not None else None,
        error_message=str(error["message"]) if error.get("message") is not None else None,
    )


def _state(raw: Any, video: dict[str, Any]) -> GenerationState:
    if raw is None:
        # Older API form: no status at all; the finished response is just the video object.
        finished = bool(video.get("url")) or video.get("respect_moderation") is False
        return GenerationState.DONE if finished else GenerationState.PENDING
    try:
        return GenerationState(str(raw).lower())
    except ValueError:
        log.warning("unknown generation status %r; treating it as pending", raw)
        return GenerationState.PENDING


def _int(value: Any, default: int | None) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def final_outcome(status: GenerationStatus) -> GenerationStatus:
    """Return a finished status that has a video URL, or raise the typed outcome error."""
    rid = status.request_id
    if status.state is GenerationState.FAILED:
        code = status.error_code or "unknown"
        raise GenerationFailed(rid, code, status.error_message or "no message")
    if status.state is GenerationState.EXPIRED:
        raise GenerationExpired(rid)
    if not status.respect_moderation:
        raise ModerationBlocked(rid, cost_usd_ticks=status.cost_usd_ticks)
    if not status.video_url:
        raise GenerationFailed(rid, "missing_url", "done, but the response has no video URL")
    return status


def poll_wait_s(policy: PollPolicy, rand: Callable[[], float] = random.random) -> float:
    """One jittered wait between polls."""
    factor = 1.0 + policy.jitter_fraction * (2.0 * rand() - 1.0)
    return max(0.0, policy.interval_s * factor)


async def wait_until_done(
    poll: Callable[[str], Awaitable[GenerationStatus]],
    request_id: str,
    policy: PollPolicy,
    *,
    sleep: Sleep,
    clock: Clock,
    rand: Callable[[], float] = random.random,
    on_status: StatusCallback | None = None,
) -> GenerationStatus:
    """Poll until the generation leaves ``pending``; return it or raise its typed outcome.

    The last wait is shortened to end exactly at the deadline and a final poll is made then,
    so a generation that finishes just in time is not lost.
    """
    started = clock()
    while True:
        status = await poll(request_id)
        if on_status is not None:
            on_status(status)
        if status.state is not GenerationState.PENDING:
            return final_outcome(status)
        remaining_s = policy.deadline_s - (clock() - started)
        if remaining_s <= 0:
            raise DeadlineExceeded(request_id, policy.deadline_s)
        await sleep(min(remaining_s, poll_wait_s(policy, rand)))
