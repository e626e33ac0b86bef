"""Render the SYNTHETIC sample corpus from its authoring sources.

The hand-written sources in ``data/raw/sample/authoring/`` (format: ``FORMAT.md`` there) become
realistic export files (plain text, Otter, Word, WebVTT, SubRip, survey CSV), the manifests
(``sessions.csv``, ``participants.csv``, ``withdrawals.csv``), the DPO deny list and the
de-identification ground truth (``ground_truth_pii.csv``), plus a README describing it all.

Everything is deterministic: the same sources give byte-identical outputs (Word files carry
fixed core properties and fixed zip timestamps). Sources are validated before anything is
written; a bad source stops the build with ``authoring file:line: reason`` and exit status 1.

Usage::

    python tools/build_sample.py [--source DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import uuid
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "sample"

REGIONS = {"ESX": "Essex", "SFK": "Suffolk", "NFK": "Norfolk", "CAM": "Cambridgeshire", "PBO": "Peterborough"}
KINDS = {"FG": "focus_group", "INT": "interview"}
EXTENSIONS = {"txt_colon": "txt", "txt_caps": "txt", "txt_bracket_time": "txt", "txt_speaker_time": "txt",
              "otter": "txt", "docx_paragraph": "docx", "docx_table_time": "docx", "docx_table": "docx",
              "vtt_zoom": "vtt", "vtt_teams": "vtt", "srt": "srt"}
ATTRIBUTES = ("age_band", "gender", "ethnicity", "long_term_condition", "digital_confidence")
MANIFEST_ATTRIBUTES = ("age_band", "gender", "long_term_condition", "digital_confidence")
MARKER_TYPES = ("NAME", "PHONE", "EMAIL", "NHS", "POSTCODE", "ADDRESS", "DOB", "AGE", "PLACE")
QUESTIONS = {
    "Q1": "What would you expect to happen when your health and care records are joined up?",
    "Q2": "What, if anything, worries you about sharing health data?",
    "Q3": "Anything else you would like to tell us?",
}
SURVEY_ID = "SURVEY-2026"
SURVEY_FILE = "survey/survey_responses.csv"
# (encoding, newline) for the files that exercise the readers' decoding fallbacks.
ENCODINGS = {"ESX-FG1": ("cp1252", "\r\n"), "PBO-INT1": ("utf-8-sig", "\n")}
FIXED_TIME = dt.datetime(2026, 4, 1, 9, 0, 0)
WITHDRAWN_SESSION = "SFK-FG1"   # the participant with the second-most words here withdraws
WITHDRAWN_RANK = 2
WITHDRAWAL_NOTE = "withdrew consent by email after the session"
WPM, START = 150.0, 5.0
CUE_MIN, CUE_MAX = 12, 20

# Ofcom's numbers reserved for drama: 8-digit national prefixes followed by 000-999.
DRAMA_PREFIXES = frozenset(
    ["07700900", "01632960", "02079460", "01914980", "02896496", "02920180", "08081570", "09098790", "03069990"]
    + [f"0{code}4960" for code in ("113", "114", "115", "116", "117", "118", "121", "131", "141", "151", "161")])

REGIONAL_DIFFERENCES = """\
The content writers were asked to build these differences in, so that the pipeline's
theme-by-region tables have something real to find:

- **Essex**: far more worried about commercial access and charging, and about the motives of
  the organisations that want the data (who profits, who is selling it on).
- **Suffolk**: most worried about sensitive records (mental health, sexual health, HIV,
  abortion, self-harm, alcohol) and about who can see which part of a record.
- **Norfolk**: broadly supportive of joined-up care and of using data for planning services.
- **Cambridgeshire**: research-minded, but insistent on consent / opt-out and transparency;
  keen on citizen-generated data (apps, wearables) and on citizen oversight.
- **Peterborough**: most worried about security and misuse, about inaccurate records and
  over-reliance on data, and about consistency across areas.
"""

_MARKER = re.compile(r"\{\{([^{}:]*):([^{}]*)\}\}")
_PH = re.compile("\ue000(\\d+)\ue001")
_TOKEN = re.compile(r"\[[^\]\n]{0,40}\]\S*|\S+")


class BuildError(Exception):
    """A source file breaks the authoring rules: ``file:line: reason``."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        try:
            path = path.resolve().relative_to(Path.cwd())
        except ValueError:
            pass
        super().__init__(f"{path}:{line}: {reason}")


