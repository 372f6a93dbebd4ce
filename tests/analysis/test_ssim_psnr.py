"""SSIM and PSNR agree with scikit-image and the textbook formula on real decoded frames."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from core.analysis import ops
from core.analysis.compare import compare_videos
from core.analysis.ssim import consecutive_ssim_psnr, psnr, ssim, ssim_and_psnr
from core.media import iter_frames
from core.synth import ClipSpec, DefectSpec, render_clip


def _skimage_ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(
        structural_similarity(
            a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255
        )
    )


def _ref_psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / mse))


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ssim")
    a, b = folder / "a.mp4", folder / "b.mp4"
    render_clip(ClipSpec("ssim parity", 5, 208, 120, 24, 0.75), a, crf=18)
    warped = ClipSpec(
        "ssim parity", 5, 208, 120, 24, 0.75, (DefectSpec("warp", 2, 16, (30, 20, 150, 100)),)
    )
    render_clip(warped, b, crf=30)
    return a, b


def _luma(path) -> list[np.ndarray]:
    return [y for _, _, y in iter_frames(path, fmt="y")]


@pytest.mark.parametrize("force_torch", [False, True])
def test_consecutive_frame_ssim_and_psnr_match_references(pair, force_torch, monkeypatch):
    monkeypatch.setattr(ops, "FORCE_TORCH", force_torch)  # the CUDA code path, run on CPU
    frames = _luma(pair[1])
    x = torch.from_numpy(np.stack(frames[1:])).float().unsqueeze(1)
    y = torch.from_numpy(np.stack(frames[:-1])).float().unsqueeze(1)
    ours_ssim, ours_psnr = ssim(x, y).numpy(), psnr(x, y).numpy()
    fused_ssim, fused_psnr = ssim_and_psnr(x, y)  # the engine's one-pass version
    assert np.allclose(fused_ssim.numpy(), ours_ssim, atol=1e-9)
    assert np.allclose(fused_psnr.numpy(), ours_psnr, atol=1e-9)
    # The engine's CPU path: one frame at a time with OpenCV, moments shared between pairs.
    seq_ssim, seq_psnr = consecutive_ssim_psnr(frames)
    assert np.allclose(seq_ssim, ours_ssim, atol=1e-5)
    assert np.allclose(seq_psnr, ours_psnr, atol=1e-6)
    for i in range(len(frames) - 1):
        assert abs(ours_ssim[i] - _skimage_ssim(frames[i + 1], frames[i])) < 1e-3
        assert abs(ours_psnr[i] - _ref_psnr(frames[i + 1], frames[i])) < 0.05


def test_compare_two_videos_matches_references(pair):
    result = compare_videos(*pair, device="cpu")
    a, b = _luma(pair[0]), _luma(pair[1])
    assert len(result.rows) == len(a) == 18
    for row, fa, fb in zip(result.rows, a, b, strict=True):
        assert abs(row["ssim"] - _skimage_ssim(fa, fb)) < 1e-3
        assert abs(row["psnr"] - _ref_psnr(fa, fb)) < 0.05
    summary = result.summary()
    assert summary["ssim_min"] < summary["ssim_mean"] < 1.0


def test_identical_frames_give_capped_psnr_and_unit_ssim():
    x = torch.full((1, 1, 32, 32), 77.0)
    assert float(psnr(x, x)[0]) == 100.0
    assert float(ssim(x, x)[0]) == pytest.approx(1.0)
