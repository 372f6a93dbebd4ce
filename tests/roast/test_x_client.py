"""The X client against a fake X server on a real loopback socket."""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path

import pytest

from core.config import load_settings
from core.x_client import CHUNK_BYTES, XCredentials
from core.x_client.errors import (
    XAuthError,
    XCancelled,
    XChunkTooLargeError,
    XConnectionError,
    XCredentialsError,
    XPermissionError,
    XProcessingError,
    XRateLimitError,
    XRequestError,
    XServerError,
)
from tests.roast.conftest import CONSUMER_KEY, SECRET_VALUES

MIB = 1024 * 1024


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    """4.5 MiB of bytes (the client does not inspect them): three chunks of <= 2 MiB."""
    path = tmp_path / "roast.mp4"
    path.write_bytes(os.urandom(4 * MIB + MIB // 2))
    return path


def test_v2_upload_and_post_sequence(make_client, fake_x, video_file, sleeps):
    progress: list[tuple[int, int]] = []
    with make_client() as client:
        media_id = client.upload_video(video_file, progress=lambda a, b: progress.append((a, b)))
        tweet = client.create_tweet("roast text", [media_id])

    assert fake_x.commands() == [
        "initialize",
        "append",
        "append",
        "append",
        "finalize",
        "status",
        "status",
        "tweet",
    ]
    assert all(seen.signed for seen in fake_x.seen)
    assert all(f'oauth_consumer_key="{CONSUMER_KEY}"' in s.authorization for s in fake_x.seen)
    init = fake_x.seen[0]
    assert init.json == {
        "media_type": "video/mp4",
        "total_bytes": 4 * MIB + MIB // 2,
        "media_category": "tweet_video",
    }
    appends = [s for s in fake_x.seen if s.command == "append"]
    assert [s.chunk_bytes for s in appends] == [CHUNK_BYTES, CHUNK_BYTES, MIB // 2]
    assert [s.fields["segment_index"] for s in appends] == ["0", "1", "2"]
    assert all(s.path == "/2/media/upload/7100/append" for s in appends)
    assert fake_x.seen[5].query == {"command": "STATUS", "media_id": "7100"}
    # finalize said check after 1 s (pending), the first STATUS said 2 s (in_progress)
    assert sleeps == [1.0, 2.0]
    assert progress[-1] == (4 * MIB + MIB // 2, 4 * MIB + MIB // 2)
    assert fake_x.seen[-1].json == {"text": "roast text", "media": {"media_ids": ["7100"]}}
    assert tweet.tweet_id == "1900000000000000001"
    assert tweet.url.endswith("/i/web/status/1900000000000000001")


def test_failed_processing_is_an_error_with_x_reason(make_client, fake_x, video_file):
    fake_x.scenario.states = ["in_progress", "failed"]
    with make_client() as client, pytest.raises(XProcessingError, match="codec not supported"):
        client.upload_video(video_file)
    assert fake_x.commands()[-2:] == ["status", "status"]
    assert "tweet" not in fake_x.commands()


def test_processing_deadline(make_client, fake_x, video_file):
    fake_x.scenario.states = ["in_progress"]
    clock = iter(range(0, 10_000, 50))
    with make_client(processing_deadline_s=120) as client:
        client._clock = lambda: float(next(clock))
        with pytest.raises(XProcessingError, match="still processing"):
            client.upload_video(video_file)


def test_short_429_is_waited_out_then_retried(make_client, fake_x, video_file, sleeps):
    fake_x.scenario.rate_limit = {"tweet": 5}
    with make_client() as client:
        tweet = client.create_tweet("hello", ["1"])
    assert tweet.tweet_id
    assert fake_x.commands() == ["tweet", "tweet"]
    assert len(sleeps) == 1 and 4 <= sleeps[0] <= 7


def test_long_429_says_when_to_retry(make_client, fake_x, sleeps):
    fake_x.scenario.rate_limit = {"tweet": 900}
    with make_client() as client, pytest.raises(XRateLimitError) as caught:
        client.create_tweet("hello", ["1"])
    assert caught.value.reset_at is not None
    assert "try again after" in str(caught.value) and "UTC" in str(caught.value)
    assert sleeps == []
    assert fake_x.commands() == ["tweet"]


@pytest.mark.parametrize(
    ("command", "status", "body", "error", "phrase"),
    [
        ("initialize", 401, {"title": "Unauthorized"}, XAuthError, "X_ACCESS_TOKEN_SECRET"),
        ("tweet", 403, {"detail": "You are not permitted"}, XPermissionError, "regenerate"),
        (
            "tweet",
            403,
            {"reason": "client-not-enrolled", "title": "Client Forbidden"},
            XPermissionError,
            "Project",
        ),
        ("append", 431, {"title": "Too large"}, XChunkTooLargeError, "too large"),
        ("finalize", 400, {"errors": [{"message": "bad id", "code": 324}]}, XRequestError, "324"),
        ("tweet", 503, {"title": "Service Unavailable"}, XServerError, "try later"),
    ],
)
def test_statuses_map_to_typed_errors(
    make_client, fake_x, video_file, command, status, body, error, phrase
):
    fake_x.scenario.status_for = {command: (status, body)}
    with make_client() as client, pytest.raises(error, match=phrase) as caught:
        client.create_tweet("hello", [client.upload_video(video_file)])
    assert caught.value.status_code == status
    assert fake_x.commands()[-1] == command


def test_oversized_chunks_get_431(make_client, fake_x, video_file):
    fake_x.scenario.max_chunk_bytes = 1 * MIB
    with make_client() as client, pytest.raises(XChunkTooLargeError):
        client.upload_video(video_file)
    with make_client(chunk_bytes=MIB) as client:
        assert client.upload_video(video_file) == "7100"


def test_v2_refused_falls_back_to_tweepy_v1(make_client, fake_x, video_file, sleeps):
    fake_x.scenario.refuse_v2 = 404
    with make_client() as client:
        media_id = client.upload_video(video_file)
    commands = fake_x.commands()
    assert commands == [
        "initialize",
        "v1:init",
        "v1:append",
        "v1:append",
        "v1:append",
        "v1:finalize",
        "v1:status",
        "v1:status",
    ]
    assert media_id == "7100"
    v1 = [s for s in fake_x.seen if s.command.startswith("v1:")]
    assert all(s.signed and s.path == "/1.1/media/upload.json" for s in v1)
    assert v1[0].fields["media_category"] == "tweet_video"
    assert max(s.chunk_bytes or 0 for s in v1) <= CHUNK_BYTES
    assert sleeps == [1.0, 2.0]


def test_v1_fallback_checks_failed_state(make_client, fake_x, video_file):
    fake_x.scenario.refuse_v2 = 410
    fake_x.scenario.states = ["failed"]
    with make_client() as client, pytest.raises(XProcessingError, match="codec not supported"):
        client.upload_video(video_file)


def test_cancel_stops_before_sending_chunks(make_client, fake_x, video_file):
    cancel = threading.Event()
    cancel.set()
    with make_client() as client, pytest.raises(XCancelled):
        client.upload_video(video_file, cancel=cancel)
    assert fake_x.commands() == ["initialize"]


def test_read_timeout_is_a_connection_error(make_client, fake_x):
    fake_x.scenario.stall_s = 1.0
    with make_client(read_timeout_s=0.2) as client, pytest.raises(XConnectionError):
        client.create_tweet("hello", ["1"])


def test_refused_connection_is_a_connection_error(credentials):
    from core.x_client import XClient, XEndpoints

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = XClient(credentials, XEndpoints(api_base=f"http://127.0.0.1:{port}"))
    with client, pytest.raises(XConnectionError, match="no answer from X"):
        client.create_tweet("hello", ["1"])


def test_missing_credentials_are_named():
    settings = load_settings(environ={"X_CONSUMER_KEY": "k" * 20}, env_files=[])
    with pytest.raises(XCredentialsError) as caught:
        XCredentials.from_settings(settings)
    message = str(caught.value)
    assert "X_CONSUMER_SECRET" in message and "X_ACCESS_TOKEN_SECRET" in message
    assert "X_CONSUMER_KEY," not in message


def test_secrets_never_logged_or_in_errors(make_client, fake_x, video_file, caplog):
    caplog.set_level(logging.DEBUG)
    fake_x.scenario.status_for = {"tweet": (401, {"title": f"bad token {SECRET_VALUES[2]}"})}
    with make_client() as client, pytest.raises(XAuthError) as caught:
        client.create_tweet("hello", [client.upload_video(video_file)])
    text = caplog.text + str(caught.value)
    assert caplog.records and "***" in str(caught.value)
    assert not any(secret in text for secret in SECRET_VALUES)
