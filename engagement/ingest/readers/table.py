"""Transcript tables: one row per utterance, with speaker and text columns (and usually times).

Transcription services (Rev, Sonix, Trint, Happy Scribe, AWS Transcribe and others) and
Word tables export a transcript as a table: ``start,end,speaker,text``, ``Start Time, End
Time, Speaker Name, Transcript``, ``Timestamp | Speaker | Utterance`` ... The columns are found
by their header; times may be ``00:12:03``, ``12:03.5``, ``00:12:03,250`` or seconds
(milliseconds when the header says ``ms``).

A table is read as a transcript only when its header names a speaker column and a text
column *and* it has time columns or rows that look like turns (speakers recurring); a
column called only "Name", "Participant", "Person" or "Role" counts as a speaker column
only beside times and recurring values. A survey is never read this way: surveys are
declared by the manifest's respondent and text columns (``survey_columns``), and a table
with a question or respondent column is a survey's shape. ``format="table"`` forces it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from engagement.errors import InputError
from engagement.ingest.readers.base import RawTurn, ReadResult, no_turns_error
from engagement.ingest.readers.files import read_bytes, zip_kind
from engagement.ingest.readers.labels import TIMESTAMP, parse_timestamp, split_affiliation

SPEAKER_HEADERS = frozenset({"speaker", "speaker name", "speaker label", "speaker id", "name", "who",
                             "participant", "person", "voice", "role", "spk", "talker"})
TEXT_HEADERS = frozenset({"text", "transcript", "transcription", "utterance", "comment", "comments", "speech",
                          "what was said", "content", "dialogue", "response", "words", "statement",
                          "contribution", "quote", "sentence", "segment", "caption", "transcript text"})
START_HEADERS = frozenset({"time", "timestamp", "time stamp", "timecode", "time code", "tc", "start",
                           "start time", "start timestamp", "start timecode", "begin", "begin time", "in",
                           "time in", "from", "offset", "start s", "start sec", "start seconds", "start ms",
                           "start time ms", "start offset"})
END_HEADERS = frozenset({"end", "end time", "end timestamp", "end timecode", "stop", "stop time", "out",
                         "time out", "to", "end s", "end sec", "end seconds", "end ms", "end time ms",
                         "end offset"})
_WEAK_SPEAKER_HEADERS = frozenset({"name", "participant", "person", "role"})   # also a survey's columns
_SURVEY_HEADERS = frozenset({"question", "question id", "question text", "item", "respondent", "respondent id",
                             "response id"})
_TIME_RE = re.compile(TIMESTAMP)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def cell_text(value: Any) -> str:
    """A cell as text: whole floats without ".0", dates as ISO dates, None as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def csv_rows(path: str | Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Split CSV text (comma, semicolon or tab separated) into its header and numbered rows.

    Raises:
        InputError: the file is empty, the CSV is malformed, or a row has more fields than
            the header (an unquoted delimiter in an answer).
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError("empty transcript: no speaker turns found (the file is empty)", path=path)
    delimiter = "\t" if Path(path).suffix.lower() == ".tsv" else header_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from None
    for row_no, row in rows:
        if len(row) > len(header) and any(v.strip() for v in row[len(header):]):
            raise InputError(f"row has {len(row)} fields but the header has {len(header)} "
                             "(an unquoted delimiter in an answer?)", path=path, line=row_no)
    return header, rows


def xlsx_rows(path: str | Path, sheet: str | None = None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and numbered rows (cells as text) of a workbook's first or named sheet.

    Raises:
        InputError: not a workbook, a damaged one, a missing sheet, or an empty sheet.
    """
    import openpyxl

    data = read_bytes(path)
    if zip_kind(data, path) != "xlsx":
        raise InputError("not an Excel workbook: this zip package is a Word document", path=path)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl reports damage as KeyError, zip or XML errors alike
        raise InputError(f"binary or corrupt file: damaged Excel workbook ({type(exc).__name__}: {exc})",
                         path=path) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputError(f"sheet '{sheet}' not found; sheets: {', '.join(book.sheetnames)}", path=path)
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise InputError("empty transcript: no speaker turns found (the sheet is empty)", path=path)
        header = [cell_text(h) for h in first]
        body = [(n, [cell_text(v) for v in row]) for n, row in enumerate(rows, start=2)]
    finally:
        book.close()
    return header, body


def header_key(cell: str) -> str:
    """A header cell as compared: punctuation and underscores to spaces, case-folded."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", str(cell)).split()).casefold()


def header_delimiter(header_line: str) -> str:
    """The delimiter the header row uses most: comma, semicolon (European Excel) or tab."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def sample_rows(text: str, limit: int = 200) -> tuple[list[str], list[list[str]]]:
    """The header and first rows of CSV text, for detection (malformed CSV gives no rows)."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n", limit + 1)[:limit + 1]
    try:
        rows = list(csv.reader(lines, delimiter=header_delimiter(lines[0])))
    except csv.Error:
        return [], []
    return (rows[0], rows[1:]) if rows else ([], [])


def transcript_columns(header: Sequence[str]) -> dict[str, int] | None:
    """Indexes of the "speaker", "text" and optional "start"/"end" columns, or None.

    Example:
        >>> transcript_columns(["Start Time", "End Time", "Speaker Name", "Transcript"])
        {'start': 0, 'end': 1, 'speaker': 2, 'text': 3}
    """
    cols: dict[str, int] = {}
    for i, cell in enumerate(header):
        word = header_key(cell)
        for key, names in (("speaker", SPEAKER_HEADERS), ("text", TEXT_HEADERS), ("start", START_HEADERS),
                           ("end", END_HEADERS)):
            if word in names and key not in cols:
                cols[key] = i
                break
    return cols if "speaker" in cols and "text" in cols else None


