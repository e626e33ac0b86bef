"""Name rules for de-identification: known names and the contexts that make a token a person.

:func:`known_forms` turns the project's known names (speaker labels, participants' full and
first names, ``(alias, full name)`` pairs) into the folded forms to match, each tied to the
person's canonical name so every form shares one placeholder. :class:`NameRules` holds the title
and context rules ("Dr Patel", "my husband Derek", "a lady called Mary", "Thanks, Priya",
"Derek said") and the tests for name context that word-names (Rose, Hope, Bill) need.
The word lists they consult are data in :mod:`engagement.privacy.wordlists`.

Example:
    >>> sorted(known_forms(["Sarah Jenkins"]))
    ['jenkins', 'sarah', 'sarah jenkins']
"""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from engagement.privacy.lexicon import english_word
from engagement.privacy.patterns import APOS, NAME_SEQ, NAME_TOKEN, PARTICLES, PLACEHOLDER_RE, UP, fold, normalise
from engagement.privacy.wordlists import (
    KIN_WORDS, LOWER_TITLES, MONTH_NAMES, NON_NAME_WORDS, ORG_SUFFIXES, PERSON_AFTER, PERSON_BEFORE, PERSON_NOUNS,
    PERSON_PRAISE, POSSESSED, RELATIONS, ROLE_NOUNS, SPEECH_VERBS, TITLES, WORD_NAMES,
)


class KnownName(NamedTuple):
    canonical: str     # normalised full name the form belongs to (the placeholder is shared)
    ambiguous: bool    # also an ordinary word: needs name context
    month: bool        # a month name too (May, June): needs strong context
    surfaces: tuple    # the forms as written, for matching ("Łukasz", "Lukasz")


def known_forms(names) -> dict[str, KnownName]:
    """Folded name form -> :class:`KnownName`, from strings and ``(alias, full name)`` pairs.

    A full name contributes itself, first + last, the first name and the surname. A single name
    that is a token, prefix or suffix (3+ letters) of exactly one full name shares its canonical
    form ("Seun" -> "oluwaseun adebayo"); a first name two people share stays on its own.
    """
    fulls: set[str] = set()
    singles: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for item in names:
        if isinstance(item, (tuple, list)):
            alias, full = (str(x).strip() for x in item[:2])
            if full:
                (fulls if len(full.split()) > 1 else singles).add(full)
                if alias:
                    pairs.append((alias, full))
        elif item and str(item).strip():
            s = re.sub(r"\s+", " ", str(item)).strip()
            (fulls if len(s.split()) > 1 else singles).add(s)
    owners: dict[str, set[str]] = {}
    surfaces: dict[str, set[str]] = {}

    def add(form: str, canonical: str) -> None:
        k = re.sub(r"\s+", " ", fold(form)).strip()
        if len(k) >= 2 and not PLACEHOLDER_RE.fullmatch(form):
            owners.setdefault(k, set()).add(canonical)
            surfaces.setdefault(k, set()).update({form, k})

    for full in sorted(fulls):
        toks, canon = full.split(), normalise("PERSON", full)
        add(full, canon)
        add(f"{toks[0]} {toks[-1]}", canon)
        for t in (toks[0], toks[-1]):
            if len(t.strip(".")) > 1:
                add(t, canon)
        for short in short_forms(toks[0]):
            add(short, canon)
    for alias, full in pairs:
        add(alias, normalise("PERSON", full))
    for s in sorted(singles):
        k = fold(s)
        found = {normalise("PERSON", f) for f in fulls
                 if any(k == fold(t) or (len(k) >= 3 and (fold(t).startswith(k) or fold(t).endswith(k)))
                        for t in f.split())}
        add(s, found.pop() if len(found) == 1 else normalise("PERSON", s))
    out = {}
    for k, canons in owners.items():
        toks = k.split()
        wordy = all(t in WORD_NAMES or t in MONTH_NAMES or t in NON_NAME_WORDS or t in KIN_WORDS for t in toks)
        out[k] = KnownName(canons.pop() if len(canons) == 1 else k, wordy, len(toks) == 1 and k in MONTH_NAMES,
                           tuple(sorted(surfaces[k])))
    return out


