"""The one error type of the media layer."""

from __future__ import annotations

from pathlib import Path


class MediaError(Exception):
    """A video cannot be read or written; the message names the file and what is wrong."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
