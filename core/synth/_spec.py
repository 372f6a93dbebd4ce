"""The records of the synthetic-clip API: what to render, what was injected.

``DefectSpec`` and ``ClipSpec`` are frozen value objects (hashable, safe to share between
processes); ``GroundTruth`` is what :func:`core.synth.render_clip` returns so tests and the
simulator know exactly where every defect is.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

DEFECT_KINDS: tuple[str, ...] = ("warp", "melt", "flicker", "teleport", "vanish")
"""The defect classes every generator fails at; ``plan_defects`` draws from these."""

EXTRA_KINDS: tuple[str, ...] = ("realism", "jerk", "resize")
"""Kinds the renderer also injects on request (never drawn by default): ``realism`` makes a
posterised, over-smoothed, noisy and clipped patch, for the photo-realism detector; ``jerk``
an object gliding across its box that reverses its velocity in mid-air at ``start_frame``
(nothing touches it); ``resize`` a rigid object that grows to 1.6x its size (2.6x its area) at
``start_frame``, its centre kept, and stays so."""

REPORT_CLASS: dict[str, str] = {
    "warp": "warping",
    "melt": "melting",
    "flicker": "flicker",
    "teleport": "physics",
    "vanish": "physics",
    "jerk": "physics",
    "resize": "physics",
    "realism": "realism_defect",
}
"""The analysis class (report column, heatmap, event kind) that should report each kind."""

Box = tuple[int, int, int, int]
"""(x0, y0, x1, y1) in source pixels, x1/y1 exclusive."""


@dataclass(frozen=True)
class DefectSpec:
    """One injected defect, active in frames ``start_frame <= t < end_frame`` inside ``box``.

    For ``teleport``, ``vanish``, ``jerk`` and ``resize`` the discontinuity happens at
    ``start_frame``: the object jumps (teleport), disappears (vanish), reverses its velocity
    (jerk: its first backward step is ``start_frame``) or grows (resize) there and stays so; the
    span is the window in which an analyser should report it. For the other kinds the defect is
    visible on every frame of the span and nowhere else.
    """

    kind: str
    start_frame: int
    end_frame: int
    box: Box

    def __post_init__(self) -> None:
        if self.kind not in DEFECT_KINDS + EXTRA_KINDS:
            raise ValueError(
                f"defect kind {self.kind!r} is not one of {DEFECT_KINDS + EXTRA_KINDS}"
            )
        if not 0 <= self.start_frame < self.end_frame:
            raise ValueError(
                f"defect {self.kind}: frame span {self.start_frame}..{self.end_frame} is empty"
            )
        x0, y0, x1, y1 = self.box
        if x1 - x0 < 8 or y1 - y0 < 8:
            raise ValueError(f"defect {self.kind}: box {self.box} is smaller than 8x8 pixels")
        object.__setattr__(self, "box", (int(x0), int(y0), int(x1), int(y1)))

    def active(self, frame: int) -> bool:
        """True when ``frame`` lies in the defect's span."""
        return self.start_frame <= frame < self.end_frame

    def to_json(self) -> dict[str, Any]:
        """The defect as a JSON-ready dict (box as a list)."""
        data = asdict(self)
        data["box"] = list(self.box)
        return data


@dataclass(frozen=True)
class ClipSpec:
    """What to render. The picture is a pure function of (prompt, seed, size, fps, duration).

    ``width`` and ``height`` must be even (H.264 yuv420p).
    """

    prompt: str
    seed: int
    width: int
    height: int
    fps: float
    duration_s: float
    defects: tuple[DefectSpec, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ValueError(f"clip size {self.width}x{self.height} must be even and >= 16x16")
        if not (self.fps > 0 and math.isfinite(self.fps)):
            raise ValueError(f"clip fps {self.fps} must be positive")
        if self.frame_count < 2:
            raise ValueError(f"clip of {self.duration_s} s at {self.fps} fps has under 2 frames")
        object.__setattr__(self, "defects", tuple(self.defects))
        for defect in self.defects:
            if defect.end_frame > self.frame_count:
                raise ValueError(
                    f"defect {defect.kind} ends at frame {defect.end_frame}, "
                    f"past the clip's {self.frame_count} frames"
                )

    @property
    def frame_count(self) -> int:
        """Number of frames the clip will have."""
        return max(0, round(self.duration_s * self.fps))

    def to_json(self) -> dict[str, Any]:
        """The clip settings (without defects) as a JSON-ready dict."""
        return {
            "prompt": self.prompt,
            "seed": self.seed,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "duration_s": self.duration_s,
            "frame_count": self.frame_count,
        }


@dataclass(frozen=True)
class GroundTruth:
    """Where every defect of a rendered clip is, in source pixels and frames."""

    clip: ClipSpec
    defects: tuple[DefectSpec, ...]

    def to_json(self) -> dict[str, Any]:
        """``{"clip": {...}, "defects": [{kind, start_frame, end_frame, box}]}``."""
        return {"clip": self.clip.to_json(), "defects": [d.to_json() for d in self.defects]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GroundTruth:
        """Rebuild from :meth:`to_json` output."""
        defects = tuple(
            DefectSpec(d["kind"], int(d["start_frame"]), int(d["end_frame"]), tuple(d["box"]))
            for d in data["defects"]
        )
        c = data["clip"]
        clip = ClipSpec(
            c["prompt"],
            int(c["seed"]),
            int(c["width"]),
            int(c["height"]),
            float(c["fps"]),
            float(c["duration_s"]),
            defects,
        )
        return cls(clip, defects)
