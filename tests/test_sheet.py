"""The coding sheet round trip: export to xlsx, fill it in as a researcher would, import it back.

Every table is made by hand (no spaCy model, no MiniLM): a focus group with a facilitator and two
participants, an interview and a survey answer, some of whose sentences start like formulas.
"""

from __future__ import annotations

import types
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from engagement.coding import human
from engagement.coding.run import add_human_codings
from engagement.coding.sheet import CODER_CELL, FIRST_ROW, HEADER_ROW, HEADERS, SheetError, export_sheet, import_sheet
from engagement.config import load_config
from engagement.io import read_table, write_table
from tests.conftest import write_project

# (segment_id, session, turn, participant, role, region, kind, text)
SEGMENTS = [
    ("ESX-FG1-T0000-S00", "ESX-FG1", 0, "ESX-FG1-F1", "facilitator", "Essex", "focus_group",
     "What do you think about sharing records?"),
    ("ESX-FG1-T0001-S00", "ESX-FG1", 1, "ESX-FG1-P01", "participant", "Essex", "focus_group",
     "I'm happy for the hospital to see it."),
    ("ESX-FG1-T0001-S01", "ESX-FG1", 1, "ESX-FG1-P01", "participant", "Essex", "focus_group",
     "=SUM(A1:A3) is what they'd charge, and then they'd sell it on."),
    ("ESX-FG1-T0001-S02", "ESX-FG1", 1, "ESX-FG1-P01", "participant", "Essex", "focus_group",
     "But I want to be able to opt out."),
    ("ESX-FG1-T0002-S00", "ESX-FG1", 2, "ESX-FG1-P02", "participant", "Essex", "focus_group",
     "+44 numbers ring me all the time, [PERSON_1] says the same."),
    ("ESX-FG1-T0002-S01", "ESX-FG1", 2, "ESX-FG1-P02", "participant", "Essex", "focus_group",
     "-- hackers worry me most, and who controls it."),
    ("NFK-INT1-T0001-S00", "NFK-INT1", 1, "NFK-INT1-P01", "participant", "Norfolk", "interview",
     "@NHS should tell us how the data is used."),
    ("SURVEY-R0001-Q2-S00", "SURVEY", 0, "SURVEY-R0001", "respondent", "Essex", "survey",
     "They will sell it to drug companies."),
]
# (segment_id, code, theme, source, evidence, score)
CODINGS = [
    ("ESX-FG1-T0001-S01", "commercial_selling", "commercial", "rule", "sell it on", 0.85),
    ("ESX-FG1-T0001-S02", "consent_optout", "consent", "rule", "opt out", 1.0),
    ("ESX-FG1-T0002-S01", "security_breach", "security", "rule", "hackers", 0.9),
    ("ESX-FG1-T0002-S01", "consent_control", "consent", "semantic", '≈ "I want a say in who sees my notes." (0.41)', 0.3),
    ("ESX-FG1-T0002-S01", "topic_3", "security", "topic", "hack_leak_breach", 0.7),
    ("SURVEY-R0001-Q2-S00", "commercial_selling", "commercial", "rule", "sell", 0.85),
    ("SURVEY-R0001-Q2-S00", "commercial_companies", "commercial", "rule", "drug companies", 0.9),
]
NAMES = ("Sarah", "Jenkins", "Tomasz", "Nowak")   # the names in the fixture's participants.csv


def segments_table(rows=SEGMENTS) -> pd.DataFrame:
    out = []
    for sid, session, turn, pid, role, region, kind, text in rows:
        toks = text.split()
        out.append(dict(segment_id=sid, session_id=session, turn_index=turn, participant_id=pid, role=role,
                        region=region, kind=kind, text=text, tokens=" ".join(toks),
                        lemmas=" ".join(t.lower() for t in toks), start_char=int(sid[-2:]) * 100,
                        end_char=int(sid[-2:]) * 100 + len(text), n_words=len(toks)))
    return pd.DataFrame(out)


def codings_table() -> pd.DataFrame:
    return pd.DataFrame(CODINGS, columns=["segment_id", "code", "theme", "source", "evidence", "score"])


@pytest.fixture
def cfg(tmp_path):
    root = write_project(tmp_path / "project")
    cfg = load_config(root / "engagement.yaml")
    segs = segments_table()
    write_table(segs, "segments", cfg.table_path("segments"))
    write_table(codings_table(), "codings", cfg.table_path("codings"))
    stance = pd.DataFrame({"segment_id": segs["segment_id"], "stance": "neutral", "score": 0.5, "cues": ""})
    stance.loc[stance["segment_id"] == "ESX-FG1-T0002-S01", ["stance", "cues"]] = ["concern", "worry"]
    write_table(stance, "stance", cfg.table_path("stance"))
    return cfg


def rows_by_id(ws) -> dict[str, int]:
    col = HEADERS.index("segment_id") + 1
    return {ws.cell(row=r, column=col).value: r for r in range(FIRST_ROW, ws.max_row + 1)}


