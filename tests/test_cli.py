"""The command line as a user meets it: inspect and redact, their output and their errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import FOCUS_GROUP, INTERVIEW, REPO


def run(*args, stdin: str | None = None, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "engagement.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd)


def test_inspect_shows_format_encoding_speakers_and_times(tmp_path):
    path = tmp_path / "int.txt"
    path.write_text(INTERVIEW, encoding="utf-8")
    proc = run("inspect", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "format: txt" in proc.stdout and "encoding: utf-8" in proc.stdout and "times: all turns" in proc.stdout
    assert "Interviewer" in proc.stdout and "Caller" in proc.stdout


def test_inspect_json_counts_turns_and_words_per_speaker(tmp_path):
    path = tmp_path / "fg.txt"
    path.write_text(FOCUS_GROUP, encoding="cp1252")
    info = json.loads(run("inspect", str(path), "--json").stdout)
    speakers = {s["label"]: s for s in info["speakers"]}
    assert set(speakers) == {"Facilitator", "Sarah", "Tomasz"}
    assert speakers["Sarah"]["turns"] == 2 and info["times"] == "none"


def test_inspect_a_survey_summarises_answers_by_region(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,area,answer\nR1,Essex,Sell it and I'm out\nR2,Norfolk,Fine by me\nR3,Norfolk,\n")
    proc = run("inspect", str(path), "--survey-columns", "respondent=id,text=answer,region=area")
    assert proc.returncode == 0, proc.stderr
    assert "answers: 2" in proc.stdout and "Essex 1" in proc.stdout and "Norfolk 1" in proc.stdout


@pytest.mark.parametrize("content, fragment", [(b"\x00\x01PK\x00" * 40, "binary or corrupt"), (None, "not found")])
def test_inspect_errors_are_one_line_naming_the_file(tmp_path, content, fragment):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    proc = run("inspect", str(path))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "bad.txt" in proc.stderr and fragment in proc.stderr


@pytest.mark.slow
def test_redact_from_standard_input_keeps_lines_and_public_names():
    text = ("Thanks, Priya. Ring me on 07700 900461.\n"
            "My NHS number is 943 476 5919; the NHS and Addenbrooke's were brilliant.\n")
    proc = run("redact", "-", stdin=text)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == 2
    assert "Priya" not in proc.stdout and "07700" not in proc.stdout and "5919" not in proc.stdout
    assert "[PHONE_1]" in out[0] and "NHS and Addenbrooke's" in out[1]


@pytest.mark.slow
def test_redact_jsonl_changes_only_the_text_field():
    line = json.dumps({"id": 7, "text": "Email me at jo.bloggs@example.org", "region": "Essex"})
    out = json.loads(run("redact", "--jsonl", "-", stdin=line + "\n").stdout)
    assert out["id"] == 7 and out["region"] == "Essex" and "example.org" not in out["text"]


def test_redact_jsonl_names_the_bad_line():
    proc = run("redact", "--jsonl", "-", stdin='{"text": "fine"}\nnot json\n')
    assert proc.returncode != 0 and "line 2" in proc.stderr and "Traceback" not in proc.stderr
