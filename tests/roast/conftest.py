"""Fixtures for the roast tests: a fake X server, credentials, and analysed synthetic clips.

The report files a clip gets here are written from the clip's injected ground truth, with the
scores given as explicit inputs: they are the composer's and exporter's *input*, not analysis
results under test.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from core.roast.sources import AnalysedClip
from core.secrets import Secret
from core.synth import REPORT_CLASS, ClipSpec, DefectSpec, GroundTruth, render_clip
from core.x_client import XClient, XCredentials, XEndpoints, XLimits
from tests.roast.fake_x import FakeX

CLASS_OF = REPORT_CLASS
"""The report class each injected kind is reported as."""
HEAT_SCALE = 4
"""Heatmaps are written at 1/4 of the clip size, like an analysis resolution."""

CONSUMER_KEY = "ck-consumer-key-0123456789"
ACCESS_TOKEN = "at-access-token-0123456789"
SECRET_VALUES = (
    CONSUMER_KEY,
    "cs-consumer-secret-0123456789",
    ACCESS_TOKEN,
    "ats-access-token-secret-0123456789",
)


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX() as server:
        yield server


@pytest.fixture
def credentials() -> XCredentials:
    return XCredentials(*(Secret(v) for v in SECRET_VALUES))


@pytest.fixture
def sleeps() -> list[float]:
    """Seconds the client asked to sleep (it never really sleeps in these tests)."""
    return []


@pytest.fixture
def make_client(fake_x: FakeX, credentials: XCredentials, sleeps: list[float]):
    def make(**limits: float) -> XClient:
        endpoints = XEndpoints(api_base=fake_x.url, upload_v1_base=fake_x.url)
        return XClient(credentials, endpoints, XLimits(**limits), sleep=sleeps.append)  # type: ignore[arg-type]

    return make


def write_report(report_dir: Path, truth: GroundTruth, scores: dict[str, float]) -> None:
    """Write report.json/frames.csv/heatmaps.npz for ``truth`` with the given event scores.

    ``scores`` maps a defect kind to its event score (an explicit input). Per-frame scores are
    the event score inside the event span and 0 elsewhere; heatmaps mark the defect boxes.
    """
    clip = truth.clip
    report_dir.mkdir(parents=True, exist_ok=True)
    events = [
        {
            "kind": CLASS_OF[d.kind],
            "start": d.start_frame,
            "end": d.end_frame,  # exclusive, as core.analysis writes it
            "peak": (d.start_frame + d.end_frame - 1) // 2,
            "score": scores[d.kind],
            "box": list(d.box),
        }
        for d in truth.defects
    ]
    report = {
        "schema": 1,
        "video": "clip.mp4",
        "fps": clip.fps,
        "frame_count": clip.frame_count,
        "width": clip.width,
        "height": clip.height,
        "device": "cpu",
        "elapsed_s": 0.0,
        "scores": {"overall": max(scores.values(), default=0.0)},
        "events": events,
        "metrics": ["warping", "melting", "flicker", "physics", "realism_defect"],
    }
    (report_dir / "report.json").write_text(json.dumps(report), encoding="utf-8")
    _write_frames(report_dir / "frames.csv", truth, scores)
    _write_heat(report_dir / "heatmaps.npz", truth)


def _write_frames(path: Path, truth: GroundTruth, scores: dict[str, float]) -> None:
    columns = ["warping", "melting", "flicker", "physics", "realism_defect"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["frame", "time_s", *columns])
        for frame in range(truth.clip.frame_count):
            active = {CLASS_OF[d.kind]: scores[d.kind] for d in truth.defects if d.active(frame)}
            row = [active.get(column, 0.0) for column in columns]
            writer.writerow([frame, frame / truth.clip.fps, *row])


def _write_heat(path: Path, truth: GroundTruth) -> None:
    clip = truth.clip
    shape = (clip.frame_count, clip.height // HEAT_SCALE, clip.width // HEAT_SCALE)
    heat = {name: np.zeros(shape, np.float16) for name in ("warping", "melting", "physics")}
    for d in truth.defects:
        key = CLASS_OF[d.kind] if CLASS_OF[d.kind] in heat else "physics"
        x0, y0, x1, y1 = (v // HEAT_SCALE for v in d.box)
        heat[key][d.start_frame : d.end_frame, y0:y1, x0:x1] = 1.0
    np.savez(path, **heat)


@pytest.fixture
def make_analysed_clip(tmp_path: Path) -> Callable[..., AnalysedClip]:
    """Render a synthetic clip inside a run folder and write its report; returns the clip."""

    def make(
        job_id: str = "job-0001",
        prompt: str = "a corgi surfing a wave at sunset",
        size: tuple[int, int] = (160, 96),
        fps: float = 24.0,
        duration_s: float = 2.0,
        defect: tuple[str, int, int] = ("melt", 20, 32),
        score: float = 0.83,
        run_dir: Path | None = None,
    ) -> AnalysedClip:
        run_dir = run_dir or tmp_path / "run"
        kind, start, end = defect
        box = (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2)
        spec = ClipSpec(
            prompt, 1, size[0], size[1], fps, duration_s, (DefectSpec(kind, start, end, box),)
        )
        clip_path = run_dir / "clips" / f"{job_id}.mp4"
        clip_path.parent.mkdir(parents=True, exist_ok=True)
        truth = render_clip(spec, clip_path)
        clip_path.with_suffix(".json").write_text(json.dumps(truth.to_json()), encoding="utf-8")
        report_dir = run_dir / "analysis" / job_id
        write_report(report_dir, truth, {kind: score})
        return AnalysedClip(clip_path, report_dir, run_dir)

    return make
