"""Object tracks from motion-mask components: jerk spikes and rigid-area violations.

The motion mask marks pixels that move against the camera by more than ``SPEED_PX`` (the
residual optical flow, i.e. after removing the fitted camera homography), at the detector maps'
size; it is cleaned with a 5x5 closing and opening and split into connected components
(``cv2.connectedComponentsWithStats``). A Physics-IQ mask (grey, 5x5 blur, running-average
background carried along the camera, |frame - background| > 10) was tried first: its trails and
texture holes made clean objects' areas swing by up to 2.7x between frames (1.4x with the flow
mask) and their centroids jitter by ~1.5 px, so it is not used.

A component continues a track when it overlaps exactly one component of the previous frame
and that one overlaps only it; a merge, split, birth or death ends the tracks involved, so
contact between objects never counts as a violation. Components touching the border margin are
not judged (objects enter and leave there). Objects moving with the camera are not in the mask.

Per track, in 360p pixels:

- ``track_jerk``: |v_t - 2 v_{t-1} + v_{t-2}|, the third difference of position, where v is the
  object's velocity measured as the mean optical flow over its component (differencing mask
  centroids was 10x noisier). Gravity, sliding and a smooth pan give ~0.5; a velocity reversal
  v -> -v gives 2|v| on two consecutive frames. Scored in units of the clip's robust spread so
  far (median of all judged samples, floored at ``JERK_FLOOR_PX``), and never above 0.1 under
  ``JERK_MIN_PX``.
- ``area_change``: the component's area against the median of its previous (up to 3) areas, as
  a factor >= 1. A rigid object keeps its area; clean tracks stayed under 1.65.

Calibration (synthetic scenes; spreads stay at the 1 px floor, so spreads = px): clean clips'
largest jerk was 3.3 px at 320x180 and 2.4 px at 640x360 (median 0.5); injected reversals of
4.2 px/frame gave 6.7 px at 320x180 but only 3.6-4.0 px at 640x360 (the flow's edge bleed
halves the measured velocity change there), so at 640x360 they score ~0.3, under the event
threshold. Per-frame score 0.1 at 3.5, 1 at 5.5. Area: clean at most 1.5, injected 1.6x resizes
8-10 where the track survives the resize frame (the flow around a growing object is chaotic
and may split it): 0.1 at 1.7, 1 at 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import torch
from numpy.typing import NDArray

from core.analysis.context import Context
from core.analysis.motion import Motion
from core.analysis.ops import CLEAN_BAND, Tensor

SPEED_PX = 1.5
"""Residual speed (360p px/frame) above which a pixel belongs to the motion mask."""
MIN_AREA_FRACTION = 0.002
"""Components smaller than this fraction of the frame are noise, not objects."""
JERK_FLOOR_PX = 1.0
JERK_MIN_PX = 2.5
"""A jerk below this (360p px/frame^3) scores at most 0.1, whatever the clip's spread."""
JERK_CLEAN, JERK_BAD = 3.5, 5.5
"""Jerk in robust spreads: per-frame score 0.1 at 3.5, 1 at 5.5."""
AREA_CLEAN, AREA_BAD = 1.7, 3.0
"""Area factor against the track's recent areas: per-frame score 0.1 at 1.7, 1 at 3."""
HISTORY = 2000
_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))


@dataclass(frozen=True)
class Blob:
    """One component of one frame."""

    track: int
    vx: float
    vy: float
    """Velocity from the previous frame (map px/frame): the mean optical flow over the blob."""
    area: int
    judged: bool
    """Clear of the border margin."""


@dataclass(frozen=True)
class TrackState:
    """Carried between batches; never modified in place (a batch can be retried)."""

    labels: NDArray[np.int32] | None = None
    blobs: dict[int, Blob] = field(default_factory=dict)
    """The previous frame's components by label."""
    paths: dict[int, tuple[Blob, ...]] = field(default_factory=dict)
    """Track id -> its last (up to 4) blobs, linked one to one."""
    next_id: int = 1
    jerks: tuple[float, ...] = ()
    """Every judged jerk so far (360p px), for the clip's robust spread."""


@dataclass(frozen=True)
class _Scored:
    jerk_px: float
    area_ratio: float
    jerk_score: float
    area_score: float
    heat: NDArray[np.float32] | None
    """The judged blobs painted with their calibrated level; None where nothing exceeds clean."""


