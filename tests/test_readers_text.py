"""Plain-text and Otter transcripts (engagement.ingest.readers.text)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engagement.errors import InputError
from engagement.ingest.readers import read_file
from engagement.ingest.readers.detect import sniff_text_format
from engagement.ingest.readers.text import label_strength, parse_timestamp, read_text
from engagement.ingest.readers.labels import ROLE_WORDS

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def _read(tmp_path: Path, text: str, name: str = "transcript.txt"):
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return read_file(target)


def _pairs(result) -> list[tuple[str, str]]:
    return [(t.speaker, t.text) for t in result.turns]


@pytest.mark.parametrize(("line", "speaker", "text", "start"), [
    ("Facilitator: Welcome, everyone.", "Facilitator", "Welcome, everyone.", None),
    ("P3: I agree.", "P3", "I agree.", None),
    ("Sarah: I agree.", "Sarah", "I agree.", None),
    ("Sarah Jenkins: I agree.", "Sarah Jenkins", "I agree.", None),
    ("INTERVIEWER: Go on.", "INTERVIEWER", "Go on.", None),
    ("INTERVIEWER : Go on.", "INTERVIEWER", "Go on.", None),
    ("Dr Patel: It depends.", "Dr Patel", "It depends.", None),
    ("[00:12:03] Interviewer: Go on.", "Interviewer", "Go on.", 723.0),
    ("(00:12:03) Interviewer: Go on.", "Interviewer", "Go on.", 723.0),
    ("00:12:03 Interviewer: Go on.", "Interviewer", "Go on.", 723.0),
    ("[12:03] Interviewer: Go on.", "Interviewer", "Go on.", 723.0),
    ("Interviewer [00:12:03]: Go on.", "Interviewer", "Go on.", 723.0),
    ("Interviewer (00:12:03.500): Go on.", "Interviewer", "Go on.", 723.5),
    ("Participant 4: Yes.", "Participant 4", "Yes.", None),
    ("R12: Yes.", "R12", "Yes.", None),
    ("P3 (female, 60s): Yes.", "P3", "Yes.", None),        # the bracket is the affiliation, see below
])
def test_each_label_shape_opens_a_turn(tmp_path: Path, line: str, speaker: str, text: str,
                                       start: float | None) -> None:
    result = _read(tmp_path, f"{line}\nFacilitator: Thanks.\n{line}\n")   # labels recur in a real session
    first = result.turns[0]
    assert (first.speaker, first.text, first.start, first.source_line) == (speaker, text, start, 1)


@pytest.mark.parametrize("header", ["Speaker 2  00:04:13", "Speaker 2 00:04:13", "Speaker 2 (00:04:13):",
                                    "Speaker 2 [00:04:13]"])
def test_label_and_time_on_their_own_line_take_the_text_below(tmp_path: Path, header: str) -> None:
    text = f"{header}\nI think it should stay with the GP.\n\nSpeaker 1  00:04:20\nWhy?\n"
    result = _read(tmp_path, text)
    assert _pairs(result) == [("Speaker 2", "I think it should stay with the GP."), ("Speaker 1", "Why?")]
    assert result.turns[0].start == 253.0
    assert result.format == "txt"


@pytest.mark.parametrize("prose", ["Note: this is important", "Well: I think so", "The thing is: they sell it",
                                   "So: what happens next", "Example: the pharmacy", "Date: 12 March"])
def test_colons_in_prose_do_not_open_turns(tmp_path: Path, prose: str) -> None:
    text = f"Facilitator: Welcome.\n{prose}\nP1: Hello.\n{prose}\nP1: Bye.\n"
    result = _read(tmp_path, text)
    assert [t.speaker for t in result.turns] == ["Facilitator", "P1", "P1"]
    assert result.turns[0].text == f"Welcome.\n{prose}"


def test_fixture_focus_group_keeps_prose_colons_inside_turns() -> None:
    result = read_file(EXPORTS / "focus_group_norfolk.txt")
    assert [t.speaker for t in result.turns] == ["Facilitator", "P1", "P2", "Facilitator", "P1", "P2"]
    assert result.turns[2].text.endswith("The thing is: nobody could tell me who had changed them.")
    assert result.turns[4].text == "Well: I think most people just want it to work."
    assert [t.source_line for t in result.turns] == [5, 8, 9, 11, 13, 15]
    assert "read lines 1-3 as the file's header, not turns (Date, Location)" in result.notes


def test_unlabelled_lines_continue_the_speaker_as_new_paragraphs(tmp_path: Path) -> None:
    text = "P1: First paragraph.\nStill P1.\n\nAnother paragraph, after a blank line.\nP2: Hi.\n"
    result = _read(tmp_path, text)
    assert _pairs(result) == [("P1", "First paragraph.\nStill P1.\nAnother paragraph, after a blank line."),
                              ("P2", "Hi.")]


def test_label_alone_on_its_line_takes_the_next_lines(tmp_path: Path) -> None:
    result = _read(tmp_path, "Interviewer:\nHow did you hear about it?\nP1:\nA letter.\n")
    assert _pairs(result) == [("Interviewer", "How did you hear about it?"), ("P1", "A letter.")]


def test_one_word_name_seen_once_is_text_unless_names_are_the_style(tmp_path: Path) -> None:
    once = _read(tmp_path, "Facilitator: Hi.\nP1: Hello.\nAnswer: maybe.\nMaybe: not.\nP1: Ok.\n")
    assert [t.speaker for t in once.turns] == ["Facilitator", "P1", "P1"]
    assert any("'Maybe' (line 4)" in note for note in once.notes)
    names = _read(tmp_path, "Ann: Hi.\nBob: Hello.\nAnn: So.\nBob: Yes.\nCara: Me too.\n", "names.txt")
    assert [t.speaker for t in names.turns] == ["Ann", "Bob", "Ann", "Bob", "Cara"]


def test_multi_word_name_seen_once_is_a_speaker(tmp_path: Path) -> None:
    result = _read(tmp_path, "Facilitator: Hi.\nSarah Jenkins: Hello.\n")
    assert [t.speaker for t in result.turns] == ["Facilitator", "Sarah Jenkins"]


def test_label_with_no_text_is_dropped_and_noted(tmp_path: Path) -> None:
    result = _read(tmp_path, "P1: Hello.\nP2:\nP1: Anyone?\n")
    assert [t.speaker for t in result.turns] == ["P1", "P1"]
    assert any("dropped 1 speaker label(s) with no text (first on line 2)" in n for n in result.notes)


@pytest.mark.parametrize("text", ["", "\n\n", "Just some notes about the day.\nNothing labelled here.\n"])
def test_empty_transcript_is_an_error_naming_the_file(tmp_path: Path, text: str) -> None:
    target = tmp_path / "empty.txt"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="empty transcript: no speaker turns found") as exc:
        read_file(target, format="txt")
    assert str(target) in str(exc.value)


def test_cp1252_transcript_keeps_pound_sign_and_curly_quotes(tmp_path: Path) -> None:
    target = tmp_path / "old_laptop.txt"
    target.write_bytes("P1: It’s £12 a month – “too much”.\nP2: Agreed.\n".encode("cp1252"))
    result = read_file(target)
    assert result.encoding == "cp1252"
    assert result.turns[0].text == "It’s £12 a month – “too much”."


def test_bom_and_crlf_transcript_reads_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "bom.txt"
    target.write_bytes(b"\xef\xbb\xbfFacilitator: Welcome.\r\nP1: Thanks.\r\n")
    result = read_file(target)
    assert result.encoding == "utf-8-sig"
    assert _pairs(result) == [("Facilitator", "Welcome."), ("P1", "Thanks.")]


# --- Otter --------------------------------------------------------------------------------

def test_otter_export_gives_speakers_times_and_paragraphs() -> None:
    result = read_file(EXPORTS / "otter_interview.txt")
    assert result.format == "otter"
    assert [t.speaker for t in result.turns] == ["Sarah Jenkins", "Speaker 1"] * 2 + ["Sarah Jenkins"]
    assert [t.start for t in result.turns] == [4.0, 11.0, 19.0, 27.0, 3753.0]
    assert [t.source_line for t in result.turns] == [1, 4, 7, 10, 15]
    assert result.turns[1].text == "Yeah, that's fine. Note: I might have to stop at half past."
    assert result.turns[3].text.count("\n") == 1
    assert "otter.ai" not in result.turns[-1].text


SERVICE_HEADER = """Project: Health Data Conversations (Healthwatch Cambridgeshire)
Interview ID: 12
Date: Tuesday 21st October 2026, 2.30pm
Interviewer: Priya Raval
Note taker: Eoin Kavanagh (Healthwatch)
Location: Community room, Cambridge
Audio file: cambs_interview_12.m4a
Duration: 00:10:04
Key: INT = Interviewer, R = Respondent. [inaudible hh:mm:ss] = unclear audio.

