"""Split decoded text into rows: plain text, CSV and JSON Lines.

Readers yield :class:`Row` objects with 1-based line numbers and never stop at a bad row: a
broken row carries its problems and the next row is read, so one pass reports everything.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.prompts._fields import KNOWN_FIELDS, FieldProblem
from core.prompts._records import Severity

_DELIMITERS = (",", ";", "\t")
_CSV_SUFFIXES = (".csv", ".tsv")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class Row:
    """One record: its first line, its fields (empty when unusable) and any problems."""

    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    problems: tuple[FieldProblem, ...] = ()


def read_txt(text: str) -> Iterator[Row]:
    """One prompt per line; blank lines and lines starting with ``#`` are skipped.

    Only whole-line comments exist: a ``#`` inside a prompt ("a sign reading #1") is kept.
    """
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield Row(number, {"prompt": stripped})


def read_jsonl(text: str) -> Iterator[Row]:
    """One JSON object per line with the same field names as the CSV columns."""
    unknown_seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield Row(number, problems=(FieldProblem("json", f"{err.msg} (column {err.colno})"),))
            continue
        if not isinstance(obj, dict):
            message = 'each line must be a JSON object like {"prompt": "..."}'
            yield Row(number, problems=(FieldProblem("json", message),))
            continue
        fresh = [key for key in obj if key not in KNOWN_FIELDS and key not in unknown_seen]
        unknown_seen.update(fresh)
        yield Row(number, obj, tuple(_unknown_field(key) for key in fresh))


def read_csv(text: str) -> Iterator[Row]:
    """A header row naming a ``prompt`` column (others optional), then one row per prompt."""
    delimiter = pick_delimiter(_first_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = _read_header(reader)
    if header is None:
        return
    columns = [name.strip().lower() for name in header]
    if "prompt" not in columns:
        found = ", ".join(repr(c) for c in columns)
        message = f"no 'prompt' column in the header (found {found})"
        yield Row(reader.line_num, problems=(FieldProblem("header", message),))
        return
    unknown = tuple(_unknown_field(c) for c in dict.fromkeys(columns) if c not in KNOWN_FIELDS)
    if unknown:
        yield Row(reader.line_num, problems=unknown)
    yield from _csv_records(reader, columns)


def pick_delimiter(header_line: str) -> str:
    """Choose ``,`` ``;`` or tab: whichever splits the header into the most columns.

    Excel writes ``;`` in locales where ``,`` is the decimal mark; a ``.tsv`` uses tabs.
    """
    return max(_DELIMITERS, key=header_line.count)


def detect_format(path: Path, text: str) -> str:
    """``csv``, ``jsonl`` or ``txt`` from the suffix, else from the first meaningful line."""
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return "csv"
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    first = _first_line(text, skip_comments=True)
    return "jsonl" if first.startswith("{") else "txt"


READERS: dict[str, Callable[[str], Iterator[Row]]] = {
    "txt": read_txt,
    "csv": read_csv,
    "jsonl": read_jsonl,
}


def _csv_records(reader: Any, columns: list[str]) -> Iterator[Row]:
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield Row(start, problems=(FieldProblem("csv", str(err)),))
            start = reader.line_num + 1
            continue
        row = _csv_row(start, record, columns)
        start = reader.line_num + 1
        if row is not None:
            yield row


def _csv_row(line: int, record: list[str], columns: list[str]) -> Row | None:
    if not any(value.strip() for value in record):
        return None
    extra = record[len(columns) :]
    if any(value.strip() for value in extra):
        message = (
            f"{len(record)} fields but the header has {len(columns)} "
            "(put prompts that contain the delimiter in double quotes)"
        )
        return Row(line, problems=(FieldProblem("row", message),))
    return Row(line, dict(zip(columns, record, strict=False)))


def _read_header(reader: Any) -> list[str] | None:
    for record in reader:
        if any(value.strip() for value in record):
            return list(record)
    return None


def _first_line(text: str, skip_comments: bool = False) -> str:
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and not (skip_comments and stripped.startswith("#")):
            return stripped
    return ""


def _unknown_field(name: str) -> FieldProblem:
    known = ", ".join(KNOWN_FIELDS)
    return FieldProblem(
        name or "header", f"unknown field, ignored (known: {known})", Severity.WARNING
    )
