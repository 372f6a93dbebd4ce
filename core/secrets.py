"""Secret values: a wrapper that never prints itself, masking, and log redaction.

Keys come from the environment, a ``.env`` file or a prompt. Every secret that is loaded is
registered here so that :func:`redact` can scrub it from any text (log lines, error messages,
report files) even when it reaches that text by a path nobody anticipated.
"""

from __future__ import annotations

import re
import threading

_MIN_SECRET_CHARS = 6
_REDACTED = "***"

# Shapes of credentials that must never be printed even if they were never registered:
# bearer headers, xAI keys, OAuth1 signature/token parameters.
_PATTERNS = (
    re.compile(r"(?i)(authorization\s*[:=]\s*)(bearer\s+)?\S+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(r"\bxai-[A-Za-z0-9]{6,}"),
    re.compile(r"(?i)(oauth_(?:signature|token|consumer_key)=\"?)[^\",&\s]+"),
)

_lock = threading.Lock()
_known: set[str] = set()


class Secret:
    """A string that hides itself from ``str``, ``repr`` and f-strings.

    Use :meth:`get` at the one place the real value is needed (an HTTP header).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def get(self) -> str:
        """Return the real value."""
        return self._value

    def masked(self) -> str:
        """Return a recognisable but safe form, e.g. ``xai-…9f3``."""
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked()!r})"

    __str__ = masked

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def mask(value: str) -> str:
    """Show a prefix up to the first dash (max 4 chars) and the last 3 characters."""
    if len(value) < 10:
        return "…" * bool(value)
    head = value.split("-", 1)[0][:4] + "-" if "-" in value[:5] else ""
    return f"{head}…{value[-3:]}"


def register_secret(value: str) -> None:
    """Remember a value so that :func:`redact` removes it from any text."""
    if len(value) >= _MIN_SECRET_CHARS:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """Remove every registered secret and every credential-shaped token from ``text``."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, _REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(_keep_prefix, text)
    return text


def _keep_prefix(match: re.Match[str]) -> str:
    prefix = "".join(group for group in match.groups() if group)
    return prefix + _REDACTED
