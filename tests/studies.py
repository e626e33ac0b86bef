"""Small generated studies of every awkward shape, for the shape matrix (tests/test_shapes.py).

A study is a project folder like a researcher's own: ``engagement.yaml``, ``raw/sessions.csv``,
``raw/participants.csv``, plain-text transcripts with ``Facilitator:`` / ``P1:`` labels and, for
some shapes, a survey CSV. Everything is SYNTHETIC and seeded: the same shape and seed give the
same files byte for byte. The wording is our own (not the bundled sample's) and each sentence
raises one codebook theme, except the ``TWO_THEMES`` sentences, which raise two.

Example:
    >>> from tests.studies import write_study                       # doctest: +SKIP
    >>> config = write_study(tmp_path / "small", SHAPES["single_region"])    # doctest: +SKIP
"""

from __future__ import annotations

import csv
import random
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

# one theme per sentence (checked against the default codebook in tests/test_shapes.py)
SENTENCES: dict[str, list[str]] = {
    "individual_care": [
        "I want the hospital and my GP to see the same record so nobody has to start from scratch.",
        "It would help if the paramedics could look at my medication list when they turn up at the door.",
        "Telling the same story to every new doctor is exhausting, so joined up records would be a relief.",
        "The district nurse should be able to read what the consultant wrote about my leg ulcer.",
    ],
    "research": [
        "I would happily let researchers use my results if it helps find a cure for dementia.",
        "Medical research needs big numbers of patients, so I am glad to put my data towards a study.",
        "If a university trial can learn something from my scans then I say go ahead.",
        "Using anonymous records to develop new treatments for cancer seems like a good thing to me.",
        "Clinical trials only work when ordinary people volunteer their information for research.",
    ],
    "commercial": [
        "I really do not want drug companies making a profit out of my medical history.",
        "What bothers me is the records being sold on to private firms for money.",
        "If a pharmaceutical company gets access it should pay the NHS a fair price for it.",
        "Selling patient data to insurance companies would be a complete betrayal.",
        "Big tech firms would love to get their hands on our health records to make money.",
    ],
    "security": [
        "I worry that hackers could break into the system and steal everybody's records.",
        "There was that cyber attack on the hospitals, so how safe is any of this really?",
        "A data breach at that scale would be a disaster for people's privacy.",
        "Staff snooping on their neighbours' files is what frightens me, and they should be sacked for it.",
        "The systems need proper encryption and security so nothing leaks out.",
    ],
    "consent": [
        "They should ask my permission before my data is used for anything beyond my care.",
        "I want to be able to opt out without jumping through hoops.",
        "Nobody asked for my consent, it just happened to my records without me knowing.",
        "People ought to have control over who can see which bits of their record.",
        "There should be a simple way to say yes or no to sharing, and to change your mind later.",
    ],
    "trust": [
        "I just do not trust the government to keep its word about what happens to our information.",
        "Whether I share depends on who is asking and what their motives are.",
        "I trust my own doctor completely but I am suspicious of the people at the top.",
    ],
    "transparency": [
        "I would like to be told exactly what happens to my data once it leaves the surgery.",
        "There should be a log so I can see who has looked at my record and when.",
        "They need to be open and honest with the public about who gets the information.",
        "Nobody explains where the data goes, and that lack of transparency makes me uneasy.",
    ],
}
# sentences that raise two themes at once (co-occurrence)
TWO_THEMES = [
    "I would back research on my records as long as they ask my permission first.",
    "If hackers got in, the drug companies would end up with everything and sell it for profit.",
    "Medical research is fine by me but selling the results to private firms for money is not.",
    "They should ask my consent before any company is allowed to make a profit from it.",
]
# neutral, theme-free chatter between the coded sentences
FILLER = [
    "I had not really thought about it before today, to be honest.",
    "That is a good question and I keep changing my mind about it.",
    "My neighbour said much the same thing over the garden fence last week.",
    "Sorry, I lost my train of thought there for a moment.",
]
QUESTIONS = [
    "What comes to mind when you hear that health records might be joined up?",
    "Who do you think should be allowed to use this information?",
    "Is there anything that would make you more comfortable about it?",
    "What worries you most, if anything?",
]
SURVEY_QUESTIONS = ["What would you expect from joined up records?", "What, if anything, worries you?"]
ATTRIBUTES = {"age_band": ["18-34", "35-54", "55-74", "75+"], "gender": ["female", "male"]}
PREFIX = {"Essex": "ESX", "Suffolk": "SFK", "Norfolk": "NFK", "Cambridgeshire": "CAM", "Peterborough": "PBO"}


