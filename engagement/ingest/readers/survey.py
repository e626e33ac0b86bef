"""Survey exports (CSV, XLSX): one row per free-text response.

The caller names the columns (``survey_columns``): ``respondent`` and ``text`` are
required, ``region``, ``date`` and ``question`` optional. Each row with an answer becomes
a :class:`RawTurn` whose speaker is the respondent id and whose ``meta`` holds the optional
fields. A wide export, one column per free-text question, names them all in ``text``
separated by ``|`` (``text_column: Q1 ... | Q2 ...``): every answer becomes its own turn, its
question the column's header. ``source_line`` is the row number with the header as row 1 (the
row a spreadsheet shows). Values are kept as written: dates are not parsed, ids are not renumbered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from engagement.errors import InputError
from engagement.ingest.readers.base import RawTurn, ReadResult, known_formats
from engagement.ingest.readers.table import cell_text, csv_rows, xlsx_rows

REQUIRED = ("respondent", "text")
OPTIONAL = ("region", "date", "question")


def _check_keys(columns: dict | None, path: str | Path) -> dict[str, str]:
    if not columns:
        raise InputError("a survey file needs survey_columns naming at least the respondent and text columns "
                         "(respondent_column, text_column in sessions.csv; --survey-columns for inspect); "
                         f"{known_formats()}", path=path)
    unknown = sorted(set(columns) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise InputError(f"unknown survey_columns key(s) {', '.join(unknown)} "
                         f"(expected {', '.join(REQUIRED + OPTIONAL)})", path=path)
    missing = [k for k in REQUIRED if not columns.get(k)]
    if missing:
        raise InputError(f"survey_columns must name the {' and '.join(missing)} column", path=path)
    return {k: str(v) for k, v in columns.items() if v}


def text_columns(spec: str) -> list[str]:
    """The free-text columns a ``text`` setting names: one, or several separated by ``|``."""
    return [name.strip() for name in str(spec).split("|") if name.strip()]


def _resolve(header: Sequence[str], columns: dict[str, str], path: str | Path) -> dict[str, int]:
    """Index of each named column: exact match first, then ignoring case and surrounding space.

    The text columns come back as ``text``, ``text#1``, ``text#2``... in the order named.
    """
    exact = {name: i for i, name in reversed(list(enumerate(header)))}
    loose = {name.strip().casefold(): i for i, name in reversed(list(enumerate(header)))}
    texts = text_columns(columns["text"])
    if len(texts) > 1 and columns.get("question"):
        raise InputError("survey_columns name several text columns and a question column: a wide export has one "
                         "column per question (name them all in text, separated by '|'), a long one a question "
                         "column and one text column", path=path)
    wanted = [(k, v) for k, v in columns.items() if k != "text"]
    wanted += [("text" if j == 0 else f"text#{j}", name) for j, name in enumerate(texts)]
    found: dict[str, int] = {}
    for key, name in wanted:
        i = exact.get(name, loose.get(name.strip().casefold()))
        if i is None:
            available = ", ".join(h for h in header if h) or "(none)"
            raise InputError(f"survey column '{name}' ({key.split('#')[0]}) not found; available columns: "
                             f"{available}", path=path, line=1)
        found[key] = i
    return found


def _rows_to_turns(header: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]], columns: dict[str, str],
                   path: str | Path, fmt: str, encoding: str) -> ReadResult:
    index = _resolve(header, columns, path)
    text_keys = [k for k in index if k == "text" or k.startswith("text#")]
    wide = len(text_keys) > 1
    turns: list[RawTurn] = []
    empty: list[int] = []
    blank_rows = 0
    for row_no, row in rows:
        values = [cell_text(v) for v in row]
        if not any(values):
            blank_rows += 1
            continue
        get = (lambda key: values[index[key]] if index[key] < len(values) else "")
        answers = [(key, get(key)) for key in text_keys if get(key)]
        if not answers:
            empty.append(row_no)
            continue
        meta = {key: get(key) or None for key in OPTIONAL if key in index}
        for key, text in answers:
            if wide:
                meta = {**meta, "question": header[index[key]].strip()}
            turns.append(RawTurn(speaker=get("respondent"), text=text, source_line=row_no, meta=meta))
    notes = []
    if empty:
        notes.append(f"skipped {len(empty)} row(s) with an empty answer (first: row {empty[0]})")
    if blank_rows:
        notes.append(f"skipped {blank_rows} blank row(s)")
    if not turns:
        raise InputError("empty transcript: no speaker turns found (no row has an answer)", path=path)
    return ReadResult(path=str(path), format=fmt, encoding=encoding, turns=turns, notes=notes)


def read_survey_csv(path: str | Path, text: str, encoding: str, columns: dict | None) -> ReadResult:
    """Read a survey CSV (comma, semicolon or tab separated).

    Args:
        path: the file (for messages and the result).
        text: its decoded content.
        encoding: the encoding that decoded it.
        columns: ``{"respondent": ..., "text": ..., "region"/"date"/"question": ...}``.

    Returns:
        One turn per answered row; ``meta`` holds the optional columns that were named.

    Raises:
        InputError: survey_columns missing or naming an absent column (the message lists the
            available ones), a row with more fields than the header, or no answers at all.

    Example:
        >>> read_survey_csv("fft.csv", "id,answer\\n7,Kind staff\\n", "utf-8",
        ...                 {"respondent": "id", "text": "answer"}).turns[0].speaker
        '7'
    """
    wanted = _check_keys(columns, path)
    header, rows = csv_rows(path, text)
    return _rows_to_turns(header, rows, wanted, path, "csv", encoding)


def read_survey_xlsx(path: str | Path, columns: dict | None, sheet: str | None = None) -> ReadResult:
    """Read a survey workbook: the first (or named) sheet, header in row 1.

    Args:
        path: the .xlsx file.
        columns: as for :func:`read_survey_csv`.
        sheet: a sheet name; the first sheet when None.

    Returns:
        One turn per answered row.

    Raises:
        InputError: as for :func:`read_survey_csv`, or a damaged workbook.
    """
    wanted = _check_keys(columns, path)
    header, body = xlsx_rows(path, sheet)
    return _rows_to_turns(header, body, wanted, path, "xlsx", "binary")
