"""``torture-chamber compare A B --out DIR``: per-frame PSNR and SSIM of B against A (luma)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from core.cli._progress import ProgressBar


def register(subparsers: Any) -> None:
    """Add the ``compare`` subcommand."""
    parser = subparsers.add_parser("compare", help="per-frame PSNR/SSIM between two videos (luma)")
    parser.add_argument("a", type=Path, help="reference video")
    parser.add_argument("b", type=Path, help="video compared against the reference")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for compare.csv and compare.json"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compare, write ``compare.csv`` (frame, time_s, psnr, ssim) and ``compare.json``."""
    from core.analysis import AnalysisError
    from core.analysis.compare import compare_videos

    bar = ProgressBar()
    try:
        result = compare_videos(
            args.a, args.b, args.device, progress=lambda d, t: bar.update(d, t, args.b.name)
        )
    except AnalysisError as err:
        bar.finish()
        print(f"error: {err}", file=sys.stderr)
        return 1
    bar.finish()
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "compare.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["frame", "time_s", "psnr", "ssim"])
        writer.writeheader()
        writer.writerows({**row, "frame": int(row["frame"])} for row in result.rows)
    summary = {"a": result.a, "b": result.b, **result.summary(), "warnings": result.warnings}
    (args.out / "compare.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"PSNR mean {summary['psnr_mean']:.2f} dB, "
        f"SSIM mean {summary['ssim_mean']:.4f} -> {args.out}"
    )
    return 0
