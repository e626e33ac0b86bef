"""The detector: finds personal details in text and records how each was found.

:class:`Detector` combines the structured-identifier patterns (:mod:`engagement.privacy.patterns`),
the deny list, known names and the title and context rules (:mod:`engagement.privacy.names`) and spaCy
NER, then resolves overlaps so each character belongs to at most one :class:`Hit`. What counts as
a personal detail, and why, is set out in :mod:`engagement.privacy.deidentify`.

Example:
    >>> det = Detector(known_names=["Sarah Jenkins"], use_ner=False)
    >>> [(h.type, h.method) for h in det.detect("Thanks, Sarah. Ring 07700 900461.")]
    [('PERSON', 'known_name'), ('PHONE', 'regex')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Iterable, Iterator, Sequence

from engagement.privacy import patterns as pp
from engagement.privacy.names import NameRules, known_forms

_TYPE_RANK = {"EMAIL": 0, "NHS_NUMBER": 1, "NI_NUMBER": 2, "HOSPITAL_NUMBER": 3, "PHONE": 4, "VEHICLE_REG": 5,
              "POSTCODE": 6, "ADDRESS": 7, "DATE_OF_BIRTH": 8, "LOCATION": 9, "AGE": 10, "PERSON": 11}
_METHOD_RANK = {"deny_list": 0, "checksum": 1, "regex": 2, "facility": 3, "known_name": 4, "title": 5, "context": 6,
                "list": 7, "ner": 8}
_VETO_LABELS = {"GPE", "LOC", "LANGUAGE", "DATE", "TIME", "EVENT", "LAW", "MONEY", "PERCENT", "QUANTITY", "ORDINAL",
                "CARDINAL"}


@dataclass(frozen=True)
class Hit:
    """One detected personal detail in a text: character offsets, type, and the method that found it."""

    start: int
    end: int
    type: str
    method: str
    value: str = field(repr=False)
    canonical: str | None = field(default=None, repr=False)


def _rank(hit: Hit) -> tuple:
    kind = "AGE" if hit.type.startswith("AGE") else hit.type
    return (_TYPE_RANK.get(kind, 12), -(hit.end - hit.start), _METHOD_RANK.get(hit.method, 9), hit.start)


def _alternation(terms: Iterable[str]) -> re.Pattern | None:
    parts = sorted({re.sub(r"\\\s+|\\ ", r"\\s+", re.escape(t.strip())) for t in terms if t and t.strip()},
                   key=lambda s: (-len(s), s))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _ascii_variant(text: str) -> str:
    import unicodedata

    text = text.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", pp.fold(text)).strip()


class Detector:
    """Finds personal details in text. Fitted state: patterns, known names, allow/deny lists, the NER.

    Args:
        known_names: names to catch anywhere: strings ("Sarah", "Sarah Jenkins") or
            ``(alias, full name)`` pairs ("Seun", "Oluwaseun Adebayo"). A single name that belongs
            to exactly one full name (as its first or last token, or a prefix/suffix of one)
            shares that person's placeholder.
        allow_list: terms never redacted as names or places (case-insensitive, whole words).
        deny_list: terms always redacted, as ``LOCATION`` (case-insensitive, whole words).
        max_age: ages above this are redacted.
        use_ner: run spaCy NER for PERSON (the pipeline is loaded on first use, NER only).
        nlp: a spaCy pipeline to use instead (tests pass ``spacy.blank("en")``: no NER).
        model: the model package, or "auto".
        reference_year: the year used to tell whether a birth year means an age over ``max_age``.
        name_rules: apply the title and context rules for names (the leak check can do without).
        hide_facilities: redact GP surgeries, practices, pharmacies, care homes and schools named by
            street, village or name ("Thorpe Road Surgery") as ``LOCATION`` (method ``facility``).
        echo_ages: ages over ``max_age`` found elsewhere in the study in words ("ninety-seven"),
            hidden wherever they are said again (method ``echo``).
    """

    def __init__(self, *, known_names: Iterable[str | tuple[str, str]] = (), allow_list: Iterable[str] = (),
                 deny_list: Iterable[str] = (), max_age: int = 89, use_ner: bool = True, nlp=None,
                 model: str = "auto", reference_year: int | None = None, name_rules: bool = True,
                 hide_facilities: bool = True, echo_ages: Iterable[str] = ()):
        self.allow_list = sorted({a.strip() for a in allow_list if a and a.strip()})
        self.deny_list = sorted({d.strip() for d in deny_list if d and d.strip()})
        self.max_age = int(max_age)
        self.reference_year = reference_year or date.today().year
        self.use_ner = use_ner
        self.name_rules = name_rules
        self.hide_facilities = hide_facilities
        self.model = model
        self._nlp = nlp
        # multi-word non-names ("Sky News", "Lloyd George") shield name hits the way allowed terms do
        self._allow_re = _alternation([*self.allow_list, *(n for n in pp.NER_NON_NAMES if " " in n)])
        self._allow_words = {_key(a) for a in self.allow_list}
        self._deny_re = _alternation(self.deny_list)
        # an age found once, in words, said back where no context gives it away ("Ninety-seven, wow.")
        self._echo_re = _alternation(sorted({a.strip() for a in echo_ages if a and len(a.strip()) >= 6}))
        self.known = known_forms(known_names)
        variants = {v for k in self.known.values() for form in k.surfaces for v in (form, _ascii_variant(form))}
        self._known_re = _alternation(variants)
        self._rules = NameRules(self._blocked)

    # ---- the spaCy pipeline, loaded lazily with only what NER needs
    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = _load_ner(self.model)
        return self._nlp

    @property
    def runs_ner(self) -> bool:
        return self.use_ner and "ner" in self.nlp.pipe_names

    def known_tokens(self) -> set[str]:
        """Every token of every known name, folded (for pseudonyms to avoid)."""
        return {t for form in self.known for t in form.split()}

    def detect(self, text: str) -> list[Hit]:
        """Personal details in ``text``, non-overlapping, in order of position."""
        return self.detect_many([text])[0]

    def detect_many(self, texts: Iterable[str], batch_size: int = 64, n_process: int = 1) -> list[list[Hit]]:
        """:meth:`detect` for many texts; NER runs over them with ``nlp.pipe``."""
        texts = ["" if t is None else str(t) for t in texts]
        ents: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        if texts and self.runs_ner:
            ents = self._entities(texts, batch_size, n_process)
        return [self._detect_one(t, e) for t, e in zip(texts, ents)]

    def _entities(self, texts: list[str], batch_size: int, n_process: int) -> list[list[tuple[int, int, str]]]:
        limit = min(self.nlp.max_length, 10_000)
        pieces, owners = [], []
        for i, text in enumerate(texts):
            for off, chunk in _chunks(text, limit):
                pieces.append(chunk)
                owners.append((i, off))
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        for (i, off), doc in zip(owners, self.nlp.pipe(pieces, batch_size=batch_size, n_process=n_process)):
            out[i].extend((off + e.start_char, off + e.end_char, e.label_) for e in doc.ents)
        return out

    # ---- one text
    def _blocked(self, token: str, *, strong: bool = False) -> bool:
        k = _key(token)
        if k in self._allow_words or k in pp.ORG_SUFFIXES or k in pp.KIN_WORDS or k in pp.NER_NON_NAMES:
            return True
        if k.rstrip(".") in pp.TITLES:
            return True
        if strong:   # "my daughter June": months are names after a title or relation
            return k in pp.NON_NAME_WORDS and k not in pp.MONTH_NAMES
        # "Honestly" and "Personally" open sentences; "Emily", "Holly" and "Beverly" are first names
        return k in pp.NON_NAME_WORDS or k in pp.MONTH_NAMES or (len(k) > 4 and k.endswith("ly") and not _lexicon_name(k))

    def _detect_one(self, text: str, ents: Sequence[tuple[int, int, str]]) -> list[Hit]:
        if not text.strip():
            return []
        spans = pp.find_structured(text, max_age=self.max_age, reference_year=self.reference_year)
        hits = [Hit(s.start, s.end, s.type, s.method, text[s.start:s.end]) for s in spans]
        if self._deny_re is not None:
            hits += [Hit(m.start(), m.end(), "LOCATION", "deny_list", m.group()) for m in self._deny_re.finditer(text)]
        if self._echo_re is not None:
            hits += [Hit(m.start(), m.end(), f"AGE_OVER_{self.max_age}", "echo", m.group())
                     for m in self._echo_re.finditer(text)]
        if self.hide_facilities:
            hits += [Hit(s.start, s.end, s.type, s.method, text[s.start:s.end]) for s in pp.find_facilities(text)]
            hits += _lower_practices(text)
        persons = [e for e in ents if e[2] == "PERSON"]
        vetoes = _Spans((s, e) for s, e, label in ents if label in _VETO_LABELS)
        hits += self._known_hits(text, persons)
        person_spans = _Spans((s, e) for s, e, _ in persons)
        ner_places = _Spans((s, e) for s, e, label in ents if label in ("GPE", "LOC", "FAC"))
        for a, b, method, strong in (self._rules.find(text) if self.name_rules else ()):
            h = Hit(a, b, "PERSON", method, text[a:b])
            if strong is None:   # a weak context: the NER or the name lexicon must agree ("Piotr was lovely")
                if _key(text[a:b]) in pp.UK_PLACES or _CAMEL.search(text[a:b]):
                    continue         # "Brilliant. Norwich. Thanks.", "years ago, WannaCry.": a town or a brand
                if method == "alone":    # a word said as a sentence: only a first name the lexicon knows
                    if _lexicon_name(text[a:b]) and not self._blocked(text[a:b]):
                        hits.append(h)
                    continue
                if person_spans.overlaps(a, b) or _lexicon_name(text[a:b]) or (
                        method != "alone" and _not_a_word(text[a:b]) and not ner_places.overlaps(a, b)) or (
                        method == "spelled out" and _lexicon_any_name(text[a:b])):
                    hits.append(h)
            elif strong or not vetoes.overlaps(h.start, h.end):
                hits.append(h)
            elif self._unknown_word(h.value) or (_lexicon_name(h.value) and _key(h.value) not in pp.UK_PLACES):
                hits.append(h)   # "I'm Nkechi": the NER calls an unusual name a place; no word or place is called so
        allowed = [(m.start(), m.end()) for m in self._allow_re.finditer(text)] if self._allow_re else []
        not_people = _Spans((s, e) for s, e, label in ents if label in ("GPE", "LOC", "FAC", "ORG"))
        hits += [h for h in self._list_siblings(text, hits, _Spans(allowed))
                 if not not_people.overlaps(h.start, h.end) or _lexicon_name(h.value) or _not_a_word(h.value)]
        places = [(s, e) for s, e, label in ents if label in ("GPE", "LOC", "FAC")] + allowed
        hits += self._ner_hits(text, persons, _Spans(places))
        if self.name_rules:
            alone = _ONE_WORD_RE.fullmatch(text)
            if alone and _lexicon_name(alone.group("w")) and _key(alone.group("w")) not in pp.UK_PLACES \
                    and not self._blocked(alone.group("w")):   # a first name the lexicon knows; "Theropy." is a typo
                hits.append(Hit(alone.start("w"), alone.end("w"), "PERSON", "alone", alone.group("w")))
            hits += self._unknown_word_hits(text, ents, _Spans(allowed + [(h.start, h.end) for h in hits]))
            hits += self._our_first_name_hits(text, _Spans(allowed + [(h.start, h.end) for h in hits]))
            hits += self._lower_relation_hits(text, _Spans(allowed + [(h.start, h.end) for h in hits]))
            hits += [Hit(m.start(), m.end(), "PERSON", "spelled", m.group()) for m in _SPELLED_RE.finditer(text)]
        hits = [_with_initials(text, h) if h.type == "PERSON" else h for h in hits]
        hits = [h for h in hits if not (h.type == "PERSON" and h.method != "known_name" and _eponym(text, h))]
        hits = [h for h in hits if not (h.type == "PERSON" and h.method in ("ner", "context", "list")
                                        and (_SAINT_BEFORE.search(text[max(0, h.start - 7):h.start])
                                             or _SAINT_START.match(h.value))
                                        and _SAINT_PLACE_AFTER.match(text, h.end))]
        protected = _Spans((m.start(), m.end()) for m in pp.PLACEHOLDER_RE.finditer(text))
        hits = [h for h in hits if not protected.overlaps(h.start, h.end)]
        if allowed:
            allowed_spans = _Spans(allowed)
            hits = [t for h in hits for t in self._respect_allow_list(text, h, allowed_spans)]
        return _resolve(text, hits)

    def _unknown_word_hits(self, text: str, ents: Sequence[tuple[int, int, str]], taken: "_Spans") -> list[Hit]:
        """Capitalised words that no dictionary, name list or gazetteer knows, where talk puts a person:
        "our Wenna", "Tadhg uses it", "And Nkechi was in A&E", "her handbag and Adebayo in the car,
        he's one of our carers".

        These are the names a detector has never seen (an unusual first name the NER calls a place,
        or drops at the start of a sentence). A word where a place is named ("in Stanground", "out
        of Broadmoor") stays a place: places are kept unless the deny list names them. Ordinary
        words, countries, towns in the gazetteer and brands stay; ``taken`` holds the allowed terms
        and what other rules already found.
        """
        person_spans = _Spans((s, e) for s, e, label in ents if label == "PERSON")
        out = []
        for m in _CAP_WORD_RE.finditer(text):
            a, b = m.span()
            word = m.group()
            if not self._unknown_word(word) or taken.overlaps(a, b) or self._rules.org_follows(text, b):
                continue
            before = text[max(0, a - 40):a]
            if _OUR_BEFORE.search(before):
                out.append(Hit(a, b, "PERSON", "unknown_word", word))
                continue
            if _FAMILY_AFTER.match(text, b) and re.search(r"\b(?i:the)[ \t]+$", before):
                out.append(Hit(a, b, "PERSON", "unknown_word", word))   # "the Achterberg lot", "the Okonjo family"
                continue
            if _PLACE_BEFORE.search(before) or self._rules.locative(text, a, b):
                continue
            if _WITH_BEFORE.search(before) or _PRONOUN_AFTER.match(text, b):
                out.append(Hit(a, b, "PERSON", "unknown_word", word))   # "her handbag and Adebayo in the car, he's..."
                continue
            if _SUBJECT_VERB_AFTER.match(text, b) and (len(word) > 4 or person_spans.overlaps(a, b)):
                out.append(Hit(a, b, "PERSON", "unknown_word", word))   # "Serv was ok": a short word needs the NER
        return out

    def _lower_relation_hits(self, text: str, taken: "_Spans") -> list[Hit]:
        """A name typed in lower case, as survey answers are: after a relation, owning something or with
        something said of them ("my son tayo's records", "my son jayden is autistic"), or signing the answer
        off ("... - jaswinder k"); only a token no dictionary knows, or a first name the lexicon knows."""
        from engagement.privacy.lexicon import english_word

        out = []
        for m in _LOWER_RELATION_RE.finditer(text):
            a, b = m.span("name")
            word = m.group("name")
            cap = word[:1].upper() + word[1:]
            if taken.overlaps(a, b) or len(word) < 3 or word in pp.NON_NAME_WORDS:
                continue
            stems = [word[:-len(e)] for e in ("ed", "d", "ing", "s", "es") if word.endswith(e) and len(word) - len(e) >= 3]
            if any(english_word(x) for x in stems):
                continue         # "my mum cried, ...": a verb
            if _lexicon_name(cap) or (_not_a_word(cap) and _key(cap) not in pp.UK_PLACES):
                out.append(Hit(a, b, "PERSON", "context", word))
        m = _LOWER_SIGNOFF_RE.search(text)
        if m and not taken.overlaps(*m.span("name")):
            first = m.group("name").split()[0]
            cap = first[:1].upper() + first[1:]
            if first not in pp.NON_NAME_WORDS and (_lexicon_name(cap) or (_not_a_word(cap) and _key(cap) not in pp.UK_PLACES)):
                out.append(Hit(m.start("name"), m.end("name"), "PERSON", "signed", m.group("name")))
        return out

    def _our_first_name_hits(self, text: str, taken: "_Spans") -> list[Hit]:
        """"our Jade", "Our Poppy, my granddaughter": a first name after "our" is family, even one
        that is also a word (kinship talk: "our Will's moved back"); "our NHS", "our Lord" are no names."""
        from engagement.privacy.lexicon import load_lexicon

        lexicon = load_lexicon()
        out = []
        for m in _CAP_WORD_RE.finditer(text):
            a, b = m.span()
            word = m.group()
            if (taken.overlaps(a, b) or word.isupper() or len(word) < 3 or not _OUR_BEFORE.search(text[max(0, a - 8):a])
                    or not lexicon.is_first(word) or _key(word) in pp.UK_PLACES or self._blocked(word)
                    or self._rules.org_follows(text, b)):
                continue
            out.append(Hit(a, b, "PERSON", "context", word))
        return out

    def _unknown_word(self, word: str) -> bool:
        k = _key(word)
        return (len(k) >= 3 and not word.isupper() and k not in pp.UK_PLACES and k not in pp.NER_NON_NAMES
                and not k.endswith(_DRUG_ENDINGS) and not self._blocked(word) and _not_a_word(word))

    def _list_siblings(self, text: str, hits: list[Hit], allowed: "_Spans") -> list[Hit]:
        """Names listed beside a found name ("Tom, Aisha and Wojciech"): one hop each way, repeated.

        What the NER calls a place or organisation in such a list ("Darlington, James Cook,
        Sedgefield") counts only when the name lexicon knows it as a first name or it is no word."""
        seen = {(h.start, h.end) for h in hits if h.type == "PERSON"}
        todo, out = sorted(seen), []
        while todo:
            a, b = todo.pop()
            for s, e in self._rules.siblings(text, a, b):
                if (s, e) in seen or allowed.overlaps(s, e) or self._rules.org_follows(text, e):
                    continue
                seen.add((s, e))
                todo.append((s, e))
                out.append(Hit(s, e, "PERSON", "list", text[s:e]))
        return out

    def _known_hits(self, text: str, persons: Sequence[tuple[int, int, str]]) -> list[Hit]:
        if self._known_re is None:
            return []
        out = []
        for m in self._known_re.finditer(text):
            form = self.known.get(_key(m.group()))
            if form is None:
                continue
            word = m.group()
            if form.ambiguous or len(word) < 4:
                if not word[:1].isupper():
                    continue
                if form.ambiguous and not self._rules.name_context(text, m.start(), m.end(), month=form.month) \
                        and not any(s <= m.start() and m.end() <= e for s, e, _ in persons
                                    if not _sentence_start_word_name(text, m.start(), s, e)) \
                        and not _owner_mid_sentence(text, m.start(), m.end()):
                    continue
            elif not (word[:1].isupper() or word.islower()):
                continue
            if self._rules.org_follows(text, m.end()):
                continue
            out.append(Hit(m.start(), m.end(), "PERSON", "known_name", word, form.canonical))
        return out

    def _ner_hits(self, text: str, persons: Sequence[tuple[int, int, str]],
                  places: "_Spans | None" = None) -> list[Hit]:
        places = places if places is not None else _Spans(())
        out = []
        for s, e, _ in persons:
            span = self._ner_span(text, s, e)
            if span is None:
                continue
            a, b = span
            value = text[a:b]
            words = [w for w in value.split() if not re.fullmatch(rf"{pp.UP}\.", w)]   # "A. Reduce": judge "Reduce"
            if len(words) > 1 and any(w.isupper() and len(w) > 1 for w in words):
                continue  # "Wansbeck RVI": names hold no acronyms
            if len(words) > 1 and _key(words[-1]) in pp.CONDITION_WORDS:
                continue  # "Personality Disorder"
            if len(words) == 1 and _key(words[0]) in pp.UK_PLACES and self.known.get(_key(words[0])) is None:
                continue  # "issues with Durham", "Shotley Bridge"-like towns: a place
            if len(words) == 1:
                w0 = a + value.rindex(words[0])
                k = _key(words[0])
                known = self.known.get(k)
                if known is not None and not known.ambiguous:
                    pass  # a known name: NER agrees
                elif self._rules.locative(text, a, b) or _listed_with(text, a, b, places):
                    continue  # "in Devon", "taken to James Cook", "Lynn and Norwich", "within the Law"
                elif k in pp.WORD_NAMES or k in pp.MONTH_NAMES or known is not None:
                    if not self._rules.name_context(text, w0, b, month=k in pp.MONTH_NAMES):
                        continue  # "Mark my words", even when a Mark took part
                elif words[0].isupper() and len(words[0]) > 1:
                    continue  # an acronym ("CAMHS")
                elif len(words[0]) >= 7 and words[0].endswith("ed") and not words[0].endswith(("med", "hed")):
                    continue  # "This Resulted in...": a verb capitalised by mistake
                elif NameRules.sentence_initial(text, w0) and not self._rules.strong_context(text, w0, b):
                    continue  # "Accuracy, for me." / "Research, I don't mind."
            if self._rules.org_follows(text, b):
                continue
            out.append(Hit(a, b, "PERSON", "ner", value))
        return out

    def _ner_span(self, text: str, s: int, e: int) -> tuple[int, int] | None:
        """The entity without titles, determiners, possessive or trailing non-names; None if nothing is left."""
        toks = [(m.start() + s, m.end() + s) for m in re.finditer(r"[^\s]+", text[s:e])]
        toks = [(a, b) for a, b in toks if text[a:b] not in ("'s", "\u2019s")]
        while toks and (self._blocked(text[toks[0][0]:toks[0][1]]) or
                        text[toks[0][0]:toks[0][1]].lower() in ("the", "a", "my", "our", "your")):
            toks.pop(0)
        while toks and self._blocked(text[toks[-1][0]:toks[-1][1]].rstrip(".,;:!?")):
            toks.pop()
        if not toks:
            return None
        a, b = toks[0][0], toks[-1][1]
        value = re.sub(rf"{pp.APOS}s$", "", text[a:b]).rstrip(".,;:!?'\u2019\"")
        words = value.split()
        if not words or any(ch.isdigit() for ch in value) or not any(w[:1].isupper() for w in words):
            return None
        if _key(value) in pp.NER_NON_NAMES or pp.PLACEHOLDER_RE.search(value) or "\n" in value:
            return None
        if not all(_NAME_WORD.fullmatch(w) for w in words):
            return None   # "estimate]- Ticked -", mojibake: not a name
        return a, a + len(value)

    def _respect_allow_list(self, text: str, hit: Hit, allowed: "_Spans") -> list[Hit]:
        if hit.type == "LOCATION" and hit.method in _PLACE_BY_CONTEXT and allowed.overlaps(hit.start, hit.end):
            return []    # "I'm a nurse at Addenbrooke's": an allowed place stays where someone works or lives
        if hit.type not in ("PERSON",) or not allowed.overlaps(hit.start, hit.end):
            return [hit]
        # keep the name tokens outside allow-listed terms ("Dr Patel at Addenbrooke's" -> "Patel")
        keep = [(m.start() + hit.start, m.end() + hit.start)
                for m in re.finditer(pp.NAME_TOKEN, text[hit.start:hit.end])]
        keep = [(a, b) for a, b in keep if not allowed.overlaps(a, b)
                and not self._blocked(text[a:b])]
        if not keep:
            return []
        a, b = keep[0][0], keep[-1][1]
        if allowed.overlaps(a, b):
            a, b = keep[0]
        return [replace(hit, start=a, end=b, value=text[a:b], canonical=None)]


#: A capitalised word (no digits; "O'Dowd" and "Nkechi-Ann" are one word; "We've" and "Don't" are none).
_CAP_WORD_RE = re.compile(rf"(?<![\w'\u2019\-\[])[{re.escape(pp._UPPER)}][a-z\u00df-\u024f]*"
                          rf"(?:['\u2019][{re.escape(pp._UPPER)}][a-z\u00df-\u024f]+|-[A-Za-z\u00c0-\u024f]+)*"
                          r"(?![\w\]\-])(?!['\u2019](?:ve|re|ll|d|m|t)\b)")
#: "our Wenna", "our Kezia": kin named the regional way, without a kin word
_OUR_BEFORE = re.compile(r"\b(?i:our)[ \t]+$")
#: places found by what is said around them, which an allowed term overrides
_PLACE_BY_CONTEXT = frozenset({"workplace", "where someone lives", "residence", "street's place"})
_LOWER_RELATION_RE = re.compile(
    rf"\b(?i:my|our|his|her)[ \t]+(?i:{'|'.join(pp.RELATIONS)})[ \t]*,?[ \t]+(?P<name>[a-z][a-z-]+)"
    # owning something ("my son tayo's records"), or what the sentence says of them ("my son jayden is autistic")
    r"(?=['\u2019]s[ \t]+[a-z]|[ \t]+(?:is|was|has|had|who|goes|went|gets|got|needs|needed|says|said|does|did|"
    r"can't|cant|won't|wont|doesn't|doesnt|didn't|didnt|hates|loves|always|never|still|just)\b)")
#: a survey answer signed off with a name typed in lower case: "... ask people first!! - jaswinder k"
_LOWER_SIGNOFF_RE = re.compile(r"(?:^|(?<=[\s!.?,)]))[-\u2013\u2014~]+[ \t]*(?P<name>[a-z]{3,}(?:[ \t]+[a-z]\.?)?)[ \t]*[.!]*[ \t]*$")
#: where a place is named: "out past X", "a letter from X", "up near X" (kept: a place, not a person)
_PLACE_BEFORE = re.compile(r"\b(?i:in|at|near|past|outside|from|round|around|beyond|towards|toward|by|via|to|off|up|"
                           r"down|over|into|nearer|through)[ \t]+$")
#: listed or accompanied after an ordinary word: "her notes, her handbag and Adebayo", "went with Radek"
#: ("the R.V.I. and Wansbeck", "Ely and Soham": a list of proper names is as often places)
_WITH_BEFORE = re.compile(r"(?:^|[ \t,(])[a-z][a-z'\u2019]*[ \t]+(?:and|or|&|with|plus)[ \t]+$")
#: a turn that is one name and nothing else: "Thaddeus." (the answer to "what was his name?")
_ONE_WORD_RE = re.compile(r"[ \t\"'\u201c]*(?P<w>[A-Z][a-z\u00df-\u024f]+(?:-[A-Z][a-z]+)?)[ \t]*[.!?\u2026]*[ \t\"'\u201d]*")
#: a family by its surname: "the Achterberg lot", "the Okonjo family"
_FAMILY_AFTER = re.compile(r"[ \t]+(?:lot|family|families|household|clan|boys|girls|kids|twins|brothers|sisters|lads)\b", re.I)
#: a person picked up by a pronoun: "Adebayo in the car, he's one of our new carers"
_PRONOUN_AFTER = re.compile(r"(?:[ \t]+[a-z]+){0,4}[ \t]*,[ \t]*(?:he|she)(?:['\u2019]s|[ \t]+(?:is|was|has|had|does|did))\b")
#: what a person does next: "Tadhg uses it", "Nkechi was in A&E"
_SUBJECT_VERB_AFTER = re.compile(r"(?:['\u2019]s)?[ \t]+(?:was|is|has|had|were|does|did|uses|used|went|goes|came|comes|got|gets|"
                                 r"works|worked|lives|lived|knows|knew|wants|wanted|took|takes|kept|keeps|looks|looked|"
                                 r"rang|rings|helps|helped|found|finds|thinks|thought|reckons|reckoned|told|tells|said|says|"
                                 r"asked|asks|gave|gives|drove|drives|sees|saw|needs|needed|will|would|can|could|"
                                 r"should|might|must|never|always|still|just|also|only|really|actually|and[ \t]+I|and[ \t]+me)\b"
                                 # "Defne's a nurse at ...", "Okoro's the one who ..."
                                 r"|['\u2019]s[ \t]+(?:a|an|the|my|our|her|his)[ \t]+(?:[a-z-]+[ \t]+)?(?:nurse|doctor|carer|"
                                 r"teacher|cleaner|porter|midwife|receptionist|pharmacist|friend|neighbour|cousin|one|"
                                 r"manager|student|driver|worker)\b",
                                 re.IGNORECASE)
#: endings of medicines' names (INN stems: "Aripiprazole", "Ramipril", "Atorvastatin", "Adalimumab")
_DRUG_ENDINGS = ("azole", "pril", "olol", "statin", "umab", "ximab", "dipine", "apine", "idone", "zepam", "zolam",
                 "oxetine", "mycin", "cillin", "oxacin", "triptan", "sartan", "tidine", "lukast", "parin", "formin",
                 "gliptin", "flozin", "glutide", "ovir", "avir", "afil", "setron", "profen", "fenac", "triptyline",
                 "pramine", "azepine", "ocaine", "isone", "asone", "olone", "dronate", "thiazide", "semide", "tinib",
                 "peridol", "xaban", "gatran", "azine", "phylline", "terol", "etamol", "codone", "morphone")
#: a name spelled out letter by letter: "that's E-I-L-I-D-H"
_SPELLED_RE = re.compile(r"(?<![\w\-])[A-Z](?:[ \t]?[\-\u2013.][ \t]?[A-Z]){3,}(?![\w\-])")


def _load_ner(model: str):
    """The NER-only pipeline, loaded without start-up costs that NER does not need (see
    :func:`engagement.ingest.spacy_model.import_spacy` and :func:`~engagement.ingest.spacy_model.only_factories`)."""
    from engagement.ingest.spacy_model import load_spacy, ner_only_exclusions

    return load_spacy(exclude=ner_only_exclusions(model), model=model)


_POSSESSIVE_AFTER = re.compile(rf"{pp.APOS}s[ \t]+[a-z]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"\u201c]\s*|\n\s*)$")


def _owner_mid_sentence(text: str, start: int, end: int) -> bool:
    """A known word-name, capitalised inside a sentence and owning something: "it's got Jade's NHS number"."""
    return (text[start:start + 1].isupper() and _POSSESSIVE_AFTER.match(text, end) is not None
            and _SENTENCE_START.search(text[max(0, start - 4):start]) is None)


#: a capital inside a word, as brands and products write it ("WannaCry", "DeepMind", "WhatsApp"), not as
#: names do ("McInnes", "MacLeod", "O'Neill", "DeSouza" aside)
_CAMEL = re.compile(r"^(?!(?:Mc|Mac|O['\u2019]|De|Di|Da|Le|La|Van|Von|Fitz)[A-Z])[A-Z][a-z]+[A-Z]")


def _lower_practices(text: str) -> list[Hit]:
    """A practice typed in lower case, as survey answers are: "at wrenfield surgery" (a name no dictionary knows)."""
    from engagement.privacy.lexicon import english_word

    out = []
    for m in pp.LOWER_PRACTICE_RE.finditer(text):
        name = m.group("name")
        if not all(english_word(w) for w in name.split()) and _key(name) not in pp.UK_PLACES:
            out.append(Hit(m.start("name"), m.end("name"), "LOCATION", "facility", name))
    return out


def _lexicon_any_name(value: str) -> bool:
    """Is ``value`` a first name or surname in the name lexicon, word or not ("Pike", "Baker")?"""
    from engagement.privacy.lexicon import load_lexicon

    return load_lexicon().is_name(value.split()[0])


def _lexicon_name(value: str) -> bool:
    """Is ``value`` a first name in the name lexicon, and not also an ordinary word?

    Consulted only where a weak context and the NER disagree; without the lexicon, the NER decides.
    """
    try:
        from engagement.privacy.lexicon import load_lexicon
    except ImportError:   # pragma: no cover - the lexicon ships with the package
        return False
    lex = load_lexicon()
    word = value.split()[0]
    return lex.is_first(word) and not lex.is_ordinary(word)


#: Endings of English nouns and adjectives that names rarely have ("Assessment", "Explanations").
_WORD_ENDINGS = ("tion", "tions", "sion", "sions", "ment", "ments", "ness", "ity", "ities", "ship", "ism", "ogy",
                 "ics", "ings", "ure", "ures", "phere", "ery", "ory", "able", "ible", "ful", "ous", "ive", "ise",
                 "ize", "ally")


_TWO_LETTER_WORDS = frozenset("""ok so no go hi oh me we he it if in on up us an as at be by do my of or to am is ah
eh ha ho lo yo ya ye aw uh um er mm hm ex ox pa ma ta""".split())


def _not_a_word(value: str) -> bool:
    """A capitalised token that is neither a known ordinary word nor shaped like one ("Bartosz")."""
    if " " in value or len(value) < 2 or NameRules.plural(value) or value.lower().endswith(_WORD_ENDINGS):
        return False
    if len(value) == 2 and value.lower() in _TWO_LETTER_WORDS:
        return False
    try:
        from engagement.privacy.lexicon import load_lexicon
    except ImportError:   # pragma: no cover
        return False
    from engagement.privacy.lexicon import english_word

    return (not load_lexicon().is_ordinary(value) and _key(value) not in pp.NON_NAME_WORDS
            and not english_word(value))


#: "St Thomas'", "Saint Luke's hospice": a saint names a hospital, church or school, not a person present
_SAINT_BEFORE = re.compile(r"\b(?:St\.?|Saint|ST)[ \t]+$")
_SAINT_START = re.compile(r"(?:St\.?|Saint)[ \t]+[A-Z]")
_SAINT_PLACE_AFTER = re.compile(rf"{pp.APOS}s?|[ \t]+(?i:hospital|hospice|church|chapel|school|academy|college|surgery|"
                                r"practice|ward|centre|center|unit|house|court|road|street|lane|primary|infants)\b")
_EPONYM_AFTER = re.compile(rf"{pp.APOS}s?(?:[ \t]+(?:disease|syndrome|palsy|disorder|lymphoma|sarcoma|"
                           r"contracture|phenomenon|ulcer|dementia))?\b|[ \t]+(?:disease|syndrome|palsy)\b", re.I)
_TITLE_BEFORE = re.compile(r"\b(?:dr|doctor|mr|mrs|ms|miss|prof|professor|nurse)\.?[ \t]+$", re.I)


def _eponym(text: str, hit: Hit) -> bool:
    """"Crohn's", "Graves' disease", "Down's syndrome": a condition, unless a title says person."""
    words = hit.value.split()
    if _key(words[-1]).rstrip("'") not in pp.EPONYM_CONDITIONS and not re.match(
            r"[ \t]*(?:['\u2019]s?[ \t]+)?(?:disease|syndrome|palsy)\b", text[hit.end:hit.end + 14], re.I):
        return False
    if _TITLE_BEFORE.search(text[max(0, hit.start - 12):hit.start]):
        return False
    return bool(_EPONYM_AFTER.match(text, hit.end))


def _sentence_start_word_name(text: str, start: int, s: int, e: int) -> bool:
    """NER over a sentence-initial word-name ("Mark my words") is not trusted on its own."""
    return s == start and NameRules.sentence_initial(text, start)


_NAME_WORD = re.compile(rf"(?:{pp.NAME_TOKEN}|{pp.UP}\.|{pp.PARTICLES})")
_INITIALS = re.compile(rf"(?<![\w.\-/])(?<!\d[ \t])(?:{pp.UP}\.[ \t]?){{1,2}}[ \t]*$")


def _with_initials(text: str, hit: Hit) -> Hit:
    """"F. Plumstead": an initial directly before a name belongs to it."""
    m = _INITIALS.search(text, max(0, hit.start - 8), hit.start)
    if m is None:
        return hit
    return replace(hit, start=m.start(), value=text[m.start():hit.end], canonical=None)


class _Spans:
    """Sorted character spans with fast overlap and neighbour queries (texts can be megabytes)."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]
        self.ends = sorted(e for _, e in self.spans)
        self.longest = max((e - s for s, e in self.spans), default=0)

    def overlaps(self, a: int, b: int) -> bool:
        i = bisect.bisect_left(self.starts, b) - 1
        while i >= 0 and self.starts[i] >= a - self.longest:
            if self.spans[i][1] > a:
                return True
            i -= 1
        return False

    def ends_near(self, a: int, width: int) -> list[int]:
        return self.ends[bisect.bisect_left(self.ends, a - width):bisect.bisect_right(self.ends, a)]

    def starts_near(self, b: int, width: int) -> list[int]:
        return self.starts[bisect.bisect_left(self.starts, b):bisect.bisect_right(self.starts, b + width)]


_JOINER = re.compile(r"[ \t]*(?:,|\band\b|\bor\b|/)[ \t]*")


def _listed_with(text: str, a: int, b: int, places: _Spans) -> bool:
    """Is the word an item of a list whose neighbour is a place ("Yarmouth, Lynn", "Lynn and Norwich")?"""
    return (any(_JOINER.fullmatch(text, e, a) for e in places.ends_near(a, 8))
            or any(_JOINER.fullmatch(text, b, s) for s in places.starts_near(b, 8)))


def _chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Split a long text into pieces of at most ``limit`` characters for NER, at a line break or
    sentence end if there is one (NER runs much faster on turn-sized pieces than on one huge doc)."""
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = max(window.rfind("\n"), window.rfind(". "), window.rfind("? "))
        cut = start + (cut + 1 if cut > limit // 2 else (window.rfind(" ") + 1 or limit))
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _resolve(text: str, hits: list[Hit]) -> list[Hit]:
    """Merge overlapping or adjacent PERSON hits; then keep the strongest of overlapping hits."""
    persons = sorted((h for h in hits if h.type == "PERSON"), key=lambda h: (h.start, -h.end))
    merged: list[Hit] = []
    for h in persons:
        if merged and (h.start < merged[-1].end or
                       (h.start >= merged[-1].end and re.fullmatch(r"[ \t]+", text[merged[-1].end:h.start]))):
            prev = merged[-1]
            a, b = prev.start, max(prev.end, h.end)
            best = min((prev, h), key=lambda x: _METHOD_RANK.get(x.method, 9))
            canon = next((x.canonical for x in (prev, h) if x.canonical and x.start == a and x.end == b), None)
            merged[-1] = Hit(a, b, "PERSON", best.method, text[a:b], canon)
        else:
            merged.append(h)
    pool = sorted([h for h in hits if h.type != "PERSON"] + merged, key=_rank)
    taken: list[Hit] = []
    for h in pool:
        if not any(h.start < t.end and t.start < h.end for t in taken):
            taken.append(h)
    return sorted(taken, key=lambda h: h.start)
