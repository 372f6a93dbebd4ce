"""report.json / frames.csv / heatmaps.npz / report.html follow DESIGN.md and read back."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from core.analysis import CLASSES, AnalysisOptions, analyze, load_report
from core.analysis.heat import heatmap_size
from core.synth import ClipSpec, DefectSpec, render_clip

FIRST_COLUMNS = ["frame", "time_s", *CLASSES]


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outputs")
    video = folder / "clip.mp4"
    # 384x216 analysed at short side 108: event boxes must come back in SOURCE pixels.
    spec = ClipSpec(
        "outputs", 2, 384, 216, 24, 1.5, (DefectSpec("vanish", 18, 21, (150, 70, 230, 150)),)
    )
    render_clip(spec, video)
    out = folder / "report"
    report = analyze(video, AnalysisOptions(out_dir=out, short_side_px=108))
    return video, out, report


def test_report_json_has_the_contract_fields(analysed):
    _, out, _ = analysed
    doc = json.loads((out / "report.json").read_text())
    assert doc["schema"] == 1
    for key in (
        "video",
        "fps",
        "frame_count",
        "width",
        "height",
        "device",
        "elapsed_s",
        "events",
        "metrics",
    ):
        assert key in doc
    assert (doc["width"], doc["height"], doc["frame_count"]) == (384, 216, 36)
    assert set(doc["scores"]) == {*CLASSES, "overall"}
    assert all(0.0 <= v <= 1.0 for v in doc["scores"].values())
    assert doc["metrics"][: len(FIRST_COLUMNS)] == FIRST_COLUMNS
    for raw in ("warp_error", "ssim_prev", "psnr_prev", "flow_mag"):
        assert raw in doc["metrics"]
    assert doc["analysis_size"] == [192, 108]
    assert doc["heatmap_size"] == [192, 108]  # the detectors' maps: 108 px short side, no shrink
    for event in doc["events"]:
        assert set(event) >= {"kind", "start", "end", "peak", "score", "box"}
        x0, y0, x1, y1 = event["box"]
        assert 0 <= x0 < x1 <= 384 and 0 <= y0 < y1 <= 216


def test_physics_event_box_is_in_source_pixels(analysed):
    _, _, report = analysed
    physics = [e for e in report.events if e.kind == "physics"]
    assert physics, report.events
    x0, y0, x1, y1 = physics[0].box
    assert x0 < 230 and x1 > 150 and y0 < 150 and y1 > 70  # overlaps the injected box
    assert x1 - x0 > 20  # scaled up from the 192x108 analysis, not left at analysis size


def test_frames_csv_one_row_per_frame_and_frame0_temporal_zero(analysed):
    _, out, _ = analysed
    with (out / "frames.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 36 and list(rows[0])[: len(FIRST_COLUMNS)] == FIRST_COLUMNS
    assert [int(r["frame"]) for r in rows] == list(range(36))
    assert float(rows[10]["time_s"]) == pytest.approx(10 / 24, abs=1e-4)
    for kind in ("warping", "melting", "flicker", "physics"):
        assert float(rows[0][kind]) == 0.0
    for row in rows:
        assert all(0.0 <= float(row[k]) <= 1.0 for k in CLASSES)


def test_heatmaps_npz_float16_per_class(analysed):
    _, out, _ = analysed
    with np.load(out / "heatmaps.npz") as data:
        assert set(data.files) == set(CLASSES)
        for kind in CLASSES:
            heat = data[kind]
            assert heat.dtype == np.float16 and heat.shape[0] == 36 and heat.ndim == 3
            assert float(heat.min()) >= 0.0 and float(heat.max()) <= 1.0


def test_load_report_round_trip(analysed):
    _, out, report = analysed
    loaded = load_report(out)
    assert loaded.scores == report.scores and loaded.events == report.events
    assert loaded.metrics == report.metrics and len(loaded.rows) == 36
    assert np.array_equal(loaded.heatmaps["physics"], report.heatmaps["physics"])


def test_html_is_self_contained_with_plots_thumbnails_and_physics(analysed):
    _, out, _ = analysed
    page = (out / "report.html").read_text()
    assert "<svg" in page and "data:image/png;base64," in page
    assert "Physics validation" in page and "vanish" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<script" not in page


def test_load_report_names_bad_schema(tmp_path):
    (tmp_path / "report.json").write_text(json.dumps({"schema": 7}))
    with pytest.raises(ValueError, match=r"report\.json: field 'schema'"):
        load_report(tmp_path)


@pytest.mark.parametrize(
    ("map_size", "frames", "options", "expected"),
    [
        ((320, 180), 240, AnalysisOptions(), (320, 180)),  # 10 s at 24 fps: native map size
        ((180, 320), 240, AnalysisOptions(), (180, 320)),  # portrait
        ((320, 180), 240, AnalysisOptions(heatmap_max_side_px=160), (160, 90)),
        # 1 minute at 24 fps: 5 float16 stacks must fit the 192 MiB budget -> ~0.49x per side
        ((320, 180), 1440, AnalysisOptions(), (158, 89)),
        ((320, 180), 240, AnalysisOptions(heatmap_budget_bytes=240 * 5 * 2 * 80 * 45), (80, 45)),
    ],
)
def test_heatmap_size_is_the_map_size_within_the_memory_budget(map_size, frames, options, expected):
    w, h = heatmap_size(map_size, frames, options)
    assert (w, h) == expected
    assert w * h * frames * 5 * 2 <= options.heatmap_budget_bytes * 1.02
