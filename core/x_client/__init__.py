"""Posting to X: OAuth 1.0a, chunked v2 media upload (v1.1 fallback), processing wait, tweet.

Modules: :mod:`~core.x_client.client` (the client), :mod:`~core.x_client.errors` (typed errors
with plain-sentence messages), :mod:`~core.x_client.upload_v1` (tweepy's v1.1 fallback).
"""

from core.x_client.client import (
    CHUNK_BYTES,
    PostedTweet,
    XClient,
    XCredentials,
    XEndpoints,
    XLimits,
)

__all__ = ["CHUNK_BYTES", "PostedTweet", "XClient", "XCredentials", "XEndpoints", "XLimits"]
