"""Prompt import: every format, every encoding, and every bad-input case named by line."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from core import spec
from core.prompts import (
    ImportIssue,
    PromptDefaults,
    Severity,
    load_prompt_file,
    load_prompt_files,
    parse_text,
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def issues_as_text(result) -> list[str]:
    return [str(issue) for issue in result.issues]


TXT = "# torture list\n\na cat falls off a shelf\n  a sign reading #1 spins  \n# end\n"


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8", TXT.encode("utf-8")),
        ("utf-8 bom", codecs.BOM_UTF8 + TXT.encode("utf-8")),
        ("crlf", TXT.replace("\n", "\r\n").encode("utf-8")),
        ("lone cr", TXT.replace("\n", "\r").encode("utf-8")),
        ("utf-16 le bom", TXT.replace("\n", "\r\n").encode("utf-16")),
        ("utf-16 be bom", codecs.BOM_UTF16_BE + TXT.encode("utf-16-be")),
        ("utf-16 le no bom", TXT.encode("utf-16-le")),
        ("utf-16 be no bom", TXT.encode("utf-16-be")),
    ],
)
def test_txt_in_every_encoding_and_line_ending(tmp_path: Path, label: str, data: bytes) -> None:
    result = load_prompt_file(write(tmp_path, "list.txt", data))
    assert result.issues == [], label
    assert [p.text for p in result.prompts] == [
        "a cat falls off a shelf",
        "a sign reading #1 spins",
    ]
    assert [p.source for p in result.prompts] == [
        f"{tmp_path / 'list.txt'}:3",
        f"{tmp_path / 'list.txt'}:4",
    ]


def test_txt_prompts_get_the_given_defaults(tmp_path: Path) -> None:
    defaults = PromptDefaults("grok-imagine-video", 3, "9:16", "720p")
    (prompt,) = load_prompt_file(write(tmp_path, "a.txt", "one\n"), defaults).prompts
    assert (prompt.duration_s, prompt.aspect_ratio, prompt.resolution) == (3, "9:16", "720p")
    assert prompt.estimated_cost_usd() == pytest.approx(3 * 0.07)


@pytest.mark.parametrize(
    ("line", "samples", "jobs"),
    [
        ("a cat juggles", 3, 3),  # no repeat of its own: the samples-per-prompt default
        ('{"prompt": "a cat juggles"}', 3, 3),
        ('{"prompt": "a cat juggles", "repeat": 2}', 3, 2),  # the row's own repeat wins
        ('{"prompt": "a cat juggles", "repeat": 1}', 3, 1),
        ("a cat juggles", 1, 1),
    ],
)
def test_samples_per_prompt_apply_to_rows_without_their_own_repeat(
    line: str, samples: int, jobs: int
) -> None:
    fmt = "jsonl" if line.startswith("{") else "txt"
    result = parse_text(line, PromptDefaults(repeat=samples), fmt=fmt)
    assert [p.repeat for p in result.prompts] == [jobs]
    assert result.job_count == jobs


@pytest.mark.parametrize("repeat", [0, 101])
def test_samples_per_prompt_out_of_range_is_refused(repeat: int) -> None:
    with pytest.raises(ValueError, match=rf"repeat: {repeat} is out of range \(1-100\)"):
        PromptDefaults(repeat=repeat)


def test_csv_with_every_column(tmp_path: Path) -> None:
    text = (
        "prompt,duration,aspect_ratio,resolution,model,tags,repeat\r\n"
        '"a glass falls, shatters",5,9:16,720p,grok-imagine-video-1.5,glass;physics,3\r\n'
        '"a flag\r\nin a storm",8s,1:1,480,grok-imagine-video,,\r\n'
        "plain prompt,,,,,,\r\n"
    )
    result = load_prompt_file(write(tmp_path, "list.csv", text))
    assert result.issues == []
    first, second, third = result.prompts
    assert (first.text, first.duration_s, first.aspect_ratio) == (
        "a glass falls, shatters",
        5,
        "9:16",
    )
    assert (first.model, first.resolution, first.repeat) == ("grok-imagine-video-1.5", "720p", 3)
    assert first.tags == ("glass", "physics")
    assert second.text == "a flag\nin a storm"
    assert (second.duration_s, second.resolution) == (8, "480p")
    # The multi-line record started on line 3, so the next one starts on line 5.
    assert third.source.endswith("list.csv:5")
    assert third.duration_s == spec.DEFAULT_DURATION_S
    assert result.job_count == 5


def test_csv_semicolon_delimited_from_excel(tmp_path: Path) -> None:
    text = "Prompt;Duration\r\nwind in a wheat field, at dusk;4\r\n"
    result = load_prompt_file(write(tmp_path, "excel.csv", codecs.BOM_UTF8 + text.encode()))
    assert result.issues == []
    assert [(p.text, p.duration_s) for p in result.prompts] == [
        ("wind in a wheat field, at dusk", 4)
    ]


def test_csv_reports_every_bad_row_and_keeps_the_good_ones(tmp_path: Path) -> None:
    long_prompt = "x" * (spec.PROMPT_MAX_BYTES + 1)
    text = "\n".join(
        [
            "prompt,duration,aspect_ratio,resolution,repeat,colour",
            "good one,5,16:9,480p,,blue",
            ",5,16:9,480p,,",
            f"{long_prompt},5,16:9,480p,,",
            "bad ratio,5,21:9,480p,,",
            "too long,99,16:9,480p,,",
            "not a number,five,16:9,480p,,",
            "bad res and ratio,4,5:4,4k,,",
            "unquoted, comma,5,16:9,480p,1,blue",
            "zero repeats,5,16:9,480p,0,",
            "good two,,,,,",
        ]
    )
    path = write(tmp_path, "bad.csv", text)
    result = load_prompt_file(path)
    assert [p.text for p in result.prompts] == ["good one", "good two"]
    assert issues_as_text(result) == [
        f"{path}:1: colour: unknown field, ignored (known: {', '.join(_known())})",
        f"{path}:3: prompt: empty prompt",
        f"{path}:4: prompt: 4097 bytes, over the API's limit of 4096 bytes",
        f"{path}:5: aspect_ratio: '21:9' is not one of 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3",
        f"{path}:6: duration: 99 s is out of range (1-15 s)",
        f"{path}:7: duration: must be a whole number of seconds, not 'five'",
        f"{path}:8: aspect_ratio: '5:4' is not one of 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3",
        f"{path}:8: resolution: '4k' is not one of 480p, 720p, 1080p",
        f"{path}:9: row: 7 fields but the header has 6 "
        "(put prompts that contain the delimiter in double quotes)",
        f"{path}:10: repeat: 0 is out of range (1-100)",
    ]
    assert result.issues[0].severity is Severity.WARNING
    assert all(i.severity is Severity.ERROR for i in result.issues[1:])


def _known() -> tuple[str, ...]:
    from core.prompts import KNOWN_FIELDS

    return KNOWN_FIELDS


def test_csv_without_a_prompt_column(tmp_path: Path) -> None:
    path = write(tmp_path, "nohead.csv", "text,duration\nhello,5\n")
    result = load_prompt_file(path)
    assert result.prompts == []
    assert issues_as_text(result) == [
        f"{path}:1: header: no 'prompt' column in the header (found 'text', 'duration')"
    ]


def test_csv_unterminated_quote_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", 'prompt\nfine\n"never closed\n')
    result = load_prompt_file(path)
    assert [p.text for p in result.prompts] == ["fine"]
    assert len(result.errors) == 1
    assert result.errors[0].line == 3
    assert result.errors[0].field == "csv"


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"prompt": "a kettle boils over", "duration": 6, "tags": ["steam", "liquids"]}),
        "{not json",
        json.dumps(["a list", "not an object"]),
        json.dumps({"prompt": "typed wrong", "duration": True, "aspect_ratio": 16}),
        "",
        json.dumps({"prompt": "  ", "mood": "grim"}),
        json.dumps({"prompt": "hands", "repeat": 2.0, "category": "hands", "defect": "fusion"}),
    ]
    path = write(tmp_path, "list.jsonl", "\n".join(lines) + "\n")
    result = load_prompt_file(path)
    assert [(p.text, p.repeat) for p in result.prompts] == [
        ("a kettle boils over", 1),
        ("hands", 2),
    ]
    assert result.prompts[0].tags == ("steam", "liquids")
    assert (result.prompts[1].category, result.prompts[1].defect) == ("hands", "fusion")
    texts = issues_as_text(result)
    assert (
        texts[0] == f"{path}:2: json: Expecting property name enclosed in double quotes (column 2)"
    )
    assert texts[1] == f'{path}:3: json: each line must be a JSON object like {{"prompt": "..."}}'
    assert texts[2] == f"{path}:4: duration: must be a whole number of seconds, not True"
    assert texts[3] == (
        f"{path}:4: aspect_ratio: 16 is not one of 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3"
    )
    assert texts[4].startswith(f"{path}:6: mood: unknown field, ignored")
    assert texts[5] == f"{path}:6: prompt: empty prompt"
    assert len(texts) == 6


def test_format_is_sniffed_when_the_suffix_says_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "prompts.list", '# jsonl really\n{"prompt": "sniffed", "duration": 2}\n')
    (prompt,) = load_prompt_file(path).prompts
    assert (prompt.text, prompt.duration_s) == ("sniffed", 2)


def test_binary_file_is_refused_by_name(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    path = write(tmp_path, "picture.txt", png)
    result = load_prompt_file(path)
    assert result.prompts == []
    assert issues_as_text(result) == [
        f"{path}: encoding: binary file (NUL byte at offset 8); expected text"
    ]


def test_mostly_undecodable_file_is_an_encoding_error(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.txt", "été à l'île\n".encode("cp1252") * 20)
    result = load_prompt_file(path)
    assert result.prompts == []
    (issue,) = result.issues
    assert (issue.line, issue.field) == (0, "encoding")
    assert "not UTF-8 or UTF-16" in issue.message


def test_one_bad_utf8_line_rejects_only_that_line(tmp_path: Path) -> None:
    data = b"".join(f"good prompt number {i}\n".encode() for i in range(40))
    data += "caf\u00e9 in cp1252\n".encode("cp1252")
    path = write(tmp_path, "mixed.txt", data)
    result = load_prompt_file(path)
    assert len(result.prompts) == 40
    assert issues_as_text(result) == [
        f"{path}:41: prompt: holds bytes that are not valid UTF-8; save the file as UTF-8"
    ]


def test_duplicates_are_reported_and_skipped_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", "a dog sneezes\na cat yawns\na dog sneezes\n")
    b = write(tmp_path, "b.csv", "prompt,duration\na cat yawns,8\na cat yawns,3\n")
    result = load_prompt_files([a, b])
    # Same text at another duration is a different test, not a duplicate.
    assert [(p.text, p.duration_s) for p in result.prompts] == [
        ("a dog sneezes", 8),
        ("a cat yawns", 8),
        ("a cat yawns", 3),
    ]
    assert issues_as_text(result) == [
        f"{a}:3: prompt: duplicate of {a}:1; skipped (use 'repeat' there for several samples)",
        f"{b}:2: prompt: duplicate of {a}:2; skipped (use 'repeat' there for several samples)",
    ]
    assert all(i.severity is Severity.WARNING for i in result.issues)


def test_missing_file_is_an_issue_not_a_crash(tmp_path: Path) -> None:
    good = write(tmp_path, "ok.txt", "still imported\n")
    result = load_prompt_files([tmp_path / "nope.txt", good])
    assert [p.text for p in result.prompts] == ["still imported"]
    assert issues_as_text(result) == [
        f"{tmp_path / 'nope.txt'}: file: cannot read: No such file or directory"
    ]


def test_pasted_text_one_prompt_per_line() -> None:
    result = parse_text("first\r\n\r\n# note\r\nsecond\r\nfirst\r\n")
    assert [p.text for p in result.prompts] == ["first", "second"]
    assert [p.source for p in result.prompts] == ["<pasted>:1", "<pasted>:4"]
    assert issues_as_text(result) == [
        "<pasted>:5: prompt: duplicate of <pasted>:1; skipped (use 'repeat' there for several "
        "samples)"
    ]


def test_pasted_line_over_the_byte_limit_counts_utf8_bytes() -> None:
    # 1366 three-byte characters = 4098 bytes, though only 1366 characters.
    result = parse_text("\u6f22" * 1366)
    assert result.prompts == []
    assert str(result.issues[0]) == (
        "<pasted>:1: prompt: 4098 bytes, over the API's limit of 4096 bytes"
    )


def test_unknown_model_is_a_warning_with_the_assumed_price() -> None:
    result = parse_text('{"prompt": "x", "model": "grok-imagine-video-9"}', fmt="jsonl")
    assert len(result.prompts) == 1
    (issue,) = result.issues
    assert issue.severity is Severity.WARNING
    assert "budgets assume $0.14/s" in issue.message


def test_issue_string_form() -> None:
    assert str(ImportIssue("a.csv", 7, "duration", "bad")) == "a.csv:7: duration: bad"
    assert str(ImportIssue("a.csv", 0, "encoding", "bad")) == "a.csv: encoding: bad"


def test_csv_reader_goes_on_after_a_quoting_error(tmp_path: Path) -> None:
    path = write(tmp_path, "q2.csv", 'prompt,duration\n"quoted" tail,5\nafter the bad one,4\n')
    result = load_prompt_file(path)
    assert [p.text for p in result.prompts] == ["after the bad one"]
    assert issues_as_text(result) == [f"{path}:2: csv: ',' expected after '\"'"]
