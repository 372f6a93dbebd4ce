"""Video I/O on PyAV: probe, frame-accurate decode, H.264 + AAC encode.

PyAV rather than OpenCV's VideoCapture: exact seeks by presentation timestamp, the decoded
Y plane as stored (for ffmpeg-compatible PSNR/SSIM), threaded decode, and an encoder that
writes yuv420p H.264 with an AAC track in one container.
"""

from core.media._decode import VideoInfo, VideoReader, iter_frames, probe
from core.media._encode import Mp4Writer, write_mp4
from core.media._errors import MediaError

__all__ = [
    "MediaError",
    "Mp4Writer",
    "VideoInfo",
    "VideoReader",
    "iter_frames",
    "probe",
    "write_mp4",
]
