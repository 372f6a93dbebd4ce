"""``torture-chamber generate``: one clip end to end, and what it says without a key."""

from __future__ import annotations

import pytest

import core.cli.generate as generate_cli
from core.cli import main
from core.media import probe
from core.secrets import Secret
from core.sim import fast_options, start_in_thread


def test_generate_with_the_built_in_simulator(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(generate_cli, "SIM_GEN_SECONDS", 0.3)
    out = tmp_path / "clip.mp4"
    assert (
        main(
            [
                "generate",
                "a paper boat",
                "--provider",
                "sim",
                "--duration",
                "1",
                "--resolution",
                "480p",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out)
    assert "generating  [" in captured.err and "downloading [" in captured.err
    assert "cost $0.05" in captured.err
    info = probe(out)
    assert (info.width, info.height, info.has_audio) == (854, 480, True)


def test_default_path_comes_from_our_job_id(capsys, monkeypatch):
    monkeypatch.setattr(generate_cli, "SIM_GEN_SECONDS", 0.0)
    assert main(["generate", "p", "--provider", "sim", "--duration", "1"]) == 0
    path = capsys.readouterr().out.strip()
    assert "/clips/gen-" in path and path.endswith(".mp4")


def test_without_a_key_it_explains_how_to_set_one(capsys):
    assert main(["generate", "a prompt"]) == 2
    err = capsys.readouterr().err
    assert "XAI_API_KEY" in err and "--provider sim" in err


def test_prompted_key_is_used_against_the_configured_base_url(capsys, monkeypatch):
    handle = start_in_thread(fast_options(api_key="typed-in-key-123"))
    try:
        monkeypatch.setenv("XAI_BASE_URL", handle.base_url)
        monkeypatch.setenv("TC_POLL_INTERVAL_S", "0.02")
        asked = []

        def fake_prompt(var, env_path):
            asked.append(var)
            return Secret("typed-in-key-123")

        monkeypatch.setattr(generate_cli, "prompt_for_secret", fake_prompt)
        assert main(["generate", "prompted", "--duration", "1"]) == 0
        assert asked == ["XAI_API_KEY"]
        assert handle.stats()["accepted"] == 1
    finally:
        handle.stop()
    assert "typed-in-key-123" not in "".join(capsys.readouterr())


def test_provider_errors_exit_1_with_a_hint(capsys, monkeypatch):
    handle = start_in_thread(fast_options())
    try:
        monkeypatch.setenv("XAI_BASE_URL", handle.base_url)
        monkeypatch.setenv("XAI_API_KEY", "xai-definitely-wrong-key")
        assert main(["generate", "p", "--duration", "1"]) == 1
    finally:
        handle.stop()
    err = capsys.readouterr().err
    assert "Incorrect API key" in err and "check XAI_API_KEY" in err
    assert "xai-definitely-wrong-key" not in err


@pytest.mark.parametrize("args", [["--duration", "0"], ["--resolution", "720p", "--model", "m"]])
def test_invalid_requests_exit_1(capsys, args):
    assert main(["generate", "p", "--provider", "sim", *args]) == 1
    assert "generate: HTTP 4" in capsys.readouterr().err
