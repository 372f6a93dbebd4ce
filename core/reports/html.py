"""report.html: one self-contained page per clip (inline SVG plots, base64 PNG thumbnails).

No scripts, fonts or images are fetched: the page can be mailed, archived or opened offline.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np

from core.analysis.report import CLASSES, Event, Report
from core.reports.overlay import thumbnails
from core.reports.svg import line_plot

RAW_PLOTS = (
    ("Consecutive-frame SSIM (luma)", ("ssim_prev", "mc_ssim")),
    ("Consecutive-frame PSNR (dB, luma)", ("psnr_prev",)),
    ("Motion (360p px/frame)", ("flow_mag", "flow_accel")),
    ("Mean luma", ("luma_mean",)),
)
STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
.bar{display:inline-block;height:10px;background:#d62728;vertical-align:middle}
figure{display:inline-block;margin:6px;vertical-align:top}figcaption{font-size:12px;max-width:360px}
.warn{color:#a60}
"""


def write_html(report: Report, path: Path, video_path: Path | None = None) -> Path:
    """Write ``report.html`` for ``report``; frames are read from ``video_path`` if given."""
    body = [
        _header(report),
        _scores(report),
        _plots(report),
        _worst_frames(report, video_path),
        _events(report),
        _physics(report),
        _warnings(report),
    ]
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Torture Chamber report: {escape(Path(report.video).name)}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def _header(r: Report) -> str:
    duration = r.frame_count / r.fps if r.fps else 0.0
    return (
        f"<h1>{escape(Path(r.video).name)}</h1>"
        f"<p>{r.width}x{r.height}, {r.fps:.3g} fps, {r.frame_count} frames ({duration:.2f} s). "
        f"Analysed at {r.analysis_size[0]}x{r.analysis_size[1]} on {escape(r.device)} "
        f"in {r.elapsed_s:.1f} s.</p>"
    )


def _scores(r: Report) -> str:
    rows = "".join(
        f"<tr><td>{escape(k)}</td><td>{v:.3f}</td>"
        f"<td><span class='bar' style='width:{int(v * 200)}px'></span></td></tr>"
        for k, v in r.scores.items()
    )
    return (
        "<h2>Scores (0 = clean, 1 = badly broken)</h2>"
        f"<table><tr><th>class</th><th>score</th><th></th></tr>{rows}</table>"
    )


def _plots(r: Report) -> str:
    if not r.rows:
        return ""
    t = r.column("time_s")
    parts = [
        "<h2>Per-frame scores</h2>",
        line_plot({k: r.column(k) for k in CLASSES}, t, "defect scores", (0.0, 1.0)),
    ]
    for title, names in RAW_PLOTS:
        present = {n: r.column(n) for n in names if n in r.metrics}
        if present:
            parts.append(line_plot(present, t, title))
    return "".join(parts)


def _worst_frames(r: Report, video: Path | None) -> str:
    picks = [(k, int(np.argmax(r.column(k)))) for k in CLASSES if r.rows and r.scores.get(k, 0) > 0]
    if not picks or video is None or not r.heatmaps:
        return ""
    boxes = [_box_at(r, kind, frame) for kind, frame in picks]
    urls = thumbnails(
        video,
        [f for _, f in picks],
        [r.heatmaps[k][f] for k, f in picks],
        boxes,
        (r.width, r.height),
    )
    figures = [
        f"<figure><img src='{url}' alt='{escape(kind)} heatmap at frame {frame}'>"
        f"<figcaption>{escape(kind)}: frame {frame} ({r.rows[frame]['time_s']:.2f} s), "
        f"score {r.rows[frame][kind]:.2f}</figcaption></figure>"
        for (kind, frame), url in zip(picks, urls, strict=True)
        if url
    ]
    return "<h2>Worst frame per class (heatmap overlaid)</h2>" + "".join(figures)


def _box_at(r: Report, kind: str, frame: int) -> tuple[int, int, int, int] | None:
    for e in r.events:
        if e.kind == kind and e.start <= frame < e.end:
            return e.box
    return None


def _events(r: Report) -> str:
    if not r.events:
        return "<h2>Events</h2><p>No events: no class crossed 0.5 on any frame.</p>"
    rows = "".join(_event_row(e, r.fps) for e in r.events)
    return (
        "<h2>Events</h2><table><tr><th>class</th><th>frames</th><th>time</th><th>peak</th>"
        f"<th>score</th><th>box (source px)</th><th>detail</th></tr>{rows}</table>"
    )


def _event_row(e: Event, fps: float) -> str:
    t0, t1 = (e.start / fps, e.end / fps) if fps else (0.0, 0.0)
    return (
        f"<tr><td>{escape(e.kind)}</td><td>{e.start}–{e.end - 1}</td><td>{t0:.2f}–{t1:.2f} s</td>"
        f"<td>{e.peak}</td><td>{e.score:.2f}</td><td>{list(e.box)}</td><td>{escape(e.detail)}</td></tr>"
    )


def _physics(r: Report) -> str:
    found = [e for e in r.events if e.kind == "physics"]
    head = "<h2>Physics validation</h2>"
    if not found:
        return head + "<p>No object-permanence or trajectory violations found.</p>"
    items = "".join(
        f"<li><b>{escape(e.detail or 'violation')}</b> at {e.peak / r.fps if r.fps else 0:.2f} s "
        f"(frame {e.peak}, box {list(e.box)}): {escape(e.evidence)}</li>"
        for e in found
    )
    return f"{head}<ul>{items}</ul>"


def _warnings(r: Report) -> str:
    if not r.warnings:
        return ""
    items = "".join(f"<li class='warn'>{escape(w)}</li>" for w in r.warnings)
    return f"<h2>Warnings</h2><ul>{items}</ul>"
