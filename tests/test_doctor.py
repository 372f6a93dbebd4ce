"""``torture-chamber doctor --json`` on this machine (CPU only), and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _doctor(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "core.cli", "doctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env or os.environ.copy(),
    )


def test_doctor_json_reports_cpu_h264_and_keys():
    env = os.environ.copy()
    env["XAI_API_KEY"] = "xai-doctorTestKey000000abc"
    result = _doctor("--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    checks = {c["name"]: c for c in report["checks"]}
    assert set(checks) >= {
        "python",
        "packages",
        "settings",
        "torch",
        "h264",
        "keys",
        "download_dir",
    }
    assert checks["h264"]["ok"] and checks["h264"]["data"]["frames"] == 24
    torch_check = checks["torch"]
    if not torch_check["data"]["cuda"]:
        assert "CPU only" in torch_check["detail"]
    assert checks["keys"]["data"]["xai_api_key"] == "xai-…abc"
    assert "doctorTestKey" not in result.stdout + result.stderr


def test_doctor_fails_with_exit_1_on_bad_settings_and_unwritable_dir(tmp_path):
    env = os.environ.copy()
    env["TC_CONCURRENCY"] = "many"
    result = _doctor("--json", env=env)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    settings = next(c for c in report["checks"] if c["name"] == "settings")
    assert not settings["ok"]
    assert "TC_CONCURRENCY='many' (from environment)" in settings["detail"]


def test_doctor_text_output(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = os.environ.copy()
    env["TC_DOWNLOAD_DIR"] = str(blocker / "sub")
    result = _doctor(env=env)
    assert result.returncode == 1
    assert "[FAIL] download_dir" in result.stdout
    assert "essentials FAILED" in result.stdout
