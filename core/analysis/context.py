"""What every detector needs to know about the frames it sees: size, scale and device.

Pixel measures (flow in px/frame, kernel sizes) are expressed "at 360p" and converted here, so
a calibration constant means the same thing whatever the analysis size.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

REFERENCE_SHORT_SIDE_PX = 360


@dataclass(frozen=True)
class Context:
    """Geometry of the analysis frames."""

    width: int
    height: int
    device: torch.device

    @property
    def scale(self) -> float:
        """Analysis pixels per 360p pixel (0.5 when analysing at 180p)."""
        return min(self.width, self.height) / REFERENCE_SHORT_SIDE_PX

    def kernel(self, size_at_360p: int) -> int:
        """An odd window size that covers ``size_at_360p`` 360p pixels, at least 3."""
        size = max(3, round(size_at_360p * self.scale))
        return size if size % 2 else size + 1

    def px_to_360p(self, value: torch.Tensor) -> torch.Tensor:
        """Convert a distance in analysis pixels to 360p pixels."""
        return value / self.scale
