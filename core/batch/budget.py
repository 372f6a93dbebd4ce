"""The spend budget: estimates reserved before a start, replaced by actual costs after.

The runner keeps a running total in memory (seeded from :meth:`JobStore.spend` when a run
opens) so the check before each start is O(1) at 100k jobs. A start is allowed only when
the total plus its estimate stays within the limit, so the run pauses *before* exceeding it.
"""

from __future__ import annotations

import math


class Budget:
    """Spending limit and running total for one run.

    Parameters
    ----------
    limit_usd:
        ``None`` (or ``inf``) for no limit.
    spent_usd:
        What the run may already have spent (actual plus unpriced estimates).
    """

    def __init__(self, limit_usd: float | None, spent_usd: float = 0.0) -> None:
        self.limit_usd = limit_usd
        self._spent_usd = spent_usd

    @property
    def limit_usd(self) -> float | None:
        """The limit, or ``None`` for none."""
        return None if math.isinf(self._limit_usd) else self._limit_usd

    @limit_usd.setter
    def limit_usd(self, value: float | None) -> None:
        if value is not None and not value >= 0:
            raise ValueError(f"budget must be >= 0 USD, got {value}")
        self._limit_usd = math.inf if value is None else float(value)

    @property
    def spent_usd(self) -> float:
        """What the run may have spent, counting reservations."""
        return self._spent_usd

    @property
    def left_usd(self) -> float:
        """What is left before the limit (``inf`` with no limit)."""
        return self._limit_usd - self._spent_usd

    def try_reserve(self, estimate_usd: float) -> bool:
        """Reserve a start's estimate; ``False`` (nothing reserved) if it would go over."""
        # A tiny tolerance: 20 starts at $0.05 must fit a $1.00 budget despite float sums.
        if self._spent_usd + estimate_usd > self._limit_usd + 1e-9:
            return False
        self._spent_usd += estimate_usd
        return True

    def release(self, estimate_usd: float) -> None:
        """Give back a reservation whose start was refused (nothing was charged)."""
        self._spent_usd -= estimate_usd

    def settle(self, estimate_usd: float, actual_usd: float | None) -> None:
        """Replace a reservation by the provider's actual figure (when it gave one)."""
        if actual_usd is not None:
            self._spent_usd += actual_usd - estimate_usd
