"""Plain-text and Otter.ai transcripts, and the speaker-label rules every reader shares.

A transcript line may open a turn (``Sarah Jenkins: ...``, ``[00:12:03] P3: ...``,
``Speaker 2  00:04:13`` on a line of its own) or carry on the current one. Prose has
colons too ("Note: this is important", "The thing is: ..."), so labels are chosen in two
passes: first every line that *could* open a turn is collected as a candidate, then a
candidate label is accepted only if it looks like a label (short, capitalised, a role word,
``P3``, ``Speaker 2``) and either has a strong shape (a role word, a timestamp, capitals)
or recurs in the file. The rules are data (:data:`ROLE_WORDS`, :data:`NOT_LABELS`), not
branches scattered through the readers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engagement.errors import InputError
from engagement.ingest.readers.base import RawTurn, ReadResult

TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_NAME = r"[^\W\d_][^:\[\]()]{0,40}?"           # starts with a letter, no colon or brackets
_LABEL = rf"(?P<label>{_NAME})"
_TS = rf"(?P<ts>{TIMESTAMP})"
_TEXT = r"(?:\s+(?P<text>.*))?$"                 # the rest of the line, possibly nothing
_SHAPES = (
    # [00:12:03] Interviewer: text   (00:12:03) P3: text   00:12:03 Sarah: text
    ("ts", re.compile(rf"^(?P<open>[\[(]?){_TS}[\])]?\s*(?:[-–—]\s*)?{_LABEL}\s?:{_TEXT}")),
    # Interviewer [00:12:03]: text   Speaker 1 (00:04):
    ("ts", re.compile(rf"^{_LABEL}\s*(?P<open>[\[(]){_TS}[\])]\s*(?::{_TEXT}|$)")),
    # Speaker 2  00:04:13   /   Sarah Jenkins  0:04      (text on the following lines)
    ("alone", re.compile(rf"^{_LABEL}\s+(?P<open>){_TS}$")),
    # Sarah Jenkins: text   INTERVIEWER : text   P3 (female, 60s): text
    ("colon", re.compile(rf"^(?P<label>{_NAME}(?:\s*\([^():]{{1,30}}\))?)\s?:{_TEXT}")),
)

ROLE_WORDS = re.compile(
    r"^(?:(?:co-?)?(?:facilitator|interviewer|moderator|researcher|chair)|interviewee|respondent|participant|"
    r"note[- ]?taker|observer|host|speaker|person|voice|caller|(?:unknown|unidentified|other)(?: speaker)?|"
    r"all|group|everyone|audience|several|multiple(?: speakers)?|male|female|man|woman)"
    r"(?:\s*#?\d{1,3}|\s+[A-Z])?$",
    re.IGNORECASE,
)
"""Role labels, numbered or lettered ("Facilitator", "Participant 3", "Speaker B")."""
_CODE_LABEL = re.compile(r"^(?:[A-Z]{1,2}\d{1,3}|[QAIRPFM])$")     # P3, R12, P03, Q, A, I, R
_TITLES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "prof", "prof.", "professor",
           "cllr", "councillor", "sir", "dame", "rev", "revd", "nurse", "sister", "father"}
_PARTICLES = {"de", "da", "di", "du", "del", "della", "van", "von", "der", "den", "la", "le", "bin", "bint",
              "al", "el", "ter", "ten", "y", "st", "st."}

NOT_LABELS = frozenset("""
note notes nb n.b ps p.s well so yes no yeah yep nope okay ok right now then also and but or because
example examples e.g eg i.e ie answer question important remember warning caution tip update edit
summary conclusion result results reason problem issue point thing fact truth honestly basically actually
anyway firstly secondly thirdly finally first second third lastly plus however therefore meaning quote
re subject date time location venue place duration title session project region area transcript
transcription transcribed recording recorded file present attendees participants apologies agenda
topic theme themes purpose background aim aims objective objectives comment comments action actions
outcome definition source link website web url email e-mail tel phone mobile address postcode ref
reference version status total key legend hint step day week month year today tomorrow yesterday
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december morning afternoon evening tldr fyi p.p.s attachment
""".split())
"""Words that end in a colon in prose or in a transcript's header block, never speaker labels."""
_NOT_FIRST = frozenset("""
the a an this that these those my our your their his her its what which who whom why how when where
if so and but or because well yes no one some any every each in on at for from to with by of as
""".split())

