"""Learning codes from human coding: engagement.coding.learn against TF-IDF + linear SVM, on real labels.

Data: the FFT comments' human labels (../shared/data/fft/fft_labels_train.csv, 37 labels; texts in
fft_comments.csv, column ``answer``). Split: the labelled comments in file order, shuffled with
``numpy.random.default_rng(20260314).permutation``; the first 80% train, the last 20% test.
Everything that chooses (the model's C, calibration, thresholds) looks only at the training part:
the model selection below holds out the last quarter of the training part; thresholds come from
cross-validation inside ``fit_labels``. The test part is only scored.

Reports:
1. model selection on the inner split of the training part (C, feature blocks);
2. learning curves: micro/macro-F1 at 5, 10, 20, 50, 100% of the training labels (nested subsets in
   the shuffled order), ours vs TF-IDF + LinearSVC one-vs-rest (sklearn defaults, decision > 0);
3. active vs random: from 5%, batches of 5% of the training part chosen by ``rank_for_labelling``
   or at random (seeded), micro-F1 on the test part after each batch;
4. speed: training on 5,000 comments; prediction comments/s with cached embeddings and cold
   (MiniLM embedding included).

Run: ``.venv/bin/python benchmarks/bench_learn.py`` (about 5 minutes on 2 cores).

Last run (2026-12-01, 2 cores): micro-F1 0.752 / macro 0.603 with all 4,527 training labels
(TF-IDF + SVM 0.714 / 0.320), 0.706 / 0.358 with a fifth (0.633 / 0.175); active vs random micro-F1
0.661 / 0.661 at 10%, 0.700 / 0.653 at 15%, 0.707 / 0.693 at 20%, 0.720 / 0.704 at 25%; training on
5,000 comments 19 s (44 s when the cores are shared); prediction 3,265 comments/s on cached
embeddings, 193 comments/s cold (MiniLM embedding is the bottleneck; 44/s on busy cores).

Data: pxtextmining (CC BY-NC-SA 4.0), see ../shared/data/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
FFT = REPO.parent / "shared" / "data" / "fft"
SEED = 20260314
FRACTIONS = (0.05, 0.10, 0.20, 0.50, 1.00)


def fft_labelled() -> pd.DataFrame:
    comments = pd.read_csv(FFT / "fft_comments.csv", dtype=str, keep_default_na=False)
    labels = pd.read_csv(FFT / "fft_labels_train.csv", dtype=str, keep_default_na=False)
    d = labels.merge(comments[["comment_id", "answer"]], on="comment_id", how="left", validate="1:1")
    d = d.rename(columns={"comment_id": "id", "answer": "text"})
    d["text"] = d["text"].fillna("")
    return d.iloc[np.random.default_rng(SEED).permutation(len(d))].reset_index(drop=True)


def scores(y_true, y_pred) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    return (f1_score(y_true, y_pred, average="micro", zero_division=0),
            f1_score(y_true, y_pred, average="macro", zero_division=0))


def ours(tr_texts, tr_vecs, tr_y, labels, te_texts, te_vecs, **kw):
    from engagement.coding.learn import fit_labels

    keep = np.flatnonzero(tr_y.sum(0) >= 3)  # as the CLI does: a label needs 3 positives
    model = fit_labels(tr_texts, tr_vecs, tr_y[:, keep], [labels[j] for j in keep], **kw)
    pred = np.zeros((len(te_texts), len(labels)), dtype=int)
    pred[:, keep] = model.decide(model.predict_proba(te_texts, te_vecs))
    return pred


def baseline(tr_texts, tr_y, te_texts):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    keep = np.flatnonzero((tr_y.sum(0) > 0) & (tr_y.sum(0) < len(tr_y)))
    tfidf = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2)
    x = tfidf.fit_transform(tr_texts)
    clf = OneVsRestClassifier(LinearSVC(random_state=SEED)).fit(x, tr_y[:, keep])
    pred = np.zeros((len(te_texts), tr_y.shape[1]), dtype=int)
    pred[:, keep] = clf.predict(tfidf.transform(te_texts))
    return pred


def main() -> int:
    from engagement.coding.learn import C_SVM, FOLDS, embed, fit_labels, label_matrix, rank_for_labelling
    from engagement.config import load_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/engagement-bench-embeddings"))
    parser.add_argument("--skip-selection", action="store_true", help="skip the model-selection table")
    args = parser.parse_args()

    d = fft_labelled()
    y_all, labels = label_matrix(d["labels"].str.split(";").tolist())
    t0 = time.perf_counter()
    vecs = embed(d["text"].tolist(), "minilm", cache_dir=args.cache)
    print(f"{len(d):,} labelled comments, {len(labels)} labels; embeddings {time.perf_counter() - t0:.1f}s "
          f"(cache {args.cache})")
    n_tr = int(round(0.8 * len(d)))
    texts = d["text"].tolist()
    tr, te = slice(0, n_tr), slice(n_tr, len(d))
    y_tr, y_te = y_all[tr], y_all[te]
    print(f"split: seeded shuffle ({SEED}), {n_tr:,} train / {len(d) - n_tr:,} test\n")

    if not args.skip_selection:
        k = int(0.75 * n_tr)
        print("1. model selection (train on the first 75% of the training part, score its last 25%)")
        print(f"{'candidate':<34}{'micro':>7}{'macro':>7}{'fit s':>7}")
        for name, kw in [("SVM C=0.1, embedding + TF-IDF", dict(c=0.1)), ("SVM C=0.2, embedding + TF-IDF", dict(c=0.2)),
                         ("SVM C=0.5, embedding + TF-IDF", dict(c=0.5)),
                         ("SVM C=0.2, TF-IDF only", dict(c=0.2, weight=0)),
                         ("SVM C=0.2, embedding only", dict(c=0.2, tfidf=False)),
                         ("SVM C=0.2, no at-least-one rule", dict(c=0.2, at_least_one=False)),
                         ("SVM C=0.2, 3 folds (default 5)", dict(c=0.2, folds=3))]:
            t = time.perf_counter()
            p = ours(texts[:k], vecs[:k], y_tr[:k], labels, texts[k:n_tr], vecs[k:n_tr], **kw)
            mi, ma = scores(y_tr[k:], p)
            print(f"{name:<34}{mi:>7.3f}{ma:>7.3f}{time.perf_counter() - t:>7.1f}")
        print(f"(defaults in engagement.coding.learn: C={C_SVM}, {FOLDS} folds, both blocks, at-least-one rule)\n")

    print("2. learning curves on the test part")
    print(f"{'labels':>8}{'n':>6}{'ours micro':>12}{'ours macro':>12}{'svm micro':>11}{'svm macro':>11}"
          f"{'ratio micro':>13}{'ratio macro':>13}{'fit s':>7}")
    for f in FRACTIONS:
        n = int(round(f * n_tr))
        t = time.perf_counter()
        p = ours(texts[:n], vecs[:n], y_tr[:n], labels, texts[te], vecs[te])
        fit_s = time.perf_counter() - t
        b = baseline(texts[:n], y_tr[:n], texts[te])
        (mi, ma), (bmi, bma) = scores(y_te, p), scores(y_te, b)
        print(f"{f:>7.0%} {n:>6}{mi:>12.3f}{ma:>12.3f}{bmi:>11.3f}{bma:>11.3f}{mi / bmi:>13.2f}{ma / bma:>13.2f}"
              f"{fit_s:>7.1f}")

    print("\n3. active vs random (start 5%, batches of 5% of the training part), micro-F1 on the test part")
    cfg = load_config(REPO / "engagement.yaml")
    batch = int(round(0.05 * n_tr))
    ids = d["id"].tolist()
    vec_of = dict(zip(ids, vecs))
    pool = pd.DataFrame({"segment_id": ids[:n_tr], "text": texts[:n_tr], "role": "respondent"})
    exploded = d.iloc[:n_tr].assign(code=d["labels"].str.split(";")).explode("code")
    start = list(range(batch))
    arms = {"active": list(start), "random": list(start)}
    rng = np.random.default_rng(SEED)
    print(f"{'labels':>8}{'active':>9}{'random':>9}{'rank s':>8}")
    for step in range(5):
        row, rank_s = {}, 0.0
        for arm, chosen in arms.items():
            p = ours([texts[i] for i in chosen], vecs[chosen], y_tr[chosen], labels, texts[te], vecs[te])
            row[arm] = scores(y_te, p)[0]
        print(f"{len(arms['active']) / n_tr:>7.0%} {row['active']:>9.3f}{row['random']:>9.3f}", end="")
        if step == 4:
            print()
            break
        t = time.perf_counter()
        labelled = set(ids[i] for i in arms["active"])
        human = exploded[exploded["id"].isin(labelled)].rename(columns={"id": "segment_id"})
        human = human.assign(theme=human["code"])
        nxt = rank_for_labelling(pool, human[["segment_id", "code", "theme"]], cfg, k=batch, vectors=vec_of)
        rank_s = time.perf_counter() - t
        pos = {s: i for i, s in enumerate(ids[:n_tr])}
        arms["active"] += [pos[s] for s in nxt]
        rest = np.setdiff1d(np.arange(n_tr), arms["random"])
        arms["random"] += rng.choice(rest, size=batch, replace=False).tolist()
        print(f"{rank_s:>8.1f}")

    print("\n4. speed")
    n5 = 5000
    t = time.perf_counter()
    model = fit_labels(texts[:n5], vecs[:n5], y_all[:n5], labels)
    print(f"training on {n5:,} comments (embeddings cached): {time.perf_counter() - t:.1f}s (target < 120 s)")
    comments = pd.read_csv(FFT / "fft_comments.csv", dtype=str, keep_default_na=False)["answer"].tolist()
    all_vecs = embed(comments, "minilm", cache_dir=args.cache)
    t = time.perf_counter()
    model.decide(model.predict_proba(comments, all_vecs))
    warm = len(comments) / (time.perf_counter() - t)
    cold_texts = comments[:1000]
    embed(["load the model before the clock starts"], "minilm", cache_dir=None)
    t = time.perf_counter()
    cold_vecs = embed(cold_texts, "minilm", cache_dir=None)
    model.decide(model.predict_proba(cold_texts, cold_vecs))
    cold = len(cold_texts) / (time.perf_counter() - t)
    print(f"prediction: {warm:,.0f} comments/s with cached embeddings ({len(comments):,} comments); "
          f"{cold:,.0f} comments/s cold, MiniLM embedding included ({len(cold_texts):,}; target >= 200)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
