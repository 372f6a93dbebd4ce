"""The API key never appears in an exception message, a repr or a log line."""

from __future__ import annotations

import asyncio
import logging

from core.providers import GenerationRequest, ProviderError

KEY = "xai-LEAKcheck0123456789abcdefghijKLMNOP"


async def test_key_absent_from_errors_reprs_and_logs(make_sim, make_client, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    sim = await make_sim(api_key=KEY, seed=4, fault_rate=0.6)
    client = make_client(sim, api_key=KEY)
    wrong = make_client(sim, api_key=KEY[::-1])
    jobs = [
        client.generate(GenerationRequest(f"p{i}", duration_s=1), tmp_path / f"{i}.mp4")
        for i in range(8)
    ]
    jobs.append(wrong.start(GenerationRequest("p", duration_s=1)))
    outcomes = await asyncio.gather(*jobs, return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors, "the fault rate should have produced some errors to inspect"
    assert all(isinstance(e, ProviderError) for e in errors)
    texts = [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [str(getattr(e, "body", "")) for e in errors]
    texts += [repr(client), repr(wrong), caplog.text]
    texts += [r.getMessage() for r in caplog.records]
    for text in texts:
        assert KEY not in text
        assert KEY[::-1] not in text
