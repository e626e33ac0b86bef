"""A project folder of N distinct words for the scale benchmark: real FFT answers + generated transcripts.

:func:`build_corpus` writes ``engagement.yaml`` and ``raw/`` (sessions.csv, participants.csv,
transcripts/*.txt, survey/fft_survey.csv) for about ``words`` words, deterministically from a seed:

- a survey session of real Friends and Family Test answers (../shared/data/fft; about 8% of the
  words, capped at what is there), each assigned one of the five areas by the seed; answers with a
  sentence already used are left out ("Nothing.", "Did not answer", ...);
- focus groups and one-to-one interviews in the five East of England areas, generated in the
  sample's spoken style: facilitators asking about sharing health data, participants answering
  with stories, conditions, worries and conditions of support, and planted personal details
  (names of people nobody listed, phone numbers, emails, NHS numbers, postcodes) so that
  de-identification has real work to do.

No sentence occurs twice anywhere in a corpus (the build asserts it): repeated text would hit the
content-hash caches (segments, embeddings, codings) and flatter the benchmark.

The FFT data is CC BY-NC-SA 4.0 (pxtextmining, The Strategy Unit / Nottinghamshire Healthcare NHS
FT; see ../shared/data/README): it is copied only into the temporary project, never the repository.

    python benchmarks/scale_corpus.py OUT_DIR --words 100000 [--seed 1]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FFT = REPO.parent / "shared" / "data" / "fft" / "fft_comments.csv"
REGIONS = ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]
CODES = {"Essex": "ESX", "Suffolk": "SFK", "Norfolk": "NFK", "Cambridgeshire": "CAM", "Peterborough": "PBO"}
FFT_SHARE = 0.08

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The sentences of a text, normalised for the no-repeat check (case and spacing ignored)."""
    return [" ".join(s.split()).casefold() for s in _SENT_SPLIT.split(text) if s.strip()]


# --------------------------------------------------------------------------------------------- word banks
FIRST = ["Sarah", "Priya", "Tom", "Gemma", "Daniel", "Karen", "Aisha", "Ravi", "Wojciech", "Agnieszka", "Kwame",
         "Ngozi", "Siobhan", "Declan", "Mei", "Wei", "Helen", "Craig", "Debbie", "Jason", "Nicola", "Imran",
         "Farah", "Piotr", "Zofia", "Chidi", "Abena", "Niamh", "Ciaran", "Lucy", "Gary", "Tracey", "Darren",
         "Joanne", "Keith", "Paula", "Neil", "Sharon", "Claire", "Colin", "Julie", "Trevor", "Elaine", "Barry",
         "Louise", "Graham", "Stacey", "Martin", "Kerry", "Adrian", "Maureen", "Brian", "Sandra", "Derek",
         "Pauline", "Raymond", "Janet", "Dennis", "Shirley", "Leonard", "Deepa", "Harpreet", "Kiran", "Rajesh",
         "Nadia", "Bilal", "Sanjay", "Meera", "Tomasz", "Ewa", "Pawel", "Beata", "Kofi", "Adaeze", "Tunde",
         "Efua", "Orla", "Cormac", "Aoife", "Eoin", "Jun", "Yan", "Hui", "Ming", "Callum", "Jade", "Kieran",
         "Chloe", "Ryan", "Leanne", "Mohammed", "Yasmin", "Tariq", "Shabana", "Gurpreet", "Vikram", "Zainab"]
SURNAMES = ["Baker", "Thompson", "Cooper", "Harris", "Clarke", "Hughes", "Turner", "Patterson", "Whitaker",
            "Goodwin", "Fletcher", "Barnes", "Lawson", "Pritchard", "Hollis", "Ashby", "Dobson", "Khan", "Patel",
            "Sharma", "Begum", "Hussain", "Nowak", "Kowalski", "Wisniewska", "Mensah", "Okafor", "Adeyemi",
            "Boateng", "Murphy", "Kelly", "O'Brien", "Byrne", "Chen", "Wang", "Liu", "Zhang", "Hatherley",
            "Whitfield", "Farrow", "Kearney", "Marsh", "Reed", "Jenkins", "Singh", "Fenwick", "Okoro", "Bramley",
            "Catchpole", "Gooderham", "Pettit", "Howlett", "Daniels", "Mortimer", "Quinton", "Rowe", "Sadler"]
