"""Caption files: WebVTT (Zoom, Microsoft Teams), SubRip (.srt) and YouTube/Google .sbv.

Caption tools cut speech into cues of a few seconds, so consecutive cues of one speaker
are merged into one turn (start of the first cue, end of the last, the first cue's timing
line as ``source_line``). The speaker comes from a ``<v Name>`` voice span (Teams), a
``Name: text`` prefix (Zoom, many SRT exports, ``- Name: text`` dialogue lines, broadcast
``>> JANE SMITH: text``), or not at all: an unlabelled cue in a labelled file carries on the
previous speaker, a ``>>`` with no name starts a turn of an unnamed speaker (``""``), and a
file with no labels at all gives one turn per cue with speaker ``""``.

An .sbv file (YouTube, Google) is blocks of a ``0:00:01.000,0:00:04.000`` timing line and
text lines, a blank line between blocks.

WebVTT cue text, voices and times come from webvtt-py; this module adds what it does not
give: the line of each cue, and an error naming the line of a malformed timing line
(webvtt-py skips such cues silently).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from engagement.errors import InputError
from engagement.ingest.readers.base import RawTurn, ReadResult, known_formats, no_turns_error
from engagement.ingest.readers.labels import Candidate, candidate, choose_labels, parse_timestamp

_VTT_TS = r"(?:\d+:)?\d{1,2}:\d{1,2}\.\d{1,3}"
_VTT_TIMING = re.compile(rf"^\s*{_VTT_TS}\s*-->\s*{_VTT_TS}(?:\s|$)")
_SRT_TS = r"\d{1,3}:\d{1,2}:\d{1,2}(?:[,.]\d{1,3})?"
_SRT_TIMING = re.compile(rf"^\s*({_SRT_TS})\s*-->\s*({_SRT_TS})(?:\s|$)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")          # HTML-like cue tags, and {\an8}-style ASS overrides
_DASH = re.compile(r"^\s*[-–—]\s*")
_CHEVRON = re.compile(r"^\s*>>+\s*")             # ">>" marks a change of speaker in broadcast captions
_SBV_TS = r"\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,3})?"
_SBV_TIMING = re.compile(rf"^\s*({_SBV_TS})\s*,\s*({_SBV_TS})\s*$")
_LOOKS_TIMED = re.compile(r"\d{1,2}:\d{2}")
# a meeting app's display name before the colon: any shape ("Kevin's iPad", "Sam Adeyemi | Healthwatch
# Essex", "iPhone (2)"), but no sentence punctuation, no digits-and-colon time and at most 60 characters
_DISPLAY_NAME = re.compile(r"^(?P<label>[^\s:.?!;,\"“”][^:.?!;\"“”]{0,59}?)\s*:\s+(?P<text>\S.*)$")
_DISPLAY_SPLIT = re.compile(r"\s+[|·•]\s+")         # "Name | Organisation" as Zoom shows a renamed participant
_WORD = re.compile(r"[^\W\d_]{3}")


@dataclass
class _Segment:
    text: str
    voice: str | None = None               # from <v Name>
    cand: Candidate | None = None          # a "Name: text" reading of its first line
    change: bool = False                   # opened by ">>": a new speaker, named or not


@dataclass
class _Cue:
    line: int
    start: float
    end: float
    segments: list[_Segment] = field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _text_segments(lines: list[str], line_no: int) -> list[_Segment]:
    """Segments of unvoiced cue text: one per ``- `` dialogue line or ``>>`` line, else one for the cue."""
    lines = [ln for ln in lines if _clean(ln)]
    if len(lines) > 1 and all(_DASH.match(ln) for ln in lines):
        groups = [[_DASH.sub("", ln)] for ln in lines]
    else:
        groups = []
        for ln in lines:
            if not groups or _CHEVRON.match(ln):
                groups.append([])
            groups[-1].append(ln)
        if groups:
            groups[0][0] = _DASH.sub("", groups[0][0])
    segments = []
    for group in groups:
        change = bool(_CHEVRON.match(group[0]))
        group = [_CHEVRON.sub("", group[0]), *group[1:]]
        first = _clean(group[0])
        segments.append(_Segment(text=_clean(" ".join(group)), change=change,
                                 cand=candidate(first, line_no, shapes=("colon",))))
    return segments


def _blocks(lines: list[str], *, vtt: bool) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks as ``(first line number, lines)``.

    As in the WebVTT parser, a ``-->`` line that cannot be the timing line of the current
    block starts a new one (a missing blank line between cues).
    """
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for n, line in enumerate(lines, start=1):
        blank = not line.strip() if not vtt else not line
        new_cue = "-->" in line and current and (len(current) >= 2 or "-->" in current[0])
        carried: list[str] = []
        if new_cue and not vtt and len(current) > 2 and current[-1].strip().isdigit():
            carried = [current.pop()]       # SubRip index of a cue not preceded by a blank line
        if blank or new_cue:
            if current:
                blocks.append((start, current))
            current = carried
            start = n - len(carried)
        if not blank:
            if not current:
                start = n
            current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def _timing_index(block: list[str]) -> int | None:
    for i in (0, 1):
        if i < len(block) and "-->" in block[i]:
            return i
    return None


