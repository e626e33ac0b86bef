"""Signals of personal data that do not depend on the de-identification detector.

The leak check must find what the detector missed, so nothing here calls it: each signal is a
shape or a word list with its own, simpler rules, and reports a :class:`Candidate` with a type,
a reason, and whether it blocks publication. The value itself is never kept.

Blocking (high confidence):

- EMAIL: an e-mail address shape.
- POSTCODE: a full UK postcode shape (outward and inward code, capitals).
- NHS_NUMBER: ten digits with a valid NHS check digit.
- PHONE: a run of 9-13 digits (spaces, dashes, brackets, +44) that is a UK number shape
  (0 or +44, then 9-10 digits starting 1, 2, 3, 7 or 8), or any such run after a phone cue
  ("ring me on", "my number is", "mobile", "landline").
- HOSPITAL_NUMBER: three letters and seven digits ("RGT1234567"), or any 6-10 digit run after
  "hospital number", "patient number", "MRN".
- NI_NUMBER: a National Insurance number shape (two letters, six digits, A-D).
- VEHICLE_REG: a current UK vehicle registration shape ("AB12 CDE").
- PERSON: a capitalised word after a title ("Dr", "Nurse", "Mrs"); a name-lexicon word in a
  person context: after a role or relation ("my neighbour", "the receptionist", "the OT"),
  "ask for", "ring", "speak to", "called",
  "thanks"; or before "on reception", "from the surgery", "was lovely", "said", "rang"; or a
  lexicon first name followed by a lexicon surname ("Sarah Jenkins"). A lexicon name that is also
  an ordinary word ("Will", "Grace", "Hall") blocks only when it is capitalised mid-sentence right
  after a role, relation, title or verb cue. A lexicon name in a list with a blocking name blocks.

Warnings (to review; they do not stop publication):

- PERSON: any other capitalised lexicon name; a capitalised word that is not in the lexicon in a
  person context; an ordinary-word name in an after-cue ("Grace was lovely").
- DIGIT_RUN: 9-13 digits without a cue or a UK shape (a mistyped phone, or a reference number).
- LOCATION: a surgery, practice, pharmacy, care home or school named by a street or village
  ("Thorpe Road Surgery"): whether such places are published is the project's choice (the
  detector hides them by default); the allow list silences one that is meant to be named.

Never candidates: acronyms of up to four capitals (TIA, CPN), role words and titles, English
function words except a first name right after a strong cue ("my son Will"), placeholders
(``[PERSON_3]``), anything on the allow list or inside an allowed phrase ("James Paget"), kin words
used as names ("Mum said").

Example:
    >>> from engagement.privacy.lexicon import AllowList
    >>> [(c.type, c.reason, c.blocking) for c in find_candidates("and so was Priya on reception", AllowList())]
    [('PERSON', 'name-lexicon word before a person cue (on reception)', True)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engagement.privacy import patterns as pp
from engagement.privacy.lexicon import AllowList, NameLexicon, load_lexicon

try:
    from spacy.lang.en.stop_words import STOP_WORDS as _STOP_WORDS   # a word list only: no model is loaded
except ImportError:  # pragma: no cover - spaCy is a dependency
    _STOP_WORDS = frozenset({"he", "she", "as", "more", "were", "will", "may", "so", "do", "an", "can"})

_I = re.IGNORECASE


@dataclass(frozen=True)
class Candidate:
    """One suspected personal detail in a text: offsets, type, reason, and whether it blocks."""

    start: int
    end: int
    type: str
    reason: str
    blocking: bool


# ---- shapes
_EMAIL = re.compile(r"(?<![\w.+\-@])[A-Za-z0-9][\w.%+'\-]*@[A-Za-z0-9](?:[\w\-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[\w\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w@])")
_POSTCODE = re.compile(r"(?<![\w\-/])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)[ \t]*\d[ABD-HJLNP-UW-Z]{2}(?![\w\-/])")
_HOSPITAL = re.compile(r"(?<![\w\-/])[A-Z]{3}[ \t\-]?\d{7}(?![\w\-/])")
_VEHICLE = re.compile(r"(?<![\w\-/])[A-HJ-PR-Y][A-HJ-PR-Y]\d{2}[ \t]?[A-HJ-PR-Z]{3}(?![\w\-/])")
_STREET = r"(?:Road|Rd|Street|St|Lane|Avenue|Ave|Close|Drive|Way|Crescent|Grove|Hill|Green|Park|Square|Terrace|Gardens)"
_SERVICE = (r"(?:Surgery|Medical[ \t]+(?:Practice|Centre|Center|Group)|Health[ \t]+Centre|Practice|Pharmacy|Chemist|"
            r"Care[ \t]+Home|Nursing[ \t]+Home|Residential[ \t]+Home|(?:Primary|Junior|Infant|High|Secondary)?[ \t]*School|"
            r"Dental[ \t]+(?:Practice|Surgery)|Clinic)")
_NAMED_SERVICE = re.compile(rf"(?<![\w'])(?:{pp.UP}{pp.LETTER}+[ \t]+){{1,2}}(?:{_STREET}[ \t]+)?{_SERVICE}\b")
_NI = re.compile(r"(?<![\w\-/])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
                 r"[ \t]?\d{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?[A-D](?![\w\-/])")
# digits with single separators (space, dash, dot between groups, brackets), optionally after +44
_DIGITS = re.compile(r"(?<![\w.,/£$€%+\-])(?:\+[ \t]?44[ \t\-]?(?:\(0\)[ \t]?)?|\(0?)?\d(?:[ \t\-]?\(?\d\)?){5,15}"
                     r"(?!\w|,\d|\.\d|%)")
_PHONE_CUE = re.compile(r"(?:\b(?:ring|call|text|phone|contact|reach|whatsapp)(?:ed|ing|s)?\b(?:[ \t]+me)?[ \t]+"
                        r"(?:on|at)\b|\bnumber(?:[ \t]+is|'s)?|\bmobile|\bmob\b|\blandline|\btel\b\.?|\bphone"
                        r"|\bcontact[ \t]+(?:no|number|details)|\bmy[ \t]+no\b\.?)[^.\n]{0,16}$", _I)
_RECORD_CUE = re.compile(r"\b(?:hospital|patient|unit|case|record|medical)[ \t]+(?:number|no\b\.?|#|id)"
                         r"|\bmrn\b|\bnhs[ \t]*(?:number|no\b\.?)[^.\n]{0,12}$", _I)
_RECORD_DIGITS = re.compile(r"(?<![\w.,/£$€%+\-])\d(?:[ \t\-]?\d){5,9}(?!\w|,\d|\.\d|%)")


def _nhs_ok(digits: str) -> bool:
    if len(digits) != 10:
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _uk_phone(raw: str, digits: str) -> bool:
    if raw.lstrip().startswith("+"):
        nsn = digits[2:]
    elif digits.startswith("0"):
        nsn = digits[1:]
    else:
        return False
    return nsn[:1] in "12378" and len(nsn) in (9, 10) if nsn else False


def _shape_candidates(text: str) -> list[Candidate]:
    out = [Candidate(m.start(), m.end(), "EMAIL", "e-mail address shape", True) for m in _EMAIL.finditer(text)]
    out += [Candidate(m.start(), m.end(), "POSTCODE", "UK postcode shape", True) for m in _POSTCODE.finditer(text)]
    out += [Candidate(m.start(), m.end(), "HOSPITAL_NUMBER", "three letters and seven digits (hospital number shape)",
                      True) for m in _HOSPITAL.finditer(text)]
    out += [Candidate(m.start(), m.end(), "NI_NUMBER", "National Insurance number shape", True)
            for m in _NI.finditer(text)]
    out += [Candidate(m.start(), m.end(), "VEHICLE_REG", "UK vehicle registration shape", True)
            for m in _VEHICLE.finditer(text)]
    out += [Candidate(m.start(), m.end(), "LOCATION", "surgery, pharmacy, care home or school named by a place",
                      False) for m in _NAMED_SERVICE.finditer(text) if not _GENERIC_SERVICE.match(m.group())]
    for m in _DIGITS.finditer(text):
        raw = m.group()
        digits = re.sub(r"\D", "", raw)
        if not 9 <= len(digits) <= 13:
            continue
        before = text[max(0, m.start() - 40):m.start()]
        if _nhs_ok(digits):
            out.append(Candidate(m.start(), m.end(), "NHS_NUMBER", "ten digits with a valid NHS check digit", True))
        elif _uk_phone(raw, digits):
            out.append(Candidate(m.start(), m.end(), "PHONE", "UK phone number shape", True))
        elif _PHONE_CUE.search(before):
            out.append(Candidate(m.start(), m.end(), "PHONE", f"{len(digits)}-digit run after a phone cue", True))
        elif _RECORD_CUE.search(before):
            out.append(Candidate(m.start(), m.end(), "HOSPITAL_NUMBER", "digit run after a record-number cue", True))
        else:
            out.append(Candidate(m.start(), m.end(), "DIGIT_RUN", f"{len(digits)}-digit run without a cue", False))
    covered = [(c.start, c.end) for c in out]
    for m in _RECORD_DIGITS.finditer(text):
        if any(s <= m.start() < e for s, e in covered):
            continue
        if _RECORD_CUE.search(text[max(0, m.start() - 40):m.start()]):
            out.append(Candidate(m.start(), m.end(), "HOSPITAL_NUMBER", "digit run after a record-number cue", True))
    return out


_GENERIC_SERVICE = re.compile(r"^(?:(?:The|My|Our|Your|His|Her|Their|A|Local|GP|NHS|Dental|Doctors?|Community|"
                              r"Village|Town|City|Private|Same|Every|Each|That|This|Other|New|Old|Any|Pharmacy|"
                              r"Medical|Health|Day|Minor|Eye|Walk-in|Walk|Children's|Main|Outpatient|Out-patient|"
                              r"Specialist|Mental|Sexual|Cancer|Orthopaedic|Plastic|Keyhole|Heart|Weight|Dental|"
                              r"Oral|Foot|Skin|Baby|Maternity|Emergency|Urgent|Primary|Secondary|High|Junior|Infant|"
                              r"Special|Sunday|Nursery|Grammar|State|Boarding|Online|High[ \t]+Street)[ \t]+)+\S+$")


# ---- names
_TOKEN = re.compile(rf"(?:O['\u2019]|Mc|Mac)?{pp.UP}{pp.LETTER}+(?:['\u2019](?!(?:s|d|m|ll|ve|re|t)\b){pp.LETTER}+"
                    rf"|-{pp.UP}{pp.LETTER}+)*")
_ROLES = ("neighbour", "neighbor", "neighbours", "receptionist", "nurse", "doctor", "gp", "consultant", "carer",
          "friend", "colleague", "midwife", "physio", "physiotherapist", "pharmacist", "surgeon", "paramedic",
          "health visitor", "social worker", "key worker", "manager", "boss", "dentist", "optician", "registrar",
          "therapist", "counsellor", "care coordinator", "support worker", "district nurse", "practice nurse",
          "son", "daughter", "husband", "wife", "partner", "mum", "mother", "dad", "father", "brother", "sister",
          "cousin", "niece", "nephew", "aunt", "auntie", "uncle", "grandson", "granddaughter", "nan", "gran",
          "grandma", "grandad", "stepson", "stepdaughter", "fiance", "fiancee", "girlfriend", "boyfriend",
          "lodger", "landlord", "landlady", "flatmate", "mate", "pal", "kids", "children", "child", "boy", "girl",
          "lad", "baby", "twin", "lady", "man", "woman", "gentleman", "guy", "chap", "fella", "bloke", "ot", "hca",
          "cpn", "occupational therapist", "care assistant", "health care assistant", "healthcare assistant",
          "psychiatrist", "psychologist", "driver", "porter", "cleaner", "volunteer", "officer", "worker",
          "advisor", "adviser", "call handler", "handler", "operator", "sonographer", "radiographer", "phlebotomist")
_TITLES = r"(?:dr|doctor|mr|mrs|ms|miss|mx|prof|professor|nurse|sister|matron|sir|dame|nurse[ \t]+practitioner)"
_ROLE_RE = "|".join(r.replace(" ", r"[ \t]+") for r in _ROLES)
_BEFORE = [
    (re.compile(rf"\b(?:my|our|your|his|her|their|the|a|an|this|one)[ \t]+(?:[a-z]+[ \t]+)?"
                rf"(?:{_ROLE_RE}),?[ \t]+$", _I), "role or relation", True),
    (re.compile(rf"\b{_TITLES}\.?[ \t]+$", _I), "title", True),
    (re.compile(r"\b(?:ask(?:ed|ing|s)?|asking)[ \t]+for[ \t]+$", _I), "ask for", True),
    (re.compile(r"\b(?:ring|rang|call|phone|phoned|text|texted|email|emailed|contact|contacted)[ \t]+$", _I),
     "ring or call", True),
    (re.compile(r"\b(?:spoke|speak|speaking|spoken|talked|talk|talking|chatted)[ \t]+(?:to|with)[ \t]+$", _I),
     "speak to", True),
    (re.compile(r"\b(?:called|named|name[ \t]+is|name's|known[ \t]+as)[ \t]+$", _I), "called or named", True),
    (re.compile(r"\b(?:thanks|thank[ \t]+you|cheers|dear|hi|hello|hiya)[ \t]*,?[ \t]+(?:to[ \t]+)?$", _I),
     "thanks or greeting", True),
    (re.compile(r"\b(?:seen|saw|see|seeing)[ \t]+(?:by[ \t]+)?$", _I), "seen by", False),
]
_GOOD = (r"lovely|brilliant|great|amazing|fantastic|kind|helpful|rude|wonderful|excellent|fab|fabulous|caring|nice|"
         r"friendly|superb|outstanding|marvellous|professional|reassuring|polite|unhelpful|dismissive|patient|"
         r"brill|awesome|a[ \t]+star|an[ \t]+angel|a[ \t]+credit|the[ \t]+best|so[ \t]+good|very[ \t]+good")
_AFTER = [
    (re.compile(r"^,?[ \t]+(?:on|at|from|in|on[ \t]+the|at[ \t]+the|from[ \t]+the|in[ \t]+the)[ \t]+"
                r"(?:reception|front[ \t]+desk|desk|surgery|practice|pharmacy|ward|switchboard|helpline|clinic|"
                r"office|hospital|gp|team)\b", _I), "on reception / from the surgery"),
    (re.compile(rf"^,?[ \t]+(?:who[ \t]+)?(?:was|is|were|has[ \t]+been|had[ \t]+been|'s)[ \t]+"
                rf"(?:(?:so|very|really|absolutely|just|extremely|always|truly|incredibly)[ \t]+)?(?:{_GOOD})\b", _I),
     "was lovely"),
    (re.compile(r"^,?[ \t]+(?:said|told|says|tells|asked|explained|rang|phoned|called|texted|emailed|helped|"
                r"looked[ \t]+after|reassured|listened|came[ \t]+(?:round|over|in)|took[ \t]+my|gave[ \t]+me)\b", _I),
     "said or rang"),
    (re.compile(r"^['\u2019]s[ \t]+(?:(?:little|eldest|youngest|new|old|late|oldest|other)[ \t]+)?(?:husband|wife|"
                r"partner|mum|mother|dad|father|son|daughter|boy|girl|kids|children|house|flat|place|carer|nurse|"
                r"brother|sister|baby|friend|dog|funeral|wedding)\b", _I), "possessive of kin or home"),
]
_ROLE_WORD = re.compile(rf"^(?:{_TITLES}|{_ROLE_RE})$", _I)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"\u201c\u2018(\[\-\u2013\u2014*#>|]\s*|\n\s*)$")


def _masked(text: str, allow: AllowList) -> str:
    """``text`` with placeholders and allowed terms blanked (same offsets)."""
    chars = list(text)
    spans = [m.span() for m in pp.PLACEHOLDER_RE.finditer(text)] + allow.spans(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _name_candidates(text: str, lex: NameLexicon) -> list[Candidate]:
    out: list[Candidate] = []
    tokens = list(_TOKEN.finditer(text))
    taken: set[int] = set()
    for i, m in enumerate(tokens):
        if i in taken:
            continue
        word = m.group()
        if len(word) < 2 or (word.isupper() and len(word) <= 4) or _ROLE_WORD.match(word):
            continue   # acronyms (TIA, CPN), roles and titles are not names
        before = text[max(0, m.start() - 60):m.start()]
        after = text[m.end():m.end() + 60]
        start_of_sentence = bool(_SENTENCE_START.search(before))
        name, ordinary = lex.is_name(word), lex.is_ordinary(word)
        function_word = word.lower() in _STOP_WORDS
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        # a first name and a surname, neither an ordinary word, not the start of a place's name
        if (name and not ordinary and lex.is_first(word) and nxt is not None
                and text[m.end():nxt.start()] in (" ", "\t") and lex.is_surname(nxt.group())
                and not lex.is_ordinary(nxt.group())):
            follow = text[nxt.end():nxt.end() + 30]
            if re.match(rf"^[ \t]+{pp.UP}", follow) and lex.is_ordinary(re.match(r"^[ \t]+(\S+)", follow).group(1)
                                                                         .strip(".,;:!?")):
                out.append(Candidate(m.start(), nxt.end(), "PERSON", "full name before a place word", False))
            else:
                out.append(Candidate(m.start(), nxt.end(), "PERSON", "first name and surname from the name lexicon",
                                     True))
            taken.add(i + 1)
            continue
        cue_before = next(((why, strong) for rx, why, strong in _BEFORE if rx.search(before)), None)
        cue_after = next((why for rx, why in _AFTER if rx.search(after)), None)
        if function_word:   # "He said", "Will you": only a mid-sentence capital after a strong cue
            if lex.is_first(word) and len(word) > 2 and cue_before and cue_before[1] and not start_of_sentence:
                out.append(Candidate(m.start(), m.end(), "PERSON", f"name that is also a word, after a person cue "
                                     f"({cue_before[0]})", True))
            continue
        if name and not ordinary:
            if cue_before and (cue_before[1] or not start_of_sentence):
                out.append(Candidate(m.start(), m.end(), "PERSON", f"name-lexicon word after a person cue "
                                     f"({cue_before[0]})", True))
            elif cue_after:
                out.append(Candidate(m.start(), m.end(), "PERSON", f"name-lexicon word before a person cue "
                                     f"({cue_after})", True))
            elif not start_of_sentence or not word[1:].islower():
                out.append(Candidate(m.start(), m.end(), "PERSON", "capitalised name-lexicon word", False))
            else:
                out.append(Candidate(m.start(), m.end(), "PERSON", "name-lexicon word at a sentence start", False))
        elif name and ordinary:
            if cue_before and cue_before[1] and not start_of_sentence:
                out.append(Candidate(m.start(), m.end(), "PERSON", f"name that is also a word, after a person cue "
                                     f"({cue_before[0]})", True))
            elif cue_before or cue_after:
                out.append(Candidate(m.start(), m.end(), "PERSON", "name that is also a word, near a person cue",
                                     False))
        elif not ordinary and not start_of_sentence and cue_before and cue_before[0] == "title":
            out.append(Candidate(m.start(), m.end(), "PERSON", "capitalised word after a title", True))
        elif not ordinary and not start_of_sentence and (cue_before or cue_after):
            why = cue_before[0] if cue_before else cue_after
            out.append(Candidate(m.start(), m.end(), "PERSON", f"capitalised word near a person cue ({why})", False))
    return _lists(text, out)


_LIST_GAP = re.compile(r"^[ \t]*(?:,[ \t]*(?:(?:and|&)[ \t]+)?|[ \t]+(?:and|&|or)[ \t]+)$")
_LISTABLE = ("capitalised name-lexicon word", "name-lexicon word at a sentence start")


def _lists(text: str, found: list[Candidate]) -> list[Candidate]:
    """A lexicon name in a list with a blocking name blocks too ("Sarah and Tom were lovely")."""
    changed = True
    while changed:
        changed = False
        for i in range(len(found) - 1):
            a, b = found[i], found[i + 1]
            if a.blocking == b.blocking or not _LIST_GAP.match(text[a.end:b.start]):
                continue
            weak = i if b.blocking else i + 1
            if found[weak].reason in _LISTABLE:
                c = found[weak]
                found[weak] = Candidate(c.start, c.end, c.type, "name-lexicon word in a list with a name", True)
                changed = True
    return found


def find_candidates(text: str, allow: AllowList, lexicon: NameLexicon | None = None) -> list[Candidate]:
    """Every independent signal in ``text``, in order; placeholders and allowed terms are skipped."""
    masked = _masked(text, allow)
    found = _shape_candidates(masked) + _name_candidates(masked, lexicon or load_lexicon())
    return sorted(found, key=lambda c: (c.start, -c.end))
