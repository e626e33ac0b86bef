"""Transcript tables from transcription services, CSV and XLSX (engagement.ingest.readers.table)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from engagement.errors import InputError
from engagement.ingest.readers import detect_format, read_file

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def _csv(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8", newline="")
    return target


def _workbook(tmp_path: Path, rows: list[list], name: str = "export.xlsx") -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    target = tmp_path / name
    book.save(target)
    return target


def test_service_csv_gives_timed_turns_merging_one_speakers_rows() -> None:
    result = read_file(EXPORTS / "transcript_service.csv")       # BOM, CRLF, a quoted multi-line cell
    assert (result.format, result.encoding) == ("table", "utf-8-sig")
    assert [(t.speaker, t.affiliation, t.start, t.end, t.source_line) for t in result.turns] == [
        ("Interviewer", "", 1.2, 6.0, 2), ("Kwame Mensah", "", 6.0, 14.0, 3),
        ("Interviewer", "", 14.0, 18.25, 5), ("Kwame Mensah", "carer", 18.25, 20.0, 6)]
    assert result.turns[1].text == ("I'm happy to help, but I want to know\nwho sees my notes. "
                                    "Last time I waited until 10:30, for nothing.")
    assert "merged 5 rows into 4 turns" in result.notes


@pytest.mark.parametrize("header", [
    "start,end,speaker,text", "Start Time,End Time,Speaker Name,Transcript", "Timestamp,Speaker,Utterance",
    "start_time;end_time;speaker_label;content", "Speaker\tStart\tEnd\tContent", "Time In,Time Out,Who,Text",
])
def test_service_headers_are_found_whatever_their_names(tmp_path: Path, header: str) -> None:
    delimiter = ";" if ";" in header else "\t" if "\t" in header else ","
    names = [h.strip().casefold() for h in header.split(delimiter)]
    rows = [{"speaker": "Interviewer", "text": "Shall we begin?", "start": "00:00:04", "end": "00:00:06"},
            {"speaker": "Zhang Wei", "text": "Yes, at 10:30 please.", "start": "00:00:06", "end": "00:00:09"},
            {"speaker": "Interviewer", "text": "Fine.", "start": "0:10", "end": "0:12"}]

    def cell(name: str, row: dict) -> str:
        key = next(k for k, words in (("speaker", ("speak", "who")), ("text", ("text", "utter", "content", "trans")),
                                      ("start", ("start", "stamp", "in")), ("end", ("end", "out")))
                   if any(w in name for w in words))
        return row[key]

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(
        [header.split(delimiter), *[[cell(n, r) for n in names] for r in rows]])
    target = _csv(tmp_path, buffer.getvalue())
    result = read_file(target)
    assert result.format == "table"
    assert [(t.speaker, t.text, t.start) for t in result.turns] == [
        ("Interviewer", "Shall we begin?", 4.0), ("Zhang Wei", "Yes, at 10:30 please.", 6.0),
        ("Interviewer", "Fine.", 10.0)]


@pytest.mark.parametrize(("start", "end", "header", "seconds"), [
    ("12.5", "14", "start", (12.5, 14.0)), ("12500", "14000", "start_ms", (12.5, 14.0)),
    ("00:00:12,500", "00:00:14,000", "start", (12.5, 14.0)), ("1:02:33", "1:02:40", "start", (3753.0, 3760.0)),
])
def test_times_in_seconds_milliseconds_and_clock_forms(tmp_path: Path, start: str, end: str, header: str,
                                                       seconds: tuple[float, float]) -> None:
    end_header = header.replace("start", "end")
    target = _csv(tmp_path, f'{header},{end_header},speaker,text\n"{start}","{end}",Ama Owusu,Hello.\n'
                            f'"{end}","{end}",Interviewer,Hi.\n')
    assert (read_file(target).turns[0].start, read_file(target).turns[0].end) == seconds


def test_xlsx_transcript_table_is_read_without_survey_columns(tmp_path: Path) -> None:
    target = _workbook(tmp_path, [["Speaker", "Start Time", "End Time", "Transcript"],
                                  ["Interviewer", "00:00:01", "00:00:03", "Welcome."],
                                  ["Eilís Ó Murchú", "00:00:03", "00:00:08", "Thanks. Note: I'm a carer."],
                                  [None, None, None, None],
                                  ["Interviewer", 12.5, 15, "Go on."]])
    assert detect_format(target) == "table"
    result = read_file(target)
    assert (result.format, result.encoding) == ("table", "binary")
    assert [(t.speaker, t.text, t.start, t.source_line) for t in result.turns] == [
        ("Interviewer", "Welcome.", 1.0, 2), ("Eilís Ó Murchú", "Thanks. Note: I'm a carer.", 3.0, 3),
        ("Interviewer", "Go on.", 12.5, 5)]


def test_untimed_table_is_a_transcript_when_speakers_recur(tmp_path: Path) -> None:
    target = _csv(tmp_path, "Speaker,Text\nFacilitator,Welcome.\nP1,Hello.\nFacilitator,Why?\nP1,Because.\n")
    assert [t.speaker for t in read_file(target).turns] == ["Facilitator", "P1", "Facilitator", "P1"]


@pytest.mark.parametrize("text", [
    "respondent_id,region,answer\nR1,Essex,Fine\nR2,Norfolk,Slow\n",                       # no speaker column
    "Name,Comment\nAnna Nowak,Fine\nKofi Boateng,Slow\nLi Wei,Kind\n",                      # names do not recur
    "Participant,Question,Response\nP1,Q1,Fine\nP1,Q2,Slow\nP2,Q1,Kind\nP2,Q2,Ok\n",       # a long-form survey
    "Role,Comment\ncarer,Fine\npatient,Slow\ncarer,Kind\npatient,Ok\n",                      # roles recur, no times
])
def test_a_survey_is_never_taken_for_a_transcript_table(tmp_path: Path, text: str) -> None:
    target = _csv(tmp_path, text)
    assert detect_format(target) == "csv"


def test_survey_columns_make_a_transcript_shaped_file_a_survey(tmp_path: Path) -> None:
    target = _csv(tmp_path, "start,end,speaker,text\n0:01,0:02,R1,Fine\n0:02,0:03,R1,Slow\n")
    result = read_file(target, survey_columns={"respondent": "speaker", "text": "text"})
    assert result.format == "csv" and [t.text for t in result.turns] == ["Fine", "Slow"]


def test_forced_table_without_speaker_and_text_columns_lists_the_header(tmp_path: Path) -> None:
    target = _csv(tmp_path, "id,answer\n1,Fine\n")
    with pytest.raises(InputError) as exc:
        read_file(target, format="table")
    message = str(exc.value)
    assert "no speaker and text columns in the header (id, answer)" in message and "--format NAME" in message
    assert str(target) in message
