"""The committed SYNTHETIC sample (data/raw/sample) is complete, consistent and reproducible.

These tests read the committed files; only the last one rebuilds, into a temporary folder,
to show that ``tools/build_sample.py`` turns the authoring sources into exactly these bytes.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "sample"
AUTHORING = SAMPLE / "authoring"
REGIONS = ("Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough")
CP1252_SESSIONS = {"ESX-FG1"}


@pytest.fixture(scope="module")
def build_sample():
    spec = importlib.util.spec_from_file_location("build_sample", REPO / "tools" / "build_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module     # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _rows(name: str) -> list[dict[str, str]]:
    with open(SAMPLE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sessions() -> list[dict[str, str]]:
    return _rows("sessions.csv")


@pytest.fixture(scope="module")
def participants() -> list[dict[str, str]]:
    return _rows("participants.csv")


@pytest.fixture(scope="module")
def ground_truth() -> list[dict[str, str]]:
    return _rows("ground_truth_pii.csv")


@pytest.fixture(scope="module")
def authored(build_sample, sessions):
    """The parsed authoring source of every transcript session, by session id."""
    return {s["session_id"]: build_sample.parse_session(AUTHORING / f"{s['session_id']}.txt")
            for s in sessions if s["kind"] != "survey"}


def _text_lines(path: Path, session_id: str) -> list[str]:
    data = path.read_bytes()
    text = data.decode("cp1252") if session_id in CP1252_SESSIONS else data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").split("\n")


def test_every_session_file_exists(sessions):
    assert sessions
    for s in sessions:
        assert (SAMPLE / s["file"]).is_file(), s["file"]


def test_each_region_has_two_focus_groups_and_two_interviews_of_useful_size(build_sample, sessions, participants,
                                                                             authored):
    counts = defaultdict(lambda: defaultdict(int))
    n_participants = defaultdict(int)
    for p in participants:
        n_participants[p["session_id"]] += p["role"] == "participant"
    for s in sessions:
        if s["kind"] == "survey":
            continue
        words = sum(build_sample.speaker_words(authored[s["session_id"]]).values())
        if s["kind"] == "focus_group":
            assert 4 <= n_participants[s["session_id"]] <= 8, s["session_id"]
            assert words >= 2500, (s["session_id"], words)
        else:
            assert words >= 1200, (s["session_id"], words)
        counts[s["region"]][s["kind"]] += 1
    for region in REGIONS:
        assert counts[region]["focus_group"] >= 2, region
        assert counts[region]["interview"] >= 2, region


def test_survey_has_200_answers_across_all_regions(sessions):
    survey = [s for s in sessions if s["kind"] == "survey"]
    assert len(survey) == 1
    with open(SAMPLE / survey[0]["file"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["respondent_id", "region", "submitted", "question", "answer"]
    assert len(rows) >= 200
    assert {r["region"] for r in rows} == set(REGIONS)
    assert all(r["answer"].strip() for r in rows)


def test_every_format_in_the_authoring_spec_is_used(authored, sessions):
    spec = (AUTHORING / "FORMAT.md").read_text(encoding="utf-8").split("## Formats", 1)[1]
    formats = set(re.findall(r"^\| ([a-z_]+) \|", spec, flags=re.MULTILINE)) - {"format"}
    assert len(formats) >= 12
    used = {s.format for s in authored.values()}
    if any(s["kind"] == "survey" for s in sessions):
        used.add("survey_csv")
    assert formats <= used, sorted(formats - used)


def test_rendered_files_match_their_format(build_sample, authored, sessions):
    for s in sessions:
        if s["kind"] != "survey":
            assert s["file"].endswith("." + build_sample.EXTENSIONS[authored[s["session_id"]].format])


def test_speaker_labels_and_facilitators_agree_with_participants(sessions, participants):
    labels = defaultdict(dict)
    for p in participants:
        labels[p["session_id"]][p["speaker_label"]] = p["role"]
    ids = [p["participant_id"] for p in participants]
    assert len(ids) == len(set(ids))
    for s in sessions:
        if s["kind"] == "survey":
            continue
        for fac in s["facilitators"].split(";"):
            assert labels[s["session_id"]].get(fac) == "facilitator", (s["session_id"], fac)


def test_withdrawn_participant_is_a_focus_group_participant(participants, sessions):
    withdrawn = _rows("withdrawals.csv")
    assert len(withdrawn) == 1
    by_id = {p["participant_id"]: p for p in participants}
    person = by_id[withdrawn[0]["participant_id"]]
    kinds = {s["session_id"]: s["kind"] for s in sessions}
    assert person["role"] == "participant" and kinds[person["session_id"]] == "focus_group"


def test_every_ground_truth_value_occurs_at_its_locator(ground_truth, sessions):
    import docx

    assert ground_truth
    sid_of = {s["file"]: s["session_id"] for s in sessions}
    cache: dict[str, object] = {}
    for g in ground_truth:
        path, loc = SAMPLE / g["file"], int(g["locator"])
        assert sid_of[g["file"]] == g["session_id"]
        kind = g["locator_kind"]
        if kind in ("line", "cue"):
            lines = cache.setdefault(g["file"], _text_lines(path, g["session_id"]))
            if kind == "line":
                where = lines[loc - 1]
            else:
                assert "-->" in lines[loc - 1], g
                cue = []
                for line in lines[loc:]:
                    if not line.strip():
                        break
                    cue.append(line)
                where = "\n".join(cue)
                assert where.startswith((f"{g['speaker_label']}: ", f"<v {g['speaker_label']}>")), g
        elif kind in ("paragraph", "table_row"):
            document = cache.setdefault(g["file"], docx.Document(str(path)))
            if kind == "paragraph":
                where = document.paragraphs[loc - 1].text
            else:
                cells = document.tables[0].rows[loc - 1].cells
                assert cells[-2].text == g["speaker_label"], g
                where = cells[-1].text
        else:
            assert kind == "row", g
            if g["file"] not in cache:
                with open(path, encoding="utf-8", newline="") as fh:
                    cache[g["file"]] = list(csv.reader(fh))
            row = cache[g["file"]][loc - 1]
            assert row[0] == g["speaker_label"], g
            where = row[-1]
        assert g["value"] in where, g


def test_planted_details_have_valid_types_and_nhs_check_digits(build_sample, ground_truth):
    for g in ground_truth:
        assert g["type"] in build_sample.MARKER_TYPES, g
        if g["type"] == "NHS":
            digits = re.sub(r"[ -]", "", g["value"])
            weighted = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
            check = (11 - weighted % 11) % 11
            assert len(digits) == 10 and check != 10 and check == int(digits[9]), g


def test_deny_list_holds_every_planted_place(ground_truth):
    deny = (SAMPLE / "deny_list.txt").read_text(encoding="utf-8").splitlines()
    assert set(deny) == {g["value"] for g in ground_truth if g["type"] == "PLACE"}


def test_readme_says_the_sample_is_synthetic():
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text.split("\n\n", 2)[1]


def test_rebuild_gives_byte_identical_files(build_sample, tmp_path):
    assert build_sample.main(["--source", str(AUTHORING), "--out", str(tmp_path)]) == 0
    rebuilt = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    # the hand-coded reference is written by a person, not by the build
    hand_made = {"coding_reference.csv", "coding_reference.md"}
    committed = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*")
                 if p.is_file() and p.relative_to(SAMPLE).parts[0] != "authoring" and not p.name.startswith(".")
                 and p.name not in hand_made}
    assert rebuilt == committed
    for rel in sorted(rebuilt):
        assert (tmp_path / rel).read_bytes() == (SAMPLE / rel).read_bytes(), rel
