"""Patterns for the structured identifiers in de-identification.

Everything here is pure and offline: regular expressions for the identifiers known by their shape
(UK phone numbers, said or written, e-mail addresses, NHS, hospital and National Insurance numbers,
car registrations, postcodes, dates of birth, ages over the threshold), their validators (the NHS
modulus-11 check, UK number lengths), and the normalisers that make one value hash the same however
it was written. The places known by what is said around them (where someone lives or works, named
houses and facilities) are in :mod:`engagement.privacy.places`, the shared character classes in
:mod:`engagement.privacy.tokens`, the word lists in :mod:`engagement.privacy.wordlists`; all are
re-exported here, and :func:`find_structured` runs every finder. The name rules live in
:mod:`engagement.privacy.names`; :mod:`engagement.privacy.detector` combines them with known names and NER.

Example:
    >>> nhs_check_ok("9434765919"), nhs_check_ok("9434765918")
    (True, False)
    >>> normalise("PHONE", "+44 (0)7700 900123")
    '07700900123'
"""

from __future__ import annotations

import re
from typing import Iterator

from engagement.privacy.places import (  # noqa: F401  (re-exported: the detector reads every finder as patterns.X)
    ADDRESS_LOWER_RE, ADDRESS_RE, BUSINESS_AT_RE, FACILITY_RE, HOUSE_ALONE_RE, HOUSE_NAME_RE, JOB_AT_RE, LIVES_NEAR_RE,
    LIVES_ON_RE, LOWER_PRACTICE_RE, RESIDENCE_CUE_RE, RESIDENCE_RE, STREET_NAMED_RE, WORKS_AT_RE, find_addresses,
    find_facilities, find_workplaces,
)
from engagement.privacy.tokens import (  # noqa: F401  (re-exported: the name rules read them as patterns.X)
    APOS, LETTER, NAME_SEQ, NAME_TOKEN, PARTICLES, PLACEHOLDER_RE, STREET_WORD, UP, Span, _UPPER, fold,
)
from engagement.privacy.wordlists import (  # noqa: F401  (re-exported: callers read the lists as patterns.X)
    CONDITION_WORDS, EPONYM_CONDITIONS, UK_PLACES, FACILITY_GENERIC, FACILITY_SUFFIXES, KIN_WORDS, LOWER_TITLES, MONTH_NAMES, MONTHS, NER_NON_NAMES, NON_NAME_WORDS, ORG_SUFFIXES, PERSON_NOUNS,
    PSEUDO_FIRST, PSEUDO_LAST, PSEUDO_PLACES, PSEUDO_STREETS, RELATIONS, SPEECH_VERBS, STREET_SUFFIXES,
    STREET_TYPES, TITLES, UNITS, WORD_NAMES,
)

# ---------------------------------------------------------------------------------------------
# Number words for ages ("ninety-four", "a hundred and two").
_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TENS = {"eighty": 80, "ninety": 90}
_WORD_AGE = (r"(?:(?:a|one)[ \t]+hundred(?:[ \t]+and[ \t]+(?:one|two|three|four|five|six|seven|eight|nine|ten))?"
             r"|(?:eighty|ninety)(?:[ \t-](?:one|two|three|four|five|six|seven|eight|nine))?|hundred)")
_AGE_NUM = rf"(?:\d{{2,3}}|{_WORD_AGE})"


def age_value(text: str) -> int | None:
    """The integer of an age written in digits or words ("ninety-four" -> 94)."""
    t = re.sub(r"[\s-]+", " ", text.strip().lower())
    if t.isdigit():
        return int(t)
    if "hundred" in t:
        rest = t.split("and", 1)[1].strip() if " and " in f" {t} " else ""
        extra = {**_ONES, "ten": 10}.get(rest, 0)
        return 100 + extra
    parts = t.split(" ")
    if parts and parts[0] in _TENS:
        return _TENS[parts[0]] + (_ONES.get(parts[1], 0) if len(parts) > 1 else 0)
    return None


# ---------------------------------------------------------------------------------------------
# Regular expressions of the structured identifiers.
_F = re.IGNORECASE
_SEP = r"(?:[ \t\-]|\)[ \t]?|[ \t]*\r?\n[ \t]*)"  # between digits: space, hyphen, ")", or one line break
PHONE_RE = re.compile(
    rf"(?<![\w+.])(?:(?:\+|00)[ \t]?44[ \t]?(?:\(0\)[ \t]?)?|\(0|0)\d(?:{_SEP}?\d){{7,11}}(?!\w)")