STAFF_ROLES = ["the receptionist", "the practice nurse", "my consultant", "the pharmacist", "the district nurse",
               "my GP", "the physio", "the social worker", "the health visitor", "the care coordinator"]
RELATIVES = ["mum", "dad", "husband", "wife", "partner", "son", "daughter", "nan", "grandad", "sister", "brother",
             "neighbour", "father-in-law", "mother-in-law", "aunt", "uncle", "best friend", "lodger"]
CONDITIONS = ["COPD", "type 2 diabetes", "asthma", "arthritis", "epilepsy", "heart failure", "MS", "Crohn's",
              "high blood pressure", "back trouble", "angina", "kidney disease", "depression", "anxiety",
              "Parkinson's", "dementia", "psoriasis", "sleep apnoea", "thyroid trouble", "long Covid",
              "fibromyalgia", "glaucoma", "heart murmur", "osteoporosis", "coeliac disease", "bipolar",
              "gout", "migraines", "endometriosis", "sickle cell", "lupus", "hearing loss", "macular degeneration"]
HOSPITALS = ["Colchester Hospital", "Ipswich Hospital", "the Norfolk and Norwich", "Addenbrooke's",
             "Peterborough City Hospital", "the James Paget", "West Suffolk Hospital", "Hinchingbrooke",
             "Broomfield", "the Queen Elizabeth in King's Lynn", "Papworth"]
TOWNS = {"Essex": ["Colchester", "Chelmsford", "Basildon", "Southend", "Harlow", "Clacton", "Braintree"],
         "Suffolk": ["Ipswich", "Lowestoft", "Bury St Edmunds", "Felixstowe", "Sudbury", "Haverhill"],
         "Norfolk": ["Norwich", "King's Lynn", "Great Yarmouth", "Thetford", "Dereham", "Cromer"],
         "Cambridgeshire": ["Cambridge", "Huntingdon", "Ely", "Wisbech", "St Neots", "March"],
         "Peterborough": ["Peterborough", "Whittlesey", "Orton", "Werrington", "Hampton", "Bretton"]}
POSTCODE_AREAS = {"Essex": ["CO", "CM", "SS"], "Suffolk": ["IP", "CO"], "Norfolk": ["NR", "PE"],
                  "Cambridgeshire": ["CB", "PE"], "Peterborough": ["PE"]}
ORGS = ["the hospital", "my GP surgery", "the council", "social services", "the NHS", "the ambulance service",
        "the pharmacy", "the university", "a drug company", "the government", "an insurance company",
        "the mental health trust", "a tech firm", "the care home", "the integrated care board", "researchers"]
DATA = ["my records", "my notes", "my test results", "my medication list", "my scan results",
        "my mental health history", "my blood results", "my family history", "the data from my watch",
        "my care plan", "my allergies", "my discharge letters", "my GP record", "my prescriptions",
        "what's on my file", "my step counts", "my blood sugar readings", "my sexual health records"]
OPENERS = ["", "Honestly, ", "For me, ", "I suppose ", "The way I see it, ", "If I'm being honest, ",
           "Speaking as a carer, ", "From what I've seen, ", "I'd say ", "To be fair, ", "Thinking about it, ",
           "I mean, ", "Well, ", "Right, so ", "Look, ", "At the end of the day, ", "Funnily enough, ",
           "I'll be straight with you, ", "In my experience, ", "Put it this way, ", "Going back to that, ",
           "I was going to say, ", "Personally, ", "Mind you, ", "The thing is, ", "And another thing, "]
