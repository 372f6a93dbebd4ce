"""Decoding: probe a file, iterate frames (optionally scaled), and seek to an exact frame.

Frame numbering is by presentation order over the demuxed packet timestamps, so a
variable-frame-rate file still maps index -> time exactly. Seeks go backward to the keyframe
and decode forward to the wanted timestamp (seeking by frame number is unreliable in FFmpeg).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np
from numpy.typing import NDArray

from core.media._errors import MediaError

PixelFormat = Literal["rgb24", "y"]
"""``rgb24``: HxWx3 uint8. ``y``: the decoded luma plane as stored, HxW uint8 (no range change)."""


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds. ``fps`` is the average rate; ``vfr`` flags uneven spacing."""

    path: Path
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    codec: str
    pix_fmt: str
    has_audio: bool
    vfr: bool
    frame_times_s: tuple[float, ...]
    """Presentation time of each frame, relative to the first frame (which is 0.0)."""
    start_s: float = 0.0
    """Absolute presentation time of the first frame in the stream's clock."""
    declared_frames: int = 0
    """Frame count the container's index promises (0 when it does not say)."""

    @property
    def truncated(self) -> bool:
        """True when the file holds fewer frames than its index promises (a cut download)."""
        return self.declared_frames > self.frame_count


def _open(path: Path) -> Any:
    if not path.is_file():
        raise MediaError(path, "no such file")
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as err:
        raise MediaError(path, f"not a readable video ({err.__class__.__name__}: {err})") from err


def _video_stream(container: Any, path: Path) -> Any:
    if not container.streams.video:
        raise MediaError(path, "contains no video stream")
    return container.streams.video[0]


def probe(path: Path | str) -> VideoInfo:
    """Read a video's geometry and exact frame timestamps (demux only, no decode)."""
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        pts = _packet_pts(container, stream, path)
        if not pts:
            raise MediaError(path, "contains no video frames")
        base = stream.time_base or Fraction(1, 1000)
        start = pts[0]
        times = tuple(float((p - start) * base) for p in pts)
        ctx = stream.codec_context
        return VideoInfo(
            path=path,
            width=int(ctx.width),
            height=int(ctx.height),
            fps=_fps(stream, times),
            frame_count=len(times),
            duration_s=_duration(times),
            codec=str(ctx.name),
            pix_fmt=str(ctx.pix_fmt or ""),
            has_audio=bool(container.streams.audio),
            vfr=_is_vfr(times),
            frame_times_s=times,
            start_s=float(start * base),
            declared_frames=int(stream.frames or 0),
        )


def _packet_pts(container: Any, stream: Any, path: Path) -> list[int]:
    pts: list[int] = []
    try:
        for packet in container.demux(stream):
            if packet.pts is not None and packet.size > 0:
                pts.append(int(packet.pts))
    except av.error.FFmpegError as err:
        if not pts:
            raise MediaError(path, f"cannot be demuxed ({err})") from err
    return sorted(pts)


def _fps(stream: Any, times: tuple[float, ...]) -> float:
    rate = stream.average_rate or stream.guessed_rate
    if rate:
        return float(rate)
    return (len(times) - 1) / times[-1] if len(times) > 1 and times[-1] > 0 else 0.0


def _duration(times: tuple[float, ...]) -> float:
    if len(times) < 2:
        return 0.0
    return times[-1] + (times[-1] - times[0]) / (len(times) - 1)


def _is_vfr(times: tuple[float, ...]) -> bool:
    if len(times) < 3:
        return False
    gaps = np.diff(np.asarray(times))
    return bool(gaps.max() - gaps.min() > 0.25 * float(np.median(gaps)))


def _to_array(frame: Any, fmt: PixelFormat, size: tuple[int, int] | None) -> NDArray[np.uint8]:
    if fmt == "y":
        if size is not None:
            frame = frame.reformat(width=size[0], height=size[1])
        plane = frame.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)
        return np.ascontiguousarray(rows[:, : frame.width])
    sized = {} if size is None else {"width": size[0], "height": size[1]}
    rgb: NDArray[np.uint8] = frame.to_ndarray(format="rgb24", **sized)
    return rgb


def iter_frames(
    path: Path | str,
    fmt: PixelFormat = "rgb24",
    size: tuple[int, int] | None = None,
    threads: bool = True,
) -> Iterator[tuple[int, float, NDArray[np.uint8]]]:
    """Yield ``(index, time_s, array)`` for every frame, in presentation order.

    ``size`` is (width, height) to scale to while decoding. A file that breaks mid-way ends
    the iteration with :class:`MediaError` naming the last good frame.
    """
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        if threads:
            stream.thread_type = "AUTO"
        base = stream.time_base or Fraction(1, 1000)
        start: int | None = None
        index = -1
        try:
            for frame in container.decode(stream):
                pts = frame.pts if frame.pts is not None else 0
                start = pts if start is None else start
                index += 1
                yield index, float((pts - start) * base), _to_array(frame, fmt, size)
        except av.error.FFmpegError as err:
            raise MediaError(path, f"decoding failed after frame {index}: {err}") from err
        if index < 0:
            raise MediaError(path, "contains no decodable video frames")


class VideoReader:
    """Random access to frames by index, for the player and for exported stills.

    Keeps the container open; not thread-safe (one reader per thread). Sequential reads
    (index n+1 after n) continue decoding without seeking, so playback costs one decode per
    frame.
    """

    def __init__(self, path: Path | str, fmt: PixelFormat = "rgb24") -> None:
        self.info = probe(path)
        self._fmt: PixelFormat = fmt
        self._container = _open(self.info.path)
        self._stream = _video_stream(self._container, self.info.path)
        self._stream.thread_type = "AUTO"
        base = self._stream.time_base or Fraction(1, 1000)
        self._tick_s = float(base)
        self._decoder: Iterator[Any] | None = None
        self._next_index = -1
        self._size: tuple[int, int] | None = None

    def set_size(self, size: tuple[int, int] | None) -> None:
        """Scale frames to (width, height) while decoding; ``None`` for source size."""
        self._size = size

    def close(self) -> None:
        """Release the file."""
        self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def frame(self, index: int) -> NDArray[np.uint8]:
        """Return frame ``index`` (0-based, presentation order)."""
        if not 0 <= index < self.info.frame_count:
            raise IndexError(f"frame {index} out of range 0..{self.info.frame_count - 1}")
        if index != self._next_index:
            self._seek(index)
        target_s = self.info.frame_times_s[index]
        while True:
            frame = self._decode_next()
            time_s = self._time_of(frame)
            if time_s >= target_s - self._tick_s / 2:
                self._next_index = index + 1
                return _to_array(frame, self._fmt, self._size)

    def _seek(self, index: int) -> None:
        target_s = self.info.start_s + self.info.frame_times_s[index]
        self._container.seek(int(target_s / self._tick_s), stream=self._stream, backward=True)
        self._decoder = None

    def _decode_next(self) -> Any:
        if self._decoder is None:
            self._decoder = iter(self._container.decode(self._stream))
        try:
            return next(self._decoder)
        except StopIteration:
            raise MediaError(self.info.path, "ended before the requested frame") from None
        except av.error.FFmpegError as err:
            raise MediaError(self.info.path, f"decoding failed: {err}") from err

    def _time_of(self, frame: Any) -> float:
        return int(frame.pts or 0) * self._tick_s - self.info.start_s
