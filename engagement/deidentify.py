"""De-identification: find personal details in transcript text and replace them consistently.

Detection (:class:`Detector`) combines, and records for every hit, the method that found it:

- ``regex``/``checksum``/``context``: UK phone numbers (also split over a line break), e-mail
  addresses (written or spoken), NHS numbers (modulus-11 check; a failing 10-digit number counts
  only when said as an NHS number: method ``context``), postcodes, street addresses, dates of
  birth (a date in a birth context) and ages over ``max_age`` (see :mod:`engagement.pii_patterns`).
- ``known_name``: names the project knows (speaker labels, participants' full and first names),
  wherever they appear. Names that are also words (Rose, Hope, Bill, Mark, Will) count only in
  name context: "Rose said", "Thanks, Hope", "I agree with Bill" - never "the bill", "I hope".
- ``title`` and ``context``: a capitalised name after a title (Dr Patel, Nurse Jo, Mrs O'Brien),
  a relation ("my husband Derek"), an introduction ("my name is", "a lady called"), a vocative
  ("Thanks, Priya") or a speech verb ("Derek said").
- ``ner``: spaCy PERSON entities, minus what NER over-fires on in this domain (devices, brands,
  fillers; :data:`~engagement.pii_patterns.NER_NON_NAMES`) and word-names outside name context.
- ``deny_list``: every term on the project deny list, as ``LOCATION``.

Allow-listed terms (NHS, A&E, Addenbrooke's, the towns) are never redacted as names, places or
NER hits, even inside a longer NER span. They do not shield structured identifiers: "111" inside
a phone number or "Norwich" in "14 Norwich Road" belongs to that number or address.

Decisions worth knowing:

- A 10-digit number failing the NHS check is still an NHS number when it is said as one ("my NHS
  number is ...", method ``context``): a misheard or mistyped number is one digit from the real one.
- A date counts as a date of birth only near a birth cue (born, birth, DOB, birthday) in the same
  turn; a birth year alone is kept (no more telling than the age band the project records) unless
  it means an age over ``max_age`` (then it is an ``AGE_OVER_89`` like "she's 94").
- Ages over the threshold share one placeholder, ``[AGE_OVER_89]``, not numbered ones: the value is
  only sensitive because it is rare, and numbering would let readers link the same person.
- "Alexa", "Fitbit", "Caldicott" are not names here (data lists); a participant called Alexa is
  a known name and is still caught. House names ("The Old Rectory") are left unless deny-listed.
- Deny-listed terms win over allow-listed ones: the deny list is the project's explicit word.

Replacement (:class:`Pseudonymiser`) gives typed placeholders numbered in order of first
appearance (``[PERSON_3]``, ``[PHONE_1]``; ages over the threshold all become ``[AGE_OVER_89]``),
the same for the same value everywhere in a run, or, with ``pseudonyms: true``, a realistic
stand-in chosen by the value's salted key. Only salted hashes are ever recorded.

Example:
    >>> det = Detector(known_names=["Sarah Jenkins"], allow_list=["NHS"], use_ner=False)
    >>> text, red = redact_text("Thanks, Sarah. Ring 07700 900461.", det, Pseudonymiser(b"k" * 32))
    >>> text
    'Thanks, [PERSON_1]. Ring [PHONE_1].'
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pandas as pd

from engagement import pii_patterns as pp
from engagement.errors import ConfigError, InputError

REDACTION_COLUMNS = ["session_id", "turn_index", "start", "end", "type", "method", "placeholder", "value_hash"]
_TYPE_RANK = {"EMAIL": 0, "NHS_NUMBER": 1, "PHONE": 2, "POSTCODE": 3, "ADDRESS": 4, "DATE_OF_BIRTH": 5,
              "LOCATION": 6, "AGE": 7, "PERSON": 8}
_METHOD_RANK = {"deny_list": 0, "checksum": 1, "regex": 2, "known_name": 3, "title": 4, "context": 5, "ner": 6}
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


@dataclass(frozen=True)
class Redaction:
    """One replacement made: offsets in the de-identified text, never the value."""

    start: int
    end: int
    type: str
    method: str
    placeholder: str
    value_hash: str
    source_start: int
    source_end: int


def _rank(hit: Hit) -> tuple:
    kind = "AGE" if hit.type.startswith("AGE") else hit.type
    return (_TYPE_RANK.get(kind, 9), -(hit.end - hit.start), _METHOD_RANK.get(hit.method, 9), hit.start)


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
    """

    def __init__(self, *, known_names: Iterable[str | tuple[str, str]] = (), allow_list: Iterable[str] = (),
                 deny_list: Iterable[str] = (), max_age: int = 89, use_ner: bool = True, nlp=None,
                 model: str = "auto", reference_year: int | None = None, name_rules: bool = True):
        self.allow_list = sorted({a.strip() for a in allow_list if a and a.strip()})
        self.deny_list = sorted({d.strip() for d in deny_list if d and d.strip()})
        self.max_age = int(max_age)
        self.reference_year = reference_year or date.today().year
        self.use_ner = use_ner
        self.name_rules = name_rules
        self.model = model
        self._nlp = nlp
        # multi-word non-names ("Sky News", "Lloyd George") shield name hits the way allowed terms do
        self._allow_re = _alternation([*self.allow_list, *(n for n in pp.NER_NON_NAMES if " " in n)])
        self._allow_words = {_key(a) for a in self.allow_list}
        self._deny_re = _alternation(self.deny_list)
        self.known = pp.known_forms(known_names)
        variants = {v for k in self.known.values() for form in k.surfaces for v in (form, _ascii_variant(form))}
        self._known_re = _alternation(variants)
        self._rules = pp.NameRules(self._blocked)

    # ---- the spaCy pipeline, loaded lazily with only what NER needs
    @property
    def nlp(self):
        if self._nlp is None:
            from engagement.nlp import load_spacy, ner_only_exclusions

            self._nlp = load_spacy(exclude=ner_only_exclusions(self.model), model=self.model)
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
        return k in pp.NON_NAME_WORDS or k in pp.MONTH_NAMES or (len(k) > 4 and k.endswith("ly"))

    def _detect_one(self, text: str, ents: Sequence[tuple[int, int, str]]) -> list[Hit]:
        if not text.strip():
            return []
        spans = pp.find_structured(text, max_age=self.max_age, reference_year=self.reference_year)
        hits = [Hit(s.start, s.end, s.type, s.method, text[s.start:s.end]) for s in spans]
        if self._deny_re is not None:
            hits += [Hit(m.start(), m.end(), "LOCATION", "deny_list", m.group()) for m in self._deny_re.finditer(text)]
        persons = [e for e in ents if e[2] == "PERSON"]
        vetoes = _Spans((s, e) for s, e, label in ents if label in _VETO_LABELS)
        hits += self._known_hits(text, persons)
        for a, b, method, strong in (self._rules.find(text) if self.name_rules else ()):
            h = Hit(a, b, "PERSON", method, text[a:b])
            if strong or not vetoes.overlaps(h.start, h.end):
                hits.append(h)
        allowed = [(m.start(), m.end()) for m in self._allow_re.finditer(text)] if self._allow_re else []
        places = [(s, e) for s, e, label in ents if label in ("GPE", "LOC", "FAC")] + allowed
        hits += self._ner_hits(text, persons, _Spans(places))
        hits = [_with_initials(text, h) if h.type == "PERSON" else h for h in hits]
        protected = _Spans((m.start(), m.end()) for m in pp.PLACEHOLDER_RE.finditer(text))
        hits = [h for h in hits if not protected.overlaps(h.start, h.end)]
        if allowed:
            allowed_spans = _Spans(allowed)
            hits = [t for h in hits for t in self._respect_allow_list(text, h, allowed_spans)]
        return _resolve(text, hits)

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
                                    if not _sentence_start_word_name(text, m.start(), s, e)):
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
                elif pp.NameRules.sentence_initial(text, w0) and not self._rules.strong_context(text, w0, b):
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


