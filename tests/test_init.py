"""`engagement init`: a project anywhere, with manifests drafted from a folder of transcripts.

The transcripts are written here, fresh: speakers with names from several communities, a
facilitator who is only recognisable by asking the questions, a survey whose columns have to
be guessed, a file whose name gives its area away and one whose name does not, and a file the
suite cannot read.
"""

from __future__ import annotations

import csv
import io
import re
import stat
from pathlib import Path

import pandas as pd
import pytest

from engagement.cli import main
from engagement.config import load_config
from engagement.errors import ManifestError
from engagement.ingest.manifest import load_manifest

FOCUS_GROUP = """\
Facilitator: Thanks for coming along tonight. What comes to mind when you hear "shared care record"?
Adaeze: Honestly, relief. My dad's notes never followed him between the hospital and the GP.
Marek: I'm less sure. Who else gets to look at it?
Facilitator: Who would you be comfortable with?
Adaeze: The people treating him, nobody else.
Marek: And not the companies, that's my worry, they'll sell it on.
Facilitator: Does anyone feel differently about research?
Siobhan: Research I'm fine with, as long as my name's off it.
Marek: Same, if it's anonymous.
Siobhan: My sister had a rare condition, so I can see why they need the numbers.
"""

PHONE_INTERVIEW = """\
Rahul: So what did you want to ask me?
Chloe: Would you be happy for your GP records to be used to plan local services?
Rahul: Planning is fine. They should know how many of us need the diabetes clinic.
Chloe: And if a private firm was involved?
Rahul: Then no, not unless they told me first.
Chloe: Is there anything that would make you trust it more?
Rahul: Being told who looked at my record and when.
"""

SURVEY = [
    ["Response ID", "Submitted", "Which area do you live in?", "What worries you about sharing your records?",
     "Anything else you would like to tell us?", "Have you used the NHS App?"],
    ["R001", "2026-03-02", "essex", "That it ends up with insurance companies and I pay more.", "", "Yes"],
    ["R002", "2026-03-02", "Suffolk", "Nothing really, I think it helps the doctors.", "Thank you for asking us.", "No"],
    ["R003", "2026-03-03", "NORFOLK", "Hackers. The NHS computers are ancient.", "", "Yes"],
    ["R004", "2026-03-04", "Peterborough", "My mental health history being seen by the receptionist.",
     "My daughter had to tell her story four times at the hospital.", "Don't know"],
]


