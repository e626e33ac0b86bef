"""Places known by what is said around them, for de-identification.

A street, a village, a care home or a small employer is no identifier by its shape: "Mill Road" is
a road in every town. What makes it one is the sentence it sits in: where someone lives ("we live
off Mardle Loke in Little Ashfold"), where they are cared for ("Dad moved into Oak Lodge"), where
they work ("I'm on the tills at Barnaby's Farm Shop"), a house known by its name ("Bramble End,
Mill Road"), and the practices, pharmacies and schools named by a street or a village. Towns in the
gazetteer, countries and big employers name no one and stay. The identifiers known by their shape
(phones, NHS numbers, postcodes, dates) are in :mod:`engagement.privacy.patterns`, which re-exports
these finders.

Example:
    >>> text = "We live off Mardle Loke in Little Ashfold. The hospital is on Hills Road."
    >>> sorted({text[s.start:s.end] for s in find_addresses(text)})
    ['Little Ashfold', 'Mardle Loke']
"""

from __future__ import annotations

import re
from typing import Iterator

from engagement.privacy.tokens import APOS, LETTER, STREET_WORD, UP, Span, fold
from engagement.privacy.wordlists import (
    FACILITY_GENERIC, FACILITY_SUFFIXES, KIN_WORDS, MONTHS, NER_NON_NAMES, NON_NAME_WORDS, RELATIONS, STREET_SUFFIXES,
    STREET_TYPES, UK_PLACES,
)

# ---------------------------------------------------------------------------------------------
# Street addresses: a house number and a street ("14 Mill Road", "Flat 2, 9a Church Lane").
ADDRESS_RE = re.compile(
    rf"(?:(?:Flat|Apartment|Apt|Unit|Room)[ \t]+\d{{1,4}}[A-Za-z]?,?[ \t]+)?(?<![\w£$.,/])\d{{1,4}}[A-Za-z]?"
    # at most two spaces after the number: a table's row number padded out to a column of text is no address
    rf"(?:[ \t]*[-\u2013][ \t]*\d{{1,4}})?,?[ \t]{{1,2}}(?:(?:{STREET_WORD}[ \t]+){{1,3}}(?:{'|'.join(STREET_TYPES)})"
    rf"|{UP}[a-z]+(?:{'|'.join(STREET_SUFFIXES)}))\b")
ADDRESS_LOWER_RE = re.compile(
    r"\b(?:live|lives|living|lived|address is|address was|moved to|round at|house on|home is|staying at)[ \t]+"
    r"(?:at[ \t]+)?(?:number[ \t]+)?(?P<addr>\d{1,4}[a-z]?,?[ \t]+(?:[a-z'\u2019]+[ \t]+){1,3}"
    rf"(?:{'|'.join(t.lower() for t in STREET_TYPES)}))\b", re.IGNORECASE)

#: a house known by its name, then its street: "Bramble End, Mill Road", "Rosemary Cottage, Chapel Lane"
HOUSE_NAME_RE = re.compile(
    rf"(?<![\w]){STREET_WORD}(?:[ \t]+{STREET_WORD}){{0,2}}[ \t]*,[ \t]*(?:{STREET_WORD}[ \t]+){{1,3}}"
    rf"(?:{'|'.join(STREET_TYPES)})\b")
_HOUSE_WORDS = frozenset("end cottage cottages house farm farmhouse lodge barn barns view villa hall mill grange croft "
                         "bungalow manor rectory vicarage orchard nook corner rise gate gates lea leys".split())


#: street types as said, not abbreviated: "Bury St Edmunds" is no street
_SPOKEN_STREET_TYPES = tuple(t for t in STREET_TYPES if t not in ("St", "Rd", "Ln", "Ave"))
#: a street named in a sentence about where someone lives: "I'm in the flats above the launderette on
#: Lowestoft Road", "my letters go to my old house off Church Lane"
STREET_NAMED_RE = re.compile(rf"\b(?i:on|off|in|along|down|up|of|near|by|behind|opposite)[ \t]+(?:(?i:the)[ \t]+)?"
                             rf"(?P<street>(?:{STREET_WORD}[ \t]+){{1,3}}(?:{'|'.join(_SPOKEN_STREET_TYPES)}))\b")
RESIDENCE_CUE_RE = re.compile(rf"\b(?:I{APOS}m|I[ \t]+am|[Ww]e{APOS}re|[Ww]e[ \t]+are|live|lives|living|lived|flat|flats|"
                              r"house|bungalow|cottage|home|address|moved)\b[^.!?;\n]*$")
