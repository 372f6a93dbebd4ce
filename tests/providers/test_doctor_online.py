"""``doctor --online``: a real call to the configured base URL checks the key."""

from __future__ import annotations

import json

import pytest

from core.cli import main
from core.config import load_settings
from core.doctor import check_online
from core.providers import key_blocks
from core.sim import fast_options, start_in_thread


def test_online_check_against_the_simulator(monkeypatch, capsys):
    handle = start_in_thread(fast_options(api_key="xai-onlineCheck0123456789"))
    try:
        monkeypatch.setenv("XAI_BASE_URL", handle.base_url)
        monkeypatch.setenv("XAI_API_KEY", "xai-onlineCheck0123456789")
        good = check_online(load_settings())
        monkeypatch.setenv("XAI_API_KEY", "xai-wrongKey0123456789")
        bad = check_online(load_settings())
        assert main(["doctor", "--online", "--json"]) == 1
    finally:
        handle.stop()
    assert good.ok and "xai-...6789" in good.detail and "works" in good.detail
    assert not bad.ok and bad.essential and "Incorrect API key" in bad.detail
    report = json.loads(capsys.readouterr().out)
    (online,) = [c for c in report["checks"] if c["name"] == "online"]
    assert online["ok"] is False
    assert "xai-wrongKey0123456789" not in json.dumps(report)


def test_online_check_without_a_key_is_a_warning():
    check = check_online(load_settings())
    assert not check.ok and not check.essential
    assert "XAI_API_KEY is not set" in check.detail


def test_online_check_with_nothing_listening(monkeypatch):
    monkeypatch.setenv("XAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("XAI_API_KEY", "xai-someKey0123456789")
    check = check_online(load_settings())
    assert not check.ok and "cannot connect" in check.detail


@pytest.mark.parametrize(
    ("info", "blocks"),
    [
        ({"name": "k", "api_key_blocked": False, "team_blocked": False}, []),
        ({}, []),
        ({"api_key_disabled": True}, ["api_key_disabled"]),
        ({"api_key_blocked": True, "team_blocked": True}, ["api_key_blocked", "team_blocked"]),
    ],
)
def test_key_blocks_reads_the_flags_of_the_key_info(info, blocks):
    assert key_blocks(info) == blocks
