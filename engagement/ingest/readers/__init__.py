"""Readers: turn real transcript exports into speaker turns.

One entry point, :func:`read_file`, detects the format (plain text and Markdown, Otter.ai,
Word, WebVTT, SubRip, YouTube .sbv, transcript tables and survey exports in CSV/XLSX) from the
content as well as the extension and returns a :class:`ReadResult` of :class:`RawTurn` s
that say where each turn came from. Every input
problem is an :class:`~engagement.errors.InputError` naming the file and, where there is
one, the line.

Example:
    >>> from engagement.ingest.readers import read_file
    >>> result = read_file("data/raw/essex/focus_group_1.vtt")     # doctest: +SKIP
    >>> result.format, result.turns[0].speaker, result.notes       # doctest: +SKIP
    ('vtt', 'Sarah Jenkins', ['merged 212 cues into 40 turns'])
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from engagement.errors import InputError
from engagement.ingest.readers.base import FORMATS, RawTurn, ReadResult, known_formats
from engagement.ingest.readers.detect import (
    check_binary, decode_bytes, decode_text, detect_format, extension_mismatch, read_bytes,
)
from engagement.ingest.readers.labels import join_numbered_questions, unify_speakers

__all__ = ["FORMATS", "RawTurn", "ReadResult", "decode_text", "detect_format", "extension_mismatch", "read_file"]

_ALIASES = {"text": "txt", "plain": "txt", "markdown": "txt", "md": "txt", "webvtt": "vtt", "subrip": "srt",
            "youtube": "sbv", "tsv": "csv", "word": "docx", "excel": "xlsx", "survey": "csv",
            "transcript-table": "table", "transcript_table": "table"}


def _normalise_format(fmt: str, path: str | Path) -> str:
    key = fmt.strip().lstrip(".").casefold()
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; {known_formats()}", path=path)
    return key


def read_file(path: str | Path, *, format: str | None = None, encoding: str | None = None,  # noqa: A002
              survey_columns: dict | None = None) -> ReadResult:
    """Read one raw file into speaker turns.

    Args:
        path: the transcript or survey export.
        format: one of :data:`FORMATS` ("txt", "otter", "docx", "vtt", "srt", "sbv",
            "table", "csv", "xlsx"); detected from the content when None.
        encoding: force a text encoding instead of trying utf-8, utf-8-sig, cp1252.
        survey_columns: for a survey ("csv"/"xlsx"): ``{"respondent": ..., "text": ...}``
            plus optional ``"region"``, ``"date"``, ``"question"`` column names. A file given
            survey columns is read as a survey even if it looks like a transcript table.

    Returns:
        The turns as they stand in the file, with the format and encoding used and notes on
        what the reader skipped or merged. Labels for one person that differ only by title
        (``Right Hon. Jane Smith`` and ``Jane Smith``) are given one speaker.

    Raises:
        InputError: missing, binary or corrupt file; unknown format; undecodable text;
            malformed cues; missing survey columns; no speaker turns (the message lists the
            formats the suite reads and how to force one).
    """
    fmt = _normalise_format(format, path) if format else detect_format(path)
    if fmt == "table" and survey_columns and not format:
        fmt = "xlsx" if check_binary(read_bytes(path), path) == "xlsx" else "csv"
    result = _read(path, fmt, encoding, survey_columns)
    if fmt in ("csv", "xlsx"):
        return result
    turns, notes = unify_speakers(result.turns)
    turns, asked = join_numbered_questions(turns)
    notes += asked
    return replace(result, turns=turns, notes=[*result.notes, *notes]) if notes else result


def _read(path: str | Path, fmt: str, encoding: str | None, survey_columns: dict | None) -> ReadResult:
    from engagement.ingest.readers.docx import read_docx
    from engagement.ingest.readers.subtitles import read_sbv, read_srt, read_vtt
    from engagement.ingest.readers.survey import read_survey_csv, read_survey_xlsx
    from engagement.ingest.readers.table import csv_rows, read_transcript_table, xlsx_rows
    from engagement.ingest.readers.text import read_text

    if fmt == "docx":
        return read_docx(path)
    if fmt == "xlsx":
        return read_survey_xlsx(path, survey_columns)
    data = read_bytes(path)
    kind = check_binary(data, path)
    if fmt == "table" and kind == "xlsx":
        return read_transcript_table(path, *xlsx_rows(path), "binary")
    if kind is not None:
        raise InputError(f"binary or corrupt file: a .{kind} document, not {fmt} text", path=path)
    text, used = decode_bytes(data, path, encoding)
    if fmt == "table":
        return read_transcript_table(path, *csv_rows(path, text), used)
    if fmt == "csv":
        return read_survey_csv(path, text, used, survey_columns)
    if fmt == "vtt":
        return read_vtt(path, text, used)
    if fmt == "srt":
        return read_srt(path, text, used)
    if fmt == "sbv":
        return read_sbv(path, text, used)
    return read_text(path, text, used, otter=(fmt == "otter"))
