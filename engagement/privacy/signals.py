"""Signals of personal data that do not depend on the de-identification detector.

The leak check must find what the detector missed, so nothing here calls it: each signal is a
shape or a word list with its own, simpler rules, and reports a :class:`Candidate` with a type,
a reason, and whether it blocks publication. The value itself is never kept.

Blocking (high confidence):

- EMAIL: an e-mail address shape.
- POSTCODE: a full UK postcode shape (outward and inward code, capitals).
- NHS_NUMBER: ten digits with a valid NHS check digit.
- PHONE: a run of 9-13 digits (spaces, dashes, brackets, +44, +44 (0)) that is a UK number shape
  (0 or +44, then 9-10 digits starting 1, 2, 3, 7 or 8), or any such run after a phone cue
  ("ring me on", "my number is", "mobile", "landline"): mistyped numbers too.
- HOSPITAL_NUMBER, NI_NUMBER, VEHICLE_REG: the shapes (three capitals and seven digits; two
  letters, six digits and A-D; "AB12 CDE"), and any code of letters and digits in any case and
  with any separators right after its cue ("MRN -", "patient number on the letter was:",
  "NI no.", "my car reg is").
- PERSON, by a person context:
  a capitalised word right after a title ("Dr Omonori") or a role or relation mid-sentence
  ("my neighbour Qing");
  a name-lexicon word after a role or relation ("the OT Lisa", "the nurse there was X"), "ask
  for", "ring", "speak to", "called", "thanks", "sorry", "me, X", or (mid-sentence) "asked",
  "told", "seen by"; or before "on reception", "from the surgery", "from next door", "was
  lovely", "said", "mentioned", "'s husband", or addressed ("X, what did you put?");
  a lexicon first name followed by a lexicon surname ("Sarah Jenkins");
  a lexicon name in a list with a blocking name, or three lexicon names in a list.
  A lexicon name that is also an ordinary word ("Will", "Grace", "Heather") needs a stronger
  context: capitalised mid-sentence after a role, relation, title or verb cue, or before "on
  reception"; never right after another capitalised word ("Park House").

Warnings (to review; they do not stop publication):

- PERSON: any other capitalised lexicon name; a capitalised word that is not in the lexicon near
  a person cue; an ordinary-word name near a cue ("Grace was lovely" at a sentence start).
- DIGIT_RUN: 9-13 digits without a cue or a UK shape (a mistyped phone, or a reference number).
- LOCATION: a surgery, practice, pharmacy, care home or school named by a street or village
  ("Thorpe Road Surgery"): whether such places are published is the project's choice (the
  detector hides them by default); the allow list silences one that is meant to be named.

Never candidates: acronyms of up to four capitals (TIA, CPN), role words and titles, English
function words except a first name in a strong context ("my son Will", "Will on reception"),
conditions and statistics named after people (Parkinson's, Cohen's h), placeholders
(``[PERSON_3]``), anything on the allow list or inside an allowed phrase ("James Paget"), kin
words used as names ("Mum said").

Example:
    >>> from engagement.privacy.lexicon import AllowList
    >>> [(c.type, c.reason, c.blocking) for c in find_candidates("and so was Priya on reception", AllowList())]
    [('PERSON', 'name-lexicon word before a person cue (on reception / from the surgery)', True)]
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
                        r"|\bcontact[ \t]+(?:no|number|details)|\bmy[ \t]+no\b\.?)[^.\n]{0,30}$", _I)
_RECORD_CUE = re.compile(r"\b(?:hospital|patient|unit|case|record|medical)[ \t]+(?:number|no\b\.?|#|id)"
                         r"|\bmrn\b|\bnhs[ \t]*(?:number|no\b\.?)[^.\n]{0,12}$", _I)
# an identifier after its cue, in any case and with any separators: "my car reg is: E760 XCT"
_ID_CUES = [
    (re.compile(r"(?:\b(?:car|vehicle|number)[ \t]+(?:reg(?:istration)?|plate)|\breg(?:istration)?(?:[ \t]+(?:no|number|"
                r"plate))?|\bnumber[ \t]+plate|\bplate)\b", _I), "VEHICLE_REG"),
    (re.compile(r"\b(?:ni|nino|national[ \t]+insurance)(?:[ \t]+(?:no\b\.?|number|num\b))?", _I), "NI_NUMBER"),
    (re.compile(r"\b(?:mrn|(?:hospital|patient|unit|case|record|medical[ \t]+record)[ \t]+(?:number|no\b\.?|num\b|"
                r"id\b))", _I), "HOSPITAL_NUMBER"),
]
_ID_GAP = re.compile(r"(?:['\u2019]s)?(?:[ \t]+(?:on|in|from)[ \t]+(?:the|my|your|his|her|their)[ \t]+(?:letter|card|form|"
                     r"wristband|band|record|notes|system|app))?[ \t]*(?:(?:is|was|were|are|=|:|-|\u2013|#)[ \t]*){0,3}", _I)
_NI_VALUE = re.compile(r"[A-Za-z]{2}[ \t\-]?\d{2}[ \t\-]?\d{2}[ \t\-]?\d{2}(?:[ \t\-]?[A-Da-d](?![A-Za-z]))?(?![\w])")
_CHUNK = re.compile(r"[A-Za-z0-9]+")
_NOT_CODE = frozenset("i a if on in is it at to my me we so or the and you can not but was are for of".split())
_MIN_DIGITS = {"VEHICLE_REG": 1, "NI_NUMBER": 6, "HOSPITAL_NUMBER": 5}
_MIN_LETTERS = {"VEHICLE_REG": 1}     # every UK plate has letters: "vehicle reg: 2" (a count) is none


def _id_value(text: str, pos: int, kind: str) -> int | None:
    """The end of a code (chunks of letters and digits, one separator apart) starting at ``pos``."""
    end, digits, letters, last_digit = None, 0, 0, False
    while True:
        m = _CHUNK.match(text, pos)
        if not m:
            break
        chunk = m.group()
        if not any(ch.isdigit() for ch in chunk):
            short_suffix = last_digit and len(chunk) == 1 and chunk.lower() in "abcd"
            if not short_suffix and (len(chunk) > 3 or chunk.lower() in _NOT_CODE):
                break
        digits += sum(ch.isdigit() for ch in chunk)
        letters += sum(ch.isalpha() for ch in chunk)
        last_digit = any(ch.isdigit() for ch in chunk)
        end = m.end()
        if end - pos > 16 or not (text[end:end + 1] in (" ", "\t", "-") and _CHUNK.match(text, end + 1)):
            break
        pos = end + 1
    return end if end is not None and digits >= _MIN_DIGITS[kind] and letters >= _MIN_LETTERS.get(kind, 0) else None




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
        nsn = nsn[1:] if nsn.startswith("0") else nsn   # +44 (0)1223 ...
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
    for rx, kind in _ID_CUES:
        for cue in rx.finditer(text):
            start = _ID_GAP.match(text, cue.end()).end()
            ni = _NI_VALUE.match(text, start) if kind == "NI_NUMBER" else None
            end = ni.end() if ni else _id_value(text, start, kind)
            if end is not None and not any(c.start < end and start < c.end for c in out):
                out.append(Candidate(start, end, kind, "identifier after its cue", True))
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
# cues before a name: (pattern, reason, level); "strong" lets a name that is also a word block
_BEFORE = [
    (re.compile(rf"\b(?:my|our|your|his|her|their|the|a|an|this|one)[ \t]+(?:[a-z]+[ \t]+)?"
                rf"(?:{_ROLE_RE}),?[ \t]+$", _I), "role or relation", "strong"),
    (re.compile(rf"\b{_TITLES}\.?[ \t]+$", _I), "title", "strong"),
    (re.compile(rf"\b(?:the|my|our|a|an|his|her|their)[ \t]+(?:{_ROLE_RE})(?:[ \t]+(?:there|then|that[ \t]+day|"
                rf"at[ \t]+the[ \t]+time|on[ \t]+duty|in[ \t]+charge|on[ \t]+reception))?[ \t]+(?:was|is|were)[ \t]+$",
                _I), "role was", "strong"),
    (re.compile(r"\b(?:ask(?:ed|ing|s)?|asking)[ \t]+for[ \t]+$", _I), "ask for", "verb"),
    (re.compile(r"\b(?:ring|rang|call|phone|phoned|text|texted|email|emailed|contact|contacted)[ \t]+$", _I),
     "ring or call", "verb"),
    (re.compile(r"\b(?:spoke|speak|speaking|spoken|talked|talk|talking|chatted)[ \t]+(?:to|with)[ \t]+$", _I),
     "speak to", "verb"),
    (re.compile(r"\b(?:called|named|name[ \t]+is|name's|known[ \t]+as)[ \t]+$", _I), "called or named", "verb"),
    (re.compile(r"\b(?:thanks|thank[ \t]+you|cheers|dear|hi|hello|hiya|sorry|bye|morning|evening)[ \t]*,?[ \t]+"
                r"(?:to[ \t]+)?$", _I), "thanks, greeting or address", "verb"),
    (re.compile(r"\b(?:me|us|myself)[ \t]*,[ \t]+$", _I), "me and a list", "strong"),
    (re.compile(r"\b(?:asked|told|thanked|met|visited|messaged|warned|reminded|showed|gave|sent|seen[ \t]+by|saw|"
                r"see)[ \t]+$", _I),
     "asked, told or seen by", "weak"),
]
_GOOD = (r"lovely|brilliant|great|amazing|fantastic|kind|helpful|rude|wonderful|excellent|fab|fabulous|caring|nice|"
         r"friendly|superb|outstanding|marvellous|professional|reassuring|polite|unhelpful|dismissive|patient|"
         r"brill|awesome|a[ \t]+star|an[ \t]+angel|a[ \t]+credit|the[ \t]+best|so[ \t]+good|very[ \t]+good|"
         r"good[ \t]+with|shocked|surprised|lovely[ \t]+about")
_INTENSIFIERS = r"(?:all|both|so|very|really|absolutely|just|extremely|always|truly|incredibly|ever|such|super|also)"
# cues after a name: (pattern, reason, level)
_AFTER = [
    (re.compile(r"^,?[ \t]+(?:on|at|from|in|on[ \t]+the|at[ \t]+the|from[ \t]+the|in[ \t]+the)[ \t]+"
                r"(?:reception|front[ \t]+desk|desk|surgery|practice|pharmacy|switchboard|helpline|clinic|"
                r"office|gp|team)\b|^,?[ \t]+(?:on|from|in)[ \t]+the[ \t]+ward\b|^[ \t]+(?:from|at|down|over|across)[ \t]+(?:next[ \t]+door|church|work|the[ \t]+council|"
                r"the[ \t]+mosque|the[ \t]+temple|the[ \t]+gurdwara|the[ \t]+road|the[ \t]+street|number[ \t]+\d+)\b", _I),
     "on reception / from the surgery", "place"),
    (re.compile(rf"^,?[ \t]+(?:who[ \t]+)?(?:was|is|were|are|has[ \t]+been|had[ \t]+been|'s)[ \t]+"
                rf"(?:{_INTENSIFIERS}[ \t]+){{0,3}}(?:{_GOOD})\b", _I), "was lovely", "praise"),
    (re.compile(rf"^,?[ \t]+(?:{_INTENSIFIERS}[ \t]+)?(?:said|told|says|tells|asked|asks|explained|mentioned|reckoned|"
                r"reckons|thinks|thought|agreed|agrees|suggested|recommended|reminded|wrote|rang|phoned|called|"
                r"texted|emailed|helped|looked[ \t]+after|reassured|listened|sorted|arranged|booked|"
                r"came[ \t]+(?:round|over|in)|took[ \t]+my|gave[ \t]+me|was[ \t]+saying|made[ \t]+a[ \t]+point)\b", _I),
     "said or rang", "speech"),
    (re.compile(r"^['\u2019]s[ \t]+(?:(?:little|eldest|youngest|new|old|late|oldest|other)[ \t]+)?(?:husband|wife|"
                r"partner|mum|mother|dad|father|son|daughter|boy|girl|kids|children|house|flat|place|carer|nurse|"
                r"brother|sister|baby|friend|dog|funeral|wedding)\b", _I), "possessive of kin or home", "speech"),
    (re.compile(r"^,[ \t]+(?:what|did|do|can|could|would|will|are|have|how|where|when|why|i|you|we|thanks|thank|"
                r"cheers|sorry|please|yes|no|right|go)\b", _I), "addressed by name", "vocative"),
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
        before_cue = next(((why, level) for rx, why, level in _BEFORE if rx.search(before)), None)
        after_cue = next(((why, level) for rx, why, level in _AFTER if rx.search(after)), None)
        mid = not start_of_sentence
        strong = before_cue is not None and before_cue[1] != "weak"
        if after_cue and after_cue[1] == "vocative" and not lex.is_first(word):
            after_cue = None
        reason = None
        if function_word:   # "He said", "Will you": only a first name mid-sentence after a strong cue
            if lex.is_first(word) and len(word) > 2 and strong and mid:
                reason = f"name that is also a word, after a person cue ({before_cue[0]})"
            elif lex.is_first(word) and len(word) > 2 and after_cue and after_cue[1] == "place":
                reason = f"name that is also a word, before a person cue ({after_cue[0]})"
            if reason:
                out.append(Candidate(m.start(), m.end(), "PERSON", reason, True))
            continue
        if name and not ordinary:
            if before_cue and (strong or mid):
                reason = f"name-lexicon word after a person cue ({before_cue[0]})"
            elif after_cue:
                reason = f"name-lexicon word before a person cue ({after_cue[0]})"
            warning = "capitalised name-lexicon word" if mid or not word[1:].islower() else \
                "name-lexicon word at a sentence start"
        elif name:
            # "Park House was excellent": an ordinary word after a capitalised one is part of a place's name
            prev = tokens[i - 1] if i else None
            in_a_name = prev is not None and text[prev.end():m.start()] == " " and not _ROLE_WORD.match(prev.group())
            if in_a_name:
                after_cue = None
            if strong and mid:
                reason = f"name that is also a word, after a person cue ({before_cue[0]})"
            elif after_cue and (after_cue[1] == "place" or (mid and after_cue[1] == "praise")):
                reason = f"name that is also a word, before a person cue ({after_cue[0]})"
            warning = "name that is also a word, near a person cue" if before_cue or after_cue else None
        elif not ordinary and mid:
            if before_cue and before_cue[0] in ("title", "role or relation", "role was"):
                reason = f"capitalised word right after a person cue ({before_cue[0]})"
            elif after_cue and after_cue[1] == "place":
                reason = f"capitalised word before a person cue ({after_cue[0]})"
            warning = f"capitalised word near a person cue ({(before_cue or after_cue)[0]})" \
                if before_cue or after_cue else None
        else:
            warning = None
        if reason or warning:
            out.append(Candidate(m.start(), m.end(), "PERSON", reason or warning, bool(reason)))
    return _lists(text, out)


_LIST_GAP = re.compile(r"^[ \t]*(?:,[ \t]*(?:(?:and|&)[ \t]+)?|[ \t]+(?:and|&|or)[ \t]+)$")
_LISTABLE = ("capitalised name-lexicon word", "name-lexicon word at a sentence start")


def _lists(text: str, found: list[Candidate]) -> list[Candidate]:
    """A lexicon name in a list with a blocking name blocks too ("Sarah and Tom were lovely"), and
    three lexicon names in a list block together ("Kofi, Sanjay and Sinéad have the same worry")."""
    run: list[int] = []
    for i, c in enumerate(found + [None]):
        listed = c is not None and c.reason in _LISTABLE
        if listed and run and _LIST_GAP.match(text[found[run[-1]].end:c.start]):
            run.append(i)
            continue
        if len(run) >= 3:
            for j in run:
                found[j] = Candidate(found[j].start, found[j].end, "PERSON", "three or more lexicon names in a list",
                                     True)
        run = [i] if listed else []
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
