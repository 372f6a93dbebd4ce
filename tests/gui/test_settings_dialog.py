"""The Settings dialog validates with core's parsers and writes only the user's private .env."""

from __future__ import annotations

import stat

from PySide6.QtWidgets import QDialogButtonBox

from core.config import load_settings, user_env_path
from gui.async_glue import TaskKeeper
from gui.settings_dialog import SettingsDialog


def test_save_writes_changed_values_and_secrets_privately(qtbot, qloop, artifacts_dir):
    from gui.app import create_application

    create_application()  # the app's style, for the screenshot
    dialog = SettingsDialog(load_settings(), TaskKeeper())
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(artifacts_dir / "gui_settings_dialog.png"))
    assert dialog.fields["XAI_API_KEY"].text() == ""  # secrets are never pre-filled
    dialog.fields["TC_CONCURRENCY"].setText("12")
    qtbot.keyClicks(dialog.fields["XAI_API_KEY"], "xai-testkey0123456789")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    path = user_env_path()
    text = path.read_text()
    assert 'TC_CONCURRENCY="12"' in text and 'XAI_API_KEY="xai-testkey0123456789"' in text
    assert "TC_RATE_LIMIT_RPM" not in text  # unchanged values are not written
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings = saved.args[0]
    assert settings.concurrency == 12 and settings.xai_api_key.get() == "xai-testkey0123456789"
    assert not dialog.isVisible()


def test_invalid_value_keeps_the_dialog_open_and_says_why(qtbot, qloop):
    dialog = SettingsDialog(load_settings(), TaskKeeper())
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.fields["TC_RATE_LIMIT_RPM"].setText("-3")
    dialog.save()
    assert dialog.isVisible()
    error = dialog.error_label.text()
    assert "Rate limit" in error and "greater than 0" in error
    assert not user_env_path().exists()


def test_forget_removes_the_saved_key(qtbot, qloop):
    user_env_path().parent.mkdir(parents=True, exist_ok=True)
    user_env_path().write_text('XAI_API_KEY="xai-oldkey0123456789"\nTC_DEVICE="cpu"\n')
    dialog = SettingsDialog(load_settings(), TaskKeeper())
    qtbot.addWidget(dialog)
    assert "saved: xai-" in dialog.fields["XAI_API_KEY"].placeholderText()
    dialog._forget("XAI_API_KEY")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    assert saved.args[0].xai_api_key is None
    assert user_env_path().read_text() == 'TC_DEVICE="cpu"\n'


def test_test_key_asks_the_provider(qtbot, qloop):
    from core.sim import fast_options, start_in_thread
    from gui.provider_glue import test_key

    sim = start_in_thread(fast_options())
    try:
        dialog = SettingsDialog(load_settings(), TaskKeeper(), test_key)
        qtbot.addWidget(dialog)
        dialog.fields["XAI_BASE_URL"].setText(sim.base_url)
        qtbot.keyClicks(dialog.fields["XAI_API_KEY"], sim.api_key)
        dialog.test_button.click()
        qtbot.waitUntil(lambda: "works" in dialog.key_status.text(), timeout=10_000)
        dialog.fields["XAI_API_KEY"].setText("wrong-key-123456")
        dialog.test_button.click()
        qtbot.waitUntil(lambda: "refused" in dialog.key_status.text(), timeout=10_000)
        assert "Settings" in dialog.key_status.text()
        assert "wrong-key-123456" not in dialog.key_status.text()
    finally:
        sim.stop()
