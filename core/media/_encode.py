"""Encoding: H.264 (yuv420p) video with an AAC audio track, as X and every player accept.

Frames are written as they come (no whole clip in memory). The audio track is a quiet tone
(or silence) of the video's exact length, because the real API delivers clips with audio and
X rejects some audio-less uploads in practice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

from core.media._errors import MediaError

AUDIO_RATE_HZ = 48_000
AAC_FRAME_SAMPLES = 1024


class Mp4Writer:
    """Write RGB frames to an MP4 file: ``with Mp4Writer(path, 640, 360, 24) as w: w.write(f)``.

    Parameters
    ----------
    width, height:
        Frame size in pixels; both must be even (yuv420p).
    fps:
        Constant frame rate.
    crf:
        x264 quality (lower is better); 23 is x264's default.
    preset:
        x264 speed preset; ``veryfast`` keeps simulator and test clips cheap to make.
    audio:
        ``"tone"`` (a quiet 440 Hz sine), ``"silence"`` or ``None`` for no audio track.
    """

    def __init__(
        self,
        path: Path | str,
        width: int,
        height: int,
        fps: float,
        crf: int = 23,
        preset: str = "veryfast",
        audio: str | None = "tone",
        gop: int | None = None,
    ) -> None:
        if width % 2 or height % 2:
            raise MediaError(path, f"frame size {width}x{height} must be even for yuv420p")
        self.path = Path(path)
        self._rate = Fraction(fps).limit_denominator(1001)
        try:
            # faststart puts the index first so players and uploads can stream the file.
            self._container: Any = av.open(
                str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"}
            )
        except (av.error.FFmpegError, OSError) as err:
            raise MediaError(self.path, f"cannot be created ({err})") from err
        self._video = self._container.add_stream("libx264", rate=self._rate)
        self._video.width, self._video.height = width, height
        self._video.pix_fmt = "yuv420p"
        # Closed GOPs and no B-pyramid quirks: X refuses open-GOP uploads.
        self._video.options = {"crf": str(crf), "preset": preset, "open-gop": "0"}
        if gop:
            self._video.codec_context.gop_size = gop
        self._audio_kind = audio
        self._audio = self._container.add_stream("aac", rate=AUDIO_RATE_HZ) if audio else None
        if self._audio is not None:
            self._audio.layout = "mono"
        self._frames = 0

    def write(self, rgb: NDArray[np.uint8]) -> None:
        """Encode one HxWx3 uint8 RGB frame."""
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame.pts = self._frames
        frame.time_base = 1 / self._rate
        for packet in self._video.encode(frame):
            self._container.mux(packet)
        self._frames += 1

    def close(self) -> None:
        """Flush the encoders, write the audio track and finish the file."""
        for packet in self._video.encode():
            self._container.mux(packet)
        if self._audio is not None:
            self._write_audio(self._frames / float(self._rate))
        self._container.close()

    def _write_audio(self, duration_s: float) -> None:
        assert self._audio is not None
        total = round(duration_s * AUDIO_RATE_HZ)
        amplitude = 0.05 if self._audio_kind == "tone" else 0.0
        for start in range(0, total, AAC_FRAME_SAMPLES):
            count = min(AAC_FRAME_SAMPLES, total - start)
            t = (np.arange(start, start + count) / AUDIO_RATE_HZ).astype(np.float32)
            samples = (amplitude * np.sin(2 * math.pi * 440.0 * t)).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(samples[None, :], format="fltp", layout="mono")
            frame.sample_rate = AUDIO_RATE_HZ
            frame.pts = start
            for packet in self._audio.encode(frame):
                self._container.mux(packet)
        for packet in self._audio.encode():
            self._container.mux(packet)

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._container.close()
            self.path.unlink(missing_ok=True)


def write_mp4(
    path: Path | str,
    frames: Iterable[NDArray[np.uint8]],
    fps: float,
    **options: Any,
) -> Path:
    """Write an iterable of equal-sized RGB frames to ``path``; return the path."""
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        raise MediaError(path, "no frames to write")
    height, width = first.shape[:2]
    with Mp4Writer(path, width, height, fps, **options) as writer:
        writer.write(first)
        for frame in iterator:
            writer.write(frame)
    return Path(path)
