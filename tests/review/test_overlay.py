"""Overlay maths: colour tables carry map/opacity/threshold; blending stretches over the frame."""

from __future__ import annotations

import numpy as np
import pytest

from core.review import (
    COLORMAPS,
    DefectClass,
    blend,
    colormap_lut,
    combine,
    heat_at,
    quantize,
    stretch_indices,
)


@pytest.mark.parametrize("name", sorted(COLORMAPS))
def test_lut_threshold_and_opacity(name):
    lut = colormap_lut(name, opacity=0.5, threshold=0.2)
    assert lut.shape == (256, 4)
    assert lut.dtype == np.uint8
    assert (lut[:51, 3] == 0).all()  # below 0.2 * 255 = 51: transparent
    assert lut[51, 3] == round(0.5 * (0.35 + 0.65 * 51 / 255) * 255)
    assert lut[255, 3] == round(0.5 * 255)


def test_zero_heat_is_never_painted_and_unknown_map_is_named():
    assert colormap_lut("turbo", 1.0, 0.0)[0, 3] == 0
    with pytest.raises(ValueError, match="unknown colour map 'nope'"):
        colormap_lut("nope", 1.0, 0.0)


def test_quantize_clips_and_handles_nan():
    heat = np.array([-0.5, 0.0, 0.5, 1.0, 2.0, np.nan], np.float16)
    assert quantize(heat).tolist() == [0, 0, 128, 255, 255, 0]


@pytest.mark.parametrize(
    ("heat_size", "source_size", "expected"),
    [
        (2, 4, [0, 0, 1, 1]),
        (3, 4, [0, 0, 1, 2]),
        (4, 4, [0, 1, 2, 3]),
        (2, 5, [0, 0, 0, 1, 1]),
    ],
)
def test_stretch_indices(heat_size, source_size, expected):
    assert stretch_indices(heat_size, source_size).tolist() == expected


def test_blend_lands_heat_on_the_stretched_cell():
    frame = np.zeros((40, 80, 3), np.uint8)
    heat = np.zeros((4, 8), np.uint8)
    heat[1, 6] = 255  # covers source x 60..69, y 10..19
    lut = colormap_lut("hot", opacity=1.0, threshold=0.1)
    out = blend(frame, heat, lut)
    painted = np.argwhere(out.any(axis=2))
    assert painted[:, 0].min() == 10
    assert painted[:, 0].max() == 19
    assert painted[:, 1].min() == 60
    assert painted[:, 1].max() == 69
    assert tuple(out[15, 65]) == tuple(lut[255, :3])
    assert frame.sum() == 0  # the input frame is untouched


def test_combine_takes_the_per_pixel_max():
    a = np.array([[1, 9]], np.uint8)
    b = np.array([[5, 2]], np.uint8)
    assert combine([a, b]).tolist() == [[5, 9]]
    assert combine([]) is None
    assert DefectClass.REALISM.label == "realism"


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [(65.0, 15.0, 1.0), (59.9, 15.0, 0.0), (70.0, 15.0, 0.0), (-3.0, 500.0, 0.0)],
)
def test_heat_at_reads_the_cell_blend_paints(x, y, expected):
    heat = np.zeros((4, 8), np.uint8)
    heat[1, 6] = 255  # source x 60..69, y 10..19 of an 80x40 frame
    assert heat_at(heat, (80, 40), x, y) == expected
