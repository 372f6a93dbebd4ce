"""Drag-and-drop onto the window: prompt lists, video files and plain text.

The same :func:`classify` decides in drag-enter, drag-move and drop, so the cursor never
promises a drop that is then ignored (gui-practices 2.5). Files come from
``mimeData().urls()`` (local files only); several files are sorted, as their order is
undefined.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeData

PROMPT_SUFFIXES = (".txt", ".csv", ".jsonl")
VIDEO_SUFFIXES = (".mp4",)


@dataclass(frozen=True)
class DropPayload:
    """What a drop carries, split by what the window does with it."""

    prompt_files: tuple[Path, ...] = ()
    """Prompt lists to import into the Prompts panel."""
    videos: tuple[Path, ...] = ()
    """Clips that go straight to analysis in the Review panel."""
    text: str = ""
    """Plain text (prompts dragged from an editor), one prompt per line."""

    def __bool__(self) -> bool:
        return bool(self.prompt_files or self.videos or self.text.strip())


def split_paths(paths: list[Path]) -> DropPayload:
    """Keep prompt lists and videos (sorted by name); ignore every other file."""
    ordered = sorted(paths, key=lambda p: str(p).casefold())
    prompts = tuple(p for p in ordered if p.suffix.lower() in PROMPT_SUFFIXES)
    videos = tuple(p for p in ordered if p.suffix.lower() in VIDEO_SUFFIXES)
    return DropPayload(prompt_files=prompts, videos=videos)


def classify(mime: QMimeData | None) -> DropPayload:
    """Return what the window would take from ``mime`` (empty when nothing usable)."""
    if mime is None:
        return DropPayload()
    if mime.hasUrls():
        local = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if local:
            return split_paths(local)
    if mime.hasText() and not mime.hasUrls():
        return DropPayload(text=mime.text())
    return DropPayload()