def step(
    ctx: Context, m: Motion, state: TrackState, inner: Tensor
) -> tuple[dict[str, Tensor], Tensor, dict[str, Tensor], TrackState]:
    """Track a batch. Returns (raw signals, heatmap (N, 1, H, W), per-frame scores
    ``{"jerk", "area_change"}``, new state); ``inner`` (1, 1, H, W) is 1 where judged."""
    margin = int((inner[0, 0].sum(0) == 0).sum()) // 2
    masks = ((m.speed > SPEED_PX) & (m.valid > 0))[:, 0].cpu().numpy()
    flows = m.back.cpu().numpy()
    frames: list[_Scored | None] = []
    for t in range(masks.shape[0]):
        if bool(m.first[t]):
            frames.append(None)
            state = TrackState(next_id=state.next_id, jerks=state.jerks)
            continue
        labels, blobs, paths, next_id = _link(_clean(masks[t], margin), flows[t], state, margin)
        scored, jerks = _score(ctx, labels, blobs, paths, state.jerks)
        frames.append(scored)
        state = TrackState(labels, blobs, paths, next_id, jerks)
    heat, signals, scores = _collect(frames, masks.shape[1:])
    device = m.cur.device
    return (
        {k: v.to(device) for k, v in signals.items()},
        heat.to(device),
        {k: v.to(device) for k, v in scores.items()},
        state,
    )


def _clean(mask: NDArray[np.bool_], margin: int) -> NDArray[np.uint8]:
    """Close small gaps, drop specks, and blank the border margin."""
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, _KERNEL)
    out = np.asarray(cv2.morphologyEx(closed, cv2.MORPH_OPEN, _KERNEL), np.uint8)
    h, w = out.shape
    out[:margin], out[h - margin :], out[:, :margin], out[:, w - margin :] = 0, 0, 0, 0
    return out


def _link(
    mask: NDArray[np.uint8], flow: NDArray[np.float32], state: TrackState, margin: int
) -> tuple[NDArray[np.int32], dict[int, Blob], dict[int, tuple[Blob, ...]], int]:
    """Label the mask's components and continue the tracks they link to one to one."""
    count, raw, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    h, w = mask.shape
    keep = stats[:, cv2.CC_STAT_AREA] >= MIN_AREA_FRACTION * h * w
    keep[0] = False
    labels: NDArray[np.int32] = np.where(keep[raw], raw, 0).astype(np.int32)
    links = _one_to_one(state.labels, labels, count)
    vx, vy = _velocities(labels, flow, count)
    blobs: dict[int, Blob] = {}
    paths: dict[int, tuple[Blob, ...]] = {}
    next_id = state.next_id
    for label in (int(v) for v in np.flatnonzero(keep)):
        x, y, bw, bh, area = (int(v) for v in stats[label])
        whole = x > margin and y > margin and x + bw < w - margin and y + bh < h - margin
        before = state.blobs.get(links.get(label, -1))
        if before is not None:
            track, history = before.track, state.paths.get(before.track, ())
        else:
            track, next_id, history = next_id, next_id + 1, ()
        blob = Blob(track, float(vx[label]), float(vy[label]), area, whole)
        blobs[label] = blob
        paths[track] = (*history, blob)[-4:]
    return labels, blobs, paths, next_id


