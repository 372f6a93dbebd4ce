"""Compose roasts: tweet texts that cite what the analysis found in one clip.

A roast names the worst defect, when it peaks, how bad it is and (when known) the prompt,
in one of several :class:`Style`\\ s, from the bundled templates (:mod:`core.roast.templates`).
Every roast fits X's limit as X counts it (:mod:`core.roast.length`): when a text is too long
the prompt quote is shortened with an ellipsis (to ``min_quote_chars``), then the hashtags
and the template's optional parts are dropped (last first), then the quote shrinks further.

A :class:`RoastComposer` never repeats itself: within one composer (one batch) no template is
used twice until its style runs out, and no two texts are identical.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from core.roast.facts import RoastFacts
from core.roast.length import (
    ELLIPSIS,
    TWEET_MAX_WEIGHT,
    clean_quote,
    cut_points,
    fits,
    prefix_weights,
    shorten,
    weighted_length,
)
from core.roast.templates import Style, Template, TemplateLibrary, fill, load_library

__all__ = [
    "ComposeOptions",
    "Roast",
    "RoastComposer",
    "Style",
    "compose_roasts",
    "format_duration",
    "format_score",
    "format_time",
    "weighted_length",
]


MAX_QUOTE_CHARS = 600
"""Prompts are cut to this many code points before fitting (280 weighted never holds more
unless the prompt is mostly long URLs or multi-code-point emoji)."""


@dataclass(frozen=True)
class ComposeOptions:
    """What a composed roast may contain."""

    hashtags: bool = True
    """Append the vocabulary's hashtags (dropped first when space runs out)."""
    model: bool = True
    """Keep template parts naming the model (only when the model is known)."""
    limit: int = TWEET_MAX_WEIGHT
    """Weighted-length limit."""
    min_quote_chars: int = 40
    """How far the prompt quote shrinks before optional parts are dropped."""


@dataclass(frozen=True)
class Roast:
    """One composed tweet text."""

    text: str
    style: Style
    template_id: str
    weighted_length: int
    prompt_shortened: bool
    """True when the prompt quote was cut (ends with an ellipsis)."""
    dropped: tuple[str, ...] = ()
    """What was left out to fit: ``hashtags``, ``optional-N`` (N: part index)."""


def format_time(seconds: float) -> str:
    """``m:ss.t`` (or ``h:mm:ss.t``), to a tenth of a second; bad values read as 0."""
    tenths = round(seconds * 10) if math.isfinite(seconds) and seconds > 0 else 0
    minutes, tenth_s = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    sec = f"{tenth_s // 10:02d}.{tenth_s % 10}"
    return f"{hours}:{minutes:02d}:{sec}" if hours else f"{minutes}:{sec}"


def format_duration(seconds: float) -> str:
    """``1.4 s`` under a minute, else the :func:`format_time` form."""
    if math.isfinite(seconds) and 0 <= seconds < 59.95:
        return f"{seconds:.1f} s"
    return format_time(seconds)


def format_score(score: float) -> str:
    """Two decimals, clamped to [0, 1] (a report outside the contract still reads sanely)."""
    return f"{_clamp01(score):.2f}"


def _clamp01(value: float) -> float:
    return min(1.0, max(0.0, value)) if math.isfinite(value) else (1.0 if value > 0 else 0.0)


def roast_values(facts: RoastFacts, library: TemplateLibrary, rng: random.Random) -> dict[str, str]:
    """Every placeholder's text except ``prompt`` (the composer fits that one)."""
    vocabulary = library.vocabulary
    # A physics event's sub-kind (teleport, vanish, appear) makes the sharper joke.
    named = facts.detail if facts.detail in vocabulary.kinds else facts.defect
    words = vocabulary.words_for(named)
    score = _clamp01(facts.score)
    frame_s = 1.0 / facts.fps if facts.fps > 0 else 0.0
    return {
        "defect": words.label,
        "defect_noun": rng.choice(words.nouns),
        "defect_verb": rng.choice(words.verbs),
        "time": format_time(facts.peak_s),
        "score": format_score(score),
        "pct": f"{round(score * 100)}%",
        "severity": vocabulary.severity_of(score),
        "frame": str(max(0, facts.peak_frame)),
        "span": format_duration(max(facts.end_s - facts.start_s, frame_s)),
        "overall": format_score(facts.overall),
        "model": facts.model or "",
    }


@dataclass(frozen=True)
class _Stage:
    keep: frozenset[int]
    tail: str
    dropped: tuple[str, ...]


def _stages(template: Template, tail: str, with_model: bool) -> list[_Stage]:
    """Keep-sets from fullest to barest: all parts, no hashtags, then optional parts last-first."""
    optional = [
        i
        for i, part in enumerate(template.parts)
        if part.optional and (with_model or "{model}" not in part.text.lower())
    ]
    stages = [_Stage(frozenset(optional), tail, ())]
    if tail:
        stages.append(_Stage(frozenset(optional), "", ("hashtags",)))
    dropped: tuple[str, ...] = ("hashtags",) if tail else ()
    for count in range(len(optional) - 1, -1, -1):
        dropped += (f"optional-{optional[count]}",)
        stages.append(_Stage(frozenset(optional[:count]), "", dropped))
    return stages


def _render(template: Template, values: dict[str, str], quote: str, stage: _Stage) -> str:
    filled = {**values, "prompt": quote}
    pieces = [
        fill(part.text, filled)
        for i, part in enumerate(template.parts)
        if not part.optional or i in stage.keep
    ]
    return "".join(pieces).strip() + stage.tail


