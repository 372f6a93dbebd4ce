"""Review player frame rate: shown frames per second against the clip's 24 fps, offscreen.

Measures, in one run and on the same clips:

* ``player``: the ReviewPanel playing a 1280x720 24 fps clip with the heatmap overlay and
  event boxes on (decode on the worker thread, LRU + decode-ahead, wall-clock pacing);
* ``side-by-side``: the panel comparing two 720p clips, both with overlays;
* ``naive``: the baseline the design replaces — on each 24 fps timer tick, decode the wanted
  frame on the GUI thread, blend the overlay in numpy, build a QImage and show it in a QLabel
  (no cache, no prefetch), paced and drop-counted the same way.

Shown frames are counted when a frame is put on screen; positions the wall clock passed
without a frame are dropped. The ratio printed is shown fps / 24. The heatmaps are
synthetic (a moving hot blob at analysis resolution): the overlay's cost does not depend on
what the heat means, and a real 720p analysis would dominate the run time.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/player_fps.py [--seconds 6]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QLabel

from core.analysis import CLASSES, Event, Report
from core.media import VideoReader
from core.reports import write_report
from core.review import (
    FrameRange,
    Playhead,
    colormap_lut,
    compose_still,
    quantize,
    read_report,
)
from core.synth import ClipSpec, render_clip
from gui.review import ReviewPanel

TARGET_FPS = 24.0
WIDTH, HEIGHT = 1280, 720
# The analysis stores heatmaps at its detectors' map size: 320x180 for a 640x360 analysis.
HEAT_W, HEAT_H = 320, 180


def make_clip(folder: Path, name: str, seed: int, duration_s: float) -> tuple[Path, Path]:
    """A 720p synth clip and a report dir (written by core.reports) with moving heat."""
    clip = folder / f"{name}.mp4"
    spec = ClipSpec("a juggler in a windy street", seed, WIDTH, HEIGHT, 24, duration_s)
    render_clip(spec, clip)
    frames = spec.frame_count
    yy, xx = np.mgrid[0:HEAT_H, 0:HEAT_W]
    blob = np.stack(
        [np.exp(-((xx - (40 + i * 2.4)) ** 2 + (yy - 90) ** 2) / 800.0) for i in range(frames)]
    ).astype(np.float16)
    heat = {c: np.zeros_like(blob) for c in CLASSES}
    heat["warping"], heat["flicker"] = blob, blob[::-1].copy()
    rows = [
        {"frame": float(i), "time_s": i / 24, **dict.fromkeys(CLASSES, 0.0)} for i in range(frames)
    ]
    event = Event("warping", 2, frames - 2, frames // 2, 0.9, (200, 300, 520, 520))
    report = Report(
        str(clip),
        24.0,
        frames,
        WIDTH,
        HEIGHT,
        "cpu",
        0.0,
        {"overall": 0.9},
        [event],
        ["frame", "time_s", *CLASSES],
        rows,
        heat,
    )
    return clip, write_report(report, folder / f"{name}.analysis", html=False)


def pump(seconds: float) -> None:
    """Run the Qt event loop for ``seconds`` (the benchmark is the only thing running)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(condition, timeout_s: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark set-up did not finish")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def run_panel(clips: list[tuple[Path, Path]], seconds: float) -> dict[str, float]:
    """Play the panel (one clip, or two side by side) for ``seconds``; return its counts."""
    panel = ReviewPanel()
    panel.resize(1600, 1000)
    panel.show()
    panel.open_clip(*clips[0])
    if len(clips) > 1:
        panel.open_compare(*clips[1])
    wait_until(lambda: all(s.report is not None for s in panel.sides) and panel.shown_frame == 0)
    panel.player.set_loop(FrameRange(0, panel.player.playhead.clip.last))
    pump(0.5)  # let the decoders fill the first second
    panel.player.play(1.0)
    pump(seconds)
    stats = panel.player.stats
    elapsed = time.perf_counter() - stats.started_s
    result = {
        "shown": stats.shown,
        "dropped": stats.dropped,
        "seconds": elapsed,
        "fps": stats.shown / elapsed,
    }
    panel.player.pause()
    panel.close_clips()
    panel.close()
    return result


class NaivePlayer:
    """Decode + overlay blend + QImage + QLabel per tick, all on the GUI thread."""

    def __init__(self, clip: Path, report_dir: Path) -> None:
        self.reader = VideoReader(clip)
        self.report = read_report(report_dir)
        self.heat = {k: quantize(v / 255.0) for k, v in self.report.heatmaps.items()}
        self.lut = colormap_lut("inferno", 0.6, 0.15)
        self.label = QLabel()
        self.label.resize(1280, 720)
        self.label.show()
        info = self.reader.info
        self.playhead = Playhead(info.frame_count, info.fps)
        self.playhead.set_loop(FrameRange(0, info.frame_count - 1))
        self.shown = self.dropped = 0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.tick)

    def tick(self) -> None:
        tick = self.playhead.tick(time.perf_counter())
        if not tick.advanced:
            return
        frame = self.reader.frame(tick.frame)
        heat = self.report.heat(next(iter(self.report.heatmaps)), tick.frame)
        still = compose_still(frame, heat, self.lut, self.report.events_at(tick.frame))
        image = QImage(
            still.data,
            still.shape[1],
            still.shape[0],
            still.strides[0],
            QImage.Format.Format_RGB888,
        )
        self.label.setPixmap(QPixmap.fromImage(image))
        self.label.repaint()
        self.shown += 1
        self.dropped += tick.advanced - 1

    def run(self, seconds: float) -> dict[str, float]:
        start = time.perf_counter()
        self.playhead.play(start)
        self.timer.start(int(1000 / TARGET_FPS / 2))
        pump(seconds)
        self.timer.stop()
        elapsed = time.perf_counter() - start
        self.reader.close()
        self.label.close()
        return {
            "shown": self.shown,
            "dropped": self.dropped,
            "seconds": elapsed,
            "fps": self.shown / elapsed,
        }


def report_line(name: str, result: dict[str, float], baseline_fps: float | None) -> str:
    ratio = result["fps"] / TARGET_FPS
    versus = f"  {result['fps'] / baseline_fps:5.2f}x naive" if baseline_fps else ""
    return (
        f"{name:<14} shown {result['shown']:4.0f}  dropped {result['dropped']:4.0f}  "
        f"{result['fps']:6.2f} fps  = {ratio:4.2f} x 24 fps target{versus}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="playback time per case")
    parser.add_argument("--clip-seconds", type=float, default=4.0, help="length of the clips")
    args = parser.parse_args()
    QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip_a = make_clip(folder, "a", 1, args.clip_seconds)
        clip_b = make_clip(folder, "b", 2, args.clip_seconds)
        print(
            f"clips: 2 x {WIDTH}x{HEIGHT} {TARGET_FPS:g} fps, {args.clip_seconds:g} s, "
            f"heatmaps {HEAT_W}x{HEAT_H}; {args.seconds:g} s of playback per case; "
            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        naive = NaivePlayer(*clip_a).run(args.seconds)
        single = run_panel([clip_a], args.seconds)
        pair = run_panel([clip_a, clip_b], args.seconds)
    print(report_line("naive", naive, None))
    print(report_line("player", single, naive["fps"]))
    print(report_line("side-by-side", pair, naive["fps"]))


if __name__ == "__main__":
    main()
