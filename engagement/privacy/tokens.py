"""The shared building blocks of the de-identification patterns.

Character classes for names as people write them (``re`` has no ``\p{Lu}``, so an upper-case class
is built once from Unicode), :func:`fold` (the comparison form of a word: case-folded, diacritics
stripped) and :class:`Span`, the hit every finder yields. :mod:`engagement.privacy.patterns` (the
identifiers known by their shape) and :mod:`engagement.privacy.places` (the places known by what is
said around them) both build on these.

Example:
    >>> fold("ŁUKASZ") == fold("lukasz")
    True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# ---------------------------------------------------------------------------------------------
# Character classes. ``re`` has no \p{Lu}; an upper-case class is built once from Unicode.
_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x530)) if ch.isupper() and ch.isalpha())
UP = "[" + re.escape(_UPPER) + "]"
LETTER = r"[^\W\d_]"
APOS = "['\u2019]"
# A capitalised name token: O'Brien, Ní, Smith-Jones, Łukasz, McDonald; not "Sarah's" (possessive).
NAME_TOKEN = rf"{UP}{LETTER}*(?:{APOS}(?!(?:s|d|m|ll|ve|re|t)\b){LETTER}+|-{LETTER}+)*"
PARTICLES = r"(?:van|von|de|der|den|da|di|du|le|la|bin|binti|ibn|al|el|ter|ten|dos|das|del|della|mac|ap)"
NAME_SEQ = rf"(?:{UP}\.[ \t]*){{0,2}}{NAME_TOKEN}(?:[ \t]+(?:{PARTICLES}[ \t]+)*{NAME_TOKEN}){{0,3}}"
PLACEHOLDER_RE = re.compile(r"\[[A-Z][A-Z_]*(?:_\d+)?\]")

#: one word of a street's or a house's name: "Mill", "St.", "Smith-Jones", "The"
STREET_WORD = rf"(?:{UP}{LETTER}*(?:{APOS}{LETTER}+|-{UP}?{LETTER}+)*|The|St\.?)"


class Span(NamedTuple):
    """A structured hit before names are resolved: offsets, type and method."""

    start: int
    end: int
    type: str
    method: str


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
                       "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "\u2019": "'", "\u2018": "'"})


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case-fold and strip diacritics, so "Łukasz", "lukasz" and "LUKASZ" compare equal."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()