def write_transcripts(folder: Path) -> Path:
    (folder / "essex").mkdir(parents=True)
    (folder / "essex" / "colchester focus group 2026-03-02.txt").write_text(FOCUS_GROUP, encoding="utf-8")
    (folder / "call 7 final.txt").write_text(PHONE_INTERVIEW, encoding="utf-8")
    buf = io.StringIO()
    csv.writer(buf).writerows(SURVEY)
    (folder / "online survey export.csv").write_text(buf.getvalue(), encoding="utf-8")
    (folder / "consent forms.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    return folder


@pytest.fixture
def project(tmp_path, capsys):
    transcripts = write_transcripts(tmp_path / "from the transcriber")
    root = tmp_path / "my study"
    assert main(["init", str(root), "--transcripts", str(transcripts)]) == 0
    out = capsys.readouterr().out
    return root, out


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_init_drafts_a_session_per_readable_file_and_lists_what_it_could_not_read(project):
    root, out = project
    sessions = read(root / "raw" / "sessions.csv").set_index("file")
    assert sorted(sessions.index) == ["transcripts/call 7 final.txt", "transcripts/essex/colchester focus group 2026-03-02.txt",
                                      "transcripts/online survey export.csv"]
    # ids are neutral: a file name can hold a person's or a place's name, and ids are published
    assert sorted(sessions["session_id"]) == ["FG01", "INT01", "SVY01"]
    fg = sessions.loc["transcripts/essex/colchester focus group 2026-03-02.txt"]
    assert (fg["kind"], fg["region"], fg["date"], fg["format"]) == ("focus_group", "Essex", "2026-03-02", "txt")
    interview = sessions.loc["transcripts/call 7 final.txt"]
    assert interview["kind"] == "interview"
    assert interview["region"].startswith("TODO(") and interview["date"].startswith("TODO(")
    survey = sessions.loc["transcripts/online survey export.csv"]
    assert survey["kind"] == "survey"
    # every free-text question is read; a yes/no question is not free text
    assert (survey["respondent_column"], survey["text_column"], survey["region_column"]) == (
        "Response ID", "What worries you about sharing your records? | Anything else you would like to tell us?",
        "Which area do you live in?")
    assert "left out (cannot read): consent forms.pdf" in out
    assert (root / "engagement.yaml").is_file()
    assert load_config(root / "engagement.yaml").raw_dir == root / "raw"


def test_init_guesses_roles_and_marks_the_guesses_it_cannot_be_sure_of(project):
    root, _ = project
    people = read(root / "raw" / "participants.csv")
    fg = people[people["session_id"] == "FG01"].set_index("speaker_label")
    assert fg.loc["Facilitator", "role"] == "facilitator"
    assert set(fg.index) == {"Facilitator", "Adaeze", "Marek", "Siobhan"}
    assert (fg.drop("Facilitator")["role"] == "participant").all()
    call = people[people["session_id"] == "INT01"].set_index("speaker_label")
    # nobody is labelled as the interviewer: the one who asks the questions is, but it must be confirmed
    assert call.loc["Chloe", "role"].startswith("facilitator TODO(")
    assert call.loc["Rahul", "role"] == "participant"
    # pseudonymous ids, and the name column is left for the researcher
    assert not people["participant_id"].str.contains("Adaeze|Marek|Chloe|Rahul").any()
    assert (people["name"] == "").all()


def test_prepare_refuses_a_draft_marker_naming_file_line_and_column(project):
    root, _ = project
    with pytest.raises(ManifestError) as err:
        load_manifest(load_config(root / "engagement.yaml"))
    assert re.search(r"sessions\.csv:\d+: column '\w+' still holds the draft marker", str(err.value)), err.value


def test_a_filled_in_draft_loads_and_regions_match_in_any_case(project):
    root, _ = project
    spath, ppath = root / "raw" / "sessions.csv", root / "raw" / "participants.csv"
    sessions = read(spath)
    sessions.loc[sessions["region"].str.startswith("TODO("), "region"] = "suffolk"      # lower case, as typed
    sessions.loc[sessions["date"].str.startswith("TODO("), "date"] = ""
    sessions["facilitators"] = sessions["facilitators"].str.replace(r"\s*TODO\([^)]*\)", "", regex=True)
    sessions.to_csv(spath, index=False)
    people = read(ppath)
    people["role"] = people["role"].str.replace(r"\s*TODO\([^)]*\)", "", regex=True)
    people.to_csv(ppath, index=False)
    manifest = load_manifest(load_config(root / "engagement.yaml"))
    assert set(manifest.sessions["region"]) == {"Essex", "Suffolk", ""}


def test_init_keeps_raw_data_private_and_refuses_to_overwrite_a_project(project, tmp_path, capsys):
    root, _ = project
    assert stat.S_IMODE((root / "raw").stat().st_mode) == 0o700
    copied = [p for p in (root / "raw" / "transcripts").rglob("*") if p.is_file()]
    assert copied and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in copied)
    assert main(["init", str(root), "--transcripts", str(tmp_path / "from the transcriber")]) != 0
    assert "already a project" in capsys.readouterr().err


def test_regions_and_dates_are_guessed_from_towns_file_names_and_the_opening_words():
    from engagement.ingest.draft import guess_date, guess_region_from
    from engagement.ingest.readers.base import RawTurn

    regions = ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]
    opening = [RawTurn("Facilitator", "Welcome, I'm running this for Healthwatch Suffolk tonight.", 1)]
    assert guess_region_from(Path("Meeting Recording (1).vtt"), opening, regions) == "Suffolk"
    assert guess_region_from(Path("Norwich FG 12 March otter.txt"), [], regions) == "Norfolk"
    assert guess_region_from(Path("call 7 final.txt"), [RawTurn("A", "Hello there.", 1)], regions) is None
    assert guess_date(Path("Interview - Lowestoft - 11.03.26.txt")) == "2026-03-11"
    assert guess_date(Path("GMT20260305-183014_Recording.vtt")) == "2026-03-05"
    assert guess_date(Path("fg 7.txt")) is None