def _looks_timed(line: str) -> bool:
    """A line that was meant as a timing line (two times, or one time and no words)."""
    return len(_LOOKS_TIMED.findall(line)) >= 2 or (bool(_LOOKS_TIMED.search(line)) and not _WORD.search(line))


def _check_not_timing(block: list[str], first: int, path: str | Path, what: str) -> None:
    """A block without ``-->`` whose first lines look like times is a broken cue, not text."""
    for k, line in enumerate(block[:2]):
        if _looks_timed(line):
            raise InputError(f"malformed {what} timing line '{line.strip()}' (expected 'start --> end')",
                             path=path, line=first + k)


def _stray(cues: list[_Cue], block: list[str], first: int, path: str | Path, what: str) -> None:
    """Text outside any cue (a blank line inside a cue): join it to the previous cue."""
    _check_not_timing(block, first, path, what)
    if not cues:
        raise InputError(f"text before the first {what} cue; {known_formats()}", path=path, line=first)
    cues[-1].segments.extend(_text_segments(block, first))


def _display_names(cues: list[_Cue]) -> None:
    """Accept meeting-app display names as labels when the file is written that way.

    Zoom and most caption exports put ``Name: text`` at the start of nearly every cue, and a
    display name can be anything a participant typed or their device is called. When most cues
    open with a prefix before a colon, a prefix that recurs at cue starts is a speaker, whatever
    its shape; ``Name | Organisation`` keeps the name and moves the organisation to the affiliation.
    """
    segs = [seg for cue in cues for seg in cue.segments if seg.voice is None]
    found = [(seg, _DISPLAY_NAME.match(seg.text)) for seg in segs]
    if not segs or sum(m is not None for _, m in found) < 0.6 * len(segs):
        return
    counts: dict[str, int] = {}
    for _, m in found:
        if m:
            counts[m.group("label")] = counts.get(m.group("label"), 0) + 1
    for cue in cues:
        for seg in cue.segments:
            m = _DISPLAY_NAME.match(seg.text) if seg.voice is None else None
            if m is None or counts.get(m.group("label"), 0) < 2 or (seg.cand and seg.cand.label == m.group("label")):
                continue
            name, *org = _DISPLAY_SPLIT.split(m.group("label"), maxsplit=1)
            seg.cand = Candidate(label=name.strip(), text=m.group("text").strip(), line=cue.line, shape="display",
                                 affiliation=org[0].strip() if org else "")


