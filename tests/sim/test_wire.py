"""The simulator validates requests and keys the way the real API does (tables)."""

from __future__ import annotations

import pytest

from core.sim.wire import WireError, check_auth, masked_key, nested_error, validate_generation

KEY = "sim-secret-key-123"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"prompt": "a cat"},
            {
                "prompt": "a cat",
                "model": "grok-imagine-video",
                "duration": 8,
                "aspect_ratio": "16:9",
                "resolution": "480p",
            },
        ),
        ({"prompt": "a", "duration": "5"}, {"duration": 5}),  # string form
        ({"prompt": "a", "seconds": 3}, {"duration": 3}),  # OpenAI-compatible alias
        ({"prompt": "a", "duration": 1}, {"duration": 1}),
        ({"prompt": "a", "duration": 15}, {"duration": 15}),
        ({"prompt": "a", "aspect_ratio": "2:3"}, {"aspect_ratio": "2:3"}),
        ({"prompt": "a", "resolution": "720p"}, {"resolution": "720p"}),
        (
            {"prompt": "a", "model": "grok-imagine-video-1.5", "resolution": "1080p"},
            {"resolution": "1080p"},
        ),
        ({"prompt": "a", "model": "grok-imagine-video-1.5-preview"}, {}),
        ({"prompt": "a", "image": {"url": "https://x/y.png"}}, {}),  # extra fields allowed
    ],
)
def test_valid_requests(body, expected):
    params = validate_generation(body)
    for key, value in expected.items():
        assert params[key] == value


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ([], 422, "JSON object"),
        ({}, 422, "missing field `prompt`"),
        ({"prompt": 5}, 422, "`prompt`: expected a string"),
        ({"prompt": "   "}, 400, "must not be empty"),
        ({"prompt": "é" * 2049}, 400, "4098 bytes; the limit is 4096"),
        ({"prompt": "a", "duration": 0}, 400, "between 1 and 15 seconds, got 0"),
        ({"prompt": "a", "duration": 16}, 400, "got 16"),
        ({"prompt": "a", "duration": "eight"}, 422, "`duration`: expected an integer"),
        ({"prompt": "a", "duration": 2.5}, 422, "`duration`"),
        ({"prompt": "a", "duration": True}, 422, "`duration`"),
        ({"prompt": "a", "aspect_ratio": "5:4"}, 400, "`aspect_ratio` must be one of"),
        ({"prompt": "a", "aspect_ratio": 1.5}, 422, "`aspect_ratio`: expected a string"),
        ({"prompt": "a", "resolution": "4k"}, 400, "`resolution` must be one of"),
        ({"prompt": "a", "resolution": "1080p"}, 400, "not supported by grok-imagine-video"),
        ({"prompt": "a", "model": "sora"}, 404, "The model sora does not exist"),
        ({"prompt": "a", "model": 7}, 422, "`model`"),
    ],
)
def test_invalid_requests(body, status, text):
    with pytest.raises(WireError, match=text) as info:
        validate_generation(body)
    assert info.value.status == status
    assert info.value.body()["error"] == info.value.message


@pytest.mark.parametrize(
    ("header", "status", "text"),
    [
        (f"Bearer {KEY}", None, None),
        (f"bearer {KEY}", None, None),
        (None, 401, "Missing Authorization"),
        ("", 401, "Missing Authorization"),
        (f"Basic {KEY}", 401, "expected 'Bearer <API key>'"),
        ("Bearer ", 401, "expected 'Bearer"),
        ("Bearer xai-wrongwrongwrong", 400, "Incorrect API key provided: xa***ng."),
    ],
)
def test_check_auth(header, status, text):
    error = check_auth(header, KEY)
    if status is None:
        assert error is None
    else:
        assert error is not None and error.status == status
        assert text in error.message


@pytest.mark.parametrize(
    ("key", "shown"), [("xai-abcdefyz", "xa***yz"), ("abc", "***"), ("123456", "12***56")]
)
def test_masked_key_shows_two_characters_each_end(key, shown):
    assert masked_key(key) == shown


def test_nested_error_shape():
    assert nested_error(503, "down") == {
        "error": {"message": "down", "type": "server_error", "code": 503}
    }
