"""Active learning: which segments a researcher should code next.

:func:`rank_for_labelling` orders the uncoded participant segments so that the first ones teach the
learner most: uncertain under the current model, typical of many others (not outliers), and
diverse within the batch (not twenty near-copies of one sentence). See ``benchmarks/bench_learn.py``
for the learning curve against random order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engagement.coding.learn import DENSITY_K, FOLDS, PARTICIPANT_ROLES, fit_labels
from engagement.coding.learn_project import _from_store, _vectors_for, human_training


def _uncertainty(probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """1 when some code's probability sits on its threshold, 0 when every code is certain either way."""
    room = np.where(probs < thresholds, thresholds, 1.0 - thresholds)
    return np.clip(1.0 - np.abs(probs - thresholds) / np.maximum(room, 1e-9), 0.0, 1.0).max(axis=1)


def _diverse_order(vecs: np.ndarray, seed: int, k: int | None) -> list[int]:
    """Cluster representatives first (largest cluster first), then the rest round-robin over clusters."""
    from sklearn.cluster import KMeans

    n = len(vecs)
    n_clusters = min(n, max(k or 0, 10))
    if n_clusters < 2:
        return list(range(n))
    km = KMeans(n_clusters=n_clusters, n_init=3, random_state=seed).fit(vecs)
    dist = np.linalg.norm(vecs - km.cluster_centers_[km.labels_], axis=1)
    sizes = np.bincount(km.labels_, minlength=n_clusters)
    queues = [list(np.flatnonzero(km.labels_ == c)[np.argsort(dist[km.labels_ == c], kind="stable")])
              for c in sorted(range(n_clusters), key=lambda c: (-sizes[c], c))]
    order: list[int] = []
    while any(queues):
        for q in queues:
            if q:
                order.append(int(q.pop(0)))
    return order


def _density(vecs: np.ndarray, k: int = DENSITY_K) -> np.ndarray:
    """How typical each item is: its mean cosine similarity to its ``k`` nearest others (0 when alone)."""
    n = len(vecs)
    k = min(k, n - 1)
    if k < 1:
        return np.ones(n)
    out = np.zeros(n)
    for start in range(0, n, 1024):  # blocks, so a large pool never needs an n x n matrix
        s = vecs[start:start + 1024] @ vecs.T
        s[np.arange(len(s)), np.arange(start, start + len(s))] = -np.inf  # not itself
        out[start:start + len(s)] = np.partition(s, -k, axis=1)[:, -k:].mean(1)
    return np.clip(out, 0.0, None)


def _ranked_batch(vecs: np.ndarray, unc: np.ndarray, limit: int) -> list[int]:
    """Greedy: uncertain x typical x unlike what this batch already holds; the rest by uncertainty.

    Typicality (density) keeps outliers, which teach little about the other segments, from
    crowding out the batch (it beat distance from everything labelled: +0.011 vs -0.004 micro-F1
    over random at 15% of the FFT training part, 3 seeds; benchmarks/bench_learn.py).
    """
    n = len(vecs)
    base = unc * _density(vecs)
    max_sim = np.zeros(n)
    chosen = np.zeros(n, dtype=bool)
    order = []
    for _ in range(min(limit, n)):
        score = base * np.clip(1.0 - max_sim, 0.0, None) + 1e-6 * unc
        score[chosen] = -np.inf
        i = int(np.argmax(score))
        order.append(i)
        chosen[i] = True
        max_sim = np.maximum(max_sim, vecs @ vecs[i])
    rest = [i for i in np.argsort(-unc, kind="stable") if not chosen[i]]
    return order + [int(i) for i in rest]


def rank_for_labelling(segments: pd.DataFrame, human_codings: pd.DataFrame, cfg, *, k: int | None = None,
                       vectors: dict | None = None) -> list[str]:
    """Participant segments not yet coded by a human, in the order whose coding would teach the model most.

    With enough human codings to learn at least one code: uncertainty (how close a segment's
    most borderline code is to its threshold) times typicality (mean similarity to its nearest
    candidates) times distance from what is already ranked (so a batch does not ask about the
    same thing twice), greedily for the first ``k``
    (default: 500), the rest by uncertainty. With none: a diverse order, k-means cluster
    representatives first.

    Args:
        segments: the segments table (segment_id, role, text).
        human_codings: codings with source "human" (segment_id, code, theme), or the human
            decisions store itself (:func:`engagement.coding.human.load_human_codings`), whose
            reviewed segments then count as coded, negatives for every code no human applied.
        cfg: the project config (embedding backend, cache, seed).
        k: the batch about to be coded; only the first ``k`` ids are returned when given.
        vectors: segment_id -> unit embedding, instead of embedding the texts.

    Returns:
        Segment ids, each candidate once.
    """
    seed = int(cfg.seed)
    reviewed: list[str] = []
    if "decision" in human_codings.columns:
        human_codings, _, reviewed = (_from_store(human_codings, segments) if len(human_codings)
                                      else (human_codings.iloc[0:0], None, []))
    coded = set(human_codings["segment_id"]) | set(reviewed)
    cand = segments[segments["role"].isin(PARTICIPANT_ROLES) & ~segments["segment_id"].isin(coded)]
    cand_ids = cand["segment_id"].tolist()
    if not cand_ids:
        return []
    train = human_training(segments, human_codings, reviewed=reviewed)
    all_ids = train.ids + cand_ids
    vecs = _vectors_for(train.texts + cand["text"].tolist(), cfg, vectors, all_ids).astype(np.float32)
    cv = vecs[len(train.ids):]
    if train.codes and len(train.ids) >= FOLDS:
        model = fit_labels(train.texts, vecs[:len(train.ids)], train.y, train.codes, ids=train.ids, seed=seed,
                           at_least_one=False)
        unc = _uncertainty(model.predict_proba(cand["text"].tolist(), cv), model.thresholds)
        order = _ranked_batch(cv, unc, k or 500)
    else:
        order = _diverse_order(cv, seed, k)
    ranked = [cand_ids[i] for i in order]
    return ranked[:k] if k else ranked
