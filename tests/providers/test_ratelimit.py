"""Token bucket and submission jitter, on a fake clock (no real waiting)."""

from __future__ import annotations

import asyncio
import random

import pytest

from core.providers import Jitter, TokenBucket
from tests.providers.conftest import FakeTime


async def _times_of(bucket: TokenBucket, fake: FakeTime, n: int) -> list[float]:
    times = []
    for _ in range(n):
        await bucket.acquire()
        times.append(fake.now_s)
    return times


async def test_bucket_allows_a_burst_then_the_rate():
    fake = FakeTime()
    bucket = TokenBucket(60.0, burst=3, clock=fake.clock, sleep=fake.sleep)
    times = await _times_of(bucket, fake, 6)
    assert times == pytest.approx([0.0, 0.0, 0.0, 1.0, 2.0, 3.0])


async def test_bucket_rate_change_applies_to_waiting_and_later_calls():
    fake = FakeTime()
    bucket = TokenBucket(60.0, burst=1, clock=fake.clock, sleep=fake.sleep)
    await bucket.acquire()
    bucket.set_rate(120.0)
    assert bucket.rate_per_min == 120.0
    times = await _times_of(bucket, fake, 3)
    assert times == pytest.approx([0.5, 1.0, 1.5])


async def test_bucket_is_shared_fairly_by_concurrent_workers():
    fake = FakeTime()
    bucket = TokenBucket(600.0, burst=1, clock=fake.clock, sleep=fake.sleep)
    order: list[int] = []

    async def worker(n: int) -> None:
        for _ in range(3):
            await bucket.acquire()
            order.append(n)

    await asyncio.gather(*(worker(n) for n in range(3)))
    assert sorted(order) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert fake.now_s == pytest.approx(8 * 0.1)  # 9 tokens: 1 at once, 8 at 10 per second


@pytest.mark.parametrize("rate", [0.0, -5.0])
def test_bucket_refuses_a_non_positive_rate(rate):
    with pytest.raises(ValueError, match="rate limit must be > 0"):
        TokenBucket(rate)


async def test_jitter_pauses_within_its_range_and_can_change_or_stop():
    fake = FakeTime()
    jitter = Jitter(1.0, 5.0, rand=random.Random(3), sleep=fake.sleep)
    slept = [await jitter.pause() for _ in range(50)]
    assert all(1.0 <= s <= 5.0 for s in slept)
    assert fake.sleeps == slept
    jitter.set_range(0.0, 0.0)
    assert await jitter.pause() == 0.0
    assert len(fake.sleeps) == 50  # off means no sleep call at all
    assert jitter.range_s == (0.0, 0.0)


@pytest.mark.parametrize(("low", "high"), [(-1.0, 2.0), (3.0, 1.0)])
def test_jitter_refuses_a_bad_range(low, high):
    with pytest.raises(ValueError, match="jitter range"):
        Jitter(low, high)
