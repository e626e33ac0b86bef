"""WebVTT, SubRip and YouTube .sbv caption files (engagement.ingest.readers.subtitles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engagement.errors import InputError
from engagement.ingest.readers import read_file

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8", newline="")
    return target


def _raises(target: Path, match: str, line: int | None = None) -> None:
    with pytest.raises(InputError, match=match) as exc:
        read_file(target)
    message = str(exc.value)
    assert str(target) in message and "\n" not in message
    if line is not None:
        assert exc.value.line == line and f"{target}:{line}:" in message


# --- WebVTT -------------------------------------------------------------------------------

def test_teams_vtt_reads_voice_spans_and_skips_notes_and_style() -> None:
    result = read_file(EXPORTS / "teams_meeting.vtt")
    assert result.format == "vtt"
    assert [t.speaker for t in result.turns] == ["Sarah Jenkins", "Tom Okafor", "Sarah Jenkins", "Priya Shah"]
    assert result.turns[1].text == "Can I ask first who actually gets to see my GP notes & test results?"
    assert not any("NOTE" in t.text or "Confidence" in t.text or "::cue" in t.text for t in result.turns)


def test_vtt_merges_consecutive_cues_of_one_speaker() -> None:
    result = read_file(EXPORTS / "teams_meeting.vtt")
    first = result.turns[0]
    assert first.text == ("Thanks everyone for joining this evening. I'm Sarah, "
                          "and I'll be facilitating the session on how your records are shared.")
    assert (first.start, first.end, first.source_line) == (3.12, 11.9, 13)
    assert "merged 6 cues into 4 turns" in result.notes


def test_vtt_cue_without_a_voice_continues_the_previous_speaker() -> None:
    third = read_file(EXPORTS / "teams_meeting.vtt").turns[2]
    assert third.speaker == "Sarah Jenkins"
    assert third.text.endswith("which is exactly what we want to talk about tonight.")
    assert (third.start, third.end) == (18.5, 24.75)


def test_zoom_vtt_reads_name_prefixes_and_keeps_prose_colons_as_text() -> None:
    result = read_file(EXPORTS / "zoom_meeting.vtt")
    assert [t.speaker for t in result.turns] == ["Sarah Jenkins", "P3", "Sarah Jenkins", "P3"]
    assert result.turns[1].text.endswith("Note: we delete it once it's transcribed.")
    assert [t.source_line for t in result.turns] == [4, 12, 20, 24]
    assert result.turns[0].end == 9.87


def test_vtt_cue_with_two_voices_gives_two_turns(tmp_path: Path) -> None:
    target = _write(tmp_path, "two.vtt", "WEBVTT\n\n00:01.000 --> 00:03.000\n<v Sarah>Ready?</v>\n"
                                         "<v.loud Tom>Yes!</v>\n")
    result = read_file(target)
    assert [(t.speaker, t.text) for t in result.turns] == [("Sarah", "Ready?"), ("Tom", "Yes!")]


def test_vtt_without_speakers_gives_one_turn_per_cue(tmp_path: Path) -> None:
    target = _write(tmp_path, "plain.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello there.\n\n"
                                           "00:00:02.500 --> 00:00:04.000\nHi.\n")
    result = read_file(target)
    assert [(t.speaker, t.text, t.source_line) for t in result.turns] == [("", "Hello there.", 3), ("", "Hi.", 6)]


def test_vtt_with_bom_crlf_and_header_metadata_reads(tmp_path: Path) -> None:
    target = tmp_path / "bom.vtt"
    target.write_bytes(b"\xef\xbb\xbfWEBVTT - Zoom\r\nKind: captions\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.000\r\n"
                       b"P1: One.\r\n\r\n2\r\n00:00:02.000 --> 00:00:03.000\r\nP2: Two.")
    result = read_file(target)
    assert result.encoding == "utf-8-sig"
    assert [(t.speaker, t.text, t.source_line) for t in result.turns] == [("P1", "One.", 5), ("P2", "Two.", 9)]


@pytest.mark.parametrize(("body", "line"), [
    ("1\n00:00:01.000 --> 00:00:0x.000\nP1: Hi.\n", 4),
    ("00:00:01,000 --> 00:00:02,000\nP1: Hi.\n", 3),
    ("1\n00:00:01.000 - 00:00:02.000\nP1: Hi.\n", 4),
    ("1\n00:00:01.000 --> 00:00:02.000\nP1: Hi.\n\n2\n00:00:02.000 -> 00:00:03.000\nP2: Hello.\n", 8),
])
def test_vtt_malformed_timing_line_is_named(tmp_path: Path, body: str, line: int) -> None:
    target = _write(tmp_path, "bad.vtt", "WEBVTT\n\n" + body)
    _raises(target, "malformed (WebVTT|cue) timing line", line)


@pytest.mark.parametrize("text", ["WEBVTT\n", "WEBVTT\n\nNOTE nothing was said\n",
                                  "WEBVTT\n\nSTYLE\n::cue { color: red }\n"])
def test_vtt_with_no_cues_is_an_error(tmp_path: Path, text: str) -> None:
    _raises(_write(tmp_path, "empty.vtt", text), "WebVTT file has no cues")


def test_vtt_without_header_is_an_error(tmp_path: Path) -> None:
    target = _write(tmp_path, "noheader.vtt", "00:00:01.000 --> 00:00:02.000\nP1: Hi.\n")
    _raises(target, "not a WebVTT file", 1)


def test_vtt_with_only_empty_cues_is_an_empty_transcript(tmp_path: Path) -> None:
    target = _write(tmp_path, "blank.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Sarah></v>\n")
    _raises(target, "empty transcript: no speaker turns found")


def test_vtt_whitespace_only_lines_separate_cues(tmp_path: Path) -> None:
    target = _write(tmp_path, "ws.vtt", "WEBVTT\n\nabc-1/1-0\n00:00:01.000 --> 00:00:02.000\n<v Ann>One.</v>\n  \n"
                                        "abc-1/2-0\n00:00:02.000 --> 00:00:03.000\n<v Bo>Two.</v>\n")
    result = read_file(target)
    assert [(t.speaker, t.text, t.source_line) for t in result.turns] == [("Ann", "One.", 4), ("Bo", "Two.", 8)]


def test_vtt_text_split_by_a_blank_line_joins_its_cue(tmp_path: Path) -> None:
    target = _write(tmp_path, "split.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nP1: I think\n\n"
                                           "it's fine.\n\n00:00:03.000 --> 00:00:04.000\nP2: Ok.\n")
    result = read_file(target)
    assert [(t.speaker, t.text) for t in result.turns] == [("P1", "I think it's fine."), ("P2", "Ok.")]
    assert any("joined 1 block(s) of text outside a cue" in n for n in result.notes)


# --- SubRip -------------------------------------------------------------------------------

def test_srt_merges_cues_of_a_labelled_speaker_and_unlabelled_cues_continue() -> None:
    result = read_file(EXPORTS / "captions_labelled.srt")
    assert result.format == "srt"
    assert [(t.speaker, t.source_line, t.start, t.end) for t in result.turns][:2] == [
        ("INTERVIEWER", 2, 1.0, 6.9), ("Sarah", 11, 7.5, 15.3)]
    assert result.turns[0].text == ("Can you tell me how you first heard about the shared care record? "
                                    "Take your time.")
    assert result.turns[1].text == "A letter from the surgery, I think. I didn't really read it, to be honest."


def test_srt_dialogue_dashes_split_one_cue_between_speakers() -> None:
    turns = read_file(EXPORTS / "captions_labelled.srt").turns
    assert [(t.speaker, t.text) for t in turns[2:]] == [("INTERVIEWER", "Did anyone explain it?"), ("Sarah", "No.")]


def test_srt_cue_not_preceded_by_a_blank_line_keeps_its_index_out_of_the_text(tmp_path: Path) -> None:
    target = _write(tmp_path, "tight.srt", "1\n00:00:01,000 --> 00:00:02,000\nP1: One.\n2\n"
                                           "00:00:02,000 --> 00:00:03,000\nP2: Two.\n")
    turns = read_file(target).turns
    assert [(t.speaker, t.text, t.source_line) for t in turns] == [("P1", "One.", 2), ("P2", "Two.", 5)]


def test_srt_without_labels_keeps_one_turn_per_cue_and_strips_tags() -> None:
    result = read_file(EXPORTS / "captions_unlabelled.srt")
    assert [(t.speaker, t.text) for t in result.turns] == [
        ("", "I think it's fine if it's the NHS."), ("", "But not insurance companies."),
        ("", "Who decides that, though?")]
    assert [t.source_line for t in result.turns] == [2, 6, 10]


@pytest.mark.parametrize("raw", [
    b"\xef\xbb\xbf1\r\n00:00:01,000 --> 00:00:02,000\r\nP1: One.\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,000\r\nP2: Two.",
    b"1\n00:00:01,000 --> 00:00:02,000  \nP1: One.\n   \n2\n00:00:02.000 --> 00:00:03.000\nP2: Two.\n\n\n",
    b"  1\n00:00:01,000-->00:00:02,000\nP1: One.\n\n00:00:02,000 --> 00:00:03,000\nP2: Two.\n",
])
def test_srt_tolerates_bom_crlf_stray_whitespace_and_missing_pieces(tmp_path: Path, raw: bytes) -> None:
    target = tmp_path / "messy.srt"
    target.write_bytes(raw)
    result = read_file(target)
    assert [(t.speaker, t.text, t.start, t.end) for t in result.turns] == [("P1", "One.", 1.0, 2.0),
                                                                          ("P2", "Two.", 2.0, 3.0)]


@pytest.mark.parametrize(("body", "match", "line"), [
    ("1\n00:00:01,000 --> 00:00:0x,000\nP1: Hi.\n", "malformed cue timing line", 2),
    ("1\n00:00:01,000 --> 00:00:02,000\nP1: Hi.\n\n2\n00:00:02,000 -> 00:00:03,000\nP1: Hi.\n",
     "malformed cue timing line", 6),
    ("1\n00:00:01,000 --> 00:00:02,000\nP1: Hi.\n\n2\nP1: no timing here\n", "cue 2 has no timing line", 6),
    ("1\n00:00:01,000 --> 00:00:02,000\nP1: Hi.\n\n2\n", "cue 2 has no timing line", 5),
])
def test_srt_malformed_cue_is_named_by_line(tmp_path: Path, body: str, match: str, line: int) -> None:
    _raises(_write(tmp_path, "bad.srt", body), match, line)


def test_srt_with_no_cues_is_an_empty_transcript(tmp_path: Path) -> None:
    _raises(_write(tmp_path, "empty.srt", "\n\n"), "empty transcript")


# --- committee captions in capitals, ">>" speaker changes ----------------------------------

def test_srt_capitals_committee_labels_and_chevrons() -> None:
    result = read_file(EXPORTS / "council_captions.srt")
    assert [(t.speaker, t.affiliation, t.text, t.source_line) for t in result.turns] == [
        ("THE CHAIR", "", "Item four, the shared care record.", 2),
        ("CLLR PATEL", "", "I have questions about consent.", 6),
        ("JANE SMITH", "MINISTER OF HEALTH", "Happy to answer. Dear Sir: that was the letter.", 11),
        ("THE CHAIR", "", "Thank you.", 16),
    ]


def test_vtt_chevron_without_a_name_is_a_new_unnamed_speaker(tmp_path: Path) -> None:
    target = _write(tmp_path, "news.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n>> PRIYA SHARMA: Good evening.\n\n"
                                          "00:00:03.000 --> 00:00:05.000\nWe start with the NHS.\n\n"
                                          "00:00:05.000 --> 00:00:07.000\n>> It was chaos.\n>> THE CHAIR: Order.\n")
    result = read_file(target)
    assert [(t.speaker, t.text) for t in result.turns] == [
        ("PRIYA SHARMA", "Good evening. We start with the NHS."), ("", "It was chaos."), ("THE CHAIR", "Order.")]
    assert "1 cue(s) open with '>>' (a new speaker) but name no one: speaker ''" in result.notes


# --- YouTube / Google .sbv -------------------------------------------------------------------

def test_sbv_gives_timed_turns_merging_a_speakers_cues() -> None:
    result = read_file(EXPORTS / "youtube_captions.sbv")      # BOM, CRLF
    assert (result.format, result.encoding) == ("sbv", "utf-8-sig")
    assert [(t.speaker, t.affiliation, t.start, t.end, t.source_line) for t in result.turns] == [
        ("THE CHAIR", "", 0.5, 4.0, 1),
        ("RIGHT HON. JANE SMITH", "MINISTER OF HEALTH", 4.0, 10.0, 5),
        ("MAŁGORZATA WIŚNIEWSKA", "", 10.0, 13.5, 12),
        ("RIGHT HON. JANE SMITH", "", 13.5, 16.0, 15),       # written ">> JANE SMITH:"
    ]
    assert result.turns[0].text == "Good evening and welcome to the health board meeting."
    assert result.turns[1].text == "Thank you. I will be brief. The clinic shut at 10:30 on Friday."


def test_sbv_without_labels_gives_one_turn_per_cue(tmp_path: Path) -> None:
    target = _write(tmp_path, "auto.sbv", "0:00:00.000,0:00:02.500\nhello and welcome\n\n"
                                          "0:01:02.000,0:01:05.120\nto the meeting\nabout records\n")
    result = read_file(target)
    assert [(t.speaker, t.text, t.start, t.end) for t in result.turns] == [
        ("", "hello and welcome", 0.0, 2.5), ("", "to the meeting about records", 62.0, 65.12)]


@pytest.mark.parametrize(("body", "match", "line"), [
    ("0:00:00.000,0:00:02.500\nHi.\n\n0:00:02.500 0:00:04.000\nBye.\n", "malformed SBV timing line", 4),
    ("Hello first.\n0:00:00.000,0:00:02.500\nHi.\n", "text before the first SBV cue", 1),
])
def test_sbv_malformed_file_is_named_by_line(tmp_path: Path, body: str, match: str, line: int) -> None:
    _raises(_write(tmp_path, "bad.sbv", body), match, line)


def test_sbv_with_no_cues_lists_the_formats(tmp_path: Path) -> None:
    _raises(_write(tmp_path, "empty.sbv", "\n\n"), "empty transcript: no speaker turns found .*--format NAME")


@pytest.mark.parametrize(("name", "match"), [
    ("notes.vtt", "not a WebVTT file"), ("notes.srt", "text before the first SubRip cue"),
    ("notes.sbv", "text before the first SBV cue"),
])
def test_a_caption_extension_on_plain_text_says_how_to_force_a_format(tmp_path: Path, name: str, match: str) -> None:
    _raises(_write(tmp_path, name, "Interviewer: Hello.\nP1: Hi.\n"), f"{match}.*force one with --format NAME", line=1)


ZOOM_DISPLAY_NAMES = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Funmi Adebayo | Healthwatch Norfolk: Welcome, everyone. Shall we start with the shared record?

2
00:00:04.500 --> 00:00:08.000
Kevin's iPad: Sorry, I'm on my tablet. I think it's a good idea.

3
00:00:08.500 --> 00:00:11.000
iPhone (2): Can you hear me? I worry who reads it.

4
00:00:11.500 --> 00:00:14.000
Funmi Adebayo | Healthwatch Norfolk: Yes, we can. Why do you worry?

5
00:00:14.500 --> 00:00:18.000
iPhone (2): Because my cousin works in a surgery: she sees everything.

6
00:00:18.500 --> 00:00:21.000
Kevin's iPad: Same here, to be honest.
"""


