"""Cleaning: normalise text, turn transcription marks into flags, remove fillers.

Transcribers mark what they could not hear or what was not speech: ``[inaudible 00:12:01]``,
``[crosstalk]``, ``(laughs)``, ``[pause]``, ``[unclear: Caldicott?]``, ``[redacted]``. These are
facts about the recording, not words anyone said, so they leave the analysed text and are
kept as per-turn flags. Fillers (um, erm, "you know" and "like" used as fillers) are removed
when configured; the real verbs ("I'd like", "I know you know my data") are never touched.

Example:
    >>> clean_text("Um, I was, like, worried [crosstalk] about it (laughs).")
    ('I was worried about it.', ['crosstalk', 'laughter'])
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

# Mark words -> flag name. A bracketed or parenthesised group whose content starts with one of
# these (after optional words like "long" or "brief") is a transcription mark.
MARKS: dict[str, str] = {
    "inaudible": "inaudible", "inaudible speech": "inaudible", "indistinct": "inaudible",
    "unintelligible": "inaudible", "audio cuts out": "inaudible", "audio drops": "inaudible",
    "crosstalk": "crosstalk", "cross talk": "crosstalk", "cross-talk": "crosstalk",
    "overlapping": "crosstalk", "overlapping speech": "crosstalk", "talking over": "crosstalk",
    "laughs": "laughter", "laugh": "laughter", "laughter": "laughter", "laughing": "laughter",
    "chuckles": "laughter", "giggles": "laughter",
    "pause": "pause", "long pause": "pause", "brief pause": "pause", "silence": "pause",
    "unclear": "unclear", "uncertain": "unclear",
    "redacted": "redacted", "name redacted": "redacted", "removed": "redacted",
    "coughs": "nonspeech", "cough": "nonspeech", "sighs": "nonspeech", "sigh": "nonspeech",
    "clears throat": "nonspeech", "background noise": "nonspeech", "phone rings": "nonspeech",
    "music": "nonspeech", "applause": "nonspeech", "noise": "nonspeech", "interruption": "crosstalk",
    "interrupts": "crosstalk", "interrupted": "crosstalk", "break in recording": "inaudible",
}

_MARK_WORDS = sorted(MARKS, key=len, reverse=True)
_MARK_RE = re.compile(
    r"[\[(]\s*(?P<word>" + "|".join(re.escape(w) for w in _MARK_WORDS) + r")\b[^\[\]()]*[\])]",
    re.IGNORECASE,
)
_TIMESTAMP_RE = re.compile(r"[\[(]\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*[\])]")

_TRANSLATE = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": " - ", "\u2212": "-", "\u2026": "...",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u00ad": "",
}
_TRANS_TABLE = str.maketrans(_TRANSLATE)

# Fillers that are never words in this register.
_HESITATION_RE = re.compile(r"(?<![\w'-])(?:u+m+|u+h+m*|e+r+m+|e+r+|h+m+|m+h*m+|a+h+m+)(?![\w'-])[,.]?", re.IGNORECASE)
# "you know" / "like" only when set off as a filler: between commas, or turn-initial followed by
# a comma, or before a comma at the end of a clause. "I know you know my data", "you know what",
# "I'd like", "like a hawk", "I like" are all left alone.
_YOU_KNOW_RE = re.compile(
    r"(?:(?<=,)|(?<=^)|(?<=[.?!] ))\s*you know\s*,(?=\s)|,\s*you know(?=\s*[.?!,]|\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
_LIKE_RE = re.compile(r",\s*like\s*,|(?:(?<=^)|(?<=[.?!] ))like\s*,", re.IGNORECASE | re.MULTILINE)


# Survey answers that say nothing: they stay as rows (the person answered) but are not analysed.
_NON_ANSWER_RE = re.compile(
    r"^\W*(?:n\s*/?\s*a|none|nil|no|nope|nothing(?: (?:else|really|to add|at all))?|no comment|no comments|"
    r"not applicable|did not answer|didn't answer|no answer|don'?t know|dont know|dk|not sure|unsure|-+|\.+|\?+|x+)"
    r"\W*$",
    re.IGNORECASE,
)


def is_non_answer(text: str) -> bool:
    """True for survey answers that carry no content ("N/A", "Nothing.", "Did not answer", "-")."""
    return bool(_NON_ANSWER_RE.match(text.strip())) if text.strip() else True


def normalise_text(text: str) -> str:
    """Unicode NFC, straight quotes, plain dashes and spaces, tidy whitespace; paragraphs kept."""
    text = unicodedata.normalize("NFC", text).translate(_TRANS_TABLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [re.sub(r"[ \t\f\v]+", " ", p).strip() for p in text.split("\n")]
    return "\n".join(p for p in paragraphs if p)


def extract_marks(text: str) -> tuple[str, list[str]]:
    """Remove transcription marks and inline timestamps; return the text and the flags found."""
    flags: list[str] = []

    def _mark(m: re.Match[str]) -> str:
        flags.append(MARKS[m.group("word").lower()])
        return " "

    text = _MARK_RE.sub(_mark, text)
    text = _TIMESTAMP_RE.sub(" ", text)
    return text, flags


def remove_fillers(text: str) -> str:
    """Remove hesitation fillers and filler uses of "you know" and "like"."""
    text = _HESITATION_RE.sub(" ", text)
    # A filler set off by two commas takes both commas with it: "I was, like, worried".
    text = re.sub(r",\s*(?:you know|like)\s*,\s*", " ", text, flags=re.IGNORECASE)
    text = _YOU_KNOW_RE.sub(",", text)
    text = _LIKE_RE.sub(",", text)
    return text


def _tidy(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]+", " ", line)
        line = re.sub(r"\s+([,.;:?!])", r"\1", line)      # no space before punctuation
        line = re.sub(r",(\s*,)+", ",", line)               # collapsed commas
        line = re.sub(r",\s*([.?!])", r"\1", line)          # ", ." -> "."
        line = re.sub(r"([.?!])\s*,", r"\1", line)          # ". ," -> "."
        line = re.sub(r"^[\s,;:.-]+(?=\w|\")", "", line)      # leading debris
        line = re.sub(r"\.{4,}", "...", line)
        line = line.strip(" ,;")
        if line and line[0].isalpha() and line[0].islower() and not line.startswith(("i ", "iPhone", "iPad", "e.g")):
            line = line[0].upper() + line[1:]
        if line and not re.fullmatch(r"[\W_]*", line):
            lines.append(line)
    return "\n".join(lines)


def clean_text(text: str, *, fillers: bool = True) -> tuple[str, list[str]]:
    """Clean one turn's text.

    Args:
        text: the turn as the reader returned it.
        fillers: remove fillers (um, erm, filler "you know"/"like").

    Returns:
        The cleaned text and the sorted, de-duplicated transcription-mark flags.
    """
    text = normalise_text(text)
    text, flags = extract_marks(text)
    if fillers:
        text = remove_fillers(text)
    return _tidy(text), sorted(set(flags))


def clean_turns(turns: pd.DataFrame, *, fillers: bool = True) -> pd.DataFrame:
    """Return a new turns frame with cleaned ``text``, ``flags`` and ``n_words``.

    Turns that are nothing but marks or fillers ("Mm.", "[crosstalk]") keep their row with an
    empty text, so turn indices stay stable and the flags are not lost. Survey answers that say
    nothing ("N/A", "Nothing.") are emptied and flagged ``non_answer``.
    """
    out = turns.copy()
    cleaned = [clean_text(t, fillers=fillers) for t in out["text"].astype(str)]
    if "kind" in out:
        cleaned = [("", [*c[1], "non_answer"]) if kind == "survey" and is_non_answer(c[0]) else c
                   for c, kind in zip(cleaned, out["kind"])]
    out["text"] = [c[0] for c in cleaned]
    prior = out["flags"] if "flags" in out else pd.Series([""] * len(out), index=out.index)
    out["flags"] = [
        ";".join(sorted(set(filter(None, str(p).split(";"))) | set(c[1]))) for p, c in zip(prior, cleaned)
    ]
    out["n_words"] = [len(re.findall(r"\S+", t)) for t in out["text"]]
    return out