NHS_RE = re.compile(r"(?<![\w.+\-/])\d{3}(?:[ \t\-]|[ \t]*\r?\n[ \t]*)?\d{3}(?:[ \t\-]|[ \t]*\r?\n[ \t]*)?\d{4}"
                    r"(?!\w|[.,/\-]\d)")
NHS_GROUPED_RE = re.compile(r"\d{3}([ \t\-])\d{3}\1\d{4}")
NHS_CONTEXT_RE = re.compile(r"\bnhs[ \t]*(?:number|no\b\.?|num\b|#)", _F)
EMAIL_RE = re.compile(r"(?<![\w.+\-@])[\w][\w.%+'\-]*@\w(?:[\w\-]*\w)?(?:\.\w(?:[\w\-]*\w)?)*\.[^\W\d_]{2,24}"
                      r"(?![\w@])")
_PROVIDERS = (r"(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|live|btinternet|aol|sky|talktalk|virginmedia|"
              r"nhs|protonmail|me|mail|msn|ntlworld|blueyonder|tiscali)")
SPOKEN_EMAIL_RE = re.compile(
    r"(?<!\w)(?P<local>[a-z0-9_.\-]+(?:[ \t]+(?:dot|underscore|dash|hyphen)[ \t]+[a-z0-9_\-]+"
    # a number said in the address: "graham dot pike fifty-one at ..."
    r"|[ \t]+(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-[a-z]+)?|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|\d+))*)[ \t]+at[ \t]+"
    r"(?P<domain>[a-z0-9\-]+)(?:[ \t]+dot[ \t]+[a-z0-9\-]+)*[ \t]+dot[ \t]+(?:com|net|org|uk|co|ac|gov|io|ie)\b"
    r"(?:[ \t]+dot[ \t]+(?:uk|net|com|org))?", _F)
POSTCODE_RE = re.compile(r"(?<![\w])[A-PR-UWYZ](?:[A-HK-Y]\d[A-HJKPSTUW\d]?|\d[A-HJKPSTUW\d]?)[ \t]?\d[ABD-HJLNP-UW-Z]{2}"
                         r"(?![\w])", _F)
_MONTH = r"(?:january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|" \
         r"october|oct|november|nov|december|dec)"
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_ORD_WORD = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
             r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty[- ](?:first|second|"
             r"third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|thirty[- ]first)")
_YEAR = r"(?:\d{4}|nineteen[ \t-](?:hundred[ \t]+and[ \t]+)?[a-z]+(?:[ \t-](?:one|two|three|four|five|six|seven|eight|nine))?)"
DATE_RE = re.compile(
    rf"(?<![\w/.])(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|(?:the[ \t]+)?(?:{_ORD}|{_ORD_WORD})(?:[ \t]+of)?[ \t]+{_MONTH}\.?(?:,?[ \t]+{_YEAR})?"
    rf"|{_MONTH}\.?[ \t]+(?:the[ \t]+)?(?:{_ORD}|{_ORD_WORD})(?:,?[ \t]+{_YEAR})?"
    rf"|{_MONTH}[ \t]+\d{{4}})(?![\w/])", _F)
BIRTH_CONTEXT_RE = re.compile(r"(?:\bborn\b|\bbirth|\bd\.?o\.?b\b\.?|\bbirthday\b)", _F)
BIRTH_YEAR_RE = re.compile(r"\bborn[ \t]+(?:in[ \t]+)?(?:about[ \t]+|around[ \t]+)?(?:the[ \t]+year[ \t]+)?(\d{4})\b", _F)
_KIN = r"(?:mum|mother|mam|mom|dad|father|nan|nana|gran|granny|grandma|grandmother|grandad|grandfather|grandpa|" \
       r"aunt|auntie|aunty|uncle|husband|wife|partner|neighbour|friend|sister|brother|patient|lady|man|woman|" \
       r"gentleman|he|she|who|i)"
