"""What every reader returns: speaker turns as they stand in the source file.

Readers do no cleaning and no de-identification: they keep the text as transcribed
(marks like ``[inaudible]`` included) and say where each turn came from, so that any
later error or redaction can be traced back to a line, cue or table row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engagement.errors import InputError


@dataclass(frozen=True)
class RawTurn:
    """One speaker turn as found in a source file.

    Attributes:
        speaker: the speaker label exactly as written in the file ("P3", "Sarah Jenkins",
            "INTERVIEWER", "Speaker 2"); for a survey row, the respondent id; "" when the
            format carries no speaker (an unlabelled SubRip file).
        text: the turn's text, paragraphs joined with "\\n".
        source_line: 1-based line of the turn's first line (text formats), line of the
            first cue's timing line (VTT/SRT), 1-based paragraph or table row (docx),
            1-based data row counting the header as row 1 (CSV/XLSX).
        start: start time in seconds, if the format has times.
        end: end time in seconds, if the format has times.
        meta: extra fields a format carries (survey: region, question, date).
        affiliation: the bracket after a label, kept apart from the speaker ("Minister of
            Health" for ``Right Hon. Jane Smith (Minister of Health):``, "female, 60s" for
            ``P3 (female, 60s):``); "" when there is none.
    """

    speaker: str
    text: str
    source_line: int
    start: float | None = None
    end: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    affiliation: str = ""


@dataclass(frozen=True)
class ReadResult:
    """A whole file as a reader saw it."""

    path: str
    format: str          # one of FORMATS
    encoding: str        # the encoding that decoded it ("utf-8", "utf-8-sig", "cp1252", "binary" for docx/xlsx)
    turns: list[RawTurn]
    notes: list[str] = field(default_factory=list)   # what the reader noticed (e.g. "merged 212 cues into 40 turns")
    names: tuple[str, ...] = ()   # people the file names outside its turns (a header's "Facilitator: Helen Baxter"),
                                  # passed to de-identification as known names, never published
    header: dict[str, str] = field(default_factory=dict)   # a header block's fields ("Date": "21 October 2026"),
                                  # fields naming people left empty; read by `engagement init`, never published


FORMATS = ("txt", "otter", "docx", "vtt", "srt", "sbv", "table", "csv", "xlsx")

FORMAT_NAMES = {
    "txt": "plain text or Markdown", "otter": "an Otter.ai export", "docx": "a Word document",
    "vtt": "WebVTT captions", "srt": "SubRip captions", "sbv": "YouTube .sbv captions",
    "table": "a transcript table: CSV or XLSX with speaker and text columns",
    "csv": "a survey CSV", "xlsx": "a survey workbook",
}
"""What each of :data:`FORMATS` is, for messages."""


def known_formats() -> str:
    """The formats the suite reads and how to force one, for the end of an error message."""
    shown = ", ".join(f"{k} ({v})" for k, v in FORMAT_NAMES.items())
    return f"formats the suite reads: {shown}; force one with --format NAME or a 'format' column in sessions.csv"


def no_turns_error(path: str | Path, fmt: str, why: str = "") -> InputError:
    """The error for a file that held no speaker turns, saying how it was read and what else to try.

    Example:
        >>> str(no_turns_error("a.txt", "txt"))[:52]
        'a.txt: empty transcript: no speaker turns found (rea'
    """
    why = f"; {why}" if why else ""
    return InputError(f"empty transcript: no speaker turns found (read as {FORMAT_NAMES.get(fmt, fmt)}{why}); "
                      f"{known_formats()}", path=path)
