"""Patterns and word lists for de-identification, kept as data.

Everything here is pure and offline: regular expressions for the structured identifiers
(UK phone numbers, e-mail addresses, NHS numbers, postcodes, street addresses, dates of birth,
ages over the threshold), their validators (the NHS modulus-11 check, UK number lengths), the
normalisers that make one value hash the same however it was written, and the word lists the
name rules consult. :mod:`engagement.deidentify` combines them with known names and NER.

Example:
    >>> nhs_check_ok("9434765919"), nhs_check_ok("9434765918")
    (True, False)
    >>> normalise("PHONE", "+44 (0)7700 900123")
    '07700900123'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator, NamedTuple

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

# ---------------------------------------------------------------------------------------------
# Word lists (lower case). Edit these, not the rules.

#: Titles and forms of address: the capitalised token(s) after one are a name.
TITLES = ("dr", "dr.", "doctor", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "mx.", "prof", "prof.",
          "professor", "nurse", "sister", "matron", "rev", "rev.", "revd", "reverend", "father", "fr", "fr.",
          "sir", "dame", "lord", "lady", "cllr", "councillor", "captain", "capt", "midwife", "auntie", "aunty",
          "aunt", "uncle", "nan", "nana", "nanna", "grandma", "grandad", "granny", "grandpa", "cousin")
#: Titles that also count when written in lower case ("nurse Jo", "auntie Pat").
LOWER_TITLES = ("doctor", "nurse", "sister", "matron", "midwife", "auntie", "aunty", "uncle", "nan", "nana",
                "nanna", "grandma", "grandad", "granny", "grandpa", "cousin")

#: Relations: "my husband Derek", "my friend, Grace" - the name after one is a person.
RELATIONS = ("husband", "wife", "partner", "son", "daughter", "mum", "mother", "dad", "father", "brother",
             "sister", "friend", "best friend", "neighbour", "neighbor", "grandson", "granddaughter", "nan",
             "gran", "grandma", "grandad", "granny", "grandmother", "grandfather", "aunt", "auntie", "uncle",
             "cousin", "niece", "nephew", "carer", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancée",
             "colleague", "boss", "mate", "flatmate", "stepson", "stepdaughter", "stepmum", "stepdad",
             "sister-in-law", "brother-in-law", "mother-in-law", "father-in-law", "daughter-in-law",
             "son-in-law", "little boy", "little girl", "eldest", "youngest", "ex", "ex-husband", "ex-wife",
             "other half", "key worker", "support worker", "social worker", "care coordinator", "consultant",
             "gp", "doctor", "nurse", "midwife", "health visitor", "therapist", "counsellor", "psychiatrist")

#: Nouns for a person before "called/named": "a lady called Mary".
PERSON_NOUNS = ("lady", "man", "woman", "guy", "girl", "boy", "bloke", "chap", "fella", "fellow", "lad", "lass",
                "gentleman", "nurse", "doctor", "consultant", "surgeon", "receptionist", "midwife", "someone",
                "somebody", "person", "friend", "neighbour", "carer", "worker", "manager", "officer", "paramedic",
                "pharmacist", "physio", "therapist", "counsellor", "psychiatrist", "psychologist", "specialist",
                "registrar", "gp", "student", "patient", "child", "kid", "baby", "son", "daughter", "dog")

#: Verbs after a name that make a capitalised token a person ("Derek said", "Bill came round").
SPEECH_VERBS = ("said", "says", "told", "tells", "asked", "asks", "mentioned", "mentions", "thinks", "thought",
                "reckons", "reckoned", "was saying", "is saying", "made a point", "has a point", "is right",
                "was right", "agrees", "agreed", "came", "comes", "went", "goes", "wants", "wanted", "knows",
                "knew", "rang", "phoned", "texted", "emailed", "wrote", "helped", "took", "gave", "brought",
                "died", "passed away", "lives", "lived", "works", "worked", "couldn't", "can't", "didn't",
                "doesn't", "won't", "would", "could", "should", "had", "has", "got", "gets", "laughed", "nodded",
                "explained", "suggested", "pointed out", "and i", "and me", "and my")

#: Given names and surnames that are also ordinary English words: matched only in name context.
WORD_NAMES = frozenset("""
rose hope bill mark grace will faith sky joy dawn amber autumn summer winter holly ivy iris lily daisy violet
heather hazel jasmine poppy pearl ruby jade crystal honey candy sandy rusty sunny storm river robin wren jay drew
frank sue pat nick chip chuck buck bob rob don dean guy jack ray gene glen dale dell forest heath grant hunter
fisher baker cook carter mason miller mill mills smith turner walker ward wells white black brown green grey gray
young king price rice long short little small bird fox wolf lamb hart hill lane marsh moss reed rush wood woods
field fields bush berry prior bishop page porter chance chase cash cliff gill hale hall jewel lord love major
noble park parks pope power rich rivers rock sage savage sharp shepherd sterling stone strong swift temple waters
wise bell best bright brook brooks burns case church clay cole cotton crane cross day dove fry gold good hand head
hood hunt key law light lock low moon more new north south east west pain payne peace penny pike pitt plant pool
post read rain ring rowe sands shaw spring star steel street sweet tanner thorn tower wall walls wing bond booth
bull butcher cooper draper fowler gardener glover goodman joiner marshall mayor nurse palmer parker parsons potter
sawyer skinner slater thatcher tyler weaver webb wheeler banks shields kit max mo dot norm earl lance miles wade
carol eve dev ash art bay brandy chance clay coral fern ginger glory lark laurel mercy olive opal patience pepper
primrose prudence raven red saffron serenity snow sonny sorrel trinity willow harmony destiny misty blossom basil
angel ebony gem lucky tiger rocky august justice victory sunshine
""".split())

#: Month names that are also given names: only strong context makes them a name.
MONTH_NAMES = frozenset({"april", "may", "june", "august", "jan"})

#: Kin words used as names ("Mum said"): not personal data.
KIN_WORDS = frozenset("""
mum mummy mom mother dad daddy father nan nana nanna gran granny grandma grandad grandpa grandmother grandfather
auntie aunty aunt uncle sis bro hubby wife husband son daughter baby
""".split())

#: Capitalised words that are not names in the weak contexts (vocatives, "X said", "I'm X").
NON_NAME_WORDS = frozenset("""
i i'm i'd i've i'll it it's he she we they you the a an this that these those my your his her our their and but or
so if when what who why how where yes no yeah yep yup nope ok okay oh um uh erm er mm mhm hmm ah well right sorry
thanks thank please hello hi hiya just not then there here all everyone everybody someone somebody nobody anyone
anybody none some any one two three people everything nothing something anything look listen see like sure fine
great lovely brilliant interesting true absolutely definitely exactly anyway now also again still even only
monday tuesday wednesday thursday friday saturday sunday january february march july september october november
december christmas easter god jesus christ allah lord doctor nurse sister consultant gp gps nhs hospital surgery
british english scottish welsh irish polish lithuanian latvian romanian bulgarian portuguese spanish italian
french german indian pakistani bangladeshi nigerian ghanaian somali chinese jamaican caribbean african asian
european muslim christian catholic jewish sikh hindu buddhist black white deaf autistic diabetic punjabi urdu
russian arabic bengali gujarati tamil american canadian australian european japanese korean dutch swedish
norwegian danish greek turkish kurdish iranian afghan syrian iraqi ukrainian hungarian czech slovak estonian
filipino thai vietnamese brazilian mexican kenyan ugandan zimbabwean eritrean sudanese ethiopian egyptian
moroccan algerian nepalese malaysian protestant anglican methodist baptist orthodox atheist which whose whom as although though because since while whilst unless
until mine yours ours theirs same both each every many much more most other another such ooh aah wow bye aye
nah in on at of for with from to by about after before during into over under between without also plus
besides however meanwhile otherwise instead sometimes nowadays today tomorrow yesterday first
second firstly secondly finally lastly course maybe perhaps obviously basically
was were is are am be been being got get gets getting had has have did do does done went came said told asked
took gave made saw seen felt found left kept called rang phoned waited arrived needed wanted tried used
caller driver drivers crew staff paramedic paramedics receptionist operator handler handlers manager porter
carer carers team ambulance patient patients doctors nurses consultants surgeon everything visitor medic
psychiatrist psychologist therapist counsellor midwife pharmacist physio dentist optician
""".split())

#: Things NER tends to tag PERSON in this domain that are not people (devices, brands, jargon,
#: fillers). "alexa": in these transcripts almost always Amazon's assistant; a participant called
#: Alexa is a known name, and known names are matched before this list is consulted.
NER_NON_NAMES = frozenset("""
fitbit alexa siri cortana timex garmin caldicott babylon covid covid-19 brexit hba1c egfr bmi zoom teams whatsapp
boots tesco sainsbury sainsbury's asda lidl aldi morrisons ocado netflix spotify twitter instagram tiktok youtube
android iphone ipad kindle samsung chatgpt deepmind palantir strava myfitnesspal nhsx camhs windrush grenfell pfizer astrazeneca moderna
novavax janssen
""".split()) | {"lloyd george", "nhs app", "nhs login", "patients know best", "sky news", "home office",
                "care.data", "google fit", "apple watch", "amazon alexa"}

#: Capitalised words after a name that make it part of an organisation or place ("Rose Ward").
ORG_SUFFIXES = frozenset("""
hospital hospitals ward wards surgery practice clinic centre center unit house trust hospice school college
university medical health pharmacy foundation institute building wing suite group partnership team service
services library church chapel road street lane avenue close drive way crescent gardens court place terrace
grove walk row hill square mews parade park estate ltd limited plc council a&e hub
""".split())

STREET_TYPES = ("Road", "Rd", "Street", "St", "Lane", "Ln", "Avenue", "Ave", "Close", "Drive", "Way", "Crescent",
                "Gardens", "Court", "Place", "Terrace", "Grove", "Walk", "Row", "Hill", "Square", "Mews", "Parade",
                "Green", "Rise", "View", "Vale", "Meadow", "Meadows", "Chase", "Gate", "Wharf", "Yard", "Croft",
                "Boulevard", "Park", "End", "Fields", "Drove", "Loke", "Drift", "Causeway", "Bank", "Approach",
                "Broadway", "Parkway", "Ride", "Dale", "Paddock", "Pightle", "Spinney", "Orchard", "Garth", "Leys",
                "Wynd", "Hythe", "Quay", "Esplanade", "Promenade", "Embankment")
#: One-word street names end in one of these ("Kingsway", "Northgate", "Highfield").
STREET_SUFFIXES = ("way", "gate", "field", "fields", "side", "moor", "drove", "road", "street", "lane", "bank")

MONTHS = {"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
          "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
          "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}

_UNITS = ("weeks", "week", "days", "day", "months", "month", "hours", "hour", "minutes", "mins", "miles", "mile",
          "percent", "per", "pounds", "quid", "pence", "p", "times", "people", "of", "kg", "kilos", "stone", "lbs",
          "mg", "ml", "patients", "beds", "pages", "quid", "grand", "pound", "bus", "am", "pm", "degrees")

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
NHS_CONTEXT_RE = re.compile(r"\bnhs[ \t]*(?:number|no\b\.?|num\b|#)", _F)
EMAIL_RE = re.compile(r"(?<![\w.+\-@])[\w][\w.%+'\-]*@\w(?:[\w\-]*\w)?(?:\.\w(?:[\w\-]*\w)?)*\.[^\W\d_]{2,24}"
                      r"(?![\w@])")
_PROVIDERS = (r"(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|live|btinternet|aol|sky|talktalk|virginmedia|"
              r"nhs|protonmail|me|mail|msn|ntlworld|blueyonder|tiscali)")
SPOKEN_EMAIL_RE = re.compile(
    r"(?<!\w)(?P<local>[a-z0-9_.\-]+(?:[ \t]+(?:dot|underscore)[ \t]+[a-z0-9_\-]+)*)[ \t]+at[ \t]+"
    r"(?P<domain>[a-z0-9\-]+)(?:[ \t]+dot[ \t]+[a-z0-9\-]+)*[ \t]+dot[ \t]+(?:com|net|org|uk|co|ac|gov|io|ie)\b"
    r"(?:[ \t]+dot[ \t]+(?:uk|net|com|org))?", _F)
POSTCODE_RE = re.compile(r"(?<![\w])[A-PR-UWYZ](?:[A-HK-Y]\d[A-HJKPSTUW\d]?|\d[A-HJKPSTUW\d]?)[ \t]?\d[ABD-HJLNP-UW-Z]{2}"
                         r"(?![\w])", _F)
_STREET_WORD = rf"(?:{UP}{LETTER}*(?:{APOS}{LETTER}+|-{UP}?{LETTER}+)*|The|St\.?)"
ADDRESS_RE = re.compile(
    rf"(?:(?:Flat|Apartment|Apt|Unit|Room)[ \t]+\d{{1,4}}[A-Za-z]?,?[ \t]+)?(?<![\w£$.,/])\d{{1,4}}[A-Za-z]?"
    rf"(?:[ \t]*[-\u2013][ \t]*\d{{1,4}})?,?[ \t]+(?:(?:{_STREET_WORD}[ \t]+){{1,3}}(?:{'|'.join(STREET_TYPES)})"
    rf"|{UP}[a-z]+(?:{'|'.join(STREET_SUFFIXES)}))\b")
ADDRESS_LOWER_RE = re.compile(
    r"\b(?:live|lives|living|lived|address is|address was|moved to|round at|house on|home is|staying at)[ \t]+"
    r"(?:at[ \t]+)?(?:number[ \t]+)?(?P<addr>\d{1,4}[a-z]?,?[ \t]+(?:[a-z'\u2019]+[ \t]+){1,3}"
    rf"(?:{'|'.join(t.lower() for t in STREET_TYPES)}))\b", _F)
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
_AFTER_AGE = rf"(?![ \t]*(?:%|-?(?:{'|'.join(_UNITS)})\b))"
AGE_RES = (
    re.compile(rf"\b(?P<n>{_AGE_NUM})(?:[ \t]*|-)(?:years?|yrs?)(?:[ \t]*|-)old\b", _F),
    re.compile(rf"\b(?:aged|age|ages|turned|turning|turns|reached|reaching|lived[ \t]+to|died[ \t]+at|be|been|hit)"
               rf"(?:[ \t]+of)?[ \t]+(?:nearly[ \t]+|almost[ \t]+|about[ \t]+|just[ \t]+)?(?P<n>{_AGE_NUM})\b{_AFTER_AGE}", _F),
    re.compile(rf"\b{_KIN}(?:[ \t]*{APOS}s|[ \t]*{APOS}m|[ \t]+is|[ \t]+was|[ \t]+am|[ \t]+is[ \t]+now|[ \t]+was[ \t]+nearly)"
               rf"[ \t]+(?:nearly[ \t]+|almost[ \t]+|now[ \t]+|just[ \t]+|over[ \t]+)?(?P<n>{_AGE_NUM})\b{_AFTER_AGE}", _F),
    # a bare number over the threshold closing a clause after is/was/'s: "one of my ladies is 96, sharp as..."
    re.compile(rf"(?:\bis|\bwas|{APOS}s)[ \t]+(?:nearly[ \t]+|almost[ \t]+|now[ \t]+)?(?P<n>{_AGE_NUM})"
               r"(?=[ \t]*(?:[,.;!?)]|$|(?:and|now|this|next|last|in|on|but|still|sharp|bless)\b))", _F),
)


class Span(NamedTuple):
    """A structured hit before names are resolved: offsets, type and method."""

    start: int
    end: int
    type: str
    method: str


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


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
                       "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "\u2019": "'", "\u2018": "'"})


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case-fold and strip diacritics, so "Łukasz", "lukasz" and "LUKASZ" compare equal."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


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
        words = re.findall(r"[a-z]+(?:[- ][a-z]+)?", t)
        ordw = [w for w in words if re.fullmatch(_ORD_WORD, w)]
        day_n = _ORD_WORDS.index(ordw[0].replace(" ", "-")) + 1 if ordw and ordw[0].replace(" ", "-") in _ORD_WORDS else None
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


def find_emails(text: str) -> Iterator[Span]:
    for m in EMAIL_RE.finditer(text):
        yield Span(m.start(), m.end(), "EMAIL", "regex")
    for m in SPOKEN_EMAIL_RE.finditer(text):
        local, domain = m.group("local").lower(), m.group("domain").lower()
        if re.fullmatch(_PROVIDERS, domain) or re.search(r"\d|_|\bdot\b|\bunderscore\b", local):
            yield Span(m.start(), m.end(), "EMAIL", "regex")


_UNIT_INWARD = re.compile(r"\d(?:mg|ml|kg|km|mm|cm|pm|am|hz|gb|mb)$", re.IGNORECASE)


def find_postcodes(text: str) -> Iterator[Span]:
    for m in POSTCODE_RE.finditer(text):
        value = m.group()
        if value != value.upper() and _UNIT_INWARD.search(value):
            continue  # "vitamin b12 5mg"
        yield Span(m.start(), m.end(), "POSTCODE", "regex")


def find_addresses(text: str) -> Iterator[Span]:
    for m in ADDRESS_RE.finditer(text):
        yield Span(m.start(), m.end(), "ADDRESS", "regex")
    for m in ADDRESS_LOWER_RE.finditer(text):
        yield Span(m.start("addr"), m.end("addr"), "ADDRESS", "context")


def find_dates_of_birth(text: str, max_age: int, reference_year: int) -> Iterator[Span]:
    for m in DATE_RE.finditer(text):
        before = text[max(0, m.start() - 150):m.start()]
        after = text[m.end():m.end() + 40]
        ok = BIRTH_CONTEXT_RE.search(before) is not None
        if not ok:
            c = BIRTH_CONTEXT_RE.search(after)
            ok = c is not None and not _sentence_gap(after[:c.start()])
        if ok and parse_date(m.group()) is not None:
            start = m.start() + (4 if m.group()[:4].lower() == "the " else 0)
            yield Span(start, m.end(), "DATE_OF_BIRTH", "context")
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


def find_structured(text: str, *, max_age: int = 89, reference_year: int = 2026) -> list[Span]:
    """Every phone, e-mail, NHS number, postcode, address, date of birth and age over ``max_age``."""
    out: list[Span] = []
    for finder in (find_emails, find_nhs, find_phones, find_postcodes, find_addresses):
        out.extend(finder(text))
    out.extend(find_dates_of_birth(text, max_age, reference_year))
    out.extend(find_ages(text, max_age))
    return out


# ---------------------------------------------------------------------------------------------
# Name rules: known names and the contexts that make a capitalised token a person.
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


def _alt(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in sorted(set(words), key=lambda w: (-len(w), w)))


_TITLE_CAP = "|".join(re.escape(t[:1].upper() + t[1:]) for t in TITLES if t not in LOWER_TITLES)
_TITLE_ANY = _alt(LOWER_TITLES)
TITLE_RE = re.compile(rf"(?<!\w)(?:(?:{_TITLE_CAP})\.?|(?i:{_TITLE_ANY}))[ \t]+(?P<name>{NAME_SEQ})")
RELATION_RE = re.compile(rf"(?i:\b(?:my|his|her|their|our|your|the|a)[ \t]+(?:[\w-]+[ \t]+){{0,2}}(?:{_alt(RELATIONS)}))"
                         r"[ \t]*,?[ \t]+"
                         rf"(?P<name>{NAME_SEQ})")
CALLED_RE = re.compile(rf"(?i:\b(?:(?:{_alt(PERSON_NOUNS)})s?[ \t]+(?:called|named|by[ \t]+the[ \t]+name[ \t]+of)"
                       rf"|(?:my|his|her|their|your)[ \t]+name(?:{APOS}s|[ \t]+is|[ \t]+was)|call[ \t]+me"
                       rf"|I{APOS}m[ \t]+called|goes[ \t]+by))[ \t]+(?P<name>{NAME_SEQ})")
INTRO_RE = re.compile(rf"(?i:\b(?:I{APOS}m|I[ \t]+am|this[ \t]+is|it{APOS}s|here{APOS}s|is[ \t]+that|is[ \t]+this|"
                      rf"speaking[ \t]+(?:to|with)))[ \t]+(?P<name>{NAME_TOKEN})"
                      r"(?=[ \t]*(?:[,.;?]|(?i:and|from|here|ringing|calling|speaking)\b|$))")
#: "Margaret, my wife,": a name in apposition to a relation.
APPOSITION_RE = re.compile(rf"(?P<name>{NAME_SEQ})[ \t]*,[ \t]*(?i:my|his|her|our|their)[ \t]+(?:[\w-]+[ \t]+)?"
                           rf"(?i:{_alt(RELATIONS)})\b")
#: "my Dennis.": a capitalised word owned by "my" that ends the clause.
OWNED_RE = re.compile(rf"(?i:\bmy)[ \t]+(?P<name>{NAME_TOKEN})(?=[ \t]*(?:[.,;!?]|$))")
VOCATIVE_RES = (
    re.compile(r"(?i:\b(?:thanks|thank[ \t]+you|cheers|sorry|hi|hello|hiya|bye|welcome|go[ \t]+on|over[ \t]+to[ \t]+you|"
               rf"morning|evening|afternoon|hey))[ \t]*,?[ \t]+(?P<name>{NAME_TOKEN})(?=[ \t]*(?:[,.!?;:]|$))"),
    re.compile(rf",[ \t]+(?P<name>{NAME_TOKEN})[ \t]*\?"),
    re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=[\]\)]\s))(?P<name>{NAME_TOKEN}),[ \t]+(?=(?i:you|what|how|do|did|can|could|"
               r"would|have|has|any|is|are|was|were|tell|go|sorry|thanks|thank|your|if|where|when|why)\b)"),
)
SPEECH_RE = re.compile(rf"(?P<name>(?:{UP}\.[ \t]*)?{NAME_TOKEN})(?:{APOS}s)?[ \t]+(?=(?:said|says|told|asked|mentioned|reckons|"
                       r"was saying|is saying|made a point|has a point|is right|was right)\b)")
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
    r"transferred|admitted|attended|way|journey|trip|route|home|moving|ambulance|lift)[ \t]+(?:to|from|into)))[ \t]+$")
_BEFORE_TITLE = re.compile(rf"(?:(?<!\w)(?:{_TITLE_CAP})\.?|(?i:\b(?:{_TITLE_ANY})))[ \t]+$")
_BEFORE_RELATION = re.compile(rf"(?i:\b(?:my|his|her|their|our|your|the|a)[ \t]+(?:[\w-]+[ \t]+){{0,2}}"
                              rf"(?:{_alt(RELATIONS)}))[ \t]*,?[ \t]+$")
_BEFORE_VOCATIVE = re.compile(r"(?:(?i:\b(?:thanks|thank[ \t]+you|cheers|sorry|hi|hello|hiya|bye|welcome|go[ \t]+on|"
                              r"over[ \t]+to[ \t]+you|hey))[ \t]*,?|,)[ \t]*$")
_FOLLOWING_NAME = re.compile(rf"[ \t]+(?P<tok>{NAME_TOKEN})")


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
        m = re.match(rf"(?:{APOS}s)?[ \t]+([\w&]+)", text[end:end + 40])
        return bool(m and fold(m.group(1)) in ORG_SUFFIXES)

    def name_context(self, text: str, start: int, end: int, *, month: bool = False) -> bool:
        """Is the word-name at ``text[start:end]`` used as a name here ("Rose said", "with Bill")?"""
        word = text[start:end]
        if not word[:1].isupper() or self.org_follows(text, end):
            return False
        before, after = text[max(0, start - 60):start], text[end:end + 60]
        if _BEFORE_TITLE.search(before) or _BEFORE_RELATION.search(before):
            return True
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
                                                       and re.match(r"[ \t]+to\b", text[end:end + 4])))

    def _trimmed(self, text: str, m: re.Match, *, strong: bool) -> tuple[int, int] | None:
        toks = [(x.start() + m.start("name"), x.end() + m.start("name"))
                for x in re.finditer(r"\S+", m.group("name"))]
        while toks and fold(text[toks[0][0]:toks[0][1]]).rstrip(".") in TITLES:
            toks.pop(0)   # "my GP Dr Shah": the title is not part of the name
        # "The Guardian said" is no name; "And Margaret, my wife" is Margaret
        if not toks or fold(text[toks[0][0]:toks[0][1]]) in _DETERMINERS:
            return None
        while toks and self.blocked(text[toks[0][0]:toks[0][1]], strong=strong):
            toks.pop(0)
        if not toks:
            return None
        if not strong and len(toks) == 1 and text[toks[0][0]:toks[0][1]].isupper() and toks[0][1] - toks[0][0] > 1:
            return None
        while toks and (self.blocked(text[toks[-1][0]:toks[-1][1]], strong=strong) or
                        re.fullmatch(PARTICLES, text[toks[-1][0]:toks[-1][1]])):
            toks.pop()
        return (toks[0][0], toks[-1][1]) if toks else None

    def find(self, text: str) -> Iterator[tuple[int, int, str, bool]]:
        """``(start, end, method, strong)`` of names found by title and context rules.

        ``strong`` marks a title, relation or "called/name is" context, which outranks the NER's
        own label for the span; the weaker contexts (vocatives, "I'm X", "X said") defer to it.
        """
        rules = ((TITLE_RE, "title", True), (RELATION_RE, "context", True), (CALLED_RE, "context", True),
                 (INTRO_RE, "context", False), (APPOSITION_RE, "context", False), (OWNED_RE, "context", False),
                 *((p, "context", False) for p in VOCATIVE_RES), (SPEECH_RE, "context", False))
        for pattern, method, strong in rules:
            for m in pattern.finditer(text):
                if pattern is SPEECH_RE and re.search(r"\bthe[ \t]+$", text[max(0, m.start() - 5):m.start()]):
                    continue  # "the Telegraph said"
                span = self._trimmed(text, m, strong=strong)
                if span and not self.org_follows(text, span[1]):
                    yield span[0], span[1], method, strong


# ---------------------------------------------------------------------------------------------
# Stand-ins for ``pseudonyms: true``: chosen by a value's salted key, never the value itself.
PSEUDO_FIRST = ("Alice", "Ben", "Chloe", "Daniel", "Eleanor", "Farid", "Gemma", "Harvey", "Imogen", "Jamal",
                "Kirsty", "Leon", "Megan", "Nikhil", "Orla", "Patrick", "Qasim", "Rachel", "Stefan", "Tanya",
                "Usman", "Vanessa", "Wesley", "Yasmin", "Zach", "Aisha", "Bernard", "Carmen", "Declan", "Esther",
                "Fiona", "Gareth", "Helena", "Ivan", "Janet", "Kwame", "Linda", "Marek", "Nadia", "Oscar",
                "Paula", "Ravi", "Sinead", "Trevor", "Ursula", "Viktor", "Wendy", "Yusuf")
PSEUDO_LAST = ("Abbott", "Bramley", "Chowdhury", "Dempsey", "Ellison", "Fairbairn", "Gallagher", "Holloway",
               "Iqbal", "Jarvis", "Kowalski", "Lindqvist", "Mahmood", "Norcross", "Okonkwo", "Pemberton",
               "Quayle", "Rafferty", "Sandhu", "Thackeray", "Underwood", "Varga", "Whitfield", "Yeoman",
               "Zielinski", "Ashworth", "Brannigan", "Cartwright", "Delaney", "Eastwood", "Fenwick", "Greaves")
PSEUDO_STREETS = ("Alder", "Beacon", "Cobble", "Dunmore", "Elmstead", "Foxglove", "Garnet", "Hawthorn",
                  "Juniper", "Kestrel", "Larkspur", "Marlow", "Nettle", "Orchard", "Pennyroyal", "Quarry")
PSEUDO_PLACES = ("Ashby Fen", "Brackenwold", "Cressing Parva", "Dunthorpe", "Elmsworth St Giles", "Fenmoor",
                 "Great Wickham", "Hollowmere", "Kettleby Marsh", "Little Sallow", "Mardenhoe", "Nettlecombe Fen")