@dataclass(frozen=True)
class Marker:
    type: str
    value: str
    line: int


@dataclass
class Speaker:
    label: str           # the short label used in the authoring file
    name: str
    role: str            # participant | facilitator
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Turn:
    speaker: Speaker
    paragraphs: list[tuple[str, int]]    # (template with marker placeholders, authoring line)
    start: float = 0.0
    end: float = 0.0


@dataclass
class Session:
    session_id: str
    region: str
    kind: str
    date: str
    format: str
    speakers: list[Speaker]
    turns: list[Turn]
    markers: list[Marker]
    source: Path

    @property
    def participants(self) -> list[Speaker]:
        return [s for s in self.speakers if s.role == "participant"]

    @property
    def file(self) -> str:
        return f"transcripts/{self.session_id}.{EXTENSIONS[self.format]}"


@dataclass
class Response:
    respondent: str
    region: str
    date: str
    question: str
    template: str
    line: int


# ----------------------------------------------------------------------------- validation


def nhs_valid(value: str) -> bool:
    """True when a 10-digit NHS number has a valid modulus-11 check digit.

    >>> nhs_valid("943 476 5919"), nhs_valid("943 476 5918")
    (True, False)
    """
    digits = re.sub(r"[ -]", "", value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _check_marker(kind: str, value: str) -> str | None:
    """Why a planted value is unacceptable, or None."""
    if kind not in MARKER_TYPES:
        return f"unknown marker type '{kind}' (expected one of {', '.join(MARKER_TYPES)})"
    if not value.strip() or value != value.strip():
        return f"{kind} marker has an empty or space-padded value '{value}'"
    if kind == "NHS":
        if not re.fullmatch(r"\d{3} \d{3} \d{4}|\d{3}-\d{3}-\d{4}|\d{10}", value):
            return f"NHS number '{value}' is not written as 943 476 5919, 943-476-5919 or 9434765919"
        if not nhs_valid(value):
            return f"NHS number '{value}' fails the modulus-11 check"
    elif kind == "PHONE":
        if not re.fullmatch(r"[+\d() -]+", value):
            return f"phone number '{value}' has characters other than digits, spaces, + ( ) -"
        digits = re.sub(r"\D", "", value)
        digits = "0" + digits[2:] if value.startswith("+44") else digits
        if len(digits) != 11 or digits[:8] not in DRAMA_PREFIXES:
            return f"phone number '{value}' is not in an Ofcom drama range (e.g. 07700 900xxx, 01632 960xxx)"
    elif kind == "EMAIL" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", value):
        return f"'{value}' is not an email address"
    elif kind == "POSTCODE" and not re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", value):
        return f"'{value}' is not a full UK postcode written like CO4 5JL"
    elif kind == "AGE" and not (value.isdigit() and int(value) > 89):
        return f"AGE '{value}' is not an age over 89"
    elif kind in ("ADDRESS", "DOB") and not re.search(r"\d", value):
        return f"{kind} '{value}' has no number in it"
    return None


def plant(text: str, markers: list[Marker], path: Path, line: int) -> str:
    """Replace ``{{TYPE:value}}`` markers by placeholders, appending them to ``markers``."""
    def repl(m: re.Match) -> str:
        kind, value = m.group(1), m.group(2)
        reason = _check_marker(kind, value)
        if reason:
            raise BuildError(path, line, reason)
        markers.append(Marker(kind, value, line))
        return f"\ue000{len(markers) - 1}\ue001"

    out = _MARKER.sub(repl, text)
    if "{{" in out or "}}" in out:
        raise BuildError(path, line, "malformed marker (expected {{TYPE:value}})")
    return out


def fill(template: str, markers: list[Marker]) -> tuple[str, list[int]]:
    """The text with placeholders replaced by their values, and the marker indexes it holds."""
    found: list[int] = []

    def repl(m: re.Match) -> str:
        found.append(int(m.group(1)))
        return markers[int(m.group(1))].value

    return _PH.sub(repl, template), found


# ----------------------------------------------------------------------------- parsing


def _strip_comment(value: str) -> str:
    return re.sub(r"\s+#.*$", "", value).strip()


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    except UnicodeDecodeError as exc:
        raise BuildError(path, 1, f"not UTF-8 ({exc.reason})") from None


def parse_session(path: Path) -> Session:
    """Read and check one ``<SESSION_ID>.txt`` authoring file."""
    lines = _read_lines(path)
    header: dict[str, tuple[str, int]] = {}
    speakers: list[Speaker] = []
    body_start = None
    in_participants = False
    for no, raw in enumerate(lines, start=1):
        if raw.strip() == "---":
            body_start = no
            break
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if in_participants and raw[:1].isspace():
            parts = [p.strip() for p in _strip_comment(raw).split("|")]
            label, eq, name = (s.strip() for s in parts[0].partition("="))
            if not eq or not label or not name:
                raise BuildError(path, no, "participant line must be 'Label = Full Name | key=value ...'")
            attrs = {}
            for part in parts[1:]:
                key, eq, val = (s.strip() for s in part.partition("="))
                if not eq or key not in ATTRIBUTES:
                    raise BuildError(path, no, f"unknown participant attribute '{part}' "
                                               f"(expected {', '.join(ATTRIBUTES)})")
                attrs[key] = val
            speakers.append(Speaker(label, name, "participant", attrs))
            continue
        key, colon, value = raw.partition(":")
        key = key.strip()
        if not colon or not re.fullmatch(r"[a-z_]+", key):
            raise BuildError(path, no, f"header line must be 'key: value', got '{raw.strip()}'")
        in_participants = key == "participants"
        header[key] = (_strip_comment(value), no)
    if body_start is None:
        raise BuildError(path, len(lines), "no '---' line ends the header")
    for key in ("session_id", "region", "kind", "date", "format", "facilitators"):
        if key not in header or not header[key][0]:
            raise BuildError(path, 1, f"header has no '{key}:'")
    sid, sid_line = header["session_id"]
    m = re.fullmatch(r"(ESX|SFK|NFK|CAM|PBO)-(FG|INT)\d+", sid)
    if not m:
        raise BuildError(path, sid_line, f"session_id '{sid}' is not like ESX-FG1 / PBO-INT2")
    if path.stem != sid:
        raise BuildError(path, sid_line, f"session_id '{sid}' does not match the file name")
    checks = (("region", REGIONS[m.group(1)]), ("kind", KINDS[m.group(2)]))
    for key, expected in checks:
        if header[key][0] != expected:
            raise BuildError(path, header[key][1], f"{key} '{header[key][0]}' should be '{expected}' for {sid}")
    date, date_line = header["date"]
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise BuildError(path, date_line, f"date '{date}' is not YYYY-MM-DD") from None
    fmt, fmt_line = header["format"]
    if fmt not in EXTENSIONS:
        raise BuildError(path, fmt_line, f"format '{fmt}' is not one of {', '.join(EXTENSIONS)}")
    facs = []
    for item in header["facilitators"][0].split(";"):
        label, eq, name = (s.strip() for s in item.partition("="))
        if not eq or not label or not name:
            raise BuildError(path, header["facilitators"][1], f"facilitator '{item.strip()}' is not 'Label=Full Name'")
        facs.append(Speaker(label, name, "facilitator"))
    speakers = facs + speakers
    if not [s for s in speakers if s.role == "participant"]:
        raise BuildError(path, header.get("participants", ("", 1))[1], "no participants listed")
    for attr in ("label", "name"):
        dup = [k for k, n in Counter(getattr(s, attr).casefold() for s in speakers).items() if n > 1]
        if dup:
            raise BuildError(path, body_start, f"speaker {attr} '{dup[0]}' is used twice in the header")

    by_label = {s.label: s for s in speakers}
    label_re = re.compile(r"^(" + "|".join(re.escape(s.label) for s in sorted(speakers, key=lambda s: -len(s.label)))
                          + r"):(?:\s+|$)(.*)$")
    looks_like_label = re.compile(r"^((?:[^\W\d_][\w'’.-]*)(?: [^\W\d_][\w'’.-]*){0,2}):\s")
    markers: list[Marker] = []
    turns: list[Turn] = []
    for no in range(body_start + 1, len(lines) + 1):
        raw = lines[no - 1].strip()
        if not raw:
            continue
        lm = label_re.match(raw)
        if lm:
            turn = Turn(by_label[lm.group(1)], [])
            turns.append(turn)
            text = lm.group(2).strip()
            if text:
                turn.paragraphs.append((plant(text, markers, path, no), no))
            continue
        guess = looks_like_label.match(raw)
        if guess and all(w[:1].isupper() for w in guess.group(1).split()):
            raise BuildError(path, no, f"unknown speaker label '{guess.group(1)}' "
                                       f"(known: {', '.join(s.label for s in speakers)})")
        if not turns:
            raise BuildError(path, no, "text before the first speaker label")
        turns[-1].paragraphs.append((plant(raw, markers, path, no), no))
    if not turns:
        raise BuildError(path, body_start, "no turns after '---'")
    for turn in turns:
        if not turn.paragraphs:
            raise BuildError(path, body_start, f"a turn of '{turn.speaker.label}' has no text")
    session = Session(sid, header["region"][0], header["kind"][0], date, fmt, speakers, turns, markers, path)
    if sid in ENCODINGS:
        encoding = ENCODINGS[sid][0]
        for turn in turns:
            for template, line in turn.paragraphs:
                try:
                    fill(template, markers)[0].encode(encoding)
                except UnicodeEncodeError as exc:
                    raise BuildError(path, line, f"'{exc.object[exc.start]}' cannot be written in {encoding}") from None
    time_turns(session)
    return session


def parse_survey(path: Path) -> tuple[list[Response], list[Marker]]:
    """Read and check ``survey_responses.txt``."""
    lines = _read_lines(path)
    try:
        sep = lines.index("---")
    except ValueError:
        raise BuildError(path, len(lines), "no '---' line ends the header") from None
    markers: list[Marker] = []
    responses: list[Response] = []
    seen: dict[tuple[str, str], int] = {}
    for no in range(sep + 2, len(lines) + 1):
        raw = lines[no - 1].strip()
        if not raw:
            continue
        parts = [p.strip() for p in raw.split("|", 4)]
        if len(parts) != 5:
            raise BuildError(path, no, "expected 'respondent_id | region | date | question_id | answer'")
        rid, region, date, q, answer = parts
        if not re.fullmatch(r"R\d{4}", rid):
            raise BuildError(path, no, f"respondent_id '{rid}' is not like R0001")
        if region not in REGIONS.values():
            raise BuildError(path, no, f"region '{region}' is not one of {', '.join(REGIONS.values())}")
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise BuildError(path, no, f"date '{date}' is not YYYY-MM-DD") from None
        if q not in QUESTIONS:
            raise BuildError(path, no, f"question '{q}' is not one of {', '.join(QUESTIONS)}")
        if not answer:
            raise BuildError(path, no, "empty answer")
        if (rid, q) in seen:
            raise BuildError(path, no, f"{rid} answers {q} twice (first on line {seen[rid, q]})")
        seen[rid, q] = no
        responses.append(Response(rid, region, date, q, plant(answer, markers, path, no), no))
    if not responses:
        raise BuildError(path, sep + 1, "no responses")
    return responses, markers


# ----------------------------------------------------------------------------- timing and cues


def _words(text: str) -> int:
    return len(text.split())


def _unit(key: str) -> float:
    """A deterministic number in [0, 1) from a string."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") / 2**32


def time_turns(session: Session) -> None:
    """Give every turn a start and end: ~150 words a minute, small gaps, from 00:00:05."""
    t = START
    for i, turn in enumerate(session.turns):
        words = sum(_words(p) for p, _ in turn.paragraphs)
        turn.start = round(t, 3)
        turn.end = round(t + max(1.2, words * 60.0 / WPM * (0.9 + 0.2 * _unit(f"{session.session_id}/{i}/r"))), 3)
        t = turn.end + 0.3 + 1.5 * _unit(f"{session.session_id}/{i}/g")


def _ends(token: str, marks: tuple[str, ...]) -> bool:
    return token.rstrip("\"'”’)").endswith(marks) or (marks == (",", ";", ":") and token in ("—", "–", "-"))


def split_cues(template: str) -> list[str]:
    """Split a paragraph into cues of ~12-20 words, at a sentence end if one falls there, else a clause end.

    >>> [len(c.split()) for c in split_cues("One two three four five six seven eight. " * 4)]
    [16, 16]
    """
    tokens = _TOKEN.findall(template)
    cues, i = [], 0
    while len(tokens) - i > CUE_MAX:
        rest = len(tokens) - i
        cut = None
        for marks, least in (((".", "?", "!", "…"), CUE_MIN), ((",", ";", ":"), CUE_MIN - 4)):
            fits = [j for j in range(i + least, i + CUE_MAX + 1)
                    if _ends(tokens[j - 1], marks) and (len(tokens) - j >= 4)]
            if fits:
                cut = fits[-1]
                break
        if cut is None:
            cut = i + (rest // 2 if rest <= CUE_MAX + 4 else CUE_MAX)
        cues.append(" ".join(tokens[i:cut]))
        i = cut
    cues.append(" ".join(tokens[i:]))
    return cues


def turn_cues(turn: Turn) -> list[tuple[float, float, str]]:
    """The turn's cues with times shared out by words."""
    pieces = [c for p, _ in turn.paragraphs for c in split_cues(p)]
    total = sum(max(1, _words(c)) for c in pieces)
    out, t = [], turn.start
    for c in pieces:
        d = (turn.end - turn.start) * max(1, _words(c)) / total
        out.append((t, t + d, c))
        t += d
    return out


def hms(seconds: float, sep: str | None = None) -> str:
    """``HH:MM:SS`` or, with ``sep``, ``HH:MM:SS<sep>mmm``."""
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}" + (f"{sep}{ms:03d}" if sep else "")


