"""Prompt lists: read ``.txt``, ``.csv`` and ``.jsonl`` files or pasted text into validated
:class:`Prompt` records, reporting every problem as ``file:line: field: message``.

The bundled torture-prompt library lives in :mod:`core.prompts.library`.
"""

from core.prompts._decode import DecodeError, decode_bytes
from core.prompts._fields import KNOWN_FIELDS
from core.prompts._importer import PASTED_SOURCE, load_prompt_file, load_prompt_files, parse_text
from core.prompts._records import (
    MAX_REPEAT,
    ImportIssue,
    ImportResult,
    Prompt,
    PromptDefaults,
    Severity,
)

__all__ = [
    "KNOWN_FIELDS",
    "MAX_REPEAT",
    "PASTED_SOURCE",
    "DecodeError",
    "ImportIssue",
    "ImportResult",
    "Prompt",
    "PromptDefaults",
    "Severity",
    "decode_bytes",
    "load_prompt_file",
    "load_prompt_files",
    "parse_text",
]