TAILS = ["", ", to be honest", ", if that makes sense", " and I think a lot of people round here feel the same",
         ", especially with my {cond}", " since my {rel} was diagnosed with {cond}", " after what happened at {hosp}",
         ", and that's after {n} years of going back and forth", " because it's happened to me more than once",
         ", which nobody ever explains", " in {town} anyway", ", at least not without asking first",
         " and my {rel} would say the same", " the way things are at the moment", ", or that's how it feels",
         " when you've been poorly for {n} years", ", and I've lived in {town} for {n} years",
         " since the pandemic really", " and I don't think that's too much to ask", ", whatever the leaflets say",
         " after {n} months on the waiting list", ", and I worked in an office for {n} years so I know",
         " and I say that as someone who's {age}", ", my {rel} especially"]
THEMES = {
    "care": [
        "I'd want {org} to see {data} straight away if I was brought into {hosp}",
        "it drives me mad telling every new doctor about my {cond} from the start",
        "my {rel} had to repeat {data} to {n} different people in one week at {hosp}",
        "nobody at the surgery knew my {rel} had been in {hosp} for {n} nights",
        "if the paramedics could see {data} it might save somebody's life",
        "the district nurse turned up with no idea what {hosp} had changed",
        "joining up {data} between the GP and {hosp} just makes sense for someone with {cond}",
        "I end up carrying {data} around in a carrier bag because the systems don't talk",
        "when my {rel} moved to {town} the records took {n} months to catch up",
    ],
    "research": [
        "I'd be happy for researchers to use {data} if it helps with {cond}",
        "if my {rel}'s {cond} could help find a cure then they can have the lot",
        "research is fine by me as long as my name is taken off",
        "I signed up for a study at {hosp} about {cond} and never heard anything back",
        "the university using {data} for research feels different from a company using it",
        "I'd want to know what came of it if they used {data} for a trial",
        "they should ask before putting {data} into a research database",
    ],
    "commercial": [
        "I don't want {org} selling {data} to make a profit",
        "if a drug company makes money from {data} then the NHS should get a cut",
        "the idea of an insurance company seeing {data} frightens the life out of me",
        "a tech firm getting hold of {data} is where I draw the line",
        "they'll say it's anonymous but somebody is making money out of {data}",
        "I'd feel differently if the profit went back into services in {town}",
    ],
    "trust": [
        "I trust my GP with {data} but I'm not sure about {org}",
        "after the news about data leaks I don't trust {org} as far as I can throw them",
        "trust has to be earned and {org} hasn't done much to earn it",
        "I trust the nurses at {hosp} more than anybody in an office",
        "it depends who's asking, because {org} and {org2} want it for different reasons",
    ],
    "security": [
        "what happens if somebody hacks into {org} and gets {data}",
        "someone at {org} could look up {data} just out of nosiness",
        "there should be proper penalties for anyone misusing {data}",
        "I worry about {data} being left on a laptop on a train",
        "the more places {data} is kept the more chances there are for a leak",
    ],
    "consent": [
        "I want to be asked before {org} gets {data}",
        "I didn't even know you could opt out until my {rel} told me",
        "I should be able to say yes to {org} and no to {org2}",
        "nobody ever asked me whether {data} could be shared with {org}",
        "opting out shouldn't mean filling in {n} forms and posting them",
        "I'd like to control who sees {data} from the NHS App",
    ],
    "access": [
        "the receptionist doesn't need to see {data}, only the doctor does",
        "in an emergency at {hosp} they should see everything, but not otherwise",
        "it should depend on their job which bits of {data} they can open",
        "my {rel}'s carer only needs {data}, not the whole file",
    ],
    "transparency": [
        "I'd like to see a list of everyone who has looked at {data}",
        "they never tell you where {data} actually goes once it leaves {org}",
        "a letter once a year saying who used {data} would put my mind at rest",
        "if {org} were upfront about it I'd probably say yes",
    ],
    "accuracy": [
        "there was a mistake in {data} about my {cond} and it took {n} months to fix",
        "I worry about a computer in {town} deciding things instead of a doctor who knows my {cond}",
        "my {rel}'s notes said {cond} when it should have said {cond2}",
        "if what's in {data} is wrong then sharing it with {org} just spreads the mistake",
    ],
    "sensitive": [
        "my mental health history is nobody's business but mine and my GP's, not {org}",
        "sexual health records should be kept separate from {data}",
        "with something like {cond} people judge you if they find out",
        "I'd want extra protection on anything about drink or drugs before {org} sees it",
        "my {rel} had a termination years ago and would hate {org} knowing",
    ],
    "citizen": [
        "my watch records my heart rate and I'd share it with {hosp} if they asked",
        "I keep a diary of my {cond} on my phone and the GP never looks at it",
        "the app for my {cond} knows more about me than my doctor does",
        "my {rel} uses a blood pressure monitor at home and writes it all down",
    ],
    "oversight": [
        "there should be ordinary people on the board that decides who gets {data}",
        "a citizens' panel in {town} would make me trust {org} more",
        "somebody independent should be checking what {org} does with {data}",
    ],
    "consistency": [
        "it shouldn't matter whether you live in {town} or {town2}, the rules should be the same",
        "when I moved from {town} to {town2} it was like starting again",
        "every area seems to do its own thing with {data}",
    ],
}
QUESTION_OPEN = ["So ", "OK, and ", "Can I ask, ", "Thinking about what {name} said, ", "Moving on a bit, ",
                 "{name}, ", "Just to pick up on that, ", "And for you, ", "If I can ask everyone, ",
                 "Let me put it another way, ", "Going back to the start, ", "Out of interest, "]
