"""A coding sheet (xlsx): check the autocoder's suggestions in Excel and bring the decisions back.

:func:`export_sheet` writes one row per participant or respondent segment: who spoke (the
pseudonymous participant id, never a name), the area and kind of session, the sentence with the
sentences before and after it in the same turn, the suggested codes (rule and semantic layer, with
their evidence and score) and the suggested stance; then the researcher's columns: ``accept`` and
``reject`` ("all", or code ids separated by ";"), ``add_1``..``add_3`` (one code each, from a
drop-down of the codebook's ids, listed in a hidden ``codebook`` sheet), ``reviewed`` ("yes": read,
and the codes not accepted or added do not apply) and ``note``. The coder's initials go in cell B1.
A hidden column keeps the sha256 of each row's text, so an edited text is caught on the way back.
Every value is written as text (data type "s", with Excel's quote prefix when it starts with =, +,
-, @, a tab or a carriage return): a sentence starting with "=" stays a sentence, never a formula.

:func:`read_sheet` (in :mod:`engagement.coding.sheet_checks`, with the layout) checks every cell
before anything is written and stops at the first problem, naming the file, sheet, row and column;
:func:`import_sheet` then merges the decisions into the store of :mod:`engagement.coding.human`,
which the code stage turns into ``human`` codings. :func:`cmd_prune` removes the stored decisions
that no longer apply (:func:`engagement.coding.human.prune_stale`).

Example:
    >>> export_sheet(cfg, Path("coding-Essex.xlsx"), region="Essex")      # doctest: +SKIP
    >>> import_sheet(cfg, Path("coding-Essex.xlsx"))                      # doctest: +SKIP
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from engagement.coding import human
from engagement.coding.sheet_checks import (  # noqa: F401  (the sheet's layout and checks, re-exported)
    BOOK_SHEET, CODER_CELL, CODES_SHEET, COLUMNS, FIRST_ROW, FORMAT, HEADER_ROW, HEADERS, HIDDEN, ONE_CODE,
    README_SHEET, SheetDecisions, SheetError, cell_text, read_sheet,
)
from engagement.config import Config
from engagement.io import FORMULA_START

CODE_LIST = "code_ids"                    # the defined name of the codebook's id list (the add_ drop-downs)
PARTICIPANT_ROLES = ("participant", "respondent")
SUGGESTION_SOURCES = ("rule", "semantic")
EVIDENCE_CHARS = 80


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
    for col in ("accept", "reject", "add_1", "add_2", "add_3", "reviewed", "note"):
        out[col] = ""
    out["text_hash"] = out["text"].map(lambda t: human.text_hash(cell_text(t)))
    out["suggested_ids"] = out["segment_id"].map(lambda s: ";".join(ids.get(s, [])))
    order = seg[["session_id", "turn_index", "start_char"]].assign(_i=range(len(seg)))
    out = out.iloc[order.sort_values(["session_id", "turn_index", "start_char", "_i"])["_i"].to_numpy()]
    return out[HEADERS].reset_index(drop=True)


def _put(ws, row: int, col: int, value, style=None):
    """Write ``value`` as text: never a formula, even when it starts with =, +, - or @."""
    cell = ws.cell(row=row, column=col)
    text = cell_text(value)
    if text:
        cell.value = text
        cell.data_type = "s"         # openpyxl would otherwise store "=..." as a formula
        if text.startswith(FORMULA_START):
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
                        error="Pick a code id from the list (see the 'codebook' sheet).",
                        promptTitle="Add a code", prompt="One code id from the codebook.", showInputMessage=True)
    dv.add(f"{letter['add_1']}{FIRST_ROW}:{letter['add_3']}{last}")
    ws.add_data_validation(dv)
    v = DataValidation(type="list", formula1='"yes,no"', allow_blank=True, showErrorMessage=True,
                       errorTitle="reviewed", error="yes once you have read this row, or leave it empty",
                       promptTitle="reviewed", prompt="yes: read; the codes you did not accept or add do not apply",
                       showInputMessage=True)
    v.add(f"{letter['reviewed']}{FIRST_ROW}:{letter['reviewed']}{last}")
    ws.add_data_validation(v)
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
        "4. When a row is done, set reviewed to yes: the codes you did not accept or add then count as not "
        "applying, which teaches the model as much as a code does. A row with no code at all needs it; a row "
        "where you accepted, rejected or added a code counts as reviewed anyway.",
        "5. Leave a row empty if you have not looked at it: it is not imported.",
        "6. You may sort and filter the rows; do not edit segment_id or text, and keep the two header rows.",
        "7. Save as .xlsx and run: engagement sheet import FILE",
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
    from engagement.coding.active import rank_for_labelling

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
    print(f"imported {Path(args.file).name} (coder {result.coder}): {result.rows} segments reviewed "
          f"({result.reviewed_without_codes} with no code), {counts.get('accept', 0)} accepted, "
          f"{counts.get('add', 0)} added, {counts.get('reject', 0)} rejected; "
          f"{len(store)} decisions in {human.store_path(cfg)}")
    if result.notes_without_codes:
        print(f"note: {result.notes_without_codes} row(s) have a note but no codes and no reviewed mark; "
              "their notes were not stored")
    return 0


def cmd_prune(args) -> int:
    """``engagement sheet prune [--dry-run]``: remove decisions on vanished or changed segments (saved as CSV)."""
    cfg = _load_config(args)
    print(human.prune_stale(cfg, dry_run=bool(getattr(args, "dry_run", False))).line())
    return 0
