"""Seeded fault decisions: which request (or generation) gets which fault.

Decisions do not depend on the order in which concurrent requests arrive: each is drawn from
a random generator keyed by (seed, site, key, n), where ``key`` names the job (its prompt for
a start, its request id afterwards) and ``n`` counts earlier requests for that key at that
site. The same seed, options and client behaviour therefore give the same faults.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from core.sim.options import SimOptions, Site


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator determined only by ``seed`` and ``parts`` (stable across runs)."""
    digest = hashlib.blake2b(repr((seed, *parts)).encode("utf-8"), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def choose_fault(rates: Mapping[str, float], draw: float) -> str | None:
    """The fault whose slice of [0, 1) contains ``draw``, or ``None`` past the last slice."""
    edge = 0.0
    for name, rate in rates.items():
        edge += rate
        if draw < edge:
            return name
    return None


@dataclass(frozen=True)
class Decision:
    """One draw: the fault (or ``None``) and a generator for that fault's own choices."""

    fault: str | None
    rng: random.Random


class FaultInjector:
    """Draws faults per site and counts what it injected."""

    def __init__(self, options: SimOptions) -> None:
        self._seed = options.seed
        self._rates = {site: options.site_rates(site) for site in Site}
        for site, rates in self._rates.items():
            if sum(rates.values()) > 1.0 + 1e-9:
                raise ValueError(f"fault rates at {site} add up to more than 1: {rates}")
        self._seen: Counter[tuple[Site, str]] = Counter()
        self.injected: Counter[str] = Counter()
        """How many times each fault was injected (served at ``/sim/stats``)."""

    def skip_to(self, site: Site, counts: Mapping[str, int]) -> None:
        """Continue after an earlier session: the next draw for ``key`` is its ``counts[key]``-th.

        A restarted simulator would otherwise repeat its first draws, so a start that was
        dropped (``start_drop``) before a crash would be dropped again when re-sent.
        """
        for key, n in counts.items():
            self._seen[(site, key)] = max(self._seen[(site, key)], n)

    def decide(self, site: Site, key: str) -> Decision:
        """Draw the fault for the next request for ``key`` at ``site``."""
        n = self._seen[(site, key)]
        self._seen[(site, key)] += 1
        rng = rng_for(self._seed, str(site), key, n)
        fault = choose_fault(self._rates[site], rng.random())
        if fault is not None:
            self.injected[fault] += 1
        return Decision(fault, rng)