def test_zoom_display_names_of_any_shape_are_speakers_and_a_pipe_gives_the_organisation(tmp_path: Path) -> None:
    result = read_file(_write(tmp_path, "meeting.vtt", ZOOM_DISPLAY_NAMES))
    speakers = [t.speaker for t in result.turns]
    assert speakers == ["Funmi Adebayo", "Kevin's iPad", "iPhone (2)", "Funmi Adebayo", "iPhone (2)", "Kevin's iPad"]
    assert result.turns[0].affiliation == "Healthwatch Norfolk"
    # the colon inside the turn stays text
    assert result.turns[4].text == "Because my cousin works in a surgery: she sees everything."


def test_prose_colons_in_unlabelled_captions_do_not_become_speakers(tmp_path: Path) -> None:
    cues = "\n\n".join(f"{i}\n00:00:0{i}.000 --> 00:00:0{i}.900\n{text}" for i, text in enumerate([
        "The thing is: nobody asked us.", "We were told one thing.", "Then another.",
        "The thing is: they never wrote back.", "It was months.", "And nothing changed."], start=1))
    result = read_file(_write(tmp_path, "plain.vtt", "WEBVTT\n\n" + cues + "\n"))
    assert {t.speaker for t in result.turns} == {""}


def test_a_user_name_label_in_a_zoom_export_is_a_speaker(tmp_path) -> None:
    """Zoom writes the name someone joined with: a user name ("kemi.b") is a speaker like any other,
    not words to leave in the previous speaker's text."""
    cues = ["WEBVTT", ""]
    said = [("Ruth Ansah", "Shall we start with the GP records?"), ("kemi.b", "Mine are all over the place."),
            ("Ruth Ansah", "In what way?"), ("kemi.b", "Two surgeries, neither talks to the other."),
            ("Ruth Ansah", "Thank you."), ("kemi.b", "And the hospital has a third version.")]
    for i, (who, text) in enumerate(said, 1):
        cues += [str(i), f"00:00:{i * 5:02d}.000 --> 00:00:{i * 5 + 4:02d}.000", f"{who}: {text}", ""]
    path = tmp_path / "zoom.vtt"
    path.write_text("\n".join(cues), encoding="utf-8")
    turns = read_file(path).turns
    assert [t.speaker for t in turns] == [who for who, _ in said]
    assert all("kemi.b" not in t.text for t in turns)
