"""``torture-chamber roast``: variants printed, dry-run post, confirmed post to a fake X."""

from __future__ import annotations

import json

import pytest

from core.cli import main
from core.media import probe
from core.roast.store import RoastStore
from tests.roast.conftest import SECRET_VALUES

X_VARS = ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")


@pytest.fixture
def run_dir(make_analysed_clip, tmp_path):
    make_analysed_clip(job_id="mild", score=0.3, duration_s=0.5, defect=("warp", 2, 8))
    make_analysed_clip(job_id="awful", score=0.95, duration_s=1.0, defect=("melt", 6, 18))
    return tmp_path / "run"


def test_prints_variants_of_the_worst_clip(run_dir, capsys):
    assert main(["roast", str(run_dir), "--style", "savage", "--variants", "4", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "awful.mp4: worst melting 0.95" in out and "mild" not in out
    assert out.count("savage, ") == 4
    assert "--post --yes really posts" in out


def test_json_lists_every_style(run_dir, capsys):
    assert main(["roast", str(run_dir), "--json", "--clips", "2", "--variants", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [entry["defect"] for entry in data] == ["melting", "warping"]
    for entry in data:
        assert len(entry["variants"]) == 6
        assert all(v["weighted_length"] <= 280 for v in entry["variants"])
        assert entry["prompt"] == "a corgi surfing a wave at sunset"


def test_post_without_yes_is_a_dry_run(run_dir, capsys, fake_x):
    args = ["roast", str(run_dir), "--post", "--x-api-base", fake_x.url, "--heatmap"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing was sent" in out
    assert fake_x.seen == []
    info = probe(run_dir / "roasts" / "awful.roast.mp4")
    assert info.codec == "h264" and info.has_audio
    [row] = RoastStore(run_dir / "run.db").all()
    assert row.dry_run


def test_post_yes_posts_once(run_dir, capsys, fake_x, monkeypatch):
    for name, value in zip(X_VARS, SECRET_VALUES, strict=True):
        monkeypatch.setenv(name, value)
    fake_x.scenario.check_after_secs = (0, 0)
    args = ["roast", str(run_dir), "--post", "--yes", "--pick", "2", "--x-api-base", fake_x.url]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "posted: https://x.com/i/web/status/1900000000000000001" in captured.out
    assert fake_x.commands()[-1] == "tweet"
    assert not any(secret in captured.out + captured.err for secret in SECRET_VALUES)
    assert main(args) == 1
    assert "already posted" in capsys.readouterr().err


def test_errors_are_one_line_messages(tmp_path, capsys):
    assert main(["roast", str(tmp_path / "nope.mp4")]) == 1
    assert "no such clip or run directory" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "analysis").mkdir()
    assert main(["roast", str(tmp_path / "empty")]) == 1
    assert "no analysed clips" in capsys.readouterr().err
    assert main(["roast", str(tmp_path / "empty"), "--yes"]) == 2