def short_forms(first: str) -> list[str]:
    """What people shorten a long first name to by cutting it: "Priyamvada" -> "Priya", "Priy", ...

    Prefixes of 4 to 6 letters of a first name of 7 letters or more, leaving out any that is an
    English word or a word-like name ("Angel" of "Angela", "Will" of "William" is too short anyway),
    so a shortened name said in passing ("Priya, make sure that goes in") is caught as the person.
    """
    word = first.strip(".")
    if len(word) < 7 or not word.isalpha():
        return []
    out = []
    for n in range(4, min(6, len(word) - 1) + 1):
        short = word[:n]
        low = short.lower()
        if not (english_word(low) or low in WORD_NAMES or low in NON_NAME_WORDS or low in MONTH_NAMES):
            out.append(short)
    return out


def _alt(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in sorted(set(words), key=lambda w: (-len(w), w)))


_TITLE_CAP = "|".join(re.escape(t[:1].upper() + t[1:]) for t in TITLES if t not in LOWER_TITLES)
_TITLE_ANY = _alt(LOWER_TITLES)
TITLE_RE = re.compile(rf"(?<!\w)(?:(?:{_TITLE_CAP})\.?|(?i:{_TITLE_ANY}))[ \t]+(?P<name>{NAME_SEQ})")
RELATION_RE = re.compile(rf"(?i:\b(?:my|his|her|their|our|your|the|a)[ \t]+(?:[\w-]+(?:{APOS}s)?[ \t]+){{0,2}}(?:{_alt(RELATIONS)}))"
                         r"[ \t]*,?[ \t]+"
                         # a familiar epithet between them: "our neighbour, old Thaddeus", "my cousin, little Ria"
                         r"(?:(?i:old|young|little|big|poor|dear)[ \t]+)?"
                         rf"(?P<name>{NAME_SEQ})")
CALLED_RE = re.compile(rf"(?i:\b(?:(?:{_alt(tuple(PERSON_NOUNS) + tuple(RELATIONS))})s?[ \t]+(?:(?:is|was|were|{APOS}s)[ \t]+)?"
                       rf"(?:called|named|by[ \t]+the[ \t]+name[ \t]+of)"
                       rf"|(?:my|his|her|their|your)[ \t]+name(?:{APOS}s|[ \t]+is|[ \t]+was)|call[ \t]+me"
                       rf"|(?:call|calls|called|calling)[ \t]+(?:me|him|her|them|us)|(?:known|better[ \t]+known)[ \t]+as"
                       rf"|\b(?:he|she)(?:{APOS}s|[ \t]+is|[ \t]+was)[ \t]+(?:called|named)"
                       rf"|I{APOS}m[ \t]+called|goes[ \t]+by))[ \t]+(?P<name>{NAME_SEQ})")
#: a name spelled out for the listener: "Pike like the fish", "Rook, as in the bird", "Thorne with an E"
SPELLED_OUT_RE = re.compile(rf"(?P<name>{NAME_TOKEN})[ \t]*,?[ \t]+(?:(?i:like|as[ \t]+in)[ \t]+(?i:the|a)[ \t]+"
                            r"(?i:fish|bird|flower|tree|river|colour|color|animal|car|town|city|singer|footballer|film|"
                            r"drink|gem|stone|month|saint|county|village|plant|herb|spice)\b"
                            r"|(?i:with)[ \t]+(?:an?|two|double)[ \t]+[A-Za-z]\b(?![\w'-]))")
INTRO_RE = re.compile(rf"(?i:\b(?:I{APOS}m|I[ \t]+am|this[ \t]+is|it{APOS}s|here{APOS}s|is[ \t]+that|is[ \t]+this|"
                      rf"speaking[ \t]+(?:to|with)))[ \t]+(?P<name>{NAME_TOKEN})"
                      r"(?=[ \t]*(?:[,.;?]|(?i:and|from|here|ringing|calling|speaking)\b|$))")
