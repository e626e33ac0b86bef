"""Work out what a file is, from its bytes first and its extension second.

Transcripts arrive renamed, re-saved and re-encoded: a Teams caption file saved as
``.txt``, a Word document renamed ``.txt``, a cp1252 file from an old laptop. So
:func:`detect_format` looks at the content (zip parts, a ``WEBVTT`` header, SubRip cue
shapes, Otter headers) and uses the extension only where the content does not decide.
:func:`decode_text` is the one place text files are decoded.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from engagement.errors import InputError
from engagement.ingest.readers.base import FORMAT_NAMES
from engagement.ingest.readers.files import ZIP_MAGIC, read_bytes, zip_kind  # noqa: F401  (re-exported)
from engagement.ingest.readers.table import looks_like_transcript_table, sample_rows, xlsx_rows
from engagement.ingest.readers.text import has_speaker_labels, looks_like_otter

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # legacy .doc / .xls
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "txt", ".markdown": "txt", ".vtt": "vtt", ".webvtt": "vtt",
               ".srt": "srt", ".sbv": "sbv", ".csv": "csv", ".tsv": "csv", ".docx": "docx", ".docm": "docx",
               ".xlsx": "xlsx", ".xlsm": "xlsx"}


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file, reporting which encoding worked.

    Tries utf-8, then utf-8-sig, then cp1252 (utf-8-sig first when the file starts with a
    byte-order mark); a UTF-16 file is accepted when its BOM says so. Line endings are
    normalised to ``\\n``.

    Args:
        path: the file to decode.
        encoding: force this encoding instead of guessing.

    Returns:
        ``(text, encoding)``, e.g. ``("Sarah: hello\\n", "utf-8")``.

    Raises:
        InputError: the file holds NUL bytes (binary), or no encoding decodes it; the
            message names the line of the first undecodable byte.
    """
    data = read_bytes(path)
    return decode_bytes(data, path, encoding)