class _Fitter:
    """Finds the longest prompt cut that fits, with few exact length counts.

    Each stage's text weighs about ``base + prefix[cut] + 2`` (the ellipsis); that estimate
    picks the candidate cut, one exact count confirms it, and a binary search over shorter
    cuts runs only when the estimate was wrong (a cut inside a URL).
    """

    def __init__(self, template: Template, values: dict[str, str], quote: str, limit: int) -> None:
        self.template, self.values, self.quote, self.limit = template, values, quote, limit
        self.points = cut_points(quote) if template.needs_prompt else [len(quote)]
        self.prefix = prefix_weights(quote)

    def render(self, stage: _Stage, cut: int) -> str:
        return _render(self.template, self.values, shorten(self.quote, cut), stage)

    def longest(self, stage: _Stage, min_cut: int) -> str | None:
        """The text with the longest cut >= ``min_cut`` that fits, if any."""
        cuts = [p for p in self.points if p >= min_cut]
        if not cuts:
            return None
        # Counting the short template text is cheap; the quote's weight comes from prefix sums.
        budget = self.limit - weighted_length(_render(self.template, self.values, "", stage))
        if self.prefix[cuts[-1]] <= budget:
            full = self.render(stage, cuts[-1])
            if fits(full, self.limit):
                return full
        budget -= weighted_length(ELLIPSIS)
        fitting = [c for c in cuts[:-1] if self.prefix[c] <= budget]
        if fitting:
            text = self.render(stage, fitting[-1])
            if fits(text, self.limit):
                return text
        below = cuts[: len(fitting) or 1]
        return _largest_fitting(below, lambda cut: self.render(stage, cut), self.limit)


def _largest_fitting(cuts: Sequence[int], make: Callable[[int], str], limit: int) -> str | None:
    """Binary search for the longest cut whose text fits (longer cuts never weigh less)."""
    low, high, best = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        text = make(cuts[middle])
        if fits(text, limit):
            best, low = text, middle + 1
        else:
            high = middle - 1
    return best


def fit_template(
    template: Template,
    values: dict[str, str],
    prompt: str | None,
    options: ComposeOptions,
    hashtags: Iterable[str] = (),
) -> Roast:
    """Render ``template`` within ``options.limit``, shortening and dropping as documented."""
    quote = clean_quote(prompt or "")
    if len(quote) > MAX_QUOTE_CHARS:
        # No tweet quotes more than this; cutting first keeps the length search cheap.
        head = quote[: MAX_QUOTE_CHARS + 32]
        quote = shorten(head, max(p for p in cut_points(head) if p <= MAX_QUOTE_CHARS))
    tags = tuple(hashtags)
    tail = "\n\n" + " ".join(tags) if options.hashtags and tags else ""
    stages = _stages(template, tail, options.model and bool(values.get("model")))
    fitter = _Fitter(template, values, quote, options.limit)
    min_cut = min(options.min_quote_chars, len(quote))
    for stage, cut in [(s, min_cut) for s in stages] + [(stages[-1], 0)]:
        text = fitter.longest(stage, cut)
        if text is not None:
            shortened = template.needs_prompt and quote not in text
            return _roast(template, text, stage.dropped, shortened=shortened)
    bare = _render(template, values, shorten(quote, 0), stages[-1])
    text = _largest_fitting(cut_points(bare), partial(shorten, bare), options.limit) or ELLIPSIS
    return _roast(template, text, (*stages[-1].dropped, "text-cut"), shortened=True)


def _roast(template: Template, text: str, dropped: tuple[str, ...], shortened: bool) -> Roast:
    return Roast(text, template.style, template.id, weighted_length(text), shortened, dropped)


class RoastComposer:
    """Composes roast variants for one batch: no template reused until exhausted, no twin texts.

    Parameters
    ----------
    library:
        Templates and vocabulary; the bundled ones by default.
    seed:
        Seed for template order and word choice (``None``: different every run).
    options:
        Limit, hashtags, model.
    """

    def __init__(
        self,
        library: TemplateLibrary | None = None,
        seed: int | None = None,
        options: ComposeOptions | None = None,
    ) -> None:
        self.library = library or load_library()
        self.options = options or ComposeOptions()
        self._rng = random.Random(seed)
        self._used: set[str] = set()
        self._texts: set[str] = set()

    def compose(self, facts: RoastFacts, style: Style, count: int = 3) -> list[Roast]:
        """Return up to ``count`` new roasts of ``style`` for ``facts``."""
        usable = [t for t in self.library.templates[style] if facts.prompt or not t.needs_prompt]
        fresh = [t for t in usable if t.id not in self._used]
        stale = [t for t in usable if t.id in self._used]
        self._rng.shuffle(fresh)
        self._rng.shuffle(stale)
        roasts: list[Roast] = []
        for template in fresh + stale:
            if len(roasts) >= count:
                break
            roast = self._new_roast(template, facts)
            if roast is not None:
                roasts.append(roast)
        return roasts

    def _new_roast(self, template: Template, facts: RoastFacts) -> Roast | None:
        # A reused template still gives new text when other words are drawn; a few tries.
        for _ in range(4):
            values = roast_values(facts, self.library, self._rng)
            hashtags = self.library.vocabulary.hashtags
            roast = fit_template(template, values, facts.prompt, self.options, hashtags)
            if roast.text not in self._texts:
                self._texts.add(roast.text)
                self._used.add(template.id)
                return roast
        return None


def compose_roasts(
    facts: RoastFacts,
    styles: Iterable[Style] = tuple(Style),
    count: int = 3,
    seed: int | None = None,
    options: ComposeOptions | None = None,
) -> list[Roast]:
    """``count`` distinct roasts per style for one clip (a one-off batch)."""
    composer = RoastComposer(seed=seed, options=options)
    return [roast for style in styles for roast in composer.compose(facts, style, count)]
