"""A planted benchmark for de-identification that is not the sample: seeded, generated, marked.

:func:`generate` writes transcript turns (spoken style) and survey answers (written style) about
health data, with personal details planted in the contexts people use, and returns each text with
its truth as ``(start, end, type)``:

- ``NAME``: third parties nobody listed - staff, relatives, neighbours - first names alone and
  full names, after roles and relations, with "on reception", "from the surgery", "ask for",
  "ring", "was lovely", in lists, possessives and vocatives; names that are ordinary words (Hope,
  Will, Grace) only where the wording says person. Names come from lists for the UK's main
  communities (English, South Asian, Polish, West African, Chinese, Irish).
- ``PHONE`` after a phone cue, in UK and mistyped shapes (one digit short or long);
  ``HOSPITAL`` (three letters + seven digits, "hospital number", "patient number", "MRN");
  ``NI`` (National Insurance numbers); ``REG`` (car registrations, current and older formats);
  ``PLACE`` (GP surgeries, practices, pharmacies, care homes and schools named by street or village).

Every text also carries distractors that must be kept: brands (Tesco Clubcard, Nectar), medicines,
conditions named after people (Crohn's), the NHS App, the allow-listed hospitals, word-names used
as words ("I hope", "the bill"), and numbers that identify no one.

Honest tuning: every name list is split in two by position (``split="tune"`` takes even positions,
``split="report"`` odd ones), so a report on ``split="report"`` and a seed never looked at uses
names the rules were never tuned on.

Run: ``python benchmarks/planted.py --seed 1 --split tune --show 20`` prints marked texts.
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# Names, by community (first names, surnames). Split by position: even -> tune, odd -> report.
FIRST = {
    "english": ["Tom", "Sarah", "Gemma", "Daniel", "Karen", "Steve", "Lucy", "Gary", "Helen", "Craig", "Debbie",
                "Jason", "Nicola", "Wayne", "Tracey", "Darren", "Joanne", "Keith", "Paula", "Neil", "Sharon",
                "Lee", "Claire", "Kelly", "Vicky", "Colin", "Julie", "Trevor", "Elaine", "Barry", "Louise",
                "Graham", "Stacey", "Martin", "Kerry", "Adrian"],
    "south_asian": ["Priya", "Aisha", "Ravi", "Sunil", "Anjali", "Imran", "Farah", "Arjun", "Deepa", "Harpreet",
                    "Kiran", "Rajesh", "Nadia", "Bilal", "Sanjay", "Meera", "Asif", "Shabana", "Gurpreet",
                    "Vikram", "Zainab", "Mohammed", "Nusrat", "Tariq", "Rupinder", "Yasmin", "Naveed", "Lakshmi"],
    "polish": ["Wojciech", "Agnieszka", "Łukasz", "Katarzyna", "Piotr", "Małgorzata", "Krzysztof", "Magdalena",
               "Tomasz", "Zofia", "Grzegorz", "Ewa", "Paweł", "Beata", "Jakub", "Dorota", "Michał", "Jolanta",
               "Bartosz", "Iwona"],
    "west_african": ["Kwame", "Ama", "Chidi", "Ngozi", "Kofi", "Adaeze", "Oluwaseun", "Folake", "Emeka", "Abena",
                     "Yaw", "Chiamaka", "Tunde", "Efua", "Ifeoma", "Kwabena", "Bola", "Nkechi", "Segun", "Adwoa"],
    "chinese": ["Wei", "Mei", "Jun", "Xiaoming", "Yan", "Hui", "Jing", "Ming", "Zhen", "Lian", "Xin", "Ying",
                "Hao", "Qing", "Jiayi", "Bo"],
    "irish": ["Siobhán", "Niamh", "Ciarán", "Aoife", "Seán", "Declan", "Róisín", "Pádraig", "Eoin", "Caoimhe",
              "Orla", "Cormac", "Sinéad", "Oisín", "Aisling", "Dervla", "Fionnuala", "Tadhg"],
}
#: First names that are also ordinary words: planted only where the wording says person.
WORD_FIRST = ["Hope", "Rose", "Will", "Grace", "Mark", "Bill", "Sunny", "Faith", "Joy", "Dawn", "Holly", "Amber",
              "Frank", "Ray", "Pat", "Robin", "Jack", "Sandy", "Heather", "Olive", "Faye", "Drew"]
SURNAMES = {
    "english": ["Baker", "Thompson", "Cooper", "Harris", "Clarke", "Hughes", "Turner", "Patterson", "Whitaker",
                "Goodwin", "Fletcher", "Barnes", "Lawson", "Pritchard", "Fairclough", "Hollis", "Ashby", "Dobson"],
    "south_asian": ["Patel", "Shah", "Khan", "Begum", "Chaudhry", "Sharma", "Singh", "Kaur", "Hussain", "Malik",
                    "Gupta", "Iqbal", "Rahman", "Ahmed", "Mistry", "Desai"],
    "polish": ["Kowalski", "Nowak", "Wiśniewska", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymańska",
               "Dąbrowski", "Kozłowska"],
    "west_african": ["Okafor", "Mensah", "Adeyemi", "Owusu", "Nwosu", "Boateng", "Adebayo", "Asante", "Okonkwo",
                     "Oyelaran", "Appiah", "Eze"],
    "chinese": ["Chen", "Wang", "Zhang", "Liu", "Huang", "Zhou", "Lin", "Yang", "Zhao", "Xu"],
    "irish": ["O'Brien", "Murphy", "Kelly", "Byrne", "Gallagher", "Doherty", "O'Sullivan", "McCarthy", "Quinn",
              "Brennan", "Fitzgerald", "Ní Bhriain"],
}

# ---------------------------------------------------------------------------------------------
# Contexts. {n} a first name, {f} a full name, {s} a surname, {w} a word-name; [..] alternatives.
ROLES = ["receptionist", "practice nurse", "pharmacist", "care coordinator", "health visitor", "physio",
         "practice manager", "district nurse", "social worker", "carer", "support worker", "GP", "neighbour",
         "son", "daughter", "granddaughter", "brother-in-law", "niece", "nephew", "husband", "wife", "partner",
         "cousin", "friend", "mum", "dad", "stepdad", "lodger", "colleague", "boss", "landlord"]
OWNERS = ["my", "our", "the", "her", "his", "their"]
NAME_CONTEXTS = [
    "{owner} {role} {n} [sorted it out|helped me fill it in|was really patient with me|rang me back the next day]",
    "{owner} {role}, {n}, [had to chase the records|was there when they asked|didn't know who could see it]",
    "[I spoke to|I was talking to|I rang] {owner} {role} {n} about the records",
    "{n} on reception [was lovely|knew exactly what to do|told me to use the app]",
    "and so was {n} on reception",
    "{n} from the surgery [phoned me|sent me a text|said it would be shared]",
    "[you have to|I always|just] ask for {n} [at the desk|and she'll sort it|when you ring]",
    "[Ring|Call|Phone] {f} [at the practice|and ask about it|if you want the forms]",
    "[ring|call] {n} [on a Monday|in the morning|at the surgery]",
    "{n} was lovely[, she really listened|, honestly| about it all]",
    "{n} [was brilliant|was so kind|was really good with Mum]",
    "{n}, {n2} and {n3} [were all really helpful|all said the same thing|have the same worry]",
    "[me|my sister], {n} and {n2} [went together|all filled in the survey]",
    "{n}'s [mum|dad|husband|little boy] [had the same problem|is on the same list|got a letter about it]",
    "[we went round to|I was at] {n}'s [house|flat] [when the letter came|to fill it in]",
    "[Thanks|Thank you|Cheers], {n}.",
    "Sorry {n}, [can I come back on that|I didn't catch that|go on]",
    "{n}, [can I just add something|do you think they'd sell it|what did you put]?",
    "[I told|I asked|I showed] {n} [about it|how to log in|the letter] and [she|he] [was shocked|didn't believe me]",
    "[a lady|a man|a nurse|someone] called {f} [rang me|came out to see Dad]",
    "[I was seen by|I saw] {f}, the [physio|nurse|pharmacist],",
    "Dr {s} was fine and so was {n} on reception",
    "[My neighbour|A friend of mine|My cousin] {f} [works in IT|had her records lost|says it's all sold]",
    "[with|for|to] {n} [from next door|from church|from the pharmacy]",
    "[the|our] [nurse|receptionist] [there|at the time] was {n}",
    "I think {n} [said|reckoned|mentioned] [the same|that the GP can see it all]",
    "{f} [at the surgery|in the office|from the council] [told me|wrote to me]",
]
WORD_NAME_CONTEXTS = [
    "my [aunt|neighbour|sister|friend|carer|daughter] {w} [said|uses the app|looks after the letters]",
    "{w} on reception [was lovely|sorted it]",
    "{w} from the surgery [rang|sent the forms]",
    "[ask for|speak to] {w} at the desk",
    "[Thanks|Cheers], {w}.",
    "{w} [said|told me|reckons] it's all [shared|kept on file]",
    "the [receptionist|pharmacist|nurse], {w}, [said|told us] it was fine",
]
# ordinary uses of word-names (and other capitalised words) that must be kept
WORD_USES = [
    "I hope they keep it safe", "Hope is all we've got really", "The bill came to more than I thought",
    "Mark my words, it'll be sold", "Will they ask first?", "By the grace of God I've never needed it",
    "It was a sunny day when the letter came", "Grace periods for the opt-out are too short",
    "We had a rose garden at the care home", "Frank answers would help", "Joy of joys, another form",
    "Dawn is the only time you get through", "I'd mark it as a concern", "The will to change isn't there",
    "Jack of all trades, these apps", "I had to bill the council", "A ray of hope, that's what it was",
    "Holly and ivy on the door, Christmas time it was", "Amber alert, they called it",
]
BRANDS = ["Tesco Clubcard", "my Nectar card", "the Boots Advantage card", "Sainsbury's", "Lidl Plus", "the Co-op app",
          "Morrisons More", "the Asda app", "Superdrug", "Specsavers", "the Boots app"]
MEDICINES = ["Metformin", "Ramipril", "Sertraline", "Amlodipine", "Lansoprazole", "Co-codamol", "Warfarin",
             "Levothyroxine", "Atorvastatin", "Omeprazole", "Ventolin", "Naproxen", "Citalopram", "Gabapentin"]
CONDITIONS = ["Crohn's", "Parkinson's", "Alzheimer's", "Addison's", "Hashimoto's", "Down's syndrome", "COPD",
              "Type 2 diabetes", "Asperger's", "Graves' disease", "Huntington's", "ME", "Bell's palsy"]
ORGS = ["the NHS App", "Patients Know Best", "the DVLA", "HMRC", "Age UK", "Macmillan", "Citizens Advice",
        "NHS 111", "the council", "Healthwatch Suffolk", "the ICB", "Mind", "the Post Office", "Google"]
HOSPITALS = ["Addenbrooke's", "the James Paget", "Ipswich Hospital", "the Norfolk and Norwich",
             "Colchester Hospital", "Broomfield", "Hinchingbrooke", "West Suffolk Hospital", "Papworth"]
DISTRACTOR_SENTENCES = [
    "I get points on {brand} and they know more about me than my GP",
    "they want {brand} data, that's what worries me",
    "I'm on {medicine} and the pharmacy knew before I did",
    "my husband has {condition} and his records go everywhere",
    "with {condition} you end up telling your story over and over",
    "I use {org} for repeat prescriptions",
    "{org} sent a text about it", "I was at {hospital} for two weeks",
    "they moved me from {hospital} to another ward",
    "it was 95 percent of people in the end", "I walk 10,000 steps a day on the app",
    "the waiting list was 18 months", "it cost £250 to get the records copied",
    "a 1 in 10 chance, they said", "version 2.3 of the app fixed it", "back in 2019 it started",
    "the form had 12 pages", "it took 3 weeks and 2 phone calls", "Room 4 at the clinic, upstairs",
    "Monday mornings are the worst", "at Christmas they close for a week", "the NHS number on the letter was wrong",
    "they say 1 in 3 people opt out", "I rang 111 at 2am",
]
FILLER = [
    "I don't mind research if it's anonymous", "who decides who gets to see it", "it should be my choice",
    "I'd want to know it's not being sold", "they never tell you where it goes", "it's about trust really",
    "joined-up records would save lives", "the app keeps logging me out", "I worry about insurance companies",
    "my records followed me when I moved", "nobody asked me first", "it helped when I was in A&E",
    "I'd opt out if I knew how", "it's fine for emergencies", "it's the private companies I worry about",
    "I want to see what they've written about me", "there was a mistake on my record for years",
    "they should ask before they share", "I think it's a good thing on the whole", "it's been hacked before",
]

# ---------------------------------------------------------------------------------------------
# Numbers and places.
PHONE_CUES = ["you can ring me on", "my number is", "my mobile is", "text me on", "call me on", "the landline is",
              "ring me on", "my mobile number's", "the number they gave me was", "her landline is", "mobile:",
              "contact number", "my phone number is", "just phone me on", "tel"]
HOSPITAL_CUES = ["my hospital number is", "hospital number", "patient number", "MRN", "my MRN is", "hospital no.",
                 "the patient number on the letter was", "his hospital number's", "record number"]
NI_CUES = ["my National Insurance number is", "NI number", "national insurance", "NI no.", "my NI is",
           "National Insurance number:"]
REG_CUES = ["my car reg is", "the registration is", "number plate", "reg", "our car, reg", "registration number",
            "parked in the blue badge bay, reg"]
STREETS = ["Thorpe Road", "Station Road", "Church Lane", "Mill Road", "High Street", "London Road", "Victoria Street",
           "Oak Lane", "Elm Grove", "Park Road", "Queens Road", "Bridge Street", "Hall Lane", "North Road",
           "Cromer Road", "Newmarket Road", "Chapel Street", "Bury Road", "Long Lane", "Norwich Road"]
VILLAGES = ["Brundall", "Acle", "Wickham Market", "Long Stratton", "Hadleigh", "Coggeshall", "Sawston", "Melbourn",
            "Thurston", "Diss", "Stalham", "Tiptree", "Bottisham", "Woodbridge", "Holt", "Aylsham", "Ramsey",
            "Eye", "Walsham le Willows", "Great Shelford"]
PLACE_NAMES = ["the {x} Medical Practice", "{street} Surgery", "{village} Surgery", "the {x} Surgery",
               "{village} Medical Centre", "{street} Pharmacy", "{village} Pharmacy", "{x} Care Home",
               "{x} House care home", "St {saint}'s Primary", "{village} Primary School", "{x} Health Centre",
               "{village} Health Centre", "the {x} Practice", "{x} Lodge Nursing Home", "{village} Academy",
               "{street} Medical Practice", "St {saint}'s Primary School", "{x} Court Care Home"]
PLACE_WORDS = ["Grove", "Orchard", "Willows", "Beeches", "Riverside", "Meadowlands", "Elmfield", "Oakwood",
               "Ferndale", "Larchwood", "Hollybank", "Castle", "Priory", "Abbey", "Brook", "Parkside"]
SAINTS = ["Mary", "John", "Peter", "Andrew", "Edmund", "Michael", "Margaret", "Helen", "Botolph", "Nicholas"]
PLACE_CONTEXTS = ["I'm with {p}", "at {p} they [just text you|never answer]", "{p} [sent the letter|shares everything]",
                  "[my mum's in|Dad went into] {p}", "[the kids go to|my grandson's at] {p}",
                  "[we moved from|I changed from] {p}", "[I asked at|I collect from] {p}"]


@dataclass
class Text:
    kind: str          # "turn" | "survey"
    text: str
    truth: list[tuple[int, int, str]] = field(default_factory=list)


def _half(items: list[str], split: str) -> list[str]:
    start = 0 if split == "tune" else 1
    return items[start::2]


class _Planter:
    def __init__(self, seed: int, split: str):
        self.r = random.Random(seed)
        self.firsts = {k: _half(v, split) for k, v in FIRST.items()}
        self.word_firsts = _half(WORD_FIRST, split)
        self.surnames = {k: _half(v, split) for k, v in SURNAMES.items()}
        self.counts: dict[str, int] = {}

    def pick(self, items):
        return items[self.r.randrange(len(items))]

    def alts(self, template: str) -> str:
        return re.sub(r"\[([^\]]*)\]", lambda m: self.pick(m.group(1).split("|")), template)

    def first(self) -> str:
        return self.pick(self.firsts[self.pick(sorted(self.firsts))])

    def full(self) -> str:
        kind = self.pick(sorted(self.firsts))
        return f"{self.pick(self.firsts[kind])} {self.pick(self.surnames[kind])}"

    def surname(self) -> str:
        return self.pick(self.surnames[self.pick(sorted(self.surnames))])

    # ---- numbers (mistyped ones included: a digit short or long, odd spacing, lower case)
    def phone(self) -> str:
        r = self.r
        d = lambda n: "".join(str(r.randrange(10)) for _ in range(n))  # noqa: E731
        shape = r.randrange(10)
        if shape == 0:
            return f"07{d(3)} {d(6)}"
        if shape == 1:
            return f"01{d(3)} {d(6)}"
        if shape == 2:
            return f"+44 7{d(3)} {d(6)}"
        if shape == 3:
            return f"(01{d(3)}) {d(6)}"
        if shape == 4:
            return f"07{d(3)}-{d(3)}-{d(3)}"
        if shape == 5:
            return f"0{d(3)} {d(3)} {d(4)}"
        if shape == 6:
            return f"07{d(3)} {d(5)}"          # one digit short
        if shape == 7:
            return f"07{d(3)} {d(7)}"          # one digit long
        if shape == 8:
            return f"+44 (0)1{d(3)} {d(6)}"
        return f"{d(4)} {d(3)} {d(3)}"        # no leading 0, ten digits

    def hospital(self) -> str:
        r = self.r
        letters = "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        digits = "".join(str(r.randrange(10)) for _ in range(7))
        shape = r.randrange(6)
        if shape == 0:
            return letters + digits
        if shape == 1:
            return f"{letters} {digits}"
        if shape == 2:
            return (letters + digits).lower()
        if shape == 3:
            return digits + str(r.randrange(10))     # eight digits, no letters
        if shape == 4:
            return f"{letters}{digits[:6]}"          # a digit short
        return f"{letters[0]}{digits}"              # one letter, seven digits

    def ni(self) -> str:
        r = self.r
        first = r.choice("ABCEGHJKLMNOPRSTWXYZ")
        second = r.choice("ABCEGHJKLMNPRSTWXYZ")
        if first + second in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
            second = "A"
        d = "".join(str(r.randrange(10)) for _ in range(6))
        suf = r.choice("ABCD")
        shape = r.randrange(5)
        if shape == 0:
            return f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {suf}"
        if shape == 1:
            return f"{first}{second}{d}{suf}"
        if shape == 2:
            return f"{first}{second} {d} {suf}".lower()
        if shape == 3:
            return f"{first}{second} {d[:2]} {d[2:4]} {d[4:]}"       # suffix left off
        return f"{first}{second}-{d[:2]}-{d[2:4]}-{d[4:]}-{suf}"

    def reg(self) -> str:
        r = self.r
        L = lambda n: "".join(r.choice("ABCDEFGHJKLMNOPRSTUVWXYZ") for _ in range(n))  # noqa: E731
        D = lambda n: "".join(str(r.randrange(10)) for _ in range(n))  # noqa: E731
        shape = r.randrange(6)
        if shape == 0:
            return f"{L(2)}{r.choice(['1', '2', '5', '6', '7'])}{D(1)} {L(3)}"
        if shape == 1:
            return f"{L(2)}{D(2)}{L(3)}"                    # no space
        if shape == 2:
            return f"{L(1)}{D(3)} {L(3)}"                   # prefix format
        if shape == 3:
            return f"{L(3)} {D(3)}{L(1)}"                   # suffix format
        if shape == 4:
            return f"{L(2)}{D(2)} {L(3)}".lower()
        return f"{L(3)} {D(3)}"                              # dateless, context only

    def place(self) -> str:
        t = self.pick(PLACE_NAMES)
        return t.format(x=self.pick(PLACE_WORDS), street=self.pick(STREETS), village=self.pick(VILLAGES),
                        saint=self.pick(SAINTS))


def _assemble(parts: list[tuple[str, str | None]]) -> tuple[str, list[tuple[int, int, str]]]:
    text, truth = "", []
    for piece, kind in parts:
        if kind:
            truth.append((len(text), len(text) + len(piece), kind))
        text += piece
    return text, truth


def _fill(p: _Planter, template: str, slots: dict[str, tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    template = p.alts(template)
    parts: list[tuple[str, str | None]] = []
    pos = 0
    for m in re.finditer(r"\{(\w+)\}", template):
        parts.append((template[pos:m.start()], None))
        value, kind = slots[m.group(1)]
        parts.append((value, kind))
        pos = m.end()
    parts.append((template[pos:], None))
    return parts


def _sentence(p: _Planter, kind: str, style: str) -> list[tuple[str, str | None]]:
    if kind == "name":
        slots = {"n": (p.first(), "NAME"), "n2": (p.first(), "NAME"), "n3": (p.first(), "NAME"),
                 "f": (p.full(), "NAME"), "s": (p.surname(), "NAME"), "role": (p.pick(ROLES), None),
                 "owner": (p.pick(OWNERS), None)}
        return _fill(p, p.pick(NAME_CONTEXTS), slots)
    if kind == "word_name":
        return _fill(p, p.pick(WORD_NAME_CONTEXTS), {"w": (p.pick(p.word_firsts), "NAME")})
    if kind in ("PHONE", "HOSPITAL", "NI", "REG"):
        cues = {"PHONE": PHONE_CUES, "HOSPITAL": HOSPITAL_CUES, "NI": NI_CUES, "REG": REG_CUES}[kind]
        value = {"PHONE": p.phone, "HOSPITAL": p.hospital, "NI": p.ni, "REG": p.reg}[kind]()
        cue = p.pick(cues)
        lead = p.pick(["", "if it helps, ", "they wrote it down wrong, ", "oh and ", "for the record "])
        sep = p.pick([" ", ": ", " - "]) if not cue.endswith(":") else " "
        tail = p.pick(["", " if you need it", ", that's the one", " I think", ""])
        return [(lead + cue + sep, None), (value, kind), (tail, None)]
    if kind == "PLACE":
        return _fill(p, p.pick(PLACE_CONTEXTS), {"p": (p.place(), "PLACE")})
    if kind == "word_use":
        return [(p.pick(WORD_USES), None)]
    if kind == "distractor":
        s = p.pick(DISTRACTOR_SENTENCES).format(brand=p.pick(BRANDS), medicine=p.pick(MEDICINES),
                                                condition=p.pick(CONDITIONS), org=p.pick(ORGS),
                                                hospital=p.pick(HOSPITALS))
        return [(s, None)]
    return [(p.pick(FILLER), None)]


def _capital(parts):
    if parts and parts[0][1] is None and parts[0][0]:
        parts[0] = (parts[0][0][:1].upper() + parts[0][0][1:], None)
    return parts


def generate(seed: int, split: str = "tune", *, turns: int = 600, answers: int = 600) -> list[Text]:
    """Marked texts: ``turns`` transcript turns then ``answers`` survey answers.

    Per 1,200 texts about 420 names (of them ~60 word-names), ~110 of each number type, ~70 places.

    Example:
        >>> texts = generate(1, "tune", turns=3, answers=2)
        >>> len(texts), texts[0].kind, texts[-1].kind
        (5, 'turn', 'survey')
    """
    if split not in ("tune", "report"):
        raise ValueError("split is 'tune' or 'report'")
    p = _Planter(seed, split)
    kinds = ["name"] * 30 + ["word_name"] * 5 + ["PHONE", "HOSPITAL", "NI", "REG"] * 9 + ["PLACE"] * 6 \
        + ["word_use"] * 8 + ["distractor"] * 20 + ["filler"] * 30
    out: list[Text] = []
    for i in range(turns + answers):
        style = "turn" if i < turns else "survey"
        parts: list[tuple[str, str | None]] = []
        for j in range(p.r.choice((1, 2, 2, 3))):
            sent = _capital(_sentence(p, p.pick(kinds), style))
            if style == "turn" and j == 0 and p.r.random() < 0.3:
                head, kind = sent[0]
                if kind is None and head[1:2].islower():   # not "I", "NI no.", a name
                    head = head[:1].lower() + head[1:]
                sent = [(p.pick(["Yeah, ", "Well, ", "I mean, ", "Erm, ", "To be honest, ", "And "]), None),
                        (head, kind)] + sent[1:]
            end = sent[-1][0].rstrip()
            parts += sent + [("" if end.endswith(("?", ".", "!")) else p.pick([".", ".", "!", " ..."]) if
                              style == "turn" else ".", None), (" ", None)]
        text, truth = _assemble(parts)
        stripped = text.rstrip()
        out.append(Text(style, stripped, [t for t in truth if t[1] <= len(stripped)]))
    return out


def words_of(seed: int, split: str, n_words: int) -> str:
    """About ``n_words`` words of generated text, one text a line (the speed test's input)."""
    lines, total, k = [], 0, 0
    while total < n_words:
        for t in generate(seed + k, split):
            lines.append(t.text)
            total += len(t.text.split())
            if total >= n_words:
                break
        k += 1
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--split", choices=("tune", "report"), default="tune")
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args(argv)
    texts = generate(args.seed, args.split)
    from collections import Counter

    counts = Counter(t for x in texts for _, _, t in x.truth)
    print(f"{len(texts)} texts, {sum(len(x.text.split()) for x in texts):,} words; planted: {dict(counts)}")
    for x in texts[:args.show]:
        marked, pos = [], 0
        for s, e, t in x.truth:
            marked += [x.text[pos:s], f"{{{{{t}:{x.text[s:e]}}}}}"]
            pos = e
        print(f"[{x.kind}] " + "".join(marked) + x.text[pos:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