def decode_bytes(data: bytes, path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """:func:`decode_text` for bytes already read (``path`` is only for messages)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding '{encoding}'", path=path) from None
        try:
            return _normalise_newlines(data.decode(encoding)), encoding
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot decode as {encoding}: byte 0x{data[exc.start]:02x} is not valid",
                             path=path, line=_line_of(data, exc.start)) from None
    if data.startswith(_UTF16_BOMS):
        try:
            return _normalise_newlines(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError("binary or corrupt file: a UTF-16 byte-order mark but undecodable text",
                             path=path, line=_line_of(data, exc.start)) from None
    if b"\x00" in data:
        raise InputError("binary or corrupt file: NUL bytes in what should be text",
                         path=path, line=_line_of(data, data.index(b"\x00")))
    order = ("utf-8-sig", "cp1252") if data.startswith(codecs.BOM_UTF8) else ("utf-8", "utf-8-sig", "cp1252")
    failures: dict[str, int] = {}
    for enc in order:
        try:
            return _normalise_newlines(data.decode(enc)), enc
        except UnicodeDecodeError as exc:
            failures.setdefault(enc.replace("-sig", ""), exc.start)
    first = min(failures.values())
    why = " or ".join(f"{enc} (byte 0x{data[pos]:02x} on line {_line_of(data, pos)})"
                      for enc, pos in failures.items())
    raise InputError(f"cannot decode text as {why}", path=path, line=_line_of(data, first))


def check_binary(data: bytes, path: str | Path) -> str | None:
    """Classify bytes that are not text: "docx"/"xlsx" for Office zips, None for text.

    Raises:
        InputError: the bytes are some other binary (legacy Office, PDF, a non-Office zip).
    """
    if data.startswith(ZIP_MAGIC):
        return zip_kind(data, path)
    if data.startswith(_OLE2_MAGIC):
        raise InputError("binary or corrupt file: a legacy Word .doc or Excel .xls; save it as .docx or .xlsx",
                         path=path)
    if data.startswith(b"%PDF"):
        raise InputError("binary or corrupt file: a PDF; export the transcript as .docx or .txt", path=path)
    return None


_SBV_TIMING = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}(?:\.\d{1,3})?\s*,\s*\d{1,2}:\d{2}:\d{2}(?:\.\d{1,3})?\s*$")
_SRT_TIMING = re.compile(r"^\s*\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->\s*\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}")


def looks_like_srt(text: str) -> bool:
    """True when the first cue has the SubRip shape: an index line, then a ``-->`` timing line."""
    lines = [ln.strip() for ln in text.lstrip("\ufeff").split("\n")]
    lines = [ln for ln in lines[:50] if ln][:2]
    return len(lines) == 2 and lines[0].isdigit() and bool(_SRT_TIMING.match(lines[1]))


def looks_like_csv(text: str) -> bool:
    """True when the first lines split into the same number (2+) of delimited fields."""
    sample = "\n".join(text.split("\n")[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return False
    rows = [r for r in csv.reader(io.StringIO(sample), dialect) if r]
    if len(rows) < 2:
        return False
    widths = {len(r) for r in rows[:-1]}    # the last sampled row may be cut short
    return len(widths) == 1 and widths.pop() >= 2


def looks_like_sbv(text: str) -> bool:
    """True when the first line with content is an .sbv timing line (``0:00:01.000,0:00:04.000``)."""
    first = next((ln for ln in text.lstrip("\ufeff").split("\n")[:50] if ln.strip()), "")
    return bool(_SBV_TIMING.match(first))


def sniff_text_format(text: str, suffix: str = "") -> str:
    """Pick the text format from decoded content, falling back on the file extension.

    Args:
        text: the decoded file.
        suffix: the file's extension, lower case with its dot (".txt").

    Returns:
        One of "vtt", "srt", "sbv", "table", "otter", "txt", "csv".
    """
    head = text.lstrip("\ufeff \t\n")
    if head.startswith("WEBVTT"):
        return "vtt"
    if looks_like_srt(text):
        return "srt"
    if looks_like_sbv(text):
        return "sbv"
    if looks_like_transcript_table(*sample_rows(text)):
        return "table"
    by_ext = _EXTENSIONS.get(suffix)
    if by_ext in ("vtt", "srt", "sbv", "csv"):
        return by_ext
    if looks_like_otter(text):
        return "otter"
    if by_ext is None and not has_speaker_labels(text) and looks_like_csv(text):
        return "csv"
    return "txt"


def detect_format(path: str | Path) -> str:
    """Detect a transcript's format from its content and extension.

    Args:
        path: the file.

    Returns:
        One of :data:`engagement.ingest.readers.base.FORMATS`: "txt", "otter", "docx", "vtt", "srt",
        "sbv", "table" (a transcript CSV or workbook), "csv" or "xlsx" (a survey).

    Raises:
        InputError: the file is missing, binary or corrupt (NUL bytes in text, a zip that is
            not a Word/Excel document, a truncated docx), or undecodable.

    Example:
        >>> detect_format("focus_group.txt")   # doctest: +SKIP
        'vtt'
    """
    data = read_bytes(path)
    suffix = Path(path).suffix.lower()
    kind = check_binary(data, path)
    if kind == "xlsx":
        header, rows = xlsx_rows(path)
        return "table" if looks_like_transcript_table(header, [r for _, r in rows[:200]]) else "xlsx"
    if kind is not None:
        return kind
    if _EXTENSIONS.get(suffix) in ("docx", "xlsx"):
        raise InputError(f"binary or corrupt file: a {suffix} that is not a zip package", path=path)
    text, _ = decode_bytes(data, path)
    return sniff_text_format(text, suffix)


def extension_mismatch(path: str | Path, fmt: str) -> str | None:
    """A one-line warning when a file's extension and its content disagree, else None.

    Example:
        >>> extension_mismatch("notes.txt", "vtt")
        'notes.txt is named .txt but holds WebVTT captions; read as vtt (force another with --format NAME)'
    """
    suffix = Path(path).suffix.lower()
    by_ext = _EXTENSIONS.get(suffix)
    if by_ext is None or by_ext == fmt or (by_ext, fmt) == ("txt", "otter"):
        return None
    return (f"{Path(path).name} is named {suffix} but holds {FORMAT_NAMES.get(fmt, fmt)}; read as {fmt} "
            "(force another with --format NAME)")