def fill(path: Path, cells: dict[str, dict[str, str]], coder: str | None = "AB", out: Path | None = None) -> Path:
    """Fill a sheet as a researcher would: the coder cell, then {segment_id: {column: value}}."""
    wb = load_workbook(path)
    ws = wb["codes"]
    if coder is not None:
        ws[CODER_CELL] = coder
    where = rows_by_id(ws)
    for sid, values in cells.items():
        for name, value in values.items():
            ws.cell(row=where[sid], column=HEADERS.index(name) + 1).value = value   # None clears the cell
    out = out or path
    wb.save(out)
    return out


def sheet_values(path: Path) -> pd.DataFrame:
    ws = load_workbook(path)["codes"]
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=FIRST_ROW, max_col=len(HEADERS))]
    return pd.DataFrame(data, columns=HEADERS).fillna("")


ROUND_TRIP = {
    "ESX-FG1-T0001-S01": {"accept": "all"},
    "ESX-FG1-T0001-S02": {"accept": "consent_optout", "add_1": "consent_control", "note": "clear opt-out wish"},
    "ESX-FG1-T0002-S01": {"accept": "security_breach", "reject": "consent_control"},
    "SURVEY-R0001-Q2-S00": {"reject": "all", "add_2": "commercial_charging"},
}


# ------------------------------------------------------------------ export

def test_export_has_one_row_per_participant_segment_with_context_suggestions_and_hidden_hash(cfg):
    path, n = export_sheet(cfg)
    assert path == cfg.processed_dir / "sheets" / "coding-all.xlsx" and n == 7
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    rows = sheet_values(path).set_index("segment_id")
    assert "ESX-FG1-T0000-S00" not in rows.index                     # the facilitator is not coded
    mid = rows.loc["ESX-FG1-T0001-S01"]
    assert (mid["speaker"], mid["area"], mid["kind"]) == ("ESX-FG1-P01", "Essex", "focus_group")
    assert mid["context_before"] == "I'm happy for the hospital to see it."
    assert mid["context_after"] == "But I want to be able to opt out."
    assert rows.loc["ESX-FG1-T0001-S00", "context_before"] == ""     # a turn's first sentence
    assert rows.loc["ESX-FG1-T0002-S00", "context_before"] == ""     # never the other speaker's sentence
    assert mid["suggested"] == "commercial_selling (rule: 'sell it on'; 0.85)"
    both = rows.loc["ESX-FG1-T0002-S01", "suggested"].split("\n")
    assert both[0] == "security_breach (rule: 'hackers'; 0.90)" and both[1].startswith("consent_control (semantic: ")
    assert "topic_3" not in rows.loc["ESX-FG1-T0002-S01", "suggested"]   # topics are not suggestions
    assert rows.loc["ESX-FG1-T0002-S01", "suggested_ids"] == "security_breach;consent_control"
    assert rows.loc["ESX-FG1-T0002-S01", "stance"] == "concern (worry)"
    assert mid["text_hash"] == human.text_hash(mid["text"])
    assert list(rows.index)[:3] == ["ESX-FG1-T0001-S00", "ESX-FG1-T0001-S01", "ESX-FG1-T0001-S02"]


def test_the_sheet_is_laid_out_for_excel_with_drop_downs_from_a_hidden_codebook(cfg):
    path, _ = export_sheet(cfg)
    wb = load_workbook(path)
    assert wb.sheetnames == ["codes", "codebook", "read me"]
    ws, book = wb["codes"], wb["codebook"]
    assert [c.value for c in ws[HEADER_ROW]] == HEADERS
    assert ws.freeze_panes == f"B{FIRST_ROW}" and ws[CODER_CELL].value is None
    assert ws.cell(row=FIRST_ROW, column=HEADERS.index("text") + 1).alignment.wrap_text
    assert ws.column_dimensions["F"].width >= 50                       # the text column is wide
    hidden = [HEADERS[i] for i in range(len(HEADERS)) if ws.column_dimensions[chr(65 + i)].hidden]
    assert hidden == ["text_hash", "suggested_ids"]
    assert book.sheet_state == "hidden"
    codes = [c.value for c in book["A"][1:] if c.value]
    assert "consent_optout" in codes and len(codes) >= 30
    lists = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    adds = lists[f"L{FIRST_ROW}:N{FIRST_ROW + 6}"]
    assert adds.type == "list" and adds.formula1 == "code_ids" and adds.showErrorMessage
    assert wb.defined_names["code_ids"].attr_text == f"codebook!$A$2:$A${len(codes) + 1}"
    assert not adds.showDropDown                                      # (True would hide the arrow in Excel)
    assert lists[f"J{FIRST_ROW}:J{FIRST_ROW + 6}"].formula1 == '"all"'
    assert lists[f"O{FIRST_ROW}:O{FIRST_ROW + 6}"].formula1 == '"yes,no"' and HEADERS[14] == "reviewed"
    assert book["E1"].value == "format" and book["F1"].value == "engagement coding sheet 2"
    readme = " ".join(str(c.value) for row in wb["read me"].iter_rows() for c in row if c.value)
    for name in ("accept", "reject", "add_1", "reviewed", "note", "context_before", CODER_CELL):
        assert name in readme


