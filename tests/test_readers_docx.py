"""Word transcripts (engagement.ingest.readers.docx), built with python-docx in tmp_path."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from engagement.errors import InputError
from engagement.ingest.readers import read_file


def _paragraph(document, *runs: tuple[str, bool]):
    par = document.add_paragraph()
    for text, bold in runs:
        par.add_run(text).bold = bold or None
    return par


def _save(document, tmp_path: Path, name: str = "transcript.docx") -> Path:
    target = tmp_path / name
    document.save(target)
    return target


@pytest.fixture
def paragraph_docx(tmp_path: Path) -> Path:
    """A typical hand-typed transcript: title, header block, bold labels, a timestamp."""
    d = docx.Document()
    d.add_heading("Healthwatch Suffolk - focus group 2", level=1)                 # paragraph 1
    d.add_paragraph("Transcribed from audio, March 2024. Names changed.")         # 2
    d.add_paragraph("")                                                            # 3
    _paragraph(d, ("Facilitator:", True), (" Thanks for coming along tonight.", False))   # 4
    d.add_paragraph("We'll start with a quick round of introductions.")           # 5
    _paragraph(d, ("P1", True), (": I'm a retired nurse from Ipswich.", False))   # 6
    d.add_paragraph("Note: I still volunteer at the hospital.")                   # 7
    d.add_paragraph("[00:03:12] P2: I don't trust apps with my records.")         # 8
    _paragraph(d, ("Facilitator:", True), (" Why is that?", False))               # 9
    d.add_heading("Part 2: who should see what", level=2)                          # 10
    _paragraph(d, ("P2:", True), (" Because of what happened with the data leak.", False))   # 11
    return _save(d, tmp_path)


def test_docx_paragraph_layout_gives_turns_with_paragraph_numbers(paragraph_docx: Path) -> None:
    result = read_file(paragraph_docx)
    assert (result.format, result.encoding) == ("docx", "binary")
    assert [(t.speaker, t.source_line) for t in result.turns] == [
        ("Facilitator", 4), ("P1", 6), ("P2", 8), ("Facilitator", 9), ("P2", 11)]
    assert result.turns[2].start == 192.0


def test_docx_unlabelled_paragraphs_join_the_previous_turn(paragraph_docx: Path) -> None:
    turns = read_file(paragraph_docx).turns
    assert turns[0].text == "Thanks for coming along tonight.\nWe'll start with a quick round of introductions."
    assert turns[1].text == "I'm a retired nurse from Ipswich.\nNote: I still volunteer at the hospital."


def test_docx_title_and_headings_are_not_turns(paragraph_docx: Path) -> None:
    result = read_file(paragraph_docx)
    assert not any("Healthwatch" in t.text or "Part 2" in t.text or "Transcribed" in t.text for t in result.turns)
    assert "skipped 2 heading paragraph(s)" in result.notes
    assert any("before the first speaker label (paragraphs 2-2)" in n for n in result.notes)


def test_docx_bold_label_separated_by_a_tab_is_a_speaker(tmp_path: Path) -> None:
    d = docx.Document()
    _paragraph(d, ("Interviewer", True), ("\tHow long have you lived in Peterborough?", False))
    _paragraph(d, ("Amira", True), ("\tAbout ten years.", False))
    _paragraph(d, ("Really", True), (" good question, that.", False))
    result = read_file(_save(d, tmp_path))
    assert [(t.speaker, t.text) for t in result.turns] == [
        ("Interviewer", "How long have you lived in Peterborough?"),
        ("Amira", "About ten years.\nReally good question, that.")]


def test_docx_line_breaks_inside_a_paragraph_become_paragraphs(tmp_path: Path) -> None:
    d = docx.Document()
    par = _paragraph(d, ("Sarah Jenkins: First line.", False))
    par.add_run().add_break()
    par.add_run("Second line.")
    _paragraph(d, ("P4: Ok.", False))
    turns = read_file(_save(d, tmp_path)).turns
    assert [(t.speaker, t.text, t.source_line) for t in turns] == [
        ("Sarah Jenkins", "First line.\nSecond line.", 1), ("P4", "Ok.", 2)]


def _table_docx(tmp_path: Path, header: list[str], rows: list[list[str]], *, title: str = "") -> Path:
    d = docx.Document()
    if title:
        d.add_paragraph(title)
    table = d.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = text
    return _save(d, tmp_path)


@pytest.mark.parametrize("header", [
    ["Time", "Speaker", "Text"],
    ["Timestamp", "Name", "Transcript"],
    ["TIME", "speaker:", "Utterance"],
    ["Time code", "Speaker", "Comment"],
])
def test_docx_table_layout_reads_time_speaker_text(tmp_path: Path, header: list[str]) -> None:
    rows = [["00:00:05", "Facilitator", "Welcome to the session."],
            ["00:01:10", "P2", "Can my pharmacist see my records?"],
            ["00:01:30", "Facilitator", "Some of them, yes."]]
    result = read_file(_table_docx(tmp_path, header, rows, title="Essex interview 3"))
    assert [(t.speaker, t.text, t.source_line, t.start) for t in result.turns] == [
        ("Facilitator", "Welcome to the session.", 2, 5.0), ("P2", "Can my pharmacist see my records?", 3, 70.0),
        ("Facilitator", "Some of them, yes.", 4, 90.0)]
    assert any("ignored 1 paragraph(s) outside the transcript table" in n for n in result.notes)


def test_docx_table_layout_takes_names_from_the_header_above_the_table(tmp_path: Path) -> None:
    d = docx.Document()
    for line in ("Focus group: Ipswich 2", "Moderator: Ifeoma Nwachukwu", "Observer: Bartosz Lewandowski",
                 "Date: 02/11/2026"):
        d.add_paragraph(line)
    table = d.add_table(rows=1, cols=2)
    for cell, text in zip(table.rows[0].cells, ["Speaker", "Text"]):
        cell.text = text
    for values in (["Moderator", "Welcome, everyone."], ["P1", "Thanks, Ifeoma."]):
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text
    result = read_file(_save(d, tmp_path))
    assert set(result.names) == {"Ifeoma Nwachukwu", "Bartosz Lewandowski"}
    assert result.header["Date"] == "02/11/2026"


def test_docx_table_without_time_column(tmp_path: Path) -> None:
    rows = [["Interviewer", "What worries you most?"], ["Respondent", "Being sold."]]
    turns = read_file(_table_docx(tmp_path, ["Speaker", "Text"], rows)).turns
    assert [(t.speaker, t.text, t.start) for t in turns] == [("Interviewer", "What worries you most?", None),
                                                            ("Respondent", "Being sold.", None)]


def test_docx_table_row_without_speaker_continues_the_turn(tmp_path: Path) -> None:
    rows = [["00:00:05 - 00:00:09", "P1", "I think it's fine."], ["", "", "Mostly."], ["00:00:12", "P2", "No."]]
    turns = read_file(_table_docx(tmp_path, ["Time", "Speaker", "Text"], rows)).turns
    assert [(t.speaker, t.text, t.source_line, t.start, t.end) for t in turns] == [
        ("P1", "I think it's fine.\nMostly.", 2, 5.0, 9.0), ("P2", "No.", 4, 12.0, None)]


def test_docx_table_rows_of_one_speaker_in_a_row_are_one_turn(tmp_path: Path) -> None:
    """A service cuts a long turn into rows; the CSV/XLSX table reader joins them, and so does Word's."""
    rows = [["00:00:04", "Rachel Dunn", "What comes to mind?"], ["00:00:10", "Stan Kowalski", "Vaccines."],
            ["00:00:15", "Stan Kowalski", "And the cancer registry."], ["00:00:21", "Rachel Dunn", "Thanks."]]
    turns = read_file(_table_docx(tmp_path, ["Time", "Speaker", "Text"], rows)).turns
    assert [(t.speaker, t.text, t.source_line, t.start) for t in turns] == [
        ("Rachel Dunn", "What comes to mind?", 2, 4.0), ("Stan Kowalski", "Vaccines.\nAnd the cancer registry.", 3, 10.0),
        ("Rachel Dunn", "Thanks.", 5, 21.0)]