def _assemble(cues: list[_Cue], path: str | Path, fmt: str, encoding: str, notes: list[str]) -> ReadResult:
    _display_names(cues)
    voices = {s.voice for c in cues for s in c.segments if s.voice}
    display = {s.cand.label for c in cues for s in c.segments if s.cand and s.cand.shape == "display"}
    accepted, rejected = choose_labels([s.cand for c in cues for s in c.segments if s.cand], voices | display)
    labelled = bool(voices) or bool(accepted)
    turns: list[dict] = []
    unnamed = 0
    for cue in cues:
        for seg in cue.segments:
            speaker, text, affiliation = seg.voice, seg.text, ""
            if speaker is None and seg.cand is not None and seg.cand.label in accepted:
                speaker, affiliation = seg.cand.label, seg.cand.affiliation
                text = _clean(seg.text.split(":", 1)[1]) if ":" in seg.text else seg.cand.text
            if not text:
                continue
            if speaker is None and seg.change and labelled:
                speaker, unnamed = "", unnamed + 1
            last = turns[-1] if turns else None
            if labelled and last is not None and (speaker is None or speaker == last["speaker"]):
                last["text"].append(text)
                last["end"] = max(last["end"], cue.end)
                last["affiliation"] = last["affiliation"] or affiliation
                continue
            turns.append({"speaker": speaker or "", "text": [text], "line": cue.line,
                          "start": cue.start, "end": cue.end, "affiliation": affiliation})
    if not turns:
        raise no_turns_error(path, fmt, "every cue is empty")
    if labelled:
        notes.append(f"merged {len(cues)} cues into {len(turns)} turns")
    else:
        notes.append(f"no speaker labels: {len(turns)} turns, one per cue, with speaker ''")
    if unnamed:
        notes.append(f"{unnamed} cue(s) open with '>>' (a new speaker) but name no one: speaker ''")
    if rejected:
        notes.append("read as text, not speaker labels (seen once): " + ", ".join(f"'{k}'" for k in rejected))
    result = [RawTurn(speaker=t["speaker"], text=" ".join(t["text"]), source_line=t["line"],
                      start=t["start"], end=t["end"], affiliation=t["affiliation"]) for t in turns]
    return ReadResult(path=str(path), format=fmt, encoding=encoding, turns=result, notes=notes)


def read_vtt(path: str | Path, text: str, encoding: str) -> ReadResult:
    """Read a WebVTT caption file (Zoom, Teams or plain).

    Args:
        path: the file (for messages and the result).
        text: its decoded content.
        encoding: the encoding that decoded it.

    Returns:
        Merged speaker turns with start/end in seconds; ``source_line`` is the timing line
        of each turn's first cue.

    Raises:
        InputError: no ``WEBVTT`` header, a malformed timing line (named by line), no cues,
            or no text.
    """
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    # Whitespace-only lines end a block here, as every caption tool means them to.
    lines = [line.rstrip() for line in text.lstrip("\ufeff").split("\n")]
    text = "\n".join(lines)
    if not lines[0].startswith("WEBVTT") or lines[0][6:7] not in ("", " ", "\t"):
        raise InputError(f"not a WebVTT file: the first line must be 'WEBVTT'; {known_formats()}", path=path, line=1)
    timed: list[tuple[int, list[str]]] = []      # (timing line number, payload lines)
    strays: list[tuple[int, list[str], int]] = []  # (first line, lines, index of the cue before it)
    for i, (first, block) in enumerate(_blocks(lines, vtt=True)):
        head = block[0].strip()
        if i == 0 or head == "STYLE" or head == "REGION" or head.startswith(("NOTE ", "NOTE\t")) or head == "NOTE":
            continue
        t = _timing_index(block)
        if t is None:
            _check_not_timing(block, first, path, "WebVTT")
            strays.append((first, block, len(timed)))
            continue
        if not _VTT_TIMING.match(block[t]):
            raise InputError(f"malformed cue timing line '{block[t].strip()}' "
                             "(expected 'hh:mm:ss.ttt --> hh:mm:ss.ttt')", path=path, line=first + t)
        timed.append((first + t, block[t + 1:]))
    if not timed:
        raise no_turns_error(path, "vtt", "WebVTT file has no cues")
    try:
        captions = webvtt.from_string(text).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise InputError(f"malformed WebVTT ({exc})", path=path) from None
    if len(captions) != len(timed):
        raise InputError(f"malformed WebVTT: found {len(timed)} cue timing lines but could parse "
                         f"{len(captions)} cues", path=path)
    cues: list[_Cue] = []
    for (line_no, _), cap in zip(timed, captions):
        cue = _Cue(line=line_no, start=cap.start_time.in_milliseconds() / 1000,
                   end=cap.end_time.in_milliseconds() / 1000)
        raw = cap.raw_text
        voices = list(_VOICE.finditer(raw))
        if voices:
            if raw[:voices[0].start()].strip():
                cue.segments.extend(_text_segments([raw[:voices[0].start()]], line_no))
            for k, m in enumerate(voices):
                body = raw[m.end(): voices[k + 1].start() if k + 1 < len(voices) else len(raw)]
                name = " ".join((m.group(1) or "").split())
                cue.segments.append(_Segment(text=_clean(body), voice=name or None))
        else:
            cue.segments.extend(_text_segments(raw.split("\n"), line_no))
        cues.append(cue)
    notes: list[str] = []
    for first, block, before in strays:
        _stray(cues[:before], block, first, path, "WebVTT")
    notes.extend(_stray_notes([first for first, _, _ in strays]))
    return _assemble(cues, path, "vtt", encoding, notes)