_PAREN_TAIL = re.compile(r"\s*\([^()]*\)$")     # "Sarah Jenkins (she/her)", "P3 (female, 60s)"
_OTTER_FOOTER = re.compile(r"^transcribed by\s+https?://otter\.ai\S*$", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A line that could open a turn, before the file-wide decision."""

    label: str
    text: str
    line: int
    shape: str               # "ts" (timestamp + colon), "alone" (label + time, text below), "colon"
    start: float | None = None
    ts_text: str = ""
    bracketed: bool = False


def parse_timestamp(value: str) -> float:
    """Seconds in ``h:mm:ss``, ``mm:ss`` or ``m:ss`` with optional ``.mmm`` / ``,mmm``.

    Example:
        >>> parse_timestamp("1:02:33")
        3753.0
    """
    parts = value.strip().strip("[]()").replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _capitalised(token: str) -> bool:
    return token[:1].isupper() and all(ch.isalpha() or ch in "'’-." for ch in token)


def label_strength(label: str) -> str | None:
    """How much a string looks like a speaker label: "strong", "weak" or None (not a label).

    Strong: role words ("Interviewer", "Speaker 2"), codes ("P3", "R12"), titles
    ("Dr Patel"), all-capitals names of 4+ letters ("SARAH"). Weak: 1-4 capitalised words ("Sarah
    Jenkins"), which need recurrence or more evidence before they count. A trailing
    parenthesis ("Sarah (she/her)", "P3 (60s)") is ignored when judging.

    Example:
        >>> [label_strength(s) for s in ("P3", "Sarah Jenkins", "Note", "The thing is")]
        ['strong', 'weak', None, None]
    """
    label = _PAREN_TAIL.sub("", " ".join(label.split()))
    tokens = label.split(" ")
    if not label or len(tokens) > 4 or len(label) > 40:
        return None
    if ROLE_WORDS.match(label) or _CODE_LABEL.match(label):
        return "strong"
    low = [t.casefold() for t in tokens]
    if label.casefold() in NOT_LABELS or low[0] in NOT_LABELS or low[0] in _NOT_FIRST:
        return None
    if not _capitalised(tokens[0]) or not all(_capitalised(t) or t.casefold() in _PARTICLES for t in tokens[1:]):
        return None
    if low[0] in _TITLES and len(tokens) > 1:
        return "strong"
    letters = [ch for ch in label if ch.isalpha()]
    if len(letters) >= 4 and all(ch.isupper() for ch in letters) and len(tokens) <= 3:
        return "strong"             # "SARAH", "DR PATEL"; short capitals may be acronyms ("NHS: ...")
    return "weak"


def candidate(line: str, line_no: int, *, shapes: Iterable[str] = ("ts", "alone", "colon")) -> Candidate | None:
    """The turn-opening reading of one line, if it has one of the label shapes."""
    stripped = line.strip()
    for shape, pattern in _SHAPES:
        if shape not in shapes:
            continue
        m = pattern.match(stripped)
        if m is None:
            continue
        label = " ".join(m.group("label").split())
        if label_strength(label) is None:
            continue
        ts = m.groupdict().get("ts")
        return Candidate(label=label, text=(m.group("text") or "").strip() if "text" in m.groupdict() else "",
                         line=line_no, shape=shape, start=parse_timestamp(ts) if ts else None,
                         ts_text=ts or "", bracketed=bool(m.groupdict().get("open")))
    return None


def choose_labels(cands: Iterable[Candidate], strong: Iterable[str] = ()) -> tuple[set[str], dict[str, int]]:
    """Decide, file-wide, which candidate labels are speakers.

    A label is accepted when it is strong (see :func:`label_strength`), was marked strong by
    the format (a bold run in Word), comes with a timestamp, recurs, or has 2-4 words; a
    one-word name seen once is accepted only beside two or more other one-word names.

    Args:
        cands: every candidate in the file.
        strong: labels the format itself marks as labels.

    Returns:
        ``(accepted labels, {rejected label: its first line})``.
    """
    cands = list(cands)
    forced = set(strong)
    by_label: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        by_label[c.label].append(c)
    alone_lines = sum(c.shape == "alone" for c in cands)
    accepted: set[str] = set()
    pending: dict[str, int] = {}
    for label, cs in by_label.items():
        strength = label_strength(label)
        if label in forced or strength == "strong":
            accepted.add(label)
        elif strength is None:
            continue
        elif (len(cs) >= 2 or len(label.split()) >= 2 or any(c.shape == "ts" for c in cs)
              or (alone_lines >= 2 and any(c.shape == "alone" for c in cs))):
            accepted.add(label)
        else:
            pending[label] = cs[0].line
    single_names = [a for a in accepted if len(a.split()) == 1 and label_strength(a) == "weak"]
    if len(single_names) >= 2:
        accepted.update(pending)
        pending = {}
    return accepted, pending


@dataclass
class _Turn:
    speaker: str
    line: int
    start: float | None
    paragraphs: list[str] = field(default_factory=list)


def parse_lines(lines: Sequence[tuple[int, str]], *, otter: bool = False,
                strong: Iterable[str] = (), unit: str = "line") -> tuple[list[RawTurn], list[str]]:
    """Turn numbered lines into speaker turns (the core of the text, Otter and docx readers).

    Args:
        lines: ``(line number, text)`` pairs; several pairs may share a number (a Word
            paragraph with line breaks).
        otter: Otter mode: only ``Name  0:04`` lines after a blank line open turns.
        strong: labels the format marks as labels (bold runs in Word).
        unit: what a line number counts, for notes ("line", "paragraph").

    Returns:
        ``(turns, notes)``; each turn's text is its paragraphs joined with ``\\n``.
    """
    cands: dict[int, Candidate] = {}
    for i, (n, line) in enumerate(lines):
        if otter:
            if i == 0 or not lines[i - 1][1].strip():
                c = candidate(line, n, shapes=("alone",))
                if c is not None:
                    cands[i] = c
        elif (c := candidate(line, n)) is not None:
            cands[i] = c
    accepted, rejected = (({c.label for c in cands.values()}, {}) if otter
                          else choose_labels(cands.values(), strong))
    turns: list[_Turn] = []
    preamble: list[int] = []
    for i, (n, line) in enumerate(lines):
        text = line.strip()
        if not text or (otter and _OTTER_FOOTER.match(text)):
            continue
        c = cands.get(i)
        if c is not None and c.label in accepted:
            turns.append(_Turn(c.label, c.line, c.start, [c.text] if c.text else []))
        elif turns:
            turns[-1].paragraphs.append(text)
        else:
            preamble.append(n)
    notes: list[str] = []
    if preamble:
        notes.append(f"skipped {len(preamble)} {unit}(s) before the first speaker label "
                     f"({unit}s {preamble[0]}-{preamble[-1]})")
    if rejected:
        shown = ", ".join(f"'{k}' ({unit} {v})" for k, v in sorted(rejected.items(), key=lambda kv: kv[1]))
        notes.append(f"read as text, not speaker labels (seen once): {shown}")
    empty = [t for t in turns if not t.paragraphs]
    if empty:
        notes.append(f"dropped {len(empty)} speaker label(s) with no text (first on {unit} {empty[0].line})")
    result = [RawTurn(speaker=t.speaker, text="\n".join(t.paragraphs), source_line=t.line, start=t.start)
              for t in turns if t.paragraphs]
    return result, notes


def _numbered(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.lstrip("\ufeff").split("\n"), start=1))


def has_speaker_labels(text: str) -> bool:
    """True when plain-text parsing finds at least one accepted speaker label."""
    lines = _numbered(text)
    cands = [c for n, line in lines if (c := candidate(line, n)) is not None]
    return bool(choose_labels(cands)[0])


def looks_like_otter(text: str) -> bool:
    """True for the Otter.ai shape: every turn opens with ``Name  m:ss`` on its own line.

    Times must be Otter's unpadded ``0:04`` / ``1:02:33``; ``Speaker 2  00:04:13`` (Rev-like,
    zero-padded) is read as plain text, which parses it the same way.
    """
    lines = _numbered(text)
    cands = [c for n, line in lines if (c := candidate(line, n)) is not None]
    accepted, _ = choose_labels(cands)
    used = [c for c in cands if c.label in accepted]
    return bool(used) and all(
        c.shape == "alone" and not c.bracketed and not (c.ts_text.startswith("0") and c.ts_text.split(":")[0] != "0")
        for c in used)


def read_text(path: str | Path, text: str, encoding: str, *, otter: bool = False) -> ReadResult:
    """Read a plain-text (``format="txt"``) or Otter.ai (``format="otter"``) transcript.

    Args:
        path: the file (for messages and the result).
        text: its decoded content (see :func:`engagement.ingest.readers.decode_text`).
        encoding: the encoding that decoded it.
        otter: read with Otter's rules (``Name  0:04`` headers only).

    Returns:
        The turns, with ``source_line`` the line of each turn's label and ``start`` its
        timestamp where the file gives one.

    Raises:
        InputError: no speaker turns were found.
    """
    turns, notes = parse_lines(_numbered(text), otter=otter)
    if not turns:
        raise InputError("empty transcript: no speaker turns found", path=path)
    return ReadResult(path=str(path), format="otter" if otter else "txt", encoding=encoding,
                      turns=turns, notes=notes)