def test_docx_table_heading_row_spanning_all_columns_is_skipped(tmp_path: Path) -> None:
    d = docx.Document()
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Speaker", "Text"
    table.add_row().cells[0].text = "P1"
    table.rows[1].cells[1].text = "Hello."
    merged = table.add_row()
    merged.cells[0].merge(merged.cells[1]).text = "Section 2: sharing with councils"
    row = table.add_row()
    row.cells[0].text, row.cells[1].text = "P2", "Fine by me."
    result = read_file(_save(d, tmp_path))
    assert [(t.speaker, t.source_line) for t in result.turns] == [("P1", 2), ("P2", 4)]
    assert any("skipped 1 row(s) spanning the whole table" in n for n in result.notes)


def test_docx_table_that_is_not_a_transcript_falls_back_to_paragraphs(tmp_path: Path) -> None:
    d = docx.Document()
    table = d.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Date", "Venue"
    d.add_paragraph("Facilitator: Hello.")
    d.add_paragraph("P1: Hi.")
    turns = read_file(_save(d, tmp_path)).turns
    assert [t.speaker for t in turns] == ["Facilitator", "P1"]


def test_docx_with_no_turns_is_an_empty_transcript(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Focus group notes", level=1)
    d.add_paragraph("The recording failed, so there is no transcript.")
    target = _save(d, tmp_path)
    with pytest.raises(InputError, match="empty transcript: no speaker turns found") as exc:
        read_file(target)
    assert str(target) in str(exc.value)


def test_truncated_docx_is_named_as_corrupt(paragraph_docx: Path) -> None:
    data = paragraph_docx.read_bytes()
    paragraph_docx.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="binary or corrupt file") as exc:
        read_file(paragraph_docx, format="docx")
    assert str(paragraph_docx) in str(exc.value)


