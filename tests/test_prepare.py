"""prepare end to end on tiny projects, and every input error path of the manifest and files."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from engagement.cli import main
from engagement.config import load_config
from engagement.errors import EngagementError
from engagement.prepare import prepare
from tests.conftest import FOCUS_GROUP, INTERVIEW, SURVEY, write_project


def _processed_files(root):
    folder = root / "data" / "processed"
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_prepare_writes_the_four_tables_and_redactions(tiny_config, tiny_project):
    result = prepare(tiny_config)
    for name in ("sessions", "participants", "turns", "segments", "redactions"):
        assert (tiny_project / "data" / "processed" / f"{name}.parquet").is_file()
    sessions = result.tables["sessions"].set_index("session_id")
    assert sessions.loc["ESX-FG1", "format"] == "txt"
    assert sessions.loc["SURVEY", "kind"] == "survey"
    turns = result.tables["turns"]
    fg = turns[turns.session_id == "ESX-FG1"]
    assert fg["role"].tolist()[0] == "facilitator"
    # the continuation line joined Tomasz's turn
    assert "letters from the hospital" in fg.iloc[2]["text"]
    assert "crosstalk" in fg.iloc[1]["flags"]
    # survey respondents get pseudonymous ids and the region of their row
    survey = turns[turns.session_id == "SURVEY"]
    assert set(survey["region"]) == {"Essex", "Norfolk", "Suffolk"}
    assert survey["participant_id"].str.startswith("SURVEY-R").all()


def test_prepared_tables_hold_no_speaker_names_or_planted_details(tiny_config):
    result = prepare(tiny_config)
    everything = " ".join(df.astype(str).to_csv() for df in result.tables.values())
    for value in ("Sarah", "Tomasz", "Jenkins", "07700 900461", "943 476 5919"):
        assert value not in everything


def test_participants_table_has_roles_and_attributes_but_no_labels(tiny_config):
    parts = prepare(tiny_config).tables["participants"].set_index("participant_id")
    assert parts.loc["ESX-FG1-P01", "age_band"] == "45-54"
    assert parts.loc["ESX-FG1-F1", "role"] == "facilitator"
    assert "speaker_label" not in parts.columns and "name" not in parts.columns


def test_withdrawn_participant_disappears_from_every_table(tiny_project):
    write_project(tiny_project, withdrawals="participant_id,date,note\nESX-FG1-P02,2026-03-05,withdrew\nR0004,,\n")
    result = prepare(load_config(tiny_project / "engagement.yaml"))
    for name, df in result.tables.items():
        if "participant_id" in df:
            assert not df["participant_id"].isin(["ESX-FG1-P02", "SURVEY-R0004"]).any(), name
    assert "insurance companies" not in " ".join(result.tables["turns"]["text"])
    assert result.summary["withdrawal"]["participants_removed"] == 2


def test_segments_are_sentences_with_aligned_tokens_and_lemmas(tiny_config):
    segs = prepare(tiny_config).tables["segments"]
    assert len(segs) > 8
    for rec in segs.to_dict("records"):
        assert len(rec["tokens"].split(" ")) == len(rec["lemmas"].split(" "))


def test_a_second_run_gives_identical_tables(tiny_config):
    first = prepare(tiny_config).tables
    second = prepare(tiny_config).tables
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


# ---- error paths: one line naming file (and line), non-zero exit, nothing written ----

def _run_cli(root, capsys):
    code = main(["--config", str(root / "engagement.yaml"), "prepare", "--quiet"])
    err = capsys.readouterr().err.strip()
    return code, err


SESSIONS_HEADER = "session_id,file,region,kind,date,facilitators\n"
PEOPLE = "session_id,speaker_label,participant_id,role\nS1,Sarah,S1-P1,participant\nS1,Tomasz,S1-P2,participant\n"


@pytest.mark.parametrize("case, files, sessions, participants, expect", [
    ("unknown speaker", {"a.txt": FOCUS_GROUP}, SESSIONS_HEADER + "S1,a.txt,Essex,focus_group,,Facilitator\n",
     "session_id,speaker_label,participant_id,role\nS1,Sarah,S1-P1,participant\n", ["a.txt:", "unknown speaker label 'Tomasz'"]),
    ("missing file", {}, SESSIONS_HEADER + "S1,nowhere.txt,Essex,focus_group,,Facilitator\n", PEOPLE,
     ["sessions.csv:2", "file not found: nowhere.txt"]),
    ("duplicate session", {"a.txt": FOCUS_GROUP},
     SESSIONS_HEADER + "S1,a.txt,Essex,focus_group,,Facilitator\nS1,a.txt,Essex,focus_group,,Facilitator\n", PEOPLE,
     ["sessions.csv:3", "duplicate session_id 'S1'"]),
    ("duplicate participant", {"a.txt": FOCUS_GROUP}, SESSIONS_HEADER + "S1,a.txt,Essex,focus_group,,Facilitator\n",
     PEOPLE + "S1,Sal,S1-P1,participant\n", ["participants.csv:4", "duplicate participant_id 'S1-P1'"]),
    ("unknown region", {"a.txt": FOCUS_GROUP}, SESSIONS_HEADER + "S1,a.txt,Kent,focus_group,,Facilitator\n", PEOPLE,
     ["sessions.csv:2", "region 'Kent' is not in the configured regions"]),
    ("bad kind", {"a.txt": FOCUS_GROUP}, SESSIONS_HEADER + "S1,a.txt,Essex,workshop,,Facilitator\n", PEOPLE,
     ["sessions.csv:2", "kind 'workshop'"]),
    ("empty transcript", {"a.txt": "\n\n  \n"}, SESSIONS_HEADER + "S1,a.txt,Essex,focus_group,,Facilitator\n", PEOPLE,
     ["a.txt", "empty"]),
    ("binary file", {"a.txt": b"\x00\x01\x02PK\x00\xff" * 50}, SESSIONS_HEADER + "S1,a.txt,Essex,focus_group,,Facilitator\n",
     PEOPLE, ["a.txt", "binary or corrupt"]),
    ("vtt without cues", {"a.vtt": "WEBVTT\n\nNOTE nothing here\n"}, SESSIONS_HEADER + "S1,a.vtt,Essex,focus_group,,Facilitator\n",
     PEOPLE, ["a.vtt", "cue"]),
    ("undecodable", {"a.txt": b"Sarah: caf\x81\x8d\x8f\x90 " * 3}, SESSIONS_HEADER + "S1,a.txt,Essex,focus_group,,Facilitator\n",
     PEOPLE, ["a.txt", "decode"]),
    ("survey region", {"s.csv": "id,region,answer\nR1,Kent,hello\n"},
     "session_id,file,region,kind,respondent_column,text_column,region_column\nSV,s.csv,,survey,id,answer,region\n",
     "session_id,speaker_label,participant_id,role\n", ["s.csv:2", "area is none of the configured regions",
                                                     "give session SV a region"]),
])
def test_input_errors_stop_with_one_line_and_write_nothing(tmp_path, capsys, case, files, sessions, participants, expect):
    root = write_project(tmp_path, sessions=sessions, participants=participants, files=files)
    code, err = _run_cli(root, capsys)
    assert code != 0, case
    assert len(err.splitlines()) == 1, err
    for fragment in expect:
        assert fragment in err, (case, err)
    assert _processed_files(root) == [], "nothing may be written after an input error"


SURVEY_AREAS = ("id,area,answer\nR1,cambs,I worry about it being sold.\nR2,WISBECH,Happy if it is kept safe.\n"
                "R3, norfolk ,Only for my care.\nR4,nr31 6jh,Nobody asked me.\n")
SURVEY_SESSION = "session_id,file,region,kind,respondent_column,text_column,region_column\nSV,s.csv,{},survey,id,answer,area\n"


def test_survey_areas_are_read_as_people_type_them_and_an_unplaced_answer_never_quoted(tmp_path, capsys):
    """Respondents type their area: a short form, a town, any case. One typed a postcode: it stops the
    run without being repeated (a postcode is a detail), or takes the session's own region."""
    people = "session_id,speaker_label,participant_id,role\n"
    root = write_project(tmp_path / "a", sessions=SURVEY_SESSION.format(""), participants=people,
                         files={"s.csv": SURVEY_AREAS})
    code, err = _run_cli(root, capsys)
    assert code != 0 and "s.csv:5" in err and "give session SV a region" in err
    assert "nr31" not in err.lower() and "6jh" not in err.lower()
    root = write_project(tmp_path / "b", sessions=SURVEY_SESSION.format("Norfolk"), participants=people,
                         files={"s.csv": SURVEY_AREAS})
    prepare(load_config(root / "engagement.yaml"))
    turns = pd.read_parquet(root / "data/processed/turns.parquet").set_index("participant_id")
    assert turns["region"].to_dict() == {"SV-R1": "Cambridgeshire", "SV-R2": "Cambridgeshire",
                                         "SV-R3": "Norfolk", "SV-R4": "Norfolk"}