QUESTION_CORE = [
    "how would you feel about {org} seeing {data}", "what would make you trust {org} with {data}",
    "who do you think should be allowed to see {data}", "what worries you most about sharing {data}",
    "would it change your mind if {org} made money from {data}", "what would you expect {org} to tell you",
    "how should people in {town} be asked about sharing {data}", "what does a good opt-out look like to you",
    "has anyone had a mistake in their records like that", "would you share the data from your own devices",
    "should research be treated differently from planning services in {town}",
    "what would you want to happen if {org} lost {data}", "who should keep an eye on how {data} is used",
]
ACKS = ["Thank you, that's really helpful", "That's a really interesting point", "OK, thanks for sharing that",
        "Right, I'm going to note that down", "Mm, that's come up in other groups too", "I see, thank you",
        "That's useful, thanks", "OK, let's hear from someone else on that", "Great, thank you"]
PII = [
    "my {rel}'s number is {phone} if anyone wants to ask her",
    "you can ring me on {phone} after this if you like",
    "my email is {email} so they've got that too",
    "my NHS number is {nhs} and I know it off by heart",
    "we're at {house} {street}, {postcode}, so it's the surgery on the corner",
    "{person} on reception at the surgery was lovely about it",
    "Dr {surname} at {hosp} explained it all to me",
    "my neighbour {person} had exactly the same thing happen",
    "I was born on {dob} and they still got my age wrong",
    "I spoke to {person} from the council and she'd never heard of it",
]
STREETS = ["Orwell Road", "Mill Lane", "Church Street", "Station Road", "Victoria Avenue", "Park Road",
           "The Street", "London Road", "High Street", "Quay Street", "Bury Road", "Maldon Road", "Norwich Road"]
# a generic stance sentence: attitude + who + doing what + with what + why
ATTITUDES = ["I'd be fine with", "I'm not comfortable with", "I'd hate", "I don't mind", "I'd be furious about",
             "I could live with", "I'd want a say in", "I can't stand the idea of", "I'd be all for",
             "I'd draw the line at", "I'd have no problem with", "it would worry me,", "I'd feel better about",
             "I'd need convincing about", "my {rel} would never agree to", "I'm in two minds about",
             "I'd be more relaxed about", "I'd be dead against"]
