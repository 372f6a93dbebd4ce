"""Every timeout, limit and retry constant of the provider client, in one place.

Sources: ../shared/reference/xai-video-api.md section 2 (openai-python's and xai-sdk's
defaults, and what we do better: split timeouts, full-jitter backoff, Retry-After up to 120 s,
a poll loop separate from transport retries).
"""

from __future__ import annotations

CONNECT_TIMEOUT_S = 10.0
"""TCP connect to the API host. Short: a host that does not answer in 10 s is down."""
READ_TIMEOUT_S = 30.0
"""Longest silence while waiting for an API response (start, poll, key info)."""
DOWNLOAD_READ_TIMEOUT_S = 120.0
"""Longest silence between two chunks of a video download (the only long read)."""

MAX_RETRIES = 4
"""Transport retries after the first attempt (5 attempts in all)."""
INITIAL_RETRY_DELAY_S = 0.5
"""Backoff ceiling for the first retry; doubles each retry."""
MAX_RETRY_DELAY_S = 8.0
"""Cap on the backoff ceiling."""
MAX_RETRY_AFTER_S = 120.0
"""Longest server ``Retry-After`` hint we wait for; a longer one ends the retries."""

POLL_INTERVAL_S = 5.0
"""Seconds between polls of a pending generation (xAI's example and Vercel's default)."""
POLL_JITTER_FRACTION = 0.2
"""Each poll wait is the interval times a factor in [1 - f, 1 + f]; spreads workers apart."""
DEADLINE_S = 600.0
"""Overall time to wait for a generation (the SDK's and Vercel's 10 minutes)."""

DOWNLOAD_CHUNK_BYTES = 256 * 1024
"""Read size while streaming a video to disk."""
DOWNLOAD_MAX_ATTEMPTS = 5
"""Attempts (first + resumes/retries) for one download."""

RATE_LIMIT_RPM = 60.0
"""Default submissions per minute, shared by all workers of a client."""
JITTER_S = (1.0, 5.0)
"""Default random pause before each submission, per worker (low, high)."""

USER_AGENT = "torture-chamber/0.1"