#: The speaker names themself after the name: "Ambrose here.", "Hyacinth, that's me", "Femi speaking."
SELF_RE = re.compile(rf"(?:^|(?<=[.!?:]\s)|(?<=[.!?]\s\s)|(?<=,\s))(?P<name>{NAME_TOKEN})"
                     rf"(?=[ \t]+(?i:here)[ \t]*(?:[.,!;]|$|(?i:from|speaking)\b)|[ \t]*,?[ \t]+(?i:that{APOS}s[ \t]+me)\b"
                     r"|[ \t]+(?i:speaking)[ \t]*(?:[.,!;]|$))")
#: "our postman, Fintan, knows", "my old boss, Dervla.": a name in apposition after anyone's noun.
OWNED_APPOSITION_RE = re.compile(r"(?i:\b(?:my|our|his|her|their|your)[ \t]+(?:[a-z-]+[ \t]+){0,2}[a-z-]+)[ \t]*,[ \t]+"
                                 rf"(?P<name>{NAME_TOKEN})(?=[ \t]*(?:[,.;!?]|$|(?i:and|who|was|is)\b))")
#: "Margaret, my wife,": a name in apposition to a relation.
APPOSITION_RE = re.compile(rf"(?P<name>{NAME_SEQ})[ \t]*,[ \t]*(?i:my|his|her|our|their|the)[ \t]+(?:[\w-]+[ \t]+)?"
                           rf"(?i:{_alt(RELATIONS)})\b")
#: "my Dennis.": a capitalised word owned by "my" that ends the clause.
OWNED_RE = re.compile(rf"(?i:\bmy)[ \t]+(?P<name>{NAME_TOKEN})(?=[ \t]*(?:[.,;!?]|$))")
VOCATIVE_RES = (
    re.compile(r"(?i:\b(?:thanks|thank[ \t]+you|cheers|sorry|hi|hello|hiya|bye|welcome|go[ \t]+on|over[ \t]+to[ \t]+you|"
               rf"morning|evening|afternoon|hey))[ \t]*,?[ \t]+(?P<name>{NAME_TOKEN})(?=[ \t]*(?:[,.!?;:]|$))"),
    re.compile(rf",[ \t]+(?P<name>{NAME_TOKEN})[ \t]*\?"),
    re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=[\]\)]\s))(?P<name>{NAME_TOKEN}),[ \t]+(?=(?i:you|what|how|do|did|can|could|"
               r"would|have|has|any|is|are|was|were|tell|go|sorry|thanks|thank|your|if|where|when|why|"
               # turned to with a request: "Priya, make sure that goes in", "Ezekiel, put me down as a no"
               r"make|put|write|note|remember|let|just|please|don't|carry|come|look|check|hang|hold|give|keep|"
               r"ask|pass|read|take|listen|mark)\b)"),
    # at the end of what is said to someone: "Good luck with it, Rhiannon." (weak: the NER or the name
    # lexicon must agree, so "..., Norwich." and "..., Brilliant." stay)
    re.compile(rf",[ \t]+(?P<name>{NAME_TOKEN})[ \t]*[.!](?=\s|$)"),
    # a name said as a sentence of its own, answering "what's her name?": "She's ninety-four. Winifred."
    re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=[.!?]\s\s))(?P<name>{NAME_TOKEN})[ \t]*[.!](?=\s|$)"),
)
SPEECH_RE = re.compile(rf"(?P<name>(?:{UP}\.[ \t]*)?{NAME_TOKEN})(?:{APOS}s)?[ \t]+(?=(?:said|says|told|asked|mentioned|reckons|"
                       r"reckoned|thinks|thought|rang|phoned|texted|was saying|is saying|made a point|has a point|"
                       r"is right|was right)\b)")