def test_an_error_leaves_earlier_outputs_untouched(tiny_project, capsys):
    cfg = load_config(tiny_project / "engagement.yaml")
    prepare(cfg)
    before = {p.name: p.read_bytes() for p in (tiny_project / "data/processed").glob("*.parquet")}
    (tiny_project / "data/raw/fg1.txt").write_text(FOCUS_GROUP + "\nStranger: who am I?\n")
    code, err = _run_cli(tiny_project, capsys)
    assert code != 0 and "Stranger" in err
    after = {p.name: p.read_bytes() for p in (tiny_project / "data/processed").glob("*.parquet")}
    assert before == after


def test_cli_prepare_reports_counts(tiny_project):
    proc = subprocess.run([sys.executable, "-m", "engagement.cli", "--config", str(tiny_project / "engagement.yaml"),
                           "prepare", "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "prepared 3 sessions" in proc.stdout and "personal details replaced" in proc.stdout


def test_cli_without_a_command_prints_help():
    proc = subprocess.run([sys.executable, "-m", "engagement.cli"], capture_output=True, text=True)
    assert proc.returncode == 0 and "prepare" in proc.stdout and "leak-check" in proc.stdout


def test_a_name_found_once_by_its_context_is_hidden_where_no_context_gives_it_away(tmp_path):
    """Trial p24: a carer named once in context ("my cousin Olamide") and once bare ("ask Olamide
    at the hub") kept the bare mention, and the leak gate withheld the whole run."""
    group = FOCUS_GROUP + ("\nSarah: My cousin Ifeoluwa does the rota at the day centre.\n"
                           "\nTomasz: The forms went to Ifeoluwa in the end, and the hub is better for it.\n")
    root = write_project(tmp_path, files={"fg1.txt": group, "int1.txt": INTERVIEW, "survey.csv": SURVEY})
    result = prepare(load_config(root / "engagement.yaml"))
    everything = " ".join(df.astype(str).to_csv() for df in result.tables.values())
    assert "Ifeoluwa" not in everything


@pytest.mark.parametrize("mode", ["model", "blank"])
def test_a_title_before_a_hidden_name_stays_in_its_sentence(mode):
    from engagement.ingest.segment import segment_docs, segmentation_pipeline

    text = ("And mental health stuff, I'd want that kept back. Dr [PERSON_4] told me it's all on there. Mr Right, no. "
            "My consultant back then was Dr [PERSON_7], who was lovely. I saw Mrs. [PERSON_2] after that.")
    got = [s["text"] for s in segment_docs([text], segmentation_pipeline(mode))[0]]
    assert "Dr [PERSON_4] told me it's all on there." in got
    assert "My consultant back then was Dr [PERSON_7], who was lovely." in got
    assert "I saw Mrs. [PERSON_2] after that." in got
    assert not any(t.rstrip(".").split()[-1].lower() in {"dr", "mr", "mrs"} for t in got)


def test_segments_cached_by_another_version_of_the_segmenter_are_made_again(tmp_path, monkeypatch):
    """Trial p29: after an upgrade that changed sentence splitting, a project kept its old cached split."""
    import engagement.prepare as P

    root = write_project(tmp_path, files={"fg1.txt": FOCUS_GROUP, "int1.txt": INTERVIEW, "survey.csv": SURVEY})
    cfg = load_config(root / "engagement.yaml")
    calls = []
    real = P._segment_piece

    def counting(job):
        calls.append(len(job[0]))
        return real(job)

    monkeypatch.setattr(P, "_segment_piece", counting)
    first = prepare(cfg).tables["segments"]
    made = len(calls)
    assert made > 0
    prepare(cfg)
    assert len(calls) == made   # same text, same segmenter: the cached segments are reused
    monkeypatch.setattr(P, "segmenter_version", lambda: "another-version")
    again = prepare(cfg).tables["segments"]
    assert len(calls) > made    # a new segmenter: made again, not read from the old cache
    pd.testing.assert_frame_equal(first.reset_index(drop=True), again.reset_index(drop=True))


def test_the_segmenter_version_follows_the_installed_spacy_and_model(monkeypatch):
    """A new spaCy or model package may split sentences differently: its cached segments must not be reused."""
    import engagement.ingest.spacy_model as M
    import engagement.prepare as P

    now = P.segmenter_version()
    assert "spacy==" in M.installed_versions()
    monkeypatch.setattr(M, "installed_versions", lambda: "spacy==9.9.9 en_core_web_sm==9.9.9")
    assert P.segmenter_version() != now


def test_a_service_header_is_neither_speakers_nor_published_and_its_names_are_hidden(tmp_path):
    """A transcription service's header block (Project, Interview ID, Interviewer: <name>, Note taker:
    <name>, Key) once became three "speakers", one of them holding the location and audio file name."""
    from tests.test_readers_text import SERVICE_HEADER

    sessions = ("session_id,file,region,kind,date,facilitators,respondent_column,text_column,region_column,"
                "date_column,question_column\nESX-FG1,fg1.txt,Essex,focus_group,2026-03-01,Facilitator,,,,,\n"
                "CAM-INT1,int1.txt,Cambridgeshire,interview,2026-10-21,INT,,,,,\n")
    participants = ("session_id,speaker_label,participant_id,role,name\nESX-FG1,Sarah,ESX-FG1-P01,participant,\n"
                    "ESX-FG1,Tomasz,ESX-FG1-P02,participant,\nCAM-INT1,R,CAM-INT1-P01,participant,\n")
    root = write_project(tmp_path, files={"fg1.txt": FOCUS_GROUP, "int1.txt": SERVICE_HEADER},
                         sessions=sessions, participants=participants)
    result = prepare(load_config(root / "engagement.yaml"))
    everything = " ".join(df.astype(str).to_csv() for df in result.tables.values())
    for leak in ("Priya", "Raval", "Eoin", "Kavanagh", "cambs_interview_12.m4a", "Interview ID"):
        assert leak not in everything, leak
    assert "got your consent form" in everything


def test_a_word_name_and_a_village_found_once_are_hidden_where_they_come_up_again(tmp_path):
    """A fresh trial: "our Jade, my daughter" was hidden but "it's got Jade's NHS number" was not, and
    "I'm out on Rookery Drove, Newby Fen" was hidden but "the address was just Newby Fen" was not."""
    group = (FOCUS_GROUP + "\nSarah: Our Poppy, my granddaughter, has asthma and they lost her inhaler notes.\n"
             + "\nTomasz: I'm out on Saltings Drove, Cley Marsh End, so the ambulance never finds us.\n"
             + "\nSarah: And the letter came with Poppy's GP record attached, the wrong one.\n"
             + "\nTomasz: The system just says \"Cley Marsh End\", no house name at all.\n"
             + "\nSarah: I hope it gets better, I really do, it's a poppy field of errors.\n")
    root = write_project(tmp_path, files={"fg1.txt": group, "int1.txt": INTERVIEW, "survey.csv": SURVEY})
    result = prepare(load_config(root / "engagement.yaml"))
    everything = " ".join(df.astype(str).to_csv() for df in result.tables.values())
    for leak in ("Poppy", "Saltings Drove", "Cley Marsh End"):
        assert leak not in everything, leak
    assert "a poppy field of errors" in everything     # the word stays a word


def test_people_a_header_names_are_hidden_when_talk_names_them_again(tmp_path):
    """A fresh Word export opened with 'Note taker: ... and Tamsin Huynh'; the header was dropped as
    a header, but the participant's later "Tamsin wrote that down" reached segments."""
    group = ("Facilitator: Bronwen Achterberg\nNote taker: J. Okafor and Ottilie Szabo-Reyes\n\n" + FOCUS_GROUP
             + "\nSarah: Ottilie wrote that down, I saw her, so it is on paper as well.\n"
             + "\nTomasz: Like Bronwen said at the start, the receptionist sees a lot of it.\n"
             + "\nSarah: Ottil, put me down as a yes for the research bit.\n")
    root = write_project(tmp_path, files={"fg1.txt": group, "int1.txt": INTERVIEW, "survey.csv": SURVEY})
    result = prepare(load_config(root / "engagement.yaml"))
    everything = " ".join(df.astype(str).to_csv() for df in result.tables.values())
    for name in ("Ottilie", "Ottil", "Szabo", "Bronwen", "Achterberg", "Okafor"):
        assert name not in everything, name
    assert "wrote that down, I saw her" in everything     # the sentence itself stays, its name hidden


def test_a_video_call_label_gives_the_person_not_the_device_or_pronouns():
    from engagement.ingest.sessions import names_from_labels

    got = names_from_labels(["Amara's iPad", "Keith Lomax (he/him)", "Sam's iPhone 13", "+44 7700 900123",
                             "Speaker 2", "Priya (she/her)"])
    assert got == ["Amara", "Keith Lomax", "Sam", "Priya"]
