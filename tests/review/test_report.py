"""A report written by core.reports reads back in the player's shape; bad ones are named."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.analysis import CLASSES, Event, Report
from core.reports import write_report
from core.review import DefectClass, FrameTable, ReportError, read_report

METRICS = ["frame", "time_s", *CLASSES, "ssim_prev"]


def make_report() -> Report:
    heat = {name: np.zeros((3, 4, 8), np.float16) for name in CLASSES}
    heat["warping"][2, 1, 2] = 1.0
    heat["flicker"][2, 0, 0] = 0.5
    rows = [
        {
            "frame": float(i),
            "time_s": i / 24,
            **dict.fromkeys(CLASSES, 0.0),
            "ssim_prev": 1 - i / 100,
        }
        for i in range(3)
    ]
    for i, row in enumerate(rows):
        row["warping"] = 0.1 * i
    event = Event("physics", 1, 3, 2, 0.8, (10, 5, 30, 25), "teleport", "the ball jumps")
    return Report(
        "clip.mp4", 24.0, 3, 80, 40, "cpu", 0.1, {"overall": 0.8}, [event], METRICS, rows, heat
    )


def test_reads_events_columns_and_quantised_heatmaps(tmp_path):
    folder = write_report(make_report(), tmp_path / "r", html=False)
    report = read_report(folder)
    (event,) = report.events
    assert (event.label, event.start, event.end, event.box) == (
        "physics/teleport",
        1,
        3,
        (10, 5, 30, 25),
    )
    assert event.evidence == "the ball jumps"
    assert report.events_at(0) == []
    assert report.events_at(2) == [event]
    assert report.events_at(3) == []  # end is exclusive
    assert report.table.columns["warping"].tolist() == pytest.approx([0.0, 0.1, 0.2])
    assert "ssim_prev" in report.table.metric_names()
    assert report.heat(DefectClass.WARPING, 2)[1, 2] == 255
    combined = report.heat(DefectClass.ALL, 2)
    assert (combined[1, 2], combined[0, 0]) == (255, 128)
    assert report.heat(DefectClass.MELTING, 2).max() == 0
    assert report.html_path.name == "report.html"


def test_missing_and_malformed_reports_are_named(tmp_path):
    with pytest.raises(ReportError, match=r"missing/report.json: no such file"):
        read_report(tmp_path / "missing")
    folder = write_report(make_report(), tmp_path / "r", html=False)
    doc = json.loads((folder / "report.json").read_text())
    doc["schema"] = 7
    (folder / "report.json").write_text(json.dumps(doc))
    with pytest.raises(ReportError, match=r"field 'schema' is 7"):
        read_report(folder)
    del doc["fps"]
    doc["schema"] = 1
    (folder / "report.json").write_text(json.dumps(doc))
    with pytest.raises(ReportError, match=r"r: not a readable report \(missing field 'fps'\)"):
        read_report(folder)
    (folder / "report.json").write_text('{"schema": 1,\n "fps": }')
    with pytest.raises(ReportError, match=r"JSONDecodeError.*line 2"):
        read_report(folder)


def test_frame_table_grows_with_live_rows():
    table = FrameTable()
    table.append_rows([{"frame": 0, "time_s": 0.0, "warping": 0.0}])
    table.append_rows([{"frame": 1, "time_s": 0.04, "warping": 0.5, "flow_mag": 2.0}])
    assert len(table) == 2
    assert table.columns["warping"].tolist() == [0.0, 0.5]
    assert np.isnan(table.columns["flow_mag"][0])
