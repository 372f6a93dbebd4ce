"""Turn a prompt file's bytes into text: UTF-8 (with or without BOM) or UTF-16, never binary.

Undecodable bytes in a UTF-8 file do not reject the whole file: they are kept as lone
surrogates (``surrogateescape``) so the row parser can reject only the lines that hold them
and name the line. Windows (CRLF) and old Mac (CR) line endings are normalised to ``\\n``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# A file with more than this share of undecodable bytes is not text in a wrong encoding
# that a few fixes would repair; it is binary or some other encoding entirely.
MAX_BAD_BYTE_SHARE = 0.05
_SNIFF_BYTES = 4096


class DecodeError(ValueError):
    """The file is binary or in an encoding we do not read; the message says which."""


@dataclass(frozen=True)
class DecodedText:
    """A file's text (line endings normalised) and the encoding it was read with."""

    text: str
    encoding: str


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a prompt file; raise :class:`DecodeError` for binary or unreadable data."""
    if data.startswith(codecs.BOM_UTF8):
        return _utf8(data[len(codecs.BOM_UTF8) :], "utf-8-sig")
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _utf16(data[len(bom) :], name)
    guessed = _guess_bomless_utf16(data[:_SNIFF_BYTES])
    if guessed:
        return _utf16(data, guessed)
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise DecodeError(f"binary file (NUL byte at offset {offset}); expected text")
    return _utf8(data, "utf-8")


def normalise_newlines(text: str) -> str:
    """Map CRLF and lone CR to LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def has_bad_bytes(text: str) -> bool:
    """True when ``text`` holds bytes that were not valid in the file's encoding."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _utf8(data: bytes, name: str) -> DecodedText:
    text = data.decode("utf-8", "surrogateescape")
    bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if data and bad / len(data) > MAX_BAD_BYTE_SHARE:
        raise DecodeError(
            f"not UTF-8 or UTF-16 ({bad} of {len(data)} bytes undecodable); save the file as UTF-8"
        )
    return DecodedText(normalise_newlines(text), name)


def _utf16(data: bytes, name: str) -> DecodedText:
    try:
        text = data.decode(name)
    except UnicodeDecodeError as err:
        raise DecodeError(f"invalid {name.upper()} at byte {err.start}: {err.reason}") from None
    if "\x00" in text:
        raise DecodeError(f"binary file (NUL character in {name.upper()} text); expected text")
    return DecodedText(normalise_newlines(text), name)


def _guess_bomless_utf16(head: bytes) -> str | None:
    """Spot UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even_nuls = head[0 : pairs * 2 : 2].count(0)
    odd_nuls = head[1 : pairs * 2 : 2].count(0)
    if odd_nuls >= 0.6 * pairs and even_nuls == 0:
        return "utf-16-le"
    if even_nuls >= 0.6 * pairs and odd_nuls == 0:
        return "utf-16-be"
    return None
