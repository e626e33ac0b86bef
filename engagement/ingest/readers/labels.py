"""Speaker-label rules every reader shares: which strings are speaker labels, and who they are.

A transcript line may open a turn (``Sarah Jenkins: ...``, ``[00:12:03] P3: ...``,
``Interviewer - 00:12:03`` or ``Speaker 2  00:04:13`` on a line of its own, ``**Name:**``
in Markdown) or carry on the current one. Prose has colons too ("Note: this is important",
"Dear Sir:"), so labels are chosen in two passes: first every line that *could* open a turn
is collected as a :class:`Candidate`, then a candidate label is accepted only if it looks
like a label (short, capitalised, a role word, ``P3``, ``Speaker 2``, a title and a name)
and either has a strong shape (a role word, a title, a timestamp, capitals) or recurs in
the file. The rules are data (:data:`ROLE_WORDS`, :data:`TITLES`, :data:`NOT_LABELS`), not
branches scattered through the readers.

Committee and council transcripts put a role or affiliation in brackets
(``Right Hon. Jane Smith (Minister of Health):``,
``The Chair (Hon. A. Rota (Nipissing, Lib.)):``): the speaker keeps the person or role as
written and the bracket goes to ``affiliation``. Titles stay in the label but do not count
against it, and :func:`unify_speakers` reads ``Jane Smith`` as the ``Right Hon. Jane Smith``
of the same file.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from engagement.ingest.readers.base import RawTurn

TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_NAME = r"[^\W\d_][^:\[\]()]{0,60}?"            # starts with a letter, no colon or brackets
_LABEL = rf"(?P<label>{_NAME})"
_TS = rf"(?P<ts>{TIMESTAMP})"
_RANGE = rf"(?:\s*[-–—]\s*(?P<te>{TIMESTAMP}))?"              # 00:12:03 - 00:12:09
_BRACKET_TS = rf"(?P<open>[\[(]){_TS}{_RANGE}[\])]"           # [00:12:03]  (00:12:03 - 00:12:09)
_DASH = r"[-–—|]"
_TEXT = r"(?:\s+(?P<text>.*))?$"                 # the rest of the line, possibly nothing
_AFFILIATION = r"(?:\s*\((?P<aff>(?:[^():]|\([^():]*\)){1,80})\))?"   # nests once: "(Hon. A. Rota (Nipissing))"
_SHAPES = (
    # [00:12:03] Interviewer: text   (00:12:03) P3: text   00:12:03 Sarah: text   00:12:03 - Sarah: text
    ("ts", re.compile(rf"^(?P<open>[\[(]?){_TS}{_RANGE}[\])]?\s*(?:{_DASH}\s*)?{_LABEL}{_AFFILIATION}\s?:{_TEXT}")),
    # Interviewer [00:12:03]: text   Speaker 1 (00:04):   Sarah Jenkins (00:12:03)   (text on the next lines)
    ("ts", re.compile(rf"^{_LABEL}{_AFFILIATION}\s*{_BRACKET_TS}\s*(?::{_TEXT}|$)")),
    # Speaker 2  00:04:13   /   Sarah Jenkins  0:04   /   Interviewer - 00:12:03   (text on the next lines)
    ("alone", re.compile(rf"^{_LABEL}\s+(?:(?P<open>{_DASH})\s*)?{_TS}$")),
    # [Abena Boateng] 10:02:13   (Zoom's saved transcript: the name in brackets, the time, text below)
    ("alone", re.compile(rf"^(?P<open>\[){_LABEL}\]\s*{_TS}$")),
    # Sarah Jenkins (00:12:03) text   Interviewer - 00:12:03 text   Interviewer – 12:03: text
    ("inline", re.compile(rf"^{_LABEL}\s*(?:(?P<open>[\[(])|(?P<dash>{_DASH})\s*){_TS}{_RANGE}[\])]?:?"
                          rf"\s+(?P<text>\S.*)$")),
    # Sarah Jenkins: text   INTERVIEWER : text   P3 (female, 60s): text   The Chair (Hon. A. Rota (Nipissing)): text
    ("colon", re.compile(rf"^{_LABEL}{_AFFILIATION}\s?:{_TEXT}")),
)
# **Name:** text   **Name**: text   __Name:__ text   - **Interviewer (00:12:03):** text
_MARKDOWN = re.compile(r"^(?:[-*+]\s+)?(?P<mark>\*\*|__)(?P<inner>[^*_]{1,120}?)(?P=mark)(?P<rest>.*)$")

ROLE_WORDS = re.compile(
    r"^(?:the\s+)?(?:(?:co-?|deputy\s+|vice[- ]|acting\s+)?(?:facilitator|interviewer|moderator|researcher|"
    r"chair(?:man|woman|person)?|convenor|convener|speaker|clerk|presiding\s+officer|minister|secretary|"
    r"mayor|witness|member)|interviewee|respondent|participant|"
    r"note[- ]?taker|observer|host|person|voice|caller|(?:unknown|unidentified|other)(?: speaker)?|"
    r"attendee|delegate|guest|panell?ist|contributor|patient|carer|resident|client|(?:service\s+)?user|"
    r"volunteer|member of (?:the )?public|"
    r"all|group|everyone|audience|several|multiple(?: speakers)?|male|female|man|woman)"
    r"(?:\s*#?\d{1,3}|\s+[A-Z])?$",
    re.IGNORECASE,
)
"""Role labels, numbered or lettered ("Facilitator", "Participant 3", "Speaker B", "The Chair")."""
_CODE_LABEL = re.compile(r"^(?:[A-Z]{1,2}\d{1,3}|[QAIRPFM])$")     # P3, R12, P03, Q, A, I, R
_NUMBERED = re.compile(r"^(?P<word>[A-Z][a-z]{2,})\s*#?\d{1,3}$")    # "Attendee 4", "Panelist 2", "Mum 1"
NUMBERED_NOT = frozenset("""
question section part table figure page chapter slide round item exercise activity task scenario step option
point level phase stage room line box appendix annex case story vignette card prompt statement paragraph
clause rule figure chart graph image photo picture exhibit tab sheet column row table version draft issue
number no act article schedule verse psalm song track video clip minute hour
""".split())
"""First words of numbered headings ("Question 3:", "Scenario 2:"): never a numbered speaker."""

TITLES = frozenset("""
dr mr mrs ms miss mx prof professor cllr councillor alderman sir dame lord lady baroness baron viscount
earl hon honourable honorable rt rev revd reverend madam madame mme nurse sister father shri sri smt
alhaji alhaja chief judge justice
""".split())
"""Honorifics, compared without their full stop ("Prof." is "prof"); they stay in the label."""
_TITLE_OPENERS = {"the": {"hon", "honourable", "honorable", "right", "rt", "rev", "revd", "reverend", "lord",
                          "lady", "baroness", "baron", "earl", "viscount"},
                  "right": {"hon", "honourable", "honorable", "rev", "revd", "reverend"}}
"""Words that are part of a title only before another title word ("The Right Hon.", "Right Rev.")."""
_PARTICLES = {"de", "da", "di", "du", "del", "della", "dos", "van", "von", "der", "den", "la", "le", "bin", "bint",
              "binti", "al", "el", "ter", "ten", "y", "st", "st.", "ní", "nic", "ó", "ua", "mac", "mc", "ap"}

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
dear hi hello attn cc bcc from to signed yours regards sincerely faithfully
""".split())
"""Words that end in a colon in prose, a letter or a transcript's header block, never speaker labels."""
_NOT_FIRST = frozenset("""
the a an this that these those my our your their his her its what which who whom why how when where
if so and but or because well yes no one some any every each in on at for from to with by of as
""".split())

