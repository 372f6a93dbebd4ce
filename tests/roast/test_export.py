"""Exporting a clip for X: the plan as tables, real encodes probed with core.media."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.export import (
    ExportCancelled,
    ExportError,
    ExportOptions,
    SegmentMode,
    export_clip,
    output_geometry,
    plan_export,
    worst_window,
    x_video_problems,
)
from core.media import VideoReader, probe, write_mp4
from core.roast.sources import load_facts


@pytest.mark.parametrize(
    ("peak", "start", "end", "clip", "length", "window"),
    [
        (3.0, 3.0, 3.0, 8.0, 4.0, (1.0, 5.0)),  # centred on the peak
        (0.3, 0.2, 0.5, 8.0, 4.0, (0.0, 4.0)),  # clamped at the start
        (7.9, 7.5, 8.0, 8.0, 4.0, (4.0, 8.0)),  # clamped at the end
        (2.0, 1.0, 3.0, 1.5, 4.0, (0.0, 1.5)),  # clip shorter than the window
        (5.0, 1.0, 9.0, 20.0, 4.0, (0.5, 9.5)),  # long event shown whole, half a second margin
        (50.0, 0.0, 100.0, 200.0, 4.0, (48.0, 52.0)),  # very long event: around its peak
        (100.0, 100.0, 100.0, 500.0, 140.0, (30.0, 170.0)),  # whole clip capped at 140 s
    ],
)
def test_worst_window(peak, start, end, clip, length, window):
    assert worst_window(peak, start, end, clip, length) == pytest.approx(window)


@pytest.mark.parametrize(
    ("size", "out", "content"),
    [
        ((1920, 1080), (1280, 720), (1280, 720)),
        ((1080, 1920), (576, 1024), (576, 1024)),
        ((854, 480), (854, 480), (854, 480)),
        ((1000, 100), (1000, 334), (1000, 100)),  # 10:1 gets bars up to 3:1
        ((100, 1000), (334, 1000), (100, 1000)),
        ((200, 40), (200, 68), (200, 40)),  # 66 would make 3.03:1
        ((16, 16), (32, 32), (32, 32)),  # below X's 32 px minimum: scaled up
        ((3000, 300), (1280, 428), (1280, 128)),
    ],
)
def test_output_geometry(size, out, content):
    g = output_geometry(*size)
    assert (g.width, g.height) == out
    assert (g.content_width, g.content_height) == content
    assert g.pad_x == (g.width - g.content_width) // 2
    assert g.pad_y == (g.height - g.content_height) // 2
    assert 1 / 3 <= g.width / g.height <= 3 and g.width % 2 == g.height % 2 == 0


def _probe_limits(path: Path) -> None:
    info = probe(path)
    assert (info.codec, info.pix_fmt, info.has_audio) == ("h264", "yuv420p", True)
    assert x_video_problems(info, path.stat().st_size) == []
    # x264 writes its settings into the stream: the GOPs are closed
    assert b"open_gop=0" in path.read_bytes()


def test_worst_segment_export_meets_x_limits(make_analysed_clip, tmp_path):
    clip = make_analysed_clip(duration_s=3.0, defect=("melt", 48, 60))  # 2.0-2.5 s
    facts = load_facts(clip)
    progress: list[tuple[int, int]] = []
    options = ExportOptions(segment_s=1.0)
    out = tmp_path / "out" / "roast.mp4"
    out.parent.mkdir()
    result = export_clip(
        clip.clip_path, out, facts, clip.report_dir, options, lambda d, t: progress.append((d, t))
    )
    _probe_limits(out)
    info = probe(out)
    assert (info.width, info.height, info.fps) == (160, 96, 24.0)
    # the event (frames 48-59) plus half a second either side, clamped to the 3 s clip
    assert result.start_s == pytest.approx(1.5) and info.frame_count == 36 == result.frame_count
    assert info.duration_s == pytest.approx(result.duration_s) == pytest.approx(1.5)
    assert result.size_bytes == out.stat().st_size
    assert progress[-1] == (36, 36) and [d for d, _ in progress] == list(range(1, 37))
    assert list(out.parent.iterdir()) == [out]


def test_whole_clip_high_fps_and_extreme_aspect(tmp_path):
    src = tmp_path / "wide.mp4"
    frames = [np.full((40, 200, 3), i * 2, np.uint8) for i in range(120)]  # 5:1 at 120 fps
    write_mp4(src, frames, 120.0)
    out = tmp_path / "whole.mp4"
    result = export_clip(src, out, options=ExportOptions(segment=SegmentMode.WHOLE, caption=False))
    _probe_limits(out)
    info = probe(out)
    assert info.fps == 60.0 and info.frame_count == 60 and (info.width, info.height) == (200, 68)
    assert result.duration_s == pytest.approx(1.0)
    with VideoReader(out) as reader:
        frame = reader.frame(30)
    assert frame[:8].max() < 20 and frame[-8:].max() < 20  # black bars top and bottom
    assert abs(int(frame[34, 100, 0]) - 120) < 12  # the picture in the middle (frame 60 of src)


def test_too_short_clip_is_held_to_half_a_second(tmp_path):
    src = tmp_path / "short.mp4"
    write_mp4(src, [np.zeros((64, 64, 3), np.uint8)] * 3, 24.0)
    out = tmp_path / "held.mp4"
    result = export_clip(src, out, options=ExportOptions(caption=False))
    info = probe(out)
    assert info.frame_count == result.frame_count == 12
    assert x_video_problems(info, out.stat().st_size) == []


def test_heatmap_and_caption_are_burned_in(make_analysed_clip, tmp_path):
    clip = make_analysed_clip(duration_s=1.0, defect=("melt", 6, 18))
    facts = replace(load_facts(clip), peak_s=0.5)
    plain, hot = tmp_path / "plain.mp4", tmp_path / "hot.mp4"
    export_clip(clip.clip_path, plain, facts, clip.report_dir, ExportOptions(caption=False))
    export_clip(clip.clip_path, hot, facts, clip.report_dir, ExportOptions(heatmap=True))
    with VideoReader(plain) as a, VideoReader(hot) as b:
        during = np.abs(a.frame(12).astype(int) - b.frame(12).astype(int))
        before = np.abs(a.frame(2).astype(int) - b.frame(2).astype(int))
    box = during[24 + 4 : 48 - 4, 40 + 4 : 80 - 4]  # inside the defect box (size/4..size/2)
    assert box.mean() > 40
    assert during[60:, 100:].mean() < 3  # far from box and caption: untouched
    assert before[30:, :].mean() < 3  # no heat before the defect starts
    assert before[:8, :60].mean() > 20  # the caption is there on every frame


def test_heatmap_without_report_is_an_error(make_analysed_clip, tmp_path):
    clip = make_analysed_clip(duration_s=0.5, defect=("melt", 2, 6))
    (clip.report_dir / "heatmaps.npz").unlink()
    with pytest.raises(ExportError, match=r"heatmaps\.npz"):
        export_clip(
            clip.clip_path,
            tmp_path / "x.mp4",
            load_facts(clip),
            clip.report_dir,
            ExportOptions(heatmap=True),
        )


def test_cancel_leaves_no_file(make_analysed_clip, tmp_path):
    clip = make_analysed_clip(duration_s=1.0, defect=("melt", 6, 18))
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 5:
            cancel.set()

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportCancelled):
        export_clip(
            clip.clip_path, out / "c.mp4", load_facts(clip), progress=progress, cancel=cancel
        )
    assert list(out.iterdir()) == []


def test_plan_without_facts_starts_at_the_beginning(make_analysed_clip):
    clip = make_analysed_clip(duration_s=1.0, defect=("melt", 6, 18))
    plan = plan_export(probe(clip.clip_path), None, ExportOptions(segment_s=0.5))
    assert (plan.first_frame, plan.end_frame, plan.step, plan.hold_frames) == (0, 12, 1, 0)
