"""Tweet length the way X counts it, and cutting text to fit.

X weighs text, not characters: 280 weighted characters, Latin and common punctuation 1, CJK,
emoji (a whole ZWJ sequence) and most other scripts 2, every URL 23 (t.co), after NFC
normalisation. ``twitter-text-parser`` implements X's own counting rules; we call it for every
figure so the dialog's counter and the composer agree with X to the character.

Compatibility note: twitter-text-parser 3.0.0 reads its bundled emoji list through
``pkg_resources``, which setuptools removed in version 81 (and which warns on import before
that). :func:`_import_parse_tweet` lends it a one-function stand-in for the duration of the
import only, so no other library ever sees a fake ``pkg_resources``.
"""

from __future__ import annotations

import importlib
import itertools
import re
import sys
import types
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

TWEET_MAX_WEIGHT = 280
"""X's limit in weighted characters."""
ELLIPSIS = "…"
"""Weighs 2 on X (U+2026 is outside X's weight-1 ranges)."""

_SPACES = re.compile(r"\s+")
# Code points X refuses outright (BOM, non-characters, bidi overrides).
_INVALID = re.compile("[\ufffe\ufeff\uffff\u202a-\u202e]")


def _resource_string(module_name: str, name: str) -> bytes:
    # pkg_resources resolves ``name`` next to the module's file, as this does.
    module_file = sys.modules[module_name].__file__
    assert module_file is not None
    return Path(module_file).with_name(name).read_bytes()


def _import_twitter_text() -> Any:
    if "pkg_resources" in sys.modules:
        return importlib.import_module("twitter_text")
    shim = types.ModuleType("pkg_resources")
    # A bare stand-in module: mypy cannot know the one attribute twitter_text reads from it.
    shim.resource_string = _resource_string  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = shim
    try:
        return importlib.import_module("twitter_text")
    finally:
        if sys.modules.get("pkg_resources") is shim:
            del sys.modules["pkg_resources"]


_twitter_text = _import_twitter_text()
_parse_tweet: Callable[[str], Any] = _twitter_text.parse_tweet
_has_invalid: Callable[[str], bool] = importlib.import_module(
    "twitter_text.has_invalid_characters"
).has_invalid_characters
_OPTIONS: dict[str, Any] = importlib.import_module("twitter_text.config").config["defaults"]
_char_weight: Callable[[str, Any], int] = importlib.import_module(
    "twitter_text.get_character_weight"
).get_character_weight


def weighted_length(text: str) -> int:
    """Return the length X counts for ``text`` (URLs 23, emoji and CJK 2, NFC first)."""
    if not text:
        return 0
    return int(_parse_tweet(text).weightedLength)


def fits(text: str, limit: int = TWEET_MAX_WEIGHT) -> bool:
    """True when ``text`` is non-empty, has no character X refuses and weighs <= ``limit``."""
    return bool(text.strip()) and not _has_invalid(text) and weighted_length(text) <= limit


def clean_quote(text: str) -> str:
    """Prepare user text (a prompt) for quoting in a tweet.

    Whitespace runs (newlines included) become one space, characters X refuses are removed,
    and ``@`` becomes the full-width ``＠`` so a quoted prompt never mentions (pings) anyone.
    """
    text = unicodedata.normalize("NFC", text)
    text = _INVALID.sub("", text)
    return _SPACES.sub(" ", text).strip().replace("@", "＠")


@lru_cache(maxsize=64)
def cut_points(text: str) -> tuple[int, ...]:
    """Indices where ``text`` may be cut without splitting an emoji or a combining sequence."""
    inside: set[int] = set()
    for start, end in _emoji_spans(text):
        inside.update(range(start + 1, end))
    return tuple(
        index
        for index in range(len(text) + 1)
        if index not in inside
        and not (index < len(text) and unicodedata.combining(text[index]) and index > 0)
    )


@lru_cache(maxsize=64)
def prefix_weights(text: str) -> tuple[int, ...]:
    """``result[c]`` estimates the weight of ``text[:c]`` (exact at :func:`cut_points`).

    Per-character weights from X's table, with each emoji sequence and URL weighed as a whole
    at its first character. Cutting inside a URL is the one inexact case (the stub may weigh
    less); callers verify their final text with :func:`fits`.
    """
    options = _OPTIONS
    scale = int(options["scale"])
    weights = [_char_weight(char, options) // scale for char in text]
    entities = [(s, e, 2) for s, e in _emoji_spans(text)] + [
        (int(u["indices"][0]), int(u["indices"][1]), int(options["transformed_url_length"]))
        for u in _twitter_text.extract_urls_with_indices(text)
    ]
    for start, end, weight in entities:
        weights[start:end] = [weight] + [0] * (end - start - 1)
    return tuple(itertools.accumulate(weights, initial=0))


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    spans = _twitter_text.extract_emojis_with_indices(text)
    return [(int(s["indices"][0]), int(s["indices"][1])) for s in spans]


def shorten(text: str, cut: int) -> str:
    """Return ``text[:cut]`` with an ellipsis, or ``text`` when ``cut`` keeps all of it.

    ``cut`` should come from :func:`cut_points`. The cut moves back to a word boundary when
    one lies in the last fifth of the kept part, so quotes end on a whole word.
    """
    if cut >= len(text):
        return text
    space = text.rfind(" ", 0, cut + 1)
    if space > cut * 4 // 5:
        cut = space
    return text[:cut].rstrip(" ,;:.-") + ELLIPSIS