def test_formula_like_text_is_written_as_text_never_as_a_formula(cfg):
    path, _ = export_sheet(cfg)
    ws = load_workbook(path)["codes"]
    where, col = rows_by_id(ws), HEADERS.index("text") + 1
    for sid, start in (("ESX-FG1-T0001-S01", "="), ("ESX-FG1-T0002-S00", "+"), ("ESX-FG1-T0002-S01", "-"),
                       ("NFK-INT1-T0001-S00", "@")):
        cell = ws.cell(row=where[sid], column=col)
        assert cell.data_type == "s" and cell.value.startswith(start) and cell.quotePrefix
    context = ws.cell(row=where["ESX-FG1-T0001-S00"], column=HEADERS.index("context_after") + 1)
    assert context.data_type == "s" and context.value.startswith("=SUM")
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")     # OWASP's CSV-injection list


def assert_no_formula(path: Path):
    """No cell of any sheet is a formula, and every value is a string (data type 's')."""
    wb = load_workbook(path)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    if str(c.value)[:1] in FORMULA_STARTS:
                        assert c.quotePrefix, (ws.title, c.coordinate, c.value)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name


def test_every_cell_of_every_sheet_is_text_whatever_it_starts_with(tmp_path):
    from engagement.coding.sheet import build_workbook

    rows = pd.DataFrame([{h: f"{start}{h} 1+1" for h in HEADERS} for start in FORMULA_STARTS])
    code = types.SimpleNamespace(theme="@theme", label="-label", definition="\tdefinition")
    book = types.SimpleNamespace(name="=book", version="+1", codes={"=cmd|' /C calc'!A0": code, "+code": code})
    wb = build_workbook(rows, book, region="=Essex", order="session")
    wb.save(tmp_path / "f.xlsx")
    assert_no_formula(tmp_path / "f.xlsx")
    ws = load_workbook(tmp_path / "f.xlsx")["codes"]
    got = [[ws.cell(row=FIRST_ROW + i, column=c).value for c in range(1, len(HEADERS) + 1)]
           for i in range(len(FORMULA_STARTS))]
    assert got == rows.values.tolist()                                 # and read back exactly as written


def test_text_neighbours_evidence_and_cues_starting_like_formulas_round_trip_as_text(cfg):
    rows = [("ESX-FG1-T0005-S00", "ESX-FG1", 5, "ESX-FG1-P02", "participant", "Essex", "focus_group",
             "\t=HYPERLINK(\"http://x\") they'd sell it on."),
            ("ESX-FG1-T0005-S01", "ESX-FG1", 5, "ESX-FG1-P02", "participant", "Essex", "focus_group",
             "\r+1 for opting out, @everyone agrees.")]
    write_table(segments_table(SEGMENTS + rows), "segments", cfg.table_path("segments"))
    extra = pd.DataFrame([("ESX-FG1-T0005-S00", "commercial_selling", "commercial", "rule", "=sell it on", 0.85),
                          ("ESX-FG1-T0005-S01", "consent_optout", "consent", "semantic", "-opting out", 0.5)],
                         columns=codings_table().columns)
    write_table(pd.concat([codings_table(), extra], ignore_index=True), "codings", cfg.table_path("codings"))
    path, _ = export_sheet(cfg)
    assert_no_formula(path)
    got = sheet_values(path).set_index("segment_id")
    assert got.loc["ESX-FG1-T0005-S00", "text"] == rows[0][-1]
    assert got.loc["ESX-FG1-T0005-S01", "context_before"] == rows[0][-1]
    assert got.loc["ESX-FG1-T0005-S00", "context_after"] == rows[1][-1]
    assert "(rule: '=sell it on'; 0.85)" in got.loc["ESX-FG1-T0005-S00", "suggested"]
    fill(path, {"ESX-FG1-T0005-S00": {"accept": "all"}, "ESX-FG1-T0005-S01": {"accept": "all"}})
    # Excel saves a carriage return as _x000D_ (openpyxl reads it back as is): not an edit
    row = rows_by_id(load_workbook(path)["codes"])["ESX-FG1-T0005-S01"]
    edit_workbook(path, lambda wb: setattr(wb["codes"].cell(row=row, column=HEADERS.index("text") + 1), "value",
                                           rows[1][-1].replace("\r", "_x000D_")))
    _, store = import_sheet(cfg, path)                                 # the hidden hash still matches
    assert {("ESX-FG1-T0005-S00", "commercial_selling"), ("ESX-FG1-T0005-S01", "consent_optout")} <= set(
        zip(store["segment_id"], store["code"]))


def test_the_speaker_is_the_pseudonymous_id_and_no_name_appears(cfg):
    path, _ = export_sheet(cfg)
    segs = read_table("segments", cfg.table_path("segments"))
    rows = sheet_values(path)
    assert set(rows["speaker"]) <= set(segs["participant_id"])
    wb = load_workbook(path)
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    text += wb.properties.creator or ""
    for name in NAMES:
        assert name not in text


