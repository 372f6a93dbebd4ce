"""Track linking: components continue a track only one to one (contact ends tracks)."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis.tracks import _one_to_one


def _labels(*boxes: tuple[int, int, int, int]) -> np.ndarray:
    out = np.zeros((20, 40), np.int32)
    for label, (x0, y0, x1, y1) in enumerate(boxes, start=1):
        out[y0:y1, x0:x1] = label
    return out


@pytest.mark.parametrize(
    ("before", "now", "links"),
    [
        # two objects each moving a little: both continue
        (((2, 2, 8, 8), (20, 2, 26, 8)), ((3, 2, 9, 8), (21, 2, 27, 8)), {1: 1, 2: 2}),
        # two objects touch and merge into one component: no track continues
        (((2, 2, 8, 8), (9, 2, 15, 8)), ((2, 2, 16, 8),), {}),
        # one component splits in two: neither part continues it
        (((2, 2, 16, 8),), ((2, 2, 8, 8), (10, 2, 16, 8)), {}),
        # an object jumps far away (no overlap): a new track, not a continuation
        (((2, 2, 8, 8),), ((30, 10, 36, 16),), {}),
    ],
)
def test_components_link_one_to_one_only(before, now, links):
    previous, current = _labels(*before), _labels(*now)
    assert _one_to_one(previous, current, len(now) + 1) == links


def test_nothing_links_on_the_first_frame():
    assert _one_to_one(None, _labels((2, 2, 8, 8)), 2) == {}
