"""Events: runs of frames where a class scored high, with where it happened.

A run is a maximal stretch of frames scoring at least ``THRESHOLD``, with gaps of up to
``MAX_GAP`` frames bridged. Its box is the bounding box of the strongest connected blob of the
heatmap at the peak frame (cells within half of that frame's maximum), scaled to source pixels.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
from numpy.typing import NDArray

from core.analysis.report import CLASSES, Event

THRESHOLD = 0.5
MAX_GAP = 2


def runs(scores: NDArray[np.float64], threshold: float = THRESHOLD) -> list[tuple[int, int]]:
    """(start, end-exclusive) runs of ``scores >= threshold`` with short gaps bridged."""
    hot = np.flatnonzero(scores >= threshold)
    if hot.size == 0:
        return []
    out: list[tuple[int, int]] = []
    start = prev = int(hot[0])
    for index in hot[1:]:
        if index - prev > MAX_GAP + 1:
            out.append((start, prev + 1))
            start = int(index)
        prev = int(index)
    out.append((start, prev + 1))
    return out


def blobs(
    heat: NDArray[np.floating], min_fraction: float = 0.5
) -> list[tuple[float, tuple[int, int, int, int]]]:
    """(mass, box) of the connected regions >= ``min_fraction`` of the map's max, largest first.

    Boxes are (x0, y0, x1, y1) in heatmap cells, end exclusive.
    """
    peak = float(heat.max())
    if peak <= 0:
        return []
    mask = (heat >= peak * min_fraction).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        mass = float(heat[labels == label].sum())
        found.append((mass, (x, y, x + w, y + h)))
    return sorted(found, key=lambda item: -item[0])


def to_source(
    box: tuple[int, int, int, int], map_size: tuple[int, int], source: tuple[int, int]
) -> tuple[int, int, int, int]:
    """Scale a box from a (w, h) map to (w, h) source pixels, clamped to the frame."""
    sx, sy = source[0] / map_size[0], source[1] / map_size[1]
    x0, y0, x1, y1 = box
    return (
        max(0, int(np.floor(x0 * sx))),
        max(0, int(np.floor(y0 * sy))),
        min(source[0], int(np.ceil(x1 * sx))),
        min(source[1], int(np.ceil(y1 * sy))),
    )


TRACK_DETAILS = ("jerk", "area_change")
"""Physics event details that come from object tracks (:mod:`core.analysis.tracks`)."""


def find_events(
    per_frame: dict[str, NDArray[np.float64]],
    heatmaps: dict[str, NDArray[np.float16]],
    source_size: tuple[int, int],
    fps: float,
    physics_parts: dict[str, NDArray[np.float64]] | None = None,
) -> list[Event]:
    """Every class's events, ordered by start frame. ``physics_parts`` holds the per-frame
    scores of the track checks (``jerk``, ``area_change``): a physics event whose peak one of
    them reaches (>= the event threshold) is labelled with it rather than by its blobs."""
    events = []
    for kind in CLASSES:
        for start, end in runs(per_frame[kind]):
            peak = start + int(np.argmax(per_frame[kind][start:end]))
            score = per_frame[kind][peak]
            event = _event(kind, start, end, peak, score, heatmaps[kind], source_size, fps)
            if kind == "physics" and physics_parts:
                event = _track_detail(event, physics_parts, start, end, fps)
            events.append(event)
    return sorted(events, key=lambda e: (e.start, e.kind))


def _track_detail(
    event: Event, parts: dict[str, NDArray[np.float64]], start: int, end: int, fps: float
) -> Event:
    # An abrupt resize also upsets the object's measured velocity, so area wins a tie.
    found = [name for name in reversed(TRACK_DETAILS) if parts[name][start:end].max() >= THRESHOLD]
    if not found:
        return event
    best = found[0]
    strength = float(parts[best][start:end].max())
    frame = start + int(np.argmax(parts[best][start:end]))
    time_s = frame / fps if fps > 0 else 0.0
    what = (
        "a moving object's velocity changed abruptly (a jerk spike: a reversal or swerve with "
        "nothing touching it)"
        if best == "jerk"
        else "a tracked object's area jumped with no merge or split (rigid objects keep size)"
    )
    evidence = f"At frame {frame} ({time_s:.2f} s) {what} (score {strength:.2f})."
    return replace(event, detail=best, evidence=evidence)


def _event(
    kind: str,
    start: int,
    end: int,
    peak: int,
    score: float,
    heat: NDArray[np.float16],
    source: tuple[int, int],
    fps: float,
) -> Event:
    frame = heat[peak].astype(np.float32)
    found = blobs(frame)
    map_size = (frame.shape[1], frame.shape[0])
    box = to_source(found[0][1], map_size, source) if found else (0, 0, source[0], source[1])
    detail = _physics_detail(found) if kind == "physics" else ""
    if detail == "teleport":  # the box spans where the object left and where it arrived
        box = _union(box, to_source(found[1][1], map_size, source))
    time_s = peak / fps if fps > 0 else 0.0
    evidence = _evidence(kind, detail, peak, time_s, len(found), score)
    return Event(kind, start, end, peak, float(score), box, detail, evidence)


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _physics_detail(found: list[tuple[float, tuple[int, int, int, int]]]) -> str:
    # Two blobs of similar strength at once: something left one place and arrived at another.
    if len(found) >= 2 and found[1][0] >= 0.4 * found[0][0]:
        return "teleport"
    return "vanish_or_appear"


def _evidence(kind: str, detail: str, peak: int, time_s: float, regions: int, score: float) -> str:
    where = f"frame {peak} ({time_s:.2f} s)"
    if kind == "physics":
        what = (
            "an object jumped between two places"
            if detail == "teleport"
            else ("an object-sized region vanished or appeared")
        )
        return (
            f"At {where} {what}: {regions} region(s) changed in one frame while the motion of "
            f"the scene does not explain it and the next frame keeps the change "
            f"(score {score:.2f})."
        )
    return f"Peak at {where}, score {score:.2f}, strongest of {regions} region(s)."
