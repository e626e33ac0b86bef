"""Shared fixtures: tiny projects that look like a real one (manifest, transcripts, survey)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

FOCUS_GROUP = """\
Facilitator: Welcome everyone. What do you think of when I say health data?

Sarah: My records, I suppose. What the GP writes down. [crosstalk]

Tomasz: Um, the test results, like, blood tests and that.
And the letters from the hospital.

Sarah: I'm happy for the hospital to see it, as long as it's not sold on.
Facilitator: And who should be able to see it?

Tomasz: Not the insurance companies. Thanks, Sarah, that's what I meant. Ring me on 07700 900461 if you want.
"""

INTERVIEW = """\
[00:00:05] Interviewer: Can you hear me all right on this line?
[00:00:09] Caller: Yes, it's a bit crackly. (laughs)
[00:00:15] Interviewer: What worries you about joining up records?
[00:00:21] Caller: Honestly, hackers. My NHS number is 943 476 5919 and I'd hate that floating about.
"""

SURVEY = """\
respondent_id,region,submitted,question,answer
R0001,Essex,2026-02-01,Q2,They will sell it to drug companies
R0002,Norfolk,2026-02-02,Q1,Joined up care so I don't repeat myself
R0003,Norfolk,2026-02-03,Q2,N/A
R0004,Suffolk,2026-02-04,Q2,My mental health notes are private
"""


def write_project(root: Path, *, sessions: str | None = None, participants: str | None = None,
                  files: dict[str, str | bytes] | None = None, config_extra: str = "",
                  withdrawals: str | None = None) -> Path:
    """Write a small project (engagement.yaml + data/raw manifest + files) under ``root``."""
    raw = root / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (root / "engagement.yaml").write_text(textwrap.dedent(f"""\
        project: test
        raw_dir: data/raw
        processed_dir: data/processed
        figures_dir: figures
        reports_dir: reports
        regions: [Essex, Suffolk, Norfolk, Cambridgeshire, Peterborough]
        segmentation: blank
        """) + config_extra, encoding="utf-8")
    files = files if files is not None else {"fg1.txt": FOCUS_GROUP, "int1.txt": INTERVIEW, "survey.csv": SURVEY}
    for name, content in files.items():
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if sessions is None:
        sessions = textwrap.dedent("""\
            session_id,file,region,kind,date,facilitators,respondent_column,text_column,region_column,date_column,question_column
            ESX-FG1,fg1.txt,Essex,focus_group,2026-03-01,Facilitator,,,,,
            NFK-INT1,int1.txt,Norfolk,interview,2026-03-02,Interviewer,,,,,
            SURVEY,survey.csv,,survey,2026-02-01,,respondent_id,answer,region,submitted,question
            """)
    if participants is None:
        participants = textwrap.dedent("""\
            session_id,speaker_label,participant_id,role,name,age_band
            ESX-FG1,Sarah,ESX-FG1-P01,participant,Sarah Jenkins,45-54
            ESX-FG1,Tomasz,ESX-FG1-P02,participant,Tomasz Nowak,25-34
            NFK-INT1,Caller,NFK-INT1-P01,participant,,65-74
            """)
    (raw / "sessions.csv").write_text(sessions, encoding="utf-8")
    (raw / "participants.csv").write_text(participants, encoding="utf-8")
    if withdrawals is not None:
        (raw / "withdrawals.csv").write_text(withdrawals, encoding="utf-8")
    return root


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    return write_project(tmp_path)


@pytest.fixture
def tiny_config(tiny_project: Path):
    from engagement.config import load_config

    return load_config(tiny_project / "engagement.yaml")
