"""Learn codes from a researcher's own coding, suggest them for what is not yet coded.

The model (chosen by measurement, see ``benchmarks/bench_learn.py``): each text becomes its
MiniLM sentence embedding (:mod:`engagement.coding.embeddings`, cached by content hash) beside
TF-IDF word and character n-grams of the text; one linear SVM per code (one-vs-rest) on those
features. A code's scores are turned into probabilities by Platt scaling fitted on out-of-fold
scores (``FOLDS``-fold cross-validation on the training set only). Each code's threshold is the
one that maximises its F1 on the same out-of-fold probabilities, shrunk towards the one threshold
that maximises micro-F1 over all codes (a code with n positives keeps n / (n + ``SHRINK``) of its
own: a rare code's own optimum rests on a handful of examples). When every training text
carries a code, a text whose probabilities all stay below their thresholds still gets its most
likely code (the researcher coded everything, so "no code" is not an answer they gave); on a
project it never does, since a segment without a code is the common case there.

Two entry points:

- ``engagement learn --train CODED.csv --predict TEXTS.csv -o PRED.csv``: any labelled texts
  (columns ``id``, ``text``, ``labels`` separated by ``;``; an empty ``labels`` cell is a text
  coded with none). The predictions have ``id``, ``labels`` (``;``), ``probabilities`` (a JSON
  object, every code -> probability, highest first), ``nearest`` (the ids of the two nearest
  training texts that carry a predicted code, ``;``) and ``similarity`` (their cosine similarity).
- ``engagement learn`` on a project: trains on the human codings, suggests codes for every
  participant segment no human has coded, and writes ``learned_codings.parquet`` (source
  ``"learned"``). The measures count them only with ``coding: {learned: true}`` in the config.

The project side (training on the human store, ``learned_codings.parquet``, the CLI) is in
:mod:`engagement.coding.learn_project`; the active-learning order in :mod:`engagement.coding.active`.

Example:
    >>> model = fit_labels(texts, vectors, y, labels)         # doctest: +SKIP
    >>> probs = model.predict_proba(new_texts, new_vectors)    # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engagement.errors import InputError

FOLDS = 5              # cross-validation folds for the calibration and the thresholds (5 beat 3 by CV)
C_SVM = 0.2            # inverse regularisation of the per-code SVMs (micro-F1 within the FFT training part)
EMBED_WEIGHT = 1.0     # weight of the (unit) sentence embedding beside the (unit) TF-IDF blocks
SHRINK = 100           # pseudo-positives pulling a code's threshold to the shared one (0.764 vs 0.759 micro-F1, FFT)
MIN_POSITIVES = 3      # a code needs this many positive examples to be learned
N_NEAREST = 2          # training examples shown as evidence
DENSITY_K = 20         # neighbours that say how typical a segment is (active learning)
PARTICIPANT_ROLES = ("participant", "respondent")
SEED = 20260314


# ------------------------------------------------------------------ features and model

def embed(texts: list[str], backend: str = "minilm", *, cache_dir: Path | None = None, seed: int = SEED) -> np.ndarray:
    """Unit sentence embeddings of ``texts`` ("minilm": cached MiniLM; "tfidf": TF-IDF + SVD on ``texts``)."""
    from engagement.coding.embeddings import embed_tfidf
    from engagement.coding.semantic import embed_texts

    if backend == "minilm":
        return embed_texts(list(texts), cache_dir)
    if backend == "tfidf":
        return embed_tfidf(list(texts), seed=seed)
    raise ValueError(f"unknown embedding backend '{backend}'")


def _vectorizers():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, strip_accents="unicode"),
            TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2, max_features=100_000)]


def _features(vecs: list, texts: list[str], vectors: np.ndarray, weight: float):
    from scipy import sparse

    blocks = [v.transform(texts) for v in vecs]
    if weight:
        blocks.append(sparse.csr_matrix(np.asarray(vectors, dtype=np.float64) * weight))
    return sparse.hstack(blocks, format="csr")


def _fit_vectorizers(texts: list[str], use_tfidf: bool) -> list:
    if not use_tfidf:
        return []
    vecs = _vectorizers()
    fitted = []
    for v in vecs:
        try:
            v.fit(texts)
            fitted.append(v)
        except ValueError:  # tiny corpora: every term below min_df
            pass
    return fitted


def _linear(x, y: np.ndarray, c: float, estimator: str) -> tuple[np.ndarray, float]:
    """Weights and intercept of one code's linear model (a constant score when y has one class)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if y.min() == y.max():
        return np.zeros(x.shape[1]), (5.0 if y[0] else -5.0)
    m = (LinearSVC(C=c, loss="squared_hinge", dual=True, max_iter=5000, random_state=SEED) if estimator == "svm"
         else LogisticRegression(C=c, solver="liblinear", max_iter=1000))
    m.fit(x, y)
    return m.coef_.ravel().astype(np.float64), float(m.intercept_[0])


