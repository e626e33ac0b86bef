"""The pre-filtered matcher finds exactly what spaCy's Matcher finds, in the same order."""

from __future__ import annotations

import random

import pytest
from spacy.matcher import Matcher
from spacy.tokens import Doc

from engagement.coding import stance
from engagement.coding.codebook import load_codebook
from engagement.coding.matching import AnchoredMatcher, pattern_anchors
from engagement.coding.negation import blank_nlp, segment_doc, surface_doc

SENTENCES = [
    "I'd be happy for them to share my records as long as I'm asked first.",
    "Nobody ever asked me whether they could pass my details on to a drug company.",
    "They sold the data, didn't they, so why would I trust them with my notes now?",
    "My mum had to repeat her history to every nurse in A&E, it was exhausting.",
    "It's not the GP I'm wary of, it's the insurers getting hold of it.",
    "Provided it's anonymised I can't see why anyone wouldn't want it used for research.",
    "I opted out years ago after the leak and I'm not opting back in.",
    "The receptionist can see everything, and she lives on my street.",
    "Fine by me if it means the ambulance crew know my allergies.",
    "Who decides who gets access, that's what I want to know.",
    # overlapping matches that end on one token: the order spaCy gives them decides stance ties
    "No problems at all with the way they handled my file.",
    "I only rang because it was an emergency.",
    "They let you pick and choose what goes on the record.",
]


def _pairs():
    """(spaCy Matcher, AnchoredMatcher) pairs holding the codebook's and the stance cues' patterns."""
    vocab = blank_nlp().vocab
    book = load_codebook("default")
    _, _, _, rules = book._matchers
    sets = [[(key, rule.patterns) for key, (_, rule) in rules.items() if rule.kind in ("lemmas", "pattern")]]
    _, _, meta = stance._matchers()
    sets.append([(key, meta[key][3].patterns) for key in meta])
    for entries in sets:
        plain, anchored = Matcher(vocab), AnchoredMatcher(vocab)
        for key, patterns in entries:
            plain.add(key, [list(p) for p in patterns])
            anchored.add(key, [list(p) for p in patterns])
        yield plain, anchored


def _docs():
    rng = random.Random(7)
    words = " ".join(SENTENCES).split()
    texts = SENTENCES + [" ".join(rng.sample(words, 14)) for _ in range(200)]   # shuffled words: odd overlaps
    for text in texts:
        doc, _ = segment_doc(text)
        yield doc
        surface = surface_doc(doc)
        if surface is not None:
            yield surface


def test_same_matches_in_the_same_order_as_spacys_matcher():
    pairs = list(_pairs())
    seen = 0
    for doc in _docs():
        for plain, anchored in pairs:
            expected = plain(doc)
            assert anchored(doc) == expected, doc.text
            seen += bool(expected)
    assert seen > 50   # the comparison is about real matches, not empty lists


def _doc(words, lemmas=None):
    return Doc(blank_nlp().vocab, words=words, lemmas=lemmas or [w.lower() for w in words])


def test_patterns_that_cannot_be_prefiltered_always_run():
    m = AnchoredMatcher(blank_nlp().vocab)
    m.add("optional_first", [[{"LOWER": "very", "OP": "?"}, {"IS_PUNCT": True}]])
    m.add("negated", [[{"LOWER": {"NOT_IN": ["no"]}}, {"LOWER": "data"}]])
    m.add("regex", [[{"LOWER": {"REGEX": "^shar"}}]])
    doc = _doc(["Sharing", "my", "data", "!"])
    strings = doc.vocab.strings
    found = {(strings[k], s, e) for k, s, e in m(doc)}
    assert ("optional_first", 3, 4) in found
    assert ("negated", 1, 3) in found
    assert ("regex", 0, 1) in found


def test_a_rule_runs_only_when_every_required_word_is_there():
    m = AnchoredMatcher(blank_nlp().vocab)
    m.add("sell_data", [[{"LEMMA": {"IN": ["sell", "sold"]}}, {"OP": "?"}, {"LEMMA": "data"}]])
    assert m.candidates(frozenset({"sell", "my", "records"})) == []
    assert m.candidates(frozenset({"sold", "the", "data"})) == ["sell_data"]
    assert pattern_anchors([{"LEMMA": "a", "OP": "*"}, {"LOWER": {"IN": ["b", "c"]}}]) == (frozenset({"b", "c"}),)
    doc = _doc(["They", "sold", "the", "data"], ["they", "sell", "the", "data"])
    assert [(s, e) for _, s, e in m(doc)] == [(1, 4)]


def test_an_invalid_pattern_is_refused_as_spacy_refuses_it():
    m = AnchoredMatcher(blank_nlp().vocab, validate=True)
    with pytest.raises(ValueError):
        m.add("bad", [[{"LEMMA": {"IN": "not a list"}}]])