#: a residence or care home named where someone is: "She's in Meadowsweet House", "Dad moved into Oak Lodge"
_KIN_S = rf"(?:{'|'.join(sorted({r.replace(' ', '[ ' + chr(92) + 't]+') for r in RELATIONS}, key=len, reverse=True))}){APOS}s"
RESIDENCE_RE = re.compile(
    rf"\b(?i:she{APOS}s|he{APOS}s|they{APOS}re|I{APOS}m|we{APOS}re|lives|living|lived|moved|{_KIN_S})"
    rf"(?:[ \t]+(?i:now|still|just|been))?[ \t]+(?i:in|into|at)[ \t]+"
    rf"(?P<place>(?:{STREET_WORD}[ \t]+){{1,3}}(?:House|Lodge|Court|Manor|Grange|Hall|Mews|Gardens|View|"
    rf"Care[ \t]+Home|Nursing[ \t]+Home|Residential[ \t]+Home))\b")
#: a street without a house number, where someone lives: "I'm on Gosling Chase", "we live off Mardle Loke",
#: then the village it is in: "... in Little Ashfold", "Rookery Drove, Newby Fen"
_PLACE_WORD = rf"{UP}{LETTER}+(?:-{UP}?{LETTER}+)*"
LIVES_ON_RE = re.compile(
    rf"\b(?i:live|lives|living|lived|I{APOS}m|I[ \t]+am|we{APOS}re|we[ \t]+are|he{APOS}s|she{APOS}s|they{APOS}re|"
    rf"moved|house|home|flat|bungalow|cottage|address)(?:[ \t]+(?i:out|up|down|over|round|just|right))?"
    rf"[ \t]+(?i:on|off|in|at)[ \t]+(?P<street>(?:{STREET_WORD}[ \t]+){{1,3}}(?:{'|'.join(_SPOKEN_STREET_TYPES)}))\b"
    rf"(?:(?P<sep>[ \t]*,[ \t]*|[ \t]+(?i:in|near|outside|by)[ \t]+)"
    rf"(?P<place>{_PLACE_WORD}(?:[ \t]+(?:{_PLACE_WORD}|St\.?|(?i:on|upon|next|cum|le|de)[ \t]+{_PLACE_WORD})){{0,3}}))?")


#: where someone works, named: "I work at Saffron Crust, the bakery on the corner" (a small workplace and
#: a detail or two single a person out); big employers and public bodies are no one's address
WORKS_AT_RE = re.compile(
    rf"\b(?i:I|we|he|she|they|(?:my|his|her|our)[ \t]+[a-z]+)(?:{APOS}m|{APOS}s|{APOS}re|[ \t]+(?:am|is|are|was|were))?"
    rf"(?:[ \t]+(?i:still|now|used[ \t]+to|also|just))?[ \t]+(?i:work|works|worked|working)"
    # "I work nights at", "she works part-time for", "I worked on the tills at"
    rf"(?:[ \t]+(?i:nights|days|weekends|evenings|shifts|mornings|full-time|part-time|full[ \t]+time|part[ \t]+time|"
    rf"on[ \t]+the[ \t]+[a-z]+|in[ \t]+the[ \t]+[a-z]+))?[ \t]+(?i:at|for)[ \t]+"
    rf"(?:(?i:the)[ \t]+)?(?P<org>{UP}{LETTER}+(?:{APOS}s)?(?:[ \t]+(?:&[ \t]+)?{UP}{LETTER}+(?:{APOS}s)?){{0,3}})")
_BIG_EMPLOYERS = frozenset("""nhs council councils university college hospital hospitals trust ambulance police army navy
raf government civil service tesco tesco's asda sainsbury sainsbury's sainsburys morrisons aldi lidl waitrose boots
amazon royal mail bt bbc google microsoft apple barclays lloyds hsbc natwest santander mcdonald's mcdonalds starbucks
costa primark argos currys b&q ikea network rail healthwatch county essex suffolk norfolk cambridgeshire
peterborough lincolnshire hertfordshire bedfordshire""".split())


#: a business by its name's last word, where the speaker does a job: "I drive a forklift at Kettleburgh
#: Fresh Produce", "I'm on the tills at Barnaby's Farm Shop"
_BUSINESS = ("Produce|Farms?|Farm[ \t]+Shop|Foods|Logistics|Transport|Haulage|Engineering|Garage|Motors|Builders|"
             "Joinery|Bakery|Salon|Stores|Print|Printing|Packaging|Nurseries|Ltd|Limited|Plc|PLC|Solutions|Supplies|"
             "Timber|Fabrications|Coaches|Taxis|Cars|Cafe|Café|Kitchen|Kitchens|Butchers|Bakers|Dairy|Dairies|"
             "Nursery|Kennels|Stables|Vets|Pharmacy|Chemist|Hotel|Inn|Arms|Tavern")