def test_region_limit_and_output_path(cfg, tmp_path):
    path, n = export_sheet(cfg, region="essex", limit=2)
    assert path.name == "coding-Essex.xlsx" and n == 2
    assert list(sheet_values(path)["segment_id"]) == ["ESX-FG1-T0001-S00", "ESX-FG1-T0001-S01"]
    path, n = export_sheet(cfg, tmp_path / "nfk.xlsx", region="Norfolk")
    assert path == tmp_path / "nfk.xlsx" and list(sheet_values(path)["segment_id"]) == ["NFK-INT1-T0001-S00"]
    with pytest.raises(SheetError, match="unknown area 'Kent'"):
        export_sheet(cfg, region="Kent")


def test_active_order_puts_the_ranked_segments_first(cfg, monkeypatch):
    seen = {}

    def rank_for_labelling(segments, human_codings, config):
        seen["n"], seen["store"] = len(segments), list(human_codings.columns)
        return ["SURVEY-R0001-Q2-S00", "NFK-INT1-T0001-S00"]

    import engagement.coding.active

    monkeypatch.setattr(engagement.coding.active, "rank_for_labelling", rank_for_labelling)
    path, _ = export_sheet(cfg, order="active", limit=3)
    assert list(sheet_values(path)["segment_id"]) == ["SURVEY-R0001-Q2-S00", "NFK-INT1-T0001-S00",
                                                       "ESX-FG1-T0001-S00"]
    assert seen == {"n": 7, "store": human.HUMAN_COLUMNS}


# ------------------------------------------------------------------ import

def test_round_trip_stores_accepted_added_and_rejected_codes_and_the_code_stage_merges_them(cfg):
    path, _ = export_sheet(cfg)
    fill(path, ROUND_TRIP)
    result, store = import_sheet(cfg, path, coded_at="2026-12-01T10:00:00+00:00")
    assert result.rows == 4 and result.coder == "AB"
    got = set(zip(store["segment_id"], store["code"], store["decision"]))
    assert got == {
        ("ESX-FG1-T0001-S01", "commercial_selling", "accept"),
        ("ESX-FG1-T0001-S02", "consent_optout", "accept"), ("ESX-FG1-T0001-S02", "consent_control", "add"),
        ("ESX-FG1-T0002-S01", "security_breach", "accept"), ("ESX-FG1-T0002-S01", "consent_control", "reject"),
        ("SURVEY-R0001-Q2-S00", "commercial_selling", "reject"),
        ("SURVEY-R0001-Q2-S00", "commercial_companies", "reject"),
        ("SURVEY-R0001-Q2-S00", "commercial_charging", "add"),
    } | {(sid, "-", "reviewed") for sid in ROUND_TRIP}                  # every row with a decision was read
    assert set(store["coder"]) == {"AB"} and set(store["sheet"]) == {"coding-all.xlsx"}
    segs = read_table("segments", cfg.table_path("segments"))
    assert (store["text_hash"] == store["segment_id"].map(dict(zip(segs["segment_id"], segs["text"].map(human.text_hash))))).all()
    assert store.set_index(["segment_id", "code"]).loc[("ESX-FG1-T0001-S02", "consent_control"), "note"] == "clear opt-out wish"
    assert human.load_human_codings(cfg).equals(store)                # written, and read back the same

    codings, summary = add_human_codings(codings_table(), segs, cfg)
    mine = codings[codings["source"] == "human"]
    assert set(zip(mine["segment_id"], mine["code"])) == {
        ("ESX-FG1-T0001-S01", "commercial_selling"), ("ESX-FG1-T0001-S02", "consent_optout"),
        ("ESX-FG1-T0001-S02", "consent_control"), ("ESX-FG1-T0002-S01", "security_breach"),
        ("SURVEY-R0001-Q2-S00", "commercial_charging")}                # rejections never become codings
    assert set(mine["evidence"]) == {"coded by AB on 2026-12-01"} and set(mine["score"]) == {1.0}
    assert summary == {"human_codings": 5, "human_stale": []}
    assert len(codings) == len(CODINGS) + 5


def test_the_coder_option_overrides_the_cell_and_a_later_sheet_changes_a_decision(cfg, tmp_path):
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S02": {"accept": "all"}}, out=tmp_path / "first.xlsx")
    import_sheet(cfg, tmp_path / "first.xlsx", coded_at="2026-12-01T10:00:00+00:00")
    fill(path, {"ESX-FG1-T0001-S02": {"reject": "consent_optout"}}, out=tmp_path / "second.xlsx")
    _, store = import_sheet(cfg, tmp_path / "second.xlsx", coded_at="2026-12-02T10:00:00+00:00")
    assert store[["code", "decision", "coder"]].values.tolist() == [["-", "reviewed", "AB"],
                                                                     ["consent_optout", "reject", "AB"]]
    _, store = import_sheet(cfg, tmp_path / "first.xlsx", coder="CD", coded_at="2026-12-03T10:00:00+00:00")
    assert sorted(map(tuple, store[["coder", "decision"]].values.tolist())) == [
        ("AB", "reject"), ("AB", "reviewed"), ("CD", "accept"), ("CD", "reviewed")]


def test_empty_rows_and_a_yes_are_understood(cfg):
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0002-S01": {"accept": "Yes", "reject": "consent_control"},
                "ESX-FG1-T0001-S00": {"note": "nothing to code"}})
    result, store = import_sheet(cfg, path)
    assert store[["code", "decision"]].values.tolist() == [["-", "reviewed"], ["consent_control", "reject"],
                                                           ["security_breach", "accept"]]
    assert result.notes_without_codes == 1


