"""Where a clip's analysis lives: one rule for the review panel, roasts and the GUI.

A clip in a run (``RUNDIR/clips/<job_id>.mp4``) is analysed into ``RUNDIR/analysis/<job_id>``;
any other clip into ``<stem>.analysis/`` beside it. Existing analyses are also found where
``torture-chamber analyze`` puts them by default (``tc-analysis/<stem>``) or when the user
pointed ``--out`` at the clip's folder (``<stem>/``, ``<stem>_analysis/``).
"""

from __future__ import annotations

from pathlib import Path


def default_report_dir(clip_path: Path | str) -> Path:
    """Where a new analysis of the clip is written."""
    clip_path = Path(clip_path)
    if clip_path.parent.name == "clips":
        return clip_path.parent.parent / "analysis" / clip_path.stem
    return clip_path.with_name(f"{clip_path.stem}.analysis")


def report_dir_candidates(clip_path: Path | str) -> list[Path]:
    """Every folder that may hold the clip's analysis, most likely first."""
    clip_path = Path(clip_path)
    base = clip_path.parent / clip_path.stem
    candidates = [
        default_report_dir(clip_path),
        clip_path.parent / "tc-analysis" / clip_path.stem,  # `analyze`'s default --out
        clip_path.with_name(f"{clip_path.stem}.analysis"),
        base,
        Path(f"{base}_analysis"),
    ]
    return list(dict.fromkeys(candidates))


def find_report_dir(clip_path: Path | str) -> Path | None:
    """The first candidate folder that holds a ``report.json``; None when there is none."""
    for folder in report_dir_candidates(clip_path):
        if (folder / "report.json").is_file():
            return folder
    return None
