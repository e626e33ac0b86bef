"""Readers: turn real transcript exports into speaker turns.

One entry point, :func:`read_file`, detects the format (plain text, Otter.ai, Word,
WebVTT, SubRip, survey CSV/XLSX) from the content as well as the extension and returns a
:class:`ReadResult` of :class:`RawTurn` s that say where each turn came from. Every input
problem is an :class:`~engagement.errors.InputError` naming the file and, where there is
one, the line.

Example:
    >>> from engagement.ingest.readers import read_file
    >>> result = read_file("data/raw/essex/focus_group_1.vtt")     # doctest: +SKIP
    >>> result.format, result.turns[0].speaker, result.notes       # doctest: +SKIP
    ('vtt', 'Sarah Jenkins', ['merged 212 cues into 40 turns'])
"""

from __future__ import annotations

from pathlib import Path

from engagement.errors import InputError
from engagement.ingest.readers.base import FORMATS, RawTurn, ReadResult
from engagement.ingest.readers.detect import check_binary, decode_bytes, decode_text, detect_format, read_bytes

__all__ = ["FORMATS", "RawTurn", "ReadResult", "decode_text", "detect_format", "read_file"]

_ALIASES = {"text": "txt", "plain": "txt", "webvtt": "vtt", "subrip": "srt", "tsv": "csv", "word": "docx",
            "excel": "xlsx"}


def _normalise_format(fmt: str, path: str | Path) -> str:
    key = fmt.strip().lstrip(".").casefold()
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise InputError(f"unknown format '{fmt}' (expected one of {', '.join(FORMATS)})", path=path)
    return key


def read_file(path: str | Path, *, format: str | None = None, encoding: str | None = None,  # noqa: A002
              survey_columns: dict | None = None) -> ReadResult:
    """Read one raw file into speaker turns.

    Args:
        path: the transcript or survey export.
        format: one of :data:`FORMATS` ("txt", "otter", "docx", "vtt", "srt", "csv",
            "xlsx"); detected from the content when None.
        encoding: force a text encoding instead of trying utf-8, utf-8-sig, cp1252.
        survey_columns: for "csv"/"xlsx": ``{"respondent": ..., "text": ...}`` plus
            optional ``"region"``, ``"date"``, ``"question"`` column names.

    Returns:
        The turns as they stand in the file, with the format and encoding used and notes on
        what the reader skipped or merged.

    Raises:
        InputError: missing, binary or corrupt file; unknown format; undecodable text;
            malformed cues; missing survey columns; no speaker turns.
    """
    from engagement.ingest.readers.docx import read_docx
    from engagement.ingest.readers.subtitles import read_srt, read_vtt
    from engagement.ingest.readers.survey import read_survey_csv, read_survey_xlsx
    from engagement.ingest.readers.text import read_text

    fmt = _normalise_format(format, path) if format else detect_format(path)
    if fmt == "docx":
        return read_docx(path)
    if fmt == "xlsx":
        return read_survey_xlsx(path, survey_columns)
    data = read_bytes(path)
    kind = check_binary(data, path)
    if kind is not None:
        raise InputError(f"binary or corrupt file: a .{kind} document, not {fmt} text", path=path)
    text, used = decode_bytes(data, path, encoding)
    if fmt == "csv":
        return read_survey_csv(path, text, used, survey_columns)
    if fmt == "vtt":
        return read_vtt(path, text, used)
    if fmt == "srt":
        return read_srt(path, text, used)
    return read_text(path, text, used, otter=(fmt == "otter"))