@dataclass(frozen=True)
class Session:
    """One transcript: its area, kind, how many participants, and the themes each may raise."""

    region: str
    kind: str = "focus_group"          # focus_group | interview
    people: int = 6
    themes: tuple[str, ...] = ("research", "security", "commercial", "consent")
    per_person: int = 3                # themes each participant raises (drawn from ``themes``)
    pairs: bool = True                 # add sentences that raise two themes (co-occurrence)


@dataclass(frozen=True)
class Shape:
    """A study: configured regions, sessions, an optional survey, whether attributes are recorded."""

    regions: tuple[str, ...]
    sessions: tuple[Session, ...] = ()
    survey: dict[str, int] = field(default_factory=dict)   # region -> respondents
    attributes: bool = True


def _fg(region: str, n: int = 6, **kw) -> Session:
    return Session(region, "focus_group", n, **kw)


# the studies the matrix runs; several shapes share one study, to keep the matrix fast
STUDIES: dict[str, Shape] = {
    # focus groups; no attribute columns; Norfolk has one focus group; Suffolk is configured but has
    # no sessions; four themes raised, so every other theme was raised by nobody
    "mixed": Shape(("Essex", "Suffolk", "Norfolk"), (_fg("Essex"), _fg("Essex"), _fg("Norfolk", 7)), attributes=False),
    # a survey CSV and nothing else (no transcripts, no participants.csv), in one region; each
    # respondent answers once, on one theme: no pair of themes raised together, and too few
    # distinct sentences to fit topics
    "surveys": Shape(("Norfolk",), survey={"Norfolk": 12}, attributes=False),
    # one-to-one interviews only, four in all: fewer than min_cell anywhere, so every cell is suppressed
    "interviews": Shape(("Essex", "Peterborough"),
                        tuple(Session(r, "interview", 1, per_person=2) for r in ("Essex", "Peterborough")
                              for _ in range(2))),
}
# shape (issue 10, point 3) -> the study that has it
SHAPES: dict[str, str] = {
    "no_attributes": "mixed", "region_without_sessions": "mixed", "one_session_in_an_area": "mixed",
    "theme_nobody_raised": "mixed", "only_surveys": "surveys", "single_region": "surveys",
    "no_cooccurrence": "surveys", "no_topics": "surveys", "only_interviews": "interviews",
    "every_cell_suppressed": "interviews",
}


def _turns(rng: random.Random, session: Session, label: str, index: int) -> list[str]:
    """What one participant says: a turn per theme, sometimes with a chatty sentence first."""
    if session.per_person == 1:  # themes taken in turn, so each is raised by as many people as the others
        themes = [session.themes[index % len(session.themes)]]
    else:
        themes = rng.sample(list(session.themes), min(session.per_person, len(session.themes)))
    said = []
    for theme in themes:
        text = rng.choice(SENTENCES[theme])
        if rng.random() < 0.3:
            text = f"{rng.choice(FILLER)} {text}"
        said.append(text)
    if session.pairs and rng.random() < 0.7:
        said.append(rng.choice(TWO_THEMES))
    return [f"{label}: {t}" for t in said]


