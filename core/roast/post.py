"""Post a roast: the guard rails around :class:`core.x_client.XClient`.

Dry run is the default: :func:`post_roast` sends nothing unless ``confirm=True`` (the GUI's
confirm button, the CLI's ``--yes``). Before anything is sent it checks that the text fits
X's limit, that the exported clip meets X's video rules, and that the clip (by content hash)
was not posted before (:class:`DuplicatePostError` unless ``force``). Every outcome, dry runs
included, is recorded in the ``roasts`` table (:mod:`core.roast.store`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.config import load_settings
from core.export import ExportError, ExportOptions, ExportResult, export_clip, x_video_problems
from core.media import MediaError, VideoReader, probe
from core.roast.facts import RoastFacts
from core.roast.length import TWEET_MAX_WEIGHT, fits, weighted_length
from core.roast.sources import AnalysedClip
from core.roast.store import RoastRecord, RoastStore, default_db_path, file_sha256, now_utc
from core.x_client import PostedTweet, XClient, XCredentials

log = logging.getLogger(__name__)

ClientFactory = Callable[[], XClient]


class RoastTextError(ValueError):
    """The text cannot be posted as it is (empty, refused characters or too long)."""


class DuplicatePostError(Exception):
    """This clip was posted before; ``previous`` is that post. Pass ``force`` to post again."""

    def __init__(self, clip_path: Path, previous: RoastRecord) -> None:
        self.previous = previous
        super().__init__(
            f"{clip_path.name} was already posted on {previous.posted_at} ({previous.url}); "
            "post it again only on purpose (--force, or 'Post again anyway' in the dialog)"
        )


@dataclass(frozen=True)
class PreparedClip:
    """An exported clip ready for the confirm step: what to show before posting."""

    export: ExportResult
    preview_rgb: NDArray[np.uint8]
    """The middle frame of the export (HxWx3), for the preview."""
    previous: tuple[RoastRecord, ...]
    """Earlier real posts of the same clip (posting again needs ``force``)."""

    @property
    def summary(self) -> str:
        """``4.0 s · 1280x720 · 1.2 MB`` (kB under a megabyte)."""
        e = self.export
        size = (
            f"{e.size_bytes / 1e6:.1f} MB"
            if e.size_bytes >= 1e6
            else f"{e.size_bytes / 1e3:.0f} kB"
        )
        return f"{e.duration_s:.1f} s · {e.width}x{e.height} · {size}"


def export_path_for(clip: AnalysedClip, folder: Path | None = None) -> Path:
    """Where a clip's export goes: ``folder``, else ``RUNDIR/roasts/``, else next to the clip."""
    folder = folder or (clip.run_dir / "roasts" if clip.run_dir else clip.clip_path.parent)
    return folder / f"{clip.clip_path.stem}.roast.mp4"


def prepare_clip(
    clip: AnalysedClip,
    facts: RoastFacts,
    out_path: Path,
    options: ExportOptions,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    store: RoastStore | None = None,
) -> PreparedClip:
    """Export the clip for X and gather what the confirm step shows (preview, earlier posts)."""
    export = export_clip(
        clip.clip_path, out_path, facts, clip.report_dir, options, progress, cancel
    )
    check_export(export)
    with VideoReader(export.path) as reader:
        preview = reader.frame(reader.info.frame_count // 2)
    store = store or RoastStore(default_db_path(clip.run_dir))
    previous = tuple(store.posted(file_sha256(clip.clip_path)))
    return PreparedClip(export, preview, previous)


@dataclass(frozen=True)
class PostOutcome:
    """What :func:`post_roast` did."""

    dry_run: bool
    text: str
    export: ExportResult
    record: RoastRecord
    tweet: PostedTweet | None = None
    """``None`` for a dry run."""


def default_client_factory() -> XClient:
    """A client from the user's settings (raises if the X credentials are missing)."""
    return XClient(XCredentials.from_settings(load_settings()))


def check_text(text: str) -> None:
    """Raise :class:`RoastTextError` unless X would accept ``text``."""
    if not fits(text):
        length = weighted_length(text)
        reason = "is empty" if not text.strip() else f"weighs {length} of {TWEET_MAX_WEIGHT}"
        if text.strip() and length <= TWEET_MAX_WEIGHT:
            reason = "contains characters X refuses"
        raise RoastTextError(f"the roast text {reason}")


def check_export(export: ExportResult) -> None:
    """Raise :class:`ExportError` when the exported file breaks X's video rules."""
    try:
        info = probe(export.path)
    except MediaError as err:
        raise ExportError(str(err)) from err
    problems = x_video_problems(info, export.path.stat().st_size)
    if problems:
        raise ExportError(f"{export.path} cannot go to X: {'; '.join(problems)}")


def post_roast(
    text: str,
    clip: AnalysedClip,
    export: ExportResult,
    *,
    confirm: bool = False,
    force: bool = False,
    store: RoastStore | None = None,
    client_factory: ClientFactory = default_client_factory,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> PostOutcome:
    """Post ``text`` with the exported clip, or (without ``confirm``) only rehearse it."""
    check_text(text)
    check_export(export)
    store = store or RoastStore(default_db_path(clip.run_dir))
    sha256 = file_sha256(clip.clip_path)
    previous = store.posted(sha256)
    if previous and not force:
        raise DuplicatePostError(clip.clip_path, previous[-1])
    tweet = None
    if confirm:
        with client_factory() as client:
            media_id = client.upload_video(export.path, progress, cancel)
            tweet = client.create_tweet(text, [media_id])
        log.info("posted roast of %s as tweet %s", clip.clip_path.name, tweet.tweet_id)
    record = RoastRecord(
        clip_path=str(clip.clip_path),
        clip_sha256=sha256,
        text=text,
        posted_at=now_utc(),
        dry_run=tweet is None,
        tweet_id=tweet.tweet_id if tweet else None,
        url=tweet.url if tweet else None,
        job_id=clip.job_id,
    )
    store.record(record)
    return PostOutcome(tweet is None, text, export, record, tweet)
