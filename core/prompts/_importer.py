"""Import prompt files and pasted text into validated :class:`Prompt` records.

Every problem is collected (``path:line: field: message``) while valid rows still import,
so a user fixing a 10,000-line file sees all of its mistakes at once. Duplicates (same text
and parameters, also across files of one import) are reported and skipped; ``repeat`` is how
to ask for several samples of one prompt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from core.prompts._decode import DecodeError, decode_bytes, normalise_newlines
from core.prompts._fields import FieldProblem, build_prompt
from core.prompts._formats import READERS, Row, detect_format
from core.prompts._records import ImportIssue, ImportResult, Prompt, PromptDefaults, Severity

PASTED_SOURCE = "<pasted>"


def load_prompt_files(
    paths: Sequence[Path | str], defaults: PromptDefaults | None = None
) -> ImportResult:
    """Read several prompt files (``.txt``, ``.csv``, ``.jsonl``) as one import."""
    importer = _Importer(defaults or PromptDefaults())
    for path in paths:
        importer.add_file(Path(path))
    return importer.result


def load_prompt_file(path: Path | str, defaults: PromptDefaults | None = None) -> ImportResult:
    """Read one prompt file."""
    return load_prompt_files([path], defaults)


def parse_text(
    text: str,
    defaults: PromptDefaults | None = None,
    source: str = PASTED_SOURCE,
    fmt: str = "txt",
) -> ImportResult:
    """Parse text from the GUI's editor: one prompt per line (or ``fmt`` csv/jsonl)."""
    importer = _Importer(defaults or PromptDefaults())
    importer.add_rows(source, READERS[fmt](normalise_newlines(text)))
    return importer.result


class _Importer:
    """Accumulates prompts and issues across the files of one import."""

    def __init__(self, defaults: PromptDefaults) -> None:
        self.defaults = defaults
        self.result = ImportResult()
        self._seen: dict[tuple[str, str, int, str, str], str] = {}

    def add_file(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as err:
            self._issue(str(path), 0, FieldProblem("file", f"cannot read: {err.strerror}"))
            return
        try:
            decoded = decode_bytes(data)
        except DecodeError as err:
            self._issue(str(path), 0, FieldProblem("encoding", str(err)))
            return
        rows = READERS[detect_format(path, decoded.text)](decoded.text)
        self.add_rows(str(path), rows)

    def add_rows(self, source: str, rows: Iterable[Row]) -> None:
        for row in rows:
            for problem in row.problems:
                self._issue(source, row.line, problem)
            if row.fields:
                self._add_row(source, row)

    def _add_row(self, source: str, row: Row) -> None:
        prompt, problems = build_prompt(row.fields, self.defaults, f"{source}:{row.line}")
        for problem in problems:
            self._issue(source, row.line, problem)
        if prompt is None or self._is_duplicate(source, row.line, prompt):
            return
        self.result.prompts.append(prompt)

    def _is_duplicate(self, source: str, line: int, prompt: Prompt) -> bool:
        first = self._seen.setdefault(prompt.identity(), prompt.source)
        if first == prompt.source:
            return False
        message = f"duplicate of {first}; skipped (use 'repeat' there for several samples)"
        self._issue(source, line, FieldProblem("prompt", message, Severity.WARNING))
        return True

    def _issue(self, source: str, line: int, problem: FieldProblem) -> None:
        issue = ImportIssue(source, line, problem.field, problem.message, problem.severity)
        self.result.issues.append(issue)
