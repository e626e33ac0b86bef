"""The leak check's name lexicon and allow list (data, not rules).

The lexicon is ``data/names.tsv`` (first names and surnames from the Faker package's locale lists,
MIT License, rebuilt by ``data/build_name_lexicon.py``; see that file for locales and licence) plus
``data/names_extra.tsv`` (names added by hand for communities Faker covers thinly). Keys are folded
as :func:`engagement.privacy.patterns.fold` does, so "Łukasz", "Lukasz" and "LUKASZ" are one name.

The allow list silences reviewed false alarms: the project's ``deidentify.allow_list`` (hospitals,
trusts, regions, brands) and, when present, ``leak_allow.txt`` in the project's raw folder, one
entry a line (``#`` starts a comment):

- a word or phrase (``Thorpe``, ``Dr Foster``): never a candidate, anywhere;
- ``file | place | type`` (copied from a finding): silences that one finding only.

Example:
    >>> lex = load_lexicon()
    >>> lex.kinds("Siobhán")
    'F'
    >>> lex.is_name("Grace"), lex.is_ordinary("Grace")
    (True, True)
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from engagement.privacy import patterns as pp
from engagement.privacy import wordlists as wl

DATA = Path(__file__).with_name("data")
ALLOW_FILE = "leak_allow.txt"

#: Capitalised words that are names in the lexicon but in this domain are nearly always something
#: else (ward and service words, countries and towns, charities, health terms, eponyms of conditions
#: and of statistics):
#: a name only where the context says person.
_DOMAIN_WORDS = frozenset("""
care hall ward bay king wood may june april faith mills cross church field brook marsh north south east west
street lane park chase moss mason cook porter nurse sister matron doctor royal queen prince princess victoria
albert george elizabeth alexandra wellington nightingale trust foundation health service services hospital
clinic surgery practice centre center unit team staff patient patients reception dental medical mental
general urgent emergency community primary social national county city council home house court station
line desk phone app online website portal email text letter friends family test booking appointment
christian bishop dean grant major dale glen lord sterling eve norm art ash sage bond chance sunday monday
tuesday wednesday thursday friday saturday august ambulance transport driver crew team
cohen fisher wilson pearson spearman kendall wald bonferroni benjamini hochberg krippendorff fleiss poisson
bayes gauss wilcoxon mann whitney kruskal wallis tukey likert jaccard welch holm
parkinson graves crohn alzheimer addison hodgkin asperger huntington tourette raynaud cushing hashimoto
sjogren guillain barre kaposi wilms duchenne bell
america americas africa asia europe poland spain france italy germany england scotland wales ireland britain
devon cornwall kent durham york lincoln chester lancaster derby preston bolton luton london macmillan lloyd
lloyds weeks
""".split())


def _read(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("name\t"):
            continue
        name, _, kinds = line.partition("\t")
        key = pp.fold(name.strip())
        out[key] = "".join(sorted(set(out.get(key, "")) | set(kinds.strip())))
    return out


@dataclass(frozen=True)
class NameLexicon:
    """First names (F) and surnames (S); W marks a name that is also an ordinary word."""

    entries: dict[str, str]
    ordinary: frozenset[str]

    def kinds(self, word: str) -> str:
        """The kinds of ``word`` without W ("" when not a name)."""
        return self.entries.get(_key(word), "").replace("W", "")

    def is_name(self, word: str) -> bool:
        return bool(self.kinds(word))

    def is_first(self, word: str) -> bool:
        return "F" in self.kinds(word)

    def is_surname(self, word: str) -> bool:
        return "S" in self.kinds(word)

    def is_ordinary(self, word: str) -> bool:
        """An English word or domain term as well as a name: a name only by context."""
        key = _key(word)
        return key in self.ordinary or "W" in self.entries.get(key, "")


def _key(word: str) -> str:
    return re.sub(r"'s$", "", pp.fold(word))


@lru_cache(maxsize=1)
def _english_lemmas() -> frozenset[str]:
    """English lemmas (WordNet's, as the installed spaCy model's lemmatizer ships them), or none."""
    import importlib.util

    from engagement.ingest.spacy_model import model_name

    try:
        from spacy.lookups import Lookups

        spec = importlib.util.find_spec(model_name())
        files = sorted(Path(spec.origin).parent.rglob("lemmatizer/lookups/lookups.bin")) if spec and spec.origin else []
        if not files:
            return frozenset()
        table = Lookups().from_disk(files[0].parent).get_table("lemma_index")
        return frozenset(w for words in table.values() for w in words if w.isalpha())
    except Exception:  # noqa: BLE001 - no model or an older layout: fall back to the word lists
        return frozenset()


def english_word(word: str) -> bool:
    """Is ``word`` an English dictionary word and not a name the lexicon knows ("Planning", not "Grace")?"""
    key = _key(word)
    if not key.isalpha() or load_lexicon().entries.get(key):
        return False
    lemmas = _english_lemmas()
    stems = {key, key[:-1] if key.endswith("s") else key, key[:-2] if key.endswith(("es", "ed")) else key,
             key[:-3] if key.endswith("ing") else key, key[:-3] + "y" if key.endswith("ies") else key}
    return any(stem in lemmas for stem in stems)


@lru_cache(maxsize=1)
def load_lexicon() -> NameLexicon:
    """The packaged name lexicon (read once per process)."""
    entries = _read(DATA / "names.tsv")
    for key, kinds in _read(DATA / "names_extra.tsv").items():
        entries[key] = "".join(sorted(set(entries.get(key, "")) | set(kinds)))
    for word in getattr(wl, "WORD_NAMES", ()):   # given names and surnames that are also words
        key = pp.fold(word)
        entries[key] = "".join(sorted(set(entries.get(key, "")) | {"F", "W"}))
    ordinary = set(_DOMAIN_WORDS)
    for name in ("WORD_NAMES", "MONTH_NAMES", "NON_NAME_WORDS", "KIN_WORDS", "NER_NON_NAMES", "ORG_SUFFIXES", "UNITS"):
        ordinary |= {pp.fold(w) for w in getattr(wl, name, ())}
    return NameLexicon(entries, frozenset(ordinary))


#: The word tokens an allow-list term and a text are compared on (any case).
_WORD = re.compile(r"\w+")


@dataclass
class AllowList:
    """Reviewed false alarms: terms never to flag and single findings to silence."""

    terms: list[str] = field(default_factory=list)
    findings: set[tuple[str, str, str]] = field(default_factory=set)

    def __post_init__(self):
        words = sorted({t.strip() for t in self.terms if t and t.strip()}, key=len, reverse=True)
        self._words = words
        # a term can only stand in a text holding each of its words: the one regex over every term
        # (a thousand codebook sentences) runs only on the few terms a text could hold
        self._tokens = [frozenset(_WORD.findall(w.lower())) for w in words]
        self._by_token: dict[str, list[int]] = {}
        self._always = [i for i, t in enumerate(self._tokens) if not t]
        for i, tokens in enumerate(self._tokens):
            if tokens:
                self._by_token.setdefault(min(tokens, key=lambda t: (-len(t), t)), []).append(i)
        self._compiled: dict[int, re.Pattern] = {}   # each term's regex, compiled when first needed

    @staticmethod
    def _regex(words: list[str]) -> re.Pattern:
        body = "|".join(re.escape(w).replace(r"\ ", r"\s+").replace("'", "['\u2019]") for w in words)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    def _term(self, i: int) -> re.Pattern:
        pattern = self._compiled.get(i)
        if pattern is None:
            pattern = self._compiled[i] = self._regex([self._words[i]])
        return pattern

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where allowed terms stand in ``text`` (whole words, any case).

        The same spans as one regex alternating every term, longest first: the leftmost match,
        ties to the longer term, then on from its end.
        """
        if not self._words:
            return []
        tokens = set(_WORD.findall(text.lower()))
        picked = set(self._always)
        for token in tokens:
            picked.update(i for i in self._by_token.get(token, ()) if self._tokens[i] <= tokens)
        if not picked:
            return []
        # each term's next match, on a heap by (start, the term's rank: longest first)
        heap = [(m.start(), i, m) for i in sorted(picked) if (m := self._term(i).search(text)) is not None]
        heapq.heapify(heap)
        out: list[tuple[int, int]] = []
        pos = 0
        while heap:
            start, i, m = heapq.heappop(heap)
            if start < pos:   # overlapped by a match taken already: this term's next one from pos
                m = self._term(i).search(text, pos)
                if m is not None:
                    heapq.heappush(heap, (m.start(), i, m))
                continue
            out.append(m.span())
            pos = m.end() if m.end() > m.start() else m.end() + 1
            m = self._term(i).search(text, pos)
            if m is not None:
                heapq.heappush(heap, (m.start(), i, m))
        return out

    def silences(self, file: str, place: str, kind: str) -> bool:
        return (file, place, kind) in self.findings


def read_allow_list(cfg) -> AllowList:
    """The project's allow list plus ``<raw dir>/leak_allow.txt`` when present."""
    terms = list((getattr(cfg, "deidentify", None) or {}).get("allow_list", []) or [])
    findings: set[tuple[str, str, str]] = set()
    path = Path(cfg.raw_dir) / ALLOW_FILE
    if path.is_file():
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3:
                findings.add((parts[0], parts[1], parts[2].upper()))
            else:
                terms.append(line)
    return AllowList(terms, findings)
