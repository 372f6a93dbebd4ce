"""The bundled torture-prompt library (``resources/prompts/``), for the GUI's library browser.

``categories.json`` lists the categories (what each stresses); ``<category>.jsonl`` holds that
category's prompts in the ordinary JSON Lines prompt format, each row tagged with its
``category`` and the ``defect`` it tends to provoke. The files are read with the normal
importer, so the library obeys exactly the rules a user's file does.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.prompts._importer import load_prompt_files
from core.prompts._records import ImportResult, Prompt, PromptDefaults

DEFECTS: dict[str, str] = {
    "physics": "motion no real object makes: wrong fall speed, bounce or momentum",
    "warping": "geometry that bends or swims between frames",
    "melting": "solid shapes that soften, drip or blend into each other",
    "flicker": "brightness or detail that jumps frame to frame",
    "vanish": "something that disappears (or is gone after being hidden)",
    "teleport": "something that jumps position without crossing the space between",
    "duplication": "one thing turning into several copies",
    "fusion": "separate bodies or limbs merging (extra or fused fingers, tangled people)",
    "identity_drift": "a face or person that changes identity as it moves",
    "garbled_text": "letters and numbers that misspell, shuffle or morph",
    "count_error": "the wrong number of things, or a number that changes",
    "reflection_mismatch": "a reflection that does not match what it reflects",
}
"""The defects the library's prompts are designed to provoke, with what each looks like."""


@dataclass(frozen=True)
class Category:
    """One group of library prompts, by what they stress."""

    id: str
    title: str
    stresses: str


def library_dir() -> Path:
    """The folder holding the library: in the source tree, or in a frozen (PyInstaller) app."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parents[2]
    return root / "resources" / "prompts"


@cache
def categories() -> tuple[Category, ...]:
    """Every category, in the library's order."""
    rows = json.loads((library_dir() / "categories.json").read_text(encoding="utf-8"))
    return tuple(Category(row["id"], row["title"], row["stresses"]) for row in rows)


def load_library(defaults: PromptDefaults | None = None) -> ImportResult:
    """Import the whole library (with its issues, which a healthy library has none of)."""
    paths = [library_dir() / f"{category.id}.jsonl" for category in categories()]
    return load_prompt_files(paths, defaults)


@cache
def _all_prompts() -> tuple[Prompt, ...]:
    return tuple(load_library().prompts)


def prompts(category: str | None = None) -> list[Prompt]:
    """The library's prompts, all or one category's, with the default parameters.

    Raises
    ------
    KeyError
        ``category`` is not a library category.
    """
    if category is not None and category not in {c.id for c in categories()}:
        raise KeyError(f"no library category {category!r}")
    return [p for p in _all_prompts() if category is None or p.category == category]