def read_srt(path: str | Path, text: str, encoding: str) -> ReadResult:
    """Read a SubRip (.srt) caption file, with or without speaker prefixes.

    Tolerates a BOM, a missing index line, a missing final blank line, whitespace-only
    separator lines and ``.`` for ``,`` in times.

    Args:
        path: the file (for messages and the result).
        text: its decoded content.
        encoding: the encoding that decoded it.

    Returns:
        Turns with start/end in seconds; ``source_line`` is the first cue's timing line.

    Raises:
        InputError: a malformed timing line or a cue without one (named by line), no cues.
    """
    lines = text.lstrip("\ufeff").split("\n")
    cues: list[_Cue] = []
    strays: list[int] = []
    for first, block in _blocks(lines, vtt=False):
        t = _timing_index(block)
        if t is None:
            index = block[0].strip()
            if index.isdigit() and len(block) == 1:
                raise InputError(f"cue {index} has no timing line", path=path, line=first)
            if index.isdigit():
                what = "malformed cue timing line" if _looks_timed(block[1]) else f"cue {index} has no timing line:"
                raise InputError(f"{what} '{block[1].strip()}' (expected 'hh:mm:ss,ttt --> hh:mm:ss,ttt')",
                                 path=path, line=first + 1)
            _stray(cues, block, first, path, "SubRip")
            strays.append(first)
            continue
        m = _SRT_TIMING.match(block[t])
        if m is None:
            raise InputError(f"malformed cue timing line '{block[t].strip()}' "
                             "(expected 'hh:mm:ss,ttt --> hh:mm:ss,ttt')", path=path, line=first + t)
        cue = _Cue(line=first + t, start=_srt_seconds(m.group(1)), end=_srt_seconds(m.group(2)))
        cue.segments.extend(_text_segments(block[t + 1:], first + t))
        cues.append(cue)
    if not cues:
        raise no_turns_error(path, "srt", "no SubRip cues found")
    return _assemble(cues, path, "srt", encoding, _stray_notes(strays))


def _stray_notes(strays: list[int]) -> list[str]:
    return [f"joined {len(strays)} block(s) of text outside a cue to the cue before "
            f"(first on line {strays[0]})"] if strays else []


def read_sbv(path: str | Path, text: str, encoding: str) -> ReadResult:
    """Read a YouTube/Google .sbv caption file.

    Each cue is a ``H:MM:SS.mmm,H:MM:SS.mmm`` timing line followed by its text lines; a blank
    line ends the cue. Text after a blank line that is not a timing line joins the cue before.
    Arguments and result as for :func:`read_srt`.

    Raises:
        InputError: a malformed timing line (named by line), text before the first cue, no cues.
    """
    cues: list[_Cue] = []
    texts: list[list[str]] = []
    strays: list[int] = []
    after_blank = True
    for n, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        m = _SBV_TIMING.match(line)
        if m is not None:
            cues.append(_Cue(line=n, start=parse_timestamp(m.group(1)), end=parse_timestamp(m.group(2))))
            texts.append([])
        elif not line.strip():
            after_blank = True
            continue
        elif after_blank and _looks_timed(line):
            raise InputError(f"malformed SBV timing line '{line.strip()}' (expected 'H:MM:SS.mmm,H:MM:SS.mmm')",
                             path=path, line=n)
        elif not cues:
            raise InputError(f"text before the first SBV cue; {known_formats()}", path=path, line=n)
        else:
            if after_blank and texts[-1]:
                strays.append(n)
            texts[-1].append(line)
        after_blank = False
    if not cues:
        raise no_turns_error(path, "sbv", "no cue timing lines like '0:00:01.000,0:00:04.000'")
    for cue, lines in zip(cues, texts):
        cue.segments.extend(_text_segments(lines, cue.line))
    return _assemble(cues, path, "sbv", encoding, _stray_notes(strays))


def _srt_seconds(value: str) -> float:
    hms, _, frac = value.replace(".", ",").partition(",")
    h, m, s = (int(x) for x in hms.split(":"))
    return h * 3600 + m * 60 + s + (int(frac.ljust(3, "0")[:3]) / 1000 if frac else 0.0)
