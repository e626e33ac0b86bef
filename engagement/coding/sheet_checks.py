"""The coding sheet's layout, and the checks that read a filled-in sheet back.

:mod:`engagement.coding.sheet` writes sheets in this layout and imports them through
:func:`read_sheet`, which checks every cell before anything is stored and stops at the first problem
with one line naming the file, sheet, row and column: a workbook that is not an xlsx or not a coding
sheet, a missing, renamed or doubled header, a blank or unusable coder, a formula or an error value
in any cell, an empty or repeated segment id, an edited text or a damaged hidden hash, an unknown
code, two codes in a cell that takes one, a code both accepted and rejected, a reviewed cell that is
neither yes nor empty (or says no on a row with codes), a row whose segment vanished or whose text
changed since the export.

Example:
    >>> result = read_sheet(Path("coding-Essex.xlsx"), segments, book)     # doctest: +SKIP
    >>> result.decisions.head()                                              # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from engagement.coding import human
from engagement.errors import EngagementError

CODES_SHEET, README_SHEET, BOOK_SHEET = "codes", "read me", "codebook"
FORMAT = "engagement coding sheet 2"      # 2: the reviewed column
OLD_FORMATS = {"engagement coding sheet 1": ("reviewed",)}   # format -> the columns it did not have yet
CODER_CELL, HEADER_ROW, FIRST_ROW = "B1", 2, 3
ALL = {"all", "yes", "y"}                 # accept/reject every suggestion of the row
NONE = {"no", "n", "none", "-"}
REVIEWED_YES = {"yes", "y", "x", "reviewed", "true", "1"}
REVIEWED_NO = {"", "no", "n", "false", "0", "-"}
# initials or a short coder id: it goes into every decision and into the codings' evidence
CODER_RE = re.compile(r"\w[\w .'-]{0,39}")
# (header, width, filled in by the researcher, what the read-me says)
COLUMNS = [
    ("segment_id", 20, False, "The segment's id. Do not change it: the import finds the segment by it."),
    ("speaker", 14, False, "The pseudonymous participant or respondent id (never a name)."),
    ("area", 14, False, "The Healthwatch area of the session (or of the survey respondent)."),
    ("kind", 11, False, "focus_group, interview or survey."),
    ("context_before", 32, False, "The sentence before, in the same speaker's turn (empty at a turn's start)."),
    ("text", 60, False, "The sentence to code. Do not edit it: the import checks it against a hidden hash."),
    ("context_after", 32, False, "The sentence after, in the same speaker's turn."),
    ("suggested", 46, False, "The codes the autocoder suggests, one a line: code (source: 'evidence'; score)."),
    ("stance", 16, False, "The suggested stance (concern, support, ...) with the cues that decided it."),
    ("accept", 16, True, "'all' to accept every suggestion, or the code ids to accept, separated by ';'. "
                         "With 'all' here, the codes listed under reject are left out."),
    ("reject", 16, True, "'all' to reject every suggestion, or the code ids that are wrong, separated by ';'. "
                         "Rejections are kept: they teach the model."),
    ("add_1", 24, True, "A code the autocoder missed: pick one from the drop-down (one code per cell)."),
    ("add_2", 24, True, "Another code to add."),
    ("add_3", 24, True, "Another code to add."),
    ("reviewed", 11, True, "'yes' when you have read the row and it is done: the codes you did not accept or add "
                           "do not apply. A row with no code at all needs it; a row where you accepted, rejected "
                           "or added a code counts as reviewed anyway."),
    ("note", 32, True, "Anything you want to record about this segment (kept with its codes)."),
    ("text_hash", 10, False, "Hidden: sha256 of the text, to tell an edited text."),
    ("suggested_ids", 10, False, "Hidden: the suggested code ids, for 'all'."),
]
HEADERS = [c[0] for c in COLUMNS]
HIDDEN = ("text_hash", "suggested_ids")
ONE_CODE = ("add_1", "add_2", "add_3")
_SPLIT = re.compile(r"[;,\s]+")


class SheetError(EngagementError):
    """A coding sheet cannot be read back: a cell holds something the import cannot accept.

    The message is always one line (a cell's line breaks become spaces).
    """

    def __init__(self, message: str, **kw):
        super().__init__(" ".join(str(message).split()), **kw)


def where(path: Path, row: int | None = None, column: str | None = None, sheet: str = CODES_SHEET) -> str:
    """``"<file>, sheet '<sheet>', row <row>, column <column>"``, the start of every import error."""
    out = f"{Path(path).name}, sheet '{sheet}'"
    if row is not None:
        out += f", row {row}"
    if column is not None:
        out += f", column {column}"
    return out


def cell_text(value) -> str:
    """A value as the sheet holds it: a string without the characters xlsx cannot store."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def _unescape(text: str) -> str:
    """Undo the _xHHHH_ escapes Excel writes for control characters (a carriage return is _x000D_)."""
    from openpyxl.utils.escape import unescape

    return unescape(text)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _value(cell, path: Path, row: int, column: str, sheet: str = CODES_SHEET) -> str:
    """A cell's value as stripped text; a formula or an error value (#REF!, #N/A) stops the import."""
    value = cell.value
    if cell.data_type == "f":
        raise SheetError(f"{where(path, row, column, sheet)}: a formula ({value}); type the value instead "
                         "(or start it with ' to keep it as text)")
    if cell.data_type == "e":
        raise SheetError(f"{where(path, row, column, sheet)}: an error value ({value}); type the value instead")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _codes(text: str, known: dict, path: Path, row: int, column: str) -> list[str]:
    out = []
    for tok in (t for t in _SPLIT.split(text.lower()) if t):
        if tok not in known:
            close = difflib.get_close_matches(tok, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SheetError(f"{where(path, row, column)}: unknown code '{tok}'{hint}")
        if tok not in out:
            out.append(tok)
    return out


def _choice(text: str, known: dict, path: Path, row: int, column: str) -> tuple[bool, list[str]]:
    """(all?, explicit codes) of an accept/reject cell."""
    low = text.lower().strip()
    if low in ALL:
        return True, []
    if low in NONE or not low:
        return False, []
    return False, _codes(text, known, path, row, column)


def _reviewed(text: str, path: Path, row: int) -> bool | None:
    """True (yes), False (no) or None (empty) for a reviewed cell."""
    low = text.lower().strip()
    if not low:
        return None
    if low in REVIEWED_YES:
        return True
    if low in REVIEWED_NO:
        return False
    raise SheetError(f"{where(path, row, 'reviewed')}: '{text}' is not 'yes'; write yes once you have read the "
                     "row, or leave it empty")


def check_coder(coder: str, place: str) -> str:
    """The coder's initials or id, stripped; raises when empty or unusable (``place`` names where it came from)."""
    coder = " ".join(str(coder or "").split())
    if not coder:
        raise SheetError(f"{place}: missing coder name; fill in cell {CODER_CELL} or pass --coder")
    if not CODER_RE.fullmatch(coder):
        raise SheetError(f"{place}: '{coder}' is not usable as a coder; give initials or a short id (up to 40 "
                         "letters, digits, spaces, . ' or -, starting with a letter or digit)")
    return coder


def open_sheet(path: Path):
    """The workbook's ``codes`` sheet and the columns this import reads ({header: column number})."""
    from openpyxl import load_workbook

    path = Path(path)
    if not path.is_file():
        raise SheetError(f"{path}: file not found")
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:  # zipfile, KeyError, XML and openpyxl's own errors for a non-xlsx or broken file
        raise SheetError(f"{path.name}: not an xlsx workbook, or a damaged one ({exc.__class__.__name__}); "
                         "open it in Excel and save it as .xlsx again, or export a new sheet") from None
    if CODES_SHEET not in wb.sheetnames:
        raise SheetError(f"{path.name}: no sheet '{CODES_SHEET}' (it has {', '.join(map(repr, wb.sheetnames))}); "
                         "is this a sheet from 'engagement sheet export'?")
    optional = _format_gaps(wb, path)
    ws = wb[CODES_SHEET]
    col: dict[str, int] = {}
    for c in range(1, ws.max_column + 1):
        v = ws.cell(row=HEADER_ROW, column=c).value
        name = v.strip() if isinstance(v, str) else None
        if name in col:
            raise SheetError(f"{where(path, HEADER_ROW, _letter(c))}: a second '{name}' column (the first is "
                             f"column {_letter(col[name])}); delete one of them")
        if name in HEADERS:
            col[name] = c
    if not col:
        raise SheetError(f"{where(path, HEADER_ROW, 'A')}: no coding sheet header row (expected "
                         f"'{HEADERS[0]}', '{HEADERS[1]}', ...); is this a sheet from 'engagement sheet export'?")
    missing = [h for h in HEADERS if h not in col and h not in optional]
    if missing:
        h = missing[0]
        letter = _letter(HEADERS.index(h) + 1)
        found = ws[f"{letter}{HEADER_ROW}"].value
        held = f"this cell holds '{found}'" if found not in (None, "") else "this cell is empty"
        raise SheetError(f"{where(path, HEADER_ROW, letter)}: the header '{h}' is missing ({held}); restore the "
                         f"header row as exported (missing: {', '.join(missing)})")
    return ws, col


def _format_gaps(wb, path: Path) -> tuple[str, ...]:
    """The columns the sheet's format did not have yet (from the hidden codebook sheet's metadata)."""
    if BOOK_SHEET not in wb.sheetnames:
        return ()
    cb = wb[BOOK_SHEET]
    for r in range(1, min(cb.max_row, 20) + 1):
        if cb.cell(row=r, column=5).value == "format":
            fmt = str(cb.cell(row=r, column=6).value or "").strip()
            if fmt == FORMAT:
                return ()
            if fmt in OLD_FORMATS:
                return OLD_FORMATS[fmt]
            raise SheetError(f"{where(path, r, 'F', BOOK_SHEET)}: unknown sheet format '{fmt}' (this version "
                             f"reads '{FORMAT}'); export a new sheet")
    return ()


@dataclass
class SheetDecisions:
    """What a valid sheet says.

    Attributes:
        decisions: rows with the human store's columns: accept, add and reject decisions, and one
            ``reviewed`` mark for every row imported.
        coder: the coder's initials or id.
        rows: the rows imported (every reviewed row, with codes or not).
        reviewed_without_codes: rows marked reviewed on which no code was accepted, added or rejected.
        notes_without_codes: rows with a note but neither a code nor a reviewed mark (not stored).
    """

    decisions: pd.DataFrame
    coder: str
    rows: int
    notes_without_codes: int = 0
    reviewed_without_codes: int = 0


def read_sheet(path: Path, segments: pd.DataFrame, book, *, coder: str | None = None) -> SheetDecisions:
    """Check every cell of a filled-in coding sheet and return its decisions; raise on the first problem.

    A row is imported when it accepts, rejects or adds a code, or says reviewed: yes; each imported
    row gives its decisions and one ``reviewed`` mark (:data:`engagement.coding.human.REVIEWED`).

    Raises:
        SheetError: one line naming file, sheet, row and column (see the module's docstring).
    """
    path = Path(path)
    ws, col = open_sheet(path)
    if (coder or "").strip():
        coder = check_coder(coder, "--coder")
    else:
        coder = check_coder(_value(ws[CODER_CELL], path, 1, "coder"), where(path, 1, "coder"))
    known = {cid: c.theme for cid, c in book.codes.items()}
    current = dict(zip(segments["segment_id"].astype(str), segments["text"].astype(str)))
    seen: dict[str, int] = {}
    out: list[dict] = []
    rows = notes_only = marks_only = 0
    for r in range(FIRST_ROW, ws.max_row + 1):
        cell = {h: _value(ws.cell(row=r, column=c), path, r, h) for h, c in col.items()}
        if not any(cell.values()):
            continue
        sid = cell["segment_id"]
        if not sid:
            raise SheetError(f"{where(path, r, 'segment_id')}: empty; this row cannot be matched to a segment")
        if sid in seen:
            raise SheetError(f"{where(path, r, 'segment_id')}: segment '{sid}' is also on row {seen[sid]}")
        seen[sid] = r
        sheet_text = cell_text(ws.cell(row=r, column=col["text"]).value)
        if not re.fullmatch(r"[0-9a-f]{64}", cell["text_hash"]):
            raise SheetError(f"{where(path, r, 'text_hash')}: missing or damaged; re-export the sheet")
        if cell["text_hash"] not in (human.text_hash(sheet_text), human.text_hash(_unescape(sheet_text))):
            raise SheetError(f"{where(path, r, 'text')}: the segment text was edited; restore it (codes apply to "
                             "the text as exported)")
        acc_all, acc = _choice(cell["accept"], known, path, r, "accept")
        rej_all, rej = _choice(cell["reject"], known, path, r, "reject")
        adds: list[str] = []
        for name in ONE_CODE:
            codes = _codes(cell[name], known, path, r, name)
            if len(codes) > 1:
                raise SheetError(f"{where(path, r, name)}: two codes in a cell that takes one "
                                 f"('{cell[name]}'); put the second in another add_ column")
            if codes and codes[0] in rej:
                raise SheetError(f"{where(path, r, name)}: code '{codes[0]}' is both added and rejected")
            adds += codes
        reviewed = _reviewed(cell.get("reviewed", ""), path, r)
        if acc_all and rej_all:
            raise SheetError(f"{where(path, r, 'reject')}: every suggestion is both accepted and rejected ('all')")
        for code in rej:
            if code in acc:
                raise SheetError(f"{where(path, r, 'reject')}: code '{code}' is both accepted and rejected")
        suggested = [s for s in _SPLIT.split(cell["suggested_ids"].lower()) if s]
        if acc_all:
            acc = [s for s in suggested if s not in rej]
        if rej_all:
            rej = [s for s in suggested if s not in acc and s not in adds]
        decided = bool(acc or rej or adds)
        if decided and reviewed is False:
            raise SheetError(f"{where(path, r, 'reviewed')}: 'no', but this row accepts, rejects or adds codes, "
                             "which marks it reviewed; write yes or leave it empty")
        if not decided and not reviewed:
            notes_only += bool(cell.get("note"))
            continue
        if sid not in current:
            raise SheetError(f"{where(path, r, 'segment_id')}: segment '{sid}' no longer exists (re-segmented or "
                             "withdrawn since the export); delete this row or export a new sheet")
        now = human.text_hash(current[sid])
        if now != cell["text_hash"] and human.text_hash(cell_text(current[sid])) != cell["text_hash"]:
            raise SheetError(f"{where(path, r, 'text')}: the segment's text has changed since the export "
                             "(prepare was re-run); export a new sheet for it")
        rows += 1
        marks_only += not decided
        pairs = [(c, "accept" if c in suggested else "add") for c in dict.fromkeys(acc + adds)]
        pairs += [(c, "reject") for c in rej if c not in acc and c not in adds]
        base = {"segment_id": sid, "coder": coder, "coded_at": "", "text_hash": now, "note": cell.get("note", ""),
                "sheet": path.name}
        for code, decision in pairs:
            if code not in known:  # an unknown suggested id in a hidden column (a different codebook)
                raise SheetError(f"{where(path, r, 'suggested_ids')}: unknown code '{code}' "
                                 "(the codebook changed since the export); export a new sheet")
            out.append({**base, "code": code, "theme": known[code], "decision": decision})
        out.append({**base, "code": human.REVIEWED_CODE, "theme": "", "decision": human.REVIEWED})
    table = pd.DataFrame(out, columns=human.HUMAN_COLUMNS)
    return SheetDecisions(table, coder, rows, notes_only, marks_only)
