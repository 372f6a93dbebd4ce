"""Reading a report directory written per DESIGN.md; bad files are named in the error."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.review import DefectClass, FrameTable, ReportError, read_report

CSV = "frame,time_s,warping,melting,flicker,physics,realism_defect,ssim_prev\n"


def write_report(folder, events=None, csv_text=None, heat=True):
    folder.mkdir(exist_ok=True)
    meta = {
        "schema": 1,
        "fps": 24,
        "frame_count": 3,
        "width": 80,
        "height": 40,
        "events": events
        if events is not None
        else [
            {
                "kind": "warping",
                "start": 1,
                "end": 3,
                "peak": 2,
                "score": 0.8,
                "box": [10, 5, 30, 25],
            }
        ],
    }
    (folder / "report.json").write_text(json.dumps(meta))
    (folder / "frames.csv").write_text(
        csv_text
        if csv_text is not None
        else CSV + "".join(f"{i},{i / 24},{0.1 * i},0,0,0,0,{1 - 0.01 * i}\n" for i in range(3))
    )
    if heat:
        warp = np.zeros((3, 4, 8), np.float16)
        warp[2, 1, 2] = 1.0
        flicker = np.zeros((3, 4, 8), np.float16)
        flicker[2, 0, 0] = 0.5
        np.savez_compressed(folder / "heatmaps.npz", warping=warp, flicker=flicker)
    return folder


def test_reads_events_columns_and_quantised_heatmaps(tmp_path):
    report = read_report(write_report(tmp_path / "r"))
    assert [(e.kind, e.start, e.end, e.box) for e in report.events] == [
        ("warping", 1, 3, (10, 5, 30, 25))
    ]
    assert report.events_at(0) == []
    assert report.events_at(2) == list(report.events)
    assert report.table.columns["warping"].tolist() == pytest.approx([0.0, 0.1, 0.2])
    assert "ssim_prev" in report.table.metric_names()
    assert report.heat(DefectClass.WARPING, 2)[1, 2] == 255
    combined = report.heat(DefectClass.ALL, 2)
    assert (combined[1, 2], combined[0, 0]) == (255, 128)
    assert report.heat(DefectClass.MELTING, 2) is None  # absent class
    assert report.html_path.name == "report.html"


def test_missing_csv_and_heatmaps_mean_analysis_still_running(tmp_path):
    folder = write_report(tmp_path / "r", heat=False)
    (folder / "frames.csv").unlink()
    report = read_report(folder)
    assert len(report.table) == 0
    assert report.heatmaps == {}


@pytest.mark.parametrize(
    ("events", "csv_text", "message"),
    [
        ([{"start": 1, "end": 2}], None, r"events\[0\]: KeyError: 'kind'"),
        ([{"kind": "flicker", "start": "x", "end": 2}], None, r"events\[0\]: ValueError"),
        (None, "time_s,warping\n0,0\n", "frames.csv: line 1: header has no 'frame' column"),
    ],
)
def test_bad_fields_are_named(tmp_path, events, csv_text, message):
    folder = write_report(tmp_path / "r", events=events, csv_text=csv_text)
    with pytest.raises(ReportError, match=message):
        read_report(folder)


def test_bad_json_and_missing_json(tmp_path):
    folder = write_report(tmp_path / "r")
    (folder / "report.json").write_text('{"schema": 1,\n "fps": }')
    with pytest.raises(ReportError, match=r"report.json: line 2"):
        read_report(folder)
    with pytest.raises(ReportError, match="no such file"):
        read_report(tmp_path / "missing")


def test_frame_table_grows_with_live_rows():
    table = FrameTable()
    table.append_rows([{"frame": 0, "time_s": 0.0, "warping": 0.0}])
    table.append_rows([{"frame": 1, "time_s": 0.04, "warping": 0.5, "flow_mag": 2.0}])
    assert len(table) == 2
    assert table.columns["warping"].tolist() == [0.0, 0.5]
    assert np.isnan(table.columns["flow_mag"][0])
