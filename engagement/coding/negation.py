"""Token helpers shared by the codebook and stance stages.

- :func:`segment_doc` rebuilds a spaCy ``Doc`` from a segment's stored ``tokens``/``lemmas``
  without re-parsing, with each token's character offsets in the segment ``text`` (so evidence
  is always a substring of the text). A segment whose columns disagree is re-tokenised with a
  blank English pipeline (lemma = lower-cased token).
- :func:`inflections` expands a lemma to its regular and common irregular forms, so rules work
  both on real lemmas (trained pipeline) and on the lower-cased fallback of a blank pipeline.
- :func:`surface_doc` gives the same tokens with surface forms as lemmas, for a second match pass.
- :func:`negation_cue` is NegEx without a parser: a negation cue within a short window before a
  span, with no scope terminator in between.

Example:
    >>> doc, offsets = segment_doc("I'm not worried about research.")
    >>> negation_cue(doc, 3) is not None       # "worried" is negated by "not"
    True
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

NEGATION_CUES = frozenset({"not", "n't", "never", "no", "nothing", "without", "hardly", "nobody", "none",
                           "neither", "nor", "cannot", "barely", "scarcely", "nae", "noone"})
#: cue + next word pairs that do not negate what follows ("not only", "no doubt", "not sure").
PSEUDO_NEGATIONS = frozenset({("not", "only"), ("not", "just"), ("no", "doubt"), ("not", "sure"), ("no", "matter"),
                              ("nothing", "but"), ("not", "to"), ("no", "longer"), ("n't", "only"), ("n't", "just"),
                              ("n't", "sure"), ("never", "mind"), ("not", "necessarily"), ("n't", "necessarily")})
#: tokens that close a negation's scope: "not worried about X, but Y" does not negate Y. A comma
#: closes it too: in speech it far more often starts a new clause ("I don't mind, share it") than
#: continues a negated list.
SCOPE_TERMINATORS = frozenset({"but", "however", "although", "though", "except", "yet", "whereas", "unless",
                               "apart", "because", "cos", "so", "which", "whereas", ",", ".", ";", ":", "!", "?",
                               "…", "—", "–", "'", '"', "‘", "’", "“", "”", "(", ")"})
NEGATION_WINDOW = 5

_PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")

# Irregular or suppletive forms a lower-case fallback lemma would not reduce; both directions
# matter because the trained lemmatiser gives e.g. "datum" for "data" and "not" for "n't".
IRREGULAR: dict[str, tuple[str, ...]] = {
    "sell": ("sold",), "buy": ("bought",), "steal": ("stole", "stolen"), "see": ("saw", "seen"),
    "tell": ("told",), "give": ("gave", "given"), "get": ("got", "gotten"), "know": ("knew", "known"),
    "keep": ("kept",), "make": ("made",), "pay": ("paid",), "take": ("took", "taken"), "go": ("went", "gone"),
    "hide": ("hid", "hidden"), "break": ("broke", "broken"), "lose": ("lost",), "mean": ("meant",),
    "feel": ("felt",), "think": ("thought",), "find": ("found",), "hold": ("held",), "send": ("sent",),
    "spend": ("spent",), "run": ("ran",), "bring": ("brought",), "write": ("wrote", "written"),
    "choose": ("chose", "chosen"), "do": ("did", "done", "does"), "leave": ("left",), "put": (),
    "be": ("is", "are", "was", "were", "am", "'s", "'re", "'m", "been", "being"),
    "have": ("has", "had", "'ve", "having"), "can": ("ca", "could"), "will": ("wo", "'ll"),
    "would": ("'d",), "not": ("n't",), "n't": ("not",), "datum": ("data",), "data": ("datum",),
    "fall": ("fell", "fallen"), "speak": ("spoke", "spoken"), "understand": ("understood",),
    "stick": ("stuck",), "sit": ("sat",), "deal": ("dealt",), "hear": ("heard",), "win": ("won",),
    "frighten": ("frightening", "frightened"), "worry": ("worried", "worrying"), "wind": ("wound",),
    "person": ("people",), "child": ("children",), "woman": ("women",), "man": ("men",),
}


@lru_cache(maxsize=1)
def blank_nlp():
    """A cached blank English pipeline whose tokenizer keeps placeholders like [PERSON_3] whole."""
    from engagement.ingest.spacy_model import blank

    nlp = blank("en")
    nlp.tokenizer.token_match = _PLACEHOLDER_RE.fullmatch
    return nlp


@lru_cache(maxsize=8192)
def inflections(word: str) -> frozenset[str]:
    """A lemma and its inflected forms (regular -s/-ed/-ing, irregulars, -ise/-ize spellings).

    Example:
        >>> {"flogs", "flogged", "flogging"} <= inflections("flog"), "sold" in inflections("sell")
        (True, True)

    Over-generation ("floged") is harmless: the forms are only ever matched, never produced.
    """
    word = word.lower()
    forms = {word, *IRREGULAR.get(word, ())}
    if not re.fullmatch(r"[a-z]+", word) or len(word) < 3:
        return frozenset(forms)
    stems = {word}
    if word.endswith("ise"):
        stems.add(word[:-3] + "ize")
    elif word.endswith("ize"):
        stems.add(word[:-3] + "ise")
    for w in stems:
        forms.add(w)
        if re.search(r"(s|x|z|ch|sh)$", w):
            forms.add(w + "es")
        elif re.search(r"[^aeiou]y$", w):
            forms.add(w[:-1] + "ies")
        else:
            forms.add(w + "s")
        if w.endswith("ee"):
            forms.update({w + "d", w + "ing"})
        elif w.endswith("e"):
            forms.update({w + "d", w[:-1] + "ing"})
        elif re.search(r"[^aeiou]y$", w):
            forms.update({w[:-1] + "ied", w + "ing"})
        else:
            forms.update({w + "ed", w + "ing"})
            if re.search(r"(?:^|[^aeiou])[aeiou][bdfgklmnprtvz]$", w):
                forms.update({w + w[-1] + "ed", w + w[-1] + "ing"})
    return frozenset(forms)


def _align(text: str, words: list[str]) -> list[tuple[int, int]] | None:
    """Character offsets of ``words`` found in order in ``text``; None if any is missing."""
    offsets, pos = [], 0
    for w in words:
        i = text.find(w, pos)
        if i < 0 and "_" in w:
            w = w.replace("_", " ")
            i = text.find(w, pos)
        if i < 0 or text[pos:i].strip():
            return None
        offsets.append((i, i + len(w)))
        pos = i + len(w)
    return offsets


def segment_doc(text: str, tokens: str | None = None, lemmas: str | None = None, *, vocab: Any = None):
    """Rebuild a ``Doc`` for one segment; return ``(doc, offsets)``.

    Args:
        text: the segment text.
        tokens: space-joined token texts (``segments.tokens``); None to tokenise ``text``.
        lemmas: space-joined lower-case lemmas aligned with ``tokens``.
        vocab: the vocab to build on (defaults to the blank pipeline's).

    Returns:
        The Doc (``lemma_`` set from ``lemmas``) and each token's ``(start, end)`` in ``text``.
        If the token and lemma counts disagree, or the tokens cannot be found in the text, the
        text is re-tokenised with a blank English pipeline and lemmas fall back to lower case.
    """
    from spacy.tokens import Doc

    nlp = blank_nlp()
    vocab = vocab if vocab is not None else nlp.vocab
    text = "" if text is None else str(text)
    words = str(tokens).split(" ") if tokens else []
    lems = str(lemmas).split(" ") if lemmas else []
    offsets = _align(text, words) if words and len(words) == len(lems) else None
    if offsets is None:
        toks = [t for t in nlp.make_doc(text) if not t.is_space]
        words = [t.text for t in toks]
        lems = [t.text if _PLACEHOLDER_RE.fullmatch(t.text) else t.text.lower() for t in toks]
        offsets = [(t.idx, t.idx + len(t.text)) for t in toks]
    lems = [lem if lem else w.lower() for w, lem in zip(words, lems)]
    return Doc(vocab, words=words, lemmas=lems), offsets


def surface_doc(doc):
    """The same tokens with lemma = lower-cased text, or None if that is what ``doc`` already has.

    Rules match on both: the trained lemmatiser generalises irregular forms but also errs
    ("scared" -> "scar", "me" -> "I"), and the rule words are inflected anyway.
    """
    from spacy.tokens import Doc

    lowers = [t.text if _PLACEHOLDER_RE.fullmatch(t.text) else t.lower_ for t in doc]
    if all(t.lemma_ == low for t, low in zip(doc, lowers)):
        return None
    return Doc(doc.vocab, words=[t.text for t in doc], lemmas=lowers)


def _norm(tok) -> str:
    return tok.lower_ if tok.lower_ in NEGATION_CUES or tok.lower_ in SCOPE_TERMINATORS else tok.lemma_


def negation_cue(doc, start: int, *, window: int = NEGATION_WINDOW) -> int | None:
    """Index of the negation cue that scopes over the token at ``start``, or None.

    Looks back at most ``window`` tokens; a scope terminator (but, however, ".", ";" ...) stops
    the search, and pseudo-negations ("not only", "no doubt", "not sure") are skipped.
    """
    for i in range(start - 1, max(-1, start - 1 - window), -1):
        word = _norm(doc[i])
        if word in SCOPE_TERMINATORS:
            return None
        if word in NEGATION_CUES or doc[i].lower_ in NEGATION_CUES:
            nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
            if (doc[i].lower_, nxt) in PSEUDO_NEGATIONS or (word, nxt) in PSEUDO_NEGATIONS:
                continue
            return i
    return None