BUSINESS_AT_RE = re.compile(
    rf"\b(?i:I|I{APOS}m|we|we{APOS}re|he|she|he{APOS}s|she{APOS}s|my[ \t]+[a-z]+)\b[^.!?\n]{{0,40}}?[ \t](?i:at|for|with)[ \t]+"
    rf"(?:(?i:the)[ \t]+)?(?P<org>(?:{UP}{LETTER}+(?:{APOS}s)?[ \t]+){{1,3}}(?:{_BUSINESS}))\b")


#: "I'm a dinner lady at Stukeley Meadows", "she's a porter for Castle Farms": a job, then where
JOB_AT_RE = re.compile(
    rf"\b(?i:I{APOS}m|I[ \t]+am|I[ \t]+was|Im|she{APOS}s|he{APOS}s|my[ \t]+[a-z]+{APOS}s)[ \t]+(?i:an?|the)[ \t]+"
    # a job, not a student, patient or member at a big place ("I'm a student at Anglia Ruskin")
    r"(?!(?:student|pupil|patient|volunteer|member|customer|regular|visitor|resident|inpatient|outpatient)\b)"
    rf"(?:[a-z-]+[ \t]+){{0,2}}(?!(?:student|patient|volunteer|member)\b)[a-z-]+"
    rf"[ \t]+(?i:at|for)[ \t]+(?P<org>{UP}{LETTER}+(?:{APOS}s)?(?:[ \t]+(?:&[ \t]+)?{UP}{LETTER}+(?:{APOS}s)?){{0,3}})")
#: a house known by its name: "Oakapple Cottage", "Brook Farmhouse" (a cottage or farmhouse is someone's home)
HOUSE_ALONE_RE = re.compile(rf"(?<![\w])(?:{UP}{LETTER}+[ \t]+){{1,2}}(?:Cottage|Cottages|Farmhouse|Bungalow|Barn)\b")
#: a practice typed in lower case, as survey answers are: "at wrenfield surgery in bures"
LOWER_PRACTICE_RE = re.compile(r"\b(?:at|from|to|with|in)[ \t]+(?P<name>[a-z]{4,}(?:[ \t]+[a-z]{4,})?)[ \t]+"
                               r"(?:surgery|medical[ \t]+(?:centre|center|practice)|health[ \t]+centre|practice)\b")


def find_workplaces(text: str) -> Iterator[Span]:
    for m in JOB_AT_RE.finditer(text):
        org = m.group("org")
        first = fold(org.split()[0]).rstrip("'s")
        if fold(org) not in UK_PLACES and first not in UK_PLACES and first not in _BIG_EMPLOYERS \
                and fold(org) not in NER_NON_NAMES:
            yield Span(m.start("org"), m.end("org"), "LOCATION", "workplace")
    for m in HOUSE_ALONE_RE.finditer(text):
        yield Span(m.start(), m.end(), "ADDRESS", "house name")

    for m in BUSINESS_AT_RE.finditer(text):
        first = m.group("org").split()[0]
        if fold(first) not in UK_PLACES and first.lower().rstrip("'s\u2019") not in _BIG_EMPLOYERS \
                and first.lower() not in _BIG_EMPLOYERS:
            yield Span(m.start("org"), m.end("org"), "LOCATION", "workplace")
    for m in WORKS_AT_RE.finditer(text):
        org = m.group("org")
        words = [fold(w).rstrip("'s").rstrip("\u2019") for w in org.split()]
        if any(w in _BIG_EMPLOYERS or fold(w) in _BIG_EMPLOYERS for w in org.lower().split()) or \
                fold(org) in UK_PLACES or any(w in UK_PLACES for w in words) or fold(org) in NER_NON_NAMES:
            continue
        yield Span(m.start("org"), m.end("org"), "LOCATION", "workplace")


