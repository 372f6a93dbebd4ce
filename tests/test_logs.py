"""No key or token value can appear in a log line, whatever way it reaches the record."""

from __future__ import annotations

import logging

from core.logs import RedactingFilter, setup_logging
from core.secrets import Secret, mask, redact

KEY = "xai-k3yV4lu3ThatMustNeverLeak9f3"


def _read_all(log_dir):
    return "".join(p.read_text() for p in log_dir.iterdir())


def test_registered_secret_is_redacted_in_file_and_stderr(tmp_path, capsys):
    Secret(KEY)
    log_file = setup_logging(log_dir=tmp_path)
    assert log_file is not None
    log = logging.getLogger("tc.test")
    log.info("key is %s", KEY)
    log.warning("header Authorization: Bearer %s sent", KEY)
    try:
        raise RuntimeError(f"server echoed {KEY}")
    except RuntimeError:
        log.exception("request failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = _read_all(tmp_path) + capsys.readouterr().err
    assert KEY not in written
    assert "key is ***" in written
    assert "request failed" in written
    assert "RuntimeError: server echoed ***" in written


def test_unregistered_credential_shapes_are_redacted():
    text = (
        "Authorization: Bearer abcdef123456 and xai-UnregisteredKey42 and "
        'OAuth oauth_signature="c2lnbmF0dXJl", oauth_token="123-abc"'
    )
    cleaned = redact(text)
    for leaked in ("abcdef123456", "UnregisteredKey42", "c2lnbmF0dXJl", "123-abc"):
        assert leaked not in cleaned


def test_filter_rewrites_record_for_custom_handlers():
    Secret("tok-abcdefghijklmnop")
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "t=%s", ("tok-abcdefghijklmnop",), None
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "t=***"


def test_mask_shapes():
    assert mask("xai-0123456789abcdef9f3") == "xai-…9f3"
    assert mask("plainsecretvalue") == "…lue"
    assert mask("short") == "…"
    assert mask("") == ""