INT: Okay, so that's recording. Thanks for doing this.

R: No problem. Happy to.

INT: So Eoin's got your consent form?

R: Yep, all signed.
"""


def test_a_transcription_services_header_block_is_the_header_not_speakers(tmp_path: Path) -> None:
    result = _read(tmp_path, SERVICE_HEADER)
    assert {t.speaker for t in result.turns} == {"INT", "R"}            # not "Interview ID", "Note taker"
    assert result.turns[0].text == "Okay, so that's recording. Thanks for doing this."
    assert set(result.names) == {"Priya Raval", "Eoin Kavanagh"}          # for de-identification
    assert result.header["Date"].startswith("Tuesday 21st October 2026")
    assert result.header["Interviewer"] == "" and result.header["Note taker"] == ""   # names kept apart
    assert any("as the file's header" in n for n in result.notes)


def test_a_file_opening_with_a_role_that_talks_keeps_its_first_turn(tmp_path: Path) -> None:
    text = "Date: 3 March 2026\nInterviewer: Right, shall we start?\nR: Go on then.\nInterviewer: Good.\n"
    result = _read(tmp_path, text)
    assert [t.speaker for t in result.turns][:2] == ["Interviewer", "R"]
    assert result.turns[0].text == "Right, shall we start?"


def test_otter_blocks_of_one_speaker_after_a_pause_are_one_turn(tmp_path: Path) -> None:
    text = ("Ayesha Patel  0:04\nSo tell me about your GP.\n\n"
            "Speaker 1  0:09\nWell, it's been hard.\n\n"
            "Speaker 1  0:31\nThey lost my letters twice.\n\n"
            "Ayesha Patel  0:40\nI see.\n")
    result = _read(tmp_path, text, "otter.txt")
    assert [(t.speaker, t.text, t.start) for t in result.turns] == [
        ("Ayesha Patel", "So tell me about your GP.", 4.0),
        ("Speaker 1", "Well, it's been hard.\nThey lost my letters twice.", 9.0),
        ("Ayesha Patel", "I see.", 40.0)]
    assert any("joined 1 Otter block" in note for note in result.notes)


def test_otter_header_needs_a_blank_line_before_it(tmp_path: Path) -> None:
    text = "Sarah Jenkins  0:04\nWe met on\nMonday Morning  10:30\n\nSpeaker 1  0:40\nRight.\n"
    result = _read(tmp_path, text, "otter.txt")
    assert result.format == "otter"
    assert _pairs(result)[0] == ("Sarah Jenkins", "We met on\nMonday Morning  10:30")


@pytest.mark.parametrize(("value", "seconds"), [("0:04", 4.0), ("12:03", 723.0), ("1:02:33", 3753.0),
                                                ("00:12:03,250", 723.25), ("[00:00:01.5]", 1.5)])
def test_parse_timestamp(value: str, seconds: float) -> None:
    assert parse_timestamp(value) == seconds


@pytest.mark.parametrize(("label", "strength"), [
    ("Facilitator", "strong"), ("co-facilitator", "strong"), ("Speaker 2", "strong"), ("P3", "strong"),
    ("INTERVIEWER", "strong"), ("SARAH", "strong"), ("Dr Patel", "strong"), ("Q", "strong"), ("NHS", "weak"),
    ("Sarah", "weak"), ("Sarah Jenkins", "weak"), ("Mary-Ann O'Neil", "weak"), ("Ana de Souza", "weak"),
    ("Note", None), ("NOTE", None), ("Well", None), ("The thing is", None), ("The Thing", None),
    ("he said", None), ("One Two Three Four Five", None),
    ("Attendee 4", "strong"), ("Guest 2", "strong"), ("Panellist 3", "strong"), ("Carer #2", "strong"),
    ("Service User 1", "strong"), ("Question 3", None), ("Scenario 2", None), ("Section 4", None),
])
def test_label_strength(label: str, strength: str | None) -> None:
    assert label_strength(label) == strength


# --- property: any rendering of turns parses back to the same turns ---------------------

SPEAKERS = ["Facilitator", "Interviewer", "INTERVIEWER", "P3", "P12", "R2", "Speaker 2", "Participant 4",
            "Sarah", "Tom", "Sarah Jenkins", "Dr Patel", "Mary-Ann O'Neil",
            # committee and council labels, and names from the communities the suite hears from
            "The Chair", "Right Hon. Jane Smith", "Cllr Patel", "Prof. Amina Okafor", "Mr Speaker", "JANE SMITH",
            "Wojciech Kowalczyk", "Siobhán Ní Bhriain", "Oluwaseun Adébáyọ̀", "Chen Xiaoming", "张伟",
            "Gurpreet Kaur Sandhu", "Kwame Mensah"]
WORDS = ["the", "records", "GP", "NHS", "data", "shared", "I", "think", "hospital", "Essex", "who", "can",
         "see", "it,", "and", "[inaudible]", "worried", "£5", "it's", "don't", "Yes.", "no", "because",
         "my", "mum", "10", "well", "—", "Sarah", "P3", "said", "“fine”"]
PROSE_COLONS = ["Note:", "Well:", "The thing is:", "So:", "Example:"]


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _otter_time(seconds: int) -> str:
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


STYLES = {
    "colon": lambda lab, t: (f"{lab}: ", True),
    "bracket_ts": lambda lab, t: (f"[{_hms(t)}] {lab}: ", True),
    "paren_ts": lambda lab, t: (f"({_hms(t)}) {lab}: ", True),
    "bare_ts": lambda lab, t: (f"{_hms(t)} {lab}: ", True),
    "ts_after": lambda lab, t: (f"{lab} [{_hms(t)}]: ", True),
    "label_line": lambda lab, t: (f"{lab}  {_hms(t)}", False),
    "otter": lambda lab, t: (f"{lab}  {_otter_time(t)}", False),
    "zoom_saved": lambda lab, t: (f"[{lab}] {_hms(t)}", False),     # Zoom's "Save transcript" text
    "dash_line": lambda lab, t: (f"{lab} - {_hms(t)}", False),
    "dash_line_mmss": lambda lab, t: (f"{lab} – {_otter_time(t)}", False),
    "paren_line": lambda lab, t: (f"{lab} ({_hms(t)})", False),
    "paren_inline": lambda lab, t: (f"{lab} ({_hms(t)}) ", True),
    "dash_inline": lambda lab, t: (f"{lab} - {_hms(t)} ", True),
    "md_bold": lambda lab, t: (f"**{lab}:** ", True),
    "md_bold_colon_after": lambda lab, t: (f"**{lab}**: ", True),
    "md_underscore": lambda lab, t: (f"__{lab}:__ ", True),
    "affiliation": lambda lab, t: (f"{lab} (Health Committee (East, Lab.)): ", True),
}
TIMED = {"bracket_ts", "paren_ts", "bare_ts", "ts_after", "label_line", "otter", "zoom_saved", "dash_line", "dash_line_mmss",
         "paren_line", "paren_inline", "dash_inline"}

paragraphs = st.lists(
    st.tuples(st.one_of(st.just(""), st.sampled_from(PROSE_COLONS)),
              st.lists(st.sampled_from(WORDS), min_size=1, max_size=10))
    .map(lambda pw: " ".join(([pw[0]] if pw[0] else []) + pw[1])),
    min_size=1, max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(style=st.sampled_from(sorted(STYLES)), data=st.data())
def test_rendered_turns_parse_back_to_the_same_speakers_and_texts(style: str, data: st.DataObject) -> None:
    cast = data.draw(st.lists(st.sampled_from(SPEAKERS), min_size=1, max_size=4, unique=True), label="cast")
    extra = data.draw(st.lists(st.sampled_from(cast), max_size=6), label="extra")
    speakers = cast + cast + extra          # every label recurs, as in a real session
    turns = [(who, data.draw(paragraphs, label="paragraphs")) for who in speakers]
    blank_between_turns = style == "otter" or data.draw(st.booleans(), label="blank between turns")
    paragraph_gap = data.draw(st.sampled_from(["\n", "\n\n"]), label="paragraph gap")

    chunks = []
    for i, (who, paras) in enumerate(turns):
        head, inline = STYLES[style](who, 37 * i + 4)
        body = paragraph_gap.join(paras[1:] if inline else paras)
        first = head + paras[0] if inline else head
        chunks.append(first + ("\n" + body if body else ""))
    text = ("\n\n" if blank_between_turns else "\n").join(chunks) + "\n"

    # a role label whose first turn is nothing but name-like words ("Facilitator: Sarah Essex") before
    # the talk is read as a header line, by design (metadata_header): no round trip for that one case
    first_who, first_paras = turns[0]
    assume(not (style != "otter" and ROLE_WORDS.match(first_who) and len(first_paras) == 1
                and all(w[:1].isupper() for w in first_paras[0].split()) and len(first_paras[0].split()) >= 2))
    fmt = sniff_text_format(text, ".txt")
    assert fmt == ("otter" if style == "otter" else "txt")
    result = read_text("<rendered>", text, "utf-8", otter=fmt == "otter")
    expected_turns = [(who, "\n".join(paras), float(37 * i + 4)) for i, (who, paras) in enumerate(turns)]
    if style == "otter":    # Otter's consecutive blocks of one speaker are one turn
        joined: list[tuple[str, str, float]] = []
        for who, body, start in expected_turns:
            if joined and joined[-1][0] == who:
                joined[-1] = (who, joined[-1][1] + "\n" + body, joined[-1][2])
            else:
                joined.append((who, body, start))
        expected_turns = joined
    assert [(t.speaker, t.text) for t in result.turns] == [(who, body) for who, body, _ in expected_turns]
    if style in TIMED:
        assert [t.start for t in result.turns] == [start for _, _, start in expected_turns]
    expected = "Health Committee (East, Lab.)" if style == "affiliation" else ""
    assert {t.affiliation for t in result.turns} == {expected}


# --- committee labels, dash and bracket times, Markdown (issue 10) ------------------------

def test_committee_labels_keep_the_person_and_put_the_bracket_in_affiliation() -> None:
    result = read_file(EXPORTS / "committee_hearing.txt")     # BOM, CRLF, a header block
    assert result.encoding == "utf-8-sig"
    assert [(t.speaker, t.affiliation) for t in result.turns] == [
        ("The Chair", "Hon. A. Rota (Nipissing, Lib.)"),
        ("Right Hon. Jane Smith", "Minister of Health"),
        ("Cllr Patel", ""),
        ("Right Hon. Jane Smith", ""),          # written "Jane Smith:": the same person
        ("Prof. Amina Okafor", ""),
        ("Mr Speaker", ""),
        ("Dr Nguyễn Thị Hoa", "Suffolk GP Federation"),
        ("The Chair", ""),
    ]
    assert "read speaker 'Jane Smith' as 'Right Hon. Jane Smith' (the same name)" in result.notes


def test_quoted_letter_notes_and_times_stay_inside_the_turn() -> None:
    minister = read_file(EXPORTS / "committee_hearing.txt").turns[1]
    assert minister.text == ("Thank you, Chair. I will read the letter we received:\n"
                             "\"Dear Sir: the clinic on Carr Street shut at 10:30 without warning.\"\n"
                             "Note: the clinic shut at 5 on weekdays before that.")
    assert minister.source_line == 7


def test_titles_resolve_to_one_speaker_only_when_the_reader_can_tell(tmp_path: Path) -> None:
    text = "Dr Patel: Hello.\nPatel: Again.\nCllr Okafor: Hi.\nDr Okafor: Also hi.\nOkafor: Which one?\n" * 2
    speakers = [t.speaker for t in _read(tmp_path, text).turns]
    assert speakers == ["Dr Patel", "Dr Patel", "Cllr Okafor", "Dr Okafor", "Okafor"] * 2


@pytest.mark.parametrize(("line", "speaker", "affiliation"), [
    ("The Chair: Order.", "The Chair", ""),
    ("THE CHAIR: Order.", "THE CHAIR", ""),
    ("Madam Deputy Speaker: Order.", "Madam Deputy Speaker", ""),
    ("Right Hon. Jane Smith (Minister of Health): Thanks.", "Right Hon. Jane Smith", "Minister of Health"),
    ("The Rt Hon. Sir Edward Davey-Jones (Kingston): Thanks.", "The Rt Hon. Sir Edward Davey-Jones", "Kingston"),
    ("The Chair (Hon. A. Rota (Nipissing, Lib.)): Next.", "The Chair", "Hon. A. Rota (Nipissing, Lib.)"),
    ("Cllr Patel: Yes.", "Cllr Patel", ""),
    ("Prof. Amina Okafor: Indeed.", "Prof. Amina Okafor", ""),
    ("Baroness Kennedy of Cradley: Indeed.", "Baroness Kennedy of Cradley", ""),
    ("Mr Speaker: Order.", "Mr Speaker", ""),
    ("Dame Siobhán Ní Bhriain: Yes.", "Dame Siobhán Ní Bhriain", ""),
    ("Shri Rajesh Kumar (Ward 7): Yes.", "Shri Rajesh Kumar", "Ward 7"),
    ("Sarah Jenkins (she/her): Yes.", "Sarah Jenkins", "she/her"),
])
def test_committee_label_seen_once_opens_a_turn(tmp_path: Path, line: str, speaker: str, affiliation: str) -> None:
    result = _read(tmp_path, f"Facilitator: Welcome.\n{line}\n")
    assert [(t.speaker, t.affiliation, t.source_line) for t in result.turns][1] == (speaker, affiliation, 2)


def test_numbered_attendees_are_speakers_and_numbered_headings_are_not(tmp_path: Path) -> None:
    """Transcribers number the people they cannot name; a focus-group guide numbers its scenarios."""
    result = _read(tmp_path, "[00:00:04] Moderator: Let's start.\n[00:00:19] Attendee 1: Do we say our names?\n"
                             "[00:00:22] Moderator: No need. Here is the first card.\nScenario 2: your GP shares your notes.\n"
                             "[00:00:40] Attendee 2: I'd want to be asked first.\n[00:00:51] Guest 3: Same.\n")
    assert [t.speaker for t in result.turns] == ["Moderator", "Attendee 1", "Moderator", "Attendee 2", "Guest 3"]
    assert result.turns[2].text.endswith("Scenario 2: your GP shares your notes.")


@pytest.mark.parametrize("false_friend", [
    "Dear Sir: the clinic shut.", "Dear Dr Patel: thank you.", "Note: the clinic shut at 5",
    "We arrived at 10:30: nobody was there.", "NOTE: recorded", "Re: your letter", "Hi Sarah: yes",
    "Clinic Hours - 10:30", "Yours sincerely: J.", "Head of Service: Dr Okafor",
])
def test_false_friends_stay_text_inside_the_turn(tmp_path: Path, false_friend: str) -> None:
    result = _read(tmp_path, f"Interviewer: Read it out.\nWojciech Kowalczyk: It says\n{false_friend}\n"
                             "Interviewer: Thanks.\n")
    assert [t.speaker for t in result.turns] == ["Interviewer", "Wojciech Kowalczyk", "Interviewer"]
    assert result.turns[1].text == f"It says\n{false_friend}"


def test_dash_time_headers_take_the_text_below_or_beside() -> None:
    result = read_file(EXPORTS / "interview_dash_times.txt")
    assert result.format == "txt"
    assert [(t.speaker, t.start, t.source_line) for t in result.turns] == [
        ("Interviewer", 4.0, 4), ("Wojciech Kowalczyk", 11.0, 7), ("Interviewer", 62.0, 11),
        ("Wojciech Kowalczyk", 75.0, 14), ("Oluwaseun Adébáyọ̀", 3753.0, 17)]
    assert result.turns[1].text == "From a leaflet at the surgery.\nWe got there at 10:30 and it was on the desk."
    assert result.turns[3].text == "Honestly? Note: I didn't read all of it."
    assert result.turns[4].text == "I came in late, sorry. My mum's records are the worry."


def test_bracket_time_headers_with_text_below_or_beside() -> None:
    result = read_file(EXPORTS / "interview_paren_times.txt")     # CRLF
    assert [(t.speaker, t.start) for t in result.turns] == [
        ("Interviewer", 5.0), ("Siobhán Ní Bhriain", 9.0), ("Interviewer", 15.0), ("Chen Xiaoming", 21.0),
        ("张伟", 40.0), ("Priya Raghunathan", 723.0)]
    assert result.turns[3].text == "Only what they need, and at 10:30 on a Monday nobody answers the phone."
    assert result.turns[5].text == "It depends who is asking."


@pytest.mark.parametrize(("line", "start", "end"), [
    ("Interviewer - 00:12:03", 723.0, None), ("Interviewer – 12:03", 723.0, None),
    ("Interviewer (00:12:03)", 723.0, None), ("Interviewer [00:12:03 - 00:12:09]", 723.0, 729.0),
])
def test_time_header_variants_give_start_and_end(tmp_path: Path, line: str, start: float, end: float | None) -> None:
    result = _read(tmp_path, f"{line}\nGo on.\n\nKwame Mensah - 00:12:10\nRight.\n")
    assert (result.turns[0].speaker, result.turns[0].text, result.turns[0].start, result.turns[0].end) == (
        "Interviewer", "Go on.", start, end)


def test_markdown_bold_labels_open_turns_and_bold_prose_does_not() -> None:
    result = read_file(EXPORTS / "focus_group_markdown.md")
    assert (result.format, [t.speaker for t in result.turns]) == ("txt", [
        "Facilitator", "Gurpreet Kaur Sandhu", "Aoife O'Sullivan", "Facilitator", "Gurpreet Kaur Sandhu"])
    assert result.turns[2].text == ("Aoife. I work nights at the hospital.\n"
                                    "**Note:** the clinic shut at 5, so I couldn't get his letters.")
    assert result.turns[0].source_line == 3


def test_an_unlabelled_transcript_says_how_it_was_read_and_how_to_force_a_format(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("We met at the library at 10:30.\nEveryone came.\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_file(target)
    message = str(exc.value)
    assert message.startswith(f"{target}: empty transcript: no speaker turns found (read as plain text")
    assert "'Name:'" in message and "--format NAME" in message and "\n" not in message
    assert all(name in message for name in ("txt", "otter", "docx", "vtt", "srt", "sbv", "table", "csv", "xlsx"))


@pytest.mark.parametrize(("label", "strength"), [
    ("The Chair", "strong"), ("THE CHAIR", "strong"), ("Mr Speaker", "strong"), ("Right Hon. Jane Smith", "strong"),
    ("Cllr Patel", "strong"), ("Prof. Amina Okafor", "strong"), ("Oluwaseun Adébáyọ̀", "weak"), ("张伟", "weak"),
    ("Jane Smith (Minister of Health)", "weak"), ("Dear Sir", None), ("The Clinic", None), ("Right", None),
])
def test_label_strength_of_committee_labels_and_names(label: str, strength: str | None) -> None:
    assert label_strength(label) == strength


def test_a_header_naming_the_facilitator_is_not_a_turn(tmp_path: Path) -> None:
    """'Facilitator: <a name>' above the talk is the transcript's header; 'Facilitator: Good morning' is talk."""
    result = _read(tmp_path, "Focus group, Thetford library\nFacilitator: Oyelaran Adebisi-Hart\n"
                             "Note taker: M. Kowalczyk and Tam Huynh\nFacilitator: Good Morning Everyone.\n"
                             "P1: Morning.\nFacilitator: Right, records.\nP2: Jane Smith.\n")
    assert [(t.speaker, t.text) for t in result.turns] == [
        ("Facilitator", "Good Morning Everyone."), ("P1", "Morning."), ("Facilitator", "Right, records."),
        ("P2", "Jane Smith.")]
    assert "read lines 1-3 as the file's header, not turns (Facilitator, Note taker)" in result.notes
    assert not any("Adebisi-Hart" in t.text for t in result.turns)


