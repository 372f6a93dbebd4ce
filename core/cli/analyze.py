"""``torture-chamber analyze PATH... [--out DIR] [--device D] [--workers N]``.

Each video gets its own folder under ``--out`` with report.json, frames.csv, heatmaps.npz and
report.html; a folder argument analyses every video directly inside it. One bad file is
reported and the others still finish; the exit code is 1 when any clip failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from core.cli._progress import ProgressBar

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi"})


def register(subparsers: Any) -> None:
    """Add the ``analyze`` subcommand."""
    parser = subparsers.add_parser(
        "analyze", help="find warping, melting, flicker, physics and realism defects"
    )
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="video files or folders of videos"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("tc-analysis"), help="output folder (default: tc-analysis)"
    )
    parser.add_argument(
        "--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="parallel worker processes per device (default: 1)"
    )
    parser.add_argument(
        "--short-side", type=int, default=360, help="analysis resolution, short side in px"
    )
    parser.add_argument("--no-html", action="store_true", help="skip report.html")
    parser.set_defaults(handler=run)


def collect_videos(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders to the videos directly inside them; return (videos, problems)."""
    videos: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
            )
            videos.extend(found)
            if not found:
                problems.append(
                    f"{path}: folder holds no videos ({', '.join(sorted(VIDEO_SUFFIXES))})"
                )
        elif path.is_file():
            videos.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    return videos, problems


def output_dirs(videos: list[Path], out: Path) -> list[Path]:
    """One folder per video named after its stem; repeated stems get ``-2``, ``-3``..."""
    seen: dict[str, int] = {}
    dirs = []
    for video in videos:
        count = seen.get(video.stem, 0) + 1
        seen[video.stem] = count
        dirs.append(out / (video.stem if count == 1 else f"{video.stem}-{count}"))
    return dirs


def run(args: argparse.Namespace) -> int:
    """Analyse every clip; print a line per clip; exit 1 if any failed, 2 if none to do."""
    videos, problems = collect_videos(args.paths)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not videos:
        return 2
    dirs = output_dirs(videos, args.out)
    options = _options(args)
    if args.workers > 1 or (len(videos) > 1 and args.device != "cpu"):
        failures = asyncio.run(_run_pool(videos, dirs, options, args.workers))
    else:
        failures = _run_inline(videos, dirs, options)
    if len(videos) > 1:
        from core.reports.summary import write_summary

        print(f"summary: {write_summary(args.out)}")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures or problems else 0


def _options(args: argparse.Namespace) -> Any:
    from core.analysis import AnalysisOptions

    return AnalysisOptions(device=args.device, short_side_px=args.short_side, html=not args.no_html)


def _run_inline(videos: list[Path], dirs: list[Path], options: Any) -> list[str]:
    from dataclasses import replace

    from core.analysis import AnalysisError
    from core.analysis.engine import analyze

    failures = []
    bar = ProgressBar()
    for number, (video, out_dir) in enumerate(zip(videos, dirs, strict=True), start=1):
        label = f"[{number}/{len(videos)}] {video.name}"

        def progress(done: int, total: int, label: str = label) -> None:
            bar.update(done, total, label)

        try:
            report = analyze(video, replace(options, out_dir=out_dir), progress=progress)
        except AnalysisError as err:
            bar.finish()
            failures.append(str(err))
            continue
        bar.finish()
        print(_line(video, out_dir, report.scores))
    return failures


async def _run_pool(videos: list[Path], dirs: list[Path], options: Any, workers: int) -> list[str]:
    from core.analysis import AnalysisError
    from core.analysis.pool import AnalysisPool

    bar = ProgressBar()
    done, failures = 0, []
    async with AnalysisPool(
        devices=_pool_devices(options.device), workers_per_device=workers, options=options
    ) as pool:
        tasks = {
            asyncio.ensure_future(pool.analyze(v, d)): (v, d)
            for v, d in zip(videos, dirs, strict=True)
        }
        for future in asyncio.as_completed(list(tasks)):
            try:
                summary = await future
            except AnalysisError as err:
                failures.append(str(err))
            else:
                bar.finish()
                print(_line(Path(summary.video), Path(summary.out_dir), summary.scores))
            done += 1
            bar.update(done, len(videos), f"{done}/{len(videos)} clips")
    bar.finish()
    return failures


def _pool_devices(device: str) -> list[str] | None:
    from core.devices import resolve_device

    return None if device == "auto" else [resolve_device(device)]


def _line(video: Path, out_dir: Path, scores: dict[str, float]) -> str:
    parts = " ".join(f"{k}={v:.2f}" for k, v in scores.items())
    return f"{video.name}: {parts} -> {out_dir}"
