"""analyze(): progress, live rows, cancel, and awkward inputs (corrupt, truncated, empty,
odd-sized, variable frame rate), plus the out-of-memory retry path."""

from __future__ import annotations

import threading
from fractions import Fraction

import av
import numpy as np
import pytest
import torch

from core.analysis import AnalysisCancelled, AnalysisError, AnalysisOptions, analyze, ops
from core.analysis import engine as engine_module
from core.synth import ClipSpec, iter_clip_frames, render_clip


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("engine") / "small.mp4"
    render_clip(ClipSpec("engine", 9, 192, 108, 24, 1.5), path)
    return path


def test_progress_and_live_rows_arrive_in_order(small_clip):
    seen: list[tuple[int, int]] = []
    batches: list[list[dict]] = []
    options = AnalysisOptions(batch_frames=8, on_rows=batches.append)
    report = analyze(small_clip, options, progress=lambda done, total: seen.append((done, total)))
    assert [len(b) for b in batches] == [8, 8, 8, 8, 4]
    assert [row["frame"] for b in batches for row in b] == list(range(36))
    assert seen[-1] == (36, 36) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert report.rows == [row for b in batches for row in b]


def test_batch_size_does_not_change_the_result(small_clip):
    a = analyze(small_clip, AnalysisOptions(batch_frames=5))
    b = analyze(small_clip, AnalysisOptions(batch_frames=16))
    for name in ("warping", "flicker", "physics", "ssim_prev", "flow_accel"):
        assert np.allclose(a.column(name), b.column(name), atol=1e-3), name


def test_cancel_stops_between_batches(small_clip):
    cancel = threading.Event()
    rows: list[dict] = []

    def on_rows(batch: list[dict]) -> None:
        rows.extend(batch)
        cancel.set()

    with pytest.raises(AnalysisCancelled):
        analyze(small_clip, AnalysisOptions(batch_frames=8, on_rows=on_rows), cancel=cancel)
    assert len(rows) == 8


def test_out_of_memory_halves_the_batch_and_gives_the_same_rows(small_clip, monkeypatch):
    reference = analyze(small_clip, AnalysisOptions(batch_frames=12))
    real = engine_module._Run._compute
    failed: list[int] = []

    def flaky(self, window):  # a GPU that cannot fit 12 frames (no GPU in CI to fill for real)
        if len(window.core) > 6:
            failed.append(len(window.core))
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(self, window)

    monkeypatch.setattr(engine_module._Run, "_compute", flaky)
    report = analyze(small_clip, AnalysisOptions(batch_frames=12))
    assert failed and report.batch_frames == 6
    assert any("batch reduced to 6" in w for w in report.warnings)
    assert np.allclose(report.column("warping"), reference.column("warping"), atol=1e-3)
    assert len(report.rows) == 36


def test_bad_files_raise_analysis_error_naming_the_file(tmp_path):
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"not a video" * 100)
    with pytest.raises(AnalysisError, match=r"garbage\.mp4"):
        analyze(garbage)
    with pytest.raises(AnalysisError, match="no such file"):
        analyze(tmp_path / "missing.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(AnalysisError, match=r"empty\.mp4"):
        analyze(empty)


def test_unknown_device_is_a_clear_error(small_clip):
    with pytest.raises(AnalysisError, match="cuda:7"):
        analyze(small_clip, AnalysisOptions(device="cuda:7"))


def test_truncated_file_reports_what_it_could(small_clip, tmp_path):
    cut = tmp_path / "cut.mp4"
    data = small_clip.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    # faststart puts the index first, so a cut file still opens and decodes up to the cut.
    report = analyze(cut)
    assert 2 <= report.frame_count < 36
    assert any("decoding stopped early" in w or "declared" in w for w in report.warnings)


def _write_raw(path, frames, rates_s, pix_fmt="yuv420p"):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = pix_fmt
        stream.codec_context.time_base = Fraction(1, 1000)
        t_ms = 0
        for frame, gap_s in zip(frames, rates_s, strict=True):
            vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
            vf.pts, vf.time_base = t_ms, Fraction(1, 1000)
            for packet in stream.encode(vf):
                container.mux(packet)
            t_ms += round(gap_s * 1000)
        for packet in stream.encode():
            container.mux(packet)


def test_odd_sized_video_is_analysed(tmp_path):
    frames = [f[:99, :175] for f in iter_clip_frames(ClipSpec("odd", 1, 176, 100, 24, 1.0))]
    path = tmp_path / "odd.mp4"
    _write_raw(path, frames, [1 / 24] * len(frames), pix_fmt="yuv444p")
    report = analyze(path)
    assert (report.width, report.height, report.frame_count) == (175, 99, 24)
    assert report.heatmaps["warping"].shape[0] == 24


def test_variable_frame_rate_times_come_from_timestamps(tmp_path):
    frames = list(iter_clip_frames(ClipSpec("vfr", 1, 160, 96, 24, 1.0)))
    gaps = [0.04 if i % 3 else 0.1 for i in range(len(frames))]
    path = tmp_path / "vfr.mp4"
    _write_raw(path, frames, gaps)
    report = analyze(path)
    times = report.column("time_s")
    assert times[3] == pytest.approx(gaps[0] + gaps[1] + gaps[2], abs=2e-3)
    assert any("variable frame rate" in w for w in report.warnings)


def test_zero_and_single_frame_videos_are_clear_errors(tmp_path):
    empty = tmp_path / "no-frames.mp4"
    with av.open(str(empty), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        container.start_encoding()  # header only, not one frame
    with pytest.raises(AnalysisError, match=r"no-frames\.mp4: .*(no video|no decodable|frames)"):
        analyze(empty)
    single = tmp_path / "single.mp4"
    frame = next(iter_clip_frames(ClipSpec("one", 1, 64, 64, 24, 1.0)))
    _write_raw(single, [frame], [1 / 24])
    with pytest.raises(AnalysisError, match=r"single\.mp4: has only 1 decodable frame"):
        analyze(single)


def test_large_video_is_analysed_at_analysis_size(tmp_path):
    big = tmp_path / "big.mp4"
    render_clip(ClipSpec("big", 1, 2560, 1440, 24, 0.25), big, crf=30)
    report = analyze(big)
    assert (report.width, report.height, report.frame_count) == (2560, 1440, 6)
    assert report.analysis_size == (640, 360)
    assert report.heatmaps["physics"].shape == (6, 180, 320)  # the detectors' map size
    for event in report.events:
        assert event.box[2] <= 2560 and event.box[3] <= 1440


def test_torch_code_path_gives_the_same_rows_as_the_opencv_one(small_clip, monkeypatch):
    """On CUDA the filters, SSIM and percentile pools are torch code; on CPU OpenCV/NumPy.
    FORCE_TORCH runs the CUDA code on the CPU, so CI (no GPU) checks the two agree."""
    reference = analyze(small_clip)
    monkeypatch.setattr(ops, "FORCE_TORCH", True)
    forced = analyze(small_clip)
    assert forced.metrics == reference.metrics
    for name in reference.metrics:
        assert np.allclose(forced.column(name), reference.column(name), atol=2e-3), name