_PAREN_TAIL = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)$")     # "Sarah Jenkins (she/her)", "The Chair (Hon. A (B))"


@dataclass(frozen=True)
class Candidate:
    """A line that could open a turn, before the file-wide decision."""

    label: str
    text: str
    line: int
    shape: str               # "ts" (timestamp + colon), "alone" (label + time, text below), "inline", "colon"
    start: float | None = None
    ts_text: str = ""
    bracketed: bool = False
    end: float | None = None
    affiliation: str = ""


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
    """A name-like token: an upper-case (or caseless, as in 张伟) letter first, then letters and marks."""
    first = token[:1]
    if not first or not first.isalpha() or first.islower():
        return False
    return all(ch.isalpha() or ch in "'’-." or unicodedata.category(ch).startswith("M") for ch in token)


def split_title(label: str) -> tuple[str, str]:
    """Split leading honorifics off a label: ``("Right Hon.", "Jane Smith")``.

    Example:
        >>> split_title("The Right Hon. Jane Smith"), split_title("The Chair")
        (('The Right Hon.', 'Jane Smith'), ('', 'The Chair'))
    """
    tokens = label.split()
    i = 0
    while i < len(tokens) - 1:
        word = tokens[i].casefold().rstrip(".")
        if word in TITLES or tokens[i + 1].casefold().rstrip(".") in _TITLE_OPENERS.get(word, ()):
            i += 1
            continue
        break
    return " ".join(tokens[:i]), " ".join(tokens[i:])


