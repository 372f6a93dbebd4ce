"""The simulator over raw HTTP: status codes, lifecycle, media, truth, stats, determinism."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from core.media import probe
from core.sim import fast_options, start_in_thread
from core.synth import DEFECT_KINDS


def _auth(sim) -> dict[str, str]:
    return {"Authorization": f"Bearer {sim.api_key}"}


async def _post(sim, body, headers=None) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sim.base_url}/videos/generations",
            json=body,
            headers=_auth(sim) if headers is None else headers,
        ) as resp,
    ):
        return resp.status, await resp.json()


async def _get(sim, url, headers=None) -> tuple[int, dict | bytes, dict]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as resp:
        kind = resp.content_type
        body = await (resp.json() if kind == "application/json" else resp.read())
        return resp.status, body, dict(resp.headers)


async def _wait_done(sim, request_id: str) -> dict:
    # A deadline, not a count of tries: on a loaded CI box a render can take seconds.
    deadline = asyncio.get_running_loop().time() + 60.0
    while asyncio.get_running_loop().time() < deadline:
        status, body, _ = await _get(sim, f"{sim.base_url}/videos/{request_id}", _auth(sim))
        assert status in (200, 202)
        if body.get("status", "pending") != "pending" or "video" in body:
            return body
        await asyncio.sleep(0.01)
    raise AssertionError("the simulated generation never finished")


@pytest.mark.parametrize(
    ("headers", "status", "text"),
    [
        ({}, 401, "Missing Authorization"),
        ({"Authorization": "Bearer xai-not-the-key-at-all"}, 400, "Incorrect API key provided"),
    ],
)
async def test_key_checks(make_sim, headers, status, text):
    sim = await make_sim()
    code, body = await _post(sim, {"prompt": "x"}, headers=headers)
    assert code == status
    assert text in body["error"] and "code" in body  # the flat error shape
    assert "xai-not-the-key-at-all" not in body["error"]


async def test_body_must_be_json(make_sim):
    sim = await make_sim()
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.base_url}/videos/generations", data=b"", headers=_auth(sim)) as resp,
    ):
        assert resp.status == 415


async def test_unknown_request_id_is_404(make_sim):
    sim = await make_sim()
    status, body, _ = await _get(sim, f"{sim.base_url}/videos/nope", _auth(sim))
    assert status == 404 and "nope" in body["error"]


async def test_lifecycle_progress_then_a_real_clip(make_sim):
    sim = await make_sim(gen_seconds=10.0, max_short_side=96)
    now_s = [1_000_000.0]  # the simulator's clock, moved by the test (no race with real time)
    sim.book.clock = lambda: now_s[0]
    status, body = await _post(sim, {"prompt": "a dog", "duration": 2, "aspect_ratio": "4:3"})
    assert status == 200
    request_id = body["request_id"]
    seen = []
    for elapsed_s in (0.0, 2.5, 5.0, 9.9):
        now_s[0] = 1_000_000.0 + elapsed_s
        _, poll, _ = await _get(sim, f"{sim.base_url}/videos/{request_id}", _auth(sim))
        assert poll["status"] == "pending"
        seen.append(poll["progress"])
    assert seen == [0, 25, 50, 99]
    now_s[0] += 1.0  # its time is over: done once the clip has rendered
    poll = await _wait_done(sim, request_id)
    assert poll["status"] == "done" and poll["progress"] == 100
    assert poll["video"]["respect_moderation"] is True and poll["video"]["duration"] == 2
    assert poll["usage"]["cost_in_usd_ticks"] == 2 * 500_000_000  # $0.05/s at 480p
    status, data, headers = await _get(sim, poll["video"]["url"])
    assert status == 200 and headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "video/mp4"
    clip = sim.book.jobs[request_id].clip.path
    assert data == clip.read_bytes()
    info = probe(clip)
    assert (info.codec, info.pix_fmt, info.has_audio) == ("h264", "yuv420p", True)
    assert (info.width, info.height) == (128, 96)  # 4:3 at 480p, short side capped to 96
    assert info.duration_s == pytest.approx(2.0, abs=0.01)


async def test_media_honours_range_requests(make_sim):
    sim = await make_sim()
    _, body = await _post(sim, {"prompt": "range", "duration": 1})
    done = await _wait_done(sim, body["request_id"])
    full = sim.book.jobs[body["request_id"]].clip.path.read_bytes()
    status, part, headers = await _get(sim, done["video"]["url"], {"Range": "bytes=100-"})
    assert status == 206 and part == full[100:]
    assert headers["Content-Range"] == f"bytes 100-{len(full) - 1}/{len(full)}"


async def test_content_follows_the_prompt_deterministically(make_sim):
    a = await make_sim(seed=3)
    b = await make_sim(seed=3)
    ids, clips = [], []
    for sim in (a, b, a):
        prompt = "same prompt" if len(ids) < 2 else "another prompt"
        _, body = await _post(sim, {"prompt": prompt, "duration": 1})
        await _wait_done(sim, body["request_id"])
        ids.append(body["request_id"])
        clips.append(sim.book.jobs[body["request_id"]].clip.path.read_bytes())
    assert ids[0] == ids[1]  # same seed, same prompt: same request id...
    assert clips[0] == clips[1]  # ... and the same clip, byte for byte
    assert clips[2] != clips[0]


async def test_defects_are_recorded_in_the_truth_sidecar(make_sim):
    sim = await make_sim(defect_rate=1.0, max_short_side=128, fps=12)
    _, body = await _post(sim, {"prompt": "defective", "duration": 2})
    request_id = body["request_id"]
    await _wait_done(sim, request_id)
    status, truth, _ = await _get(sim, f"{sim.base_url.removesuffix('/v1')}/sim/truth/{request_id}")
    assert status == 200
    assert truth["request_id"] == request_id
    assert truth["requested"]["duration"] == 2
    (defect,) = truth["defects"]
    clip = truth["clip"]
    assert defect["kind"] in DEFECT_KINDS
    x0, y0, x1, y1 = defect["box"]
    assert 0 <= x0 < x1 <= clip["width"] and 0 <= y0 < y1 <= clip["height"]
    assert 0 <= defect["start_frame"] < defect["end_frame"] <= clip["frame_count"]


async def test_truth_of_unknown_and_clipless_jobs(make_sim):
    sim = await make_sim(fault_rates={"gen_failed": 1.0})
    root = sim.base_url.removesuffix("/v1")
    _, body = await _post(sim, {"prompt": "fails", "duration": 1})
    assert (await _get(sim, f"{root}/sim/truth/{body['request_id']}"))[0] == 404
    assert (await _get(sim, f"{root}/sim/truth/unknown"))[0] == 404


async def test_stats_count_requests_accepts_and_faults(make_sim):
    sim = await make_sim(fault_rates={"rate_limit@start": 1.0})
    await _post(sim, {"prompt": "limited"})
    await _post(sim, {"prompt": "x", "duration": 99})  # invalid: validated before faults
    status, stats, _ = await _get(sim, f"{sim.base_url.removesuffix('/v1')}/sim/stats")
    assert status == 200
    assert stats["accepted"] == 0
    assert stats["requests"]["POST /v1/videos/generations"] == 2
    assert stats["responses"] == {"429": 1, "400": 1}
    assert stats["faults"] == {"rate_limit": 1}


async def test_api_key_route_answers_like_xai(make_sim):
    sim = await make_sim()
    status, info, _ = await _get(sim, f"{sim.base_url}/api-key", _auth(sim))
    assert status == 200
    assert info["api_key_blocked"] is False and "api-key:endpoint:*" in info["acls"]
    assert (await _get(sim, f"{sim.base_url}/api-key"))[0] == 401


def test_start_in_thread_serves_sync_callers(tmp_path: Path):
    handle = start_in_thread(fast_options())
    try:
        request = urllib.request.Request(
            f"{handle.base_url}/videos/generations",
            data=json.dumps({"prompt": "threaded", "duration": 1}).encode(),
            headers={
                "Authorization": f"Bearer {handle.api_key}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert json.loads(resp.read())["request_id"]
        assert handle.stats()["accepted"] == 1
    finally:
        handle.stop()
    handle.stop()  # idempotent
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{handle.base_url.removesuffix('/v1')}/sim/stats", timeout=2)


def test_start_in_thread_reports_a_port_in_use():
    first = start_in_thread(fast_options())
    try:
        port = int(first.base_url.rsplit(":", 1)[1].split("/")[0])
        with pytest.raises(OSError):
            start_in_thread(fast_options(port=port))
    finally:
        first.stop()
