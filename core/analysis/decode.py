"""Decode a video straight to analysis size: luma and chroma planes as stored.

PyAV decodes with FFmpeg's frame threads and swscale resizes in the same step, so the analysis
never holds a full-resolution frame. Luma is the Y plane exactly as the encoder stored it (no
range conversion), which is what ffmpeg's PSNR/SSIM filters measure too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

from core.media import MediaError

Plane = NDArray[np.uint8]


@dataclass(frozen=True)
class DecodedFrame:
    """One frame at analysis size."""

    index: int
    time_s: float
    y: Plane
    """(h, w) luma as stored."""
    uv: Plane
    """(2, h/2, w/2) chroma planes U and V."""


def analysis_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """(w, h) with the short side at most ``short_side``, aspect kept, both even, >= 16."""
    scale = min(1.0, short_side / max(1, min(width, height)))
    w = max(16, round(width * scale / 2.0) * 2)
    h = max(16, round(height * scale / 2.0) * 2)
    return w, h


def _plane(frame: Any, index: int, rows: int, cols: int) -> Plane:
    plane = frame.planes[index]
    data = np.frombuffer(plane, np.uint8).reshape(rows, plane.line_size)
    return np.ascontiguousarray(data[:, :cols])


def decode(path: Path, size: tuple[int, int]) -> Iterator[DecodedFrame]:
    """Yield every frame of ``path`` at ``size`` (w, h) in presentation order.

    Raises
    ------
    MediaError
        When the file cannot be opened or decoding fails; the message names the last good
        frame, so a truncated download is told apart from an unreadable file.
    """
    w, h = size
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as err:
        raise MediaError(path, f"not a readable video ({err})") from err
    with container:
        if not container.streams.video:
            raise MediaError(path, "contains no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        yield from _frames(container, stream, path, w, h)


def _frames(container: Any, stream: Any, path: Path, w: int, h: int) -> Iterator[DecodedFrame]:
    base = stream.time_base or Fraction(1, 1000)
    start: int | None = None
    index = -1
    try:
        for frame in container.decode(stream):
            pts = frame.pts if frame.pts is not None else (index + 1)
            start = pts if start is None else start
            small = frame.reformat(width=w, height=h, format="yuv420p")
            uv = np.stack([_plane(small, 1, h // 2, w // 2), _plane(small, 2, h // 2, w // 2)])
            index += 1
            yield DecodedFrame(index, float((pts - start) * base), _plane(small, 0, h, w), uv)
    except av.error.FFmpegError as err:
        raise MediaError(path, f"decoding failed after frame {index}: {err}") from err