def split_affiliation(label: str) -> tuple[str, str]:
    """Split a trailing bracket off a label: ``("Jane Smith", "Minister of Health")``.

    Example:
        >>> split_affiliation("The Chair (Hon. A. Rota (Nipissing, Lib.))")
        ('The Chair', 'Hon. A. Rota (Nipissing, Lib.)')
    """
    label = " ".join(label.split())
    m = _PAREN_TAIL.search(label)
    if m is None or m.start() == 0:
        return label, ""
    return label[:m.start()].rstrip(), m.group(0).strip()[1:-1].strip()


_USERNAME_LABEL = re.compile(r"^[a-z]{2,}[._][a-z0-9]+(?:[._][a-z0-9]+)*$")


def label_strength(label: str) -> str | None:
    """How much a string looks like a speaker label: "strong", "weak" or None (not a label).

    Strong: role words ("Interviewer", "Speaker 2", "The Chair"), codes ("P3", "R12"), titles
    with a name ("Dr Patel", "Right Hon. Jane Smith", "Mr Speaker"), all-capitals names of 4+
    letters ("SARAH"). Weak: 1-4 capitalised words ("Sarah Jenkins"), which need recurrence
    or more evidence before they count. A trailing bracket ("Sarah (she/her)", "P3 (60s)",
    "Jane Smith (Minister of Health)") is ignored when judging.

    Example:
        >>> [label_strength(s) for s in ("P3", "Sarah Jenkins", "Note", "The thing is", "The Chair")]
        ['strong', 'weak', None, None, 'strong']
    """
    label = split_affiliation(label)[0]
    title, name = split_title(label)
    tokens = name.split(" ")
    if not name or len(tokens) > 4 or len(name) > 40:
        return None
    if ROLE_WORDS.match(name) or _CODE_LABEL.match(name) or _numbered(name):
        return "strong"
    low = [t.casefold() for t in tokens]
    if name.casefold() in NOT_LABELS or low[0] in NOT_LABELS or low[0] in _NOT_FIRST:
        return None
    if len(tokens) == 1 and _USERNAME_LABEL.match(name) and not name.casefold().startswith(("www.", "http")):
        return "weak"               # a video call's user name: "aisha.r", "j_okafor" (it must recur)
    particles = _PARTICLES | {"of"} if title else _PARTICLES     # "Baroness Kennedy of Cradley"
    if not _capitalised(tokens[0]) or not all(_capitalised(t) or t.casefold() in particles for t in tokens[1:]):
        return None
    if title:
        return "strong"
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) >= 4 and all(ch.isupper() for ch in letters) and len(tokens) <= 3:
        return "strong"             # "SARAH", "DR PATEL"; short capitals may be acronyms ("NHS: ...")
    return "weak"


def _numbered(name: str) -> bool:
    """A word and a number, as transcribers number the people they cannot name ("Attendee 4", "Guest 2").

    Numbered headings ("Question 3", "Scenario 2": :data:`NUMBERED_NOT`) and prose openers are not.
    """
    m = _NUMBERED.match(name)
    if not m:
        return False
    word = m["word"].casefold()
    return word not in NUMBERED_NOT and word not in NOT_LABELS and word not in _NOT_FIRST


def is_role_label(label: str) -> bool:
    """True for labels that name a role or a code, not a person ("Facilitator", "P3", "Mr Speaker", "Guest 2")."""
    name = split_title(split_affiliation(label)[0])[1]
    return bool(ROLE_WORDS.match(name) or _CODE_LABEL.match(name) or _numbered(name))


def _unmark(line: str) -> str | None:
    """``**Name:** text`` / ``__Name__: text`` as ``Name: text``; None when the line has no bold label."""
    m = _MARKDOWN.match(line)
    if m is None:
        return None
    inner, rest = m.group("inner").strip(), m.group("rest")
    if inner.endswith(":"):
        return f"{inner} {rest.strip()}"
    return f"{inner}{rest}" if rest[:1] in (":", " ", "\t", "") else None


def candidate(line: str, line_no: int, *,
              shapes: Iterable[str] = ("ts", "alone", "inline", "colon")) -> Candidate | None:
    """The turn-opening reading of one line, if it has one of the label shapes."""
    stripped = line.strip()
    unmarked = _unmark(stripped)
    if unmarked is not None:
        stripped = unmarked
    for shape, pattern in _SHAPES:
        if shape not in shapes:
            continue
        m = pattern.match(stripped)
        if m is None:
            continue
        found = m.groupdict()
        label, affiliation = " ".join(m.group("label").split()), " ".join((found.get("aff") or "").split())
        if label_strength(label) is None:
            continue
        ts, te = found.get("ts"), found.get("te")
        return Candidate(label=label, text=(found.get("text") or "").strip(), line=line_no, shape=shape,
                         start=parse_timestamp(ts) if ts else None, ts_text=ts or "",
                         bracketed=bool(found.get("open") or found.get("dash")),
                         end=parse_timestamp(te) if te else None, affiliation=affiliation)
    return None