def test_the_people_a_header_names_are_passed_on_for_de_identification(tmp_path: Path) -> None:
    result = _read(tmp_path, "Facilitator: Oyelaran Adebisi-Hart\nNote taker: M. Kowalczyk, Tam Huynh & J.\n"
                             "Facilitator: Good morning.\nP1: Morning.\n")
    assert result.names == ("Oyelaran Adebisi-Hart", "M. Kowalczyk", "Tam Huynh")   # a lone initial names nobody
    assert _read(tmp_path, "Facilitator: Good morning.\nP1: Morning, Helen.\n").names == ()


def test_numbered_questions_in_interview_notes_are_one_speaker(tmp_path):
    """Notes number their questions ("Q1:", "Q2:"); the numbers are the questions', not people's."""
    notes = ("Q1: How long have you been with the practice?\nA: Since it opened, she said.\n\n"
             "Q2: Any trouble with letters?\nA: Plenty.\n\nQ3: Anything else?\nA: No.\n")
    path = tmp_path / "notes.txt"
    path.write_text(notes, encoding="utf-8")
    result = read_file(path)
    assert {t.speaker for t in result.turns} == {"Q", "A"} and len(result.turns) == 6
    assert any("numbered questions" in n for n in result.notes)


def test_a_notes_header_with_remarks_and_initials_is_no_turn(tmp_path):
    """The first paragraph of interview notes is a header when two or more of its lines are known
    fields, whatever else it says ("Interviewer: SK", "Respondent: prefers to be called Mo")."""
    text = ("PHONE NOTES\nArea: Haverhill\nInterviewer: TK\nCall: Tues pm, 40 mins\n"
            "Respondent: prefers to be called Mo. Consented to notes.\nNot verbatim.\n\n"
            "Q: What comes to mind?\nA: The GP, mostly.\n\nQ: Anything else?\nA: The hospital letters.\n")
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    result = read_file(path)
    assert [t.speaker for t in result.turns] == ["Q", "A", "Q", "A"]
    assert "Mo." not in " ".join(t.text for t in result.turns)