BAD_CELLS = [
    ({"ESX-FG1-T0001-S02": {"add_1": "consnet_optout"}}, "ESX-FG1-T0001-S02", "add_1",
     "unknown code 'consnet_optout' (did you mean 'consent_optout'?)"),
    ({"ESX-FG1-T0001-S02": {"accept": "consent_optout; opt_out_all"}}, "ESX-FG1-T0001-S02", "accept",
     "unknown code 'opt_out_all'"),
    ({"ESX-FG1-T0001-S01": {"text": "SUM(A1:A3) is what they'd charge.", "accept": "all"}}, "ESX-FG1-T0001-S01",
     "text", "the segment text was edited"),
    ({"ESX-FG1-T0001-S02": {"add_2": "consent_control\nconsent_optout"}}, "ESX-FG1-T0001-S02", "add_2",
     "two codes in a cell that takes one ('consent_control consent_optout')"),
    ({"ESX-FG1-T0002-S01": {"accept": "security_breach;consent_control", "reject": "consent_control"}},
     "ESX-FG1-T0002-S01", "reject", "code 'consent_control' is both accepted and rejected"),
    ({"ESX-FG1-T0002-S01": {"reject": "security_breach", "add_3": "security_breach"}}, "ESX-FG1-T0002-S01", "add_3",
     "code 'security_breach' is both added and rejected"),
    ({"ESX-FG1-T0002-S01": {"accept": "all", "reject": "all"}}, "ESX-FG1-T0002-S01", "reject",
     "every suggestion is both accepted and rejected"),
    ({"ESX-FG1-T0002-S01": {"accept": "=A1"}}, "ESX-FG1-T0002-S01", "accept", "a formula"),
    ({"ESX-FG1-T0002-S01": {"text_hash": "0" * 12, "accept": "all"}}, "ESX-FG1-T0002-S01", "text_hash",
     "missing or damaged"),
    ({"ESX-FG1-T0001-S02": {"add_1": "consent_control", "note": '=HYPERLINK("http://x")'}}, "ESX-FG1-T0001-S02",
     "note", "a formula"),
    ({"ESX-FG1-T0001-S01": {"text": "=SUM(A1:A3) is what they'd charge, and then they'd sell it on."}},
     "ESX-FG1-T0001-S01", "text", "a formula"),
    ({"ESX-FG1-T0001-S02": {"add_1": "#REF!"}}, "ESX-FG1-T0001-S02", "add_1", "an error value (#REF!)"),
    ({"ESX-FG1-T0001-S02": {"reviewed": "maybe"}}, "ESX-FG1-T0001-S02", "reviewed", "'maybe' is not 'yes'"),
    ({"ESX-FG1-T0001-S02": {"accept": "all", "reviewed": "no"}}, "ESX-FG1-T0001-S02", "reviewed",
     "'no', but this row accepts, rejects or adds codes"),
    ({"ESX-FG1-T0001-S02": {"segment_id": "ESX-FG1-T0001-S01", "accept": "all"}}, "ESX-FG1-T0001-S01",
     "segment_id", "segment 'ESX-FG1-T0001-S01' is also on row"),
    ({"ESX-FG1-T0001-S02": {"segment_id": None, "accept": "all"}}, None, "segment_id", "empty"),
    ({"ESX-FG1-T0001-S02": {"suggested_ids": "retired_code", "accept": "all"}}, "ESX-FG1-T0001-S02",
     "suggested_ids", "unknown code 'retired_code' (the codebook changed since the export)"),
]


def store_bytes(cfg) -> bytes:
    return human.store_path(cfg).read_bytes()


@pytest.fixture
def stored(cfg):
    """A project whose store already holds one earlier decision (so 'unchanged' means something)."""
    path, _ = export_sheet(cfg, cfg.root / "earlier.xlsx")
    fill(path, {"NFK-INT1-T0001-S00": {"add_1": "transparency_informed"}}, coder="ZZ")
    import_sheet(cfg, path, coded_at="2026-11-30T09:00:00+00:00")
    return cfg


@pytest.mark.parametrize("cells, sid, column, message", BAD_CELLS,
                         ids=["unknown-add", "unknown-accept", "edited-text", "two-in-one", "accept-and-reject",
                              "add-and-reject", "all-and-all", "formula", "damaged-hash", "formula-note",
                              "formula-text", "error-value", "bad-reviewed", "reviewed-no-with-codes",
                              "duplicate-id", "empty-id", "unknown-suggested-id"])
def test_a_bad_cell_stops_the_import_naming_sheet_row_and_column_and_writes_nothing(stored, cells, sid, column,
                                                                                     message):
    cfg = stored
    before = store_bytes(cfg)
    path, _ = export_sheet(cfg)
    # a good row first: the import must not store it either
    fill(path, {"ESX-FG1-T0001-S00": {"add_1": "care_continuity"}, **cells})
    row = rows_by_id(load_workbook(path)["codes"])[sid]
    with pytest.raises(SheetError) as err:
        import_sheet(cfg, path)
    assert str(err.value).startswith(f"coding-all.xlsx, sheet 'codes', row {row}, column {column}: {message}")
    assert "\n" not in str(err.value)
    assert store_bytes(cfg) == before


