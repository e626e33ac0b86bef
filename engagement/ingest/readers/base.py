"""What every reader returns: speaker turns as they stand in the source file.

Readers do no cleaning and no de-identification: they keep the text as transcribed
(marks like ``[inaudible]`` included) and say where each turn came from, so that any
later error or redaction can be traced back to a line, cue or table row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    """

    speaker: str
    text: str
    source_line: int
    start: float | None = None
    end: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadResult:
    """A whole file as a reader saw it."""

    path: str
    format: str          # one of FORMATS
    encoding: str        # the encoding that decoded it ("utf-8", "utf-8-sig", "cp1252", "binary" for docx/xlsx)
    turns: list[RawTurn]
    notes: list[str] = field(default_factory=list)   # what the reader noticed (e.g. "merged 212 cues into 40 turns")


FORMATS = ("txt", "otter", "docx", "vtt", "srt", "csv", "xlsx")
