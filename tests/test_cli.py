"""The command line as a user meets it: inspect and redact, their output and their errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from engagement.cli import main
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


EXPORTS = REPO / "tests" / "fixtures" / "exports"


def test_inspect_warns_in_one_line_when_extension_and_content_disagree(tmp_path):
    path = tmp_path / "meeting.txt"
    path.write_bytes((EXPORTS / "zoom_meeting.vtt").read_bytes())
    proc = run("inspect", str(path))
    assert proc.returncode == 0 and "format: vtt" in proc.stdout
    assert proc.stderr.strip() == ("engagement: warning: meeting.txt is named .txt but holds WebVTT captions; "
                                   "read as vtt (force another with --format NAME)")


def test_inspect_a_transcript_table_csv_lists_speakers_not_answers(tmp_path):
    proc = run("inspect", str(EXPORTS / "transcript_service.csv"), "--json")
    info = json.loads(proc.stdout)
    assert (info["format"], info["turns"], info["times"]) == ("table", 4, "all turns")
    assert [(s["label"], s["affiliations"]) for s in info["speakers"]] == [("Interviewer", []),
                                                                            ("Kwame Mensah", ["carer"])]
    assert info["warnings"] == [proc.stderr.strip().removeprefix("engagement: warning: ")]
    assert "holds a transcript table" in proc.stderr


def test_inspect_shows_each_speakers_affiliation():
    proc = run("inspect", str(EXPORTS / "committee_hearing.txt"))
    assert proc.returncode == 0 and proc.stderr == ""
    lines = {line.strip().split("  ")[0]: line for line in proc.stdout.splitlines() if " turns " in line}
    assert lines["The Chair"].endswith("(Hon. A. Rota (Nipissing, Lib.))")
    assert lines["Right Hon. Jane Smith"].endswith("(Minister of Health)") and "Jane Smith" not in lines


def test_inspect_forced_format_reads_and_does_not_warn(tmp_path):
    path = tmp_path / "captions.txt"
    path.write_text("0:00:01.000,0:00:03.000\n>> THE CHAIR: Order.\n", encoding="utf-8")
    proc = run("inspect", str(path), "--format", "sbv")
    assert proc.returncode == 0 and proc.stderr == "" and "format: sbv" in proc.stdout and "THE CHAIR" in proc.stdout


def test_inspect_an_unreadable_file_lists_the_formats_and_how_to_force_one(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("We met at the library at 10:30.\nEveryone came.\n", encoding="utf-8")
    proc = run("inspect", str(path))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "no speaker turns found" in proc.stderr and "--format NAME" in proc.stderr
    assert "sbv (YouTube .sbv captions)" in proc.stderr and "table (a transcript table" in proc.stderr


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


# ---- engines and progress ----

@pytest.mark.parametrize("command", ["prepare", "code"])
def test_prepare_and_code_offer_an_engine_a_scheduler_and_progress(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    for option in ("--engine", "{local,dask}", "--scheduler", "--progress", "--quiet"):
        assert option in out


def test_a_scheduler_without_the_dask_engine_is_a_one_line_error(tiny_project, capsys):
    code = main(["--config", str(tiny_project / "engagement.yaml"), "prepare", "--scheduler", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and err == "engagement: error: --scheduler needs --engine dask"


def test_prepare_progress_is_quiet_unless_asked_and_shown_when_asked(tiny_project):
    cmd = [sys.executable, "-m", "engagement.cli", "--config", str(tiny_project / "engagement.yaml"), "prepare"]
    env = {k: v for k, v in os.environ.items() if k not in ("ENGAGEMENT_PROGRESS", "CI")}
    shown = subprocess.run(cmd + ["--progress"], capture_output=True, text=True, env=env)
    quiet = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert quiet.returncode == 0 and shown.returncode == 0, shown.stderr
    assert "reading" not in quiet.stderr and "segmenting" not in quiet.stderr
    assert "reading" in shown.stderr and "de-identifying" in shown.stderr and "segmenting" in shown.stderr
    assert "prepared 3 sessions" in shown.stdout


def test_code_reports_human_codings_applied_and_stale_decisions(tiny_project, monkeypatch, capsys):
    import importlib

    coding = importlib.import_module("engagement.coding.run")
    summary = {"segments_coded": 9, "rule_codings": 4, "codebook": "default", "codebook_version": "1",
               "topics": 0, "candidate_new_themes": 0, "stance": {"neutral": 9}, "human_codings": 3,
               "human_stale": [{"segment_id": "S1-T0001-S00", "code": "x", "coder": "AB", "decision": "accept",
                                "reason": "text changed"}]}
    monkeypatch.setattr(coding, "run_coding", lambda cfg, **kw: coding.CodingResult({}, summary))
    assert main(["--config", str(tiny_project / "engagement.yaml"), "code", "--no-topics"]) == 0
    out = capsys.readouterr().out
    assert "human codings: 3 applied" in out and "1 stored decision(s) stale" in out