ACTIONS = ["looking at", "holding on to", "sharing", "selling", "analysing", "passing on", "getting access to",
           "linking up", "keeping copies of", "reading through", "downloading", "combining"]
PURPOSES = ["to plan services", "for research into {cond}", "to make money", "without telling me",
            "so they can target adverts", "to cut waiting lists in {town}", "for my own care",
            "if it's anonymised properly", "as long as I'm asked first", "when I'm unconscious in A&E",
            "to decide who gets treated first", "for the next {n} years", "to train a computer program",
            "to check up on people claiming benefits", "so a locum at {hosp} knows about my {cond}",
            "without a proper reason", "behind closed doors", "to work out where to put a new surgery"]
STORY_EVENTS = ["was taken into {hosp}", "had a fall at home", "went in for a hip operation",
                "was discharged from {hosp}", "had a stroke", "was diagnosed with {cond}", "moved to {town}",
                "rang 111 in the middle of the night", "changed GP surgery", "saw a specialist about {cond}",
                "went to A&E with chest pains", "started on new tablets for {cond}"]
STORY_TIMES = ["last year", "in {month}", "a couple of years back", "{n} weeks ago", "just before Christmas",
               "over the summer", "back in {year}", "the other month"]
STORY_OUTCOMES = ["nobody could find the notes from the GP", "they had everything on screen before we arrived",
                  "we had to tell the whole story {n} times", "the pharmacy didn't know about the new tablets",
                  "the letter went to the wrong address", "it was honestly brilliant how joined up it was",
                  "the GP only found out {n} weeks later", "they'd got the wrong allergies on file",
                  "the care home never got the discharge letter", "the paramedics knew about the {cond} already",
                  "I ended up ringing round {n} different departments", "nobody asked who could see the results"]

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


@dataclass
class Corpus:
    """What was built: the config path, word counts and the sessions."""

    config: Path
    words: int
    transcript_words: int
    survey_words: int
    sessions: int
    sentences: int
    planted: dict = field(default_factory=dict)


