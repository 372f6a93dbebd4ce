"""summary.html: a batch's clips and prompt categories ranked by defect.

Works on a run directory (``RUNDIR/analysis/<job_id>/``) or on any folder whose
subfolders hold report.json files (what ``torture-chamber analyze --out`` makes). A clip's
category comes from the ``prompts`` mapping passed in (by folder name: ``{"category": ...}``,
``{"tags": [...]}`` or ``{"prompt": {...}}``), else from the report's own ``meta``, else it is
"uncategorised".
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from core.analysis.report import CLASSES

UNCATEGORISED = "uncategorised"
TOP_PER_CLASS = 10


@dataclass(frozen=True)
class ClipRow:
    """One analysed clip as the summary shows it."""

    name: str
    folder: Path
    video: str
    category: str
    scores: dict[str, float]


def report_folders(root: Path) -> list[Path]:
    """Folders under ``root`` (or ``root/analysis``) that hold a report.json."""
    base = root / "analysis" if (root / "analysis").is_dir() else root
    return sorted(p.parent for p in base.glob("*/report.json"))


def category_of(meta: Mapping[str, Any]) -> str:
    """The first of: ``category``, first ``tags`` entry, the nested ``prompt``'s category/tags."""
    if meta.get("category"):
        return str(meta["category"])
    tags = meta.get("tags")
    if isinstance(tags, list | tuple) and tags:
        return str(tags[0])
    if isinstance(tags, str) and tags.strip():
        return tags.split(",")[0].strip()
    prompt = meta.get("prompt")
    if isinstance(prompt, Mapping):
        return category_of(prompt)
    return UNCATEGORISED


def load_rows(root: Path, prompts: Mapping[str, Mapping[str, Any]] | None = None) -> list[ClipRow]:
    """Read every report under ``root``; unreadable ones are skipped."""
    rows = []
    for folder in report_folders(root):
        try:
            doc = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        meta = dict(doc.get("meta") or {})
        meta.update((prompts or {}).get(folder.name, {}))
        scores = {k: float(v) for k, v in doc.get("scores", {}).items()}
        rows.append(
            ClipRow(folder.name, folder, str(doc.get("video", "")), category_of(meta), scores)
        )
    return sorted(rows, key=lambda r: -r.scores.get("overall", 0.0))


def write_summary(
    run_or_folder: Path | str, prompts: Mapping[str, Mapping[str, Any]] | None = None
) -> Path:
    """Write ``summary.html`` into ``run_or_folder`` and return its path."""
    root = Path(run_or_folder)
    rows = load_rows(root, prompts)
    page = _page(rows, root)
    path = root / "summary.html"
    tmp = path.with_name("summary.html.part")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path


def category_table(rows: list[ClipRow]) -> list[tuple[str, int, dict[str, float]]]:
    """(category, clip count, mean score per class and overall), worst category first."""
    groups: dict[str, list[ClipRow]] = {}
    for row in rows:
        groups.setdefault(row.category, []).append(row)
    table = [
        (
            name,
            len(group),
            {
                k: sum(r.scores.get(k, 0.0) for r in group) / len(group)
                for k in (*CLASSES, "overall")
            },
        )
        for name, group in groups.items()
    ]
    return sorted(table, key=lambda item: -item[2]["overall"])


def _page(rows: list[ClipRow], root: Path) -> str:
    head = "".join(f"<th>{escape(k)}</th>" for k in (*CLASSES, "overall"))
    cats = "".join(
        f"<tr><td>{escape(name)}</td><td>{count}</td>"
        + "".join(f"<td>{means[k]:.2f}</td>" for k in (*CLASSES, "overall"))
        + "</tr>"
        for name, count, means in category_table(rows)
    )
    per_class = "".join(_top(rows, kind, root) for kind in CLASSES)
    clips = "".join(_clip_row(r, root) for r in rows)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Torture Chamber summary</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:24px}table{border-collapse:collapse}"
        "td,th{border:1px solid #ddd;padding:3px 8px}</style></head><body>"
        f"<h1>Batch summary</h1><p>{len(rows)} analysed clip(s) in {escape(str(root))}.</p>"
        "<h2>Prompt categories, worst first (mean score)</h2>"
        f"<table><tr><th>category</th><th>clips</th>{head}</tr>{cats}</table>"
        f"<h2>Worst clips per defect</h2>{per_class}"
        "<h2>All clips, worst first</h2>"
        f"<table><tr><th>clip</th><th>category</th>{head}</tr>{clips}</table>"
        "</body></html>"
    )


def _link(row: ClipRow, root: Path) -> str:
    target = row.folder / "report.html"
    if not target.exists():
        return escape(row.name)
    rel = os.path.relpath(target, root)
    return f"<a href='{escape(rel)}'>{escape(row.name)}</a>"


def _top(rows: list[ClipRow], kind: str, root: Path) -> str:
    ranked = sorted(rows, key=lambda r: -r.scores.get(kind, 0.0))[:TOP_PER_CLASS]
    items = "".join(
        f"<li>{_link(r, root)}: {r.scores.get(kind, 0.0):.2f}</li>"
        for r in ranked
        if r.scores.get(kind, 0.0) > 0
    )
    return f"<h3>{escape(kind)}</h3>" + (
        f"<ol>{items}</ol>" if items else "<p>none scored above 0</p>"
    )


def _clip_row(row: ClipRow, root: Path) -> str:
    cells = "".join(f"<td>{row.scores.get(k, 0.0):.2f}</td>" for k in (*CLASSES, "overall"))
    return f"<tr><td>{_link(row, root)}</td><td>{escape(row.category)}</td>{cells}</tr>"
