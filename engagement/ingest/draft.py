"""Draft a project's manifests from a folder of transcripts (``engagement init``).

Every file the readers can read becomes a row of ``sessions.csv`` (detected format and
encoding, a kind guessed from the file type and the number of speakers, the region when the
file's name or folder names one) and its speaker labels become rows of ``participants.csv``
(pseudonymous ids, a role guessed from the label or from who asks the questions, an empty
``name`` column). What only the researcher can know is left as a marker, ``TODO(...)``, which
:func:`engagement.ingest.manifest.load_manifest` refuses until it is filled in: a region that
no name gives away, the date, and every role guessed from behaviour rather than from the label.
Files that cannot be read are listed with the reason, never dropped silently.

Example:
    >>> draft = draft_manifests(Path("transcripts"), ["Essex", "Suffolk"])   # doctest: +SKIP
    >>> draft.sessions[["session_id", "file", "kind", "region"]]              # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from engagement.errors import InputError
from engagement.ingest.manifest import MARKER

# labels that name the facilitator's job ("The Chair", "INTERVIEWER", "Moderator 2", "Researcher (AB)")
FACILITATOR_RE = re.compile(r"\b(facilitator|co-?facilitator|interviewer|moderator|chair(?:man|woman|person)?|"
                            r"researcher|host|convenor|note-?taker)\b", re.I)
DATE_RE = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
# day first, as people in the UK write it in file names: 11.03.26, 18-03-2026
DMY_RE = re.compile(r"(?<!\d)(0?[1-9]|[12]\d|3[01])[-_.](0?[1-9]|1[0-2])[-_.](20\d\d|\d\d)(?!\d)")
# towns that give a Healthwatch area away (used only for areas the project configures)
TOWNS = {
    "Essex": ("colchester", "chelmsford", "basildon", "southend", "southend-on-sea", "harlow", "braintree", "clacton",
              "clacton-on-sea", "brentwood", "epping", "maldon", "witham", "saffron walden", "billericay", "wickford",
              "rayleigh", "rochford", "canvey", "canvey island", "benfleet", "grays", "tilbury", "thurrock", "harwich",
              "frinton", "walton-on-the-naze", "halstead", "coggeshall", "dunmow", "great dunmow", "loughton",
              "waltham abbey", "burnham-on-crouch", "tiptree", "brightlingsea", "wivenhoe", "shoeburyness", "leigh-on-sea"),
    "Suffolk": ("ipswich", "lowestoft", "bury st edmunds", "bury st. edmunds", "felixstowe", "sudbury", "haverhill",
                "newmarket", "stowmarket", "woodbridge", "beccles", "bungay", "halesworth", "southwold", "aldeburgh",
                "leiston", "saxmundham", "framlingham", "hadleigh", "mildenhall", "needham market", "kesgrave",
                "lavenham", "orford", "debenham", "wickham market", "long melford", "kessingland", "oulton broad"),
    "Norfolk": ("norwich", "king's lynn", "kings lynn", "great yarmouth", "gt yarmouth", "yarmouth", "gorleston",
                "thetford", "cromer", "dereham", "east dereham", "swaffham", "wymondham", "north walsham",
                "downham market", "diss", "attleborough", "fakenham", "hunstanton", "sheringham", "aylsham", "loddon",
                "watton", "harleston", "acle", "stalham", "reepham", "long stratton", "hingham", "mundesley"),
    "Cambridgeshire": ("cambridge", "huntingdon", "ely", "wisbech", "st neots", "st ives", "chatteris",
                       "soham", "whittlesey", "ramsey", "littleport", "sawston", "cambourne", "godmanchester",
                       "histon", "burwell", "linton"),  # not "March": a month in most file names
    "Peterborough": ("millfield", "orton", "werrington", "bretton", "hampton", "stanground", "eye green", "thorney",
                     "paston", "gunthorpe", "dogsthorpe", "fletton", "woodston"),
}
# the short forms people write for an area itself ("Cambs FG 3.docx"), read like the area's name
ALIASES = {"Cambridgeshire": ("cambs",), "Peterborough": ("pboro", "p'boro")}
SURVEY_HINTS = {
    "respondent": ("respondent", "response id", "responseid", "respondent id", "participant", "id"),
    "region": ("region", "area", "healthwatch", "county", "locality"),
    "date": ("date", "submitted", "timestamp", "completed"),
    "question": ("question", "item"),
}


def todo(what: str) -> str:
    return f"{MARKER}{what})"


@dataclass
class Draft:
    sessions: pd.DataFrame
    participants: pd.DataFrame
    unreadable: list[tuple[str, str]] = field(default_factory=list)   # (file, reason)
    notes: list[str] = field(default_factory=list)


def _session_id(kind: str, taken: Counter) -> str:
    """A neutral id (FG01, INT03, SVY01): a file name can hold a person's or a place's name, and ids are published."""
    prefix = {"focus_group": "FG", "interview": "INT", "survey": "SVY"}[kind]
    taken[prefix] += 1
    return f"{prefix}{taken[prefix]:02d}"


def areas_named(text: str, regions: list[str], towns: bool) -> list[str]:
    """The configured regions ``text`` names by name, short form ("Cambs") or, with ``towns``, a town."""
    text = " " + " ".join(re.split(r"[^a-z']+", text.casefold())) + " "
    found = []
    for region in regions:
        names = [" ".join(re.split(r"[^a-z']+", n.casefold())).strip()
                 for n in (region, *ALIASES.get(region, ()), *(TOWNS.get(region, ()) if towns else ()))]
        if any(f" {name} " in text for name in names):
            found.append(region)
    return found


def guess_region(rel: Path, regions: list[str]) -> str | None:
    """A configured region named by the file's name or one of its folders (any case, word-bounded)."""
    found = areas_named(rel.as_posix(), regions, towns=False)
    return found[0] if len(found) == 1 else None


