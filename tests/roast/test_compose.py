"""Roast composition: X's length counting, template fitting on extreme reports, variety."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from core.roast.compose import (
    ComposeOptions,
    RoastComposer,
    Style,
    compose_roasts,
    fit_template,
    format_duration,
    format_score,
    format_time,
    roast_values,
)
from core.roast.facts import RoastFacts
from core.roast.length import clean_quote, cut_points, fits, shorten, weighted_length
from core.roast.templates import TemplateError, load_library, parse_template


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("hello", 5),
        ("https://example.com/a/very/long/path/that/is/much/longer/than/23", 23),
        ("see example.com now", 4 + 23 + 4),
        ("😀", 2),
        ("👨‍👩‍👧‍👦", 2),  # one ZWJ family sequence
        ("👍🏽", 2),  # emoji with skin tone modifier
        ("日本語", 6),
        ("한국어", 6),
        ("…", 2),
        ("“quoted” — dash", 15),
        ("e\u0301", 1),  # NFC folds e + combining acute into é
        ("a" * 280, 280),
    ],
)
def test_weighted_length_counts_like_x(text, weight):
    assert weighted_length(text) == weight


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * 280, True),
        ("a" * 281, False),
        ("日" * 140, True),
        ("日" * 141, False),
        ("", False),
        ("  ", False),
        ("bad \ufffe char", False),
        ("https://x.com/" + "a" * 400, True),
    ],
)
def test_fits(text, ok):
    assert fits(text) is ok


def test_clean_quote_defuses_mentions_and_whitespace():
    assert clean_quote("  hi @elonmusk\n\n\tlook\u202e ") == "hi ＠elonmusk look"


def test_cut_points_never_split_an_emoji_or_accent():
    text = "ab 👨‍👩‍👧 cd e\u0301f"
    points = cut_points(text)
    assert 4 not in points and 5 not in points  # inside the ZWJ family
    assert 13 not in points  # between e and its combining accent
    assert all(shorten(text, p).endswith("…") for p in points[:-1])
    assert shorten(text, len(text)) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00.0"),
        (3.25, "0:03.2"),
        (59.96, "1:00.0"),
        (3725.5, "1:02:05.5"),
        (1e7, "2777:46:40.0"),
        (float("nan"), "0:00.0"),
        (-4, "0:00.0"),
    ],
)
def test_format_time(seconds, text):
    assert format_time(seconds) == text


@pytest.mark.parametrize(
    ("score", "text"),
    [
        (0.834, "0.83"),
        (0, "0.00"),
        (1e9, "1.00"),
        (-3, "0.00"),
        (float("nan"), "0.00"),
        (float("inf"), "1.00"),
    ],
)
def test_format_score_clamps(score, text):
    assert format_score(score) == text


def test_format_duration():
    assert format_duration(1.44) == "1.4 s"
    assert format_duration(125) == "2:05.0"


BASE = RoastFacts(
    defect="melting",
    score=0.83,
    peak_s=3.25,
    start_s=2.5,
    end_s=4.0,
    overall=0.61,
    clip_duration_s=8.0,
    fps=24.0,
    prompt="a corgi surfing a wave at sunset, 35mm film",
    model="grok-imagine-video",
)
LONG_LATIN = "an extremely detailed cinematic shot of " + "a very long winding prompt " * 300
CJK_EMOJI = "東京の夜景を歩く猫🐈‍⬛と👨‍👩‍👧‍👦家族、雨上がりのネオン🌃" * 60
URLS = " ".join(f"https://example.com/{i}/{'p' * 40}" for i in range(40))
EXTREME = [
    replace(BASE, prompt=LONG_LATIN),
    replace(BASE, prompt=CJK_EMOJI, score=1e9, overall=float("inf")),
    replace(BASE, prompt=URLS + " @someone " + LONG_LATIN[:500], score=0.0, overall=0.0),
    replace(BASE, prompt=None, peak_s=1e7, start_s=0.0, end_s=1e7, model="m" * 200),
    replace(
        BASE,
        prompt="한국어 " * 400,
        defect="quantum_foam_collapse_of_everything_" * 3,
        peak_s=359999.9,
        score=float("nan"),
        fps=1e6,
    ),
]


def _all_templates():
    library = load_library()
    return [t for style in Style for t in library.templates[style]]


@pytest.mark.parametrize("facts", EXTREME, ids=["latin", "cjk-emoji", "urls", "no-prompt", "odd"])
def test_every_template_fits_extreme_reports(facts):
    library = load_library()
    rng = random.Random(7)
    for template in _all_templates():
        if template.needs_prompt and not facts.prompt:
            continue
        values = roast_values(facts, library, rng)
        roast = fit_template(
            template, values, facts.prompt, ComposeOptions(), library.vocabulary.hashtags
        )
        assert fits(roast.text), (template.id, roast.weighted_length, roast.text)
        assert roast.weighted_length == weighted_length(roast.text) <= 280
        assert "text-cut" not in roast.dropped, template.id
        assert "@" not in roast.text
        if template.needs_prompt:
            quoted = re.search(r"“(.*?)”", roast.text, re.S)
            assert quoted and quoted.group(1).endswith("…"), template.id
            assert clean_quote(facts.prompt).startswith(quoted.group(1)[:-1].rstrip())


def test_every_template_cites_the_findings():
    for template in _all_templates():
        text = "".join(p.text for p in template.parts if not p.optional)
        assert re.search(r"\{[Dd]efect(_noun|_verb)?\}", text), template.id
        assert "{time}" in text or "{frame}" in text, template.id
        assert re.search(r"\{(score|pct|[Ss]everity)\}", text), template.id


def test_sentences_start_with_a_capital():
    starts = re.compile(r"(?:^|[.!?]\s+)\{(defect|defect_noun|defect_verb|severity)\}")
    for template in _all_templates():
        text = "".join(p.text for p in template.parts)
        assert not starts.search(text), template.id


def test_each_style_has_many_templates_and_prompt_free_ones():
    library = load_library()
    for style in Style:
        templates = library.templates[style]
        assert len(templates) >= 20
        assert sum(not t.needs_prompt for t in templates) >= 4


def test_short_roast_keeps_everything_and_cites_facts():
    composer = RoastComposer(seed=3)
    roasts = composer.compose(BASE, Style.TECHNICAL, count=25)
    assert len(roasts) == 25
    for roast in roasts:
        assert roast.dropped == () and not roast.prompt_shortened
        assert roast.text.endswith("#AIvideo #TortureChamber")
        assert "0:03.2" in roast.text or "frame 78" in roast.text
    assert any("grok-imagine-video" in r.text for r in roasts)
    assert any(BASE.prompt in r.text for r in roasts)


def test_prompt_shrinks_before_optional_parts_drop():
    template = parse_template("“{prompt}” at {time}[[ by {model}]]", "t-0", Style.DRY)
    values = roast_values(BASE, load_library(), random.Random(1))
    options = ComposeOptions(min_quote_chars=40)
    roast = fit_template(template, values, "x" * 400, options, ("#AIvideo",))
    assert roast.dropped == () and roast.prompt_shortened
    assert roast.text.endswith("by grok-imagine-video\n\n#AIvideo")
    # 40-char quote + quotes/ellipsis 4 + " at 0:03.2" 10 + " by grok-imagine-video" 22 = 76
    tight = fit_template(template, values, "word " * 100, replace(options, limit=80), ("#AIvideo",))
    assert tight.dropped == ("hashtags",)
    assert weighted_length(tight.text) <= 80 and "by grok" in tight.text
    tighter = fit_template(
        template, values, "word " * 100, replace(options, limit=60), ("#AIvideo",)
    )
    assert tighter.dropped == ("hashtags", "optional-1")
    assert tighter.text.startswith("“word word") and tighter.text.endswith("…” at 0:03.2")
    tiniest = fit_template(
        template, values, "word " * 100, replace(options, limit=30), ("#AIvideo",)
    )
    assert tiniest.text.endswith("…” at 0:03.2") and weighted_length(tiniest.text) <= 30


def test_options_turn_off_hashtags_and_model():
    options = ComposeOptions(hashtags=False, model=False)
    for roast in compose_roasts(BASE, count=10, seed=5, options=options):
        assert "#" not in roast.text and "grok" not in roast.text


def test_no_two_alike_in_a_batch():
    composer = RoastComposer(seed=11)
    clips = [replace(BASE, defect=kind) for kind in ("melting", "warping", "flicker", "physics")]
    roasts = [r for facts in clips for style in Style for r in composer.compose(facts, style, 5)]
    assert len(roasts) == 60
    assert len({r.text for r in roasts}) == 60
    first_round = [r.template_id for r in roasts[:15]]
    assert len(set(first_round)) == 15


def test_without_prompt_only_prompt_free_templates():
    roasts = compose_roasts(replace(BASE, prompt=None), count=4, seed=2)
    assert len(roasts) == 12
    assert not any("“" in r.text for r in roasts)


def test_seed_makes_composition_repeatable():
    assert compose_roasts(BASE, seed=9) == compose_roasts(BASE, seed=9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("At {when} it broke", "unknown placeholder"),
        ("Made by {model}", "inside"),
        ("Broken {brace at {time}", "stray"),
        ("Unclosed [[optional", "stray"),
    ],
)
def test_bad_templates_are_refused(text, message):
    with pytest.raises(TemplateError, match=message):
        parse_template(text, "dry-99", Style.DRY)


def test_bad_template_file_names_the_file(tmp_path: Path):
    from core.roast.templates import ROASTS_DIR

    for name in ("dry", "savage", "technical", "vocabulary"):
        (tmp_path / f"{name}.json").write_text((ROASTS_DIR / f"{name}.json").read_text())
    data = json.loads((tmp_path / "savage.json").read_text())
    data["templates"].append("oops {nope}")
    (tmp_path / "savage.json").write_text(json.dumps(data))
    with pytest.raises(TemplateError, match=r"savage\.json: savage-\d+: unknown placeholder"):
        load_library(tmp_path)
