"""Parse and check one row's fields; every problem in a row is reported, not just the first.

Each ``parse_*`` function takes the raw value (a CSV string or any JSON value) and returns the
clean value or raises :class:`FieldError` with a message for the user. The limits come from
:mod:`core.spec`, the same facts the simulator validates against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core import spec
from core.prompts._decode import has_bad_bytes
from core.prompts._records import MAX_REPEAT, Prompt, PromptDefaults, Severity

KNOWN_FIELDS = (
    "prompt",
    "duration",
    "aspect_ratio",
    "resolution",
    "model",
    "tags",
    "repeat",
    "category",
    "defect",
)
_TAG_SPLIT = re.compile(r"[;,|]")


class FieldError(ValueError):
    """A field's value is wrong; the message says what is wrong in the user's terms."""


@dataclass(frozen=True)
class FieldProblem:
    """One problem in one field of a row."""

    field: str
    message: str
    severity: Severity = Severity.ERROR


def is_blank(value: Any) -> bool:
    """True for a missing value: ``None`` or a string of only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_prompt(value: Any) -> str:
    """The prompt text, stripped; non-empty and within the API's byte limit."""
    if not isinstance(value, str):
        raise FieldError(f"must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise FieldError("empty prompt")
    if has_bad_bytes(text):
        raise FieldError("holds bytes that are not valid UTF-8; save the file as UTF-8")
    size = len(text.encode("utf-8"))
    if size > spec.PROMPT_MAX_BYTES:
        raise FieldError(f"{size} bytes, over the API's limit of {spec.PROMPT_MAX_BYTES} bytes")
    return text


def parse_duration(value: Any) -> int:
    """Whole seconds in the API's range; accepts ``8``, ``8.0``, ``"8"`` and ``"8s"``."""
    number = _whole_number(value, "a whole number of seconds", strip_suffix="s")
    if not spec.DURATION_MIN_S <= number <= spec.DURATION_MAX_S:
        raise FieldError(
            f"{number} s is out of range ({spec.DURATION_MIN_S}-{spec.DURATION_MAX_S} s)"
        )
    return number


def parse_aspect_ratio(value: Any) -> str:
    """One of the API's aspect ratios."""
    text = str(value).strip().replace(" ", "")
    if text not in spec.ASPECT_RATIOS:
        raise FieldError(f"{value!r} is not one of {', '.join(spec.ASPECT_RATIOS)}")
    return text


def parse_resolution(value: Any) -> str:
    """One of the API's resolutions; ``720`` and ``720P`` mean ``720p``."""
    text = str(value).strip().lower()
    if text.isdigit():
        text += "p"
    if text not in spec.RESOLUTIONS:
        raise FieldError(f"{value!r} is not one of {', '.join(spec.RESOLUTIONS)}")
    return text


def parse_model(value: Any) -> str:
    """A non-empty model name (unknown names are allowed; the server decides)."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError("must be a model name such as " + spec.DEFAULT_MODEL)
    return value.strip()


def parse_tags(value: Any) -> tuple[str, ...]:
    """Tags from a list of strings or one string split on ``;``, ``,`` or ``|``."""
    items: list[Any]
    if isinstance(value, str):
        items = _TAG_SPLIT.split(value)
    elif isinstance(value, list):
        items = value
    else:
        raise FieldError("must be a list of strings or text like 'a;b'")
    if not all(isinstance(item, str) for item in items):
        raise FieldError("every tag must be text")
    return tuple(dict.fromkeys(t.strip() for t in items if t.strip()))


def parse_repeat(value: Any) -> int:
    """How many samples of the prompt to make: 1 to :data:`MAX_REPEAT`."""
    number = _whole_number(value, "a whole number")
    if not 1 <= number <= MAX_REPEAT:
        raise FieldError(f"{number} is out of range (1-{MAX_REPEAT})")
    return number


def parse_label(value: Any) -> str:
    """A short free-text label (category, defect)."""
    if not isinstance(value, str):
        raise FieldError("must be text")
    return value.strip()


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "duration": parse_duration,
    "aspect_ratio": parse_aspect_ratio,
    "resolution": parse_resolution,
    "model": parse_model,
    "tags": parse_tags,
    "repeat": parse_repeat,
    "category": parse_label,
    "defect": parse_label,
}


def build_prompt(
    row: Mapping[str, Any], defaults: PromptDefaults, source: str
) -> tuple[Prompt | None, list[FieldProblem]]:
    """Validate a row's fields and build its :class:`Prompt` (``None`` when any field fails)."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {}
    for name, parse in (("prompt", parse_prompt), *_PARSERS.items()):
        raw = row.get(name)
        if is_blank(raw) and name != "prompt":
            continue
        try:
            values[name] = parse(raw)
        except FieldError as err:
            problems.append(FieldProblem(name, str(err)))
    if problems:
        return None, problems
    prompt = Prompt(
        text=values["prompt"],
        model=values.get("model", defaults.model),
        duration_s=values.get("duration", defaults.duration_s),
        aspect_ratio=values.get("aspect_ratio", defaults.aspect_ratio),
        resolution=values.get("resolution", defaults.resolution),
        repeat=values.get("repeat", defaults.repeat),
        tags=values.get("tags", ()),
        category=values.get("category") or None,
        defect=values.get("defect") or None,
        source=source,
    )
    return prompt, _price_warnings(prompt)


def _price_warnings(prompt: Prompt) -> list[FieldProblem]:
    if (prompt.model.removesuffix("-preview"), prompt.resolution) in spec.PRICE_PER_S_USD:
        return []
    price = spec.price_per_s_usd(prompt.model, prompt.resolution)
    return [
        FieldProblem(
            "model",
            f"{prompt.model!r} at {prompt.resolution} has no known price; budgets assume "
            f"${price:.2f}/s (the highest known)",
            Severity.WARNING,
        )
    ]


def _whole_number(value: Any, what: str, strip_suffix: str = "") -> int:
    if isinstance(value, bool):
        raise FieldError(f"must be {what}, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().lower().removesuffix(strip_suffix).strip() if strip_suffix else value
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if number.is_integer():
                return int(number)
    raise FieldError(f"must be {what}, not {value!r}")