def otter_time(seconds: float) -> str:
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


# ----------------------------------------------------------------------------- rendering


def labels_for(session: Session) -> dict[str, str]:
    """Speaker label in the rendered file, keyed by authoring label."""
    fmt, out = session.format, {}
    pno = 0
    for i, s in enumerate(session.speakers, start=1):
        pno += s.role == "participant"
        if fmt in ("txt_colon", "txt_bracket_time"):
            out[s.label] = s.label
        elif fmt == "txt_caps":
            out[s.label] = s.label.upper() if s.role == "facilitator" else f"P{pno}"
        elif fmt == "txt_speaker_time":
            out[s.label] = f"Speaker {i}"
        elif fmt == "srt":
            out[s.label] = s.label.upper()
        else:
            out[s.label] = s.name
    return out


@dataclass
class Rendered:
    data: bytes
    hits: list[tuple[str, int, str, int]]   # (locator_kind, locator, speaker_label, marker index)


def _text_bytes(session: Session, lines: list[str]) -> bytes:
    encoding, newline = ENCODINGS.get(session.session_id, ("utf-8", "\n"))
    return (newline.join(lines) + newline).encode(encoding)


def render_text(session: Session) -> Rendered:
    """txt_colon, txt_caps, txt_bracket_time, txt_speaker_time, otter, vtt_zoom, vtt_teams, srt."""
    fmt, names, mk = session.format, labels_for(session), session.markers
    lines: list[str] = []
    hits: list[tuple[str, int, str, int]] = []

    def add(template: str, label: str, kind: str = "line", locator: int | None = None) -> None:
        text, found = fill(template, mk)
        lines.append(text)
        hits.extend((kind, locator or len(lines), label, idx) for idx in found)

    if fmt.startswith("vtt"):
        lines.append("WEBVTT")
        if fmt == "vtt_teams":
            lines += ["", f'NOTE duration:"{hms(session.turns[-1].end, ".")}0000"', "", "NOTE language:en-gb"]
    cue_no = 0
    for t_no, turn in enumerate(session.turns):
        label = names[turn.speaker.label]
        if fmt in ("txt_colon", "txt_caps", "txt_bracket_time"):
            if lines:
                lines.append("")
            stamp = f"[{hms(turn.start)}] " if fmt == "txt_bracket_time" else ""
            for k, (p, _) in enumerate(turn.paragraphs):
                add(f"{stamp}{label}: {p}" if k == 0 else p, label)
        elif fmt in ("txt_speaker_time", "otter"):
            if lines:
                lines.append("")
            lines.append(f"{label}  {hms(turn.start) if fmt == 'txt_speaker_time' else otter_time(turn.start)}")
            for p, _ in turn.paragraphs:
                add(p, label)
        else:
            uid = uuid.UUID(bytes=hashlib.sha256(f"{session.session_id}/{t_no}".encode()).digest()[:16], version=4)
            for k, (start, end, cue) in enumerate(turn_cues(turn)):
                cue_no += 1
                if lines:
                    lines.append("")
                if fmt == "srt":
                    lines += [str(cue_no), f"{hms(start, ',')} --> {hms(end, ',')}"]
                    add(f"{label}: {cue}", label, "cue", len(lines))
                elif fmt == "vtt_zoom":
                    lines += [str(cue_no), f"{hms(start, '.')} --> {hms(end, '.')}"]
                    add(f"{label}: {cue}", label, "cue", len(lines))
                else:
                    lines += [f"{uid}/{cue_no + 10}-0", f"{hms(start, '.')} --> {hms(end, '.')}"]
                    add(f"<v {label}>{cue}</v>", label, "cue", len(lines))
    return Rendered(_text_bytes(session, lines), hits)