def test_docx_with_a_damaged_part_is_named_as_corrupt(tmp_path: Path, paragraph_docx: Path) -> None:
    import zipfile

    target = tmp_path / "damaged.docx"
    with zipfile.ZipFile(paragraph_docx) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[:200] if item.filename == "word/document.xml" else data)
    with pytest.raises(InputError, match="binary or corrupt file: damaged Word document") as exc:
        read_file(target)
    assert str(target) in str(exc.value)


def test_xlsx_read_as_docx_is_refused(tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "survey.xlsx"
    openpyxl.Workbook().save(target)
    with pytest.raises(InputError, match="not a Word document") as exc:
        read_file(target, format="docx")
    assert str(target) in str(exc.value)


def test_docx_bold_committee_labels_keep_the_person_and_the_affiliation(tmp_path: Path) -> None:
    d = docx.Document()
    _paragraph(d, ("The Chair (Hon. A. Rota (Nipissing, Lib.)):", True), (" Order.", False))
    _paragraph(d, ("Ngozi Okonkwo-Adeyemi (Patient Voice Group):", True), (" Dear Sir: that was the letter.", False))
    _paragraph(d, ("Ngozi Okonkwo-Adeyemi:", True), (" And again.", False))
    _paragraph(d, ("Dear Sir:", True), (" a bold false friend.", False))
    turns = read_file(_save(d, tmp_path)).turns
    assert [(t.speaker, t.affiliation, t.text) for t in turns] == [
        ("The Chair", "Hon. A. Rota (Nipissing, Lib.)", "Order."),
        ("Ngozi Okonkwo-Adeyemi", "Patient Voice Group", "Dear Sir: that was the letter."),
        ("Ngozi Okonkwo-Adeyemi", "", "And again.\nDear Sir: a bold false friend."),
    ]
