"""Playhead pacing: wall time decides the frame; skipped positions are counted, loops wrap."""

from __future__ import annotations

import pytest

from core.review import FrameRange, Playhead, PlayState, frames_elapsed


@pytest.mark.parametrize(
    ("start_s", "now_s", "fps", "speed", "expected"),
    [
        (0.0, 0.0, 24, 1.0, 0),
        (0.0, 1 / 24, 24, 1.0, 1),  # exactly one period, despite float rounding
        (0.0, 0.99, 24, 1.0, 23),
        (10.0, 11.0, 24, 2.0, 48),
        (0.0, 1.0, 24, -0.5, 12),  # direction is the playhead's business, not the count's
        (5.0, 4.0, 24, 1.0, 0),  # a clock that went backwards never moves the playhead back
    ],
)
def test_frames_elapsed(start_s, now_s, fps, speed, expected):
    assert frames_elapsed(start_s, now_s, fps, speed) == expected


def test_tick_follows_wall_time_and_reports_skips():
    head = Playhead(frame_count=48, fps=24)
    head.play(now_s=100.0)
    assert head.tick(100.01).advanced == 0
    assert (head.tick(100.05).frame, head.tick(100.05).advanced) == (1, 0)
    late = head.tick(100.0 + 5 / 24 + 0.001)
    assert (late.frame, late.advanced) == (5, 4)  # 2, 3, 4 were never shown


def test_tick_stops_at_end_without_counting_the_overshoot():
    head = Playhead(frame_count=10, fps=10)
    head.seek(7)
    head.play(now_s=0.0)
    tick = head.tick(5.0)
    assert (tick.frame, tick.advanced, tick.ended) == (9, 2, True)
    assert head.state is PlayState.PAUSED


def test_loop_wraps_forward_and_backward():
    head = Playhead(frame_count=100, fps=10)
    head.set_loop(FrameRange(10, 14))
    head.seek(13)
    head.play(now_s=0.0)
    assert [head.tick(k / 10 + 0.001).frame for k in range(1, 5)] == [14, 10, 11, 12]
    head.set_speed(-1.0, now_s=10.0)
    assert [head.tick(10 + k / 10 + 0.001).frame for k in range(1, 4)] == [11, 10, 14]


def test_play_at_end_restarts_and_step_pauses():
    head = Playhead(frame_count=5, fps=24)
    head.seek(4)
    head.play(now_s=0.0)
    assert head.frame == 0
    head.step(-1)
    assert (head.frame, head.state) == (0, PlayState.PAUSED)
    head.step(3)
    assert head.frame == 3


def test_mark_in_and_out_build_a_loop_and_events_fire():
    head = Playhead(frame_count=50, fps=24)
    loops: list[FrameRange | None] = []
    head.loop_changed.connect(loops.append)
    head.seek(12)
    head.mark_in()
    head.seek(20)
    head.mark_out()
    assert loops == [FrameRange(12, 49), FrameRange(12, 20)]
    head.seek(5)
    head.mark_out()  # out before in: the loop restarts from the clip start
    assert head.loop == FrameRange(0, 5)


@pytest.mark.parametrize(("first", "last"), [(-1, 3), (5, 4)])
def test_frame_range_rejects_empty(first, last):
    with pytest.raises(ValueError, match="empty or negative"):
        FrameRange(first, last)


def test_zero_speed_is_refused():
    with pytest.raises(ValueError, match="pause instead"):
        Playhead(10, 24).set_speed(0.0, 0.0)
