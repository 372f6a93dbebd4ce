"""The analyze/compare commands, the process pool, and the batch summary page."""

from __future__ import annotations

import asyncio
import csv
import json

import pytest

from core.analysis import AnalysisError, AnalysisOptions
from core.analysis.pool import AnalysisPool
from core.cli import main
from core.reports.summary import category_of, write_summary
from core.synth import ClipSpec, DefectSpec, render_clip


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    render_clip(ClipSpec("cli a", 1, 160, 96, 24, 1.0), root / "a.mp4")
    flicker = (DefectSpec("flicker", 6, 16, (0, 0, 160, 96)),)
    render_clip(ClipSpec("cli b", 2, 160, 96, 24, 1.0, flicker), root / "b.mp4")
    (root / "broken.mp4").write_bytes(b"\x00" * 500)
    (root / "notes.txt").write_text("not a video")
    return root


def test_analyze_folder_reports_bad_file_and_finishes_the_rest(folder, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["analyze", str(folder), "--out", str(out), "--device", "cpu"])
    captured = capsys.readouterr()
    assert code == 1
    assert "FAILED" in captured.err and "broken.mp4" in captured.err
    assert "%" in captured.err  # the progress bar
    for name in ("a", "b"):
        assert (out / name / "report.json").exists() and (out / name / "report.html").exists()
    assert not (out / "notes").exists()
    flicker = json.loads((out / "b" / "report.json").read_text())["scores"]["flicker"]
    assert flicker > json.loads((out / "a" / "report.json").read_text())["scores"]["flicker"]
    page = (out / "summary.html").read_text()
    assert page.index(">b<") < page.index(">a<")  # worst clip first


def test_analyze_nothing_to_do_exits_2(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.mp4")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_compare_writes_per_frame_psnr_and_ssim(folder, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", str(folder / "a.mp4"), str(folder / "b.mp4"), "--out", str(out)]) == 0
    with (out / "compare.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 24 and set(rows[0]) == {"frame", "time_s", "psnr", "ssim"}
    assert json.loads((out / "compare.json").read_text())["frames"] == 24
    assert (
        main(["compare", str(folder / "a.mp4"), str(folder / "broken.mp4"), "--out", str(out)]) == 1
    )


async def test_pool_runs_clips_in_worker_processes(folder, tmp_path):
    async with AnalysisPool(
        devices=["cpu"], workers_per_device=1, options=AnalysisOptions(html=False)
    ) as pool:
        assert [w.clip for w in pool.workers()] == [None]
        job = asyncio.ensure_future(
            pool.analyze(folder / "a.mp4", tmp_path / "a", meta={"tags": ["pets"]})
        )
        await asyncio.sleep(0)
        assert pool.workers()[0].clip == str(folder / "a.mp4") and pool.workers()[0].device == "cpu"
        summary = await job
        assert summary.frame_count == 24 and summary.device == "cpu"
        assert (tmp_path / "a" / "heatmaps.npz").exists() and not (
            tmp_path / "a" / "report.html"
        ).exists()
        with pytest.raises(AnalysisError, match=r"broken\.mp4"):
            await pool.analyze(folder / "broken.mp4", tmp_path / "broken")
        assert pool.workers()[0].clip is None
        assert pool.devices()[0].name == "cpu"
    doc = json.loads((tmp_path / "a" / "report.json").read_text())
    assert doc["meta"] == {"tags": ["pets"]}


def test_summary_ranks_categories(tmp_path):
    for name, overall in (("x", 0.9), ("y", 0.7), ("z", 0.2)):
        (tmp_path / "analysis" / name).mkdir(parents=True)
        doc = {
            "scores": {"warping": overall, "overall": overall},
            "video": f"{name}.mp4",
            "meta": {},
        }
        (tmp_path / "analysis" / name / "report.json").write_text(json.dumps(doc))
    prompts = {
        "x": {"tags": ["physics"]},
        "y": {"category": "physics"},
        "z": {"prompt": {"tags": "faces, hands"}},
    }
    page = write_summary(tmp_path, prompts=prompts).read_text()
    assert page.index(">physics<") < page.index(">faces<")
    assert (tmp_path / "summary.html").exists()


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"category": "sports"}, "sports"),
        ({"tags": ["a", "b"]}, "a"),
        ({"tags": "fluids, fire"}, "fluids"),
        ({"prompt": {"category": "hands"}}, "hands"),
        ({}, "uncategorised"),
    ],
)
def test_category_of(meta, expected):
    assert category_of(meta) == expected
