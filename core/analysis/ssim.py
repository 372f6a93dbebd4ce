"""SSIM and PSNR on luma, matching scikit-image and the usual PSNR definition.

``ssim_map`` reproduces ``skimage.metrics.structural_similarity(gaussian_weights=True,
sigma=1.5, use_sample_covariance=False, data_range=255)``: an 11-tap Gaussian window
(truncate 3.5) with reflected borders, K1 = 0.01, K2 = 0.03, and a mean taken after cropping
the 5-pixel border. Inputs are shifted by 128 before the second moments so float32 keeps
about 1e-6 precision on the variances (SSIM's variance terms are shift-invariant).
"""

from __future__ import annotations

import torch

from core.analysis.ops import Tensor, blur, gaussian_radius

SIGMA = 1.5
C1 = (0.01 * 255.0) ** 2
C2 = (0.03 * 255.0) ** 2
PSNR_CAP_DB = 100.0
"""PSNR of identical frames (MSE 0) is reported as this instead of infinity."""


def ssim_map(x: Tensor, y: Tensor) -> Tensor:
    """Per-pixel SSIM of two (N, 1, H, W) stacks of luma in [0, 255]."""
    return _ssim_map_and_mse(x, y, with_mse=False)[0]


def _ssim_map_and_mse(x: Tensor, y: Tensor, with_mse: bool) -> tuple[Tensor, Tensor | None]:
    """SSIM map and (optionally) the per-frame MSE from the same moment buffer.

    Written with in-place operations on one (5N, 1, H, W) buffer: it is the hottest function
    on CPU (two calls per batch at analysis size), and allocation dominated its cost. The MSE
    is mean(x'² + y'² - 2x'y') over the unblurred products, summed in float64.
    """
    n = x.shape[0]
    moments = torch.empty((5 * n, *x.shape[1:]), dtype=torch.float32, device=x.device)
    xs, ys = torch.sub(x, 128.0, out=moments[:n]), torch.sub(y, 128.0, out=moments[n : 2 * n])
    torch.mul(xs, xs, out=moments[2 * n : 3 * n])
    torch.mul(ys, ys, out=moments[3 * n : 4 * n])
    torch.mul(xs, ys, out=moments[4 * n :])
    mse = None
    if with_mse:
        sums = moments[2 * n :].sum(dim=(1, 2, 3), dtype=torch.float64).view(3, n)
        mse = (sums[0] + sums[1] - 2.0 * sums[2]) / float(x[0].numel())
    mx, my, xx, yy, xy = torch.split(blur(moments, SIGMA), n)
    var_sum = xx.add_(yy).sub_(mx * mx).sub_(my * my).add_(C2)  # vx + vy + C2
    cov2 = xy.sub_(mx * my).mul_(2.0).add_(C2)  # 2 cov + C2
    mx.add_(128.0)
    my.add_(128.0)
    den = (mx * mx).add_(my * my).add_(C1).mul_(var_sum)
    out: Tensor = mx.mul_(my).mul_(2.0).add_(C1).mul_(cov2).div_(den)
    return out, mse


def ssim(x: Tensor, y: Tensor) -> Tensor:
    """Mean SSIM per frame (shape (N,)), float64, cropped like scikit-image."""
    pad = gaussian_radius(SIGMA)
    cropped = ssim_map(x, y)[..., pad:-pad, pad:-pad]
    return cropped.double().mean(dim=(1, 2, 3))


def ssim_and_psnr(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """:func:`ssim` and :func:`psnr` in one pass (they share the moment buffer)."""
    pad = gaussian_radius(SIGMA)
    full, mse = _ssim_map_and_mse(x, y, with_mse=True)
    assert mse is not None
    return full[..., pad:-pad, pad:-pad].double().mean(dim=(1, 2, 3)), _psnr_from_mse(mse)


def psnr(x: Tensor, y: Tensor) -> Tensor:
    """PSNR in dB per frame (shape (N,)): 10·log10(255² / MSE), MSE in float64."""
    return _psnr_from_mse((x.double() - y.double()).pow(2).mean(dim=(1, 2, 3)))


def _psnr_from_mse(mse: Tensor) -> Tensor:
    mse = mse.clamp_min(0.0)
    out = 10.0 * torch.log10(255.0**2 / mse.clamp_min(1e-12))
    return torch.where(mse > 0, out, torch.full_like(out, PSNR_CAP_DB)).clamp_max(PSNR_CAP_DB)
