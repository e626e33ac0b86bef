"""Format detection and text decoding (engagement.ingest.readers.detect)."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from engagement.errors import InputError
from engagement.ingest.readers import decode_text, detect_format, extension_mismatch, read_file

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def _assert_names(exc: pytest.ExceptionInfo, path: Path, line: int | None = None) -> None:
    """The error names the file (and the line, where there is one) and is one line."""
    message = str(exc.value)
    assert str(path) in message
    assert "\n" not in message
    if line is not None:
        assert exc.value.line == line
        assert f"{path}:{line}:" in message


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Facilitator: Welcome, everyone.")
    document.add_paragraph("P1: Thanks for having us.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["id", "answer"])
    book.active.append([1, "Fine"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "expected"), [
    ("teams_meeting.vtt", "vtt"),
    ("zoom_meeting.vtt", "vtt"),
    ("captions_labelled.srt", "srt"),
    ("captions_unlabelled.srt", "srt"),
    ("otter_interview.txt", "otter"),
    ("focus_group_norfolk.txt", "txt"),
    ("survey_responses.csv", "csv"),
    ("committee_hearing.txt", "txt"),
    ("interview_dash_times.txt", "txt"),
    ("interview_paren_times.txt", "txt"),
    ("focus_group_markdown.md", "txt"),
    ("youtube_captions.sbv", "sbv"),
    ("council_captions.srt", "srt"),
    ("transcript_service.csv", "table"),
])
def test_detect_format_recognises_each_fixture(name: str, expected: str) -> None:
    assert detect_format(EXPORTS / name) == expected


@pytest.mark.parametrize(("name", "renamed", "expected"), [
    ("teams_meeting.vtt", "teams.txt", "vtt"),
    ("zoom_meeting.vtt", "zoom", "vtt"),
    ("captions_labelled.srt", "captions.txt", "srt"),
    ("otter_interview.txt", "otter.md", "otter"),
    ("survey_responses.csv", "responses", "csv"),
    ("focus_group_norfolk.txt", "focus_group", "txt"),
    ("youtube_captions.sbv", "captions.txt", "sbv"),
    ("transcript_service.csv", "transcript.txt", "table"),
    ("transcript_service.csv", "transcript", "table"),
    ("interview_dash_times.txt", "interview.srt", "srt"),
])
def test_detect_format_reads_content_not_just_extension(tmp_path: Path, name: str, renamed: str,
                                                         expected: str) -> None:
    target = tmp_path / renamed
    shutil.copy(EXPORTS / name, target)
    assert detect_format(target) == expected


@pytest.mark.parametrize(("build", "renamed", "expected"), [
    (_docx_bytes, "interview.txt", "docx"),
    (_docx_bytes, "interview.docx", "docx"),
    (_xlsx_bytes, "survey.dat", "xlsx"),
    (_xlsx_bytes, "survey.xlsx", "xlsx"),
])
def test_detect_format_knows_office_files_by_their_zip_parts(tmp_path: Path, build, renamed: str,
                                                             expected: str) -> None:
    target = tmp_path / renamed
    target.write_bytes(build())
    assert detect_format(target) == expected


def test_docx_renamed_txt_is_still_read_as_docx(tmp_path: Path) -> None:
    target = tmp_path / "interview.txt"
    target.write_bytes(_docx_bytes())
    result = read_file(target)
    assert result.format == "docx"
    assert [t.speaker for t in result.turns] == ["Facilitator", "P1"]


def test_txt_holding_zoom_vtt_reads_as_vtt(tmp_path: Path) -> None:
    target = tmp_path / "zoom_transcript.txt"
    shutil.copy(EXPORTS / "zoom_meeting.vtt", target)
    result = read_file(target)
    assert result.format == "vtt"
    assert result.turns[0].speaker == "Sarah Jenkins"


@pytest.mark.parametrize(("content", "line"), [
    (b"Facilitator: hello\nP1: hi\x00\x00\x00\n", 2),
    (b"\x00\x01\x02\x03binary junk", 1),
])
def test_nul_bytes_in_a_text_file_are_binary(tmp_path: Path, content: bytes, line: int) -> None:
    target = tmp_path / "transcript.txt"
    target.write_bytes(content)
    with pytest.raises(InputError, match="binary or corrupt file") as exc:
        detect_format(target)
    _assert_names(exc, target, line)


def test_zip_that_is_not_office_is_binary(tmp_path: Path) -> None:
    target = tmp_path / "transcript.txt"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("notes.txt", "Facilitator: hello")
    with pytest.raises(InputError, match="binary or corrupt file: a zip archive") as exc:
        read_file(target)
    _assert_names(exc, target)


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.95])
def test_truncated_docx_is_binary_or_corrupt(tmp_path: Path, fraction: float) -> None:
    data = _docx_bytes()
    target = tmp_path / "interview.docx"
    target.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(InputError, match="binary or corrupt file") as exc:
        read_file(target)
    _assert_names(exc, target)


def test_legacy_word_doc_asks_for_docx(tmp_path: Path) -> None:
    target = tmp_path / "interview.doc"
    target.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(InputError, match=r"legacy Word \.doc") as exc:
        detect_format(target)
    _assert_names(exc, target)


def test_docx_extension_on_plain_text_is_corrupt(tmp_path: Path) -> None:
    target = tmp_path / "interview.docx"
    target.write_text("Facilitator: hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a zip package") as exc:
        detect_format(target)
    _assert_names(exc, target)


def test_missing_file_is_named(tmp_path: Path) -> None:
    target = tmp_path / "nowhere.txt"
    with pytest.raises(InputError, match="file not found") as exc:
        read_file(target)
    _assert_names(exc, target)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("P1: hi\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown format 'pdf'") as exc:
        read_file(target, format="pdf")
    _assert_names(exc, target)
    assert "formats the suite reads: txt" in str(exc.value) and "sbv" in str(exc.value)


@pytest.mark.parametrize(("name", "fmt", "warning"), [
    ("notes.txt", "vtt", "notes.txt is named .txt but holds WebVTT captions; read as vtt"),
    ("export.csv", "table", "export.csv is named .csv but holds a transcript table"),
    ("captions.srt", "sbv", "captions.srt is named .srt but holds YouTube .sbv captions"),
    ("interview.txt", "txt", None), ("interview.txt", "otter", None), ("notes.md", "txt", None),
    ("interview", "txt", None), ("a.docx", "docx", None),
])
def test_extension_and_content_disagreeing_gives_one_line(name: str, fmt: str, warning: str | None) -> None:
    found = extension_mismatch(name, fmt)
    assert found is None if warning is None else found.startswith(warning)
    if found:
        assert "\n" not in found and "--format NAME" in found


@pytest.mark.parametrize("alias", ["TXT", ".txt", "text", "markdown"])
def test_format_names_are_forgiving(tmp_path: Path, alias: str) -> None:
    target = tmp_path / "a.log"
    target.write_text("P1: hi\nP2: hello\n", encoding="utf-8")
    assert read_file(target, format=alias).format == "txt"


# --- decoding ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "encoding", "text"), [
    ("P1: it cost £5 and I said “no”\n".encode("utf-8"), "utf-8", "P1: it cost £5 and I said “no”\n"),
    (b"\xef\xbb\xbfP1: hello\n", "utf-8-sig", "P1: hello\n"),
    ("P1: it cost £5 – I said “no” and it’s fine\n".encode("cp1252"), "cp1252",
     "P1: it cost £5 – I said “no” and it’s fine\n"),
    ("P1: hello\n".encode("utf-16"), "utf-16", "P1: hello\n"),
])
def test_decode_text_reports_the_encoding_that_worked(tmp_path: Path, raw: bytes, encoding: str,
                                                      text: str) -> None:
    target = tmp_path / "t.txt"
    target.write_bytes(raw)
    assert decode_text(target) == (text, encoding)


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_decode_text_normalises_line_endings(tmp_path: Path, newline: bytes) -> None:
    target = tmp_path / "t.txt"
    target.write_bytes(newline.join([b"P1: one", b"P2: two", b""]))
    assert decode_text(target)[0] == "P1: one\nP2: two\n"


def test_undecodable_byte_is_named_by_line(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252 and invalid as a utf-8 start byte.
    target = tmp_path / "t.txt"
    target.write_bytes(b"P1: one\nP2: two\nP3: bad \x81 byte\n")
    with pytest.raises(InputError, match=r"cannot decode text as utf-8 \(byte 0x81 on line 3\)") as exc:
        decode_text(target)
    _assert_names(exc, target, line=3)


def test_forced_encoding_failure_names_the_line(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_bytes("P1: fine\nP2: £5\n".encode("cp1252"))
    with pytest.raises(InputError, match="cannot decode as utf-8") as exc:
        read_file(target, encoding="utf-8")
    _assert_names(exc, target, line=2)


def test_forced_encoding_is_used(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_bytes("P1: £5\nP2: ok\n".encode("latin-1"))
    result = read_file(target, encoding="latin-1")
    assert result.encoding == "latin-1"
    assert result.turns[0].text == "£5"


def test_unknown_encoding_is_named(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_text("P1: hi\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown encoding 'klingon'") as exc:
        read_file(target, encoding="klingon")
    _assert_names(exc, target)
