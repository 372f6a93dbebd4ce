"""The Library panel: the bundled torture prompts, by category, with "Add selected"/"Add all".

Chosen prompts keep their category and target defect (the queue can filter on them) and get
the Prompts panel's parameters; they are emitted as an :class:`ImportResult` for the window
to enqueue.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.prompts import ImportResult, Prompt, PromptDefaults, library

_PROMPT_ROLE = Qt.ItemDataRole.UserRole


def pick(prompts: list[Prompt], texts: set[str], categories: set[str]) -> list[Prompt]:
    """The prompts whose text was selected or whose whole category was, in library order."""
    return [p for p in prompts if p.text in texts or p.category in categories]


class LibraryBrowser(QWidget):
    """Tree of categories and prompts; emits ``chosen(ImportResult)``.

    Parameters
    ----------
    defaults:
        Called when prompts are added, for the parameters they get (the Prompts panel's,
        samples per prompt included).
    """

    chosen = Signal(object)

    def __init__(
        self,
        defaults: Callable[[], PromptDefaults],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._defaults = defaults
        self.filter_edit = QLineEdit(placeholderText="Filter prompts…", clearButtonEnabled=True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Prompt", "Provokes"])
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.setColumnWidth(0, 330)
        self.tree.setUniformRowHeights(True)
        self.tree.setWordWrap(False)
        self.add_selected = QPushButton("Add selected")
        self.add_all = QPushButton("Add all")
        self.count_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.add_selected)
        buttons.addWidget(self.add_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._fill()
        self.filter_edit.textChanged.connect(self._filter)
        self.add_selected.clicked.connect(self._add_selected)
        self.add_all.clicked.connect(self._add_all)

    def _fill(self) -> None:
        everything = library.prompts()
        for category in library.categories():
            members = [p for p in everything if p.category == category.id]
            parent = QTreeWidgetItem(self.tree, [f"{category.title} ({len(members)})", ""])
            parent.setData(0, _PROMPT_ROLE, ("category", category.id))
            parent.setToolTip(0, category.stresses)
            for prompt in members:
                item = QTreeWidgetItem(parent, [prompt.text, prompt.defect or ""])
                item.setData(0, _PROMPT_ROLE, ("prompt", prompt.text))
                item.setToolTip(0, prompt.text)
                item.setToolTip(1, library.DEFECTS.get(prompt.defect or "", ""))
        self.count_label.setText(f"{len(everything)} prompts in {self.tree.topLevelItemCount()}")

    @Slot(str)
    def _filter(self, text: str) -> None:
        needle = text.casefold()
        for parent in self._categories():
            shown = 0
            for child in (parent.child(j) for j in range(parent.childCount())):
                assert child is not None
                hit = needle in child.text(0).casefold() or needle in child.text(1).casefold()
                child.setHidden(not hit)
                shown += hit
            parent.setHidden(shown == 0)
            parent.setExpanded(bool(needle) and shown > 0)

    def _categories(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _selection(self) -> tuple[set[str], set[str]]:
        texts: set[str] = set()
        categories: set[str] = set()
        for item in self.tree.selectedItems():
            kind, value = item.data(0, _PROMPT_ROLE)
            (categories if kind == "category" else texts).add(value)
        return texts, categories

    def _result(self, texts: set[str] | None, categories: set[str]) -> ImportResult:
        result = library.load_library(self._defaults())
        chosen = result.prompts if texts is None else pick(result.prompts, texts, categories)
        return ImportResult(prompts=chosen)

    @Slot()
    def _add_selected(self) -> None:
        texts, categories = self._selection()
        if texts or categories:
            self.chosen.emit(self._result(texts, categories))

    @Slot()
    def _add_all(self) -> None:
        self.chosen.emit(self._result(None, set()))

    def select_category(self, category_id: str) -> None:
        """Select a whole category (keyboard users and tests)."""
        for item in self._categories():
            item.setSelected(item.data(0, _PROMPT_ROLE) == ("category", category_id))