def _velocities(
    labels: NDArray[np.int32], flow: NDArray[np.float32], count: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each component's mean velocity (map px/frame) over its core (eroded by 2 px: the
    patch-based flow bleeds across object edges), or over all of it when it has no core.
    Only the labelled pixels are visited (objects cover a small part of the frame)."""
    core = cv2.erode((labels > 0).astype(np.uint8), _KERNEL).ravel()
    where = np.flatnonzero(labels)
    owner = labels.ravel()[where]
    in_core = core[where] > 0
    full = np.bincount(owner, minlength=count)
    inner = np.bincount(owner[in_core], minlength=count)
    use_core = inner >= 4
    velocity = []
    for channel in flow.reshape(2, -1):
        values = channel[where]
        at_all = np.bincount(owner, values, count) / np.maximum(full, 1)
        at_core = np.bincount(owner[in_core], values[in_core], count) / np.maximum(inner, 1)
        velocity.append(-np.where(use_core, at_core, at_all))
    return velocity[0], velocity[1]


def _one_to_one(
    before: NDArray[np.int32] | None, now: NDArray[np.int32], count: int
) -> dict[int, int]:
    """Current label -> previous label, where each overlaps the other and nothing else."""
    if before is None:
        return {}
    both = (before > 0) & (now > 0)
    rows = int(before.max()) + 1
    pairs = before[both].astype(np.int64) * count + now[both]
    overlap = np.bincount(pairs, minlength=rows * count).reshape(rows, count) > 0
    per_before, per_now = overlap.sum(axis=1), overlap.sum(axis=0)
    links = {}
    for b, n in zip(*np.nonzero(overlap), strict=True):
        if per_before[b] == 1 and per_now[n] == 1:
            links[int(n)] = int(b)
    return links


def _score(
    ctx: Context,
    labels: NDArray[np.int32],
    blobs: dict[int, Blob],
    paths: dict[int, tuple[Blob, ...]],
    jerks: tuple[float, ...],
) -> tuple[_Scored, tuple[float, ...]]:
    """Jerk and area change of every judged track at this frame, scored and painted."""
    spread = max(JERK_FLOOR_PX, float(np.median(jerks)) if jerks else 0.0)
    heat: NDArray[np.float32] | None = None
    measured = [_measure(paths[blob.track], ctx.scale) for blob in blobs.values()]
    levels = []
    for label, (jerk, ratio) in zip(blobs, measured, strict=True):
        level = min(jerk / spread, jerk * JERK_CLEAN / JERK_MIN_PX)
        levels.append((level, ratio - 1.0))
        paint = max(_clip01(level, JERK_CLEAN, JERK_BAD), _clip01(ratio, AREA_CLEAN, AREA_BAD))
        if paint > 0:
            heat = np.zeros(labels.shape, np.float32) if heat is None else heat
            where = labels == label
            heat[where] = np.maximum(heat[where], paint)
    jerk_level, area_level = (max(v) for v in zip(*levels, strict=True)) if levels else (0, 0)
    scored = _Scored(
        max((j for j, _ in measured), default=0.0),
        max((r for _, r in measured), default=1.0),
        _ramp(jerk_level, JERK_CLEAN, JERK_BAD),
        _ramp(area_level, AREA_CLEAN - 1.0, AREA_BAD - 1.0),
        heat,
    )
    found = [j for j, _ in measured if j > 0]
    return scored, (*jerks, *found)[-HISTORY:]


def _measure(path: tuple[Blob, ...], scale: float) -> tuple[float, float]:
    """(jerk in 360p px, area ratio) of a track's latest blob; (0, 1) where not judged."""
    jerk = _jerk_px(path) / scale if len(path) >= 3 and all(b.judged for b in path[-3:]) else 0.0
    whole_pair = len(path) >= 2 and all(b.judged for b in path)
    return jerk, _area_ratio(path) if whole_pair else 1.0


def _jerk_px(path: tuple[Blob, ...]) -> float:
    """|v_t - 2 v_{t-1} + v_{t-2}|: the third difference of position."""
    a, b, c = path[-3:]
    return float(np.hypot(c.vx - 2 * b.vx + a.vx, c.vy - 2 * b.vy + a.vy))


def _area_ratio(path: tuple[Blob, ...]) -> float:
    """Latest area against the median of up to three before it, as a factor >= 1."""
    reference = float(np.median([b.area for b in path[:-1]]))
    area = path[-1].area
    return max(area, reference) / max(1.0, min(area, reference))


def _ramp(value: float, clean: float, bad: float) -> float:
    """:func:`core.analysis.ops.frame_score` for one value."""
    if value < clean:
        return CLEAN_BAND * max(0.0, value / clean)
    return CLEAN_BAND + (1.0 - CLEAN_BAND) * min(1.0, (value - clean) / (bad - clean))


def _clip01(value: float, clean: float, bad: float) -> float:
    return min(1.0, max(0.0, (value - clean) / (bad - clean)))


def _collect(
    frames: list[_Scored | None], shape: tuple[int, ...]
) -> tuple[Tensor, dict[str, Tensor], dict[str, Tensor]]:
    """(heatmap (N, 1, H, W), raw signals, scores) of a batch's frames."""

    def column(name: str, empty: float) -> Tensor:
        return torch.tensor([getattr(f, name) if f else empty for f in frames], dtype=torch.float32)

    heat = torch.zeros((len(frames), 1, *shape))
    for i, f in enumerate(frames):
        if f is not None and f.heat is not None:
            heat[i, 0] = torch.from_numpy(f.heat)
    signals = {"track_jerk": column("jerk_px", 0.0), "area_change": column("area_ratio", 1.0)}
    scores = {"jerk": column("jerk_score", 0.0), "area_change": column("area_score", 0.0)}
    return heat, signals, scores
