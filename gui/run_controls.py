"""The run toolbar: provider, start/pause/resume/cancel, and pacing changeable mid-run.

It shows state and emits what the user asked for; the window hands requests to the run
controller. Which buttons are enabled follows from the run's state (:func:`enabled_actions`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QSpinBox,
    QToolBar,
    QWidget,
)

from core.config import Settings
from gui.actions import Actions
from gui.provider_glue import ProviderChoice, default_choice

IDLE = "idle"
"""No run task: the run is open but not running (new, stopped, finished)."""
_ACTIVE = {"running": {"pause", "cancel"}, "pausing": {"resume", "cancel"}}
_ACTIVE |= {"paused": {"resume", "cancel"}, "stopping": set()}


def enabled_actions(run_state: str, has_runnable: bool, has_failed: bool) -> set[str]:
    """Which of start/pause/resume/cancel/retry_failed are usable in ``run_state``.

    ``run_state`` is a :class:`core.batch.RunState` value or :data:`IDLE`.
    """
    enabled = set(_ACTIVE.get(run_state, set()))
    if run_state not in _ACTIVE and has_runnable:
        enabled.add("start")
    if has_failed and run_state != "stopping":
        enabled.add("retry_failed")
    return enabled


class RunControls(QToolBar):
    """Toolbar with the run actions and live pacing controls."""

    concurrency_changed = Signal(int)
    rate_changed = Signal(float)
    budget_changed = Signal(object)
    """``float`` dollars, or ``None`` for no limit."""

    def __init__(self, actions: Actions, settings: Settings, parent: QWidget | None = None):
        super().__init__("Run", parent)
        self.setObjectName("runToolbar")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.acts = actions
        self.provider = QComboBox()
        self.provider.addItem("Simulator (free)", ProviderChoice.SIMULATOR)
        self.provider.addItem("xAI Grok Imagine", ProviderChoice.XAI)
        self.provider.setToolTip("Where generations go; the simulator needs no key")
        self.concurrency = QSpinBox(minimum=1, maximum=512, value=settings.concurrency)
        self.concurrency.setToolTip("Generations running at once (applies immediately)")
        self.rate = QDoubleSpinBox(minimum=0.1, maximum=100_000.0, value=settings.rate_limit_rpm)
        self.rate.setDecimals(1)
        self.rate.setSuffix(" /min")
        self.rate.setToolTip("Request rate limit shared by all workers (applies immediately)")
        self.budget = QDoubleSpinBox(minimum=0.0, maximum=1_000_000.0, singleStep=5.0)
        self.budget.setPrefix("$")
        self.budget.setSpecialValueText("no limit")
        self.budget.setToolTip("Pause the run before spending more than this (0: no limit)")
        self.analyse = QCheckBox("Analyse clips")
        self.analyse.setChecked(True)
        self.analyse.setToolTip(
            "Score every downloaded clip for defects (workers on the GPU, or the CPU). "
            "A change applies from the next Start."
        )
        for box, width in ((self.concurrency, 64), (self.rate, 112), (self.budget, 104)):
            box.setFixedWidth(width)
        self._build(actions)
        self.update_provider_choices(settings)
        self.concurrency.valueChanged.connect(self.concurrency_changed)
        self.rate.valueChanged.connect(self.rate_changed)
        self.budget.valueChanged.connect(self._budget_edited)

    def _build(self, a: Actions) -> None:
        self.addWidget(QLabel("Provider"))
        self.addWidget(self.provider)
        self.addSeparator()
        for action in (a.start, a.pause, a.resume, a.cancel, a.retry_failed):
            self.addAction(action)
        self.addSeparator()
        for label, widget in (
            ("Concurrency", self.concurrency),
            ("Rate", self.rate),
            ("Budget", self.budget),
        ):
            self.addWidget(QLabel(label))
            self.addWidget(widget)
        self.addSeparator()
        self.addWidget(self.analyse)

    def update_provider_choices(self, settings: Settings) -> None:
        """Offer xAI only with a key; preselect the simulator when there is none."""
        model = self.provider.model()
        assert isinstance(model, QStandardItemModel)  # a QComboBox's own model
        xai_item = model.item(1)
        xai_item.setEnabled(bool(settings.xai_api_key))
        xai_item.setToolTip("" if settings.xai_api_key else "Set an API key in Settings first")
        self.provider.setCurrentIndex(self.provider.findData(default_choice(settings)))

    def choice(self) -> ProviderChoice:
        """The provider the user picked."""
        return ProviderChoice(self.provider.currentData())

    def budget_usd(self) -> float | None:
        """The budget, or ``None`` for no limit."""
        value = self.budget.value()
        return value if value > 0 else None

    @Slot(float)
    def _budget_edited(self, _value: float) -> None:
        self.budget_changed.emit(self.budget_usd())

    def show_state(self, run_state: str, has_runnable: bool, has_failed: bool) -> None:
        """Enable the actions that make sense now; lock the provider while a run is live."""
        enabled = enabled_actions(run_state, has_runnable, has_failed)
        a = self.acts
        for name in ("start", "pause", "resume", "cancel", "retry_failed"):
            getattr(a, name).setEnabled(name in enabled)
        self.provider.setEnabled(run_state not in _ACTIVE)