def test_a_missing_coder_name_stops_the_import(stored):
    cfg = stored
    before = store_bytes(cfg)
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S01": {"accept": "all"}}, coder=None)
    with pytest.raises(SheetError, match=r"^coding-all.xlsx, sheet 'codes', row 1, column coder: missing coder name"):
        import_sheet(cfg, path)
    assert store_bytes(cfg) == before
    import_sheet(cfg, path, coder="AB")                               # --coder fills the gap
    assert store_bytes(cfg) != before


@pytest.mark.parametrize("coder, option, message", [
    ("  ", None, "row 1, column coder: missing coder name"),
    ("=A1", None, "row 1, column coder: a formula (=A1)"),
    ("AB; CD", None, "row 1, column coder: 'AB; CD' is not usable as a coder"),
    ("@AB", None, "row 1, column coder: '@AB' is not usable as a coder"),
    ("x" * 41, None, "row 1, column coder: '" + "x" * 41 + "' is not usable"),
    ("AB", "-CD", "--coder: '-CD' is not usable as a coder"),
], ids=["blank", "formula", "two-coders", "formula-like", "too-long", "bad-option"])
def test_a_blank_or_unusable_coder_stops_the_import(stored, coder, option, message):
    cfg = stored
    before = store_bytes(cfg)
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S01": {"accept": "all"}}, coder=coder)
    with pytest.raises(SheetError) as err:
        import_sheet(cfg, path, coder=option)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith("--coder" if option else "coding-all.xlsx, sheet 'codes', row 1, column coder")
    assert store_bytes(cfg) == before


def test_initials_with_accents_dots_and_apostrophes_are_a_coder(cfg):
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S01": {"accept": "all"}}, coder="  Zoë O'Neil-Ng. ")
    result, store = import_sheet(cfg, path)
    assert result.coder == "Zoë O'Neil-Ng." and set(store["coder"]) == {"Zoë O'Neil-Ng."}


def edit_workbook(path: Path, change) -> Path:
    wb = load_workbook(path)
    change(wb)
    wb.save(path)
    return path


@pytest.mark.parametrize("change, message", [
    (lambda wb: wb["codes"].cell(row=HEADER_ROW, column=HEADERS.index("accept") + 1, value="accepted"),
     "row 2, column J: the header 'accept' is missing (this cell holds 'accepted')"),
    (lambda wb: setattr(wb["codes"].cell(row=HEADER_ROW, column=HEADERS.index("reviewed") + 1), "value", None),
     "row 2, column O: the header 'reviewed' is missing (this cell is empty)"),
    (lambda wb: wb["codes"].delete_cols(HEADERS.index("text_hash") + 1),
     "row 2, column Q: the header 'text_hash' is missing (this cell holds 'suggested_ids')"),
    (lambda wb: wb["codes"].cell(row=HEADER_ROW, column=len(HEADERS) + 1, value="note"),
     "row 2, column S: a second 'note' column (the first is column P)"),
    (lambda wb: wb["codes"].delete_rows(HEADER_ROW),
     "row 2, column A: no coding sheet header row"),
], ids=["renamed", "blanked", "deleted-column", "doubled", "header-row-deleted"])
def test_a_sheet_with_wrong_columns_stops_the_import_naming_the_header_cell(stored, change, message):
    cfg = stored
    before = store_bytes(cfg)
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S01": {"accept": "all"}})
    edit_workbook(path, change)
    with pytest.raises(SheetError) as err:
        import_sheet(cfg, path)
    assert str(err.value).startswith(f"coding-all.xlsx, sheet 'codes', {message}") and "\n" not in str(err.value)
    assert store_bytes(cfg) == before


def test_columns_in_another_order_and_a_column_of_the_coders_own_are_fine(cfg):
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S01": {"accept": "all"}})

    def move(wb):
        ws = wb["codes"]
        ws.move_range(f"A1:A{ws.max_row}", cols=len(HEADERS) + 1)    # segment_id to the far right
        ws.cell(row=HEADER_ROW, column=len(HEADERS) + 3, value="my remarks")
        ws.cell(row=FIRST_ROW, column=len(HEADERS) + 3, value="=1+1")   # not read: not a sheet column

    _, store = import_sheet(cfg, edit_workbook(path, move))
    assert set(zip(store["segment_id"], store["decision"])) == {("ESX-FG1-T0001-S01", "accept"),
                                                                ("ESX-FG1-T0001-S01", "reviewed")}


def test_a_sheet_exported_before_the_reviewed_column_still_imports(cfg):
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S01": {"accept": "all"}})

    def old(wb):
        wb["codes"].delete_cols(HEADERS.index("reviewed") + 1)
        wb["codebook"]["F1"] = "engagement coding sheet 1"

    result, store = import_sheet(cfg, edit_workbook(path, old))
    assert result.rows == 1 and set(store["decision"]) == {"accept", "reviewed"}