def choose_labels(cands: Iterable[Candidate], strong: Iterable[str] = ()) -> tuple[set[str], dict[str, int]]:
    """Decide, file-wide, which candidate labels are speakers.

    A label is accepted when it is strong (see :func:`label_strength`), was marked strong by
    the format (a bold run in Word), comes with a timestamp and a colon or bracket, recurs,
    or has 2-4 words; a label with a time but no colon (``Name - 00:12:03``, ``Name  0:04``)
    needs a second such line in the file; a one-word name seen once is accepted only beside
    two or more other one-word names.

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
    timed_headers = sum(c.start is not None for c in cands)
    accepted: set[str] = set()
    pending: dict[str, int] = {}
    for label, cs in by_label.items():
        strength = label_strength(label)
        shapes = {c.shape for c in cs}
        if label in forced or strength == "strong":
            accepted.add(label)
        elif strength is None:
            continue
        elif shapes <= {"alone", "inline"}:      # a time but no colon: the file must use the style
            if len(cs) >= 2 or timed_headers >= 2:
                accepted.add(label)
            else:
                pending[label] = cs[0].line
        elif len(cs) >= 2 or len(label.split()) >= 2 or "ts" in shapes:
            accepted.add(label)
        else:
            pending[label] = cs[0].line
    single_names = [a for a in accepted if len(a.split()) == 1 and label_strength(a) == "weak"]
    if len(single_names) >= 2:
        accepted.update(pending)
        pending = {}
    return accepted, pending


def person_key(label: str) -> str:
    """What two labels for one person share: the name without titles or bracket, case-folded.

    Example:
        >>> person_key("Right Hon. Jane Smith (Minister of Health)") == person_key("JANE SMITH")
        True
    """
    return split_title(split_affiliation(label)[0])[1].casefold()


def unify_speakers(turns: Sequence[RawTurn]) -> tuple[list[RawTurn], list[str]]:
    """Read ``Jane Smith`` as the ``Right Hon. Jane Smith`` of the same file.

    Labels that differ only by titles or case name one person when the file gives that
    person at most one title ("Dr Patel" and "Patel"; not "Dr Patel" and "Cllr Patel", who
    may be two people). The speaker becomes the titled form (else the first form seen).
    Role labels ("Mr Speaker", "The Chair") are never merged with anything.

    Returns:
        ``(turns, notes)``: the turns with speakers unified, and one note per merge.
    """
    forms: dict[str, list[str]] = defaultdict(list)
    for t in turns:
        if t.speaker and not is_role_label(t.speaker) and t.speaker not in forms[person_key(t.speaker)]:
            forms[person_key(t.speaker)].append(t.speaker)
    rename: dict[str, str] = {}
    for key, labels in forms.items():
        titled = {split_title(lab)[0].casefold().replace(".", "") for lab in labels if split_title(lab)[0]}
        if len(labels) < 2 or len(titled) > 1 or not key:
            continue
        target = next((lab for lab in labels if split_title(lab)[0]), labels[0])
        rename.update({lab: target for lab in labels if lab != target})
    if not rename:
        return list(turns), []
    notes = [f"read speaker '{old}' as '{new}' (the same name)" for old, new in sorted(rename.items())]
    return [replace(t, speaker=rename.get(t.speaker, t.speaker)) for t in turns], notes

_QA_NUMBERED = re.compile(r"^(?P<side>[QA])\.?\s*\d{1,3}$", re.IGNORECASE)


def join_numbered_questions(turns: Sequence[RawTurn]) -> tuple[list[RawTurn], list[str]]:
    """Read ``Q1:`` ... ``Q25:`` as one speaker ``Q`` where the answers are ``A:`` (or ``A1:``).

    Interview notes number their questions; the numbers are the questions', not people's. Only a
    file with answer labels and two or more numbered questions is read so.
    """
    labels = {t.speaker for t in turns if t.speaker}
    numbered_q = {lab for lab in labels if (m := _QA_NUMBERED.match(lab)) and m.group("side").upper() == "Q"}
    answers = {lab for lab in labels if lab.upper() == "A" or ((m := _QA_NUMBERED.match(lab)) and m.group("side").upper() == "A")}
    if len(numbered_q) < 2 or not answers:
        return list(turns), []
    rename = {lab: "Q" for lab in numbered_q} | {lab: "A" for lab in answers if lab != "A"}
    note = f"read the numbered questions ({len(numbered_q)} labels, Q1...) as one speaker 'Q', the answers as 'A'"
    return [replace(t, speaker=rename.get(t.speaker, t.speaker)) for t in turns], [note]
