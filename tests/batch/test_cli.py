"""``batch``, ``resume`` and ``status`` end to end, in-process, with the built-in simulator."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from core.batch.session import run_session
from core.cli import main
from tests.batch.conftest import prompts


def test_batch_budget_stop_status_and_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TC_DURATION", "1")
    monkeypatch.setenv("TC_JITTER", "0")
    monkeypatch.setenv("TC_POLL_INTERVAL_S", "0.05")
    monkeypatch.setenv("TC_RATE_LIMIT_RPM", "6000")
    prompts = tmp_path / "prompts.csv"
    prompts.write_text("prompt,duration\nfirst,1\nsecond,1\nthird,1\nbroken,99\n", "utf-8")
    run_dir = tmp_path / "run"

    code = main(
        ["batch", str(prompts), "--out", str(run_dir), "--provider", "sim", "--budget", "0.1"]
    )
    err = capsys.readouterr().err
    assert code == 3  # stopped with work left
    assert f"error: {prompts}:5: duration: 99 s is out of range (1-15 s)" in err
    assert "paused (budget)" in err
    assert "done           2" in err and "queued         1" in err

    meta = json.loads((run_dir / "run.json").read_text("utf-8"))
    assert (meta["provider"], meta["settings"]["duration_s"]) == ("sim", 1)
    assert "sim-local-key" not in json.dumps(meta)  # never a key on disk
    assert main(["status", str(run_dir), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["total"], status["counts"]["done"], status["paused"]) == (3, 2, "budget")
    assert status["budget_usd"] == pytest.approx(0.1)
    assert status["spend_usd"]["total"] == pytest.approx(0.1)

    assert main(["resume", str(run_dir), "--provider", "sim", "--budget", "1"]) == 0
    err = capsys.readouterr().err
    assert "lifting the earlier pause (budget)" in err
    assert main(["status", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "done           3" in out and "spend: $0.15" in out


def test_batch_refuses_nothing_to_run_and_existing_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    assert main(["batch", str(bad), "--provider", "sim"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: encoding: binary file" in err and "no valid prompts" in err

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.db").write_bytes(b"")
    good = tmp_path / "good.txt"
    good.write_text("a prompt\n", "utf-8")
    assert main(["batch", str(good), "--out", str(tmp_path / "run"), "--provider", "sim"]) == 2
    assert "already holds a run" in capsys.readouterr().err


def test_status_and_resume_name_a_missing_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", str(tmp_path)]) == 2
    assert main(["resume", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count(f"{tmp_path}: not a run directory (no run.db)") == 2


def test_xai_without_a_key_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.txt"
    good.write_text("a prompt\n", "utf-8")
    assert main(["batch", str(good), "--provider", "xai"]) == 2
    assert "--provider xai needs XAI_API_KEY" in capsys.readouterr().err


async def test_the_session_writes_to_the_stderr_of_its_call(
    make_sim, make_controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: the default stream was bound when the module was imported, so after an
    # earlier test (capsys) had imported it, a later run wrote to that closed capture.
    sim = await make_sim()
    controller = make_controller(sim)
    controller.enqueue(prompts(1))
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert await run_session(controller) == 0
    assert "done           1" in stderr.getvalue()
