"""The bundled roast phrase templates (``resources/roasts/*.json``): loading and checking.

A template is text with ``{placeholders}`` and optional segments in ``[[double brackets]]``.
Optional segments are what the composer drops, last first, when a roast is too long; the
model name may only appear inside one, so a roast never depends on knowing the model.
Placeholders (a capitalised name, e.g. ``{Severity}``, capitalises the value's first letter):

``prompt`` the generation prompt (the composer shortens it with an ellipsis; templates that
use it are skipped when the prompt is unknown), ``defect`` plain label, ``defect_noun`` and
``defect_verb`` varied phrases from ``vocabulary.json``, ``time`` peak time (``0:03.2``),
``score`` ``0.87``, ``pct`` ``87%``, ``severity`` a word, ``frame``, ``span`` (``1.4 s``),
``overall`` the clip's overall score, ``model``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

ROASTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "roasts"
PLACEHOLDERS = frozenset(
    {
        "prompt",
        "defect",
        "defect_noun",
        "defect_verb",
        "time",
        "score",
        "pct",
        "severity",
        "frame",
        "span",
        "overall",
        "model",
    }
)
MAX_KIND_CHARS = 32
_FIELD = re.compile(r"\{(\w+)\}")
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]")


class Style(StrEnum):
    """Roast styles; each has its own template file ``resources/roasts/<style>.json``."""

    DRY = "dry"
    """Deadpan understatement."""
    SAVAGE = "savage"
    """No mercy (mocks the clip, never a person)."""
    TECHNICAL = "technical"
    """Lab-report tone, numbers first."""


class TemplateError(ValueError):
    """A template file is malformed; the message names the file, template and problem."""


@dataclass(frozen=True)
class Part:
    """A run of template text; ``optional`` parts may be dropped to fit the limit."""

    text: str
    optional: bool


@dataclass(frozen=True)
class Template:
    """One phrase template of a style."""

    id: str
    """``<style>-<index>`` (index in the file, from 0): stable, for de-duplication."""
    style: Style
    parts: tuple[Part, ...]

    @property
    def needs_prompt(self) -> bool:
        """True when the template quotes the prompt (unusable without one)."""
        return any("{prompt}" in p.text for p in self.parts)


@dataclass(frozen=True)
class KindWords:
    """How one defect kind is named: a plain label and varied nouns and verbs."""

    label: str
    nouns: tuple[str, ...]
    verbs: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The shared words of ``vocabulary.json``."""

    kinds: dict[str, KindWords]
    aliases: dict[str, str]
    severity: tuple[tuple[float, str], ...]
    hashtags: tuple[str, ...]

    def words_for(self, kind: str) -> KindWords:
        """The words for a report's defect kind; unknown kinds get ``_other`` filled in."""
        key = self.aliases.get(kind, kind)
        if key in self.kinds:
            return self.kinds[key]
        spoken = kind.replace("_", " ").strip() or "defect"
        if len(spoken) > MAX_KIND_CHARS:  # a foreign report's kind must not crowd the roast
            spoken = spoken[: MAX_KIND_CHARS - 1].rstrip() + "…"
        other = self.kinds["_other"]
        return KindWords(
            other.label.replace("{kind}", spoken),
            tuple(n.replace("{kind}", spoken) for n in other.nouns),
            tuple(v.replace("{kind}", spoken) for v in other.verbs),
        )

    def severity_of(self, score: float) -> str:
        """The severity word for a score (bands are upper bounds, ascending)."""
        for upper, word in self.severity:
            if score < upper:
                return word
        return self.severity[-1][1]


@dataclass(frozen=True)
class TemplateLibrary:
    """All styles' templates and the vocabulary."""

    templates: dict[Style, tuple[Template, ...]]
    vocabulary: Vocabulary


def fill(text: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` fields in ``text``; ``{Name}`` capitalises the first letter."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values[name.lower()]
        return value[:1].upper() + value[1:] if name[:1].isupper() else value

    return _FIELD.sub(one, text)


def parse_template(text: str, template_id: str, style: Style) -> Template:
    """Split ``text`` into parts and check its placeholders; raise :class:`TemplateError`."""
    parts: list[Part] = []
    position = 0
    for match in _OPTIONAL.finditer(text):
        parts += [Part(text[position : match.start()], False), Part(match.group(1), True)]
        position = match.end()
    parts.append(Part(text[position:], False))
    for part in parts:
        _check_part(part, template_id)
    return Template(template_id, style, tuple(p for p in parts if p.text))


def _check_part(part: Part, template_id: str) -> None:
    for name in _FIELD.findall(part.text):
        if name.lower() not in PLACEHOLDERS:
            raise TemplateError(f"{template_id}: unknown placeholder {{{name}}}")
        if name.lower() == "model" and not part.optional:
            raise TemplateError(f"{template_id}: {{model}} must sit inside [[optional]] text")
    leftover = _FIELD.sub("", part.text)
    for token in ("{", "}", "[[", "]]"):
        if token in leftover:
            raise TemplateError(f"{template_id}: stray {token!r}")


@lru_cache(maxsize=4)
def load_library(folder: Path = ROASTS_DIR) -> TemplateLibrary:
    """Load ``vocabulary.json`` and one ``<style>.json`` per :class:`Style` from ``folder``."""
    templates = {style: _load_style(folder / f"{style.value}.json", style) for style in Style}
    return TemplateLibrary(templates, _load_vocabulary(folder / "vocabulary.json"))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise TemplateError(f"{path}: cannot be read as JSON ({err})") from err
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: top level must be an object")
    return data


def _load_style(path: Path, style: Style) -> tuple[Template, ...]:
    data = _read_json(path)
    texts = data.get("templates")
    if data.get("style") != style.value or not isinstance(texts, list) or not texts:
        raise TemplateError(f"{path}: needs style {style.value!r} and a non-empty 'templates'")
    if not all(isinstance(t, str) for t in texts):
        raise TemplateError(f"{path}: every template must be a string")
    try:
        return tuple(
            parse_template(text, f"{style.value}-{i:02d}", style) for i, text in enumerate(texts)
        )
    except TemplateError as err:
        raise TemplateError(f"{path}: {err}") from None


def _load_vocabulary(path: Path) -> Vocabulary:
    data = _read_json(path)
    try:
        kinds = {
            name: KindWords(k["label"], tuple(k["nouns"]), tuple(k["verbs"]))
            for name, k in data["kinds"].items()
        }
        severity = tuple((float(upper), str(word)) for upper, word in data["severity"])
        vocabulary = Vocabulary(
            kinds, dict(data.get("aliases", {})), severity, tuple(data.get("hashtags", ()))
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise TemplateError(f"{path}: malformed ({err.__class__.__name__}: {err})") from err
    if "_other" not in kinds or not all(k.nouns and k.verbs for k in kinds.values()):
        raise TemplateError(f"{path}: every kind needs nouns and verbs, and '_other' must exist")
    return vocabulary