def _sentence_start_word_name(text: str, start: int, s: int, e: int) -> bool:
    """NER over a sentence-initial word-name ("Mark my words") is not trusted on its own."""
    return s == start and pp.NameRules.sentence_initial(text, start)


_NAME_WORD = re.compile(rf"(?:{pp.NAME_TOKEN}|{pp.UP}\.|{pp.PARTICLES})")
_INITIALS = re.compile(rf"(?<![\w.])(?:{pp.UP}\.[ \t]?){{1,2}}[ \t]*$")


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



# ---------------------------------------------------------------------------------------------
class Pseudonymiser:
    """The run's register: salted keys -> placeholders (or pseudonyms), numbered by first appearance.

    The register key of a value is HMAC-SHA256(salt, ``TYPE:normalised value``), where a known
    participant's first name and full name share one normalised value. The number a value gets
    depends only on the order values are met, never on the salt; a pseudonym (``pseudonyms=True``)
    is chosen from built-in lists by the key and is never the real value.

    Args:
        salt: the project salt (:func:`load_salt`).
        pseudonyms: realistic stand-ins instead of ``[TYPE_n]`` placeholders.
        avoid: name tokens (folded) a pseudonym must not use, e.g. every known participant name.
    """

    def __init__(self, salt: bytes, pseudonyms: bool = False, avoid: Iterable[str] = ()):
        if not isinstance(salt, (bytes, bytearray)) or len(salt) < 16:
            raise ConfigError("the de-identification salt must be at least 16 bytes")
        self._salt = bytes(salt)
        self.pseudonyms = bool(pseudonyms)
        self.avoid = {pp.fold(a) for a in avoid}
        self._register: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def __repr__(self) -> str:  # never show the salt
        return f"Pseudonymiser(pseudonyms={self.pseudonyms}, values={len(self._register)})"

    def key(self, kind: str, normalised: str) -> str:
        """HMAC-SHA256(salt, ``kind:normalised``) as 64 hex characters."""
        return hmac.digest(self._salt, f"{kind}:{normalised}".encode("utf-8"), hashlib.sha256).hex()

    def value_hash(self, kind: str, value: str) -> str:
        """The salted hash recorded for a value as written (normalised; never the value itself)."""
        return self.key(kind, pp.normalise(kind, value))

    @property
    def register(self) -> dict[str, str]:
        """Register key -> replacement text, for every value met so far (a copy)."""
        return dict(self._register)

    def replace(self, hit: Hit) -> tuple[str, str]:
        """``(replacement, value_hash)`` for a hit; registers the value on first sight."""
        value_hash = self.value_hash(hit.type, hit.value)
        reg = self.key(hit.type, hit.canonical) if hit.canonical else value_hash
        if reg not in self._register:
            if hit.type.startswith("AGE_OVER_"):
                self._register[reg] = f"[{hit.type}]"
            else:
                self._counts[hit.type] = n = self._counts.get(hit.type, 0) + 1
                self._register[reg] = f"[{hit.type}_{n}]"
        placeholder = self._register[reg]
        if self.pseudonyms:
            placeholder = self._pseudonym(hit, int(reg[:16], 16))
        return placeholder, value_hash

    def _pseudonym(self, hit: Hit, k: int) -> str:
        kind, real = hit.type, {pp.fold(t) for t in re.findall(r"\w+", hit.value)}
        if kind == "PERSON":
            for step in range(len(pp.PSEUDO_FIRST)):
                first = pp.PSEUDO_FIRST[(k + step) % len(pp.PSEUDO_FIRST)]
                last = pp.PSEUDO_LAST[(k // 97 + step) % len(pp.PSEUDO_LAST)]
                if not ({pp.fold(first), pp.fold(last)} & (real | self.avoid)):
                    break
            return f"{first} {last}" if len(hit.value.split()) > 1 else first
        if kind == "PHONE":
            return f"07700 900{k % 1000:03d}"
        if kind == "EMAIL":
            return f"{pp.PSEUDO_FIRST[k % 48].lower()}.{pp.PSEUDO_LAST[k // 48 % 32].lower()}@example.com"
        if kind == "NHS_NUMBER":
            for step in range(20):
                digits = f"999{(k + step) % 1_000_000:06d}"
                for check in range(10):
                    if pp.nhs_check_ok(digits + str(check)):
                        return f"{digits[:3]} {digits[3:6]} {digits[6:]}{check}"
        if kind == "POSTCODE":
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            return f"ZZ99 {k % 10}{letters[k // 10 % 20]}{letters[k // 200 % 20]}"
        if kind == "ADDRESS":
            return f"{k % 90 + 1} {pp.PSEUDO_STREETS[k // 90 % 16]} {('Road', 'Close', 'Lane', 'Way')[k // 1440 % 4]}"
        if kind == "DATE_OF_BIRTH":
            months = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December")
            return f"{k % 28 + 1} {months[k // 28 % 12]} {1935 + k // 336 % 60}"
        if kind.startswith("AGE_OVER_"):
            return f"over {kind.rsplit('_', 1)[-1]}"
        if kind == "LOCATION":
            return pp.PSEUDO_PLACES[k % len(pp.PSEUDO_PLACES)]
        return self._register.get(self.key(kind, pp.normalise(kind, hit.value)), f"[{kind}]")


# ---------------------------------------------------------------------------------------------
def _apply(text: str, hits: Sequence[Hit], pseudonymiser: Pseudonymiser, *, keep_newlines: bool = False
           ) -> tuple[str, list[Redaction]]:
    out, records, pos, shift = [], [], 0, 0
    for h in hits:
        placeholder, value_hash = pseudonymiser.replace(h)
        tail = "\n" * text.count("\n", h.start, h.end) if keep_newlines else ""
        out.append(text[pos:h.start])
        start = h.start + shift
        out.append(placeholder + tail)
        records.append(Redaction(start, start + len(placeholder), h.type, h.method, placeholder, value_hash,
                                 h.start, h.end))
        shift += len(placeholder) + len(tail) - (h.end - h.start)
        pos = h.end
    out.append(text[pos:])
    return "".join(out), records


def redact_text(text: str, detector: Detector, pseudonymiser: Pseudonymiser) -> tuple[str, list[Redaction]]:
    """De-identify one text.

    Returns:
        The new text and one :class:`Redaction` per replacement (offsets in the new text).

    Example:
        >>> det = Detector(use_ner=False)
        >>> redact_text("My NHS number is 943 476 5919.", det, Pseudonymiser(b"s" * 32))[0]
        'My NHS number is [NHS_NUMBER_1].'
    """
    return _apply(text, detector.detect(text), pseudonymiser)


def deidentify_turns(turns: pd.DataFrame, detector: Detector, pseudonymiser: Pseudonymiser, *,
                     batch_size: int = 64) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace personal details in ``turns.text``; sessions in sorted order, turns in order.

    Args:
        turns: a frame with at least ``session_id``, ``turn_index`` and ``text``.

    Returns:
        A new turns frame (same rows and order, text replaced) and the ``redactions`` table.
    """
    missing = {"session_id", "turn_index", "text"} - set(turns.columns)
    if missing:
        raise InputError(f"turns lack column(s) {', '.join(sorted(missing))}")
    pseudonymiser.avoid |= detector.known_tokens()
    order = turns.sort_values(["session_id", "turn_index"], kind="stable").index
    texts = turns.loc[order, "text"].fillna("").astype(str).tolist()
    found = detector.detect_many(texts, batch_size=batch_size)
    new_text, rows = {}, []
    for idx, text, hits in zip(order, texts, found):
        new, records = _apply(text, hits, pseudonymiser)
        new_text[idx] = new
        sid, turn = turns.at[idx, "session_id"], int(turns.at[idx, "turn_index"])
        rows += [(str(sid), turn, r.start, r.end, r.type, r.method, r.placeholder, r.value_hash) for r in records]
    out = turns.copy()
    if len(out):
        out["text"] = pd.Series(new_text).reindex(out.index).astype(str)
    redactions = pd.DataFrame(rows, columns=REDACTION_COLUMNS).astype(
        {"session_id": str, "turn_index": "int64", "start": "int64", "end": "int64", "type": str, "method": str,
         "placeholder": str, "value_hash": str})
    return out, redactions


def redaction_summary(redactions: pd.DataFrame) -> pd.DataFrame:
    """Per session and type: how many replacements, how many distinct values, by which methods.

    Example:
        >>> redaction_summary(pd.DataFrame(columns=REDACTION_COLUMNS)).columns.tolist()
        ['session_id', 'type', 'redactions', 'distinct_values', 'methods']
    """
    cols = ["session_id", "type", "redactions", "distinct_values", "methods"]
    if redactions is None or redactions.empty:
        return pd.DataFrame(columns=cols)
    g = redactions.groupby(["session_id", "type"], sort=True)
    out = g.agg(redactions=("value_hash", "size"), distinct_values=("value_hash", "nunique"),
                methods=("method", lambda s: ";".join(sorted(set(s))))).reset_index()
    return out[cols]


def redact_stream(lines: Iterable[str], detector: Detector, pseudonymiser: Pseudonymiser, jsonl: bool = False,
                  *, batch_size: int = 64) -> Iterator[str]:
    """De-identify a stream for ``engagement redact FILE|-``.

    Plain text is redacted a paragraph at a time (lines up to a blank line, or 256 lines that do
    not end in a digit), so a phone number split over a line break ("07700\\n900123") is found;
    its placeholder takes the first line and the line break is kept after it, so the output has
    exactly the input's lines. In JSONL mode each line is one JSON object and only its ``text``
    field is replaced; every other field and the key order are kept.

    Raises:
        InputError: a JSONL line is not a JSON object (the message names the line).
    """
    pseudonymiser.avoid |= detector.known_tokens()
    if jsonl:
        yield from _redact_jsonl(lines, detector, pseudonymiser, batch_size)
        return
    blocks: list[str] = []
    for block in _paragraphs(lines):
        blocks.append(block)
        if len(blocks) >= batch_size:
            yield from _redact_blocks(blocks, detector, pseudonymiser)
            blocks = []
    yield from _redact_blocks(blocks, detector, pseudonymiser)


def _paragraphs(lines: Iterable[str]) -> Iterator[str]:
    buf: list[str] = []
    for line in lines:
        buf.append(line)
        body = line.rstrip("\r\n")
        if not body.strip() or (len(buf) >= 256 and not body[-1:].isdigit()):
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def _redact_blocks(blocks: list[str], detector: Detector, pseudonymiser: Pseudonymiser) -> Iterator[str]:
    for block, hits in zip(blocks, detector.detect_many(blocks)):
        yield from _apply(block, hits, pseudonymiser, keep_newlines=True)[0].splitlines(keepends=True)


def _redact_jsonl(lines, detector, pseudonymiser, batch_size) -> Iterator[str]:
    pending: list[tuple[dict | None, str]] = []

    def flush():
        texts = [obj["text"] for obj, _ in pending if obj is not None and isinstance(obj.get("text"), str)]
        found = iter(detector.detect_many(texts, batch_size=batch_size))
        for obj, raw in pending:
            if obj is None:
                yield raw
                continue
            if isinstance(obj.get("text"), str):
                obj["text"] = _apply(obj["text"], next(found), pseudonymiser)[0]
            yield json.dumps(obj, ensure_ascii=False) + "\n"

    for n, line in enumerate(lines, start=1):
        if not line.strip():
            pending.append((None, line))
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {n} is not valid JSON ({exc.msg}, column {exc.colno})", line=n) from None
        if not isinstance(obj, dict):
            raise InputError(f"line {n} is not a JSON object", line=n)
        pending.append((obj, line))
        if len(pending) >= batch_size:
            yield from flush()
            pending = []
    yield from flush()


# ---------------------------------------------------------------------------------------------
def read_deny_list(cfg) -> list[str]:
    """The project deny list: ``deidentify.deny_list`` plus the lines of ``<raw_dir>/deny_list.txt``."""
    terms = [str(t) for t in (cfg.deidentify.get("deny_list") or [])]
    path = Path(cfg.raw_dir) / "deny_list.txt"
    if path.is_file():
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                terms.append(line)
    return terms


def manifest_names(cfg) -> list[tuple[str, str] | str]:
    """Names the manifest knows: ``(speaker label, full name)`` from participants.csv (the label
    alone when there is no ``name`` column) and the facilitators/observers listed in sessions.csv."""
    from engagement.ingest import names_from_labels

    def rows(path: Path) -> list[dict]:
        if not path.is_file():
            return []
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                return list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error):
            return []   # a broken manifest is reported by the manifest stage, not here

    names: list[tuple[str, str] | str] = []
    for row in rows(Path(cfg.participants_manifest)):
        label, name = (row.get("speaker_label") or "").strip(), (row.get("name") or "").strip()
        label = label if names_from_labels([label]) else ""
        if name:
            names.append((label, name))
        elif label:
            names.append(label)
    for row in rows(Path(cfg.sessions_manifest)):
        for col in ("facilitators", "observers"):
            names += names_from_labels([p.strip() for p in (row.get(col) or "").split(";") if p.strip()])
    return names


def build_detector(cfg, known_names: Iterable[str | tuple[str, str]] = (), *, use_ner: bool = True,
                   nlp=None, name_rules: bool = True) -> Detector:
    """The project's detector: allow/deny lists and max_age from the config, names from the manifest.

    Args:
        cfg: the project configuration.
        known_names: names to catch besides those in participants.csv (labels, full names).
        use_ner: run the spaCy NER (loaded on first use).
        nlp: a pipeline to use instead of the installed model.
        name_rules: apply the title and context rules for names.
    """
    settings = cfg.deidentify
    names = [*known_names, *manifest_names(cfg)]
    return Detector(known_names=names, allow_list=settings.get("allow_list") or [], deny_list=read_deny_list(cfg),
                    max_age=int(settings.get("max_age", 89)), use_ner=use_ner, nlp=nlp,
                    model=str(cfg.settings.get("spacy_model", "auto")), name_rules=name_rules)


def load_salt(cfg) -> bytes:
    """The project salt from ``cfg.salt_file``; created (mode 0600, 32 random bytes) if missing.

    The salt is never printed or written anywhere else.

    Raises:
        ConfigError: the salt file exists but does not hold at least 16 bytes of hex.
    """
    path = Path(cfg.salt_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass   # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    try:
        salt = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        raise ConfigError("the salt file is not hex; delete it only if no earlier run must stay comparable",
                          path=path) from None
    if len(salt) < 16:
        raise ConfigError("the salt file holds fewer than 16 bytes", path=path)
    return salt