def _transcript(rng: random.Random, session: Session, labels: list[str]) -> str:
    facilitator = "Interviewer" if session.kind == "interview" else "Facilitator"
    lines = [f"{facilitator}: Thank you for taking part today. {QUESTIONS[0]}"]
    spoken = {label: _turns(rng, session, label, i) for i, label in enumerate(labels)}
    for q in range(max(len(v) for v in spoken.values())):
        if q:
            lines.append(f"{facilitator}: {QUESTIONS[q % len(QUESTIONS)]}")
        for label in labels:
            if q < len(spoken[label]):
                lines.append(spoken[label][q])
    lines.append(f"{facilitator}: That is everything I wanted to ask. Thank you all very much.")
    return "\n\n".join(lines) + "\n"


def write_study(root: Path, study: str, *, seed: int = 7, min_cell: int = 5) -> Path:
    """Write ``study`` (a key of :data:`STUDIES`) under ``root``; return its engagement.yaml."""
    spec = STUDIES[study]
    rng = random.Random(f"{study}:{seed}")
    raw = root / "raw"
    (raw / "transcripts").mkdir(parents=True, exist_ok=True)
    root.joinpath("engagement.yaml").write_text(textwrap.dedent(f"""\
        project: "Shape study: {study} (synthetic)"
        raw_dir: raw
        processed_dir: processed
        figures_dir: figures
        reports_dir: reports
        regions: [{', '.join(spec.regions)}]
        seed: {seed}
        min_cell: {min_cell}
        segmentation: fast
        topics:
          embedding: tfidf
          min_topic_size: 5
          # "auto" merges topics with HDBSCAN and fails when fewer than two topics are found
          nr_topics: none
        """), encoding="utf-8")
    sessions = [["session_id", "file", "region", "kind", "date", "facilitators",
                 "respondent_column", "text_column", "region_column"]]
    participants = [["session_id", "speaker_label", "participant_id", "role", "name"]
                    + (list(ATTRIBUTES) if spec.attributes else [])]
    counter: dict[tuple[str, str], int] = {}
    for i, s in enumerate(spec.sessions):
        tag = "INT" if s.kind == "interview" else "FG"
        counter[(s.region, tag)] = counter.get((s.region, tag), 0) + 1
        sid = f"{PREFIX[s.region]}-{tag}{counter[(s.region, tag)]}"
        labels = [f"P{k}" for k in range(1, s.people + 1)]
        facilitator = "Interviewer" if s.kind == "interview" else "Facilitator"
        (raw / "transcripts" / f"{sid}.txt").write_text(_transcript(rng, s, labels), encoding="utf-8")
        sessions.append([sid, f"transcripts/{sid}.txt", s.region, s.kind, f"2026-04-{i + 1:02d}", facilitator,
                         "", "", ""])
        attrs = lambda: [rng.choice(v) for v in ATTRIBUTES.values()] if spec.attributes else []  # noqa: E731
        participants.append([sid, facilitator, f"{sid}-F1", "facilitator", ""] + ([""] * len(ATTRIBUTES)
                                                                                 if spec.attributes else []))
        for label in labels:
            participants.append([sid, label, f"{sid}-{label}", "participant", ""] + attrs())
    if spec.survey:
        rows = [["respondent_id", "region", "question", "answer"]]
        n = 0
        for region, count in spec.survey.items():
            for _ in range(count):
                n += 1  # one answer each, on research or security in turn
                theme = ("research", "security")[n % 2]
                rows.append([f"R{n:03d}", region, SURVEY_QUESTIONS[n % 2], rng.choice(SENTENCES[theme])])
        with open(raw / "survey.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        sessions.append(["SURVEY", "survey.csv", "", "survey", "2026-04-30", "", "respondent_id", "answer", "region"])
    with open(raw / "sessions.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(sessions)
    if len(participants) > 1:
        with open(raw / "participants.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(participants)
    return root / "engagement.yaml"
