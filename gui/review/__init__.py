"""The Review tab: frame-accurate player, heatmap overlays, linked plots, side-by-side compare."""

from gui.review._panel import ReviewPanel

__all__ = ["ReviewPanel"]
