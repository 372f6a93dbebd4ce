"""Settings: precedence, bad values named with their source, .env writing, the example file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.config import (
    SECRET_VARS,
    VARS,
    ConfigError,
    check_env_values,
    env_example,
    env_text,
    load_settings,
    parse_jitter,
    save_env_values,
    settings_fields,
)

REPO = Path(__file__).resolve().parent.parent


def test_defaults_when_nothing_is_set(tmp_path):
    settings = load_settings(environ={}, env_files=[tmp_path / "missing.env"])
    assert settings.xai_api_key is None
    assert settings.xai_base_url == "https://api.x.ai/v1"
    assert settings.jitter_s == (1.0, 5.0)
    assert settings.deadline_s == 600.0
    assert settings.download_dir.name == "Torture Chamber"
    assert settings.sources["TC_CONCURRENCY"] == "default"


def test_env_beats_dotenv_beats_user_dotenv_beats_default(tmp_path):
    local, user = tmp_path / "local.env", tmp_path / "user.env"
    local.write_text("TC_CONCURRENCY=8\nTC_MODEL=from-local\n")
    user.write_text("TC_CONCURRENCY=2\nTC_MODEL=from-user\nTC_DURATION=3\n")
    settings = load_settings(environ={"TC_CONCURRENCY": "16"}, env_files=[local, user])
    assert settings.concurrency == 16
    assert settings.sources["TC_CONCURRENCY"] == "environment"
    assert settings.model == "from-local"
    assert settings.sources["TC_MODEL"] == str(local)
    assert settings.duration_s == 3
    assert settings.sources["TC_DURATION"] == str(user)
    assert settings.resolution == "480p"


@pytest.mark.parametrize(
    ("var", "value", "reason"),
    [
        ("TC_CONCURRENCY", "lots", "must be a whole number"),
        ("TC_CONCURRENCY", "0", "between 1 and 512"),
        ("TC_ASPECT_RATIO", "5:4", "must be one of 1:1, 16:9"),
        ("TC_RESOLUTION", "4k", "must be one of 480p"),
        ("TC_DURATION", "16", "between 1 and 15"),
        ("TC_JITTER", "5-1", "range like 1-5"),
        ("TC_DEVICE", "tpu", "auto, cpu, cuda or cuda:N"),
        ("XAI_BASE_URL", "api.x.ai", "http(s) URL"),
        ("TC_RATE_LIMIT_RPM", "-3", "greater than 0"),
    ],
)
def test_bad_value_names_variable_and_file(tmp_path, var, value, reason):
    env_file = tmp_path / ".env"
    env_file.write_text(f"{var}={value}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(environ={}, env_files=[env_file])
    message = str(info.value)
    assert message.startswith(f"{var}={value!r} (from {env_file}): ")
    assert reason in message


def test_bad_value_from_environment_says_so():
    with pytest.raises(ConfigError, match=r"TC_CONCURRENCY='x' \(from environment\)"):
        load_settings(environ={"TC_CONCURRENCY": "x"}, env_files=[])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1-5", (1.0, 5.0)), ("0", (0.0, 0.0)), ("2.5", (2.5, 2.5)), (" 0.5-1 ", (0.5, 1.0))],
)
def test_jitter_forms(text, expected):
    assert parse_jitter(text) == expected


def test_secret_never_in_repr_or_error(tmp_path):
    key = "xai-SuperSecretValue123456789"
    settings = load_settings(environ={"XAI_API_KEY": key}, env_files=[])
    assert settings.xai_api_key is not None
    assert settings.xai_api_key.get() == key
    assert key not in repr(settings)
    assert key not in str(settings.xai_api_key)
    assert settings.xai_api_key.masked() == "xai-…789"


def test_check_env_values_names_the_bad_fields():
    problems = check_env_values(
        {"TC_CONCURRENCY": "lots", "TC_JITTER": "5-1", "TC_DEVICE": "cuda:0", "TC_DEADLINE_S": " "}
    )
    assert set(problems) == {"TC_CONCURRENCY", "TC_JITTER"}
    assert "whole number" in problems["TC_CONCURRENCY"]


def test_env_text_reads_back_as_the_same_value(tmp_path):
    environ = {"TC_JITTER": "0.5-2.5", "TC_RATE_LIMIT_RPM": "90", "TC_CONCURRENCY": "7"}
    settings = load_settings(environ=environ, env_files=[tmp_path / "missing.env"])
    assert env_text(settings, "TC_JITTER") == "0.5-2.5"
    assert env_text(settings, "TC_RATE_LIMIT_RPM") == "90"
    for var in VARS:
        if var.name not in SECRET_VARS:
            text = env_text(settings, var.name)
            assert var.parse(text) == getattr(settings, var.attr), var.name


def test_save_env_values_writes_0600_and_keeps_other_lines(tmp_path):
    path = tmp_path / "cfg" / ".env"
    path.parent.mkdir()
    path.write_text("# my notes\nTC_MODEL=grok-imagine-video\nXAI_API_KEY=old\n")
    save_env_values(path, {"XAI_API_KEY": 'new "quoted" key', "TC_CONCURRENCY": "9"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "# my notes" in text
    assert "old" not in text
    settings = load_settings(environ={}, env_files=[path])
    assert settings.xai_api_key is not None
    assert settings.xai_api_key.get() == 'new "quoted" key'
    assert settings.concurrency == 9
    save_env_values(path, {"XAI_API_KEY": None})
    assert "XAI_API_KEY" not in path.read_text()


def test_save_env_values_refuses_unknown_names(tmp_path):
    with pytest.raises(ValueError, match="unknown setting"):
        save_env_values(tmp_path / ".env", {"TC_CONCURENCY": "3"})


def test_env_example_lists_every_setting_and_is_current():
    text = (REPO / ".env.example").read_text()
    assert text == env_example(), "regenerate .env.example from core.config.env_example()"
    for name in ("XAI_API_KEY", "TC_JITTER", "TC_DEADLINE_S", "X_ACCESS_TOKEN_SECRET"):
        assert f"\n{name}=" in text
    assert len(settings_fields()) == 17
