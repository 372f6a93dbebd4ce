"""``torture-chamber roast RUNDIR|CLIP``: compose roasts of broken clips, optionally post one.

Prints the composed variants. ``--post`` exports the clip and rehearses the post (a dry run:
nothing is sent); ``--post --yes`` really posts to X. RUNDIR picks the worst-scored analysed
clips of a run; CLIP needs its analysis folder next to it or given with ``--report``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.export import ExportError, ExportOptions, SegmentMode, export_clip
from core.roast import ComposeOptions, Roast, RoastComposer, Style
from core.roast.facts import ReportError, RoastFacts
from core.roast.post import (
    DuplicatePostError,
    PostOutcome,
    RoastTextError,
    export_path_for,
    post_roast,
)
from core.roast.sources import AnalysedClip, iter_clip_targets, load_facts
from core.roast.templates import TemplateError
from core.x_client import XClient, XCredentials, XEndpoints
from core.x_client.errors import XError

_FAILURES = (
    ReportError,
    ExportError,
    XError,
    DuplicatePostError,
    RoastTextError,
    TemplateError,
)


def register(subparsers: Any) -> None:
    """Add the ``roast`` subcommand."""
    parser = subparsers.add_parser(
        "roast",
        help="compose roasts of broken clips (and post one to X with --post --yes)",
        description=(
            "Compose roasts that cite a clip's worst defect. RUNDIR: the worst-scored analysed "
            "clips of a run; CLIP: a video with its analysis folder next to it (or --report). "
            "--post exports the clip and rehearses the post without sending anything; "
            "--post --yes really posts to X."
        ),
    )
    parser.add_argument("target", type=Path, help="a run directory or a clip")
    parser.add_argument("--report", type=Path, help="the clip's analysis folder")
    parser.add_argument(
        "--style", choices=[*Style, "all"], default="all", help="roast style (default all)"
    )
    parser.add_argument("--variants", type=int, default=3, help="roasts per style (default 3)")
    parser.add_argument("--clips", type=int, default=1, help="worst clips of a run (default 1)")
    parser.add_argument("--prompt", help="the prompt, when no source knows it")
    parser.add_argument("--model", help="the model name, when no source knows it")
    parser.add_argument("--no-hashtags", action="store_true")
    parser.add_argument("--no-model", action="store_true", help="never name the model")
    parser.add_argument("--seed", type=int, help="repeatable wording")
    parser.add_argument("--json", action="store_true", help="print the variants as JSON")
    _add_post_arguments(parser)
    parser.set_defaults(handler=run)


def _add_post_arguments(parser: argparse.ArgumentParser) -> None:
    post = parser.add_argument_group("posting (dry run unless --yes)")
    post.add_argument("--post", action="store_true", help="export the clip and rehearse the post")
    post.add_argument("--yes", action="store_true", help="with --post: really post to X")
    post.add_argument("--force", action="store_true", help="post a clip that was posted before")
    post.add_argument("--pick", type=int, default=1, help="which variant to post (default 1)")
    post.add_argument("--text", help="post this text instead of a composed variant")
    post.add_argument("--whole", action="store_true", help="export the whole clip")
    post.add_argument("--segment-s", type=float, default=4.0, help="worst segment length")
    post.add_argument("--heatmap", action="store_true", help="burn in the defect heatmap")
    post.add_argument("--no-caption", action="store_true", help="no score/defect caption")
    post.add_argument("--out", type=Path, help="folder for the exported clip")
    post.add_argument("--x-api-base", default=XEndpoints.api_base, help=argparse.SUPPRESS)
    post.add_argument("--x-upload-base", default=XEndpoints.upload_v1_base, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Compose (and maybe post); exit 0 on success, 1 on a reported failure, 2 on bad usage."""
    if args.yes and not args.post:
        print("error: --yes only makes sense with --post", file=sys.stderr)
        return 2
    try:
        clips = list(iter_clip_targets(args.target, args.report, max(1, args.clips)))
        if not clips:
            raise ReportError(args.target, "no analysed clips in this run (analyse it first)")
        return _run_clips(args, clips)
    except _FAILURES as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def _run_clips(args: argparse.Namespace, clips: list[AnalysedClip]) -> int:
    styles = list(Style) if args.style == "all" else [Style(args.style)]
    options = ComposeOptions(hashtags=not args.no_hashtags, model=not args.no_model)
    composer = RoastComposer(seed=args.seed, options=options)
    report: list[dict[str, Any]] = []
    for clip in clips:
        facts = load_facts(clip, args.prompt, args.model)
        roasts = [r for s in styles for r in composer.compose(facts, s, max(1, args.variants))]
        entry = _describe(clip, facts, roasts)
        if not args.json:
            _print_variants(entry, roasts)
        if args.post:
            entry["post"] = _post(args, clip, facts, roasts)
        report.append(entry)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    elif not args.post:
        print("add --post to export the clip and rehearse posting; --post --yes really posts")
    return 0