def guess_region_from(rel: Path, turns, regions: list[str], header: dict[str, str] | None = None) -> str | None:
    """A region the file's name gives away by a town, or the one area the transcript's header or opening
    names ("Healthwatch Suffolk", "Location: Community room, Cambridge")."""
    found = areas_named(rel.as_posix(), regions, towns=True)
    if len(found) == 1:
        return found[0]
    opening = " ".join([*(header or {}).values(), *(t.text for t in turns[:12])])
    found = areas_named(opening, regions, towns=False) or areas_named(opening, regions, towns=True)
    return found[0] if len(found) == 1 else None


_HEADER_DATE_FIELDS = ("date", "date of interview", "interview date", "session date", "recording date",
                       "date and time", "recorded")


def guess_date(rel: Path, header: dict[str, str] | None = None) -> str | None:
    """The session's date (YYYY-MM-DD) from the file name, else from a header's "Date:" field."""
    found = _date_in_name(rel)
    if found or not header:
        return found
    for key, value in header.items():
        if " ".join(key.casefold().replace(".", " ").split()) in _HEADER_DATE_FIELDS and value:
            iso = _header_date(re.sub(r"\b\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?", " ", value))  # not the time of day
            if iso:
                return iso
    return None


_MONTHS = {m: i for i, names in enumerate((("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
                                           ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
                                           ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
                                           ("dec", "december")), start=1) for m in names}


def _header_date(value: str) -> str | None:
    """A header's date with a four-digit year, day first as written in the UK: "Tuesday 21st October 2026",
    "21/10/2026", "2026-10-21", "November 4, 2026"; a two-digit year is left for the researcher."""
    t = value.casefold().replace(",", " ")
    m = re.search(r"(?<!\d)(20\d\d)-(\d\d)-(\d\d)(?!\d)", t)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := re.search(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](20\d\d)(?!\d)", t):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    else:
        year = re.search(r"(?<!\d)(20\d\d)(?!\d)", t)
        month = next((_MONTHS[w] for w in re.findall(r"[a-z]+", t) if w in _MONTHS), None)
        day = re.search(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?(?!\d)", re.sub(r"(?<!\d)20\d\d(?!\d)", " ", t))
        if not (year and month and day):
            return None
        y, mo, d = int(year[1]), month, int(day[1])
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


def _date_in_name(rel: Path) -> str | None:
    m = DATE_RE.search(rel.name)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = DMY_RE.search(rel.name)
    if m:
        year = m.group(3) if len(m.group(3)) == 4 else f"20{m.group(3)}"
        return f"{year}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return None


_PARTICIPANT_RE = re.compile(r"\b(respondent|interviewee|participant|member of (?:the )?public|patient|carer|"
                             r"resident|attendee)\b", re.I)


def key_roles(header: dict[str, str] | None) -> dict[str, str]:
    """Label -> role from a header's key: "Key: INT = Interviewer, R = Respondent" -> {"INT": "facilitator", "R": "participant"}."""
    roles: dict[str, str] = {}
    for field_name, value in (header or {}).items():
        if field_name.casefold().strip() not in ("key", "legend", "speakers", "notation", "conventions"):
            continue
        for label, what in re.findall(r"([A-Za-z][\w.'-]{0,20})\s*(?:=|:|-|–)\s*([A-Za-z][A-Za-z ]{2,30}?)(?=[,;.]|$| and )",
                                      value):
            if FACILITATOR_RE.search(what):
                roles[label] = "facilitator"
            elif _PARTICIPANT_RE.search(what):
                roles[label] = "participant"
    return roles


def guess_roles(turns, header: dict[str, str] | None = None) -> dict[str, tuple[str, bool]]:
    """Speaker label -> (role, sure).

    Sure when the label or its bracket names the job ("Interviewer", "JB (facilitator)"), or the
    header's key does ("Key: INT = Interviewer, R = Respondent"). Otherwise
    whoever runs the session is guessed: the most turns that end on a question, one more for
    opening the session and one more for speaking most often (a facilitator speaks between
    everyone else), so one participant's run of questions does not outweigh the person asking them.
    """
    labels = Counter(t.speaker for t in turns if t.speaker)
    named = {t.speaker for t in turns if t.speaker and FACILITATOR_RE.search(getattr(t, "affiliation", "") or "")}
    keyed = key_roles(header)
    roles = {label: ("facilitator", True) if FACILITATOR_RE.search(label) or label in named else ("participant", True)
             for label in labels}
    roles.update({label: (keyed[label], True) for label in labels if label in keyed})
    if len(labels) > 1 and not any(role == "facilitator" for role, _ in roles.values()):
        questions = Counter(t.speaker for t in turns if t.speaker and t.text.rstrip().endswith("?"))
        first = next(t.speaker for t in turns if t.speaker)
        most = max(labels.values())
        score = {lab: questions[lab] + (lab == first) + (labels[lab] == most) for lab in labels}
        asker = max(labels, key=lambda lab: (score[lab], questions[lab], labels[lab], lab))
        if questions[asker]:
            roles[asker] = ("facilitator", False)
    return roles


def _prose_column(values: pd.Series) -> bool:
    """Answers in words: at least 4 words on average, mostly not dates, times or numbers, mostly distinct."""
    v = values.dropna().astype(str).str.strip()
    v = v[v != ""]
    if len(v) < 2:
        return False
    stamp = v.str.fullmatch(r"[\d\s:/.,+\-TZ]+|(?i:yes|no|n/?a|none|don'?t know)")
    return bool(v.str.split().str.len().mean() >= 4 and stamp.mean() < 0.5 and v.nunique() / len(v) > 0.5)


def _survey_columns(path: Path, regions: list[str]) -> dict[str, str] | None:
    """Guess respondent, text and region columns of a survey export from its header and values."""
    try:
        table = (pd.read_excel(path, dtype=str) if path.suffix.lower() in (".xlsx", ".xlsm")
                 else pd.read_csv(path, dtype=str, encoding="utf-8-sig", sep=None, engine="python"))
    except Exception:  # noqa: BLE001  (any parse failure means: not a survey we can draft)
        return None
    if table.empty or len(table.columns) < 2:
        return None
    cols: dict[str, str] = {}
    lowered = {c: str(c).strip().casefold() for c in table.columns}
    for key, hints in SURVEY_HINTS.items():
        for hint in hints:
            match = next((c for c, low in lowered.items() if low == hint or low.startswith(hint)), None)
            if match is not None and match not in cols.values():
                cols[key] = str(match)
                break
    if "region" not in cols:
        # a column whose answers name an area (by name, short form or town): "Which area do you live in?"
        for c in table.columns:
            values = table[c].dropna().astype(str).str.strip()
            values = values[values != ""]
            if len(values) and str(c) not in cols.values() and values.str.split().str.len().mean() <= 4 and \
                    values.map(lambda v: len(areas_named(v, list(regions), towns=True)) == 1).mean() > 0.6:
                cols["region"] = str(c)
                break
    free = [c for c in table.columns if str(c) not in cols.values()]
    if not free:
        return None
    # the free-text answers: every column whose answers read as prose (a wide export has one per question);
    # when none does, the column with the longest answers
    prose = [c for c in free if _prose_column(table[c])]
    longest = max(free, key=lambda c: table[c].dropna().str.len().mean() if table[c].notna().any() else 0)
    cols["text"] = " | ".join(str(c) for c in (prose or [longest]) if "|" not in str(c)) or str(longest)
    if "respondent" not in cols:
        return None
    return cols


def draft_manifests(transcripts: Path, regions: list[str], *, base: Path | None = None) -> Draft:
    """Draft sessions.csv and participants.csv rows for every readable file under ``transcripts``.

    ``file`` paths are written relative to ``base`` (the project's raw folder), default ``transcripts``.
    """
    from engagement.ingest.readers import read_file

    transcripts = Path(transcripts)
    base = Path(base) if base else transcripts
    sessions, people, unreadable, notes = [], [], [], []
    taken: Counter = Counter()
    files = sorted(p for p in transcripts.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(transcripts).parts))
    for path in files:
        rel = path.relative_to(transcripts)
        survey = None
        try:
            result = read_file(path)
        except InputError as exc:
            survey = _survey_columns(path, regions) if path.suffix.lower() in (".csv", ".tsv", ".xlsx") else None
            if survey is None:
                unreadable.append((rel.as_posix(), str(exc).split(": ", 1)[-1] if str(exc) else type(exc).__name__))
                continue
            try:
                result = read_file(path, survey_columns=survey)
            except InputError as exc2:
                unreadable.append((rel.as_posix(), str(exc2).split(": ", 1)[-1]))
                continue
        region = guess_region(rel, regions)
        row = {"session_id": "", "file": (path.resolve().relative_to(base.resolve()).as_posix()
                                           if path.resolve().is_relative_to(base.resolve()) else str(path.resolve())),
               "format": result.format, "encoding": result.encoding if result.encoding != "binary" else "",
               "date": guess_date(rel, result.header) or todo("date YYYY-MM-DD, or leave empty"), "facilitators": ""}
        if survey is not None:
            row.update(kind="survey", region="" if "region" in survey else (region or todo("region")),
                       **{f"{k}_column": v for k, v in survey.items()})
            if "date" in survey:
                row["date"] = ""    # each answer carries its own date
            row["session_id"] = _session_id("survey", taken)
            notes.append(f"{rel.as_posix()}: survey, {len(result.turns)} answers; columns guessed: "
                         + ", ".join(f"{k}={v}" for k, v in survey.items()))
            sessions.append(row)
            continue
        roles = guess_roles(result.turns, result.header)
        speakers = [lab for lab in roles if roles[lab][0] == "participant"]
        if region is None:
            guessed = guess_region_from(rel, result.turns, regions, result.header)
            region = (f"{guessed} {todo('confirm: named in the file name or the transcript')}" if guessed
                      else todo("region: " + " | ".join(regions)))
        row.update(kind="interview" if len(speakers) <= 1 else "focus_group", region=region)
        sid = row["session_id"] = _session_id(row["kind"], taken)
        facilitators = [lab for lab, (role, _) in roles.items() if role == "facilitator"]
        sessions.append(row)   # roles live in participants.csv, the one place to confirm them
        n_f = n_p = 0
        for label in roles:
            role, sure = roles[label]
            if role == "facilitator":
                n_f += 1
                pid = f"{sid}-F{n_f}"
            else:
                n_p += 1
                pid = f"{sid}-P{n_p:02d}"
            people.append({"session_id": sid, "speaker_label": label, "participant_id": pid,
                           "role": role if sure else f"{role} {todo('confirm: asks the most questions')}",
                           "name": ""})
        if not facilitators and len(roles) > 1:
            notes.append(f"{rel.as_posix()}: no facilitator found; mark one in participants.csv if there was one")
    scols = ["session_id", "file", "region", "kind", "date", "facilitators", "format", "encoding",
             "respondent_column", "text_column", "region_column", "date_column", "question_column"]
    return Draft(pd.DataFrame(sessions, columns=scols).fillna(""),
                 pd.DataFrame(people, columns=["session_id", "speaker_label", "participant_id", "role", "name"]),
                 unreadable, notes)


def config_text(project: str, regions: list[str]) -> str:
    """The engagement.yaml of a new project, with every path inside the project folder."""
    quoted = ", ".join(regions)
    return f"""# engagement project configuration. Paths are relative to this file.
project: "{project}"
raw_dir: raw                # transcripts and manifests; never published, never committed
processed_dir: processed    # de-identified tables (owner-only)
figures_dir: figures        # published figures
reports_dir: reports        # executed notebooks and the summary report
regions: [{quoted}]
seed: 20260314
min_cell: 5                 # published cells with fewer participants are suppressed or banded
segmentation: model         # model (spaCy parser) | fast (sentencizer)
deidentify:
  deny_list: []             # always hide these, e.g. a small village or a GP surgery
topics:
  embedding: minilm         # minilm (bundled sentence embeddings) | tfidf (fast)
"""
