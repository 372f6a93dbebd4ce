"""Fault decisions: rates per site, order independence, reproducibility, option checks."""

from __future__ import annotations

import random

import pytest

from core.sim import FAULTS, SimOptions, Site
from core.sim.faults import FaultInjector, choose_fault
from core.sim.options import FAULT_SITES, site_faults


@pytest.mark.parametrize(
    ("draw", "expected"),
    [(0.0, "a"), (0.099, "a"), (0.1, "b"), (0.29, "b"), (0.31, None), (0.99, None)],
)
def test_choose_fault_slices(draw, expected):
    assert choose_fault({"a": 0.1, "b": 0.2}, draw) == expected


def test_every_fault_has_a_site_and_every_site_a_fault():
    assert set(FAULTS) == set(FAULT_SITES)
    for site in Site:
        assert site_faults(site)


@pytest.mark.parametrize("site", list(Site))
def test_fault_rate_is_spread_evenly_per_site(site):
    rates = SimOptions(fault_rate=0.1).site_rates(site)
    assert sum(rates.values()) == pytest.approx(0.1)
    assert len(set(rates.values())) == 1


def test_per_fault_and_per_site_overrides():
    options = SimOptions(fault_rate=0.1, fault_rates={"reset": 0.0, "slow@poll": 0.5})
    poll = options.site_rates(Site.POLL)
    assert poll["reset"] == 0.0 and poll["slow"] == 0.5
    assert options.site_rates(Site.START)["slow"] == pytest.approx(0.1 / 5)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"fault_rates": {"gremlins": 0.1}}, "unknown fault"),
        ({"fault_rates": {"reset@start": 0.1}}, "unknown fault"),  # reset never hits starts
        ({"fault_rate": 1.5}, "fault_rate must be between 0 and 1"),
        ({"defect_rate": -0.1}, "defect_rate"),
        ({"render_scale": 0.0}, "render_scale"),
        ({"distinct_clips": 0}, "distinct_clips"),
        ({"api_key": ""}, "api_key"),
    ],
)
def test_invalid_options_are_named(kwargs, text):
    with pytest.raises(ValueError, match=text):
        SimOptions(**kwargs)


def test_rates_over_one_at_a_site_are_refused():
    with pytest.raises(ValueError, match="add up to more than 1"):
        FaultInjector(SimOptions(fault_rates={"reset": 0.6, "slow": 0.6}))


def test_decisions_do_not_depend_on_arrival_order():
    keys = [f"job-{i}" for i in range(40)] * 3
    options = SimOptions(seed=9, fault_rate=0.5)

    def run(order: list[str]) -> dict[tuple[str, int], str | None]:
        injector, seen, out = FaultInjector(options), {}, {}
        for key in order:
            n = seen[key] = seen.get(key, -1) + 1
            out[(key, n)] = injector.decide(Site.POLL, key).fault
        return out

    shuffled = keys[:]
    random.Random(1).shuffle(shuffled)
    assert run(keys) == run(shuffled)
    other_seed = FaultInjector(SimOptions(seed=10, fault_rate=0.5))
    first = FaultInjector(options)
    a = [first.decide(Site.POLL, k).fault for k in keys]
    b = [other_seed.decide(Site.POLL, k).fault for k in keys]
    assert a != b


def test_injected_counts_match_a_rate():
    injector = FaultInjector(SimOptions(seed=1, fault_rates={"rate_limit@start": 0.25}))
    faults = [injector.decide(Site.START, f"k{i}").fault for i in range(2000)]
    assert faults.count("rate_limit") == injector.injected["rate_limit"]
    assert 400 < injector.injected["rate_limit"] < 600
    assert set(faults) == {"rate_limit", None}


def test_a_restarted_simulator_continues_the_draws_instead_of_repeating_them():
    options = SimOptions(fault_rate=0.5)
    before = FaultInjector(options)
    draws = [before.decide(Site.START, "p").rng.random() for _ in range(4)]
    restarted = FaultInjector(options)
    restarted.skip_to(Site.START, {"p": 3})  # three starts of "p" were accepted earlier
    assert restarted.decide(Site.START, "p").rng.random() == draws[3]
    first_poll = FaultInjector(options).decide(Site.POLL, "p").rng.random()
    assert restarted.decide(Site.POLL, "p").rng.random() == first_poll  # other sites as before