def _fit_chunk(x, y: np.ndarray, c: float, estimator: str) -> list[tuple[np.ndarray, float]]:
    return [_linear(x, y[:, j], c, estimator) for j in range(y.shape[1])]


def _fit_all(x, y: np.ndarray, c: float, estimator: str, n_jobs: int) -> tuple[np.ndarray, np.ndarray]:
    """Every code's model; codes split into ``n_jobs`` chunks fitted in worker processes.

    Processes, not threads: liblinear draws from one C-level random state, so threads sharing it
    make the fits (and hence the rankings) differ from run to run.
    """
    from joblib import Parallel, delayed

    chunks = [ch for ch in np.array_split(np.arange(y.shape[1]), max(1, n_jobs)) if len(ch)]
    if len(chunks) == 1 or x.shape[0] < 1000:  # small fits: starting workers costs more than it saves
        fits = _fit_chunk(x, y, c, estimator)
    else:
        parts = Parallel(n_jobs=len(chunks))(delayed(_fit_chunk)(x, y[:, ch], c, estimator) for ch in chunks)
        fits = [f for part in parts for f in part]
    return np.vstack([w for w, _ in fits]), np.array([b for _, b in fits])


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid (a, b) with p = 1 / (1 + exp(-(a * score + b))), fitted on out-of-fold scores."""
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return 0.0, (5.0 if y[0] else -5.0)
    m = LogisticRegression(C=100.0).fit(scores.reshape(-1, 1), y)
    return float(m.coef_[0, 0]), float(m.intercept_[0])


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The probability cut that maximises F1 on out-of-fold predictions (0.5 when there is nothing to learn)."""
    if y.sum() == 0:
        return 0.5
    grid = np.round(np.arange(0.05, 0.951, 0.025), 3)
    pred = p[:, None] >= grid[None, :]
    tp = (pred & (y[:, None] == 1)).sum(0)
    f1 = 2 * tp / (pred.sum(0) + y.sum())
    best = np.flatnonzero(f1 >= f1.max() - 1e-9)
    return float(grid[best[len(best) // 2]])  # the middle of a plateau, not its edge


def _shared_threshold(p: np.ndarray, y: np.ndarray, at_least_one: bool) -> float:
    """The one probability cut, for every label, that maximises micro-F1 on out-of-fold predictions."""
    best, best_f1 = 0.5, -1.0
    for g in np.round(np.arange(0.05, 0.951, 0.025), 3):
        pred = p >= g
        if at_least_one and len(p):
            none = ~pred.any(1)
            pred[np.flatnonzero(none), np.argmax(p, axis=1)[none]] = True
        tp = int((pred & (y == 1)).sum())
        f1 = 2 * tp / max(1, int(pred.sum()) + int(y.sum()))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(g), f1
    return best


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass
class LabelModel:
    """A fitted multi-label model: linear scores, Platt calibration and a threshold per label."""

    labels: list[str]
    vectorizers: list
    weight: float
    coef: np.ndarray          # labels x features
    intercept: np.ndarray
    platt: np.ndarray         # labels x 2 (a, b)
    thresholds: np.ndarray
    at_least_one: bool
    train_ids: list[str]
    train_vectors: np.ndarray
    train_y: np.ndarray

    def predict_proba(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, texts x labels."""
        if not len(texts):
            return np.zeros((0, len(self.labels)))
        x = _features(self.vectorizers, list(texts), vectors, self.weight)
        scores = np.asarray(x @ self.coef.T) + self.intercept
        return _sigmoid(scores * self.platt[:, 0] + self.platt[:, 1])

    def decide(self, probs: np.ndarray) -> np.ndarray:
        """0/1 decisions from probabilities: each label's threshold, and the most likely label if none passes."""
        y = probs >= self.thresholds
        if self.at_least_one and len(probs):
            none = ~y.any(1)
            best = np.argmax(probs / self.thresholds, axis=1)
            y[np.flatnonzero(none), best[none]] = True
        return y

    def nearest(self, vectors: np.ndarray, decided: np.ndarray, k: int = N_NEAREST) -> tuple[np.ndarray, np.ndarray]:
        """Per text, the ``k`` nearest training examples carrying one of its labels (any, if it has none)."""
        idx = np.zeros((len(vectors), k), dtype=int)
        sims = np.zeros((len(vectors), k))
        for start in range(0, len(vectors), 1024):
            s = np.asarray(vectors[start:start + 1024], dtype=np.float32) @ self.train_vectors.T
            d = decided[start:start + 1024]
            carries = (d.astype(np.int32) @ self.train_y.T.astype(np.int32)) > 0
            carries[~d.any(1)] = True
            s = np.where(carries, s, -np.inf)
            top = np.argsort(-s, axis=1, kind="stable")[:, :k]
            idx[start:start + len(s)] = top
            sims[start:start + len(s)] = np.take_along_axis(s, top, 1)
        return idx, sims


def fit_labels(texts: list[str], vectors: np.ndarray, y: np.ndarray, labels: list[str], *,
               ids: list[str] | None = None, c: float = C_SVM, estimator: str = "svm", tfidf: bool = True,
               weight: float = EMBED_WEIGHT, folds: int = FOLDS, at_least_one: bool | None = None,
               shrink: float = SHRINK, seed: int = SEED, n_jobs: int = 2) -> LabelModel:
    """Fit the multi-label model; calibration and thresholds come from ``folds``-fold out-of-fold scores.

    Args:
        texts: the training texts.
        vectors: their unit sentence embeddings (rows aligned with ``texts``).
        y: texts x labels 0/1 matrix.
        labels: the label names (columns of ``y``).
        ids: the training texts' ids, for evidence (default: their row numbers).
        at_least_one: always give a text its most likely label (default: when every training text has one).
        shrink: pseudo-positives pulling each label's threshold towards the shared one (0: own thresholds).
    """
    from sklearn.model_selection import KFold

    texts, y = list(texts), np.asarray(y, dtype=int)
    vecs = _fit_vectorizers(texts, tfidf)
    x = _features(vecs, texts, vectors, weight)
    oof = np.zeros(y.shape)
    n_folds = min(folds, len(texts))
    for tr, te in KFold(n_folds, shuffle=True, random_state=seed).split(texts):
        w, b = _fit_all(x[tr], y[tr], c, estimator, n_jobs)
        oof[te] = np.asarray(x[te] @ w.T) + b
    platt = np.array([_platt(oof[:, j], y[:, j]) for j in range(y.shape[1])])
    p_oof = _sigmoid(oof * platt[:, 0] + platt[:, 1])
    if at_least_one is None:
        at_least_one = bool(len(y) and y.any(1).all())
    own = np.array([_best_threshold(p_oof[:, j], y[:, j]) for j in range(y.shape[1])])
    n_pos = y.sum(0)
    thresholds = (n_pos * own + shrink * _shared_threshold(p_oof, y, at_least_one)) / (n_pos + shrink)
    w, b = _fit_all(x, y, c, estimator, n_jobs)
    return LabelModel(list(labels), vecs, weight, w, b, platt, thresholds, at_least_one,
                      list(ids) if ids is not None else [str(i) for i in range(len(texts))],
                      np.asarray(vectors, dtype=np.float32), y)


def label_matrix(label_lists: list[list[str]], labels: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """A texts x labels 0/1 matrix from per-text label lists (labels sorted when not given)."""
    labels = labels or sorted({lab for row in label_lists for lab in row})
    pos = {lab: j for j, lab in enumerate(labels)}
    y = np.zeros((len(label_lists), len(labels)), dtype=int)
    for i, row in enumerate(label_lists):
        for lab in row:
            if lab in pos:
                y[i, pos[lab]] = 1
    return y, labels


# ------------------------------------------------------------------ labelled CSV files

def _read_csv(path: Path, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    """A CSV with ``columns``: every id non-empty, unique and free of ';', every text non-empty."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} file not found", path=path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a readable CSV: {str(exc).splitlines()[0]}", path=path) from exc
    df.columns = [str(col).strip().lower() for col in df.columns]
    missing = [col for col in columns if col not in df.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)} (a {what} file needs {', '.join(columns)})",
                         path=path, line=1)
    if df.empty:
        raise InputError(f"the {what} file has no rows", path=path)
    seen: dict[str, int] = {}
    for i, (rid, text) in enumerate(zip(df["id"], df["text"])):
        line = i + 2  # the header is line 1
        rid = rid.strip()
        if not rid:
            raise InputError("empty id", path=path, line=line)
        if ";" in rid or "\n" in rid:
            raise InputError(f"id {rid!r} has a ';' or a line break (ids are listed with ';' as evidence)",
                             path=path, line=line)
        if rid in seen:
            raise InputError(f"id {rid!r} repeats line {seen[rid]}", path=path, line=line)
        seen[rid] = line
        if not text.strip():
            raise InputError(f"empty text for id {rid!r}", path=path, line=line)
    return df.assign(id=df["id"].str.strip())


def read_labelled(path: Path) -> tuple[pd.DataFrame, list[list[str]]]:
    """The training CSV (id, text, labels) and each row's labels (';'-separated, empty: none)."""
    df = _read_csv(path, ("id", "text", "labels"), "training")
    lists = [[lab.strip() for lab in str(cell).split(";") if lab.strip()] for cell in df["labels"]]
    if not any(lists):
        raise InputError("no row carries a label", path=path)
    return df, lists


def _usable(y: np.ndarray, labels: list[str]) -> tuple[list[int], dict[str, str]]:
    keep, skipped = [], {}
    for j, lab in enumerate(labels):
        n = int(y[:, j].sum())
        if n < MIN_POSITIVES:
            skipped[lab] = f"{n} positive(s), needs {MIN_POSITIVES}"
        elif n == len(y):
            skipped[lab] = "every training text carries it (nothing to tell apart)"
        else:
            keep.append(j)
    return keep, skipped


def predict_frame(model: LabelModel, ids: list[str], texts: list[str], vectors: np.ndarray) -> pd.DataFrame:
    """Predictions: id, labels (';'), probabilities (JSON, highest first), nearest (';') and similarity."""
    probs = model.predict_proba(texts, vectors)
    decided = model.decide(probs)
    near, sims = model.nearest(vectors, decided)
    rows = []
    for i, rid in enumerate(ids):
        order = np.argsort(-probs[i], kind="stable")
        ok = np.isfinite(sims[i])
        rows.append({
            "id": rid,
            "labels": ";".join(model.labels[j] for j in order if decided[i, j]),
            "probabilities": json.dumps({model.labels[j]: round(float(probs[i, j]), 4) for j in order}),
            "nearest": ";".join(model.train_ids[j] for j in near[i][ok]),
            "similarity": ";".join(f"{s:.2f}" for s in sims[i][ok]),
        })
    return pd.DataFrame(rows, columns=["id", "labels", "probabilities", "nearest", "similarity"])


def learn_csv(train: Path, predict: Path, output: Path, *, backend: str = "minilm",
              cache_dir: Path | None = None, seed: int = SEED) -> dict:
    """Train on a labelled CSV, predict another, write the predictions CSV; return a summary."""
    from engagement.io import atomic_write_text

    tr, lists = read_labelled(train)
    te = _read_csv(predict, ("id", "text"), "prediction")
    y, labels = label_matrix(lists)
    keep, skipped = _usable(y, labels)
    if not keep:
        raise InputError("no label has enough examples to learn: "
                         + "; ".join(f"{k}: {v}" for k, v in skipped.items()), path=train)
    texts = tr["text"].tolist() + te["text"].tolist()
    vecs = embed(texts, backend, cache_dir=cache_dir, seed=seed)
    model = fit_labels(tr["text"].tolist(), vecs[:len(tr)], y[:, keep], [labels[j] for j in keep],
                       ids=tr["id"].tolist(), seed=seed)
    out = predict_frame(model, te["id"].tolist(), te["text"].tolist(), vecs[len(tr):])
    atomic_write_text(output, out.to_csv(index=False))
    return {"trained": len(tr), "labels": len(keep), "skipped": skipped, "predicted": len(out),
            "labelled": int((out["labels"] != "").sum())}