def test_a_workbook_of_an_unknown_format_or_without_the_header_row_is_refused(stored, tmp_path):
    from openpyxl import Workbook

    cfg = stored
    before = store_bytes(cfg)
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S01": {"accept": "all"}})
    edit_workbook(path, lambda wb: wb["codebook"].cell(row=1, column=6, value="engagement coding sheet 9"))
    with pytest.raises(SheetError, match=r"^coding-all.xlsx, sheet 'codebook', row 1, column F: unknown sheet "
                                         r"format 'engagement coding sheet 9'"):
        import_sheet(cfg, path)
    wb = Workbook()
    wb.active.title = "codes"
    wb.active.append(["Name", "Score"])
    wb.active.append(["=1+1", "3"])
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(SheetError, match=r"^other.xlsx, sheet 'codes', row 2, column A: no coding sheet header row"):
        import_sheet(cfg, tmp_path / "other.xlsx")
    assert store_bytes(cfg) == before


def test_a_row_whose_segment_vanished_or_changed_since_the_export_stops_the_import(stored):
    cfg = stored
    before = store_bytes(cfg)
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S02": {"accept": "all"}})
    rows = rows_by_id(load_workbook(path)["codes"])
    segs = segments_table()
    # withdrawn since: the row is filled in -> stop; an empty row of a vanished segment is no problem
    gone = segs[~segs["segment_id"].isin(["ESX-FG1-T0001-S02", "ESX-FG1-T0001-S00"])]
    write_table(gone, "segments", cfg.table_path("segments"))
    with pytest.raises(SheetError, match=rf"^coding-all.xlsx, sheet 'codes', row {rows['ESX-FG1-T0001-S02']}, "
                                         r"column segment_id: segment 'ESX-FG1-T0001-S02' no longer exists"):
        import_sheet(cfg, path)
    changed = segs.copy()
    changed.loc[changed["segment_id"] == "ESX-FG1-T0001-S02", "text"] = "But I want to be able to opt out, I think."
    write_table(changed, "segments", cfg.table_path("segments"))
    with pytest.raises(SheetError, match=rf"row {rows['ESX-FG1-T0001-S02']}, column text: the segment's text has "
                                         "changed since the export"):
        import_sheet(cfg, path)
    assert store_bytes(cfg) == before


def test_a_file_that_is_not_a_coding_sheet_is_refused(cfg, tmp_path):
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    with pytest.raises(SheetError, match="notes.xlsx: not an xlsx workbook"):
        import_sheet(cfg, tmp_path / "notes.xlsx")
    from openpyxl import Workbook

    Workbook().save(tmp_path / "other.xlsx")
    with pytest.raises(SheetError, match=r"^other.xlsx: no sheet 'codes' \(it has 'Sheet'\)"):
        import_sheet(cfg, tmp_path / "other.xlsx")
    with pytest.raises(SheetError, match="missing.xlsx: file not found"):
        import_sheet(cfg, tmp_path / "missing.xlsx")
    assert not human.store_path(cfg).exists()


def corrupt(path: Path, how: str) -> Path:
    data = path.read_bytes()
    if how == "truncated":                      # a half-copied file
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    else:                                       # a valid zip whose worksheet XML is garbage
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c r='A1' t='s'"
        with zipfile.ZipFile(path, "w") as z:
            for n, b in parts.items():
                z.writestr(n, b)
    return path


@pytest.mark.parametrize("how", ["truncated", "empty", "broken-xml"])
def test_a_corrupt_xlsx_stops_the_import_in_one_line_and_writes_nothing(stored, how):
    cfg = stored
    before = store_bytes(cfg)
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S01": {"accept": "all"}})
    with pytest.raises(SheetError) as err:
        import_sheet(cfg, corrupt(path, how))
    assert str(err.value).startswith("coding-all.xlsx: not an xlsx workbook, or a damaged one (")
    assert "\n" not in str(err.value) and store_bytes(cfg) == before


def test_a_row_marked_reviewed_with_no_code_is_stored_as_reviewed_never_as_a_coding(cfg):
    path, _ = export_sheet(cfg)
    fill(path, {"ESX-FG1-T0001-S00": {"reviewed": "yes", "note": "small talk"},
                "NFK-INT1-T0001-S00": {"reviewed": True},                      # Excel's TRUE
                "ESX-FG1-T0001-S02": {"accept": "all"},                        # codes: reviewed anyway
                "ESX-FG1-T0002-S00": {"note": "come back to this"},            # a note only: not imported
                "SURVEY-R0001-Q2-S00": {"reviewed": "no"}})                    # not done yet: not imported
    result, store = import_sheet(cfg, path, coded_at="2026-12-01T10:00:00+00:00")
    assert (result.rows, result.reviewed_without_codes, result.notes_without_codes) == (3, 2, 1)
    marks = store[store["decision"] == "reviewed"]
    assert sorted(marks["segment_id"]) == ["ESX-FG1-T0001-S00", "ESX-FG1-T0001-S02", "NFK-INT1-T0001-S00"]
    assert set(marks["code"]) == {"-"} and set(marks["theme"]) == {""}
    assert marks.set_index("segment_id").loc["ESX-FG1-T0001-S00", "note"] == "small talk"
    segs = read_table("segments", cfg.table_path("segments"))
    codings, summary = add_human_codings(codings_table(), segs, cfg)
    mine = codings[codings["source"] == "human"]
    assert mine[["segment_id", "code"]].values.tolist() == [["ESX-FG1-T0001-S02", "consent_optout"]]
    assert summary == {"human_codings": 1, "human_stale": []}
    assert human.reviewed_segments(store, segs).values.tolist() == [
        ["ESX-FG1-T0001-S00", "AB"], ["ESX-FG1-T0001-S02", "AB"], ["NFK-INT1-T0001-S00", "AB"]]
    # importing the same sheet again changes nothing but the time
    _, again = import_sheet(cfg, path, coded_at="2026-12-02T10:00:00+00:00")
    assert again.drop(columns="coded_at").equals(store.drop(columns="coded_at"))