#: a small place said as where someone lives: "We're the last farm before you get to Monewden", "I live
#: just outside Cratfield"; towns in the gazetteer ("I live in Ipswich") and countries stay
LIVES_NEAR_RE = re.compile(
    # living somewhere: "I live in X", "our farm's near X", "lives just outside X"
    rf"\b(?:(?:[Ll]ive|[Ll]ives|[Ll]ived|[Ll]iving)(?:[ \t]+(?:just|right|out|up|down|over))?[ \t]+(?:in|near|outside|past|beyond)"
    rf"|(?:[Oo]ur|[Mm]y)[ \t]+(?:house|farm|place|bungalow|cottage|flat)(?:{APOS}s|[ \t]+is)?[^.!?;\n]{{0,30}}?"
    rf"\b(?:in|near|outside|past|beyond)"
    # or where the speaker is, described by the way there: "we're the last farm before you get to X"
    rf"|(?:I{APOS}m|I[ \t]+am|[Ww]e{APOS}re|[Ww]e[ \t]+are)\b[^.!?;\n]{{0,50}}?\b(?:before[ \t]+you[ \t]+get[ \t]+to|"
    rf"the[ \t]+other[ \t]+side[ \t]+of|on[ \t]+the[ \t]+edge[ \t]+of|just[ \t]+outside|just[ \t]+past|out[ \t]+past))[ \t]+"
    rf"(?P<place>{UP}[a-z]+(?:-{UP}?[a-z]+)*(?:[ \t]+(?:{UP}[a-z]+|St\.?|(?:upon|next|cum|le|de)[ \t]+{UP}[a-z]+)){{0,2}})")
#: where a relation lives, said by their home: "she's usually out at her sister's in Turves", "my nan's
#: place near Little Ashfold" (a town in the gazetteer stays)
KIN_HOME_RE = re.compile(
    rf"\b(?i:{_KIN_S})(?:[ \t]+(?i:house|place|flat|bungalow|cottage|farm))?[ \t]+(?i:in|near|at|outside)[ \t]+"
    rf"(?P<place>{UP}[a-z]+(?:-{UP}?[a-z]+)*(?:[ \t]+(?:{UP}[a-z]+|(?:upon|next|cum|le|de)[ \t]+{UP}[a-z]+)){{0,2}})")
#: where a relation is that is no home: "my son's in Year Six", "her dad's in Intensive Care"
_NOT_A_HOME = frozenset("""year years class form reception school college university uni hospital ward intensive
resus a&e bed prison care work charge trouble pain bits tears denial heaven""".split())
_COUNTRIES = frozenset("""england scotland wales ireland britain poland romania lithuania latvia estonia ukraine russia india
pakistan bangladesh nigeria ghana somalia kenya jamaica barbados trinidad france spain portugal italy germany greece turkey
cyprus china hong kong philippines australia canada america usa europe africa asia london""".split())


