"""Survey CSV/XLSX exports (engagement.ingest.readers.survey)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engagement.errors import InputError
from engagement.ingest.readers import read_file

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
FFT = Path(__file__).resolve().parents[2] / "shared" / "data" / "fft" / "fft_comments.csv"
COLUMNS = {"respondent": "response_id", "text": "answer", "region": "area", "date": "submitted",
           "question": "question"}


def _raises(target: Path, columns: dict | None, match: str, line: int | None = None, **kw) -> InputError:
    with pytest.raises(InputError, match=match) as exc:
        read_file(target, survey_columns=columns, **kw)
    message = str(exc.value)
    assert str(target) in message and "\n" not in message
    if line is not None:
        assert exc.value.line == line and f"{target}:{line}:" in message
    return exc.value


def test_csv_rows_become_turns_with_row_numbers_and_meta() -> None:
    result = read_file(EXPORTS / "survey_responses.csv", survey_columns=COLUMNS)
    assert result.format == "csv"
    assert [(t.speaker, t.source_line) for t in result.turns] == [("R001", 2), ("R003", 4), ("R005", 6)]
    assert result.turns[0].text == "Who can see it, and for how long."
    assert result.turns[1].text == "Selling it to drug companies.\nAnd hackers."
    assert result.turns[0].meta == {"region": "Essex", "date": "01/02/2024", "question": "What worries you?"}


def test_csv_empty_answers_are_skipped_and_counted() -> None:
    result = read_file(EXPORTS / "survey_responses.csv", survey_columns=COLUMNS)
    assert "skipped 2 row(s) with an empty answer (first: row 3)" in result.notes


def test_csv_meta_holds_only_the_named_optional_columns() -> None:
    result = read_file(EXPORTS / "survey_responses.csv",
                       survey_columns={"respondent": "response_id", "text": "answer", "region": "area"})
    assert result.turns[0].meta == {"region": "Essex"}


def test_csv_column_names_match_ignoring_case_and_spaces(tmp_path: Path) -> None:
    target = tmp_path / "s.csv"
    target.write_text(" ID ,Free Text\n1,Fine\n", encoding="utf-8")
    result = read_file(target, survey_columns={"respondent": "id", "text": "free text"})
    assert [(t.speaker, t.text) for t in result.turns] == [("1", "Fine")]


def test_missing_column_is_named_with_the_available_ones() -> None:
    target = EXPORTS / "survey_responses.csv"
    err = _raises(target, {**COLUMNS, "region": "trust"}, r"survey column 'trust' \(region\) not found", line=1)
    assert "available columns: response_id, area, submitted, question, answer" in str(err)


@pytest.mark.parametrize(("columns", "match"), [
    (None, "needs survey_columns"),
    ({"respondent": "response_id"}, "must name the text column"),
    ({"respondent": "response_id", "text": "answer", "gender": "sex"}, "unknown survey_columns key"),
])
def test_bad_survey_columns_are_refused(columns: dict | None, match: str) -> None:
    _raises(EXPORTS / "survey_responses.csv", columns, match)


def test_semicolon_csv_from_european_excel_reads(tmp_path: Path) -> None:
    target = tmp_path / "s.csv"
    target.write_bytes("id;answer\n1;Cost £3, too much\n2;“Fine”\n".encode("cp1252"))
    result = read_file(target, survey_columns={"respondent": "id", "text": "answer"})
    assert result.encoding == "cp1252"
    assert [t.text for t in result.turns] == ["Cost £3, too much", "“Fine”"]


def test_csv_row_with_too_many_fields_is_named(tmp_path: Path) -> None:
    target = tmp_path / "s.csv"
    target.write_text("id,answer\n1,Fine\n2,Too slow, and rude\n", encoding="utf-8")
    _raises(target, {"respondent": "id", "text": "answer"}, "row has 3 fields but the header has 2", line=3)


def test_csv_with_no_answers_is_an_empty_transcript(tmp_path: Path) -> None:
    target = tmp_path / "s.csv"
    target.write_text("id,answer\n1,\n2,  \n", encoding="utf-8")
    _raises(target, {"respondent": "id", "text": "answer"}, "empty transcript: no speaker turns found")


def _workbook(tmp_path: Path, rows: list[list]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    target = tmp_path / "survey.xlsx"
    book.save(target)
    return target


def test_xlsx_rows_become_turns(tmp_path: Path) -> None:
    target = _workbook(tmp_path, [
        ["Respondent", "Area", "Date", "Answer"],
        [101, "Essex", dt.datetime(2024, 2, 1), "I want to know who looks at it."],
        [102, "Norfolk", dt.datetime(2024, 2, 2), None],
        [None, None, None, None],
        [103.0, "Suffolk", dt.datetime(2024, 2, 3, 14, 30), "Fine if it's the NHS."],
    ])
    result = read_file(target, survey_columns={"respondent": "Respondent", "text": "Answer", "region": "Area",
                                               "date": "Date"})
    assert (result.format, result.encoding) == ("xlsx", "binary")
    assert [(t.speaker, t.source_line, t.meta) for t in result.turns] == [
        ("101", 2, {"region": "Essex", "date": "2024-02-01"}),
        ("103", 5, {"region": "Suffolk", "date": "2024-02-03 14:30:00"})]
    assert "skipped 1 row(s) with an empty answer (first: row 3)" in result.notes
    assert "skipped 1 blank row(s)" in result.notes


def test_xlsx_missing_column_is_named(tmp_path: Path) -> None:
    target = _workbook(tmp_path, [["id", "answer"], [1, "Fine"]])
    err = _raises(target, {"respondent": "id", "text": "comment"}, r"survey column 'comment' \(text\)", line=1)
    assert "available columns: id, answer" in str(err)


def test_corrupt_xlsx_is_named(tmp_path: Path) -> None:
    target = _workbook(tmp_path, [["id", "answer"], [1, "Fine"]])
    target.write_bytes(target.read_bytes()[:300])
    _raises(target, {"respondent": "id", "text": "answer"}, "binary or corrupt file")


@pytest.mark.skipif(not FFT.exists(), reason="the shared FFT data set is not present")
def test_reads_the_real_fft_comments() -> None:
    result = read_file(FFT, survey_columns={"respondent": "comment_id", "text": "answer", "region": "trust",
                                            "date": "date", "question": "question"})
    skipped = sum(int(n.split()[1]) for n in result.notes if "empty answer" in n)
    assert len(result.turns) + skipped == 7406
    assert {t.meta["region"] for t in result.turns} == {"NEAS", "NHFT"}
    assert result.turns[0].source_line == 2 and result.turns[-1].source_line == 7407
    assert len({t.speaker for t in result.turns}) == len(result.turns)


WIDE = ("Response ID,Start time,Completion time,Your area,What worries you about sharing your records?,"
        "\"What would make you more comfortable, if anything?\"\n"
        "A1,03/02/2026 09:01,03/02/2026 09:09,Essex,Insurers getting hold of it and my premiums going up.,"
        "Being asked first every time.\n"
        "A2,03/02/2026 10:15,03/02/2026 10:20,Norfolk,,Knowing who looked at my notes and when.\n"
        "A3,04/02/2026 11:00,04/02/2026 11:02,Suffolk,,\n")


def test_a_wide_export_gives_one_turn_per_answer_with_its_question(tmp_path: Path) -> None:
    """One column per free-text question (SmartSurvey, Microsoft Forms): every answer counts, none is dropped."""
    target = tmp_path / "forms export.csv"
    target.write_text(WIDE, encoding="utf-8")
    q1, q2 = "What worries you about sharing your records?", "What would make you more comfortable, if anything?"
    result = read_file(target, survey_columns={"respondent": "Response ID", "region": "Your area",
                                               "text": f"{q1} | {q2}"})
    assert [(t.speaker, t.meta["question"], t.source_line) for t in result.turns] == [
        ("A1", q1, 2), ("A1", q2, 2), ("A2", q2, 3)]
    assert result.turns[2].text == "Knowing who looked at my notes and when."
    assert any("row 4" in n for n in result.notes), result.notes      # A3 answered nothing
    _raises(target, {"respondent": "Response ID", "text": f"{q1} | Nope"}, "survey column 'Nope' \\(text\\) not found")
    _raises(target, {"respondent": "Response ID", "text": f"{q1} | {q2}", "question": "Your area"},
            "several text columns and a question column")