# ------------------------------------------------------------------ after a re-run

def test_after_a_re_run_changed_and_vanished_segments_are_reported_and_stay_in_the_store(cfg):
    path, _ = export_sheet(cfg)
    fill(path, ROUND_TRIP)
    _, store = import_sheet(cfg, path, coded_at="2026-12-01T10:00:00+00:00")
    before = store_bytes(cfg)
    segs = segments_table()
    segs.loc[segs["segment_id"] == "ESX-FG1-T0001-S02", "text"] = "But I'd want to opt out."   # re-prepared
    segs = segs[segs["segment_id"] != "SURVEY-R0001-Q2-S00"]                                  # withdrawn
    with pytest.warns(UserWarning, match="not applied") as warned:
        codings, summary = add_human_codings(codings_table(), segs, cfg)
    assert len(warned) == 1 and "ESX-FG1-T0001-S02" in str(warned[0].message)
    mine = codings[codings["source"] == "human"]
    assert set(zip(mine["segment_id"], mine["code"])) == {("ESX-FG1-T0001-S01", "commercial_selling"),
                                                          ("ESX-FG1-T0002-S01", "security_breach")}
    stale = {(s["segment_id"], s["code"], s["reason"]) for s in summary["human_stale"]}
    assert stale == {
        ("ESX-FG1-T0001-S02", "consent_optout", "segment text changed"),
        ("ESX-FG1-T0001-S02", "consent_control", "segment text changed"),
        ("SURVEY-R0001-Q2-S00", "commercial_selling", "segment no longer exists"),
        ("SURVEY-R0001-Q2-S00", "commercial_companies", "segment no longer exists"),
        ("SURVEY-R0001-Q2-S00", "commercial_charging", "segment no longer exists"),
        ("ESX-FG1-T0001-S02", "-", "segment text changed"),           # the reviewed marks are reported too
        ("SURVEY-R0001-Q2-S00", "-", "segment no longer exists"),
    }
    assert summary["human_codings"] == 2 and store_bytes(cfg) == before


# ------------------------------------------------------------------ command line

def test_the_cli_exports_and_imports_and_a_bad_sheet_is_one_line_and_a_non_zero_exit(cfg, capsys):
    from engagement.cli import main

    config = str(cfg.source)
    assert main(["--config", config, "sheet", "export", "--region", "Essex"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    path = cfg.processed_dir / "sheets" / "coding-Essex.xlsx"
    assert out == [f"wrote coding sheet {path} (6 segments)"]
    fill(path, {"ESX-FG1-T0001-S02": {"add_1": "consnet_optout"}})
    assert main(["--config", config, "sheet", "import", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "coding-Essex.xlsx, sheet 'codes', row" in err[0] and "column add_1" in err[0]
    fill(path, {"ESX-FG1-T0001-S02": {"add_1": "consent_control"}}, coder=None)
    assert main(["--config", config, "sheet", "import", str(path), "--coder", "AB"]) == 0
    out = capsys.readouterr().out
    assert "coder AB" in out and "1 added" in out and not human.store_path(cfg).is_relative_to(cfg.raw_dir)


def test_prune_from_the_command_line_prints_one_line_and_keeps_a_csv_of_what_it_removed(cfg, capsys):
    import argparse

    from engagement.coding.sheet import cmd_prune

    path, _ = export_sheet(cfg)
    fill(path, ROUND_TRIP)
    import_sheet(cfg, path, coded_at="2026-12-01T10:00:00+00:00")
    segs = segments_table()
    write_table(segs[segs["segment_id"] != "SURVEY-R0001-Q2-S00"], "segments", cfg.table_path("segments"))
    before = store_bytes(cfg)
    args = argparse.Namespace(config=str(cfg.source), dry_run=True)
    assert cmd_prune(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("would prune 4 stale decision(s) from ")
    assert "(4 segment no longer exists)" in out[0] and store_bytes(cfg) == before
    assert cmd_prune(argparse.Namespace(config=str(cfg.source), dry_run=False)) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("pruned 4 stale decision(s) from ") and out[0].endswith("; 8 kept")
    backups = list(human.store_path(cfg).parent.glob("pruned-*.csv"))
    assert len(backups) == 1 and str(backups[0]) in out[0]
    assert set(human.load_human_codings(cfg)["segment_id"]) == {"ESX-FG1-T0001-S01", "ESX-FG1-T0001-S02",
                                                                "ESX-FG1-T0002-S01"}