def _stable_docx(document) -> bytes:
    """Save a python-docx document with fixed core properties and zip timestamps."""
    props = document.core_properties
    props.author = props.last_modified_by = "Transcription service"
    props.created = props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(session: Session) -> Rendered:
    """docx_paragraph, docx_table_time, docx_table."""
    import docx  # python-docx

    names, mk = labels_for(session), session.markers
    document = docx.Document()
    what = "Focus group" if session.kind == "focus_group" else "Interview"
    when = dt.date.fromisoformat(session.date)
    document.add_heading(f"{what} transcript – {session.region}, {when.day} {when:%B %Y}", level=1)
    hits: list[tuple[str, int, str, int]] = []
    if session.format == "docx_paragraph":
        for turn in session.turns:
            label = names[turn.speaker.label]
            for k, (p, _) in enumerate(turn.paragraphs):
                text, found = fill(p, mk)
                par = document.add_paragraph()
                if k == 0:
                    par.add_run(f"{label}:").bold = True
                    text = " " + text
                par.add_run(text)
                hits.extend(("paragraph", len(document.paragraphs), label, idx) for idx in found)
    else:
        timed = session.format == "docx_table_time"
        heads = ["Time", "Speaker", "Text"] if timed else ["Speaker", "Text"]
        table = document.add_table(rows=1, cols=len(heads))
        table.style = "Table Grid"
        for cell, head in zip(table.rows[0].cells, heads):
            cell.paragraphs[0].add_run(head).bold = True
        for turn in session.turns:
            label = names[turn.speaker.label]
            cells = table.add_row().cells
            if timed:
                cells[0].text = hms(turn.start)
            cells[-2].text = label
            for k, (p, _) in enumerate(turn.paragraphs):
                text, found = fill(p, mk)
                (cells[-1].paragraphs[0] if k == 0 else cells[-1].add_paragraph()).add_run(text)
                hits.extend(("table_row", len(table.rows), label, idx) for idx in found)
    return Rendered(_stable_docx(document), hits)


