"""The runner against the real loopback simulator: every job ends right, nothing paid twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from core.batch import PauseReason, RunDirError, RunState
from core.media import probe
from core.secrets import Secret
from core.sim.jobs import JobFate
from core.store import FailReason, JobState
from tests.batch.conftest import HeldGenerations, prompts

S = JobState
TRANSPORT_FAULTS = {"rate_limit": 0.05, "server_error": 0.05, "reset": 0.05, "truncate": 0.1}


def states(controller) -> dict[JobState, int]:
    return {state: n for state, n in controller.counts().items() if n}


async def test_every_prompt_done_and_accepted_exactly_once(make_sim, make_controller) -> None:
    sim = await make_sim(fault_rates=TRANSPORT_FAULTS, seed=3)
    controller = make_controller(sim, concurrency=6)
    ids = controller.enqueue(prompts(24))
    assert await controller.run() is RunState.FINISHED
    assert states(controller) == {S.DONE: 24}
    stats = sim.stats()
    assert (stats["accepted"], stats["duplicate_prompts"]) == (24, 0)
    assert stats["faults"]  # the faults really happened and were absorbed
    jobs = controller.store.get_many(ids)
    for job in jobs:
        assert job.clip_path == f"clips/{job.id}.mp4"
        info = probe(controller.run_dir.path / job.clip_path)
        assert info.frame_count > 0 and info.codec == "h264"
        assert job.cost_usd == pytest.approx(0.05)
    assert controller.store.spend().total_usd == pytest.approx(24 * 0.05)
    assert not list(controller.run_dir.clips_dir.glob("*.part"))


async def test_each_generation_fault_gives_its_own_outcome(make_sim, make_controller) -> None:
    job_faults = {"gen_failed": 0.15, "gen_expired": 0.1, "moderation": 0.15, "url_expire": 0.1}
    sim = await make_sim(fault_rates={**job_faults, "start_drop": 0.1}, seed=11)
    controller = make_controller(sim, concurrency=8)
    controller.enqueue(prompts(40))
    assert await controller.run() is RunState.FINISHED
    book = sim.book
    expected = {
        JobFate.FAILED: (S.FAILED, FailReason.GENERATION_FAILED),
        JobFate.EXPIRED: (S.FAILED, FailReason.EXPIRED),
        JobFate.MODERATED: (S.MODERATED, None),
    }
    seen: Counter[JobState] = Counter()
    for job in controller.store.page(0, 100):
        seen[job.state] += 1
        if job.request_id is None:
            # The start was accepted but its answer lost: never re-sent by itself.
            assert job.state is S.START_UNKNOWN
            assert book.accepted_by_prompt[job.prompt] == 1
            continue
        sim_job = book.jobs[job.request_id]
        if sim_job.fate in expected:
            assert (job.state, job.error_kind) == expected[sim_job.fate]
        elif sim_job.url_ttl_s == 0:
            assert (job.state, job.error_kind) == (S.FAILED, FailReason.DOWNLOAD)
        else:
            assert job.state is S.DONE
    assert all(seen[s] for s in (S.DONE, S.FAILED, S.MODERATED, S.START_UNKNOWN)), seen
    assert (book.accepted, book.duplicate_prompts()) == (40, 0)
    moderated = controller.store.page(0, 100)
    assert all(j.cost_usd == pytest.approx(0.05) for j in moderated if j.state is S.MODERATED)


async def test_pause_is_kept_and_starts_nothing_new(make_sim, make_controller, tmp_path) -> None:
    sim = await make_sim(gen_seconds=0.3)
    controller = make_controller(sim, concurrency=2)
    controller.enqueue(prompts(12))
    submitted_after_pause: list[str] = []

    def on_change(job_id: str) -> None:
        job = controller.store.get(job_id)
        if controller.paused and job.state is S.SUBMITTING:
            submitted_after_pause.append(job_id)
        elif job.state is S.GENERATING and not controller.paused:
            started = controller.store.count() - controller.counts()[S.QUEUED]
            controller.pause() if started >= 3 else None

    def on_state(state: str) -> None:
        if state == RunState.PAUSED:
            controller.stop()

    controller.events.job_changed.connect(on_change)
    controller.events.run_state.connect(on_state)
    assert await controller.run() is RunState.STOPPED
    assert submitted_after_pause == []
    counts = controller.counts()
    assert counts[S.QUEUED] >= 8 and counts[S.DONE] + counts[S.QUEUED] == 12
    accepted_at_pause = sim.stats()["accepted"]
    assert accepted_at_pause == counts[S.DONE]
    controller.close()

    reopened = make_controller(sim, concurrency=2)
    assert reopened.paused and reopened.pause_reason is PauseReason.USER
    reopened.resume()
    assert await reopened.run() is RunState.FINISHED
    assert states(reopened) == {S.DONE: 12}
    assert (sim.stats()["accepted"], sim.stats()["duplicate_prompts"]) == (12, 0)


async def test_cancel_one_then_all_then_retry_costs_nothing_new(make_sim, make_controller) -> None:
    sim = await make_sim(gen_seconds=0.5)
    controller = make_controller(sim, concurrency=3)
    ids = controller.enqueue(prompts(8))
    first: list[str] = []

    def on_change(job_id: str) -> None:
        if not first and controller.store.get(job_id).state is S.GENERATING:
            first.append(job_id)
            assert controller.cancel(job_id) == 1
        elif first and controller.store.get(job_id).state is S.GENERATING:
            controller.cancel()  # everything

    controller.events.job_changed.connect(on_change)
    assert await controller.run() is RunState.FINISHED
    cancelled = controller.store.get(first[0])
    assert cancelled.state is S.CANCELLED and cancelled.request_id is not None
    assert states(controller) == {S.CANCELLED: 8}
    accepted = sim.stats()["accepted"]
    assert 2 <= accepted < 8  # the queued ones were never started

    controller.events.job_changed.disconnect(on_change)
    assert controller.retry([first[0]]) == 1
    assert controller.store.get(first[0]).state is S.GENERATING  # polled again, not re-sent
    assert await controller.run() is RunState.FINISHED
    assert controller.store.get(first[0]).state is S.DONE
    assert sim.stats()["accepted"] == accepted
    assert set(ids) == {j.id for j in controller.store.page(0, 10)}


async def test_budget_pauses_before_it_is_exceeded(make_sim, make_controller) -> None:
    sim = await make_sim()
    controller = make_controller(sim, concurrency=3, budget_usd=0.25)  # five 1 s clips
    controller.enqueue(prompts(10))
    controller.events.run_state.connect(
        lambda state: controller.stop() if state == RunState.PAUSED else None
    )
    assert await controller.run() is RunState.STOPPED
    assert controller.pause_reason is PauseReason.BUDGET
    assert states(controller) == {S.DONE: 5, S.QUEUED: 5}
    assert controller.store.spend().total_usd == pytest.approx(0.25)
    assert sim.stats()["accepted"] == 5

    controller.set_budget_usd(1.0)
    controller.resume()
    assert await controller.run() is RunState.FINISHED
    assert states(controller) == {S.DONE: 10}
    assert sim.stats()["accepted"] == 10


async def test_deadline_failures_retry_by_polling_again(make_sim, make_controller) -> None:
    sim = await make_sim(gen_seconds=0.4)
    held = HeldGenerations(sim)  # none may finish before the deadline, however slow the box
    controller = make_controller(sim, deadline_s=0.05)
    controller.enqueue(prompts(4))
    assert await controller.run() is RunState.FINISHED
    assert states(controller) == {S.FAILED: 4}
    assert controller.store.failures_by_reason() == {"deadline": 4}
    controller.close()

    held.release()
    patient = make_controller(sim, deadline_s=30.0)
    assert patient.retry_failed() == 4
    assert states(patient) == {S.GENERATING: 4}
    assert await patient.run() is RunState.FINISHED
    assert states(patient) == {S.DONE: 4}
    assert sim.stats()["accepted"] == 4


async def test_stop_leaves_a_resumable_run(make_sim, make_controller) -> None:
    sim = await make_sim(gen_seconds=0.5)
    held = HeldGenerations(sim)  # five at once mid-generation, without racing the clock
    controller = make_controller(sim, concurrency=5)
    controller.enqueue(prompts(10))

    def on_change(job_id: str) -> None:
        if controller.counts()[S.GENERATING] >= 5:
            controller.stop()

    controller.events.job_changed.connect(on_change)
    assert await controller.run() is RunState.STOPPED
    counts = controller.counts()
    assert counts[S.SUBMITTING] == counts[S.DOWNLOADING] == counts[S.ANALYSING] == 0
    assert (counts[S.GENERATING], counts[S.QUEUED]) == (5, 5)
    controller.events.job_changed.disconnect(on_change)
    held.release()
    assert await controller.run() is RunState.FINISHED
    assert states(controller) == {S.DONE: 10}
    assert (sim.stats()["accepted"], sim.stats()["duplicate_prompts"]) == (10, 0)


async def test_concurrency_can_grow_while_running(make_sim, make_controller) -> None:
    sim = await make_sim(gen_seconds=0.3)
    held = HeldGenerations(sim)  # jobs stay busy until five run at once
    controller = make_controller(sim, concurrency=1)
    controller.enqueue(prompts(10))
    busy: set[str] = set()
    peak = 0

    def on_change(job_id: str) -> None:
        nonlocal peak
        state = controller.store.get(job_id).state
        if state in (S.SUBMITTING, S.GENERATING, S.DOWNLOADING):
            busy.add(job_id)
        else:
            busy.discard(job_id)
        peak = max(peak, len(busy))
        if state is S.GENERATING and controller.concurrency == 1:
            controller.set_concurrency(5)
        if peak == 5:
            held.release()

    controller.events.job_changed.connect(on_change)
    assert await controller.run() is RunState.FINISHED
    assert peak == 5  # grew to the new concurrency, never past it
    assert states(controller) == {S.DONE: 10}


async def test_events_follow_each_job(make_sim, make_controller) -> None:
    sim = await make_sim(gen_seconds=0.2)
    controller = make_controller(sim)
    (job_id,) = controller.enqueue(prompts(1))
    changes: list[str] = []
    progress: list[tuple[str, int, int]] = []
    run_states: list[str] = []
    controller.events.job_changed.connect(
        lambda jid: changes.append(str(controller.store.get(jid).state))
    )
    controller.events.progress.connect(lambda jid, phase, d, t: progress.append((phase, d, t)))
    controller.events.run_state.connect(run_states.append)
    await controller.run()
    assert changes == ["submitting", "generating", "downloading", "downloaded", "done"]
    phases = [p for p, _, _ in progress]
    assert phases[0] == "generating" and "downloading" in phases
    assert ("generating", 100, 100) in progress
    assert run_states == ["running", "finished"]
    assert controller.store.get(job_id).state is S.DONE


async def test_a_run_directory_has_one_runner(make_sim, make_controller, tmp_path) -> None:
    sim = await make_sim()
    make_controller(sim)
    with pytest.raises(RunDirError, match="being run by another process"):
        make_controller(sim)


async def test_resending_unknown_starts_is_the_users_call(
    make_sim, make_controller, tmp_path
) -> None:
    dropping = await make_sim(fault_rates={"start_drop": 1.0})
    controller = make_controller(dropping)
    controller.enqueue(prompts(3))
    assert await controller.run() is RunState.FINISHED
    assert states(controller) == {S.START_UNKNOWN: 3}
    assert dropping.stats()["accepted"] == 3  # billed, though no answer came back
    assert controller.store.spend().total_usd == pytest.approx(0.15)
    assert await controller.run() is RunState.FINISHED  # running again re-sends nothing
    assert dropping.stats()["accepted"] == 3
    controller.close()

    healthy = await make_sim()
    again = make_controller(healthy)
    assert again.resolve_unknown(resend=True) == 3
    assert await again.run() is RunState.FINISHED
    assert states(again) == {S.DONE: 3}
    spend = again.store.spend()
    assert (spend.prior_usd, spend.total_usd) == pytest.approx((0.15, 0.30))
    assert all(j.resend_allowed for j in again.store.page(0, 3))


async def test_wake_up_for_jobs_added_while_running(make_sim, make_controller) -> None:
    sim = await make_sim(gen_seconds=0.2)
    controller = make_controller(sim)
    controller.enqueue(prompts(1))

    def on_change(job_id: str) -> None:
        if controller.store.count() == 1 and controller.store.get(job_id).state is S.GENERATING:
            controller.enqueue([p for p in prompts(4)[1:]])

    controller.events.job_changed.connect(on_change)
    assert await asyncio.wait_for(controller.run(), 30) is RunState.FINISHED
    assert states(controller) == {S.DONE: 4}


async def test_a_refused_key_pauses_the_run_without_spending_attempts(
    make_sim, make_controller
) -> None:
    sim = await make_sim()
    controller = make_controller(sim, xai_api_key=Secret("not-the-key"))
    ids = controller.enqueue(prompts(3))
    controller.events.run_state.connect(
        lambda state: controller.stop() if state == RunState.PAUSED else None
    )
    assert await controller.run() is RunState.STOPPED
    assert controller.pause_reason is PauseReason.AUTH
    jobs = controller.store.get_many(ids)
    assert {(j.state, j.attempts, j.error_kind) for j in jobs} == {(S.QUEUED, 0, "auth")}
    assert sim.stats()["accepted"] == 0
    controller.resume()  # the user fixed the key: the held-back jobs are due at once
    assert all(j.next_at == 0 for j in controller.store.get_many(ids))
