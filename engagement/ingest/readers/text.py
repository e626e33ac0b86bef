"""Plain-text, Markdown and Otter.ai transcripts.

A transcript line may open a turn (``Sarah Jenkins: ...``, ``[00:12:03] P3: ...``,
``**Name:** ...``, ``Interviewer - 00:12:03`` or ``Speaker 2  00:04:13`` on a line of its
own) or carry on the current one; which lines are labels is decided file-wide by the rules
in :mod:`engagement.ingest.readers.labels` (re-exported here for the other readers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from engagement.ingest.readers.base import RawTurn, ReadResult, no_turns_error
from engagement.ingest.readers.labels import (  # noqa: F401  (re-exported: the readers' shared label rules)
    NOT_LABELS, ROLE_WORDS, TIMESTAMP, Candidate, candidate, choose_labels, label_strength, parse_timestamp,
)

_OTTER_FOOTER = re.compile(r"^transcribed by\s+https?://otter\.ai\S*$", re.IGNORECASE)


@dataclass
class _Turn:
    speaker: str
    line: int
    start: float | None
    end: float | None = None
    affiliation: str = ""
    paragraphs: list[str] = field(default_factory=list)


_NAME_PART = re.compile(r"(?:[A-Z][A-Za-z'’-]*\.?|and|&|de|van|von|der|da|di|le|la|al|el)$")
_NOT_NAMES = frozenset("""good morning afternoon evening hello hi hiya welcome thanks thank right okay ok so yes no well
everyone all everybody folks great lovely brilliant sorry one two three ready
gp gps nhs a&e ccg icb ics pcn uk gdpr""".split())


def _header_line(turn) -> bool:
    """"Facilitator: Helen Baxter", "Note taker: J. Ruiz and Tom Hill": a transcript's header, not a turn.

    Only a role word ("Facilitator", "Note taker"; not a code such as "P1") with a single paragraph
    holding nothing but two or more name words (capitalised, initials, particles, "and") counts,
    and only before the talk starts.
    """
    if not ROLE_WORDS.match(turn.speaker) or len(turn.paragraphs) != 1:
        return False
    words = turn.paragraphs[0].strip().rstrip(".").replace(",", " ").split()
    capitals = [w for w in words if w[:1].isupper()]
    return (2 <= len(capitals) <= 8 and all(_NAME_PART.match(w) for w in words)
            and not any(w.casefold().strip(".") in _NOT_NAMES for w in words))


#: fields a transcription service or a researcher puts above the talk ("Project: ...", "Audio file: ...")
_META_WORDS = """project|project title|project name|study|study title|title|interview|interview id|interview no|
interview number|interview ref|session|session id|session no|session number|group|group id|focus group|event|
meeting|date|time|date and time|date of interview|interview date|session date|recorded|recording date|location|
venue|place|area|region|site|setting|audio|audio file|file|file name|filename|recording|source|media|duration|
length|running time|transcript|transcript type|transcription type|transcription style|style|key|legend|notation|
conventions|transcribed by|transcriber|typist|transcription company|proofread by|checked by|reviewed by|client|
job|job no|job number|job ref|order|reference|ref|word count|language|number of speakers|no of speakers|
participants|attendees|present|speakers|in attendance|apologies|conducted by|interviewed by|facilitated by|
moderated by|led by|chaired by|hosted by|notes by|notes taken by|recorded by|interviewer name|facilitator name|
researcher|researchers|team|call|call date|call time|mode|method|medium|consent|notes"""
_META_FIELDS = frozenset(w.strip() for w in _META_WORDS.replace("\n", "").split("|"))
#: of those, the fields whose value names people (for de-identification)
_PEOPLE_FIELDS = frozenset("""transcribed by|transcriber|typist|proofread by|checked by|reviewed by|participants|
attendees|present|speakers|in attendance|apologies|conducted by|interviewed by|facilitated by|moderated by|led by|
chaired by|hosted by|notes by|notes taken by|recorded by|interviewer name|facilitator name|researcher|researchers|
team""".replace("\n", "").split("|"))
_FIELD_LINE = re.compile(r"^\s*(?:\*\*|__)?([A-Za-z][A-Za-z .#/&()'-]{0,40}?)\.?(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(.*)$")


def _names_only(value: str) -> bool:
    """True when ``value`` is nothing but two or more name words ("Priya Raval", "J. Ruiz and Tom Hill")."""
    value = re.sub(r"\s*\([^)]*\)", "", value)          # "Helen Baxter (Healthwatch Essex)"
    words = value.strip().rstrip(".").replace(",", " ").replace(";", " ").split()
    capitals = [w for w in words if w[:1].isupper()]
    return (2 <= len(capitals) <= 12 and all(_NAME_PART.match(w) for w in words)
            and not any(w.casefold().strip(".") in _NOT_NAMES for w in words))


def metadata_header(lines: Sequence[tuple[int, str]]) -> tuple[int, dict[str, str], list[str]]:
    """The block of ``Field: value`` lines above the talk, as transcription services write it.

    "Project: ...", "Interview ID: 12", "Date: ...", "Audio file: ...", "Key: INT = Interviewer",
    and a role with only a name ("Interviewer: Priya Raval", "Note taker: Eoin Kavanagh"). The block
    is the file's first lines (blank lines and one untitled title line allowed) up to the first line
    that is neither; it counts only with at least two field lines, so a file that opens with
    "Interviewer: Right, shall we start?" keeps its first turn.

    Returns:
        ``(lines in the block, its fields, the names it gives)``; ``(0, {}, [])`` for none. The fields
        map each field as written to its value, except fields that name people (a role, "Present"),
        whose value is "" (the names are returned apart, for de-identification only).
    """
    block = _top_block(lines)
    if block:
        return block
    fields: dict[str, str] = {}
    names: list[str] = []
    end = 0
    untitled = 0
    for i, (_, line) in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        m = _FIELD_LINE.match(text)
        key = " ".join(m.group(1).casefold().replace(".", " ").split()) if m else ""
        value = m.group(2).strip() if m else ""
        if m and key in _META_FIELDS:
            people = key in _PEOPLE_FIELDS
            fields[m.group(1).strip()] = "" if people else value
            if people and value and _names_only(value):
                names += header_names(re.sub(r"\s*\([^)]*\)", "", value).replace(";", ","))
        elif m and ROLE_WORDS.match(m.group(1).strip()) and value and _names_only(value):
            fields[m.group(1).strip()] = ""
            names += header_names(re.sub(r"\s*\([^)]*\)", "", value).replace(";", ","))
        elif not fields and not untitled and not m:
            untitled = 1                     # a title line above the fields
            continue
        else:
            break
        end = i + 1
    if len(fields) < 2:
        return 0, {}, []
    return end, fields, names


def _top_block(lines: Sequence[tuple[int, str]], most: int = 12) -> tuple[int, dict[str, str], list[str]] | None:
    """The file's first paragraph as a header, when two or more of its lines are known fields and a blank
    line parts it from the talk: interview notes write "Interviewer: SK", "Respondent: asked to be called
    Bev" and a remark or two there, none of which is a turn."""
    first = next((i for i, (_, line) in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    stop = next((i for i in range(first, len(lines)) if not lines[i][1].strip()), None)
    if stop is None or stop - first > most or not any(line.strip() for _, line in lines[stop:]):
        return None
    fields: dict[str, str] = {}
    names: list[str] = []
    known = 0
    for _, line in lines[first:stop]:
        m = _FIELD_LINE.match(line.strip())
        if not m:
            continue
        label, value = m.group(1).strip(), m.group(2).strip()
        key = " ".join(label.casefold().replace(".", " ").split())
        if key in _META_FIELDS:
            known += 1
        people = key in _PEOPLE_FIELDS or bool(ROLE_WORDS.match(label))
        if key not in _META_FIELDS and not people:
            continue
        fields[label] = "" if people else value
        if people and value and _names_only(value):
            names += header_names(re.sub(r"\s*\([^)]*\)", "", value).replace(";", ","))
    if known < 2:
        return None
    return stop, fields, names


def header_names(text: str) -> list[str]:
    """The people a header line names: "J. Ruiz and Tom Hill" -> ["J. Ruiz", "Tom Hill"].

    A part that is only initials ("J.", "M. K.") names nobody findable and is left out.
    """
    parts = re.split(r"\s*(?:,|&|\band\b)\s*", text.strip().rstrip("."))
    return [p for p in (" ".join(x.split()) for x in parts)
            if any(len(w.strip(".")) > 1 for w in p.split())]


def parse_lines(lines: Sequence[tuple[int, str]], *, otter: bool = False, strong: Iterable[str] = (),
                unit: str = "line") -> tuple[list[RawTurn], list[str], list[str], dict[str, str]]:
    """Turn numbered lines into speaker turns (the core of the text, Otter and docx readers).

    Args:
        lines: ``(line number, text)`` pairs; several pairs may share a number (a Word
            paragraph with line breaks).
        otter: Otter mode: only ``Name  0:04`` lines after a blank line open turns.
        strong: labels the format marks as labels (bold runs in Word).
        unit: what a line number counts, for notes ("line", "paragraph").

    Returns:
        ``(turns, notes, names, header)``; each turn's text is its paragraphs joined with ``\\n``;
        ``names`` are the people a header line names (for de-identification); ``header`` holds the
        fields of a header block (:func:`metadata_header`).
    """
    head, fields, names = metadata_header(lines)
    head_notes = []
    if head:
        head_notes.append(f"read {unit}s {lines[0][0]}-{lines[head - 1][0]} as the file's header, not turns "
                          f"({', '.join(fields)})")
        lines = lines[head:]
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
            turns.append(_Turn(c.label, c.line, c.start, c.end, c.affiliation, [c.text] if c.text else []))
        elif turns:
            turns[-1].paragraphs.append(text)
        else:
            preamble.append(n)
    header = 0
    # a timed block is talk ("Facilitator  0:04" then "Jo Hart"), never a header's "Interviewer: Jo Hart"
    while header < len(turns) and turns[header].start is None and _header_line(turns[header]):
        header += 1
    notes: list[str] = head_notes
    names += [name for t in turns[:header] for name in header_names(t.paragraphs[0])]
    if header:
        shown = ", ".join(f"'{t.speaker}:' ({unit} {t.line})" for t in turns[:header])
        notes.append(f"read as the header, not turns (a role and only a name before the talk starts): {shown}")
        turns = turns[header:]
    if preamble:
        notes.append(f"skipped {len(preamble)} {unit}(s) before the first speaker label "
                     f"({unit}s {preamble[0]}-{preamble[-1]})")
    if rejected:
        shown = ", ".join(f"'{k}' ({unit} {v})" for k, v in sorted(rejected.items(), key=lambda kv: kv[1]))
        notes.append(f"read as text, not speaker labels (seen once): {shown}")
    empty = [t for t in turns if not t.paragraphs]
    if empty:
        notes.append(f"dropped {len(empty)} speaker label(s) with no text (first on {unit} {empty[0].line})")
    result = [RawTurn(speaker=t.speaker, text="\n".join(t.paragraphs), source_line=t.line, start=t.start,
                      end=t.end, affiliation=t.affiliation) for t in turns if t.paragraphs]
    if otter:
        result, blocks = _join_runs(result)
        if blocks:
            notes.append(f"joined {blocks} Otter block(s) to the block before them (the same speaker went on "
                         f"after a pause), giving {len(result)} turns")
    return result, notes, names, fields


def _join_runs(turns: list[RawTurn]) -> tuple[list[RawTurn], int]:
    """Consecutive turns of one speaker as one turn (Otter starts a new block after a pause, not a
    new speaker); returns the turns and how many were joined to the one before."""
    out: list[RawTurn] = []
    joined = 0
    for t in turns:
        last = out[-1] if out else None
        if last is not None and t.speaker == last.speaker and t.affiliation == last.affiliation:
            out[-1] = replace(last, text=f"{last.text}\n{t.text}", end=t.end if t.end is not None else last.end)
            joined += 1
        else:
            out.append(t)
    return out, joined


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
    turns, notes, names, header = parse_lines(_numbered(text), otter=otter)
    if not turns:
        raise no_turns_error(path, "otter" if otter else "txt",
                             "no line opens with a speaker label such as 'Name:', '**Name:**' or 'Name (00:12:03)'")
    return ReadResult(path=str(path), format="otter" if otter else "txt", encoding=encoding,
                      turns=turns, notes=notes, names=tuple(names), header=header)
