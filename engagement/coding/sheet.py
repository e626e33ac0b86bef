"""A coding sheet (xlsx): check the autocoder's suggestions in Excel and bring the decisions back.

:func:`export_sheet` writes one row per participant or respondent segment: who spoke (the
pseudonymous participant id, never a name), the area and kind of session, the sentence with the
sentences before and after it in the same turn, the suggested codes (rule and semantic layer, with
their evidence and score) and the suggested stance; then the researcher's columns: ``accept`` and
``reject`` ("all", or code ids separated by ";"), ``add_1``..``add_3`` (one code each, from a
drop-down of the codebook's ids, listed in a hidden ``codebook`` sheet) and ``note``. The coder's
name goes in cell B1. A hidden column keeps the sha256 of each row's text, so an edited text is
caught on the way back. Every value is written as text: a sentence starting with "=" stays a
sentence, never a formula.

:func:`read_sheet` checks every cell before anything is written and stops at the first problem,
naming the file, sheet, row and column; :func:`import_sheet` then merges the decisions into the
store of :mod:`engagement.coding.human`, which the code stage turns into ``human`` codings.

Example:
    >>> export_sheet(cfg, Path("coding-Essex.xlsx"), region="Essex")      # doctest: +SKIP
    >>> import_sheet(cfg, Path("coding-Essex.xlsx"))                      # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from engagement.coding import human
from engagement.config import Config
from engagement.errors import EngagementError

CODES_SHEET, README_SHEET, BOOK_SHEET = "codes", "read me", "codebook"
FORMAT = "engagement coding sheet 1"
CODER_CELL, HEADER_ROW, FIRST_ROW = "B1", 2, 3
CODE_LIST = "code_ids"                    # the defined name of the codebook's id list (the add_ drop-downs)
PARTICIPANT_ROLES = ("participant", "respondent")
SUGGESTION_SOURCES = ("rule", "semantic")
ALL = {"all", "yes", "y"}                 # accept/reject every suggestion of the row
NONE = {"no", "n", "none", "-"}
EVIDENCE_CHARS = 80
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
    ("note", 32, True, "Anything you want to record about this segment (kept with its codes)."),
    ("text_hash", 10, False, "Hidden: sha256 of the text, to tell an edited text."),
    ("suggested_ids", 10, False, "Hidden: the suggested code ids, for 'all'."),
]
HEADERS = [c[0] for c in COLUMNS]
HIDDEN = ("text_hash", "suggested_ids")
ONE_CODE = ("add_1", "add_2", "add_3")
_SPLIT = re.compile(r"[;,\s]+")


class SheetError(EngagementError):
    """A coding sheet cannot be read back: a cell holds something the import cannot accept."""


def _where(path: Path, row: int | None = None, column: str | None = None, sheet: str = CODES_SHEET) -> str:
    out = f"{path.name}, sheet '{sheet}'"
    if row is not None:
        out += f", row {row}"
    if column is not None:
        out += f", column {column}"
    return out


# ------------------------------------------------------------------ export

def _codebook(cfg: Config, codebook=None):
    """The codebook (a Codebook passes through), loaded once per file version in a process."""
    if codebook is not None and not isinstance(codebook, (str, Path)):
        return codebook
    from engagement.coding.codebook import DEFAULT_CODEBOOK

    name = str(codebook or cfg.codebook)
    path = DEFAULT_CODEBOOK if name == "default" else (Path(name) if Path(name).is_absolute() else cfg.root / name)
    stat = path.stat() if path.is_file() else None
    key = (str(path), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)
    if key not in _BOOKS:
        from engagement.coding.run import resolve_codebook

        _BOOKS.clear()
        _BOOKS[key] = resolve_codebook(cfg, codebook)
    return _BOOKS[key]


_BOOKS: dict = {}


def sheet_rows(segments: pd.DataFrame, codings: pd.DataFrame, stance: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sheet's rows (one per participant/respondent segment, in session order) before any ordering.

    Pure: takes the ``segments``, ``codings`` and (optionally) ``stance`` tables, returns a new table
    with the sheet's columns (the researcher's columns empty).
    """
    seg = segments[segments["role"].isin(PARTICIPANT_ROLES)] if "role" in segments else segments
    allsegs = segments.sort_values(["session_id", "turn_index", "start_char"], kind="stable")
    turn = allsegs.groupby(["session_id", "turn_index"], sort=False)["text"]
    before = turn.shift(1).reindex(seg.index)
    after = turn.shift(-1).reindex(seg.index)
    sugg = codings[codings["source"].isin(SUGGESTION_SOURCES)].sort_values(["segment_id", "score", "code"],
                                                                            ascending=[True, False, True])
    shown: dict[str, list[str]] = {}
    ids: dict[str, list[str]] = {}
    for rec in sugg.to_dict("records"):
        ev = " ".join(str(rec["evidence"]).split())
        ev = ev if len(ev) <= EVIDENCE_CHARS else ev[:EVIDENCE_CHARS - 1] + "…"
        shown.setdefault(rec["segment_id"], []).append(f"{rec['code']} ({rec['source']}: '{ev}'; {rec['score']:.2f})")
        if rec["code"] not in ids.setdefault(rec["segment_id"], []):
            ids[rec["segment_id"]].append(rec["code"])
    st = {}
    if stance is not None and len(stance):
        st = {s: f"{v} ({c})" if str(c).strip() else str(v)
              for s, v, c in zip(stance["segment_id"], stance["stance"], stance["cues"])}
    out = pd.DataFrame({
        "segment_id": seg["segment_id"].astype(str), "speaker": seg["participant_id"].astype(str),
        "area": seg["region"].fillna("").astype(str), "kind": seg["kind"].astype(str),
        "context_before": before.fillna("").astype(str), "text": seg["text"].astype(str),
        "context_after": after.fillna("").astype(str),
    })
    out["suggested"] = out["segment_id"].map(lambda s: "\n".join(shown.get(s, [])))
    out["stance"] = out["segment_id"].map(lambda s: st.get(s, ""))
    for col in ("accept", "reject", "add_1", "add_2", "add_3", "note"):
        out[col] = ""
    out["text_hash"] = out["text"].map(lambda t: human.text_hash(_cell_text(t)))
    out["suggested_ids"] = out["segment_id"].map(lambda s: ";".join(ids.get(s, [])))
    order = seg[["session_id", "turn_index", "start_char"]].assign(_i=range(len(seg)))
    out = out.iloc[order.sort_values(["session_id", "turn_index", "start_char", "_i"])["_i"].to_numpy()]
    return out[HEADERS].reset_index(drop=True)


