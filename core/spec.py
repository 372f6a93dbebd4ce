"""Facts about the provider's wire domain shared by config, prompt import, simulator and costs.

Sources: ../shared/reference/xai-video-api.md (sections 1.3 and 1.8). Kept in one place so the
simulator validates exactly what the client and the prompt importer accept.
"""

from __future__ import annotations

DEFAULT_MODEL = "grok-imagine-video"
MODELS = ("grok-imagine-video", "grok-imagine-video-1.5")
ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")
RESOLUTIONS = ("480p", "720p", "1080p")
DURATION_MIN_S = 1
DURATION_MAX_S = 15
DEFAULT_DURATION_S = 8
DEFAULT_ASPECT_RATIO = "16:9"
DEFAULT_RESOLUTION = "480p"
# xAI documents no exact limit; Krea documents maxLength 4096 and one client caps at 4096 bytes.
# We apply the stricter reading (UTF-8 bytes) so no prompt we accept can be refused for length.
PROMPT_MAX_BYTES = 4096
# 1 USD = 1e10 ticks (OAS MediaUsage).
USD_TICKS = 10_000_000_000

# USD per output second, by (model, resolution). 1080p prices are unpublished: we assume the
# 720p price so estimates err high rather than low.
PRICE_PER_S_USD: dict[tuple[str, str], float] = {
    ("grok-imagine-video", "480p"): 0.05,
    ("grok-imagine-video", "720p"): 0.07,
    ("grok-imagine-video", "1080p"): 0.07,
    ("grok-imagine-video-1.5", "480p"): 0.08,
    ("grok-imagine-video-1.5", "720p"): 0.14,
    ("grok-imagine-video-1.5", "1080p"): 0.14,
}
# Unknown models are priced like the most expensive known one, again so budgets err safe.
FALLBACK_PRICE_PER_S_USD = max(PRICE_PER_S_USD.values())


def price_per_s_usd(model: str, resolution: str) -> float:
    """Return the estimated price in USD per generated second for a model and resolution."""
    base = model.removesuffix("-preview")
    return PRICE_PER_S_USD.get((base, resolution), FALLBACK_PRICE_PER_S_USD)


def estimate_cost_usd(model: str, resolution: str, duration_s: float) -> float:
    """Estimate what one generation costs before it is submitted."""
    return price_per_s_usd(model, resolution) * duration_s


def frame_size(aspect_ratio: str, resolution: str) -> tuple[int, int]:
    """Return (width, height) in pixels for an aspect ratio and resolution.

    The resolution names the short side (480p -> 480 px); both sides are rounded to even
    numbers because yuv420p needs them.
    """
    short = int(resolution.removesuffix("p"))
    w_ratio, h_ratio = (int(part) for part in aspect_ratio.split(":"))
    if w_ratio >= h_ratio:
        return _even(short * w_ratio / h_ratio), _even(short)
    return _even(short), _even(short * h_ratio / w_ratio)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)