def _describe(clip: AnalysedClip, facts: RoastFacts, roasts: list[Roast]) -> dict[str, Any]:
    return {
        "clip": str(clip.clip_path),
        "report": str(clip.report_dir),
        "defect": facts.defect,
        "score": facts.score,
        "peak_s": facts.peak_s,
        "prompt": facts.prompt,
        "variants": [
            {"style": r.style.value, "weighted_length": r.weighted_length, "text": r.text}
            for r in roasts
        ],
    }


def _print_variants(entry: dict[str, Any], roasts: list[Roast]) -> None:
    worst = f"{entry['defect']} {entry['score']:.2f} at {entry['peak_s']:.1f} s"
    print(f"== {entry['clip']}: worst {worst}")
    for number, roast in enumerate(roasts, start=1):
        print(f"\n[{number}] {roast.style.value}, {roast.weighted_length}/280")
        print(roast.text)
    print()


def _post(
    args: argparse.Namespace, clip: AnalysedClip, facts: RoastFacts, roasts: list[Roast]
) -> dict[str, Any]:
    if args.text is None and not 1 <= args.pick <= len(roasts):
        raise RoastTextError(f"--pick {args.pick}: there are only {len(roasts)} variants")
    text = args.text if args.text is not None else roasts[args.pick - 1].text
    out_path = export_path_for(clip, args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    options = ExportOptions(
        segment=SegmentMode.WHOLE if args.whole else SegmentMode.WORST,
        segment_s=args.segment_s,
        heatmap=args.heatmap,
        caption=not args.no_caption,
    )
    export = export_clip(
        clip.clip_path,
        out_path,
        facts,
        clip.report_dir,
        options,
        _Progress("exporting"),
    )
    print(f"exported {export.path} ({export.duration_s:.1f} s, {export.size_bytes / 1e6:.1f} MB)")
    endpoints = XEndpoints(api_base=args.x_api_base, upload_v1_base=args.x_upload_base)
    outcome = post_roast(
        text,
        clip,
        export,
        confirm=args.yes,
        force=args.force,
        client_factory=lambda: _client(endpoints),
        progress=_Progress("uploading"),
    )
    _print_outcome(outcome)
    return {"dry_run": outcome.dry_run, "text": text, "url": outcome.record.url}


def _client(endpoints: XEndpoints) -> XClient:
    from core.config import load_settings

    return XClient(XCredentials.from_settings(load_settings()), endpoints)


def _print_outcome(outcome: PostOutcome) -> None:
    if outcome.tweet is None:
        print("dry run: nothing was sent. This text and clip would be posted:")
        print(outcome.text)
        print("run again with --post --yes to post it")
    else:
        print(f"posted: {outcome.tweet.url}")


class _Progress:
    """Prints ``label NN%`` to stderr at every tenth of the way."""

    def __init__(self, label: str) -> None:
        self.label, self._shown = label, -1

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth != self._shown:
            self._shown = tenth
            print(f"{self.label} {tenth * 10}%", file=sys.stderr)