class _Writer:
    """Draws sentences from the banks, refusing any sentence already used anywhere in the corpus."""

    def __init__(self, rng: random.Random, seen: set[str]):
        self.rng, self.seen = rng, seen
        self.planted = {"name": 0, "phone": 0, "email": 0, "nhs": 0, "postcode": 0}
        self._phones = iter(self._phone_numbers())

    def _phone_numbers(self):
        numbers = []
        for prefix in ("07700 900", "01632 960", "020 7946 0", "0113 496 0"):  # Ofcom drama ranges
            numbers += [f"{prefix}{i:03d}" for i in range(1000)]
        self.rng.shuffle(numbers)
        while True:
            yield from numbers
            numbers = [n.replace(" ", "", 1) for n in numbers]  # the same numbers written another way

    def _nhs(self) -> str:
        while True:
            digits = [self.rng.randint(0, 9) for _ in range(9)]
            check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
            check = 0 if check == 11 else check
            if check != 10:
                s = "".join(map(str, digits + [check]))
                return self.rng.choice([f"{s[:3]} {s[3:6]} {s[6:]}", s, f"{s[:3]}-{s[3:6]}-{s[6:]}"])

    def fill(self, template: str, region: str, names: list[str]) -> str:
        r = self.rng
        towns = TOWNS[region]
        values = {
            "org": r.choice(ORGS), "org2": r.choice(ORGS), "data": r.choice(DATA), "cond": r.choice(CONDITIONS),
            "cond2": r.choice(CONDITIONS), "rel": r.choice(RELATIVES), "hosp": r.choice(HOSPITALS),
            "town": r.choice(towns), "town2": r.choice(sum(TOWNS.values(), [])), "n": r.randint(2, 30),
            "age": f"{r.randint(19, 88)}", "name": r.choice(names) if names else "everyone",
            "month": r.choice(MONTHS), "year": r.randint(1995, 2025),
        }
        if "{phone}" in template:
            values["phone"] = next(self._phones)
            self.planted["phone"] += 1
        if "{email}" in template:
            values["email"] = (f"{r.choice(FIRST).lower()}.{r.choice(SURNAMES).lower().replace(chr(39), '')}"
                               f"{r.randint(1, 999)}@{r.choice(['gmail.com', 'hotmail.co.uk', 'btinternet.com'])}")
            self.planted["email"] += 1
        if "{nhs}" in template:
            values["nhs"] = self._nhs()
            self.planted["nhs"] += 1
        if "{postcode}" in template:
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            values["postcode"] = (f"{r.choice(POSTCODE_AREAS[region])}{r.randint(1, 30)} "
                                  f"{r.randint(0, 9)}{r.choice(letters)}{r.choice(letters)}")
            values["house"], values["street"] = r.randint(1, 140), r.choice(STREETS)
            self.planted["postcode"] += 1
        if "{person}" in template or "{surname}" in template:
            values["person"] = r.choice([r.choice(FIRST), f"{r.choice(FIRST)} {r.choice(SURNAMES)}"])
            values["surname"] = r.choice(SURNAMES)
            self.planted["name"] += 1
        if "{dob}" in template:
            values["dob"] = f"{r.randint(1, 28)} {r.choice(MONTHS)} {r.randint(1935, 2000)}"
        return template.format(**values)

    def unique(self, make) -> str:
        """A sentence from ``make()`` that is new to the corpus (``make`` is called until one is)."""
        for _ in range(200):
            s = make()
            key = sentences(s)
            if all(k not in self.seen for k in key) and len(set(key)) == len(key):
                self.seen.update(key)
                return s
        raise RuntimeError("the word banks ran out of new sentences; add wording")

    def participant_sentence(self, region: str, names: list[str], theme: str) -> str:
        r = self.rng

        def make() -> str:
            roll = r.random()
            if roll < 0.06:
                core = self.fill(r.choice(PII), region, names)
            elif roll < 0.35:
                core = self.fill(f"{r.choice(ATTITUDES)} {r.choice(ORGS)} {r.choice(ACTIONS)} {r.choice(DATA)} "
                                 f"{r.choice(PURPOSES)}", region, names)
            elif roll < 0.5:
                core = self.fill(f"when my {{rel}} {r.choice(STORY_EVENTS)} {r.choice(STORY_TIMES)}, "
                                 f"{r.choice(STORY_OUTCOMES)}", region, names)
            else:
                core = self.fill(r.choice(THEMES[theme if r.random() < 0.6 else r.choice(list(THEMES))]),
                                 region, names)
            tail = self.fill(r.choice(TAILS), region, names)
            opener = r.choice(OPENERS)
            text = f"{opener}{core}{tail}"
            return text[0].upper() + text[1:] + r.choice([".", ".", ".", "!", "?"] if "what" in core[:6] else ".")
        return self.unique(make)

    def question(self, region: str, names: list[str]) -> str:
        r = self.rng

        def make() -> str:
            text = self.fill(r.choice(QUESTION_OPEN) + r.choice(QUESTION_CORE), region, names)
            text = re.sub(r"\bmy\b", "your", text)
            if r.random() < 0.5:
                text += self.fill(r.choice([" if you were living in {town}", " for someone with {cond}",
                                            " compared with {org2}", " thinking about your {rel}",
                                            " after a stay at {hosp}", " over the next {n} years"]), region, names)
            return text[0].upper() + text[1:] + "?"
        return self.unique(make)

    def ack(self, region: str, names: list[str]) -> str:
        r = self.rng

        def make() -> str:
            return self.fill(r.choice(ACKS) + r.choice(["", ", {name}"]) + r.choice(
                [".", ", and it links to what you said about {data}.", ", especially the bit about {org}.",
                 ", and people in {town} said something similar.", ", we'll come back to {cond} later."]),
                region, names)
        return self.unique(make)


