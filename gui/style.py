"""The app's look: Qt's Fusion style, a dark neutral palette and ``resources/styles`` QSS."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
STYLE_SHEET = RESOURCES / "styles" / "neutral-dark.qss"
ICONS = RESOURCES / "icons"
APP_ICON = ICONS / "torture-chamber.svg"

_PALETTE = {
    QPalette.ColorRole.Window: "#1d1f22",
    QPalette.ColorRole.WindowText: "#e6e9ee",
    QPalette.ColorRole.Base: "#1b1d20",
    QPalette.ColorRole.AlternateBase: "#202327",
    QPalette.ColorRole.Text: "#e6e9ee",
    QPalette.ColorRole.Button: "#2d3136",
    QPalette.ColorRole.ButtonText: "#e6e9ee",
    QPalette.ColorRole.Highlight: "#2f4f86",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#2d3136",
    QPalette.ColorRole.ToolTipText: "#e6e9ee",
    QPalette.ColorRole.PlaceholderText: "#737a85",
    QPalette.ColorRole.Link: "#6d9bf1",
}


def dark_palette() -> QPalette:
    """A neutral dark palette; disabled text is dimmed."""
    palette = QPalette()
    for role, color in _PALETTE.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5c626b"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, "#5c626b")
    return palette


def apply_style(app: QApplication) -> None:
    """Give ``app`` the Torture Chamber look (idempotent; a missing QSS keeps the palette)."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    if APP_ICON.is_file():
        app.setWindowIcon(QIcon(str(APP_ICON)))
    if STYLE_SHEET.is_file():
        sheet = STYLE_SHEET.read_text(encoding="utf-8")
        app.setStyleSheet(sheet.replace("@ICONS@", ICONS.as_posix()))
