"""Roasts: tweet texts composed from a clip's analysis, and posting them with the clip.

Modules: :mod:`~core.roast.compose` (texts), :mod:`~core.roast.templates` (the bundled phrase
library), :mod:`~core.roast.length` (X's weighted length), :mod:`~core.roast.facts` (what a
report says), :mod:`~core.roast.sources` (finding clips and reports), :mod:`~core.roast.overlay`
(burned-in heatmap and caption), :mod:`~core.roast.post` (export + upload + record),
:mod:`~core.roast.store` (the ``roasts`` table that prevents double posts).
"""

from core.roast.compose import (
    ComposeOptions,
    Roast,
    RoastComposer,
    Style,
    compose_roasts,
    format_duration,
    format_score,
    format_time,
    weighted_length,
)

__all__ = [
    "ComposeOptions",
    "Roast",
    "RoastComposer",
    "Style",
    "compose_roasts",
    "format_duration",
    "format_score",
    "format_time",
    "weighted_length",
]
