"""Full defect analysis speed vs a naive per-frame baseline, measured in the same run.

    .venv/bin/python benchmarks/analysis_speed.py [--seconds 10] [--baseline-frames 48] [--rounds 5]

Makes a 1280x720, 24 fps H.264 clip with core.synth (warp + flicker + vanish injected), then
measures frames/s of:

- baseline: decode each frame at full resolution, scikit-image SSIM of consecutive grey frames
  and OpenCV Farneback flow (0.5, 3 levels, window 15, 3 iterations, poly 5, sigma 1.2), one
  frame at a time (timed on the first ``--baseline-frames`` frames: it is slow);
- ours on CPU: ``core.analysis.analyze`` end to end (decode, flow, all five detectors, heatmaps,
  report assembly; no files written);
- ours on CUDA, when a GPU is present: the same, per batch size, with peak GPU memory.

The machine this runs on is usually shared, so the CPU runs alternate (baseline, ours,
baseline, ours, ...) for ``--rounds`` rounds: each ratio compares two runs taken seconds apart
under the same load. It prints every round, the median ratio, the best frames/s of each and
the load average before and after.

Goals (issue #5): CPU >= 24 fps (real time) and >= 10x the baseline; CUDA >= 300 fps.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import cv2
from skimage.metrics import structural_similarity

from core.analysis import AnalysisOptions, analyze
from core.media import iter_frames
from core.synth import ClipSpec, DefectSpec, render_clip


def make_clip(path: Path, seconds: float) -> Path:
    defects = (
        DefectSpec("warp", 40, 60, (300, 200, 560, 460)),
        DefectSpec("flicker", 100, 112, (700, 150, 1000, 450)),
        DefectSpec("vanish", 150, 153, (800, 400, 1000, 600)),
    )
    frames = round(seconds * 24)
    spec = ClipSpec(
        "benchmark: a busy street",
        1,
        1280,
        720,
        24,
        seconds,
        tuple(d for d in defects if d.end_frame <= frames),
    )
    render_clip(spec, path, crf=20)
    return path


def baseline_fps(path: Path, frames: int) -> tuple[float, float]:
    """(frames/s, CPU ms per frame)."""
    start, cpu = time.perf_counter(), time.process_time()
    prev = None
    done = 0
    for _, _, rgb in iter_frames(path):
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        if prev is not None:
            structural_similarity(prev, grey, data_range=255)
            cv2.calcOpticalFlowFarneback(prev, grey, None, 0.5, 3, 15, 3, 5, 1.2, 0)
        prev = grey
        done += 1
        if done >= frames:
            break
    return done / (time.perf_counter() - start), (time.process_time() - cpu) / done * 1000


def ours_fps(path: Path, device: str, batch: int = 16) -> tuple[float, int, int, int, float]:
    """(frames/s, frames, batch used, peak GPU bytes, CPU ms per frame) of one timed run."""
    start, cpu = time.perf_counter(), time.process_time()
    report = analyze(path, AnalysisOptions(device=device, batch_frames=batch, html=False))
    elapsed, cpu_ms = time.perf_counter() - start, (time.process_time() - cpu) * 1000
    frames = report.frame_count
    return frames / elapsed, frames, report.batch_frames, report.peak_memory_bytes, cpu_ms / frames


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_rounds(clip: Path, rounds: int, baseline_frames: int) -> None:
    """Alternate baseline and ours ``rounds`` times; print each round and the summary."""
    analyze(clip, AnalysisOptions(device="cpu", html=False))  # warm-up (imports, caches)
    ratios, ours_best, base_best = [], 0.0, 0.0
    for index in range(rounds):
        base, base_cpu = baseline_fps(clip, baseline_frames)
        fps, frames, _, _, cpu = ours_fps(clip, "cpu")
        ratios.append(fps / base)
        ours_best, base_best = max(ours_best, fps), max(base_best, base)
        print(
            f"round {index + 1}: baseline {base:5.2f} fps ({base_cpu:3.0f} CPU ms/frame), "
            f"ours {fps:5.1f} fps ({cpu:2.0f} CPU ms/frame, {frames} frames) -> "
            f"{fps / base:4.1f}x   load {_load()}"
        )
    median = statistics.median(ratios)
    print(
        f"CPU, analysed at 640x360: median ratio {median:.1f}x the baseline (goal >= 10), "
        f"best {ours_best:.1f} fps = {ours_best / 24:.2f}x real time (goal >= 1); "
        f"baseline best {base_best:.2f} fps"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--baseline-frames", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {_load()}")
    with tempfile.TemporaryDirectory() as folder:
        clip = make_clip(Path(folder) / "bench720.mp4", args.seconds)
        cpu_rounds(clip, max(1, args.rounds), args.baseline_frames)
        import torch

        if torch.cuda.is_available():
            ours_fps(clip, "cuda")  # warm-up
            for size in (16, 64, 128):
                fps, _, used, peak, _ = ours_fps(clip, "cuda", size)
                print(
                    f"ours, CUDA ({torch.cuda.get_device_name(0)}), batch {used}: "
                    f"{fps:.1f} frames/s, "
                    f"peak GPU memory {peak / 2**20:.0f} MiB (goal >= 300 fps)"
                )
        else:
            print("ours, CUDA: no GPU here (the code path is the same; run this on a GPU machine)")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