#: Where a person works or comes from, or a possessive of kin and home: "Bola on reception",
#: "Gemma from the surgery", "Paula's husband", "at Jing's house".
_AFTER_PLACE = re.compile(rf"(?:[ \t]+(?i:{_alt(PERSON_AFTER)})\b|{APOS}s[ \t]+(?i:(?:little|eldest|youngest|new|old|"
                          rf"late|oldest|other)[ \t]+)?(?i:{_alt(POSSESSED)})\b)")
#: What is said of a person: "Piotr was lovely", "Asif was so kind".
_AFTER_PRAISE = re.compile(r"[ \t]+(?i:was|is|has[ \t]+been|were)[ \t]+(?i:(?:really|so|very|ever[ \t]+so|absolutely|"
                           rf"just|always|extremely|incredibly|super|such)[ \t]+)?(?i:{_alt(PERSON_PRAISE)})\b")
AFTER_RE = re.compile(rf"(?<![\w'\-.])(?P<name>{NAME_TOKEN}(?:[ \t]+(?:{PARTICLES}[ \t]+)?{NAME_TOKEN}){{0,2}})(?={_AFTER_PLACE.pattern}|{_AFTER_PRAISE.pattern})")
#: "ask for Nicola", "Ring Tom Baker", "and so was Bola", "seen by Kwame Mensah".
BEFORE_RE = re.compile(rf"(?i:\b(?:{_alt(PERSON_BEFORE)}))[ \t]+(?P<name>{NAME_SEQ})")
#: "the receptionist at the time was Nadia", "our nurse there was Zhen".
ROLE_WAS_RE = re.compile(rf"(?i:\b(?:{_alt(ROLE_NOUNS)})(?:[ \t]+[\w']+){{0,3}}[ \t]+(?:was|is|were))[ \t]+"
                         rf"(?P<name>{NAME_SEQ})(?=[ \t]*(?:[,.;!?]|$|(?i:and|who|but)\b))")
#: A list of three names, or "me, X and Y", before what they did: "Julie, Xin and Rupinder all said".
LIST_RE = re.compile(rf"(?:(?i:\b(?:me|us|my[ \t]+\w+|myself)[ \t]*,[ \t]*)(?P<name2>{NAME_TOKEN})(?=[ \t]*,?[ \t]+(?i:and|&)[ \t]+)"
                     rf"|(?<![\w'])(?P<name>{NAME_TOKEN})[ \t]*,[ \t]*(?={NAME_TOKEN}[ \t]*,?[ \t]+(?i:and|&)[ \t]+{NAME_TOKEN}))")
#: A name with the speaker: "Ngozi and I went", "me and Dariusz" (counts where the NER or the lexicon agrees).
WITH_SELF_RE = re.compile(rf"(?<![\w'])(?P<name>{NAME_TOKEN})(?=[ \t]+(?:and|&)[ \t]+(?:I|me|myself)\b)"
                          rf"|(?<![\w'])(?i:me|I)[ \t]+(?i:and|&)[ \t]+(?P<name2>{NAME_TOKEN})")
#: Names in a list with a name: "Tom, Aisha and Wojciech".
_LIST_RIGHT = re.compile(rf"(?:[ \t]*,[ \t]*(?:(?i:and|&)[ \t]+)?|[ \t]+(?i:and|&|or)[ \t]+)(?P<name>{NAME_TOKEN})"
                         rf"(?:[ \t]+(?P<last>{NAME_TOKEN}))?")
_LIST_LEFT = re.compile(rf"(?<![\w'])(?P<name>{NAME_TOKEN})(?:[ \t]*,[ \t]*|[ \t]+(?i:and|&|or)[ \t]+)$")
_SPEECH_AFTER = re.compile(rf"(?:{APOS}s\b|[ \t]+(?:{_alt(SPEECH_VERBS)})\b)", re.IGNORECASE)
_STRONG_SPEECH_AFTER = re.compile(r"[ \t]+(?:said|says|told|asked|mentioned)\b", re.IGNORECASE)
_VERB_AFTER = re.compile(rf"[ \t]+(?:{_alt(SPEECH_VERBS)})\b", re.IGNORECASE)
_ADDRESSED = re.compile(r",[ \t]+(?:you|what|how|do|did|can|could|would|have|has|any|is|are|was|were|tell|go|your|if|"
                        r"where|when|why|does|don't|didn't)\b", re.IGNORECASE)