def find_addresses(text: str) -> Iterator[Span]:
    for m in KIN_HOME_RE.finditer(text):
        words = [fold(w) for w in m.group("place").split()]
        if fold(m.group("place")) not in UK_PLACES and words[0] not in UK_PLACES and words[0] not in _COUNTRIES \
                and words[0] not in MONTHS and words[0] not in NON_NAME_WORDS and words[0] not in _NOT_A_HOME \
                and fold(m.group("place")) not in NER_NON_NAMES:
            yield Span(m.start("place"), m.end("place"), "LOCATION", "a relation's home")
    for m in LIVES_NEAR_RE.finditer(text):
        place = m.group("place")
        words = [fold(w) for w in place.split()]
        if (fold(place) not in UK_PLACES and words[0] not in UK_PLACES and words[0] not in _COUNTRIES
                and not (len(words) == 1 and words[0] in NON_NAME_WORDS) and words[0] not in MONTHS
                and fold(place) not in NER_NON_NAMES
                and not place.isupper()):
            yield Span(m.start("place"), m.end("place"), "LOCATION", "where someone lives")
    for m in ADDRESS_RE.finditer(text):
        yield Span(m.start(), m.end(), "ADDRESS", "regex")
    for m in STREET_NAMED_RE.finditer(text):
        # where someone lives, said just before the street in the same sentence ("I'm in the flats above
        # the launderette on X Road"); "the hospital is on Hills Road" names no one's home
        if RESIDENCE_CUE_RE.search(text[max(0, m.start() - 60):m.start()]):
            yield Span(m.start("street"), m.end("street"), "ADDRESS", "street named")
    for m in RESIDENCE_RE.finditer(text):
        if fold(m.group("place")) not in UK_PLACES:
            yield Span(m.start("place"), m.end("place"), "LOCATION", "residence")
    for m in LIVES_ON_RE.finditer(text):
        yield Span(m.start("street"), m.end("street"), "ADDRESS", "street")
        place = m.group("place")
        if place and fold(place) not in UK_PLACES and not any(fold(w) in UK_PLACES for w in place.split()[:1]):
            yield Span(m.start("place"), m.end("place"), "LOCATION", "street's place")
    for m in HOUSE_NAME_RE.finditer(text):
        head = re.split(r"[ \t]*,[ \t]*", m.group(), maxsplit=1)
        words = head[0].split()
        start = m.start()
        while words and re.search(rf"{APOS}", words[0]):   # "We're Bramble End, Mill Road"
            start = text.index(words[1], start + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        if len(head) == 2 and words and words[-1].lower() in _HOUSE_WORDS and len(words) <= 3:
            yield Span(start, m.end(), "ADDRESS", "house_name")
    for m in ADDRESS_LOWER_RE.finditer(text):
        yield Span(m.start("addr"), m.end("addr"), "ADDRESS", "context")


_FAC_WORD = rf"(?:St\.?|Saint|{UP}{LETTER}*(?:{APOS}{LETTER}+|-{LETTER}+)*(?:{APOS}s?)?)"
_FAC_JOIN = r"(?:[ \t]+(?:le|on|upon|under|in|by|cum|next|the|de|&|and|of)(?=[ \t]+[A-Z]))?"
FACILITY_RE = re.compile(
    rf"(?P<name>{_FAC_WORD}(?:{_FAC_JOIN}[ \t]+{_FAC_WORD}){{0,4}})[ \t]+"
    rf"(?P<kind>(?i:{'|'.join(re.escape(f).replace(chr(92) + ' ', '[ ' + chr(92) + 't]+') for f in FACILITY_SUFFIXES)}))"
    r"(?![\w])")


_FAC_LEAD = frozenset("""the a an our my your his her their local nearest usual at in from with to for by near and but so
or we i they he she you it then when if yes yeah well oh also both even only like called named""".split())


#: a school, practice or home named, then said what it is: "he's at Frobisher, the primary over the
#: marsh way", "we go to Oakfield, the surgery by the church" (a town in the gazetteer stays)
FACILITY_APPOSITION_RE = re.compile(
    rf"\b(?i:at|to|from|in|into|with)[ \t]+(?P<name>{UP}{LETTER}+(?:[ \t]+{UP}{LETTER}+){{0,2}}),[ \t]+(?i:the|a|our|my)[ \t]+"
    r"(?:[a-z-]+[ \t]+){0,2}(?i:primary|secondary|school|academy|juniors|infants|nursery|college|surgery|practice|"
    r"health[ \t]+centre|pharmacy|chemist|care[ \t]+home|nursing[ \t]+home|home|hospice|pub|church|chapel|mosque|"
    r"temple|gurdwara|club|centre|center|unit|ward)\b")


def find_facilities(text: str) -> Iterator[Span]:
    """GP surgeries, practices, pharmacies, care homes and schools named by a street, village or name
    ("Thorpe Road Surgery", "the Grove Medical Practice", "St Mary's Primary"), as ``LOCATION``."""
    for m in FACILITY_RE.finditer(text):
        words = re.findall(r"[\w'\u2019&-]+", m.group("name"))
        if len(words) > 2 and fold(words[1]) == "the" and sentence_start(text, m.start("name")):
            words = words[1:]   # "Get the Barnard Castle Surgery": a verb, then the name
        while words and fold(words[0]) in _FAC_LEAD:
            words.pop(0)   # "At Thorpe Road Surgery", "Our Grove Practice": the name starts after
        named = [w for w in words if fold(w).rstrip("'s").rstrip("'") not in FACILITY_GENERIC
                 and fold(w) not in FACILITY_GENERIC and fold(w) not in NON_NAME_WORDS]
        if not named:
            continue
        kind = m.group("kind")
        lower = kind[:1].islower()
        start = m.start("name") + m.group("name").find(words[0])
        if lower and len(words) == 1 and sentence_start(text, start):
            continue   # "Knee surgery was..."
        if re.match(r"[ \t]+of\b", text[m.end():m.end() + 4]) and kind.lower() in ("college", "school", "academy"):
            continue   # "Royal College of Nursing", "London School of Hygiene"
        the = re.search(r"(?<![\w])[Tt]he[ \t]+$", text[max(0, start - 8):start])
        if the:
            start -= len(the.group())
        yield Span(start, m.end(), "LOCATION", "facility")
    for m in FACILITY_APPOSITION_RE.finditer(text):
        name = m.group("name")
        first = fold(name.split()[0])
        if fold(name) not in UK_PLACES and first not in UK_PLACES and fold(name) not in NER_NON_NAMES \
                and first not in NON_NAME_WORDS and first not in KIN_WORDS and first not in RELATIONS:   # "with Mum, the home"
            yield Span(m.start("name"), m.end("name"), "LOCATION", "facility named")


def sentence_start(text: str, start: int) -> bool:
    """Is ``start`` the first word of a sentence (quotes and brackets aside)?"""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'\u201c\u2018(":
        i -= 1
    return i < 0 or text[i] in ".!?:;\n"