_AFTER_AGE = rf"(?![ \t]*(?:%|-?(?:{'|'.join(UNITS)})\b))"
AGE_RES = (
    re.compile(rf"\b(?P<n>{_AGE_NUM})(?:[ \t]*|-)(?:years?|yrs?)(?:[ \t]*|-)old\b", _F),
    re.compile(rf"\b(?:aged|age|ages|turned|turning|turns|reached|reaching|lived[ \t]+to|died[ \t]+at|be|been|hit)"
               rf"(?:[ \t]+of)?[ \t]+(?:nearly[ \t]+|almost[ \t]+|about[ \t]+|just[ \t]+)?(?P<n>{_AGE_NUM})\b{_AFTER_AGE}", _F),
    re.compile(rf"\b{_KIN}(?:[ \t]*{APOS}s|[ \t]*{APOS}m|[ \t]+is|[ \t]+was|[ \t]+am|[ \t]+is[ \t]+now|[ \t]+was[ \t]+nearly)"
               rf"[ \t]+(?:nearly[ \t]+|almost[ \t]+|now[ \t]+|just[ \t]+|over[ \t]+)?(?P<n>{_AGE_NUM})\b{_AFTER_AGE}", _F),
    # a bare number over the threshold closing a clause after is/was/'s: "one of my ladies is 96, sharp as..."
    re.compile(rf"(?:\bis|\bwas|{APOS}s)[ \t]+(?:nearly[ \t]+|almost[ \t]+|now[ \t]+)?(?P<n>{_AGE_NUM})"
               r"(?=[ \t]*(?:[,.;!?)]|$|(?:and|now|this|next|last|in|on|but|still|sharp|bless)\b))", _F),
    # an age said back as a sentence of its own: "A hundred and one!", "Ninety-four? Bless her."
    re.compile(rf"(?:^|(?<=[.!?:]\s)|(?<=[.!?:]\s\s))(?:(?:wow|gosh|blimey|really|what)[ \t]*,?[ \t]+)?(?P<n>{_WORD_AGE})"
               r"(?=[ \t]*[!?.]|[ \t]*$)", _F),
)