#: A one-word sentence that the next sentence picks up as a person: "Janet. She knows everyone."
_PICKED_UP = re.compile(r"[ \t]*[.!][ \t]+(?:he|she|his|her|him|we|lovely|bless|god|poor|dear|my[ \t]+(?:"
                        rf"{_alt(RELATIONS)}))\b", re.IGNORECASE)
_LOCATIVE_BEFORE = re.compile(
    r"(?i:\b(?:in|at|near|round|around|outside|towards|via|across|the|an?|on|(?:go|goes|going|gone|went|get|got|"
    r"getting|back|came|come|comes|coming|taken|take|took|transport|transported|drive|driven|drove|travel|travelled|move|moved|sent|send|"
    r"transferred|admitted|attended|way|journey|trip|route|home|moving|ambulance|lift)[ \t]+(?:to|from|into)|out[ \t]+of|"
    r"outside[ \t]+of|"
    # where someone comes from: "originally from Cork", "born in Lagos", "grew up in Gdansk"
    r"(?:originally|hails|came[ \t]+over|moved[ \t]+(?:over|here)|family[ \t]+(?:is|are|was|were))[ \t]+from|"
    r"(?:born|grew[ \t]+up|brought[ \t]+up|raised)[ \t]+(?:in|near)))[ \t]+$")
#: "live in Ely or X", "in March or X", "at Ipswich and X": the second of two places
_PLACE_CHAIN = re.compile(r"(?i:\b(?:in|at|near|around|outside|from|to))[ \t]+[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2}"
                          r"[ \t]+(?i:or|and|&)[ \t]+$")
#: "moved from Bury St Edmunds to X", "went from Ipswich to X": the place someone moved to
_MOVED_FROM_TO = re.compile(r"(?i:\b(?:moved|move|moves|moving|went|go|goes|going|came|come|coming|transferred|"
                            r"relocated|drove|driven|travelled|traveled|commute|commuted|commuting))[ \t]+(?i:from)[ \t]+"
                            r"(?:[A-Z][\w'’.-]*[ \t]+){1,3}(?i:to)[ \t]+$")
_BEFORE_TITLE = re.compile(rf"(?:(?<!\w)(?:{_TITLE_CAP})\.?|(?i:\b(?:{_TITLE_ANY})))[ \t]+$")
_BEFORE_RELATION = re.compile(rf"(?i:\b(?:my|his|her|their|our|your|the|a)[ \t]+(?:[\w-]+[ \t]+){{0,2}}"
                              rf"(?:{_alt(RELATIONS)}))[ \t]*,?[ \t]+$")
_BEFORE_VOCATIVE = re.compile(r"(?:(?i:\b(?:thanks|thank[ \t]+you|cheers|sorry|hi|hello|hiya|bye|welcome|go[ \t]+on|"
                              r"over[ \t]+to[ \t]+you|hey))[ \t]*,?|,)[ \t]*$")
_FOLLOWING_NAME = re.compile(rf"[ \t]+(?P<tok>{NAME_TOKEN})(?![\w])")   # not "Reg NH66PPW"


_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "my", "our", "your", "his", "her",
                          "their", "its", "some", "any", "every", "each", "no"})


