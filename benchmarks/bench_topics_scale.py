"""Topics at scale: a full fit against a fit on a stratified sample with the rest assigned.

On the FFT comments (strata: trust x service, standing in for region x session kind) and on a
larger corpus (the FFT comments plus the sample's participant sentences, strata: source x area x
kind), it fits our partition (``topics.method: kmeans``) on everything and on stratified samples
of several sizes (``engagement.coding.topics.fit_on_sample``), and reports:

- AMI against the FFT human primary labels (only FFT comments are scored);
- fit seconds (clustering, assignment and c-TF-IDF labels; no embedding, no KeyBERT labels);
- stability: adjusted Rand index between two fits on two different samples (seeds), and between
  two full fits with two seeds as the baseline.

    python benchmarks/bench_topics_scale.py --segments PATH/segments.parquet
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
sys.path.insert(0, str(REPO / "benchmarks"))
SEED = 20260314


def corpora(segments_path: Path) -> dict[str, pd.DataFrame]:
    import bench_topics

    fft = bench_topics.fft_docs()
    comments = pd.read_csv(bench_topics.FFT / "fft_comments.csv").assign(text=lambda d: d["answer"].astype(str).str.strip())
    meta = comments.drop_duplicates("text").set_index("text")
    fft = fft.assign(region=fft["text"].map(meta["trust"]).fillna(""), kind=fft["text"].map(meta["service"]).fillna(""))
    seg = pd.read_parquet(segments_path)
    seg = seg[seg["role"].isin(["participant", "respondent"]) & (seg["n_words"] >= 6)].drop_duplicates("text")
    big = pd.concat([fft.assign(region="fft " + fft["region"]),
                     pd.DataFrame({"text": seg["text"], "label": None, "region": seg["region"], "kind": seg["kind"]})],
                    ignore_index=True).drop_duplicates("text").reset_index(drop=True)
    return {"fft": fft, "fft+sample": big}


def fit(docs: pd.DataFrame, emb: np.ndarray, seed: int, sample: int | None):
    from engagement.coding.topics import cluster_documents, fit_on_sample

    cfg = argparse.Namespace(seed=seed, topics={"method": "kmeans", "reduce_outliers": True})
    texts = docs["text"].tolist()
    start = time.perf_counter()
    if sample:
        topics, _ = fit_on_sample(texts, emb, docs, cfg, None, sample)
    else:
        topics, _ = cluster_documents(texts, emb, cfg, None)
    return np.asarray(topics), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=Path, default=REPO / "data" / "processed" / "segments.parquet")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/engagement-bench-embeddings"))
    args = parser.parse_args()
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    from engagement.coding.embeddings import embed_minilm

    rows = []
    for name, docs in corpora(args.segments).items():
        emb = embed_minilm(docs["text"].tolist(), args.cache)
        mask = docs["label"].notna().to_numpy()
        truth = docs["label"].to_numpy()[mask]
        for sample in [None, len(docs) // 4, len(docs) // 2]:
            a, sec = fit(docs, emb, SEED, sample)
            b, _ = fit(docs, emb, SEED + 1, sample)
            row = {"corpus": name, "docs": len(docs), "fit": "full" if sample is None else f"sample {sample}",
                   "topics": len(set(a)), "biggest": float(pd.Series(a).value_counts(normalize=True).max()),
                   "AMI": adjusted_mutual_info_score(truth, a[mask]), "fit_s": sec,
                   "ARI_two_fits": adjusted_rand_score(a, b)}
            rows.append(row)
            print(row, flush=True)
    table = pd.DataFrame(rows)
    full = table[table["fit"] == "full"].set_index("corpus")
    table["AMI_vs_full"] = table["AMI"] / table["corpus"].map(full["AMI"])
    table["time_vs_full"] = table["fit_s"] / table["corpus"].map(full["fit_s"])
    pd.set_option("display.width", 200)
    print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
