"""``torture-chamber sim`` as a separate process: announces its URL, serves, reports stats."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys

import pytest

from core.cli.sim import parse_fault_rates
from core.providers import GenerationRequest, XaiClient
from core.sim.journal import Journal

SIM_ARGS = ["--port", "0", "--api-key", "cli-key-1234", "--gen-seconds", "0.05"]
SIM_ARGS += ["--max-short-side", "64", "--fps", "8", "--seed", "1"]


async def _start_and_poll(base_url: str) -> tuple[str, str]:
    async with XaiClient("cli-key-1234", base_url, jitter_s=(0.0, 0.0)) as client:
        request_id = await client.start(GenerationRequest("from the CLI", duration_s=1))
        return request_id, (await client.poll(request_id)).request_id


def test_sim_process_serves_an_unchanged_client_and_prints_stats():
    command = [sys.executable, "-m", "core.cli", "sim", *SIM_ARGS]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("simulator listening on http://127.0.0.1:")
        started, polled = asyncio.run(_start_and_poll(line.split()[-1]))
        assert started == polled
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    stats = json.loads(err.strip().splitlines()[-1])
    assert stats["accepted"] == 1
    assert "cli-key-1234" not in err


def test_sim_refuses_bad_options(capsys):
    from core.cli import main

    assert main(["sim", "--fault", "gremlins=0.5"]) == 2
    assert "unknown fault" in capsys.readouterr().err


def test_sim_refuses_a_state_dir_in_use(tmp_path, capsys):
    from core.cli import main

    holder = Journal(tmp_path)  # as another simulator would
    holder.open()
    try:
        assert main(["sim", "--port", "0", "--state-dir", str(tmp_path)]) == 2
    finally:
        holder.close()
    assert f"sim: {tmp_path} is used by another simulator (pid " in capsys.readouterr().err


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], {}),
        (["reset=0.1"], {"reset": 0.1}),
        (["slow@poll=1", "x=0"], {"slow@poll": 1.0, "x": 0.0}),
    ],
)
def test_parse_fault_rates(items, expected):
    assert parse_fault_rates(items) == expected


@pytest.mark.parametrize("item", ["reset", "reset=", "reset=lots"])
def test_parse_fault_rates_names_the_bad_item(item):
    with pytest.raises(ValueError, match="expected NAME=RATE"):
        parse_fault_rates([item])
