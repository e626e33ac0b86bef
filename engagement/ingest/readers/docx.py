"""Word (.docx) transcripts, read with python-docx.

Two layouts are common. In the paragraph layout each turn is a paragraph ``Name: text``
(the label often in bold, sometimes with a timestamp), title and heading paragraphs come
first, and unlabelled paragraphs carry on the previous turn; it is parsed by the same
label rules as plain text (:func:`engagement.ingest.readers.text.parse_lines`), with bold labels
counting as strong evidence. In the table layout a table has a header row naming a speaker
column and a text column (``Time | Speaker | Text``, ``Name | Transcript`` ...), and each
row is a turn.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

from engagement.errors import InputError
from engagement.ingest.readers.base import RawTurn, ReadResult
from engagement.ingest.readers.detect import read_bytes, zip_kind
from engagement.ingest.readers.text import TIMESTAMP, candidate, label_strength, parse_lines, parse_timestamp

SPEAKER_HEADERS = frozenset({"speaker", "speaker name", "name", "who", "participant", "person", "voice", "role"})
TEXT_HEADERS = frozenset({"text", "transcript", "transcription", "utterance", "comment", "comments", "speech",
                          "what was said", "content", "dialogue", "response", "words", "statement",
                          "contribution", "quote"})
TIME_HEADERS = frozenset({"time", "timestamp", "time stamp", "timecode", "time code", "start", "start time", "tc"})
_HEADING_STYLES = ("heading", "title", "subtitle")
_TIME_RE = re.compile(TIMESTAMP)


def _header_word(cell_text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", cell_text).split()).casefold()


def _open(path: str | Path):
    import docx  # python-docx

    data = read_bytes(path)
    if zip_kind(data, path) != "docx":
        raise InputError("not a Word document: this zip package is an Excel workbook", path=path)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx surfaces damage as KeyError, lxml or zip errors alike
        if isinstance(exc, (KeyboardInterrupt, MemoryError)):
            raise
        raise InputError(f"binary or corrupt file: damaged Word document ({type(exc).__name__}: {exc})",
                         path=path) from None


def _is_bold(run) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    style = run.style
    return bool(style is not None and style.font is not None and style.font.bold)


def _bold_prefix(paragraph) -> str:
    """The text of the paragraph's leading bold runs, if the paragraph text starts with it."""
    parts = []
    for run in paragraph.runs:
        if not run.text:
            continue
        if not _is_bold(run):
            break
        parts.append(run.text)
    prefix = "".join(parts)
    return prefix if prefix.strip() and paragraph.text.startswith(prefix) else ""


def _table_columns(table) -> dict[str, int] | None:
    """Column indexes of "speaker", "text" and maybe "time" when row 1 is a transcript header."""
    if len(table.rows) < 1:
        return None
    cols: dict[str, int] = {}
    for i, cell in enumerate(table.rows[0].cells):
        word = _header_word(cell.text)
        for key, names in (("speaker", SPEAKER_HEADERS), ("text", TEXT_HEADERS), ("time", TIME_HEADERS)):
            if word in names and key not in cols:
                cols[key] = i
    return cols if "speaker" in cols and "text" in cols else None


