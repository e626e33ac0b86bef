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
from collections import Counter
from pathlib import Path

from engagement.errors import InputError
from engagement.ingest.readers.base import RawTurn, ReadResult, no_turns_error
from engagement.ingest.readers.files import read_bytes, zip_kind
from engagement.ingest.readers.labels import split_affiliation
from engagement.ingest.readers.table import rows_to_turns, transcript_columns
from engagement.ingest.readers.text import candidate, label_strength, metadata_header, parse_lines

_HEADING_STYLES = ("heading", "title", "subtitle")


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
    """Column indexes of "speaker", "text" and maybe "start"/"end" when row 1 is a transcript header."""
    if len(table.rows) < 1:
        return None
    return transcript_columns([cell.text for cell in table.rows[0].cells])


def _table_turns(tables: list) -> tuple[list[RawTurn], list[str]]:
    turns: list[RawTurn] = []
    notes: list[str] = []
    bad_times: list[int] = []
    merged_rows = 0
    for t_no, (table, cols) in enumerate(tables, start=1):
        rows = []
        for r_no, row in enumerate(table.rows, start=1):
            cells = row.cells
            if r_no == 1 or max(cols.values()) >= len(cells):
                continue
            if cells[cols["speaker"]]._tc is cells[cols["text"]]._tc:   # one cell spanning the row: a heading
                merged_rows += 1
                continue
            rows.append((r_no, [cell.text for cell in cells]))
        header = [cell.text for cell in table.rows[0].cells]
        found, bad, _ = rows_to_turns(rows, cols, header, merge=True,
                                      meta={"table": t_no} if len(tables) > 1 else {})
        turns.extend(found)
        bad_times.extend(bad)
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
            if c is not None and (c.shape == "ts" or c.label == split_affiliation(label)[0]):
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
    names: list[str] = []
    header: dict[str, str] = {}
    if tables:
        turns, notes = _table_turns(tables)
        _, header, names = metadata_header(_paragraph_lines(document.paragraphs)[0])   # fields above the table
        others = sum(1 for p in document.paragraphs if p.text.strip())
        if others:
            notes.append(f"table layout: ignored {others} paragraph(s) outside the transcript table(s)")
    else:
        lines, strong, headings = _paragraph_lines(document.paragraphs)
        turns, notes, names, header = parse_lines(lines, strong=strong, unit="paragraph")
        if headings:
            notes.insert(0, f"skipped {headings} heading paragraph(s)")
    if not turns:
        raise no_turns_error(path, "docx", "no paragraph opens with a speaker label and no table has speaker and "
                                           "text columns")
    return ReadResult(path=str(path), format="docx", encoding="binary", turns=turns, notes=notes,
                      names=tuple(names), header=header)

