"""A token-pattern matcher that only runs the rules whose words are in the segment.

spaCy's :class:`~spacy.matcher.Matcher` tries every pattern at every token: with the codebook's
~300 patterns (and the stance cues' ~400) most of the code stage's time went on checking
predicates of patterns whose words a segment does not contain. :class:`AnchoredMatcher` gives
each match key its own Matcher and, from each pattern, the value sets of its required tokens
(``LEMMA``/``LOWER``/``ORTH`` equal to or ``IN`` a list, without an optional ``OP``). A key runs
on a Doc only if, for one of its patterns, every required token has a value among the Doc's
lemmas and lower-cased words; a pattern without such a token always runs. The matches are those
of one Matcher holding every pattern, returned in one fixed order: by end, then start, then the
order in which the keys were added.
"""

from __future__ import annotations

from typing import Any, Iterable

_ANCHOR_ATTRS = ("LEMMA", "LOWER", "ORTH", "TEXT", "NORM")
_CASED_ATTRS = ("ORTH", "TEXT")


def _required(spec: dict) -> bool:
    op = str(spec.get("OP", ""))
    if op in ("?", "*", "!"):
        return False
    return not (op.startswith("{0") or op.startswith("{,"))


def _values(spec: dict) -> frozenset[str] | None:
    """The values a required token can take, or None when it is not a plain value test."""
    if not _required(spec):
        return None
    for attr in _ANCHOR_ATTRS:
        if attr not in spec:
            continue
        value = spec[attr]
        if isinstance(value, str):
            values = [value]
        elif isinstance(value, dict) and set(value) == {"IN"}:
            values = list(value["IN"])
        else:
            continue
        if attr in _CASED_ATTRS:   # the bag holds lower-cased words: compare lower-cased
            values = [v.lower() for v in values]
        return frozenset(str(v) for v in values)
    return None


def pattern_anchors(pattern: list[dict]) -> tuple[frozenset[str], ...]:
    """The value sets of ``pattern``'s required plain-value tokens (empty: it cannot be pre-filtered)."""
    return tuple(v for v in (_values(spec) for spec in pattern) if v is not None)


def doc_bag(doc: Any) -> frozenset[str]:
    """Every lemma and lower-cased word of ``doc``."""
    return frozenset(t.lemma_ for t in doc) | frozenset(t.lower_ for t in doc)


class AnchoredMatcher:
    """``matcher.add(key, patterns)`` and ``matcher(doc)`` as spaCy's Matcher, run only where it can match."""

    def __init__(self, vocab: Any, *, validate: bool = False):
        self.vocab = vocab
        self.validate = validate
        self._keys: list[str] = []
        self._matchers: dict[str, Any] = {}
        self._patterns: list[tuple[str, tuple[frozenset[str], ...]]] = []   # (key, anchors) of each anchored pattern
        self._index: dict[str, list[int]] = {}   # a value of each pattern's first anchor -> those patterns
        self._always: set[str] = set()
        self._last: tuple[frozenset[str] | None, list[str]] = (None, [])

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._matchers

    def add(self, key: str, patterns: Iterable[list[dict]]) -> None:
        from spacy.matcher import Matcher

        patterns = [list(p) for p in patterns]
        if key not in self._matchers:
            self._keys.append(key)
            self._matchers[key] = Matcher(self.vocab, validate=self.validate)
        self._matchers[key].add(key, patterns)   # raises ValueError on an invalid pattern, as Matcher does
        for p in patterns:
            anchors = pattern_anchors(p)
            if not anchors:
                self._always.add(key)
                continue
            anchors = tuple(sorted(anchors, key=len))   # the smallest set indexes the pattern
            for value in anchors[0]:
                self._index.setdefault(value, []).append(len(self._patterns))
            self._patterns.append((key, anchors))
        self._order = {self.vocab.strings[k]: i for i, k in enumerate(self._keys)}
        self._last = (None, [])

    def candidates(self, bag: frozenset[str]) -> list[str]:
        """The keys that could match a Doc whose lemmas and words are ``bag``."""
        if bag == self._last[0]:   # a Doc and its surface Doc share one bag
            return self._last[1]
        hit = set(self._always)
        for i in {i for value in bag for i in self._index.get(value, ())}:
            key, anchors = self._patterns[i]
            if key not in hit and all(not vals.isdisjoint(bag) for vals in anchors[1:]):
                hit.add(key)
        keys = [k for k in self._keys if k in hit]
        self._last = (bag, keys)
        return keys

    def __call__(self, doc: Any, bag: frozenset[str] | None = None) -> list[tuple[int, int, int]]:
        bag = doc_bag(doc) if bag is None else bag
        found = [m for k in self.candidates(bag) for m in self._matchers[k](doc)]
        # spaCy's order: by end; at one end, each key's matches together (in the key's own order),
        # keys by their earliest start there, then by the order they were added
        first: dict[tuple[int, int], int] = {}
        for key, start, end in found:
            first[key, end] = min(start, first.get((key, end), start))
        rank = {m: i for i, m in enumerate(found)}
        return sorted(found, key=lambda m: (m[2], first[m[0], m[2]], self._order[m[0]], rank[m]))