class NameRules:
    """The context rules for names. ``blocked(token, strong=...)`` says a token cannot be a name."""

    def __init__(self, blocked):
        self.blocked = blocked

    @staticmethod
    def sentence_initial(text: str, start: int) -> bool:
        i = start - 1
        while i >= 0 and text[i] in " \t\"'\u201c\u2018([-\u2014\u2013":
            i -= 1
        return i < 0 or text[i] in ".!?:;\n\u2026])"

    def org_follows(self, text: str, end: int) -> bool:
        """"Rose Ward", "Hope Street", "Lister Hospital", "Cramlington hospital": a place, not a person."""
        m = re.match(rf"({APOS}s)?[ \t]+([\w&]+)", text[end:end + 40])
        if m and m.group(1) and m.group(2).islower():
            return False   # "at Yaw's house": a person's house; "Rose House" is a place
        return bool(m and fold(m.group(2)) in ORG_SUFFIXES)

    def name_context(self, text: str, start: int, end: int, *, month: bool = False) -> bool:
        """Is the word-name at ``text[start:end]`` used as a name here ("Rose said", "with Bill")?"""
        word = text[start:end]
        if not word[:1].isupper() or self.org_follows(text, end):
            return False
        before, after = text[max(0, start - 60):start], text[end:end + 60]
        if _BEFORE_TITLE.search(before) or _BEFORE_RELATION.search(before):
            return True
        if re.search(r"\b(?i:full|top|high|low|bonus|question|black|the|a|an)[ \t]+$", before):
            return False   # "full Mark's", "a Will", "the Rose"
        if _BEFORE_VOCATIVE.search(before) and re.match(r"[ \t]*(?:[,.!?;:]|$)", after):
            return True
        if (_STRONG_SPEECH_AFTER if month else _SPEECH_AFTER).match(after):
            return True
        nxt = _FOLLOWING_NAME.match(after)
        if nxt and not self.blocked(nxt.group("tok")) and fold(nxt.group("tok")) not in WORD_NAMES:
            return True
        if month or (word.isupper() and len(word) > 1):
            return False
        if self.sentence_initial(text, start):
            return bool(re.match(r"[ \t]*,", after))
        return True

    def strong_context(self, text: str, start: int, end: int) -> bool:
        """Context strong enough for an unknown, sentence-initial NER name ("Derek said", "Priya, you...")."""
        before, after = text[max(0, start - 60):start], text[end:end + 60]
        if _BEFORE_TITLE.search(before) or _BEFORE_RELATION.search(before):
            return True
        if _BEFORE_VOCATIVE.search(before) and re.match(r"[ \t]*(?:[,.!?;:]|$)", after):
            return True
        if _VERB_AFTER.match(after) or _ADDRESSED.match(after) or APPOSITION_RE.match(text, start) \
                or _PICKED_UP.match(after):
            return True
        nxt = _FOLLOWING_NAME.match(after)
        return bool(nxt and not self.blocked(nxt.group("tok")) and fold(nxt.group("tok")) not in WORD_NAMES)

    @staticmethod
    def locative(text: str, start: int, end: int) -> bool:
        """"in Devon", "taken to James Cook", "from Cramlington to", "the Windrush": a place or thing.

        Never for a possessive ("went to Derek's").
        """
        if re.match(rf"{APOS}s\b", text[end:end + 3]):
            return False
        before = text[max(0, start - 24):start]
        return bool(_LOCATIVE_BEFORE.search(before) or (re.search(r"\bfrom[ \t]+$", before, re.IGNORECASE)
                                                       and re.match(r"[ \t]+to\b", text[end:end + 4]))
                    or _MOVED_FROM_TO.search(text[max(0, start - 80):start])
                    or _PLACE_CHAIN.search(text[max(0, start - 60):start]))

    def _trimmed(self, text: str, m: re.Match, *, strong: bool) -> tuple[int, int] | None:
        toks = [(x.start() + m.start("name"), x.end() + m.start("name"))
                for x in re.finditer(r"\S+", m.group("name"))]
        while toks and fold(text[toks[0][0]:toks[0][1]]).rstrip(".") in TITLES:
            toks.pop(0)   # "my GP Dr Shah": the title is not part of the name
        # "The Guardian said" is no name; "And Margaret, my wife" is Margaret
        if not toks or fold(text[toks[0][0]:toks[0][1]]) in _DETERMINERS:
            return None
        while toks and (self.blocked(text[toks[0][0]:toks[0][1]], strong=strong) or (
                len(toks) > 1 and text[toks[0][0]:toks[0][1]].lower().endswith(_ADVERB_ENDINGS))):
            toks.pop(0)   # "Honestly Donncha from the practice"
        if not toks:
            return None
        if not strong and len(toks) == 1 and text[toks[0][0]:toks[0][1]].isupper() and toks[0][1] - toks[0][0] > 1:
            return None
        while toks and (self.blocked(text[toks[-1][0]:toks[-1][1]], strong=strong) or
                        re.fullmatch(PARTICLES, text[toks[-1][0]:toks[-1][1]])):
            toks.pop()
        if len(toks) == 1 and toks[0][1] - toks[0][0] == 1 and not re.search(
                rf"(?:{_TITLE_CAP})\.?[ \t]+$", text[max(0, toks[0][0] - 12):toks[0][0]]):
            return None   # "a dentist S I haven't": a stray letter; "Mrs K" keeps its title
        return (toks[0][0], toks[-1][1]) if toks else None

    def find(self, text: str) -> Iterator[tuple[int, int, str, bool | None]]:
        """``(start, end, method, strong)`` of names found by title and context rules.

        ``strong`` marks a title, relation or "called/name is" context, which outranks the NER's
        own label for the span; the weaker contexts (vocatives, "I'm X", "X said") defer to it;
        ``None`` marks a context that counts only where the NER also sees a person ("Piotr was
        lovely" at the start of a sentence, where "Food was lovely" is as likely).
        """
        rules = ((TITLE_RE, "title", True), (RELATION_RE, "context", True), (CALLED_RE, "context", True),
                 (SPELLED_OUT_RE, "spelled out", None),
                 (INTRO_RE, "context", False), (SELF_RE, "context", False), (APPOSITION_RE, "context", False),
                 (OWNED_RE, "context", False), (OWNED_APPOSITION_RE, "context", None),
                 (VOCATIVE_RES[0], "context", True), *((p, "context", False) for p in VOCATIVE_RES[1:3]),
                 (VOCATIVE_RES[3], "context", None), (VOCATIVE_RES[4], "alone", None),
                 (SPEECH_RE, "context", False), (LIST_RE, "list", None), (WITH_SELF_RE, "list", None),
                 (BEFORE_RE, "context", True), (ROLE_WAS_RE, "context", True))
        for pattern, method, strong in rules:
            for m in pattern.finditer(text):
                if pattern is WITH_SELF_RE:
                    a, b = m.span("name") if m.group("name") else m.span("name2")
                    if _acronym(text[a:b]) or self.locative(text, a, b):
                        continue   # "it should have said COPD and I think", "waiting lists in Bretton and I"
                    if not self.blocked(text[a:b]) and not (self.sentence_initial(text, a) and fold(text[a:b]) in WORD_NAMES):
                        yield a, b, method, None
                    continue
                if pattern in (BEFORE_RE, ROLE_WAS_RE, LIST_RE) and _acronym(m.group("name") or m.group("name2")):
                    continue   # "ask for OBS", "see a dentist ASAP"
                if pattern is ROLE_WAS_RE and fold(m.group("name")) in WORD_NAMES:
                    continue   # "the man who is Ginger"
                if pattern is LIST_RE and self.locative(text, m.start(), m.end()):
                    continue   # "I go to Darlington, Sedgefield and Bishop"
                if pattern is LIST_RE and m.group("name") is None:
                    a, b = m.span("name2")
                    if not self.blocked(text[a:b]):
                        yield a, b, method, True
                    continue
                if pattern is LIST_RE:   # "Aisha, Zofia and Rajesh all said": a name if NER, lexicon or shape agree
                    span = self._trimmed(text, m, strong=False)
                    if span:
                        yield span[0], span[1], method, None
                    continue
                if pattern is SPEECH_RE and re.search(r"\bthe[ \t]+$", text[max(0, m.start() - 5):m.start()]):
                    continue  # "the Telegraph said"
                if pattern is RELATION_RE and re.search(rf"{APOS}s[ \t]+$", text[max(0, m.start("name") - 4):m.start("name")]):
                    continue  # "my wife's COPD": what the relation has, not their name
                if pattern is APPOSITION_RE and re.search(r"(?i:\b(?:in|into|at|from))[ \t]+$",
                                                          text[max(0, m.start("name") - 6):m.start("name")]):
                    continue  # "the profit went back into services in Harlow, my neighbour especially"
                if pattern is SPEECH_RE and self.locative(text, m.start("name"), m.end("name")):
                    continue  # "people in Harlow said": who said it is the people, the word is a place
                if pattern in (SPEECH_RE, VOCATIVE_RES[2]) and not strong:
                    a = m.start("name")
                    if pattern is SPEECH_RE and not self.sentence_initial(text, a) or (
                            pattern is VOCATIVE_RES[2] and not m.group("name").endswith("ly")):
                        span = self._trimmed(text, m, strong=False)
                        if span and not self.org_follows(text, span[1]):
                            # "I think Jiayi mentioned" is sure; a sentence-initial "Zhen, do you" is weak, so
                            # the NER or the name lexicon must agree ("Planning, if it means more services")
                            yield span[0], span[1], method, (True if pattern is SPEECH_RE else None)
                        continue
                span = self._trimmed(text, m, strong=strong)
                if span and not self.org_follows(text, span[1]):
                    yield span[0], span[1], method, strong
        for m in AFTER_RE.finditer(text):
            span = self._trimmed(text, m, strong=True)
            if not span or self.org_follows(text, span[1]):
                continue
            a, b = span
            praise = _AFTER_PRAISE.match(text, b) is not None and _AFTER_PLACE.match(text, b) is None
            if praise and self.locative(text, a, b):
                continue   # "Staff at City were amazing": a place
            if _acronym(text[a:b]):
                continue   # "my CPN is excellent", "HV was really helpful"
            if self.sentence_initial(text, a) and " " not in text[a:b] and (praise or english_word(text[a:b])):
                yield a, b, "context", None      # "Food was very good", "Keep the pharmacist in the loop": only with the NER's word
            elif not _plural(text[a:b]):
                yield a, b, "context", True

    plural = staticmethod(lambda word: _plural(word))

    def siblings(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Capitalised names listed with a name: "Tom, Aisha and Wojciech", "me, Bartosz and Seán"."""
        m = _LIST_RIGHT.match(text, end)
        if m and not self.blocked(m.group("name"), strong=True):
            b = m.end("last") if m.group("last") and not self.blocked(m.group("last")) else m.end("name")
            yield m.start("name"), b
        m = _LIST_LEFT.search(text, max(0, start - 40), start)
        if m and not self.blocked(m.group("name"), strong=True) and not (
                self.sentence_initial(text, m.start()) and _opener(m.group("name"), m.group(0))):
            yield m.start("name"), m.end("name")


def _opener(word: str, listed: str) -> bool:
    """A sentence's first word that opens it rather than names someone: a word that is also a name
    ("Will, Ravi and me"), or a dictionary word before a comma ("Honestly, Ravi Kelly on reception",
    "Frankly, Tom at the surgery"); "Emily, Ravi and me" still lists Emily (the lexicon knows her)."""
    from engagement.privacy.lexicon import english_word

    return fold(word) in WORD_NAMES or ("," in listed and english_word(word))


_ADVERB_ENDINGS = ("ally", "estly", "ously", "ntly", "tely", "ickly", "ibly", "ably", "ully", "ssly", "ually")


def _acronym(value: str) -> bool:
    return value.isupper() and len(value.replace(" ", "")) > 1


def _plural(word: str) -> bool:
    """"Letters from the surgery": a plural noun, not a name (names ending in s are left to NER)."""
    w = word.split()[-1]
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "'s", "\u2019s")) and " " not in word