def _cell_text(value) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def _put(ws, row: int, col: int, value, style=None):
    """Write ``value`` as text: never a formula, even when it starts with =, +, - or @."""
    cell = ws.cell(row=row, column=col)
    text = _cell_text(value)
    if text:
        cell.value = text
        cell.data_type = "s"         # openpyxl would otherwise store "=..." as a formula
        if text[0] in "=+-@\t\r":
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    if style is not None:
        cell.alignment = style
    return cell


def build_workbook(rows: pd.DataFrame, book, *, region: str | None = None, order: str = "session"):
    """An openpyxl workbook holding ``rows`` (from :func:`sheet_rows`) and the codebook's drop-downs."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = CODES_SHEET
    wrap, bold = Alignment(wrap_text=True, vertical="top"), Font(bold=True)
    fill_in = PatternFill("solid", fgColor="FFF2CC")
    _put(ws, 1, 1, "Coder (your initials):").font = bold
    coder = ws[CODER_CELL]
    coder.fill, coder.number_format = fill_in, "@"
    coder.comment = Comment("Fill in your initials (or a short coder id) before importing: they are stored with "
                            "every decision and shown in the codings' evidence.", "engagement")
    _put(ws, 1, 3, "Fill in the yellow columns; see the 'read me' sheet. Do not edit the other columns.")
    letter = {name: get_column_letter(i) for i, name in enumerate(HEADERS, 1)}
    for i, (name, width, editable, _) in enumerate(COLUMNS, 1):
        cell = _put(ws, HEADER_ROW, i, name, wrap)
        cell.font = bold
        if editable:
            cell.fill = fill_in
        ws.column_dimensions[letter[name]].width = width
        ws.column_dimensions[letter[name]].hidden = name in HIDDEN
    editable_cols = {i for i, c in enumerate(COLUMNS, 1) if c[2]}
    for r, rec in enumerate(rows[HEADERS].itertuples(index=False, name=None), FIRST_ROW):
        for c, value in enumerate(rec, 1):
            cell = _put(ws, r, c, value, wrap)
            if c in editable_cols:
                cell.number_format = "@"  # typed codes stay text (no dates, no TRUE/FALSE)
    last = max(FIRST_ROW, FIRST_ROW + len(rows) - 1)
    ws.freeze_panes = f"B{FIRST_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{letter[HEADERS[-1]]}{last}"

    codes = list(book.codes)
    cb = wb.create_sheet(BOOK_SHEET)
    for c, name in enumerate(("code", "theme", "label"), 1):
        _put(cb, 1, c, name).font = bold
    for r, cid in enumerate(codes, 2):
        code = book.codes[cid]
        for c, value in enumerate((cid, code.theme, code.label), 1):
            _put(cb, r, c, value)
    meta = {"format": FORMAT, "codebook": f"{getattr(book, 'name', '')} {getattr(book, 'version', '')}".strip(),
            "area": region or "all", "order": order, "rows": str(len(rows)),
            "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    for r, (k, v) in enumerate(meta.items(), 1):
        _put(cb, r, 5, k)
        _put(cb, r, 6, v)
    cb.sheet_state = "hidden"

    # a workbook-level name for the list: every Excel version accepts it as a drop-down source
    wb.defined_names[CODE_LIST] = DefinedName(CODE_LIST, attr_text=f"{BOOK_SHEET}!$A$2:$A${len(codes) + 1}")
    dv = DataValidation(type="list", formula1=CODE_LIST, allow_blank=True,
                        showErrorMessage=True, errorTitle="Not a code",
                        error="Pick a code id from the list (see the codebook on the 'read me' sheet).",
                        promptTitle="Add a code", prompt="One code id from the codebook.", showInputMessage=True)
    dv.add(f"{letter['add_1']}{FIRST_ROW}:{letter['add_3']}{last}")
    ws.add_data_validation(dv)
    for name, verb in (("accept", "accept"), ("reject", "reject")):
        v = DataValidation(type="list", formula1='"all"', allow_blank=True, showErrorMessage=False,
                           promptTitle=name, prompt=f"'all' to {verb} every suggestion, or code ids separated by ';'",
                           showInputMessage=True)
        v.add(f"{letter[name]}{FIRST_ROW}:{letter[name]}{last}")
        ws.add_data_validation(v)

    rm = wb.create_sheet(README_SHEET)
    intro = [
        "How to use this coding sheet",
        f"1. Write your initials (or a short coder id) in cell {CODER_CELL} of the '{CODES_SHEET}' sheet: they are "
        "stored with each decision (\"coded by AB on 2026-12-01\"), so prefer initials to a full name.",
        "2. For each row, read the text (with the sentences around it) and the suggested codes.",
        "3. accept / reject the suggestions ('all', or code ids separated by ';'); add missed codes in add_1..add_3.",
        "4. Leave a row empty if you have not looked at it: it is not imported.",
        "5. You may sort and filter the rows; do not edit segment_id or text, and keep the two header rows.",
        "6. Save as .xlsx and run: engagement sheet import FILE",
        "The import checks every cell first and stops at the first problem, naming its row and column; "
        "nothing is stored until the whole sheet is valid.",
        "The text is de-identified: speakers are pseudonymous ids. Keep the file in the project's processed folder.",
    ]
    for r, line in enumerate(intro, 1):
        _put(rm, r, 1, line).font = bold if r == 1 else Font()
    r = len(intro) + 2
    for c, name in enumerate(("column", "what it holds / what to do"), 1):
        _put(rm, r, c, name).font = bold
    for name, _, editable, text in COLUMNS:
        r += 1
        _put(rm, r, 1, name)
        _put(rm, r, 2, text + (" (yours to fill in)" if editable else ""), wrap)
    r += 2
    for c, name in enumerate(("code", "theme", "label", "definition"), 1):
        _put(rm, r, c, name).font = bold
    for cid in codes:
        r += 1
        code = book.codes[cid]
        for c, value in enumerate((cid, code.theme, code.label, code.definition), 1):
            _put(rm, r, c, value, wrap)
    for col, width in zip("ABCD", (24, 80, 34, 80)):
        rm.column_dimensions[col].width = width
    wb.properties.creator = "engagement"
    wb.active = 0
    return wb


def _ordered(rows: pd.DataFrame, segments: pd.DataFrame, cfg: Config, order: str) -> pd.DataFrame:
    if order != "active":
        return rows
    try:
        from engagement.coding.learn import rank_for_labelling
    except ImportError:
        print("note: active order is not available yet (engagement.coding.learn.rank_for_labelling); "
              "using session order")
        return rows
    ranked = [str(s) for s in rank_for_labelling(segments[segments["segment_id"].isin(rows["segment_id"])],
                                                 human.load_human_codings(cfg), cfg)]
    pos = {sid: i for i, sid in enumerate(dict.fromkeys(ranked))}
    # segments the ranking leaves out keep their session order after the ranked ones
    key = rows["segment_id"].map(lambda s: pos.get(s, len(pos)))
    return rows.assign(_k=key.to_numpy()).sort_values("_k", kind="stable").drop(columns="_k")


def export_sheet(cfg: Config, output: Path | None = None, *, region: str | None = None, order: str = "session",
                 limit: int | None = None, codebook=None) -> tuple[Path, int]:
    """Write a coding sheet for one area (or all) and return its path and number of rows.

    Default path: ``processed/sheets/coding-<area or all>.xlsx`` (owner-only, like every processed file).
    """
    from engagement.io import atomic_write_bytes, read_table

    if order not in ("session", "active"):
        raise SheetError(f"unknown order '{order}': use 'session' or 'active'")
    if limit is not None and limit < 1:
        raise SheetError(f"--limit must be at least 1, got {limit}")
    if region is not None and region != "all":
        name = cfg.canonical_region(region)
        if name is None:
            raise SheetError(f"unknown area '{region}'; configured: {', '.join(cfg.regions)}")
        region = name
    else:
        region = None
    segments = read_table("segments", cfg.table_path("segments"))
    codings = read_table("codings", cfg.table_path("codings"))
    stance = read_table("stance", cfg.table_path("stance")) if cfg.table_path("stance").is_file() else None
    if region is not None:
        segments = segments[segments["region"] == region]
    rows = _ordered(sheet_rows(segments, codings, stance), segments, cfg, order)
    if limit is not None:
        rows = rows.head(limit)
    wb = build_workbook(rows, _codebook(cfg, codebook), region=region, order=order)
    if output is None:
        output = cfg.processed_dir / "sheets" / f"coding-{region or 'all'}.xlsx"
        for folder in (cfg.processed_dir, output.parent):
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(output, buf.getvalue())
    return Path(output), len(rows)


# ------------------------------------------------------------------ import

@dataclass
class SheetDecisions:
    """What a valid sheet says: decisions (the human store's columns), the coder, rows with decisions."""

    decisions: pd.DataFrame
    coder: str
    rows: int
    notes_without_codes: int = 0


def _text(cell, path: Path, row: int, column: str) -> str:
    value = cell.value
    if cell.data_type == "f":
        raise SheetError(f"{_where(path, row, column)}: a formula ({value}); type the value instead")
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
            raise SheetError(f"{_where(path, row, column)}: unknown code '{tok}'{hint}")
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


def read_sheet(path: Path, segments: pd.DataFrame, book, *, coder: str | None = None) -> SheetDecisions:
    """Check every cell of a filled-in coding sheet and return its decisions; raise on the first problem.

    Raises:
        SheetError: naming file, sheet, row and column: an unknown code, an edited text, a segment
            that no longer exists or whose text changed, two codes in an add_ cell, a code both
            accepted and rejected (or added and rejected), a missing coder name.
    """
    from openpyxl import load_workbook

    path = Path(path)
    try:
        wb = load_workbook(path, data_only=False)
    except FileNotFoundError:
        raise SheetError(f"{path}: file not found") from None
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a non-xlsx file
        raise SheetError(f"{path.name}: not an xlsx workbook ({exc.__class__.__name__})") from None
    if CODES_SHEET not in wb.sheetnames:
        raise SheetError(f"{path.name}: no sheet '{CODES_SHEET}'; is this a sheet from 'engagement sheet export'?")
    ws = wb[CODES_SHEET]
    col: dict[str, int] = {}
    for c in range(1, ws.max_column + 1):
        v = ws.cell(row=HEADER_ROW, column=c).value
        if isinstance(v, str) and v.strip() in HEADERS:
            col.setdefault(v.strip(), c)
    missing = [h for h in HEADERS if h not in col]
    if missing:
        raise SheetError(f"{_where(path, HEADER_ROW)}: header column(s) missing: {', '.join(missing)}")
    coder = (coder or "").strip() or _text(ws[CODER_CELL], path, 1, "coder")
    if not coder:
        raise SheetError(f"{_where(path, 1, 'coder')}: missing coder name; fill in cell {CODER_CELL} or pass --coder")
    known = {cid: c.theme for cid, c in book.codes.items()}
    current = dict(zip(segments["segment_id"].astype(str), segments["text"].astype(str)))
    seen: dict[str, int] = {}
    out: list[dict] = []
    rows = notes_only = 0
    for r in range(FIRST_ROW, ws.max_row + 1):
        cell = {h: _text(ws.cell(row=r, column=col[h]), path, r, h) for h in HEADERS}
        if not any(cell.values()):
            continue
        sid = cell["segment_id"]
        if not sid:
            raise SheetError(f"{_where(path, r, 'segment_id')}: empty; this row cannot be matched to a segment")
        if sid in seen:
            raise SheetError(f"{_where(path, r, 'segment_id')}: segment '{sid}' is also on row {seen[sid]}")
        seen[sid] = r
        sheet_text = _cell_text(ws.cell(row=r, column=col["text"]).value)
        if not re.fullmatch(r"[0-9a-f]{64}", cell["text_hash"]):
            raise SheetError(f"{_where(path, r, 'text_hash')}: missing or damaged; re-export the sheet")
        if human.text_hash(sheet_text) != cell["text_hash"]:
            raise SheetError(f"{_where(path, r, 'text')}: the segment text was edited; restore it (codes apply to "
                             "the text as exported)")
        acc_all, acc = _choice(cell["accept"], known, path, r, "accept")
        rej_all, rej = _choice(cell["reject"], known, path, r, "reject")
        adds = []
        for name in ONE_CODE:
            codes = _codes(cell[name], known, path, r, name)
            if len(codes) > 1:
                raise SheetError(f"{_where(path, r, name)}: two codes in a cell that takes one "
                                 f"('{' '.join(cell[name].split())}'); put the second in another add_ column")
            adds += codes
        if acc_all and rej_all:
            raise SheetError(f"{_where(path, r, 'reject')}: every suggestion is both accepted and rejected ('all')")
        for code in rej:
            if code in acc:
                raise SheetError(f"{_where(path, r, 'reject')}: code '{code}' is both accepted and rejected")
        for name in ONE_CODE:
            for code in _codes(cell[name], known, path, r, name):
                if code in rej:
                    raise SheetError(f"{_where(path, r, name)}: code '{code}' is both added and rejected")
        suggested = [s for s in _SPLIT.split(cell["suggested_ids"].lower()) if s]
        if acc_all:
            acc = [s for s in suggested if s not in rej]
        if rej_all:
            rej = [s for s in suggested if s not in acc and s not in adds]
        if not (acc or rej or adds):
            notes_only += bool(cell["note"])
            continue
        if sid not in current:
            raise SheetError(f"{_where(path, r, 'segment_id')}: segment '{sid}' no longer exists (re-segmented or "
                             "withdrawn since the export); delete this row or export a new sheet")
        now = human.text_hash(current[sid])
        if now != cell["text_hash"] and human.text_hash(_cell_text(current[sid])) != cell["text_hash"]:
            raise SheetError(f"{_where(path, r, 'text')}: the segment's text has changed since the export "
                             "(prepare was re-run); export a new sheet for it")
        rows += 1
        decided = [(c, "accept" if c in suggested else "add") for c in dict.fromkeys(acc + adds)]
        decided += [(c, "reject") for c in rej if c not in acc and c not in adds]
        for code, decision in decided:
            if code not in known:  # an unknown suggested id in a hidden column (a different codebook)
                raise SheetError(f"{_where(path, r, 'suggested_ids')}: unknown code '{code}' "
                                 "(the codebook changed since the export); export a new sheet")
            out.append({"segment_id": sid, "code": code, "theme": known[code], "decision": decision,
                        "coder": coder, "coded_at": "", "text_hash": now, "note": cell["note"], "sheet": path.name})
    table = pd.DataFrame(out, columns=human.HUMAN_COLUMNS)
    return SheetDecisions(table, coder, rows, notes_only)


def import_sheet(cfg: Config, path: Path, *, coder: str | None = None, codebook=None,
                 coded_at: str | None = None) -> tuple[SheetDecisions, pd.DataFrame]:
    """Read and check a sheet, then merge its decisions into the human store (nothing written on error).

    Returns:
        (the sheet's decisions, the whole store after the merge).
    """
    from engagement.io import read_table

    segments = read_table("segments", cfg.table_path("segments"))
    result = read_sheet(path, segments, _codebook(cfg, codebook), coder=coder)
    stamp = coded_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
    result.decisions["coded_at"] = stamp
    store = human.record_decisions(cfg, result.decisions) if len(result.decisions) else human.load_human_codings(cfg)
    return result, store


# ------------------------------------------------------------------ CLI

def _load_config(args) -> Config:
    # the CLI's own loader (engagement.cli._config) lives in a driver, which a stage must not import
    from engagement.config import load_config

    overrides = {"segmentation": "fast"} if getattr(args, "fast", False) else {}
    return load_config(getattr(args, "config", None), **overrides)


def cmd_export(args) -> int:
    """``engagement sheet export [-o FILE] [--region R] [--order session|active] [--limit N]``."""
    cfg = _load_config(args)
    path, n = export_sheet(cfg, getattr(args, "output", None), region=getattr(args, "region", None),
                           order=getattr(args, "order", "session"), limit=getattr(args, "limit", None))
    print(f"wrote coding sheet {path} ({n} segments)")
    return 0


def cmd_import(args) -> int:
    """``engagement sheet import FILE [--coder NAME]``."""
    cfg = _load_config(args)
    result, store = import_sheet(cfg, args.file, coder=getattr(args, "coder", None))
    counts = result.decisions["decision"].value_counts()
    print(f"imported {Path(args.file).name} (coder {result.coder}): {result.rows} segments, "
          f"{counts.get('accept', 0)} accepted, {counts.get('add', 0)} added, {counts.get('reject', 0)} rejected; "
          f"{len(store)} decisions in {human.store_path(cfg)}")
    if result.notes_without_codes:
        print(f"note: {result.notes_without_codes} row(s) have a note but no codes; their notes were not stored")
    return 0
