"""The status-bar badge that says which provider runs use: the simulator, or xAI (key masked).

The window title repeats it, so nobody mistakes a free simulator run for a real one (or the
other way round). Colours come from the style sheet (``QLabel#providerBadge[simulator=…]``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from core.config import Settings

SIMULATOR_TITLE = "Torture Chamber — built-in simulator (no API key)"
XAI_TITLE = "Torture Chamber"


class ProviderBadge(QLabel):
    """``SIMULATOR · no API key set`` (amber) or ``xAI · key xai-…9f3`` (green)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("providerBadge")

    def show_for(self, settings: Settings) -> str:
        """Describe the provider ``settings`` lead to; return the window title to use."""
        key = settings.xai_api_key
        self.setProperty("simulator", "false" if key else "true")
        if key:
            self.setText(f"xAI · key {key.masked()}")
            self.setToolTip(f"Runs use {settings.xai_base_url}")
        else:
            self.setText("SIMULATOR · no API key set")
            self.setToolTip(
                "Runs use the built-in local simulator (real HTTP, real H.264 clips, no cost). "
                "Add an xAI API key in Settings to generate with Grok Imagine."
            )
        self.style().unpolish(self)  # re-read the [simulator=…] style rule
        self.style().polish(self)
        return XAI_TITLE if key else SIMULATOR_TITLE
