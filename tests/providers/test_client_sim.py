"""The client against the simulator over real loopback HTTP: outcomes, retries, attempts.

Attempts are read from the server's own counters (``/sim/stats``), so "retried N times" and
"nothing paid twice" are facts about what reached the server, not about client internals.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from core.media import probe
from core.providers import (
    APIConnectionError,
    AuthError,
    ClientOptions,
    DeadlineExceeded,
    DownloadError,
    GenerationExpired,
    GenerationFailed,
    GenerationRequest,
    GenerationState,
    InvalidRequest,
    ModerationBlocked,
    PollPolicy,
    RateLimited,
    ServerError,
    StartOutcomeUnknown,
    XaiClient,
)
from core.providers._constants import INITIAL_RETRY_DELAY_S, MAX_RETRIES, MAX_RETRY_DELAY_S
from core.spec import USD_TICKS, estimate_cost_usd
from tests.providers.conftest import FakeTime

START = "POST /v1/videos/generations"
POLL = "GET /v1/videos/{request_id}"
MEDIA = "GET /media/{request_id}.mp4"


def _request(prompt: str = "a red ball rolls", **kwargs: object) -> GenerationRequest:
    return GenerationRequest(prompt, duration_s=1, **kwargs)  # type: ignore[arg-type]


async def test_generate_downloads_a_verified_clip_with_progress_and_cost(
    make_sim, make_client, tmp_path
):
    sim = await make_sim()
    client = make_client(sim)
    statuses, byte_steps = [], []
    result = await client.generate(
        _request(aspect_ratio="9:16"),
        tmp_path / "job-1.mp4",
        on_status=statuses.append,
        progress=lambda done, total: byte_steps.append((done, total)),
    )
    assert result.path == tmp_path / "job-1.mp4"
    info = probe(result.path)
    assert (info.codec, info.pix_fmt, info.has_audio) == ("h264", "yuv420p", True)
    assert info.height > info.width  # 9:16, scaled down by fast_options
    assert statuses[0].state is GenerationState.PENDING
    assert statuses[-1].state is GenerationState.DONE and statuses[-1].progress == 100
    progress = [s.progress for s in statuses]
    assert progress == sorted(progress)
    expected_ticks = round(estimate_cost_usd("grok-imagine-video", "480p", 1) * USD_TICKS)
    assert result.status.cost_usd_ticks == expected_ticks
    assert byte_steps[-1] == (result.path.stat().st_size, result.path.stat().st_size)
    assert not list(tmp_path.glob("*.part"))
    assert sim.stats()["requests"][START] == 1


@pytest.mark.parametrize(
    ("request_kwargs", "status", "field"),
    [
        ({"duration_s": 20}, 400, "duration"),
        ({"aspect_ratio": "5:4"}, 400, "aspect_ratio"),
        ({"resolution": "1080p"}, 400, "resolution"),
        ({"model": "grok-imagine-nope"}, 404, "grok-imagine-nope"),
    ],
)
async def test_invalid_requests_are_not_retried_and_name_the_field(
    make_sim, make_client, request_kwargs, status, field
):
    sim = await make_sim()
    client = make_client(sim)
    prompt = request_kwargs.pop("prompt", "x")
    request = GenerationRequest(prompt, **{"duration_s": 1, **request_kwargs})
    with pytest.raises(InvalidRequest, match=field) as info:
        await client.start(request)
    assert info.value.status_code == status
    assert sim.stats()["requests"][START] == 1
    assert sim.stats()["accepted"] == 0


async def test_wrong_key_is_an_auth_error_without_the_key(make_sim, make_client):
    sim = await make_sim()
    wrong = "xai-WRONGkey0123456789abcdefXYZ"
    client = make_client(sim, api_key=wrong)
    with pytest.raises(AuthError) as info:
        await client.start(_request())
    assert info.value.status_code == 400
    assert "Incorrect API key" in str(info.value)
    assert wrong not in str(info.value) and wrong not in repr(info.value)
    assert sim.stats()["requests"][START] == 1  # never retried


async def test_rate_limit_honours_retry_after_then_gives_up(make_sim, make_client):
    sim = await make_sim(fault_rates={"rate_limit": 1.0}, retry_after_s=2.5)
    client = make_client(sim)
    with pytest.raises(RateLimited) as info:
        await client.start(_request())
    assert info.value.retry_after_s == 2.5
    assert client.test_sleep.delays_s == [2.5] * MAX_RETRIES
    stats = sim.stats()
    assert stats["requests"][START] == MAX_RETRIES + 1
    assert stats["accepted"] == 0


async def test_rate_limit_hint_over_two_minutes_ends_retries_at_once(make_sim, make_client):
    sim = await make_sim(fault_rates={"rate_limit": 1.0}, retry_after_s=300.0)
    client = make_client(sim)
    with pytest.raises(RateLimited) as info:
        await client.start(_request())
    assert info.value.retry_after_s == 300.0  # the batch layer can defer the job by this
    assert client.test_sleep.delays_s == []
    assert sim.stats()["requests"][START] == 1


async def test_rate_limit_without_hint_backs_off_within_bounds(make_sim, make_client):
    sim = await make_sim(fault_rates={"rate_limit_bare": 1.0})
    client = make_client(sim)
    with pytest.raises(RateLimited) as info:
        await client.start(_request())
    assert info.value.retry_after_s is None
    delays = client.test_sleep.delays_s
    assert len(delays) == MAX_RETRIES
    for attempt, delay_s in enumerate(delays):
        assert 0.0 <= delay_s <= min(MAX_RETRY_DELAY_S, INITIAL_RETRY_DELAY_S * 2**attempt)


async def test_server_errors_are_retried_then_raised(make_sim, make_client):
    sim = await make_sim(fault_rates={"server_error": 1.0})
    client = make_client(sim)
    with pytest.raises(ServerError) as info:
        await client.start(_request())
    assert info.value.status_code in (500, 502, 503)
    assert "Simulated server error" in info.value.server_message  # nested body shape
    assert sim.stats()["requests"][START] == MAX_RETRIES + 1


async def test_transient_faults_cost_exactly_one_attempt_each(make_sim, make_client, tmp_path):
    sim = await make_sim(
        seed=11, fault_rates={"rate_limit@start": 0.3, "server_error@poll": 0.3, "reset": 0.2}
    )
    client = make_client(sim)
    results = await asyncio.gather(
        *(client.generate(_request(f"prompt {i}"), tmp_path / f"{i}.mp4") for i in range(6))
    )
    assert all(r.path.is_file() for r in results)
    stats = sim.stats()
    faults = stats["faults"]
    assert faults["rate_limit"] >= 1 and faults["server_error"] >= 1 and faults["reset"] >= 1
    assert stats["requests"][START] == 6 + faults["rate_limit"]
    assert stats["accepted"] == 6 and stats["duplicate_prompts"] == 0
    assert stats["responses"]["dropped"] == faults["reset"]


async def test_dropped_start_is_reported_unknown_and_never_resent(make_sim, make_client):
    sim = await make_sim(fault_rates={"start_drop": 1.0})
    client = make_client(sim)
    with pytest.raises(StartOutcomeUnknown, match="may have been accepted"):
        await client.start(_request())
    stats = sim.stats()
    assert stats["requests"][START] == 1
    assert stats["accepted"] == 1  # it was billed: re-sending would have paid twice
    assert client.test_sleep.delays_s == []


async def test_start_read_timeout_is_unknown_but_poll_timeout_is_retried(
    make_sim, make_client, tmp_path
):
    sim = await make_sim(fault_rates={"slow@start": 1.0}, slow_s=0.5)
    fast_timeout = ClientOptions(read_timeout_s=0.1, poll=PollPolicy(0.02, 30.0))
    client = make_client(sim, options=fast_timeout)
    with pytest.raises(StartOutcomeUnknown):
        await client.start(_request())
    assert sim.stats()["requests"][START] == 1

    slow_polls = await make_sim(seed=5, fault_rates={"slow@poll": 0.25}, slow_s=0.5)
    client = make_client(slow_polls, options=fast_timeout)
    result = await client.generate(_request(), tmp_path / "a.mp4")
    stats = slow_polls.stats()
    assert result.path.is_file()
    assert stats["faults"]["slow"] >= 1  # each slow poll timed out and was asked again
    assert stats["requests"][START] == 1


async def test_refused_connection_on_start_is_retried_as_never_sent(make_client, make_sim):
    sim = await make_sim()
    await sim.stop()  # nothing listens on its port any more
    client = make_client(sim)
    with pytest.raises(APIConnectionError) as info:
        await client.start(_request())
    assert not isinstance(info.value, StartOutcomeUnknown)
    assert info.value.request_sent is False
    assert len(client.test_sleep.delays_s) == MAX_RETRIES


async def test_older_response_form_is_understood(make_sim, make_client, tmp_path):
    sim = await make_sim(legacy_rate=1.0, gen_seconds=0.1)
    client = make_client(sim)
    statuses = []
    result = await client.generate(_request(), tmp_path / "old.mp4", on_status=statuses.append)
    assert probe(result.path).frame_count > 0
    assert statuses[0].state is GenerationState.PENDING
    assert result.status.state is GenerationState.DONE
    assert result.status.cost_usd_ticks is None  # the older form reports no usage


@pytest.mark.parametrize(
    ("fault", "error_type", "text"),
    [
        ("moderation", ModerationBlocked, "blocked by moderation"),
        ("gen_failed", GenerationFailed, "internal_error"),
        ("gen_expired", GenerationExpired, "expired"),
    ],
)
async def test_generation_outcomes(make_sim, make_client, tmp_path, fault, error_type, text):
    sim = await make_sim(fault_rates={fault: 1.0})
    client = make_client(sim)
    with pytest.raises(error_type, match=text) as info:
        await client.generate(_request(), tmp_path / "x.mp4")
    assert info.value.request_id in sim.book.jobs
    if fault == "moderation":
        assert info.value.cost_usd_ticks > 0  # blocked videos are still billed
    assert sim.stats()["requests"].get(MEDIA, 0) == 0
    assert not list(tmp_path.iterdir())


async def test_expired_media_url_is_a_download_error(make_sim, make_client, tmp_path):
    sim = await make_sim(fault_rates={"url_expire": 1.0})
    client = make_client(sim)
    with pytest.raises(DownloadError, match="expired") as info:
        await client.generate(_request(), tmp_path / "x.mp4")
    assert info.value.expired_url is True
    assert sim.stats()["requests"][MEDIA] == 1  # 404 is final, not retried
    assert not list(tmp_path.iterdir())  # no .part left behind


async def test_deadline_exceeded_while_pending(make_sim, make_client):
    sim = await make_sim(gen_seconds=30.0)
    client = make_client(sim, options=ClientOptions(poll=PollPolicy(0.05, deadline_s=0.3)))
    request_id = await client.start(_request())
    with pytest.raises(DeadlineExceeded) as info:
        await client.wait(request_id)
    assert info.value.deadline_s == 0.3
    polls = sim.stats()["requests"][POLL]
    assert polls == len(client.test_sleep.delays_s) + 1


async def test_truncated_download_resumes_with_a_range_request(make_sim, make_client, tmp_path):
    sim = await make_sim(seed=2, fault_rates={"truncate": 0.5})
    client = make_client(sim)
    steps: dict[int, list[int]] = {}
    results = await asyncio.gather(
        *(
            client.generate(
                _request(f"clip {i}"),
                tmp_path / f"{i}.mp4",
                progress=lambda done, total, i=i: steps.setdefault(i, []).append(done),
            )
            for i in range(4)
        )
    )
    stats = sim.stats()
    assert stats["faults"]["truncate"] >= 1
    assert stats["responses"]["206"] >= 1  # resumed, not restarted
    for i, result in enumerate(results):
        served = sim.book.jobs[result.request_id].clip
        assert result.path.read_bytes() == served.path.read_bytes()
        assert steps[i] == sorted(steps[i])  # bytes never went back to zero
    assert stats["requests"][MEDIA] == 4 + stats["faults"]["truncate"]


async def test_with_options_shares_the_session_and_changes_only_options(make_sim, make_client):
    sim = await make_sim(fault_rates={"rate_limit_bare": 1.0})
    client = make_client(sim)
    no_retry = client.with_options(max_retries=0)
    with pytest.raises(RateLimited):
        await no_retry.start(_request())
    assert sim.stats()["requests"][START] == 1
    assert await no_retry._session() is await client._session()
    assert client.options.max_retries == MAX_RETRIES


async def test_client_and_key_info_never_show_the_key(make_sim, make_client):
    sim = await make_sim(api_key="xai-SIMkey0123456789abcdefghij")
    client = make_client(sim)
    info = await client.api_key_info()
    assert info["redacted_api_key"] == "xai-...ghij"
    assert sim.api_key not in repr(client)
    assert "xai-" in repr(client)


def test_missing_key_is_refused_at_construction():
    from core.config import Settings
    from core.providers import MissingApiKey

    with pytest.raises(MissingApiKey, match="XAI_API_KEY"):
        XaiClient.from_settings(Settings())
    with pytest.raises(MissingApiKey):
        XaiClient("", "http://127.0.0.1:1/v1")


async def test_media_download_sends_no_key(make_sim, make_client, tmp_path):
    """The key goes to API routes only; media links are public and may be on another host."""
    sim = await make_sim()
    seen: list[str | None] = []

    async def trace(session, ctx, params: aiohttp.TraceRequestStartParams) -> None:
        seen.append(params.headers.get("Authorization"))

    config = aiohttp.TraceConfig()
    config.on_request_start.append(trace)
    async with aiohttp.ClientSession(trace_configs=[config]) as session:
        traced = make_client(sim, session=session)
        result = await traced.generate(_request(), tmp_path / "k.mp4")
    assert result.path.is_file()
    assert seen[0] == f"Bearer {sim.api_key}"  # the start
    assert seen[-1] is None  # the media download


async def test_starts_are_paced_and_pacing_changes_while_running(make_sim, make_client):
    sim = await make_sim()
    fake = FakeTime()
    client = make_client(
        sim, rate_limit_rpm=60.0, jitter_s=(0.0, 0.0), sleep=fake.sleep, clock=fake.clock
    )
    await asyncio.gather(*(client.start(_request(f"a{i}")) for i in range(4)))
    assert fake.now_s == pytest.approx(3.0)  # 60/min shared by 4 workers: 0, 1, 2, 3 s
    client.set_rate_limit_rpm(600.0)
    await asyncio.gather(*(client.start(_request(f"b{i}")) for i in range(4)))
    assert fake.now_s == pytest.approx(3.0 + 0.1 + 3 * 0.1)
    client.set_jitter(1.0, 5.0)
    before = len(fake.sleeps)
    await client.start(_request("c"))
    jitter_s = fake.sleeps[before]
    assert 1.0 <= jitter_s <= 5.0
    assert sim.stats()["accepted"] == 9
