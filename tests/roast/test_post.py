"""Posting guard rails: dry run by default, text and clip checks, no accidental double post."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from core.export import ExportError, ExportOptions, ExportResult, export_clip
from core.media import write_mp4
from core.roast.post import DuplicatePostError, RoastTextError, post_roast
from core.roast.sources import load_facts
from core.roast.store import RoastStore
from core.x_client import XClient, XEndpoints


@pytest.fixture
def prepared(make_analysed_clip, tmp_path):
    clip = make_analysed_clip(duration_s=1.0, defect=("melt", 6, 18))
    export = export_clip(
        clip.clip_path, tmp_path / "roast.mp4", load_facts(clip), clip.report_dir, ExportOptions()
    )
    return clip, export


@pytest.fixture
def factory(fake_x, credentials):
    return lambda: XClient(credentials, XEndpoints(api_base=fake_x.url), sleep=lambda s: None)


def test_dry_run_is_the_default_and_sends_nothing(prepared, fake_x, factory):
    clip, export = prepared
    outcome = post_roast("a dry run", clip, export, client_factory=factory)
    assert outcome.dry_run and outcome.tweet is None
    assert fake_x.seen == []
    [row] = RoastStore(clip.run_dir / "run.db").all()
    assert row.dry_run and row.tweet_id is None and row.job_id == "job-0001"
    # a dry run does not count as posted: the real post may follow
    assert post_roast("for real", clip, export, confirm=True, client_factory=factory).tweet


def test_confirmed_post_is_recorded_and_not_repeated(prepared, fake_x, factory):
    clip, export = prepared
    outcome = post_roast("posting it", clip, export, confirm=True, client_factory=factory)
    assert outcome.tweet is not None and outcome.tweet.tweet_id == "1900000000000000001"
    assert fake_x.commands()[0] == "initialize" and fake_x.commands()[-1] == "tweet"
    with sqlite3.connect(clip.run_dir / "run.db") as conn:
        rows = conn.execute("SELECT tweet_id, url, text, dry_run, posted_at FROM roasts").fetchall()
    assert rows[0][:4] == ("1900000000000000001", outcome.tweet.url, "posting it", 0)
    assert rows[0][4].endswith("+00:00")

    sent = len(fake_x.seen)
    with pytest.raises(DuplicatePostError, match="already posted") as caught:
        post_roast("again", clip, export, confirm=True, client_factory=factory)
    assert caught.value.previous.tweet_id == "1900000000000000001"
    assert len(fake_x.seen) == sent

    again = post_roast(
        "again, on purpose", clip, export, confirm=True, force=True, client_factory=factory
    )
    assert again.tweet is not None
    assert len(RoastStore(clip.run_dir / "run.db").posted(again.record.clip_sha256)) == 2


@pytest.mark.parametrize("text", ["", "   ", "x" * 281, "日本" * 71])
def test_text_over_the_limit_is_refused_before_sending(prepared, fake_x, factory, text):
    clip, export = prepared
    with pytest.raises(RoastTextError):
        post_roast(text, clip, export, confirm=True, client_factory=factory)
    assert fake_x.seen == []


def test_clip_breaking_x_rules_is_refused(prepared, fake_x, factory, tmp_path):
    clip, _ = prepared
    big = write_mp4(tmp_path / "big.mp4", [np.zeros((40, 1300, 3), np.uint8)] * 13, 24.0)
    export = ExportResult(big, 0.0, 0.54, 1300, 40, 24.0, 13, big.stat().st_size)
    with pytest.raises(ExportError, match=r"1300x40 outside .*aspect 1300:40"):
        post_roast("text", clip, export, confirm=True, client_factory=factory)
    assert fake_x.seen == []


def test_missing_credentials_fail_before_any_request(prepared, fake_x):
    from core.x_client.errors import XCredentialsError

    clip, export = prepared
    with pytest.raises(XCredentialsError, match="X_CONSUMER_KEY"):
        post_roast("text", clip, export, confirm=True)
    assert fake_x.seen == []
