"""Readers meet the manifest: labels with titles and brackets find their participant (engagement.ingest.sessions)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engagement.errors import InputError
from tests.conftest import write_project

HEARING = """\
The Chair (Hon. A. Rota (Nipissing, Lib.)): Order. We begin with the minister.
Right Hon. Jane Smith (Minister of Health): Thank you, Chair.
Cllr Wiśniewska: Who decided?
Jane Smith: The trust did.
The Chair: Thank you both.
"""
SESSIONS = textwrap.dedent("""\
    session_id,file,region,kind,date,facilitators,format
    ESX-CTTE1,hearing.txt,Essex,focus_group,2026-03-01,The Chair,
    SFK-INT2,service.csv,Suffolk,interview,2026-03-02,Interviewer,table
    """)


def _ingest(tmp_path: Path, participants: str, files: dict[str, str] | None = None):
    from engagement.config import load_config
    from engagement.ingest.manifest import load_manifest
    from engagement.ingest.sessions import ingest_session

    files = files or {"hearing.txt": HEARING, "service.csv": "speaker,text\nInterviewer,Hi.\nKofi Boateng,Hello.\n"}
    root = write_project(tmp_path, sessions=SESSIONS, participants="session_id,speaker_label,participant_id,role\n"
                         + participants, files=files)
    cfg = load_config(root / "engagement.yaml")
    manifest = load_manifest(cfg)
    return {row["session_id"]: ingest_session(row, manifest, cfg) for row in manifest.sessions.to_dict("records")}


def test_titled_and_bracketed_labels_find_the_manifest_name(tmp_path: Path) -> None:
    done = _ingest(tmp_path, "ESX-CTTE1,Jane Smith,ESX-CTTE1-P01,participant\n"
                             "ESX-CTTE1,Cllr Wiśniewska,ESX-CTTE1-P02,participant\n"
                             "SFK-INT2,Kofi Boateng,SFK-INT2-P01,participant\n")
    hearing = done["ESX-CTTE1"]
    assert hearing.turns["participant_id"].tolist() == [
        "ESX-CTTE1-F1", "ESX-CTTE1-P01", "ESX-CTTE1-P02", "ESX-CTTE1-P01", "ESX-CTTE1-F1"]
    assert hearing.turns["role"].tolist()[0] == "facilitator"
    assert "Hon. A. Rota" in hearing.known_names             # a name in a bracket is still a name to redact
    assert "The Chair" not in hearing.known_names and "Right Hon. Jane Smith" in hearing.known_names
    assert "affiliation" not in hearing.turns                 # kept on the reader's turns, not in the table
    table = done["SFK-INT2"]
    assert (table.detected, table.turns["participant_id"].tolist()) == ("table", ["SFK-INT2-F1", "SFK-INT2-P01"])


def test_a_label_with_its_bracket_in_the_manifest_also_matches(tmp_path: Path) -> None:
    done = _ingest(tmp_path, "ESX-CTTE1,Right Hon. Jane Smith (Minister of Health),ESX-CTTE1-P01,participant\n"
                             "ESX-CTTE1,Cllr Wiśniewska,ESX-CTTE1-P02,participant\n"
                             "SFK-INT2,Kofi Boateng,SFK-INT2-P01,participant\n")
    assert done["ESX-CTTE1"].turns["participant_id"].tolist()[1:4] == [
        "ESX-CTTE1-P01", "ESX-CTTE1-P02", "ESX-CTTE1-P01"]


def test_an_unknown_speaker_is_named_with_its_bracket(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown speaker label 'Right Hon. Jane Smith \(Minister of Health\)'"):
        _ingest(tmp_path, "ESX-CTTE1,Cllr Wiśniewska,ESX-CTTE1-P02,participant\n")