def render(session: Session) -> Rendered:
    return render_docx(session) if session.format.startswith("docx") else render_text(session)


def render_survey(responses: list[Response], markers: list[Marker]) -> Rendered:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["respondent_id", "region", "submitted", "question", "answer"])
    hits = []
    for row, r in enumerate(responses, start=2):
        text, found = fill(r.template, markers)
        writer.writerow([r.respondent, r.region, r.date, QUESTIONS[r.question], text])
        hits.extend(("row", row, r.respondent, idx) for idx in found)
    return Rendered(buf.getvalue().encode("utf-8"), hits)


# ----------------------------------------------------------------------------- manifests and README


def _csv_bytes(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def participant_ids(session: Session) -> dict[str, str]:
    ids, f, p = {}, 0, 0
    for s in session.speakers:
        if s.role == "facilitator":
            f += 1
            ids[s.label] = f"{session.session_id}-F{f}"
        else:
            p += 1
            ids[s.label] = f"{session.session_id}-P{p:02d}"
    return ids


def speaker_words(session: Session) -> Counter:
    words: Counter = Counter()
    for turn in session.turns:
        words[turn.speaker.label] += sum(_words(fill(p, session.markers)[0]) for p, _ in turn.paragraphs)
    return words


def choose_withdrawn(sessions: list[Session]) -> tuple[Session, Speaker] | None:
    groups = [s for s in sessions if s.kind == "focus_group"]
    if not groups:
        return None
    session = next((s for s in groups if s.session_id == WITHDRAWN_SESSION), groups[0])
    words = speaker_words(session)
    ranked = sorted(session.participants, key=lambda s: (-words[s.label], s.label))
    return session, ranked[min(WITHDRAWN_RANK, len(ranked)) - 1]


def _table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def readme(sessions: list[Session], responses: list[Response], withdrawn, pii: Counter, deny: list[str]) -> str:
    rows = [[f"`{s.file}`", s.region, s.kind.replace("_", " "), s.date, s.format, len(s.participants),
             f"{sum(speaker_words(s).values()):,}"] for s in sessions]
    parts = [
        "# Sample corpus (SYNTHETIC)",
        "",
        "**Everything in this folder is SYNTHETIC: written for testing the `engagement` pipeline. "
        "No real person is described or quoted. Every name, address, postcode, email address and date "
        "of birth is made up; phone numbers come from Ofcom's ranges reserved for drama; NHS numbers "
        "have a valid format and check digit but are made up.**",
        "",
        "The files are rendered by `tools/build_sample.py` from the hand-written sources in "
        "`authoring/` (format: `authoring/FORMAT.md`). Do not edit the rendered files: edit the "
        "sources and rebuild.",
        "",
        "## Contents",
        "",
        "- `transcripts/`: one file per session, in the export format a real project would receive "
        "(plain text of several kinds, Otter.ai, Word paragraphs and tables, Zoom and Teams WebVTT, SubRip).",
        f"- `{SURVEY_FILE}`: free-text answers to an online survey.",
        "- `sessions.csv`, `participants.csv`, `withdrawals.csv`: the manifests the pipeline reads.",
        "- `deny_list.txt`: small places and GP surgeries planted in the text, as a DPO would list them.",
        "- `ground_truth_pii.csv`: every planted personal detail, with the file and the line, cue, "
        "row, paragraph or table row where it appears (paragraphs and table rows are 1-based; table "
        "row 1 is the header; survey row 1 is the header), for testing de-identification.",
        "- `coding_reference.csv` (+ `coding_reference.md`): a HAND-CODED REFERENCE of 200 segments, "
        "coded by one person from the codebook's definitions, blind to the rules, for measuring the "
        "autocoder's agreement. Written by hand, not by this build.",
        "- `participants.csv` has a `name` column (full names, as on a consent form): the suite uses "
        "it only to find and redact those names; it never leaves data/raw.",
        "",
        "Encodings: `ESX-FG1` text files are written in cp1252 with CRLF line ends and `PBO-INT1` "
        "as UTF-8 with a byte-order mark, to exercise the readers' decoding; everything else is UTF-8.",
        "",
        "## Sessions",
        "",
        _table(["File", "Region", "Kind", "Date", "Format", "Participants", "Words"], rows),
        "",
        "Words count every speaker, facilitators included.",
        "",
        "## Survey",
        "",
    ]
    by_region = Counter(r.region for r in responses)
    resp = len({r.respondent for r in responses})
    parts += [f"{len(responses)} answers from {resp} respondents (session id `{SURVEY_ID}`).", "",
              _table(["Region", "Answers", "Respondents"],
                     [[reg, by_region[reg], len({r.respondent for r in responses if r.region == reg})]
                      for reg in REGIONS.values()]), ""]
    parts += ["## Withdrawn participant", ""]
    if withdrawn:
        session, speaker = withdrawn
        words = speaker_words(session)[speaker.label]
        parts.append(f"`{participant_ids(session)[speaker.label]}` (label `{labels_for(session)[speaker.label]}` "
                     f"in `{session.file}`, {words:,} words) is listed in `withdrawals.csv` with the note "
                     f"\"{WITHDRAWAL_NOTE}\": their words must appear in no output of the pipeline.")
    parts += ["", "## Planted personal details", "",
              _table(["Type", "Occurrences"], [[t, pii[t]] for t in MARKER_TYPES]),
              "", f"{sum(pii.values())} occurrences in all; {len(deny)} distinct places on the deny list.", "",
              "## Intended regional differences", "", REGIONAL_DIFFERENCES,
              "## Rebuilding", "", "```", "python tools/build_sample.py", "```", "",
              "Options: `--source DIR` (authoring files, default `data/raw/sample/authoring`) and "
              "`--out DIR` (default `data/raw/sample`). The build is deterministic: the same sources "
              "give byte-identical files.", ""]
    return "\n".join(parts)


# ----------------------------------------------------------------------------- build


def build(source: Path, out: Path) -> dict[str, int]:
    """Parse every source in ``source``, then write the whole sample under ``out`` atomically."""
    sessions = [parse_session(p) for p in sorted(source.glob("*.txt")) if p.name != "survey_responses.txt"]
    order = {code: i for i, code in enumerate(REGIONS)}
    sessions.sort(key=lambda s: (order[s.session_id[:3]], s.kind != "focus_group", s.session_id))
    survey_path = source / "survey_responses.txt"
    responses, s_markers = parse_survey(survey_path) if survey_path.is_file() else ([], [])

    files: dict[str, bytes] = {}
    gt_rows, pii = [], Counter()
    for s in sessions:
        r = render(s)
        files[s.file] = r.data
        for kind, loc, label, idx in r.hits:
            m = s.markers[idx]
            gt_rows.append([s.file, s.session_id, kind, loc, label, m.type, m.value, m.line])
    if responses:
        r = render_survey(responses, s_markers)
        files[SURVEY_FILE] = r.data
        for kind, loc, label, idx in r.hits:
            m = s_markers[idx]
            gt_rows.append([SURVEY_FILE, SURVEY_ID, kind, loc, label, m.type, m.value, m.line])
    pii.update(row[5] for row in gt_rows)

    srows = [[s.session_id, s.file, s.region, s.kind, s.date,
              ";".join(labels_for(s)[x.label] for x in s.speakers if x.role == "facilitator"), "", "", "", "", ""]
             for s in sessions]
    if responses:
        srows.append([SURVEY_ID, SURVEY_FILE, "", "survey", min(r.date for r in responses), "",
                      "respondent_id", "answer", "region", "submitted", "question"])
    files["sessions.csv"] = _csv_bytes(["session_id", "file", "region", "kind", "date", "facilitators",
                                        "respondent_column", "text_column", "region_column", "date_column",
                                        "question_column"], srows)
    prows = []
    for s in sessions:
        names, ids = labels_for(s), participant_ids(s)
        # `name` (the full name, as on a consent form) stays in data/raw: the suite uses it only to find
        # and redact the person wherever they are mentioned.
        prows += [[s.session_id, names[x.label], ids[x.label], x.role, x.name,
                   *(x.attrs.get(a, "") for a in MANIFEST_ATTRIBUTES)] for x in s.speakers]
    files["participants.csv"] = _csv_bytes(["session_id", "speaker_label", "participant_id", "role", "name",
                                            *MANIFEST_ATTRIBUTES], prows)
    withdrawn = choose_withdrawn(sessions)
    wrows = []
    if withdrawn:
        ws, wsp = withdrawn
        wdate = dt.date.fromisoformat(ws.date) + dt.timedelta(days=6)
        wrows.append([participant_ids(ws)[wsp.label], wdate.isoformat(), WITHDRAWAL_NOTE])
    files["withdrawals.csv"] = _csv_bytes(["participant_id", "date", "note"], wrows)
    deny = sorted({row[6] for row in gt_rows if row[5] == "PLACE"}, key=lambda v: (v.casefold(), v))
    files["deny_list.txt"] = "".join(f"{v}\n" for v in deny).encode("utf-8")
    files["ground_truth_pii.csv"] = _csv_bytes(["file", "session_id", "locator_kind", "locator", "speaker_label",
                                                "type", "value", "authoring_line"], gt_rows)
    files["README.md"] = readme(sessions, responses, withdrawn, pii, deny).encode("utf-8")
    _write_all(out, files)
    return {"sessions": len(sessions), "responses": len(responses), "pii": len(gt_rows)}


def _write_all(out: Path, files: dict[str, bytes]) -> None:
    """Write into a staging folder, then swap it in: no half-written sample."""
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".build_sample-", dir=out))
    try:
        for rel, data in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for folder in ("transcripts", "survey"):
            old = out / folder
            if old.exists():
                shutil.rmtree(old)
            if (stage / folder).exists():
                os.replace(stage / folder, old)
        for rel in files:
            if "/" not in rel:
                os.replace(stage / rel, out / rel)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SAMPLE / "authoring", help="folder of authoring files")
    parser.add_argument("--out", type=Path, default=SAMPLE, help="folder to write the sample into")
    args = parser.parse_args(argv)
    try:
        counts = build(args.source, args.out)
    except BuildError as exc:
        print(f"build_sample: {exc}", file=sys.stderr)
        return 1
    print(f"build_sample: {counts['sessions']} sessions, {counts['responses']} survey answers, "
          f"{counts['pii']} planted details -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
