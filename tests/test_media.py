"""Video I/O on real H.264 files: probe, decode order, exact seeks, errors for bad files."""

from __future__ import annotations

import numpy as np
import pytest

from core.media import MediaError, VideoReader, iter_frames, probe, write_mp4


def _ramp(n=36, w=96, h=64):
    for i in range(n):
        frame = np.zeros((h, w, 3), np.uint8)
        frame[:] = i * 7
        yield frame


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return write_mp4(tmp_path_factory.mktemp("media") / "ramp.mp4", _ramp(), fps=24, crf=12)


def test_probe(clip):
    info = probe(clip)
    assert (info.width, info.height, info.frame_count) == (96, 64, 36)
    assert info.fps == pytest.approx(24)
    assert info.duration_s == pytest.approx(1.5)
    assert info.codec == "h264" and info.pix_fmt == "yuv420p"
    assert info.has_audio and not info.vfr


def test_iter_frames_in_order_rgb_and_luma(clip):
    frames = list(iter_frames(clip))
    assert [i for i, _, _ in frames] == list(range(36))
    assert frames[10][1] == pytest.approx(10 / 24)
    means = [float(a.mean()) for _, _, a in frames]
    assert means == sorted(means)
    luma = next(iter_frames(clip, fmt="y"))[2]
    assert luma.shape == (64, 96) and luma.dtype == np.uint8
    small = next(iter_frames(clip, size=(48, 32)))[2]
    assert small.shape == (32, 48, 3)


def test_reader_seeks_exactly_in_any_order(clip):
    truth = [a for _, _, a in iter_frames(clip)]
    with VideoReader(clip) as reader:
        for index in (20, 3, 35, 0, 1, 2, 17, 16):
            assert np.array_equal(reader.frame(index), truth[index]), index
        with pytest.raises(IndexError):
            reader.frame(36)


def test_bad_files_name_the_file(tmp_path, clip):
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00junk" * 200)
    with pytest.raises(MediaError, match=r"garbage\.mp4: not a readable video"):
        probe(garbage)
    with pytest.raises(MediaError, match="no such file"):
        probe(tmp_path / "missing.mp4")
    truncated = tmp_path / "truncated.mp4"
    data = clip.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])
    # The index (moov first, faststart) survives the cut: probe sees what is missing, and
    # decoding yields exactly the frames that are there.
    info = probe(truncated)
    assert info.truncated and 0 < info.frame_count < 36
    assert sum(1 for _ in iter_frames(truncated)) == info.frame_count
    assert not probe(clip).truncated
    with pytest.raises(MediaError, match="no frames to write"):
        write_mp4(tmp_path / "empty.mp4", [], fps=24)
