"""A simulator with a state folder survives a restart (and kill -9), as xAI's servers do.

Real loopback HTTP and real files: starts are answered by one simulator, which is stopped
or SIGKILLed; a new one on the same folder answers polls for the old ids, serves their
clips and ground truth, and counts accepted generations across the sessions.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from core.media import probe
from core.sim import SimServer, SimStateError, fast_options
from core.sim.journal import JOURNAL_NAME, Journal


def _auth(sim: SimServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {sim.api_key}"}


async def _call(method: str, url: str, **kwargs: object) -> tuple[int, dict | bytes]:
    async with aiohttp.ClientSession() as session, session.request(method, url, **kwargs) as resp:
        if resp.content_type == "application/json":
            return resp.status, await resp.json()
        return resp.status, await resp.read()


async def _start(base_url: str, key: str, prompt: str) -> str:
    url = f"{base_url}/videos/generations"
    headers = {"Authorization": f"Bearer {key}"}
    status, body = await _call("POST", url, json={"prompt": prompt, "duration": 1}, headers=headers)
    assert status == 200, body
    assert isinstance(body, dict)
    return str(body["request_id"])


async def _poll_until_settled(sim: SimServer, request_id: str) -> dict:
    """Poll like a client (no fixed number of tries: a loaded machine renders slowly)."""
    deadline = asyncio.get_running_loop().time() + 60.0
    while True:
        status, body = await _call("GET", f"{sim.base_url}/videos/{request_id}", headers=_auth(sim))
        assert status == 200 and isinstance(body, dict), body
        if body["status"] != "pending":
            return body
        assert asyncio.get_running_loop().time() < deadline, "the generation never settled"
        await asyncio.sleep(0.02)


def _root(sim: SimServer) -> str:
    return sim.base_url.removesuffix("/v1")


async def test_restart_answers_old_ids_serves_clips_and_counts_every_session(tmp_path: Path):
    state = tmp_path / "state"
    first = SimServer(fast_options(state_dir=state, defect_rate=1.0))
    await first.start()
    try:
        done_id = await _start(first.base_url, first.api_key, "kept across restarts")
        done = await _poll_until_settled(first, done_id)
        clip = first.book.jobs[done_id].clip
        assert clip is not None
        clip_bytes = clip.path.read_bytes()
        _, truth = await _call("GET", f"{_root(first)}/sim/truth/{done_id}")
    finally:
        await first.stop()
    assert done["status"] == "done"

    # A second session with hour-long generations: the old job keeps its recorded timing.
    second = SimServer(fast_options(state_dir=state, gen_seconds=3600.0, defect_rate=1.0))
    await second.start()
    try:
        assert (await _poll_until_settled(second, done_id))["status"] == "done"
        status, served = await _call("GET", f"{_root(second)}/media/{done_id}.mp4")
        assert status == 200 and served == clip_bytes
        assert (second.stats()["renders"], second.stats()["cache_hits"]) == (0, 1)  # cached
        assert (await _call("GET", f"{_root(second)}/sim/truth/{done_id}"))[1] == truth
        again_id = await _start(second.base_url, second.api_key, "kept across restarts")
        slow_id = await _start(second.base_url, second.api_key, "an hour to make")
        assert again_id != done_id  # a new generation of the same prompt: a new id
    finally:
        await second.stop()

    third = SimServer(fast_options(state_dir=state))
    await third.start()
    try:
        url = f"{third.base_url}/videos/{slow_id}"
        status, body = await _call("GET", url, headers=_auth(third))
        assert status == 200 and isinstance(body, dict)
        assert body["status"] == "pending" and body["progress"] < 100  # its hour is not over
        assert (await _poll_until_settled(third, done_id))["status"] == "done"
        stats = third.stats()
    finally:
        await third.stop()
    assert (stats["accepted"], stats["restored"], stats["duplicate_prompts"]) == (3, 3, 1)
    assert stats["jobs"] == {"done": 1, "pending": 2}


async def test_a_sigkilled_simulator_process_is_picked_up(tmp_path: Path):
    state = tmp_path / "state"
    command = [sys.executable, "-m", "core.cli", "sim", "--port", "0", "--gen-seconds", "0.05"]
    command += ["--max-short-side", "64", "--fps", "8", "--state-dir", str(state)]
    pipe = asyncio.subprocess.PIPE
    proc = await asyncio.create_subprocess_exec(*command, stdout=pipe, stderr=pipe)
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        request_id = await _start(line.decode().split()[-1], "sim-local-key", "outlives kill -9")
    finally:
        proc.send_signal(signal.SIGKILL)
        await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == -signal.SIGKILL

    sim = SimServer(fast_options(state_dir=state))
    await sim.start()  # the dead process's lock went with it
    try:
        done = await _poll_until_settled(sim, request_id)
        assert done["status"] == "done"
        status, data = await _call("GET", done["video"]["url"])
        assert status == 200 and isinstance(data, bytes)
        clip = tmp_path / "clip.mp4"
        clip.write_bytes(data)
        assert probe(clip).codec == "h264"
        assert (sim.stats()["accepted"], sim.stats()["restored"]) == (1, 1)
    finally:
        await sim.stop()


async def test_one_folder_serves_one_simulator_at_a_time(tmp_path: Path):
    first = SimServer(fast_options(state_dir=tmp_path))
    await first.start()
    try:
        with pytest.raises(SimStateError, match=r"used by another simulator \(pid \d+\)"):
            await SimServer(fast_options(state_dir=tmp_path)).start()
    finally:
        await first.stop()
    second = SimServer(fast_options(state_dir=tmp_path))  # free again once stopped
    await second.start()
    await second.stop()


def _record(request_id: str) -> dict:
    return {"type": "accepted", "request_id": request_id}


@pytest.mark.parametrize(
    "tail",
    [
        b"",  # clean
        b'{"v":1,"type":"acc',  # cut short by a crash: never answered, dropped
        b"\x00\x00\x00\n",  # a power cut's zeros on the last line
        b'{"v":1,"type":"accepted","request_id":"z"}',  # whole but its newline never written
    ],
)
def test_a_torn_last_record_is_dropped_and_appends_stay_clean(tmp_path: Path, tail):
    journal = Journal(tmp_path)
    journal.open()
    journal.append(_record("a"))
    journal.append(_record("b"))
    journal.close()
    with (tmp_path / JOURNAL_NAME).open("ab") as handle:
        handle.write(tail)
    reopened = Journal(tmp_path)
    assert [r["request_id"] for r in reopened.open()] == ["a", "b"]
    reopened.append(_record("c"))
    reopened.close()
    lines = (tmp_path / JOURNAL_NAME).read_text("utf-8").splitlines()
    assert [json.loads(line)["request_id"] for line in lines] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (b"not json", "journal.jsonl:2: not a JSON record"),
        (b'{"v": 9, "type": "accepted"}', "journal.jsonl:2: record version 9"),
        (b"[1, 2]", "journal.jsonl:2: not a JSON object"),
    ],
)
def test_a_damaged_record_before_the_last_is_named(tmp_path: Path, bad_line, message):
    good = json.dumps({"v": 1, **_record("a")}).encode()
    (tmp_path / JOURNAL_NAME).write_bytes(b"\n".join([good, bad_line, good]) + b"\n")
    with pytest.raises(SimStateError, match=message):
        Journal(tmp_path).open()
    (tmp_path / JOURNAL_NAME).write_bytes(good + b"\n")
    journal = Journal(tmp_path)  # the failed open released the folder
    assert len(journal.open()) == 1
    journal.close()


async def test_an_unreadable_record_stops_the_simulator_with_its_request_id(tmp_path: Path):
    line = json.dumps({"v": 1, "type": "accepted", "request_id": "r-9", "fate": "done"})
    (tmp_path / JOURNAL_NAME).write_text(line + "\n", "utf-8")
    with pytest.raises(SimStateError, match="journal record r-9: KeyError"):
        await SimServer(fast_options(state_dir=tmp_path)).start()
    journal = Journal(tmp_path)  # and it let go of the folder
    assert len(journal.open()) == 1
    journal.close()
