"""The parameter row of the Prompts panel: model, duration, aspect ratio, resolution, samples.

The chosen values, samples per prompt included, are the defaults every prompt without its
own values gets (:class:`core.prompts.PromptDefaults`).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QSpinBox, QWidget

from core import spec
from core.config import Settings
from core.prompts import MAX_REPEAT, PromptDefaults


def _combo(items: tuple[str, ...], current: str, editable: bool = False) -> QComboBox:
    combo = QComboBox(editable=editable)
    combo.addItems(list(items))
    combo.setCurrentText(current)
    return combo


class PromptParams(QWidget):
    """Edits :class:`PromptDefaults` (samples per prompt are its ``repeat``); emits ``changed``."""

    changed = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = _combo(spec.MODELS, settings.model, editable=True)
        self.duration = QSpinBox(suffix=" s", minimum=spec.DURATION_MIN_S)
        self.duration.setMaximum(spec.DURATION_MAX_S)
        self.duration.setValue(settings.duration_s)
        self.aspect_ratio = _combo(spec.ASPECT_RATIOS, settings.aspect_ratio)
        self.resolution = _combo(spec.RESOLUTIONS, settings.resolution)
        self.samples = QSpinBox(minimum=1, maximum=MAX_REPEAT, value=1)
        self.samples.setToolTip("How many clips to generate from each prompt")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Model"), 0, 0)
        grid.addWidget(self.model, 0, 1, 1, 3)
        grid.addWidget(QLabel("Duration"), 1, 0)
        grid.addWidget(self.duration, 1, 1)
        grid.addWidget(QLabel("Samples"), 1, 2)
        grid.addWidget(self.samples, 1, 3)
        grid.addWidget(QLabel("Aspect"), 2, 0)
        grid.addWidget(self.aspect_ratio, 2, 1)
        grid.addWidget(QLabel("Resolution"), 2, 2)
        grid.addWidget(self.resolution, 2, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        for combo in (self.model, self.aspect_ratio, self.resolution):
            combo.currentTextChanged.connect(self.changed)
        self.duration.valueChanged.connect(self.changed)
        self.samples.valueChanged.connect(self.changed)

    def defaults(self) -> PromptDefaults:
        """The parameters prompts get unless their row names its own."""
        return PromptDefaults(
            model=self.model.currentText().strip() or spec.DEFAULT_MODEL,
            duration_s=self.duration.value(),
            aspect_ratio=self.aspect_ratio.currentText(),
            resolution=self.resolution.currentText(),
            repeat=self.samples.value(),
        )

    def state(self) -> dict[str, str | int]:
        """The values to remember between sessions (QSettings)."""
        d = self.defaults()
        return {
            "model": d.model,
            "duration_s": d.duration_s,
            "aspect_ratio": d.aspect_ratio,
            "resolution": d.resolution,
            "samples": d.repeat,
        }

    def restore(self, state: dict[str, object]) -> None:
        """Apply values saved by :meth:`state`, ignoring any that are missing or invalid."""
        if isinstance(state.get("model"), str):
            self.model.setCurrentText(str(state["model"]))
        for key, box in (("duration_s", self.duration), ("samples", self.samples)):
            value = state.get(key)
            if isinstance(value, int | str) and str(value).isdigit():
                box.setValue(int(value))
        for key, combo in (("aspect_ratio", self.aspect_ratio), ("resolution", self.resolution)):
            if state.get(key) in spec.ASPECT_RATIOS + spec.RESOLUTIONS:
                combo.setCurrentText(str(state[key]))