def _table_turns(tables: list) -> tuple[list[RawTurn], list[str]]:
    turns: list[RawTurn] = []
    notes: list[str] = []
    bad_times: list[int] = []
    merged_rows = 0
    for t_no, (table, cols) in enumerate(tables, start=1):
        meta = {"table": t_no} if len(tables) > 1 else {}
        for r_no, row in enumerate(table.rows, start=1):
            if r_no == 1:
                continue
            cells = row.cells
            if max(cols.values()) >= len(cells):
                continue
            s_cell, x_cell = cells[cols["speaker"]], cells[cols["text"]]
            if s_cell._tc is x_cell._tc:      # one cell spanning the row: a section heading
                merged_rows += 1
                continue
            speaker = " ".join(s_cell.text.split()).rstrip(":").strip()
            text = "\n".join(p.strip() for p in x_cell.text.split("\n") if p.strip())
            start = end = None
            if "time" in cols:
                raw = cells[cols["time"]].text.strip()
                times = _TIME_RE.findall(raw)
                if times:
                    start = parse_timestamp(times[0])
                    end = parse_timestamp(times[1]) if len(times) > 1 else None
                elif raw:
                    bad_times.append(r_no)
            if not text:
                continue
            if not speaker and turns:
                prev = turns[-1]
                turns[-1] = RawTurn(prev.speaker, f"{prev.text}\n{text}", prev.source_line, prev.start,
                                    end if end is not None else prev.end, prev.meta)
                continue
            turns.append(RawTurn(speaker=speaker, text=text, source_line=r_no, start=start, end=end, meta=meta))
    if bad_times:
        notes.append(f"{len(bad_times)} time cell(s) not understood, left empty (first in row {bad_times[0]})")
    if merged_rows:
        notes.append(f"skipped {merged_rows} row(s) spanning the whole table (section headings)")
    return turns, notes


def _paragraph_lines(paragraphs: list) -> tuple[list[tuple[int, str]], set[str], int]:
    """Numbered lines for :func:`parse_lines`, the labels that bold runs vouch for, heading count."""
    lines: list[tuple[int, str]] = []
    strong: set[str] = set()
    headings = 0
    unmarked: dict[int, tuple[str, str, bool]] = {}     # bold label without a colon: (label, rest, tabbed)
    for idx, par in enumerate(paragraphs, start=1):
        style = (par.style.name or "").casefold() if par.style is not None else ""
        if style.startswith(_HEADING_STYLES):
            headings += 1
            continue
        text = par.text
        prefix = _bold_prefix(par)
        if prefix:
            label = " ".join(prefix.split()).rstrip(":").strip()
            rest = text[len(prefix):]
            c = candidate(text.split("\n")[0], idx)
            if c is not None and (c.shape == "ts" or c.label == label):
                strong.add(c.label)
            elif not prefix.rstrip().endswith(":") and not rest.lstrip().startswith(":") and rest.strip() \
                    and label_strength(label) is not None:
                unmarked[idx] = (label, rest, rest.startswith("\t"))
        lines.extend((idx, piece) for piece in text.split("\n"))
    counts = Counter(label for label, _, _ in unmarked.values())
    for idx, (label, rest, tabbed) in unmarked.items():
        if tabbed or counts[label] >= 2:
            strong.add(label)
            pos = next(i for i, (n, _) in enumerate(lines) if n == idx)
            lines[pos] = (idx, f"{label}: {rest.split(chr(10))[0].strip()}")
    return lines, strong, headings


def read_docx(path: str | Path) -> ReadResult:
    """Read a Word transcript in the paragraph or the table layout.

    Args:
        path: the .docx file.

    Returns:
        The turns; ``source_line`` is the 1-based table row (header = row 1) in the table
        layout, the 1-based body paragraph in the paragraph layout.

    Raises:
        InputError: the file is not a Word document, is damaged or truncated, or holds no
            speaker turns.
    """
    document = _open(path)
    tables = [(t, cols) for t in document.tables if (cols := _table_columns(t)) is not None]
    if tables:
        turns, notes = _table_turns(tables)
        others = sum(1 for p in document.paragraphs if p.text.strip())
        if others:
            notes.append(f"table layout: ignored {others} paragraph(s) outside the transcript table(s)")
    else:
        lines, strong, headings = _paragraph_lines(document.paragraphs)
        turns, notes = parse_lines(lines, strong=strong, unit="paragraph")
        if headings:
            notes.insert(0, f"skipped {headings} heading paragraph(s)")
    if not turns:
        raise InputError("empty transcript: no speaker turns found", path=path)
    return ReadResult(path=str(path), format="docx", encoding="binary", turns=turns, notes=notes)