def looks_like_transcript_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bool:
    """True for a transcript table, never for a survey export (see the module docstring).

    Args:
        header: the header row.
        rows: some data rows (the first 200 or so are enough).
    """
    cols = transcript_columns(header)
    if cols is None or any(header_key(h) in _SURVEY_HEADERS for h in header):
        return False
    weak = header_key(header[cols["speaker"]]) in _WEAK_SPEAKER_HEADERS
    if "start" in cols and not weak:
        return True
    if "start" not in cols and weak:
        return False            # "Name, Comment" or "Role, Comment" is a survey's shape
    speakers = [str(r[cols["speaker"]]).strip() for r in rows if cols["speaker"] < len(r)]
    speakers = [s for s in speakers if s]
    limit = len(speakers) - 1 if "start" in cols else len(speakers) // 2
    return len(speakers) >= 2 and len(set(speakers)) <= limit


def time_cell(value: str, header: str = "") -> list[float]:
    """The times in a cell: ``"00:00:05 - 00:00:09"`` gives ``[5.0, 9.0]``, ``"12.5"`` gives ``[12.5]``."""
    value = str(value).strip()
    if _NUMBER.match(value):
        seconds = float(value)
        return [seconds / 1000 if header_key(header).split()[-1:] in (["ms"], ["millis"], ["milliseconds"])
                else seconds]
    return [parse_timestamp(t) for t in _TIME_RE.findall(value)]


def _row_times(cells: Sequence[str], cols: dict[str, int], header: Sequence[str],
               ) -> tuple[float | None, float | None, bool]:
    """``(start, end, a time cell was not understood)``; a lone time column may hold a range."""
    found: dict[str, list[float]] = {}
    bad = False
    for key in ("start", "end"):
        if key in cols and str(cells[cols[key]]).strip():
            found[key] = time_cell(cells[cols[key]], header[cols[key]] if cols[key] < len(header) else "")
            bad = bad or not found[key]
    start = found.get("start", [None])[:1] or [None]
    end = found.get("end", [])[:1] or found.get("start", [])[1:2] or [None]
    return start[0], end[0], bad


def rows_to_turns(rows: Iterable[tuple[int, Sequence[str]]], cols: dict[str, int], header: Sequence[str] = (),
                  *, merge: bool = False, meta: dict | None = None, joiner: str = "\n",
                  ) -> tuple[list[RawTurn], list[int], int]:
    """Turns from table rows; a row without a speaker carries on the turn before.

    Args:
        rows: ``(row number, cells as text)``.
        cols: from :func:`transcript_columns`.
        header: the header row (for the units of numeric times).
        merge: also join consecutive rows of one speaker (service exports cut turns into segments).
        meta: put in every turn's ``meta``.
        joiner: what joins the text of rows that make one turn.

    Returns:
        ``(turns, rows whose time cell was not understood, rows merged into the turn before)``.
    """
    turns: list[RawTurn] = []
    bad_times: list[int] = []
    merged = 0
    width = max(cols.values())
    for r_no, cells in rows:
        if width >= len(cells):
            cells = [*cells, *[""] * (width + 1 - len(cells))]
        speaker, affiliation = split_affiliation(" ".join(str(cells[cols["speaker"]]).split()).rstrip(":").strip())
        text = "\n".join(p.strip() for p in str(cells[cols["text"]]).split("\n") if p.strip())
        start, end, bad = _row_times(cells, cols, header)
        if bad:
            bad_times.append(r_no)
        if not text:
            continue
        last = turns[-1] if turns else None
        if last is not None and (not speaker or (merge and speaker == last.speaker)):
            merged += 1
            turns[-1] = RawTurn(last.speaker, f"{last.text}{joiner}{text}", last.source_line, last.start,
                                end if end is not None else last.end, last.meta, last.affiliation or affiliation)
            continue
        turns.append(RawTurn(speaker=speaker, text=text, source_line=r_no, start=start, end=end,
                             meta=dict(meta or {}), affiliation=affiliation))
    return turns, bad_times, merged


def read_transcript_table(path: str | Path, header: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]],
                          encoding: str) -> ReadResult:
    """Read a transcript table (``format="table"``) already split into a header and rows.

    Consecutive rows of one speaker become one turn (``source_line`` the first row, the
    header being row 1), as do rows with an empty speaker cell.

    Raises:
        InputError: the header names no speaker or no text column, or no row has text.
    """
    cols = transcript_columns(header)
    if cols is None:
        shown = ", ".join(str(h) for h in header if str(h).strip()) or "(none)"
        raise no_turns_error(path, "table", f"no speaker and text columns in the header ({shown})")
    turns, bad_times, merged = rows_to_turns(rows, cols, header, merge=True, joiner=" ")
    if not turns:
        raise no_turns_error(path, "table", "no row has text")
    notes = [f"columns: {', '.join(f'{k} = {header[i]!s}' for k, i in cols.items())}"]
    if merged:
        notes.append(f"merged {merged + len(turns)} rows into {len(turns)} turns")
    if bad_times:
        notes.append(f"{len(bad_times)} time cell(s) not understood, left empty (first in row {bad_times[0]})")
    return ReadResult(path=str(path), format="table", encoding=encoding, turns=turns, notes=notes)