def test_a_service_headers_date_place_and_key_fill_the_draft():
    from engagement.ingest.draft import guess_date, guess_region_from, guess_roles
    from engagement.ingest.readers.base import RawTurn

    regions = ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]
    header = {"Date": "Tuesday 21st October 2026, 2.30pm", "Location": "Community room, Ely", "Interviewer": "",
              "Key": "INT = Interviewer, R = Respondent. [inaudible hh:mm:ss] = unclear audio."}
    turns = [RawTurn("R", "Shall I start?", 1), RawTurn("INT", "Go on.", 2), RawTurn("R", "Well?", 3)]
    assert guess_date(Path("interview 12.txt"), header) == "2026-10-21"
    assert guess_date(Path("interview 12.txt"), {"Date": "21/10/26"}) is None      # 1926 or 2026: asked, not guessed
    assert guess_region_from(Path("interview 12.txt"), turns, regions, header) == "Cambridgeshire"
    assert guess_roles(turns, header) == {"R": ("participant", True), "INT": ("facilitator", True)}
    assert guess_roles(turns)["R"] == ("facilitator", False)                       # without the key, R asks most
    assert guess_region_from(Path("Cambs FG 3.docx"), [], regions) == "Cambridgeshire"


def test_the_guessed_facilitator_opens_and_leads_not_the_participant_with_a_run_of_questions():
    from engagement.ingest.draft import guess_roles
    from engagement.ingest.readers.base import RawTurn

    said = [("Ruth Adair", "Welcome, thanks for coming. What comes to mind when you hear health data?"),
            ("Femi Cole", "Research, mostly."), ("Ruth Adair", "Anything else?"),
            ("Dana Pryce", "Who sees it? Who decides?"), ("Ruth Adair", "Good questions. Femi?"),
            ("Femi Cole", "I'd want to know who."), ("Dana Pryce", "Would they tell us?"),
            ("Ruth Adair", "Let's come back to that one.")]
    turns = [RawTurn(speaker=s, text=t, source_line=i + 1) for i, (s, t) in enumerate(said)]
    assert guess_roles(turns)["Ruth Adair"] == ("facilitator", False)
    assert guess_roles(turns)["Dana Pryce"][0] == "participant"
    bracketed = [RawTurn(speaker="JB", text="Tell me more.", source_line=1, affiliation="(facilitator)"),
                 RawTurn(speaker="Participant A", text="Why?", source_line=2)]
    assert guess_roles(bracketed)["JB"] == ("facilitator", True)


def test_a_survey_area_column_is_found_by_its_answers(tmp_path):
    """"Which area do you live in?" is no column name a hint knows; its answers name towns of the areas."""
    from engagement.ingest.draft import areas_named

    regions = ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]
    assert areas_named("Gt Yarmouth", regions, towns=True) == ["Norfolk"]
    assert areas_named("walton-on-the-naze", regions, towns=True) == ["Essex"]
    assert areas_named("bury st edmunds", regions, towns=True) == ["Suffolk"]
    raw = tmp_path / "exports"
    raw.mkdir()
    rows = ["ID,Which area do you live in?,What worries you?"] + [
        f"{i},{town},I worry about who sees my records and whether it is sold on."
        for i, town in enumerate(["Aldeburgh", "Gt Yarmouth", "Diss", "Felixstowe", "Haverhill", "ipswich",
                                  "Mildenhall", "Southwold", "King's Lynn", "a tiny village nobody knows"], 1)]
    (raw / "survey.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code = main(["init", str(tmp_path / "project"), "--transcripts", str(raw)])
    assert code == 0
    sessions = (tmp_path / "project" / "raw" / "sessions.csv").read_text(encoding="utf-8")
    assert "Which area do you live in?" in sessions.splitlines()[1]
