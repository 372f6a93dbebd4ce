"""Poll bodies in both wire forms normalise to one status; final statuses map to outcomes."""

from __future__ import annotations

import pytest

from core.providers import (
    DeadlineExceeded,
    GenerationExpired,
    GenerationFailed,
    GenerationState,
    GenerationStatus,
    ModerationBlocked,
    PollPolicy,
)
from core.providers._poll import final_outcome, parse_status, poll_wait_s, wait_until_done
from tests.providers.conftest import FakeTime

URL = "https://vidgen.x.ai/xai-vidgen-bucket/xai-video-1.mp4"
DONE = {
    "status": "done",
    "progress": 100,
    "model": "grok-imagine-video",
    "video": {"url": URL, "duration": 6, "respect_moderation": True},
    "usage": {"cost_in_usd_ticks": 3_000_000_000},
}


@pytest.mark.parametrize(
    ("body", "state", "progress", "url"),
    [
        ({"status": "pending", "progress": 42}, GenerationState.PENDING, 42, None),
        (DONE, GenerationState.DONE, 100, URL),
        # Older form: no status; the finished response is just the video object.
        ({"video": {"url": URL, "duration": 6}, "model": "m"}, GenerationState.DONE, 100, URL),
        ({"request_id": "r"}, GenerationState.PENDING, 0, None),  # older pending (HTTP 202)
        ({}, GenerationState.PENDING, 0, None),
        (None, GenerationState.PENDING, 0, None),
        ({"status": "queued"}, GenerationState.PENDING, 0, None),  # aggregators' states
        ({"status": "PROCESSING", "progress": 5}, GenerationState.PENDING, 5, None),
        ({"status": "failed", "progress": 0}, GenerationState.FAILED, 0, None),
        ({"status": "expired"}, GenerationState.EXPIRED, 0, None),
        ({"status": "pending", "progress": 250}, GenerationState.PENDING, 100, None),
        ({"status": "pending", "progress": "n/a"}, GenerationState.PENDING, 0, None),
        (
            {"video": {"url": "", "respect_moderation": False}},
            GenerationState.DONE,
            100,
            None,
        ),
    ],
)
def test_parse_status_forms(body, state, progress, url):
    status = parse_status("rid", body)
    assert (status.state, status.progress, status.video_url) == (state, progress, url)


def test_parse_status_reads_cost_model_duration_and_error():
    status = parse_status("rid", DONE)
    assert status.cost_usd_ticks == 3_000_000_000
    assert status.cost_usd == pytest.approx(0.30)
    assert (status.model, status.video_duration_s) == ("grok-imagine-video", 6.0)
    failed = parse_status(
        "rid", {"status": "failed", "error": {"code": "internal_error", "message": "boom"}}
    )
    assert (failed.error_code, failed.error_message) == ("internal_error", "boom")
    assert parse_status("rid", {"status": "pending"}).cost_usd is None


@pytest.mark.parametrize(
    ("body", "error_type", "text"),
    [
        (
            {"status": "failed", "error": {"code": "internal_error", "message": "boom"}},
            GenerationFailed,
            "internal_error: boom",
        ),
        ({"status": "failed"}, GenerationFailed, "unknown: no message"),
        ({"status": "expired"}, GenerationExpired, "expired"),
        (
            {"status": "done", "video": {"url": "", "respect_moderation": False}},
            ModerationBlocked,
            "moderation",
        ),
        ({"status": "done", "video": {"url": ""}}, GenerationFailed, "missing_url"),
    ],
)
def test_final_outcome_raises_typed_errors(body, error_type, text):
    with pytest.raises(error_type, match=text) as info:
        final_outcome(parse_status("rid-9", body))
    assert info.value.request_id == "rid-9"


def test_moderation_keeps_the_billed_cost():
    body = {
        "status": "done",
        "video": {"url": "", "respect_moderation": False},
        "usage": {"cost_in_usd_ticks": 5},
    }
    with pytest.raises(ModerationBlocked) as info:
        final_outcome(parse_status("rid", body))
    assert info.value.cost_usd_ticks == 5


def test_final_outcome_passes_a_done_status_through():
    status = parse_status("rid", DONE)
    assert final_outcome(status) is status


@pytest.mark.parametrize(("rand", "expected_s"), [(0.0, 4.0), (0.5, 5.0), (1.0, 6.0)])
def test_poll_wait_is_jittered_around_the_interval(rand, expected_s):
    policy = PollPolicy(interval_s=5.0, deadline_s=60.0, jitter_fraction=0.2)
    assert poll_wait_s(policy, lambda: rand) == pytest.approx(expected_s)


async def test_wait_polls_until_done_and_reports_every_status():
    bodies = iter([{"status": "pending", "progress": p} for p in (0, 30, 60)] + [DONE])
    seen: list[GenerationStatus] = []
    fake = FakeTime()

    async def poll(request_id: str) -> GenerationStatus:
        return parse_status(request_id, next(bodies))

    policy = PollPolicy(interval_s=5.0, deadline_s=600.0)
    status = await wait_until_done(
        poll, "rid", policy, sleep=fake.sleep, clock=fake.clock, on_status=seen.append
    )
    assert status.video_url == URL
    assert [s.progress for s in seen] == [0, 30, 60, 100]
    assert len(fake.sleeps) == 3
    assert all(4.0 <= s <= 6.0 for s in fake.sleeps)


async def test_wait_gives_up_at_the_deadline_after_a_last_poll():
    fake = FakeTime()
    polls: list[float] = []

    async def poll(request_id: str) -> GenerationStatus:
        polls.append(fake.now_s)
        return parse_status(request_id, {"status": "pending"})

    policy = PollPolicy(interval_s=5.0, deadline_s=12.0, jitter_fraction=0.0)
    with pytest.raises(DeadlineExceeded, match="still pending after 12 s") as info:
        await wait_until_done(poll, "rid", policy, sleep=fake.sleep, clock=fake.clock)
    assert polls == [0.0, 5.0, 10.0, 12.0]  # the last wait is cut to end at the deadline
    assert info.value.deadline_s == 12.0