def _count(text: str) -> int:
    return len(text.split())


def _session_text(w: _Writer, rng: random.Random, region: str, kind: str, facilitators: list[str],
                  people: list[str], target: int) -> tuple[str, int]:
    """One transcript (``Label: text`` lines, the sample's plain-text form) of about ``target`` words."""
    lines, words = [], 0
    themes = list(THEMES)
    first = (f"Thanks everyone for coming along today to talk about health data in {region}, "
             f"session {rng.randint(1, 10**6)}.") if kind == "focus_group" else \
        f"Thank you for agreeing to talk to me about health data, this is interview {rng.randint(1, 10**6)}."
    w.seen.update(sentences(first))
    lines.append(f"{facilitators[0]}: {first}")
    words += _count(first)
    theme = rng.choice(themes)
    while words < target:
        if rng.random() < 0.15:
            theme = rng.choice(themes)
        fac = rng.choice(facilitators)
        q = w.question(region, people)
        lines.append(f"{fac}: {q}")
        words += _count(q)
        for _ in range(rng.randint(1, 4) if kind == "focus_group" else rng.randint(1, 2)):
            speaker = rng.choice(people)
            others = [p for p in people if p != speaker] or people
            said = []
            for _ in range(rng.choice([1, 2, 2, 3, 3, 4, 5])):
                said.append(w.participant_sentence(region, others, theme))
                words += _count(said[-1])
                if words >= target:   # stop mid-turn: the corpus lands within a sentence of its size
                    break
            lines.append(f"{speaker}: {' '.join(said)}")
            if words >= target:
                break
        if rng.random() < 0.3:
            a = w.ack(region, people)
            lines.append(f"{fac}: {a}")
            words += _count(a)
    return "\n\n".join(lines) + "\n", words


