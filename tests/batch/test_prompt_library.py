"""The bundled torture-prompt library loads, validates, and covers every category."""

from __future__ import annotations

import pytest

from core.prompts import library

REQUIRED_CATEGORIES = {
    "gravity",
    "liquids",
    "collisions",
    "cloth",
    "fire_smoke",
    "hands",
    "faces",
    "text_signs",
    "reflections",
    "crowds",
    "camera_moves",
    "permanence",
    "counting",
    "timelapse",
}


def test_library_validates_with_no_issue() -> None:
    result = library.load_library()
    assert result.issues == []
    assert len(result.prompts) >= 200


def test_library_prompts_are_unique() -> None:
    texts = [p.text for p in library.prompts()]
    assert len(set(texts)) == len(texts) >= 200


def test_every_category_is_present_and_populated() -> None:
    ids = [c.id for c in library.categories()]
    assert set(ids) == REQUIRED_CATEGORIES
    for category in library.categories():
        assert category.title and category.stresses
        in_category = library.prompts(category.id)
        assert len(in_category) >= 10, category.id
        assert {p.category for p in in_category} == {category.id}


def test_every_prompt_names_a_known_defect() -> None:
    for prompt in library.prompts():
        assert prompt.defect in library.DEFECTS, prompt.source


def test_unknown_category_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no library category 'dance'"):
        library.prompts("dance")
