"""Topics against human topic labels: BERTopic with its defaults, BERTopic tuned, and ours.

All three are fitted in one run on the same MiniLM embeddings (computed once, cached by content
hash) and scored with adjusted and normalised mutual information (AMI, NMI) against:

- ``sample``: the sample's hand-coded reference (data/raw/sample/coding_reference.csv), primary
  theme = the codebook theme of the first code; fitted on all participant and respondent
  segments of 6+ words (every reference segment is one) from ``engagement prepare``;
- ``blind``: the blind reference (benchmarks/reference/blind_reference.csv; measured, never tuned
  on), fitted on its transcripts' participant sentences of 6+ words (the pool it was drawn from);
- ``fft``: the FFT comments' human labels (../shared/data/fft/fft_labels_train.csv), primary
  label = the first listed; distinct comments of 3+ words, "Labelling not possible" dropped.

Only labelled documents are scored (a reference segment with no code is left out, for every
method); an outlier (-1) counts as one more cluster. "tuned" follows BERTopic's documentation:
min_topic_size 5, English stop words, KeyBERTInspired labels, reduce_outliers. UMAP is seeded
in both BERTopic configurations. Every method is fitted with ``--seeds`` seeds (UMAP's for BERTopic,
KMeans' for ours) and the table shows the means. Fit seconds cover clustering, outlier reduction and labels,
not embedding.

Guided: "ours, guided by half the labels" is ours with the researchers' coding as a guide
(:mod:`engagement.coding.topic_guide`, what a project with a human coding store gets): the labels
of one half of the documents (md5 of the text, even) guide the fit; every method is then also
scored on the other half alone (``AMI_half``), which no guide saw. For a fair comparison BERTopic
gets the same half too, in its own semi-supervised mode (the primary label as UMAP's target). On FFT the guide reads all of a
comment's labels; on the references all of a segment's codes.

Ceiling: "supervised ceiling" is no topic model but a logistic regression on ours' vectors, trained
on half 0's primary labels; its ``AMI_half`` shows how much of the human labelling the embeddings
can carry at all when the labels are learned, the scale against which an unsupervised score reads.

Unit: BERTopic embeds each sentence; ours embeds each sentence as its whole turn (``--unit turn``,
the package default ``topics.unit``), the same MiniLM model; the FFT comments are one turn each.

    python benchmarks/bench_topics.py --segments PATH/segments.parquet [--datasets sample,blind,fft]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks" / "reference"))
FFT = REPO.parent / "shared" / "data" / "fft"
SEED = 20260314


def fft_docs() -> pd.DataFrame:
    labels = pd.read_csv(FFT / "fft_labels_train.csv")
    comments = pd.read_csv(FFT / "fft_comments.csv")
    d = comments.merge(labels, on="comment_id")
    d = d[d["labels"].notna() & (d["labels"] != "Labelling not possible")]
    d = d.assign(text=d["answer"].astype(str).str.strip())
    d = d[d["text"].str.split().str.len() >= 3].drop_duplicates("text")
    return pd.DataFrame({"text": d["text"], "label": d["labels"].str.split(";").str[0].str.strip(),
                         "codes": d["labels"].map(_split)}).reset_index(drop=True)


def _split(value) -> list[str]:
    """A ';'-separated label or code list (empty when missing)."""
    return [] if pd.isna(value) else [c.strip() for c in str(value).split(";") if c.strip()]


def halves(texts: pd.Series) -> np.ndarray:
    """0 or 1 per document from the md5 of its text: half 0 may guide, half 1 is scored unseen."""
    return np.array([int(hashlib.md5(t.encode("utf-8")).hexdigest(), 16) % 2 for t in texts])


def _primary_theme(codes: pd.Series) -> pd.Series:
    from engagement.coding.codebook import codebook_table

    theme = codebook_table().set_index("code")["theme"]
    return codes.str.split(";").str[0].str.strip().map(theme)


def sample_docs(segments_path: Path) -> pd.DataFrame:
    seg = pd.read_parquet(segments_path)
    seg = seg[seg["role"].isin(["participant", "respondent"]) & (seg["n_words"] >= 6)]
    seg = seg.sort_values("segment_id").drop_duplicates("text").reset_index(drop=True)
    ref = pd.read_csv(REPO / "data" / "raw" / "sample" / "coding_reference.csv").dropna(subset=["codes"])
    label = dict(zip(ref["segment_id"], _primary_theme(ref["codes"])))
    codes = dict(zip(ref["segment_id"], ref["codes"].map(_split)))
    from engagement.coding.topics import unit_texts

    everything = pd.read_parquet(segments_path)
    parts = everything.sort_values("segment_id").groupby(["session_id", "turn_index"])["text"].agg(list)
    return pd.DataFrame({"text": seg["text"], "label": seg["segment_id"].map(label),
                         "codes": [codes.get(s, []) for s in seg["segment_id"]],
                         "unit": unit_texts(seg, everything, "turn", "kmeans"),
                         "parts": [parts[k] for k in zip(seg["session_id"], seg["turn_index"])]})


def blind_docs() -> pd.DataFrame:
    import draw_sentences

    rows = [r for area in draw_sentences.AREAS for r in draw_sentences.pool_for(area)]
    pool = pd.DataFrame(rows).drop_duplicates("text").reset_index(drop=True)
    ref = pd.read_csv(REPO / "benchmarks" / "reference" / "blind_reference.csv").dropna(subset=["codes"])
    label = dict(zip(zip(ref["source_file"], ref["text"]), _primary_theme(ref["codes"])))
    codes = dict(zip(zip(ref["source_file"], ref["text"]), ref["codes"].map(_split)))
    every = pd.DataFrame([r for p in sorted(draw_sentences.TRANSCRIPTS.glob("*.txt"))
                          for r in draw_sentences.participant_sentences(p)])
    turns = every.groupby(["source_file", "turn_index"])["text"].agg(" ".join)
    parts = every.groupby(["source_file", "turn_index"])["text"].agg(list)
    keys = list(zip(pool["source_file"], pool["turn_index"]))
    return pd.DataFrame({"text": pool["text"], "label": [label.get(k) for k in zip(pool["source_file"], pool["text"])],
                         "codes": [codes.get(k, []) for k in zip(pool["source_file"], pool["text"])],
                         "unit": [turns[k] for k in keys], "parts": [parts[k] for k in keys]})


def _umap(seed: int):
    from umap import UMAP

    return UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)


def bertopic_defaults(docs, emb, sentence_model, seed, frame=None):
    from bertopic import BERTopic

    model = BERTopic(embedding_model=sentence_model, umap_model=_umap(seed))
    topics, _ = model.fit_transform(docs, embeddings=emb)
    return np.asarray(topics), model


def bertopic_tuned(docs, emb, sentence_model, seed, frame=None, y=None):
    from bertopic import BERTopic
    from bertopic.representation import KeyBERTInspired
    from sklearn.feature_extraction.text import CountVectorizer

    model = BERTopic(embedding_model=sentence_model, umap_model=_umap(seed), min_topic_size=5,
                     vectorizer_model=CountVectorizer(stop_words="english"), representation_model=KeyBERTInspired())
    topics, _ = model.fit_transform(docs, embeddings=emb, y=y)
    if (np.asarray(topics) == -1).any():
        topics = model.reduce_outliers(docs, topics)
        model.update_topics(docs, topics=topics, vectorizer_model=CountVectorizer(stop_words="english"),
                            representation_model=KeyBERTInspired())
    return np.asarray(topics), model


def bertopic_semi_supervised(docs, emb, sentence_model, seed, frame=None):
    """Tuned BERTopic given the same half of the labels as ours guided: its semi-supervised mode
    (the primary label of half 0 as UMAP's target, -1 for every other document)."""
    half = halves(frame["text"])
    known = frame["label"].notna().to_numpy() & (half == 0)
    classes = {c: i for i, c in enumerate(sorted(frame["label"][known].unique()))}
    y = [classes[c] if k else -1 for c, k in zip(frame["label"], known)]
    return bertopic_tuned(docs, emb, sentence_model, seed, y=y)


class _Assigned:
    """Enough of BERTopic's interface for ``score`` to read a labelling that is not a topic model."""

    def __init__(self, labels):
        self.labels = labels

    def get_topic_info(self):
        return pd.DataFrame({"Topic": sorted(set(self.labels))})

    def get_topic(self, topic):
        return [(str(topic), 1.0)]


def supervised_ceiling(docs, emb, sentence_model, seed, frame=None):
    """Not a topic model: a logistic regression on the same vectors, trained on the primary labels of
    half 0 (what the guided rows see) and predicting every document. Its AMI on the unseen half is
    about what the embeddings allow when the labels themselves are learned; an unsupervised
    partition of the same vectors is unlikely to come near it."""
    from sklearn.linear_model import LogisticRegression

    half = halves(frame["text"])
    known = frame["label"].notna().to_numpy() & (half == 0)
    clf = LogisticRegression(C=10, max_iter=3000, random_state=seed).fit(emb[known], frame["label"][known])
    pred = clf.predict(emb)
    classes = {c: i for i, c in enumerate(clf.classes_)}
    labels = np.array([classes[c] for c in pred])
    return labels, _Assigned(labels)


def _ours(method: str, guided: bool = False):
    def fit(docs, emb, sentence_model, seed, frame=None):
        from engagement.coding.topic_guide import guide_from_labels, guided_space
        from engagement.coding.topics import cluster_documents

        cfg = argparse.Namespace(seed=seed, topics={"method": method, "min_topic_size": 12, "nr_topics": "auto",
                                                    "reduce_outliers": True})
        if guided:
            half = halves(frame["text"])
            guide = guide_from_labels([c if h == 0 else [] for c, h in zip(frame["codes"], half)])
            units = (frame["unit"] if "unit" in frame else frame["text"]).tolist()
            emb = guided_space(emb, units, guide, seed)
        return cluster_documents(docs, emb, cfg, sentence_model)
    return fit


METHODS = {"BERTopic defaults": bertopic_defaults, "BERTopic tuned": bertopic_tuned, "ours": _ours("kmeans"),
           "BERTopic tuned, semi-supervised by half": bertopic_semi_supervised,
           "ours, guided by half the labels": _ours("kmeans", guided=True),
           "supervised ceiling (logistic regression, half the labels)": supervised_ceiling}


def score(name: str, dataset: str, docs: pd.DataFrame, emb: np.ndarray, sentence_model, unit_emb=None,
          seed: int = SEED) -> tuple[dict, list[str]]:
    from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

    start = time.perf_counter()
    ours = name.startswith(("ours", "supervised"))
    vectors = unit_emb if ours and unit_emb is not None else emb
    topics, model = METHODS[name](docs["text"].tolist(), vectors, sentence_model, seed, frame=docs)
    seconds = time.perf_counter() - start
    mask = docs["label"].notna().to_numpy()
    unseen = mask & (halves(docs["text"]) == 1)
    truth, pred = docs["label"].to_numpy()[mask], topics[mask]
    sizes = pd.Series(topics).value_counts(normalize=True)
    info = model.get_topic_info()
    labels = [", ".join(w for w, _ in (model.get_topic(t) or [])[:3]) for t in info["Topic"] if t != -1][:5]
    return {"method": name, "dataset": dataset, "seed": seed, "AMI": adjusted_mutual_info_score(truth, pred),
            "NMI": normalized_mutual_info_score(truth, pred),
            "AMI_half": adjusted_mutual_info_score(docs["label"].to_numpy()[unseen], topics[unseen]), "topics": int(len(set(topics) - {-1})),
            "outliers": float((topics == -1).mean()), "biggest": float(sizes.drop(-1, errors="ignore").max()),
            "fit_s": seconds, "scored": int(mask.sum()), "classes": int(pd.Series(truth).nunique())}, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=Path, default=REPO / "data" / "processed" / "segments.parquet",
                        help="the sample's segments.parquet from `engagement prepare`")
    parser.add_argument("--datasets", default="sample,blind,fft")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/engagement-bench-embeddings"))
    parser.add_argument("--unit", choices=["turn", "sentence", "turn-mean"], default="turn",
                        help="what ours embeds on the transcripts (FFT comments are one turn each); "
                             "turn-mean: the word-weighted mean of the turn's sentence vectors")
    parser.add_argument("--methods", default="", help="';'-separated subset of the methods (default: all)")
    parser.add_argument("--seeds", type=int, default=3,
                        help="fit every method with this many seeds and report the means (KMeans and UMAP "
                             "vary with the seed as much as methods differ on a few hundred documents)")
    parser.add_argument("--previous", action="store_true", help="also fit the earlier UMAP + HDBSCAN leaf model")
    args = parser.parse_args()
    from engagement.coding.embeddings import embed_minilm, topic_embedder

    if args.previous:
        METHODS["ours, previous (UMAP+HDBSCAN leaf)"] = _ours("hdbscan")
    loaders = {"sample": lambda: sample_docs(args.segments), "blind": blind_docs, "fft": fft_docs}
    sentence_model = topic_embedder()
    rows = []
    for dataset in args.datasets.split(","):
        docs = loaders[dataset]()
        emb = embed_minilm(docs["text"].tolist(), args.cache)
        unit_emb = embed_minilm(docs["unit"].tolist(), args.cache) if "unit" in docs and args.unit == "turn" else None
        if "parts" in docs and args.unit == "turn-mean":
            from engagement.coding.topics import pooled_vectors

            unit_emb = pooled_vectors(docs["parts"].tolist(), lambda texts: embed_minilm(texts, args.cache))
        for name in METHODS:
            if args.methods and name not in args.methods.split(";"):
                continue
            for seed in range(SEED, SEED + args.seeds):
                row, labels = score(name, dataset, docs, emb, sentence_model, unit_emb, seed)
                rows.append(row)
                print(f"{dataset:6} {name:34} seed {seed} AMI {row['AMI']:.3f} (unseen half {row['AMI_half']:.3f})"
                      f"  {row['topics']} topics, {row['fit_s']:.0f} s; labels: {' | '.join(labels)}", flush=True)
    runs = pd.DataFrame(rows)
    table = runs.groupby(["method", "dataset"], sort=False).mean(numeric_only=True).drop(columns="seed").reset_index()
    table["AMI_sd"] = runs.groupby(["method", "dataset"], sort=False)["AMI_half"].std(ddof=0).to_numpy()
    table[["topics", "scored", "classes"]] = table[["topics", "scored", "classes"]].round().astype(int)
    print(f"means over {args.seeds} seed(s); AMI_sd: the spread of AMI_half over the seeds")
    tuned = table[table["method"] == "BERTopic tuned"].set_index("dataset")
    if tuned.empty:
        print(table.round(3).to_string(index=False))
        return
    table["AMI_vs_tuned"] = table["AMI"] / table["dataset"].map(tuned["AMI"])
    table["half_vs_tuned"] = table["AMI_half"] / table["dataset"].map(tuned["AMI_half"])
    table["time_vs_tuned"] = table["fit_s"] / table["dataset"].map(tuned["fit_s"])
    pd.set_option("display.width", 220)
    print(table.round({"AMI": 3, "NMI": 3, "AMI_half": 3, "AMI_sd": 3, "outliers": 3, "biggest": 3, "fit_s": 1,
                       "AMI_vs_tuned": 2, "half_vs_tuned": 2, "time_vs_tuned": 2}).to_string(index=False))
    print("AMI_half: scored on the half of the labelled documents no guide saw (md5 of the text, odd); "
          "half_vs_tuned compares it with tuned BERTopic on the same half.")


if __name__ == "__main__":
    main()
