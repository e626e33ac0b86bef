"""The semantic layer: codebook examples, sentence embeddings and a calibrated classifier per code.

Rules find what people say in the codebook's words; this layer finds what they mean in their
own. ``data/examples.yaml`` holds, per code, positive examples and near misses (and examples per
stance). They are embedded with the bundled MiniLM (cached by content hash and model id), and
each code gets a logistic regression on the embeddings beside the texts' word and two-word TF-IDF
(:data:`CODE_PHRASE_WEIGHT`: the embeddings carry what is meant, the phrases the words a code is
said in), one-vs-rest (negatives: the code's near misses and every other code's positives),
calibrated by Platt scaling over stratified folds.

:func:`semantic_codings` combines both into one coding per segment and code:

- a rule hit keeps source ``"rule"`` and the rule's words as evidence; its score is the noisy-OR
  of the rule score and the classifier's probability;
- a segment with no rule hit gets source ``"semantic"`` when the probability reaches the code's
  threshold; its evidence is the two nearest positive examples of that code with their cosine
  similarity: ``≈ "example" (0.71) | ≈ "example" (0.64)``.

Thresholds are chosen per code on a development set (the sample's hand-coded reference, plus
out-of-fold predictions on the examples) and stored in the codebook's ``semantic:`` block, so
they are versioned with it; :func:`thresholds_table` shows them for the report's method.

Example:
    >>> from engagement.coding.codebook import load_codebook, segments_from_texts
    >>> book = load_codebook("default")
    >>> seg = segments_from_texts(["The GP and the hospital might as well be on different planets."])
    >>> semantic_codings(seg, book)[["code", "source"]].values.tolist()
    [['care_continuity', 'semantic']]
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import yaml

EXAMPLES_PATH = Path(__file__).with_name("data") / "examples.yaml"
DEFAULT_THRESHOLD = 0.5
MIN_WORDS = 4          # shorter segments ("Yes.", "Me too.") carry no topic of their own
C = 4.0                # inverse regularisation of the per-code logistic regressions (chosen by CV log-loss)
FOLDS = 3              # calibration and cross-validation folds (17 positives per code)
SEED = 20260314
#: weight of the word and two-word TF-IDF beside the embeddings in the per-code classifiers (0: embeddings
#: alone). Leave one of dev3-dev9 out, thresholds re-chosen each time (benchmarks/bench_code_training.py
#: --phrases), mean theme micro-F1 / worst theme: 0 -> 0.745 / 0.546, 0.5 -> 0.759 / 0.546, 1 -> 0.774 / 0.572,
#: 1.5 -> 0.783 / 0.579, 2 -> 0.781 / 0.570, 3 -> 0.779 / 0.556 (every left-out set gains at 1)
CODE_PHRASE_WEIGHT = 1.5


# ------------------------------------------------------------------ examples and embeddings

@lru_cache(maxsize=4)
def _read_examples(path: str, digest: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


#: utterances hand-coded while developing the suite (benchmarks/reference/dev3_reference.csv to
#: dev9_reference.csv: written from the codebook's definitions as people speak and type, each with every
#: code that applies or none), learned from beside the bundled examples: stories, indirect mentions and
#: several codes at once, where the examples give one short sentence per code. Leaving one of dev3 to
#: dev9 out in turn, thresholds re-chosen on the tuning set (benchmarks/bench_code_training.py): theme
#: micro-F1 0.707 -> 0.746 on the reference left out (dev9: every sentence of five written transcripts).
#: Rows that share six words in a row with a held-out reference are left out.
#: Columns: source, codes (";"-joined, empty for none), text.
CODE_TRAINING_PATH = Path(__file__).with_name("data") / "code_training.csv"


@lru_cache(maxsize=2)
def _read_labelled(path: str, digest: str) -> tuple[dict, ...]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return tuple({"text": t, "codes": [c for c in codes.split(";") if c]} for t, codes in zip(table["text"], table["codes"]))


def load_examples(path: str | Path | None = None) -> dict:
    """The examples file: ``{"codes": {id: {"positive": [...], "negative": [...]}}, "none": [...],
    "stance": {label: [...]}, "labelled": [{"text": ..., "codes": [...]}, ...]}``.

    ``labelled`` (optional) holds whole utterances with every code that applies (none: negative for
    all); for the bundled examples it is read from ``data/code_training.csv``.
    """
    path = Path(path or EXAMPLES_PATH)
    examples = _read_examples(str(path), hashlib.sha256(path.read_bytes()).hexdigest())
    if path.resolve() == EXAMPLES_PATH.resolve() and CODE_TRAINING_PATH.is_file():
        bundled = _read_labelled(str(CODE_TRAINING_PATH), hashlib.sha256(CODE_TRAINING_PATH.read_bytes()).hexdigest())
        examples = {**examples, "labelled": list(examples.get("labelled") or []) + list(bundled)}
    return examples


@lru_cache(maxsize=1)
def _model():
    from engagement.coding.embeddings import load_sentence_model

    return load_sentence_model()


def embed_texts(texts: list[str], cache_dir: Path | None = None) -> np.ndarray:
    """MiniLM embeddings of ``texts`` (distinct texts embedded once; disk cache when ``cache_dir``)."""
    from engagement.coding.embeddings import embed_minilm

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    distinct = list(dict.fromkeys(texts))
    if cache_dir is not None:
        vecs = embed_minilm(distinct, cache_dir)
    else:
        vecs = _model().encode(distinct, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    pos = {t: i for i, t in enumerate(distinct)}
    return np.asarray(vecs, dtype=np.float32)[[pos[t] for t in texts]]


# ------------------------------------------------------------------ the per-code classifiers

@dataclass
class CodeClassifiers:
    """Fitted one-vs-rest classifiers for every code with examples, and the examples themselves."""

    codes: list[str]
    models: dict
    texts: list[str]          # every positive example, in code order
    owner: np.ndarray         # code index of each positive example
    vectors: np.ndarray       # their embeddings
    phrases: object = None    # fitted TfidfVectorizer of the training texts, or None for embeddings alone
    phrase_weight: float = CODE_PHRASE_WEIGHT

    def features(self, vectors: np.ndarray, texts: list[str] | None = None):
        """The classifiers' input: the embeddings and, weighted, the texts' word and two-word TF-IDF."""
        return _with_phrases(vectors, texts, self.phrases, self.phrase_weight)

    def predict(self, vectors: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        """Calibrated probabilities, segments x codes (``texts``: the segments' texts, as embedded)."""
        if not len(vectors):
            return np.zeros((0, len(self.codes)))
        x = self.features(vectors, texts)
        return np.column_stack([self.models[c].predict_proba(x)[:, 1] for c in self.codes])

    def nearest(self, vector: np.ndarray, code: str, k: int = 2) -> list[tuple[str, float]]:
        """The ``k`` positive examples of ``code`` nearest to ``vector`` (cosine similarity)."""
        j = self.codes.index(code)
        idx = np.flatnonzero(self.owner == j)
        sims = self.vectors[idx] @ vector
        order = np.argsort(-sims)[:k]
        return [(self.texts[idx[i]], float(sims[i])) for i in order]


def training_sets(examples: dict, codes: Iterable[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """All example sentences, a sentences x codes 0/1 label matrix, and a near-miss mask.

    A sentence is positive for its code and negative for every other code; a near miss is
    negative for the code it was written against (and is used only there, since it may well
    belong to a neighbouring code). The ``none`` examples (small talk, hedges, background) are
    negatives for every code (near-miss mask -2). A ``labelled`` utterance is positive for each of
    its codes and negative for the rest (with no code, like ``none``).
    """
    codes = list(codes)
    index = {cid: j for j, cid in enumerate(codes)}
    texts, labels, near = [], [], []
    for j, cid in enumerate(codes):
        spec = (examples.get("codes") or {}).get(cid) or {}
        for t in spec.get("positive") or []:
            texts.append(t)
            labels.append([j])
            near.append(-1)
        for t in spec.get("negative") or []:
            texts.append(t)
            labels.append([])
            near.append(j)
    for t in examples.get("none") or []:
        texts.append(t)
        labels.append([])
        near.append(-2)
    for item in examples.get("labelled") or []:
        its = sorted({index[c] for c in item.get("codes") or [] if c in index})
        texts.append(str(item["text"]))
        labels.append(its)
        near.append(-1 if its else -2)
    y = np.zeros((len(texts), len(codes)), dtype=int)
    for i, js in enumerate(labels):
        y[i, js] = 1
    return texts, y, np.array(near, dtype=int)


def _estimator(c: float = C):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    base = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    return CalibratedClassifierCV(base, method="sigmoid", cv=StratifiedKFold(FOLDS, shuffle=True, random_state=SEED))


def _rows_for(j: int, y: np.ndarray, near: np.ndarray) -> np.ndarray:
    """Training rows of code ``j``: its positives, its near misses, every other code's positives, the no-code examples."""
    return np.flatnonzero((y.sum(axis=1) > 0) | (near == j) | (near == -2))


def _phrase_vectorizer(texts: list[str], weight: float):
    """A word and two-word TF-IDF fitted on ``texts`` (None when ``weight`` is 0 or no phrase occurs twice)."""
    if not weight:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer

    phrases = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    try:
        phrases.fit(texts)
    except ValueError:   # a handful of examples: no phrase occurs twice, the embeddings decide alone
        return None
    return phrases


def _with_phrases(vectors: np.ndarray, texts: list[str] | None, phrases, weight: float):
    if phrases is None:
        return vectors
    if texts is None or len(texts) != len(vectors):
        raise ValueError("the classifier reads phrases: it needs the segments' texts beside their embeddings")
    from scipy.sparse import csr_matrix, hstack

    return hstack([csr_matrix(vectors), phrases.transform(texts) * weight]).tocsr()


def fit_classifiers(examples: dict, codes: Iterable[str], vectors: np.ndarray, *, c: float = C,
                    phrase_weight: float | None = None) -> CodeClassifiers:
    """Fit one calibrated classifier per code with at least ``FOLDS`` positive examples, on the
    examples' embeddings (``vectors``, one row per :func:`training_sets` text) and, weighted by
    ``phrase_weight`` (default :data:`CODE_PHRASE_WEIGHT`; 0: embeddings alone), their word and
    two-word TF-IDF."""
    from threadpoolctl import threadpool_limits

    phrase_weight = CODE_PHRASE_WEIGHT if phrase_weight is None else phrase_weight
    codes = list(codes)
    texts, y, near = training_sets(examples, codes)
    phrases = _phrase_vectorizer(texts, phrase_weight)
    x = _with_phrases(vectors, texts, phrases, phrase_weight)
    models, fitted = {}, []
    with threadpool_limits(1):  # small problems: BLAS threads only contend (5x slower on a busy machine)
        for j, cid in enumerate(codes):
            rows = _rows_for(j, y, near)
            if y[rows, j].sum() < FOLDS:
                continue
            models[cid] = _estimator(c).fit(x[rows], y[rows, j])
            fitted.append(cid)
    rows, owner = np.nonzero(y[:, [codes.index(c) for c in fitted]])   # one (example, code) pair per positive
    return CodeClassifiers(fitted, models, [texts[i] for i in rows], owner, vectors[rows], phrases, phrase_weight)


def cross_validated(examples: dict, codes: Iterable[str], vectors: np.ndarray, *, c: float = C,
                    phrase_weight: float | None = None) -> pd.DataFrame:
    """Out-of-fold probabilities on the examples: one row per (example, code) a classifier was trained on.

    Columns: code, text, label (1 positive, 0 negative), near_miss, probability.
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    phrase_weight = CODE_PHRASE_WEIGHT if phrase_weight is None else phrase_weight
    codes = list(codes)
    texts, y, near = training_sets(examples, codes)
    # vocabulary and IDF from all the examples (no labels), as the fitted classifiers have them
    x = _with_phrases(vectors, texts, _phrase_vectorizer(texts, phrase_weight), phrase_weight)
    out = []
    for j, cid in enumerate(codes):
        rows = _rows_for(j, y, near)
        if y[rows, j].sum() < FOLDS:
            continue
        with threadpool_limits(1):
            p = cross_val_predict(_estimator(c), x[rows], y[rows, j], method="predict_proba",
                                  cv=StratifiedKFold(5, shuffle=True, random_state=SEED))[:, 1]
        out.append(pd.DataFrame({"code": cid, "text": [texts[i] for i in rows], "label": y[rows, j],
                                 "near_miss": near[rows] == j, "probability": p}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["code", "text", "label", "near_miss", "probability"])


def _book_key(book) -> str:
    from engagement.coding.embeddings import MINILM_ID

    path = Path(str(getattr(book, "path", "") or ""))
    h = hashlib.sha256(MINILM_ID.encode())
    h.update(path.read_bytes() if path.is_file() else str(path).encode())
    h.update(EXAMPLES_PATH.read_bytes())
    if CODE_TRAINING_PATH.is_file():
        h.update(CODE_TRAINING_PATH.read_bytes())
    h.update(",".join(book.codes).encode())
    h.update(f"phrases {CODE_PHRASE_WEIGHT}".encode())
    return h.hexdigest()


_FITTED: dict[str, CodeClassifiers] = {}


def classifiers_for(book, cache_dir: Path | None = None, examples: dict | None = None) -> CodeClassifiers:
    """The fitted classifiers for ``book``'s codes (fitted once per process and codebook/examples)."""
    key = _book_key(book) if examples is None else None
    if key and key in _FITTED:
        return _FITTED[key]
    examples = examples if examples is not None else load_examples()
    texts, _, _ = training_sets(examples, book.codes)
    fitted = fit_classifiers(examples, book.codes, embed_texts(texts, cache_dir))
    if key:
        _FITTED[key] = fitted
    return fitted


# ------------------------------------------------------------------ thresholds

def thresholds_of(book) -> dict[str, float]:
    """Per-code thresholds from the codebook's ``semantic:`` block (default 0.5 where none is set)."""
    block = getattr(book, "semantic", None) or {}
    table = block.get("thresholds") or {}
    return {cid: float((table.get(cid) or {}).get("threshold", DEFAULT_THRESHOLD))
            if isinstance(table.get(cid), dict) else float(table.get(cid, DEFAULT_THRESHOLD)) for cid in book.codes}


def theme_thresholds_of(book) -> dict[str, float]:
    """Per-theme thresholds of the theme back-off (codebook ``semantic: theme_thresholds``); none = off."""
    block = getattr(book, "semantic", None) or {}
    table = block.get("theme_thresholds") or {}
    return {t: float(v["threshold"] if isinstance(v, dict) else v) for t, v in table.items()
            if (v["threshold"] if isinstance(v, dict) else v) is not None}


def thresholds_table(codebook="default") -> pd.DataFrame:
    """The thresholds of the semantic layer, for the report's method.

    One row per code: code, theme, threshold, and how it was chosen (dev-set positives, the
    development F1 of rules alone and of rules + classifier, the examples' out-of-fold F1).
    The table's ``attrs`` carry the codebook version and the block's note.
    """
    from engagement.coding.codebook import load_codebook

    book = load_codebook(codebook)
    block = getattr(book, "semantic", None) or {}
    table = block.get("thresholds") or {}
    rows = []
    for cid, code in book.codes.items():
        entry = table.get(cid)
        entry = entry if isinstance(entry, dict) else {"threshold": entry if entry is not None else DEFAULT_THRESHOLD}
        rows.append({"code": cid, "theme": code.theme, **entry})
    out = pd.DataFrame(rows)
    out.attrs.update({"codebook_version": book.version, "note": block.get("note", ""),
                      "chosen_on": block.get("chosen_on", "")})
    return out


# ------------------------------------------------------------------ coding

def _evidence(pairs: list[tuple[str, float]]) -> str:
    return " | ".join(f'≈ "{t}" ({s:.2f})' for t, s in pairs)


def semantic_probabilities(segments: pd.DataFrame, book, cache_dir: Path | None = None) -> tuple[pd.DataFrame, np.ndarray, CodeClassifiers]:
    """Classifier probabilities (segments x codes) for the coded roles' segments, and their vectors."""
    clf = classifiers_for(book, cache_dir)
    texts = [str(t) for t in segments["text"]]
    vecs = embed_texts(texts, cache_dir)
    return pd.DataFrame(clf.predict(vecs, texts), columns=clf.codes, index=segments["segment_id"].to_numpy()), vecs, clf


def combine(rules: pd.DataFrame, segments: pd.DataFrame, probs: pd.DataFrame, vecs: np.ndarray,
            clf: CodeClassifiers, book, thresholds: dict[str, float] | None = None,
            theme_thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """Rule codings plus classifier-only codings above each code's threshold, in one table.

    Then the theme back-off: where no code of a theme (with two codes or more) was given, but the
    theme's codes' probabilities add up to its threshold, the most likely of them is given.
    """
    from engagement.coding.codebook import CODING_COLUMNS

    thresholds = thresholds if thresholds is not None else thresholds_of(book)
    pos = {sid: i for i, sid in enumerate(probs.index)}
    ruled = set(zip(rules["segment_id"], rules["code"]))
    out = rules.copy()
    if len(out):
        p = [probs.iat[pos[s], clf.codes.index(c)] if s in pos and c in clf.codes else 0.0
             for s, c in zip(out["segment_id"], out["code"])]
        out["score"] = (1 - (1 - out["score"].to_numpy()) * (1 - np.asarray(p))).round(3)
    words = dict(zip(segments["segment_id"], segments.get("n_words", segments["text"].str.split().str.len())))
    thr = np.array([thresholds.get(c, DEFAULT_THRESHOLD) for c in clf.codes])
    hits = np.argwhere(probs.to_numpy() >= thr)
    rows = []
    for i, j in hits:
        sid, cid = probs.index[i], clf.codes[j]
        if (sid, cid) in ruled or words.get(sid, 0) < MIN_WORDS:
            continue
        rows.append({"segment_id": sid, "code": cid, "theme": book.codes[cid].theme, "source": "semantic",
                     "evidence": _evidence(clf.nearest(vecs[i], cid)), "score": round(float(probs.iat[i, j]), 3)})
    # theme back-off: a theme none of whose codes reached its threshold, though together they are
    # likely enough ("nobody tells you anything" sits between being informed and the audit trail),
    # gets its most likely code
    theme_thr = theme_thresholds if theme_thresholds is not None else theme_thresholds_of(book)
    if theme_thr:
        have = {(r["segment_id"], r["theme"]) for r in rows} | set(zip(rules["segment_id"], rules.get("theme", [])))
        p_all = probs.to_numpy()
        for theme, t in theme_thr.items():
            cols = [j for j, c in enumerate(clf.codes) if book.codes[c].theme == theme]
            if len(cols) < 2:
                continue
            mass = p_all[:, cols].sum(axis=1)
            for i in np.flatnonzero(mass >= t):
                sid = probs.index[i]
                if (sid, theme) in have or words.get(sid, 0) < MIN_WORDS:
                    continue
                j = cols[int(np.argmax(p_all[i, cols]))]
                cid = clf.codes[j]
                rows.append({"segment_id": sid, "code": cid, "theme": theme, "source": "semantic",
                             "evidence": f"theme {theme} {mass[i]:.2f}: " + _evidence(clf.nearest(vecs[i], cid)),
                             "score": round(float(p_all[i, j]), 3)})
    extra = pd.DataFrame(rows, columns=CODING_COLUMNS)
    both = pd.concat([out, extra], ignore_index=True) if len(extra) else out
    return both.astype({"score": float}).sort_values(["segment_id", "code"]).reset_index(drop=True)


def semantic_codings(segments: pd.DataFrame, codebook="default", *, rules: pd.DataFrame | None = None,
                     cache_dir: Path | None = None,
                     include_roles: Iterable[str] | None = ("participant", "respondent"),
                     thresholds: dict[str, float] | None = None,
                     theme_thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """Code segments with the rules and the semantic layer combined (see the module docstring).

    Args:
        segments: the ``segments`` table.
        codebook: a Codebook, a path or ``"default"``.
        rules: the rule codings, if already computed (``autocode(segments, codebook)``).
        cache_dir: where embeddings are cached (e.g. ``cfg.cache_dir / "embeddings"``); None = memory only.
        include_roles: roles to code (facilitators left out by default); None = all.
        thresholds: per-code thresholds overriding the codebook's (for tuning).
        theme_thresholds: per-theme back-off thresholds overriding the codebook's ({} = no back-off).

    Returns:
        A ``codings`` table with sources "rule" and "semantic".
    """
    from engagement.coding.codebook import autocode, load_codebook

    book = load_codebook(codebook)
    seg = segments
    if include_roles is not None and "role" in seg:
        seg = seg[seg["role"].isin(tuple(include_roles))]
    rules = autocode(seg, book, include_roles=None) if rules is None else rules
    probs, vecs, clf = semantic_probabilities(seg, book, cache_dir)
    return combine(rules, seg, probs, vecs, clf, book, thresholds, theme_thresholds)


# ------------------------------------------------------------------ stance learned from the examples

#: the learned stance replaces a cue-less "neutral" at this probability, and turns a one-sided cue decision
#: (support or concern) into mixed at this probability of mixed (benchmarks/bench_stance_loro.py, leave one
#: of dev to dev9 out, mean macro-F1: 0.626 at (0.6, off), 0.665 at (0.5, 0.45); with --grid on dev to dev8,
#: 0.683-0.689 for override 0.45-0.55 and mixed 0.4-0.5, so the middle is kept)
STANCE_OVERRIDE = 0.5
STANCE_MIXED = 0.45

#: utterances hand-labelled for stance while developing the suite (benchmarks/reference/dev_reference.csv
#: to dev9_reference.csv: written from the codebook's definitions, as people speak and type, and where cue
#: words fail: stories, understatement, sarcasm, mixed views, cross-talk, transcript sentences), learned
#: from beside the examples: 2,234 varied wordings of concern, support, conditions and mixed views, where
#: the examples give 40 a class (rows sharing six words in a row with a held-out reference are left out)
STANCE_TRAINING_PATH = Path(__file__).with_name("data") / "stance_training.csv"


#: weight of the word and two-word phrase features (TF-IDF) beside the sentence embedding in the learned
#: stance: phrases such as "about time", "no brainer" or "crack on" carry stance the embedding blurs
#: (benchmarks/bench_stance_loro.py, leave one of dev to dev9 out, mean macro-F1: 0.600 without, 0.626 at
#: 1.0)
STANCE_PHRASE_WEIGHT = 1.0


@dataclass
class StanceClassifier:
    labels: list[str]
    model: object
    phrases: object = None   # fitted TfidfVectorizer, or None for embeddings alone
    phrase_weight: float = STANCE_PHRASE_WEIGHT

    def features(self, vectors: np.ndarray, texts: list[str] | None = None):
        return _with_phrases(vectors, texts, self.phrases, self.phrase_weight)

    def predict(self, vectors: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        if not len(vectors):
            return np.zeros((0, len(self.labels)))
        return self.model.predict_proba(self.features(vectors, texts))


_STANCE: dict[str, StanceClassifier] = {}


def stance_training(examples: dict | None = None) -> tuple[list[str], list[str]]:
    """The learned stance's training texts and labels: the examples' stance section, plus, for the
    bundled examples, the labelled development utterances (``data/stance_training.csv``)."""
    bundled = examples is None
    examples = load_examples() if bundled else examples
    texts, y = [], []
    for label, items in (examples.get("stance") or {}).items():
        texts += list(items)
        y += [label] * len(items)
    if bundled and STANCE_TRAINING_PATH.exists():
        extra = pd.read_csv(STANCE_TRAINING_PATH, dtype=str, keep_default_na=False)
        seen = set(texts)
        keep = extra[~extra["text"].isin(seen) & extra["stance"].isin(set(y))]
        texts += keep["text"].tolist()
        y += keep["stance"].tolist()
    return texts, y


def stance_classifier(cache_dir: Path | None = None, examples: dict | None = None) -> StanceClassifier:
    """The learned stance of :func:`stance_training` (:func:`fit_stance_classifier`), kept per run."""
    key = None
    if examples is None:
        h = hashlib.sha256(EXAMPLES_PATH.read_bytes())
        if STANCE_TRAINING_PATH.exists():
            h.update(STANCE_TRAINING_PATH.read_bytes())
        key = h.hexdigest()
    if key and key in _STANCE:
        return _STANCE[key]
    out = fit_stance_classifier(*stance_training(examples), cache_dir=cache_dir)
    if key:
        _STANCE[key] = out
    return out


def fit_stance_classifier(texts: list[str], labels: list[str], cache_dir: Path | None = None, *,
                          phrase_weight: float = STANCE_PHRASE_WEIGHT) -> StanceClassifier:
    """A calibrated multinomial logistic regression on the embeddings of ``texts`` and, weighted by
    ``phrase_weight`` (0: embeddings alone), their word and two-word TF-IDF."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    model = CalibratedClassifierCV(LogisticRegression(C=C, max_iter=3000), method="sigmoid",
                                   cv=StratifiedKFold(FOLDS, shuffle=True, random_state=SEED))
    out = StanceClassifier([], model, _phrase_vectorizer(texts, phrase_weight), phrase_weight)
    vecs = embed_texts(texts, cache_dir)
    with threadpool_limits(1):
        model.fit(out.features(vecs, texts), labels)
    out.labels = list(model.classes_)
    return out


def stance_probabilities(segments: pd.DataFrame, cache_dir: Path | None = None,
                         vectors: np.ndarray | None = None) -> pd.DataFrame:
    """Learned stance probabilities, one row per segment (index segment_id), one column per stance."""
    clf = stance_classifier(cache_dir)
    texts = [str(t) for t in segments["text"]]
    vecs = vectors if vectors is not None else embed_texts(texts, cache_dir)
    return pd.DataFrame(clf.predict(vecs, texts), columns=clf.labels, index=segments["segment_id"].to_numpy())
