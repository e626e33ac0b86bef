"""Unsupervised variants of ours on the FFT labels: is there a partition of the MiniLM vectors that
recovers the human labels much better than seeded KMeans? (benchmarks/bench_topics.py is the
comparison with BERTopic; this script looks for headroom.)

Every variant clusters the same cached embeddings of the FFT comments (as bench_topics.fft_docs) and is
scored by AMI against the primary label on each md5 half of the documents ("dev" = half 0, "test" =
half 1), two seeds each. Variants: seeded KMeans at several k (ours is ``choose_k``), UMAP to 10
dimensions then KMeans, the comment embedded as its first sentence or as the mean of its sentences,
MiniLM joined with a TF-IDF LSA space, spectral clustering and Ward on a k-nearest-neighbour graph,
Louvain communities, and "all-but-the-top" (the first principal directions removed) or PCA-whitened
vectors. The last row is a logistic regression trained on half 0's labels (not a topic model; its "dev"
is its training half, so only "test" counts): how much the vectors carry when the labels are learned.

    python benchmarks/bench_topic_variants.py [--variants km20,km44,...]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
DEFAULT = "km10,km20,km44,km60,umapkm40,first,mean,hybrid0.3,spectral30,ward30,louvain,abtt1,abtt3,whiten50,supervised"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default=DEFAULT)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/engagement-bench-embeddings"))
    args = ap.parse_args()
    from bench_topics import fft_docs, halves
    from sklearn.metrics import adjusted_mutual_info_score as ami
    from sklearn.preprocessing import normalize

    from engagement.coding.embeddings import embed_minilm
    from engagement.coding.topics import CappedKMeans, choose_k

    docs = fft_docs()
    emb = embed_minilm(docs["text"].tolist(), args.cache)
    half, y = halves(docs["text"]), docs["label"].to_numpy()
    X = normalize(emb)
    sents = [re.split(r"(?<=[.!?])\s+", t.strip()) for t in docs["text"]]
    print(f"{len(docs)} FFT comments, {len(set(y))} primary labels, ours' k = {choose_k(len(docs))}")

    def sentence_vectors(kind: str) -> np.ndarray:
        if kind == "first":
            return normalize(embed_minilm([s[0] for s in sents], args.cache))
        flat = embed_minilm([x for s in sents for x in s], args.cache)
        off = np.cumsum([0] + [len(s) for s in sents])
        return normalize(np.stack([flat[off[i]:off[i + 1]].mean(0) for i in range(len(sents))]))

    def fit(v: str, seed: int) -> np.ndarray:
        from sklearn.decomposition import PCA, TruncatedSVD

        if v.startswith("km"):
            return CappedKMeans(int(v[2:]), seed).fit(X).labels_
        if v.startswith("umapkm"):
            from umap import UMAP
            z = UMAP(n_neighbors=15, n_components=10, min_dist=0.0, metric="cosine", random_state=seed).fit_transform(X)
            return CappedKMeans(int(v[6:]), seed).fit(z).labels_
        if v in ("first", "mean"):
            return CappedKMeans(choose_k(len(docs)), seed).fit(sentence_vectors(v)).labels_
        if v.startswith("hybrid"):
            from sklearn.feature_extraction.text import TfidfVectorizer
            w = float(v[6:])
            tf = TfidfVectorizer(stop_words="english", min_df=3, sublinear_tf=True).fit_transform(docs["text"])
            z = normalize(TruncatedSVD(100, random_state=0).fit_transform(tf))
            return CappedKMeans(30, seed).fit(np.hstack([np.sqrt(1 - w) * X, np.sqrt(w) * z])).labels_
        if v.startswith("spectral"):
            from sklearn.cluster import SpectralClustering
            return SpectralClustering(int(v[8:]), affinity="nearest_neighbors", n_neighbors=15, random_state=seed,
                                      assign_labels="cluster_qr").fit_predict(X)
        if v.startswith("ward"):
            from sklearn.cluster import AgglomerativeClustering
            return AgglomerativeClustering(int(v[4:])).fit_predict(X)
        if v == "louvain":
            import networkx as nx
            from sklearn.neighbors import NearestNeighbors
            d, idx = NearestNeighbors(n_neighbors=15, metric="cosine").fit(X).kneighbors(X)
            g = nx.Graph()
            g.add_weighted_edges_from((a, int(b), 1 - dd) for a in range(len(X)) for b, dd in zip(idx[a][1:], d[a][1:]))
            labels = np.zeros(len(X), int)
            for c, members in enumerate(nx.community.louvain_communities(g, weight="weight", seed=seed)):
                labels[list(members)] = c
            return labels
        if v.startswith("abtt"):
            k = int(v[4:])
            xc = X - X.mean(0)
            top = PCA(k).fit(xc).components_
            return CappedKMeans(choose_k(len(docs)), seed).fit(normalize(xc - xc @ top.T @ top)).labels_
        if v.startswith("whiten"):
            z = PCA(int(v[6:]), whiten=True, random_state=0).fit_transform(X - X.mean(0))
            return CappedKMeans(choose_k(len(docs)), seed).fit(normalize(z)).labels_
        if v == "supervised":
            from sklearn.linear_model import LogisticRegression
            clf = LogisticRegression(C=10, max_iter=3000).fit(X[half == 0], y[half == 0])
            return clf.predict(X)
        raise SystemExit(f"unknown variant {v!r}")

    print(f"{'variant':14} {'seed':>4} {'AMI dev':>8} {'AMI test':>9} {'k':>4} {'s':>6}")
    for v in args.variants.split(","):
        for seed in (1, 2):
            start = time.perf_counter()
            labels = np.asarray(fit(v, seed))
            print(f"{v:14} {seed:4} {ami(y[half == 0], labels[half == 0]):8.3f} {ami(y[half == 1], labels[half == 1]):9.3f}"
                  f" {len(set(labels)):4} {time.perf_counter() - start:6.1f}", flush=True)


if __name__ == "__main__":
    main()