# ---------------------------------------------------------------------------------------------
# Validators and normalisers.
def nhs_check_ok(digits: str) -> bool:
    """The NHS number modulus-11 check: weights 10..2, check = 11 - sum % 11 (11 -> 0, 10 invalid)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def uk_national(digits: str) -> str | None:
    """A UK number as national digits "0...", or None when it cannot be one (length, range)."""
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and not digits.startswith("440"):
        digits = "0" + digits[2:]
    elif digits.startswith("440"):
        digits = digits[2:]
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    nsn = digits[1:]
    if nsn[:1] not in set("1235789"):
        return None
    if len(nsn) == 10 or (len(nsn) == 9 and nsn[0] in "18"):
        return digits
    return None



def _words(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w'&@.\- ]+", " ", fold(text))).strip(" .,-'")


def parse_date(text: str) -> str | None:
    """An ISO "YYYY-MM-DD" (or "MM-DD" without a year) for a date as people write it; else None."""
    t = fold(text).replace(",", " ")
    m = re.fullmatch(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*", t)
    if m:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        y = y + 1900 if y < 100 else y
        return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None
    m = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", t)
    if m:
        return f"{m[1]}-{m[2]}-{m[3]}"
    day = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b(?!\d)", re.sub(r"\b\d{4}\b", " ", t))
    month = next((MONTHS[w] for w in re.findall(r"[a-z]+", t) if w in MONTHS), None)
    year = re.search(r"\b(\d{4})\b", t)
    if month is None:
        return None
    if day is None:
        # "the twelfth of August", "twenty first of May": the ordinal word wherever it stands
        found = re.search(rf"\b{_ORD_WORD}\b", t)
        word = found.group().replace(" ", "-") if found else ""
        day_n = _ORD_WORDS.index(word) + 1 if word in _ORD_WORDS else None
    else:
        day_n = int(day[1])
    mm = f"{month:02d}-{day_n:02d}" if day_n else f"{month:02d}"
    return f"{year[1]}-{mm}" if year else mm


_ORD_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
              "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
              "eighteenth", "nineteenth", "twentieth"] + [f"twenty-{w}" for w in (
                  "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")] + [
              "thirtieth", "thirty-first"]


def normalise(kind: str, value: str) -> str:
    """The canonical form of ``value`` for type ``kind``: what the salted hash is taken of."""
    if kind == "PHONE":
        digits = re.sub(r"\D", "", value)
        return uk_national(digits) or digits
    if kind == "NHS_NUMBER":
        return re.sub(r"\D", "", value)
    if kind == "EMAIL":
        v = fold(value)
        if "@" not in v:  # spoken form: "jo dot bloggs at gmail dot com"
            v = re.sub(r"\s+at\s+", "@", v, count=1)
            v = re.sub(r"\s+dot\s+", ".", re.sub(r"\s+underscore\s+", "_", v))
        return re.sub(r"\s+", "", v)
    if kind == "POSTCODE":
        return re.sub(r"\s+", "", value).upper()
    if kind == "DATE_OF_BIRTH":
        return parse_date(value) or _words(value)
    if kind.startswith("AGE"):
        n = age_value(value)
        return str(n) if n is not None else _words(value)
    if kind == "PERSON":
        v = _words(value)
        v = re.sub(r"'s$", "", v)
        return v
    return _words(value)


# ---------------------------------------------------------------------------------------------
# Finders for the structured types.
def _sentence_gap(text: str) -> bool:
    """True when ``text`` (between a context word and a value) crosses a sentence boundary."""
    return bool(re.search(r"[!?]|\.\s+[A-Z]|\n\s*\n", text))


def find_phones(text: str) -> Iterator[Span]:
    for m in PHONE_RE.finditer(text):
        raw = m.group()
        # The pattern is greedy: drop trailing digit groups until the digits make a UK number.
        cuts = [m.end()] + [m.start() + g.start() for g in re.finditer(r"(?<=\d)[^\d]+(?=\d)", raw)][::-1]
        for end in cuts:
            digits = re.sub(r"\D", "", text[m.start():end])
            if uk_national(digits):
                yield Span(m.start(), end, "PHONE", "regex")
                break


def find_nhs(text: str) -> Iterator[Span]:
    for m in NHS_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        before = text[max(0, m.start() - 60):m.start()]
        ctx = None
        for c in NHS_CONTEXT_RE.finditer(before):
            ctx = c
        in_context = ctx is not None and not _sentence_gap(before[ctx.end():])
        if nhs_check_ok(digits) and (digits[0] != "0" or in_context):
            yield Span(m.start(), m.end(), "NHS_NUMBER", "checksum")
        elif in_context:
            yield Span(m.start(), m.end(), "NHS_NUMBER", "context")
        elif NHS_GROUPED_RE.fullmatch(m.group()) and digits[0] != "0":
            # said or written in the NHS number's own 3-3-4 grouping, its context a sentence or a turn
            # back ("I had to find my NHS number ... 999 057 3421, see"): misremembered or mistyped,
            # it still points at one person's record
            yield Span(m.start(), m.end(), "NHS_NUMBER", "grouping")
    for m in NHS_LOOSE_RE.finditer(text):
        # ten digits grouped as someone read them off a card ("943 612 00 87"), the check digit right
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 10 and digits[0] != "0" and nhs_check_ok(digits):
            yield Span(m.start(), m.end(), "NHS_NUMBER", "checksum")


#: ten digits in groups of any size (2-4 digits, spaces or hyphens between), as people copy a number out
NHS_LOOSE_RE = re.compile(r"(?<![\w.+\-/£$])\d{2,4}(?:[ \t\-]\d{2,4}){2,4}(?![\w/%]|[.,]\d)")


def find_emails(text: str) -> Iterator[Span]:
    for m in EMAIL_RE.finditer(text):
        yield Span(m.start(), m.end(), "EMAIL", "regex")
    for m in SPOKEN_EMAIL_RE.finditer(text):
        local, domain = m.group("local").lower(), m.group("domain").lower()
        if re.fullmatch(_PROVIDERS, domain) or re.search(r"\d|_|\bdot\b|\bunderscore\b", local):
            yield Span(m.start(), m.end(), "EMAIL", "regex")


_UNIT_INWARD = re.compile(r"\d(?:mg|ml|kg|km|mm|cm|pm|am|hz|gb|mb)$", re.IGNORECASE)


#: the two-letter postcode areas (one-letter areas are left out: B12 is a vitamin, M11 a motorway)
_POSTCODE_AREAS = ("AB AL BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY EC "
                   "EH EN EX FK FY GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY LA LD LE LL LN LS LU "
                   "ME MK ML NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM SA SE SG SK SL SM SN SO SP SR SS ST "
                   "SW SY TA TD TF TN TQ TR TS TW UB WA WC WD WF WN WR WS WV YO ZE").split()
#: a postcode district alone ("north side, CB4", "we're PE13"), said where someone lives
OUTWARD_RE = re.compile(rf"(?<![\w-])(?:{'|'.join(_POSTCODE_AREAS)})\d{{1,2}}[A-Z]?(?![\w-])")
#: a postcode with its area apart from its district, as speech-to-text writes it: "IP 24 2QN", "cb 4 1xy"
SPLIT_POSTCODE_RE = re.compile(rf"(?<![\w-])(?i:{'|'.join(_POSTCODE_AREAS)})[ \t]+\d[\dA-Za-z]?[ \t]+\d(?i:[ABD-HJLNP-UW-Z]{{2}})(?![\w-])")
OUTWARD_CUE_RE = re.compile(r"\b(?:live|lives|living|lived|based|moved|from|in|near|round|postcode|post[ \t]+code|"
                            r"area|side|district|end|we're|we[ \t]+are|I'm|I[ \t]+am|address)\b[^.!?\n]{0,30}$", _F)


def find_postcodes(text: str) -> Iterator[Span]:
    for m in OUTWARD_RE.finditer(text):
        if _cued(text, m.start(), OUTWARD_CUE_RE, 40):
            yield Span(m.start(), m.end(), "POSTCODE", "district")
    for m in POSTCODE_RE.finditer(text):
        value = m.group()
        if value != value.upper() and _UNIT_INWARD.search(value):
            continue  # "vitamin b12 5mg"
        yield Span(m.start(), m.end(), "POSTCODE", "regex")
    # said or typed a character at a time: "C B 6 2 R N", "c-b-six..." is not handled, "N R 1 4 Q B" is
    for m in SPLIT_POSTCODE_RE.finditer(text):
        yield Span(m.start(), m.end(), "POSTCODE", "split")
    for m in _SPACED_POSTCODE_RE.finditer(text):
        joined = re.sub(r"[ \t]+", "", m.group()).upper()
        if POSTCODE_RE.fullmatch(joined[:-3] + " " + joined[-3:]):
            yield Span(m.start(), m.end(), "POSTCODE", "spaced")


_UNITS_W = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS_W = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUM_W = rf"(?:(?:{'|'.join(_TENS_W)})(?:[ \t-](?:one|two|three|four|five|six|seven|eight|nine))?|{'|'.join(_UNITS_W)}|oh|\d{{1,2}})"
#: a postcode spelled out: "N R thirty-one, seven D W", "C B four, two A Z", "IP one three, X Y"
SPOKEN_POSTCODE_RE = re.compile(
    rf"(?<![\w])(?P<area>(?-i:[A-Z])(?:[ \t.]+(?-i:[A-Z]))?)[ \t.,]+(?P<district>{_NUM_W}(?:[ \t]+{_NUM_W})?)[ \t,.]+"
    rf"(?P<sector>{_NUM_W})[ \t,.]+(?P<unit>(?-i:[A-Z])[ \t.]*(?-i:[A-Z]))(?![\w])", re.IGNORECASE)


def _number_words(text: str) -> str:
    out = ""
    for part in re.split(r"[ \t]+", text.strip().lower()):
        if part.isdigit():
            out += part
            continue
        bits = part.split("-")
        if bits[0] in _TENS_W:
            n = _TENS_W[bits[0]] + (_UNITS_W.index(bits[1]) if len(bits) > 1 and bits[1] in _UNITS_W else 0)
            out += str(n)
        elif part == "oh":
            out += "0"
        elif part in _UNITS_W:
            out += str(_UNITS_W.index(part))
        else:
            return ""
    return out


def find_spoken_postcodes(text: str) -> Iterator[Span]:
    for m in SPOKEN_POSTCODE_RE.finditer(text):
        area = re.sub(r"[^A-Za-z]", "", m.group("area")).upper()
        district, sector = _number_words(m.group("district")), _number_words(m.group("sector"))
        unit = re.sub(r"[^A-Za-z]", "", m.group("unit")).upper()
        if district and len(sector) == 1 and POSTCODE_RE.fullmatch(f"{area}{district} {sector}{unit}"):
            yield Span(m.start(), m.end(), "POSTCODE", "spelled")


_SPACED_POSTCODE_RE = re.compile(r"(?<![\w])[A-Za-z](?:[ \t][A-Za-z0-9]){4,6}(?![\w])")



#: whole dates that are history, not anyone's life: the day the NHS began
PUBLIC_DATES = frozenset({"1948-07-05"})


def find_dates_of_birth(text: str, max_age: int, reference_year: int) -> Iterator[Span]:
    for m in DATE_RE.finditer(text):
        before = text[max(0, m.start() - 150):m.start()]
        after = text[m.end():m.end() + 40]
        ok = BIRTH_CONTEXT_RE.search(before) is not None
        if not ok:
            c = BIRTH_CONTEXT_RE.search(after)
            ok = c is not None and not _sentence_gap(after[:c.start()])
        parsed = parse_date(m.group())
        if parsed is not None and not ok:
            # a whole date (day, month, year) of someone at least 16: "Mine's the twelfth of August 1951",
            # answering a question about birthdays a turn before; any whole date of a life is personal
            # the year written out: "15/10/21" is more often last month's appointment than a birth
            year = parsed[:4] if len(parsed) == 10 and re.search(r"\d{4}|nineteen", m.group(), re.I) else ""
            ok = (year.isdigit() and reference_year - 110 <= int(year) <= reference_year - 16
                  and parsed not in PUBLIC_DATES)
            method = "whole date"
        else:
            method = "context"
        if ok and parsed is not None:
            start = m.start() + (4 if m.group()[:4].lower() == "the " else 0)
            yield Span(start, m.end(), "DATE_OF_BIRTH", method)
    # A birth year alone is not a date of birth; it is redacted only when it implies an age over max_age.
    for m in BIRTH_YEAR_RE.finditer(text):
        if reference_year - int(m.group(1)) > max_age:
            yield Span(m.start(1), m.end(1), f"AGE_OVER_{max_age}", "context")


def find_ages(text: str, max_age: int) -> Iterator[Span]:
    for pattern in AGE_RES:
        for m in pattern.finditer(text):
            n = age_value(m.group("n"))
            if n is not None and max_age < n <= 125:
                yield Span(m.start("n"), m.end("n"), f"AGE_OVER_{max_age}", "context")


# ---------------------------------------------------------------------------------------------
# Numbers by context as well as shape: transcribers mishear digits, so after a cue the shape is loose.
_GAP = r"(?:[ \t]*[:\-\u2013=#]?[ \t]*)"
#: "number on the letter was", "number's": what may stand between a cue noun and the value
_TAIL = (r"(?:[ \t]+(?:on|in|from|at|off)[ \t]+(?:the|my|his|her|your|their|a)[ \t]+[\w-]+)?"
         r"(?:[ \t]*['\u2019]s|[ \t]+(?:is|was|are|it's|it\u2019s|reads|=))?(?:[ \t]+(?:still|now|just))?")
PHONE_CUE_RE = re.compile(
    r"\b(?:(?:ring|call|phone|text|reach|contact|get|whatsapp)[ \t]+(?:me|us|him|her|them|mum|dad|me[ \t]+back)"
    r"(?:[ \t]+(?:back|direct|anytime|any[ \t]?time))?[ \t]+on"
    r"|(?:my|his|her|their|our|your|the|a|mum's|dad's)[ \t]+(?:(?:home|work|direct|new|old|contact|phone|"
    r"telephone|mobile|landline|daytime)[ \t]+)?(?:number|no\.?|num|phone|telephone|mobile|landline|cell|tel)"
    r"(?:[ \t]+(?:number|no\.?))?(?:[ \t]+(?:they|she|he|you)[ \t]+(?:gave|give|have|had|got)(?:[ \t]+(?:me|us))?)?"
    r"|(?:contact|phone|telephone|mobile|landline|home|work)[ \t]+(?:number|no\.?|num)|mobile|landline|tel\.?"
    r"|telephone|phone|on[ \t]+(?:the[ \t]+)?(?:mobile|landline))" + _TAIL + _GAP + "$", _F)
#: 9 to 13 digits, with spaces, dashes, dots, brackets or a +44 between them.
DIGIT_RUN_RE = re.compile(r"(?<![\w+])(?:\+[ \t]?)?\(?\d(?:[ \t\-.()]{0,3}\d){8,14}(?![\w])")
#: three letters and seven digits (the usual English hospital number shape), e.g. a trust prefix.
HOSPITAL_RE = re.compile(r"(?<![\w/])[A-Za-z]{3}[ \t\-]?\d{7}(?![\w/])")
HOSPITAL_CUE_RE = re.compile(
    r"(?:\b(?:hospital|patient|unit|record|medical[ \t]+record|case|k)[ \t]+(?:number|no\.?|num|#)"
    r"|\bmrn\b(?:[ \t]+(?:number|no\.?))?|\bm\.r\.n\.?)" + _TAIL + _GAP + "$", _F)
#: after a hospital-number cue: one token of 5 to 12 letters and digits holding at least five digits.
_CUED_ID = re.compile(r"(?<![\w])(?:[A-Za-z]{1,4}(?=\d)|[A-Z]{1,4}[ \t\-])?\d(?:[ \t\-]?\d){4,11}(?:[A-Za-z](?![\w]))?(?![\w])")
_NI_PREFIX = r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
_NI_SEP = r"[ \t\-]?"
NI_RE = re.compile(rf"(?<![\w])(?i:{_NI_PREFIX}){_NI_SEP}\d{{2}}{_NI_SEP}\d{{2}}{_NI_SEP}\d{{2}}{_NI_SEP}(?i:[A-D])(?![\w])")
NI_LOOSE_RE = re.compile(rf"(?<![\w])(?i:[A-Z]{{2}}){_NI_SEP}\d{{2}}{_NI_SEP}\d{{2}}{_NI_SEP}\d{{2}}(?:{_NI_SEP}(?i:[A-D])(?![\w]))?(?![\w])")
NI_CUE_RE = re.compile(r"\b(?:national[ \t]+insurance|n\.?i\.?|nino)(?:[ \t]+(?:number|no\.?|num))?"
                       + _TAIL + _GAP + "$", _F)
#: current UK plates (AB12 CDE: two letters, age identifier, three letters), older prefix and suffix plates
REG_CURRENT_RE = re.compile(r"(?<![\w])[A-HJ-PR-Y][A-HJ-PR-Y](?:0[2-9]|[1-9]\d)[ \t]?[A-HJ-PR-Z]{3}(?![\w])")
REG_OLD_RE = re.compile(r"(?<![\w])(?:[A-HJ-NPR-Y]\d{1,3}[ \t]?[A-Z]{3}|[A-Z]{3}[ \t]?\d{1,3}[A-HJ-NPR-Y])(?![\w])")
REG_LOOSE_RE = re.compile(r"(?<![\w])(?i:[A-Z]{1,3}[ \t]?\d{1,4})(?:[ \t]?(?P<tail>(?i:[A-Z]{1,3})))?(?![\w])")
#: a word after a loose plate is the sentence going on, not its letters ("reg AVN 563 if you need it")
_NOT_PLATE_TAIL = frozenset("i a if is it in on at to so or and the was but as be by".split())
REG_CUE_RE = re.compile(r"\b(?:reg(?:istration)?(?:[ \t]+(?:number|no\.?|plate))?|number[ \t]+plate|plate|"
                        r"(?:car|van|vehicle|motor|mobility[ \t]+scooter)(?:[ \t]+reg)?)" + _TAIL + _GAP + "$", _F)


def _cued(text: str, start: int, cue: re.Pattern, reach: int = 48) -> bool:
    """Does a cue end right before ``start`` (a few words at most, no sentence boundary between)?"""
    return cue.search(text[max(0, start - reach):start]) is not None


def find_cued_phones(text: str) -> Iterator[Span]:
    """9-13 digits after a phone cue ("you can ring me on", "my number is"), valid UK number or not."""
    for m in DIGIT_RUN_RE.finditer(text):
        n = len(re.sub(r"\D", "", m.group()))
        if 9 <= n <= 13 and _cued(text, m.start(), PHONE_CUE_RE):
            yield Span(m.start(), m.end(), "PHONE", "context")


#: a letter or two and six to eight digits, one token: the shape of many trusts' record numbers ("J2219064")
CODE_RE = re.compile(r"(?<![\w/£$])[A-Za-z]{1,2}\d{6,8}(?![\w/])")
#: seven or eight digits standing alone: no one says a quantity that way, but a record number is read so
LONG_NUMBER_RE = re.compile(r"(?<![\w/£$.,:+\-])\d{7,8}(?![\w%/\-]|[.,]\d)")
#: a record number mentioned: what is said of it may stand a clause or a sentence away from the digits
#: ("his hospital number, I know it by heart now, J2219064"; "two hospital numbers. 7734519 is the right one")
RECORD_MENTION_RE = re.compile(r"\b(?:hospital|patient|unit|record|case|clinic)[ \t]+(?:numbers?|no\.?|nos\.?)\b"
                               r"|\bmrns?\b|\bm\.r\.n\.?", _F)


def _sentence_window(text: str, start: int, end: int) -> tuple[int, int]:
    """From the start of the sentence before ``start`` to the end of the sentence after ``end``."""
    stops = [m.end() for m in re.finditer(r"[.!?](?:\s|$)|\n", text)]
    before = [p for p in stops if p <= start]
    a = before[-2] if len(before) >= 2 else 0
    after = [p for p in stops if p > end]
    b = after[1] if len(after) >= 2 else len(text)
    return a, b


def find_hospital_numbers(text: str) -> Iterator[Span]:
    for m in HOSPITAL_RE.finditer(text):
        yield Span(m.start(), m.end(), "HOSPITAL_NUMBER", "regex")
    for m in CODE_RE.finditer(text):
        yield Span(m.start(), m.end(), "HOSPITAL_NUMBER", "code shape")
    for m in LONG_NUMBER_RE.finditer(text):
        yield Span(m.start(), m.end(), "HOSPITAL_NUMBER", "long number")
    for cue in RECORD_MENTION_RE.finditer(text):
        a, b = _sentence_window(text, cue.start(), cue.end())
        for m in _CUED_ID.finditer(text, a, b):
            if sum(ch.isdigit() for ch in m.group()) >= 6:
                yield Span(m.start(), m.end(), "HOSPITAL_NUMBER", "near a record number")
    for m in _CUED_ID.finditer(text):
        if not _cued(text, m.start(), HOSPITAL_CUE_RE):
            digit = re.search(r"\d", m.group())   # "MRN 93149882": the cue itself looked like a prefix
            m = _CUED_ID.match(text, m.start() + digit.start()) if digit and digit.start() else None
        if m and _cued(text, m.start(), HOSPITAL_CUE_RE):
            yield Span(m.start(), m.end(), "HOSPITAL_NUMBER", "context")


#: the full spaced shape with its suffix letter ("QQ 48 21 07 B") is distinctive even with a prefix
#: HMRC never issues: a transcriber's mishearing or an example number is hidden all the same
NI_SPACED_RE = re.compile(r"(?<![\w])[A-Z]{2}[ \t]\d{2}[ \t]\d{2}[ \t]\d{2}[ \t][A-D](?![\w])")


def find_ni_numbers(text: str) -> Iterator[Span]:
    for m in NI_RE.finditer(text):
        yield Span(m.start(), m.end(), "NI_NUMBER", "regex")
    for m in NI_SPACED_RE.finditer(text):
        yield Span(m.start(), m.end(), "NI_NUMBER", "regex")
    for m in NI_LOOSE_RE.finditer(text):
        if _cued(text, m.start(), NI_CUE_RE):
            yield Span(m.start(), m.end(), "NI_NUMBER", "context")


def find_vehicle_regs(text: str) -> Iterator[Span]:
    for pattern in (REG_CURRENT_RE, REG_OLD_RE):
        for m in pattern.finditer(text):
            yield Span(m.start(), m.end(), "VEHICLE_REG", "regex")
    for m in REG_LOOSE_RE.finditer(text):
        end = m.end()
        if m.group("tail") and m.group("tail").lower() in _NOT_PLATE_TAIL:
            end = m.start("tail") - (1 if text[m.start("tail") - 1] in " \t" else 0)
        if _cued(text, m.start(), REG_CUE_RE, 40):
            yield Span(m.start(), end, "VEHICLE_REG", "context")



#: a digit said as a word, as people read a number out ("oh seven seven nine, double four...")
_DIGIT_WORD = r"(?:oh|o|zero|nought|nil|one|two|three|four|five|six|seven|eight|nine)"
#: "nine hundred" in a number read out is 900 (and "two thousand" 2000)
_HUNDREDS = r"(?:[ \t\-]+(?:hundred|thousand))?"
_SPOKEN_DIGITS_RE = re.compile(rf"(?<![\w-])(?:(?:double|triple|treble)[ \t]+)?{_DIGIT_WORD}{_HUNDREDS}"
                               rf"(?:(?:[ \t]*(?:[,\-]|\.{{2,3}}|\u2026)[ \t]*|[ \t]+)(?:(?:double|triple|treble)[ \t]+)?{_DIGIT_WORD}{_HUNDREDS}|"
                               rf"[ \t]*[,\-]?[ \t]*\d){{5,}}(?![\w-])", re.IGNORECASE)
_DIGIT_COUNT_RE = re.compile(rf"(?:(double)|(triple|treble))?[ \t]*\b{_DIGIT_WORD}\b(?:[ \t\-]+(hundred|thousand)\b)?|\d",
                             re.IGNORECASE)


def find_spoken_phones(text: str) -> list[Span]:
    """Phone numbers read out in words: "oh seven eight four one, six six two, nine oh three".

    Nine or more digits said one by one ("double four" counts two) are a number nobody says by
    chance; counting ("one, two, three") and times ("half past nine") are far shorter.
    """
    out = []
    for m in _SPOKEN_DIGITS_RE.finditer(text):
        digits = sum((2 if d.group(1) else 3 if d.group(2) else 1)
                     + {"hundred": 2, "thousand": 3}.get((d.group(3) or "").lower(), 0)
                     for d in _DIGIT_COUNT_RE.finditer(m.group()))
        if digits >= 9:
            out.append(Span(m.start(), m.end(), "PHONE", "spoken"))
    return out


def find_structured(text: str, *, max_age: int = 89, reference_year: int = 2026) -> list[Span]:
    """Every phone, e-mail, NHS, hospital and NI number, car registration, postcode, address, date of
    birth and age over ``max_age``."""
    out: list[Span] = []
    for finder in (find_emails, find_nhs, find_phones, find_cued_phones, find_spoken_phones, find_hospital_numbers,
                   find_ni_numbers, find_vehicle_regs, find_postcodes, find_spoken_postcodes, find_addresses,
                   find_workplaces):
        out.extend(finder(text))
    out.extend(find_dates_of_birth(text, max_age, reference_year))
    out.extend(find_ages(text, max_age))
    return out
