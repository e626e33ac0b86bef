"""Segmentation: de-identified turns -> sentence segments with tokens and lemmas.

Two modes (``segmentation`` in the config):

- ``model``: the bundled spaCy pipeline; sentence boundaries from the dependency parser.
- ``fast``: the same pipeline without parser and NER, sentences from the rule-based
  ``sentencizer``; several times faster, for big runs.

Tests use :func:`blank_pipeline`, a blank English pipeline with a sentencizer and lower-case
lemmas, so they need no trained model.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import pandas as pd

SEGMENT_COLUMNS = ["segment_id", "session_id", "turn_index", "participant_id", "role", "region", "kind",
                   "text", "tokens", "lemmas", "start_char", "end_char", "n_words"]
_PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")


def blank_pipeline():
    """A blank English pipeline with a sentencizer (lemmas fall back to lower-cased tokens)."""
    from engagement.ingest.spacy_model import blank

    nlp = blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def segmentation_pipeline(mode: str = "model"):
    """The spaCy pipeline for ``mode`` ("model", "fast" or "blank")."""
    if mode == "blank":
        return blank_pipeline()
    from engagement.ingest.spacy_model import load_spacy

    if mode == "fast":
        nlp = load_spacy(exclude=("parser", "ner"))
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        return nlp
    return load_spacy(exclude=("ner",))


def _protect_placeholders(nlp) -> None:
    """Keep de-identification placeholders like [PERSON_3] as single tokens.

    Setting ``token_match`` makes spaCy rebuild its special-case table, so it is done once.
    """
    if nlp.tokenizer.token_match is not _PLACEHOLDER_RE.fullmatch:
        nlp.tokenizer.token_match = _PLACEHOLDER_RE.fullmatch


def _lemma(tok) -> str:
    lemma = tok.lemma_ if tok.lemma_ else tok.text
    if _PLACEHOLDER_RE.fullmatch(tok.text):
        return tok.text
    return lemma.lower().replace(" ", "_")


#: honorifics the parser may leave as a sentence of their own before a name ("Dr [PERSON_4] told me")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev", "revd", "fr"})


def _sentences(doc) -> list:
    """The doc's sentences, a sentence that ends on a title ("My consultant was Dr", "Dr.") joined to the next."""
    out = []
    for sent in doc.sents:
        if out:
            prev = [t for t in out[-1] if not t.is_space and not (t.is_punct and t.text == ".")]
            if prev and prev[-1].text.lower().rstrip(".") in _TITLES:
                out[-1] = doc[out[-1].start:sent.end]
                continue
        out.append(sent)
    return out


def segment_docs(texts: Iterable[str], nlp, *, n_process: int = 1, batch_size: int = 64) -> list[list[dict[str, Any]]]:
    """Split each text into sentences; return per text a list of segment dicts."""
    _protect_placeholders(nlp)
    out: list[list[dict[str, Any]]] = []
    for doc in nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
        segs = []
        for sent in _sentences(doc):
            toks = [t for t in sent if not t.is_space]
            if not toks or all(t.is_punct for t in toks):
                continue
            words = [t.text.replace(" ", "_") for t in toks]
            segs.append({
                "text": sent.text.strip(),
                "tokens": " ".join(words),
                "lemmas": " ".join(_lemma(t) for t in toks),
                "start_char": sent.start_char,
                "end_char": sent.end_char,
                "n_words": sum(1 for t in toks if not t.is_punct),
            })
        out.append(segs)
    return out


def segment_turns(turns: pd.DataFrame, nlp, *, n_process: int = 1, batch_size: int = 64) -> pd.DataFrame:
    """Segment the non-empty turns of a (de-identified) turns table.

    Returns a new ``segments`` frame; ``segment_id`` is ``<session>-T<turn>-S<n>``, stable for the
    same input.

    Example:
        >>> import pandas as pd
        >>> t = pd.DataFrame({"session_id": ["S1"], "turn_index": [0], "participant_id": ["S1-P1"],
        ...     "role": ["participant"], "region": ["Essex"], "kind": ["interview"],
        ...     "text": ["I trust my GP. I don't trust the firms."]})
        >>> segment_turns(t, blank_pipeline())["text"].tolist()
        ['I trust my GP.', "I don't trust the firms."]
    """
    keep = turns[turns["text"].astype(str).str.strip() != ""]
    docs = segment_docs(keep["text"].astype(str).tolist(), nlp, n_process=n_process, batch_size=batch_size)
    rows = []
    for rec, segs in zip(keep.to_dict("records"), docs):
        for k, seg in enumerate(segs):
            rows.append({
                "segment_id": f"{rec['session_id']}-T{int(rec['turn_index']):04d}-S{k:02d}",
                "session_id": rec["session_id"], "turn_index": int(rec["turn_index"]),
                "participant_id": rec["participant_id"], "role": rec["role"], "region": rec.get("region"),
                "kind": rec["kind"], **seg,
            })
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