def _fft_rows(rng: random.Random, seen: set[str], budget: int) -> list[dict]:
    """Real FFT answers whose every sentence is new to the corpus, up to ``budget`` words."""
    rows = []
    if not FFT.is_file() or budget <= 0:
        return rows
    with open(FFT, encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    rng.shuffle(records)
    words = 0
    for rec in records:
        answer = (rec.get("answer") or "").strip()
        key = sentences(answer)
        if not key or len(set(key)) < len(key) or any(k in seen for k in key):
            continue
        if words + _count(answer) > budget:
            continue
        seen.update(key)
        d, m, y = (rec.get("date") or "01/01/2022").split("/")
        rows.append({"respondent_id": f"R{len(rows) + 1:05d}", "region": rng.choice(REGIONS),
                     "submitted": f"{y}-{m}-{d}", "question": " ".join(rec["question"].split()), "answer": answer})
        words += _count(answer)
        if words >= budget * 0.995:
            break
    return rows


def build_corpus(folder: Path, words: int, seed: int = 1, *, fft_share: float = FFT_SHARE,
                 n_process: int | None = None) -> Corpus:
    """Write a project folder of about ``words`` words with no sentence repeated; return what was built."""
    rng = random.Random(seed)
    folder = Path(folder)
    raw = folder / "raw"
    (raw / "transcripts").mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    w = _Writer(rng, seen)

    fft = _fft_rows(rng, seen, int(words * fft_share))
    survey_words = sum(_count(r["answer"]) for r in fft)
    sessions = []
    if fft:
        (raw / "survey").mkdir(exist_ok=True)
        with open(raw / "survey" / "fft_survey.csv", "w", encoding="utf-8", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=list(fft[0]))
            out.writeheader()
            out.writerows(fft)
        sessions.append({"session_id": "FFT-SURVEY", "file": "survey/fft_survey.csv", "region": "",
                         "kind": "survey", "date": "", "facilitators": "", "respondent_column": "respondent_id",
                         "text_column": "answer", "region_column": "region", "date_column": "submitted",
                         "question_column": "question"})
    participants = []
    transcript_words, counters = 0, {r: {"focus_group": 0, "interview": 0} for r in REGIONS}
    remaining = words - survey_words
    while transcript_words < remaining:
        region = REGIONS[len(sessions) % len(REGIONS)]
        kind = "focus_group" if rng.random() < 0.6 else "interview"
        counters[region][kind] += 1
        sid = f"{CODES[region]}-{'FG' if kind == 'focus_group' else 'INT'}{counters[region][kind]}"
        target = rng.randint(5000, 11000) if kind == "focus_group" else rng.randint(2500, 5000)
        target = min(target, max(remaining - transcript_words, 200))
        fac_labels = ["Facilitator", "Co-facilitator"] if kind == "focus_group" else ["Interviewer"]
        people = rng.sample(FIRST, rng.randint(5, 8) if kind == "focus_group" else 1)
        text, n = _session_text(w, rng, region, kind, fac_labels, people, target)
        transcript_words += n
        (raw / "transcripts" / f"{sid}.txt").write_text(text, encoding="utf-8")
        month = rng.randint(1, 6)
        sessions.append({"session_id": sid, "file": f"transcripts/{sid}.txt", "region": region, "kind": kind,
                         "date": f"2026-{month:02d}-{rng.randint(1, 28):02d}", "facilitators": ";".join(fac_labels),
                         "respondent_column": "", "text_column": "", "region_column": "", "date_column": "",
                         "question_column": ""})
        for i, label in enumerate(fac_labels, start=1):
            participants.append({"session_id": sid, "speaker_label": label, "participant_id": f"{sid}-F{i}",
                                 "role": "facilitator", "name": f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}"})
        for i, label in enumerate(people, start=1):
            participants.append({"session_id": sid, "speaker_label": label, "participant_id": f"{sid}-P{i:02d}",
                                 "role": "participant", "name": f"{label} {rng.choice(SURNAMES)}"})
    for name, rows in (("sessions.csv", sessions), ("participants.csv", participants)):
        with open(raw / name, "w", encoding="utf-8", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=list(rows[0]))
            out.writeheader()
            out.writerows(rows)
    config = folder / "engagement.yaml"
    extra = f"n_process: {n_process}\n" if n_process else ""
    config.write_text(f"project: scale benchmark ({words} words, seed {seed})\nraw_dir: raw\n"
                      f"processed_dir: processed\nfigures_dir: figures\nreports_dir: reports\n"
                      f"regions: [{', '.join(REGIONS)}]\nseed: {seed}\n{extra}", encoding="utf-8")
    check_no_repeats(folder)
    return Corpus(config, survey_words + transcript_words, transcript_words, survey_words, len(sessions),
                  len(seen), dict(w.planted))


def corpus_texts(folder: Path) -> list[str]:
    """Every turn's text (transcript lines without their label) and every survey answer in a built corpus."""
    raw = Path(folder) / "raw"
    texts = []
    for path in sorted((raw / "transcripts").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                texts.append(line.split(": ", 1)[1])
    survey = raw / "survey" / "fft_survey.csv"
    if survey.is_file():
        with open(survey, encoding="utf-8", newline="") as fh:
            texts += [r["answer"] for r in csv.DictReader(fh)]
    return texts


def check_no_repeats(folder: Path) -> int:
    """Assert that no sentence occurs twice in the corpus; return the number of sentences."""
    seen: dict[str, int] = {}
    for text in corpus_texts(folder):
        for s in sentences(text):
            seen[s] = seen.get(s, 0) + 1
    repeated = [s for s, n in seen.items() if n > 1]
    assert not repeated, f"{len(repeated)} sentence(s) repeated, e.g. {repeated[:3]}"
    return len(seen)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    c = build_corpus(args.folder, args.words, args.seed)
    print(f"{c.config}: {c.words:,} words ({c.transcript_words:,} transcripts, {c.survey_words:,} FFT survey), "
          f"{c.sessions} sessions, {c.sentences:,} distinct sentences; planted {c.planted}")


if __name__ == "__main__":
    main()
