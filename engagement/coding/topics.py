"""Inductive topics with BERTopic, fitted once on all regions so topics mean the same everywhere.

Sub-models are injected, not subclassed. Each sentence is embedded as its whole turn (``topics.unit``:
turn; a sentence alone rarely says what it is about), and by default these embeddings are partitioned with
seeded KMeans (``choose_k`` topics, any topic above 15% of documents split), so no sentence is
an outlier and no catch-all topic forms; against human topic labels this beat BERTopic's
UMAP + HDBSCAN, default or tuned (benchmarks/bench_topics.py). ``topics.method: hdbscan`` (and
guided topics) keep the seeded UMAP + HDBSCAN leaf model with outliers reassigned by embedding
similarity. Labels are c-TF-IDF candidates (English and transcript stop words) re-ranked by
KeyBERTInspired + MaximalMarginalRelevance. Each topic is then mapped to the codebook themes
whose segments it shares; a topic that matches no theme, is large and coherent enough and is not
small talk ("hang on, sorry") is flagged as a candidate new theme for the researcher to look at.
``topic_overview`` is the one table of topics the report and its figure both show.

The fitted result (tables, not a pickled model) is cached by a hash of the segments, the
settings and the embedding model, so per-region notebook runs read it instead of refitting.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engagement.config import Config

# Words that carry no topic in spoken transcripts, on top of sklearn's English list.
TRANSCRIPT_STOP_WORDS = [
    "yeah", "yes", "no", "okay", "ok", "oh", "well", "just", "really", "think", "know", "mean", "like",
    "actually", "basically", "sort", "kind", "thing", "things", "lot", "bit", "say", "said", "going",
    "get", "got", "want", "way", "right", "mm", "um", "erm", "don", "didn", "doesn", "isn", "wasn",
    "ve", "ll", "re", "gonna", "suppose", "probably", "maybe", "person", "people", "sure", "dunno",
]
PLACEHOLDER_TOKENS = ["person", "phone", "email", "nhs_number", "postcode", "address", "date_of_birth", "location"]
MIN_WORDS = 8
MIN_DISTINCT = 20


class _QuietBERTopic:
    """Drops BERTopic's advisory about custom topic assignments: we reassign outliers on purpose, last."""

    def filter(self, record) -> bool:  # logging.Filter protocol
        return "custom list of topic assignments" not in record.getMessage()


def _silence_bertopic() -> None:
    import logging

    log = logging.getLogger("BERTopic")
    if not any(isinstance(f, _QuietBERTopic) for f in log.filters):
        log.addFilter(_QuietBERTopic())


@dataclass
class TopicResult:
    topics: pd.DataFrame            # topic_id, label, size, words, themes, candidate_new_theme, ...
    segment_topics: pd.DataFrame    # segment_id, topic_id, probability
    settings: dict


def _vectorizer():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop = sorted(set(ENGLISH_STOP_WORDS) | set(TRANSCRIPT_STOP_WORDS) | set(PLACEHOLDER_TOKENS))
    # c-TF-IDF fits this on one document per topic: min_df=2 would keep only words shared by two
    # topics, dropping the very words that tell a topic apart (and leaving one word, which crashed
    # BERTopic's topic reduction, when few topics have disjoint vocabularies)
    return CountVectorizer(stop_words=stop, ngram_range=(1, 2), min_df=1, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")


class SeededUMAP:
    """UMAP whose ``transform`` of the training data returns the fitted embedding.

    BERTopic calls ``fit`` and then ``transform`` on the same documents; UMAP's ``transform``
    re-optimises with unseeded parallel steps, so the same seed gave different topics on every
    run. ``fit_transform`` is reproducible, so its result is kept and reused.
    """

    def __init__(self, **kwargs):
        from umap import UMAP

        self.umap = UMAP(**kwargs)
        self._fitted_on = None
        self.embedding_ = None

    def fit(self, X, y=None):
        self.embedding_ = self.umap.fit_transform(X, y=y)
        self._fitted_on = np.asarray(X)
        return self

    def transform(self, X):
        X = np.asarray(X)
        if self._fitted_on is not None and X.shape == self._fitted_on.shape and np.array_equal(X, self._fitted_on):
            return self.embedding_
        return self.umap.transform(X)


MAX_TOPIC_SHARE = 0.15


def choose_k(n_docs: int) -> int:
    """The number of topics: sqrt(n/2) (Mardia's rule of thumb), between 8 and 60.

    Read from the corpus size only, never from labels. A cosine-silhouette choice on a development
    half was tried and dropped: it took longer than a whole BERTopic fit on a shared machine and
    picked 10 topics on the FFT comments (AMI 0.19 against 0.23 at 20-40).
    """
    return int(min(60, max(8, round((n_docs / 2) ** 0.5))))


class CappedKMeans:
    """KMeans that splits any cluster holding more than ``max_share`` of the documents in two.

    A partition leaves no outliers; the split keeps one catch-all topic from swallowing the
    generic talk. Exposes ``labels_`` and ``predict`` as BERTopic's cluster model protocol needs.
    """

    def __init__(self, n_clusters: int, random_state: int, max_share: float = MAX_TOPIC_SHARE):
        self.n_clusters, self.random_state, self.max_share = n_clusters, random_state, max_share
        self.labels_ = None
        self.cluster_centers_ = None

    def fit(self, X, y=None):
        from sklearn.cluster import KMeans

        X = np.asarray(X)
        k = max(1, min(self.n_clusters, len(X)))
        labels = KMeans(n_clusters=k, n_init=3, random_state=self.random_state).fit_predict(X)
        for _ in range(4 * k):
            sizes = np.bincount(labels)
            big = int(sizes.argmax())
            if sizes[big] <= self.max_share * len(X) or sizes[big] < 4:
                break
            idx = np.where(labels == big)[0]
            halves = KMeans(n_clusters=2, n_init=3, random_state=self.random_state).fit_predict(X[idx])
            labels[idx[halves == 1]] = labels.max() + 1
        # topic ids by size, largest first, so ids read the same way as BERTopic's
        order = np.argsort(-np.bincount(labels), kind="stable")
        self.labels_ = np.argsort(order, kind="stable")[labels]
        self.cluster_centers_ = np.stack([X[self.labels_ == t].mean(axis=0) for t in range(len(order))])
        return self

    def predict(self, X):
        d = ((np.asarray(X)[:, None, :] - self.cluster_centers_[None, :, :]) ** 2).sum(axis=2)
        return d.argmin(axis=1)


def _method(cfg: Config, seed_topics) -> str:
    """"kmeans" unless configured otherwise; guided topics (seed word lists) need BERTopic's guided HDBSCAN."""
    return "hdbscan" if seed_topics else cfg.topics.get("method", "kmeans")


def build_topic_model(cfg: Config, n_docs: int, embedding_model=None, seed_topics: list[list[str]] | None = None,
                      n_topics: int | None = None):
    """A BERTopic with seeded, injected sub-models suited to a few thousand short segments.

    ``topics.method`` "kmeans" (the default) partitions the sentence embeddings themselves into
    ``n_topics`` topics (see ``choose_k``), none above 15% of documents; "hdbscan" is the
    earlier UMAP + HDBSCAN leaf model with outlier reduction. Against human topic labels the
    partition scores higher (benchmarks/bench_topics.py).
    """
    from bertopic import BERTopic

    settings = cfg.topics
    seed = int(cfg.seed)
    if _method(cfg, seed_topics) == "kmeans":
        from bertopic.dimensionality import BaseDimensionalityReduction

        return BERTopic(
            embedding_model=embedding_model, umap_model=BaseDimensionalityReduction(),
            hdbscan_model=CappedKMeans(n_topics or 20, seed), vectorizer_model=_vectorizer(),
            representation_model=None, top_n_words=10, nr_topics=None, seed_topic_list=None,
            calculate_probabilities=False, verbose=False,
        )
    from hdbscan import HDBSCAN

    min_size = int(settings.get("min_topic_size", 8))
    umap_model = SeededUMAP(n_neighbors=min(15, max(2, n_docs - 1)), n_components=5, min_dist=0.0, metric="cosine",
                            random_state=seed, low_memory=True)
    # "leaf" selection gives many even clusters instead of one blob of generic talk ("the NHS", "data")
    hdbscan_model = HDBSCAN(min_cluster_size=min_size, min_samples=max(2, min_size // 3), metric="euclidean",
                            cluster_selection_method="leaf", prediction_data=True)
    nr_topics = settings.get("nr_topics", "auto")
    # labels come from representation_model() in one pass after outlier reduction (see _fit)
    return BERTopic(
        embedding_model=embedding_model, umap_model=umap_model, hdbscan_model=hdbscan_model,
        vectorizer_model=_vectorizer(), representation_model=None, top_n_words=10,
        nr_topics=None if nr_topics in (None, "none") else nr_topics, seed_topic_list=seed_topics,
        calculate_probabilities=False, verbose=False,
    )


def representation_model(seed: int, neural: bool):
    """KeyBERTInspired + MMR labels (neural embeddings), else c-TF-IDF words with MMR-free defaults."""
    if not neural:
        return None
    from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

    return [KeyBERTInspired(top_n_words=10, nr_candidate_words=40, random_state=seed),
            MaximalMarginalRelevance(diversity=0.5)]


def topic_inputs(segments: pd.DataFrame, include_roles=("participant", "respondent")) -> pd.DataFrame:
    """The segments topics are fitted on: participants' and respondents' sentences of 8+ words."""
    keep = segments[segments["role"].isin(include_roles) & (segments["n_words"] >= MIN_WORDS)]
    return keep.sort_values("segment_id").reset_index(drop=True)


def _cache_key(docs: list[str], cfg: Config, seed_topics) -> str:
    payload = json.dumps({"docs": docs, "topics": cfg.topics, "seed": cfg.seed, "seed_topics": seed_topics,
                          "version": 11}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def guided_seed_topics(codebook) -> list[list[str]]:
    """Seed word lists for guided BERTopic, one per codebook theme (from its phrases)."""
    seeds = []
    for theme in codebook.themes():
        words = sorted({w.lower() for phrase in codebook.phrases_for_theme(theme) for w in phrase.split()
                        if len(w) > 3})[:12]
        if words:
            seeds.append(words)
    return seeds


def fit_topics(segments: pd.DataFrame, cfg: Config, *, codings: pd.DataFrame | None = None,
               seed_topics: list[list[str]] | None = None, use_cache: bool = True) -> TopicResult:
    """Fit topics on all regions' participant segments and map them to codebook themes.

    Args:
        segments: the segments table.
        cfg: configuration (``topics`` settings, ``seed``, cache folder).
        codings: rule codings, for mapping topics to themes (optional).
        seed_topics: word lists for guided topic modelling (optional).
        use_cache: read/write the cached result keyed by content hash.
    """
    docs_df = topic_inputs(segments)
    docs = docs_df["text"].tolist()
    n_distinct = docs_df["text"].nunique()
    if n_distinct < MIN_DISTINCT:
        empty_t = pd.DataFrame({"topic_id": pd.Series(dtype=int), "label": pd.Series(dtype=str),
                                "size": pd.Series(dtype=int), "words": pd.Series(dtype=str)})
        empty_s = pd.DataFrame({"segment_id": pd.Series(dtype=str), "topic_id": pd.Series(dtype=int),
                                "probability": pd.Series(dtype=float)})
        reason = f"too few distinct segments of {MIN_WORDS}+ words to fit topics ({n_distinct}; need {MIN_DISTINCT})"
        return TopicResult(map_topics_to_themes(empty_t, empty_s, codings), empty_s,
                           {"embedding": cfg.topics.get("embedding"), "n_docs": len(docs), "skipped": reason})
    backend = cfg.topics.get("embedding", "minilm")
    key = _cache_key(docs, cfg, seed_topics)
    cache = cfg.cache_dir / "topics" / key
    if use_cache and (cache / "topics.parquet").is_file():
        topics = pd.read_parquet(cache / "topics.parquet")
        seg_topics = pd.read_parquet(cache / "segment_topics.parquet")
    else:
        topics, seg_topics = _fit(docs_df, cfg, backend, seed_topics, segments)
        if use_cache:
            import shutil

            # only the current fit is kept: older ones may hold words of withdrawn participants
            for old in cache.parent.glob("*"):
                if old.is_dir() and old != cache:
                    shutil.rmtree(old, ignore_errors=True)
            cache.mkdir(parents=True, exist_ok=True)
            topics.to_parquet(cache / "topics.parquet", index=False)
            seg_topics.to_parquet(cache / "segment_topics.parquet", index=False)
    topics = map_topics_to_themes(topics, seg_topics, codings)
    return TopicResult(topics, seg_topics, {"embedding": backend, "cache_key": key, "n_docs": len(docs)})


def lemma_documents(docs_df: pd.DataFrame) -> list[str]:
    """Documents for c-TF-IDF and labels: lemmas, so "worry/worries/worried" count as one word."""
    import re

    keep = re.compile(r"^[a-z][a-z'-]+$")
    return [" ".join(LEMMA_WORDS.get(w, w) for w in str(lemmas).split() if keep.match(w)) for lemmas in docs_df["lemmas"]]


#: Lemmas no researcher would write in a label: spaCy's lemma of "data" is "datum" ("health datum").
LEMMA_WORDS = {"datum": "data"}


def cluster_documents(docs: list[str], emb: np.ndarray, cfg: Config, emb_model=None, seed_topics=None):
    """Topic of each document and the fitted BERTopic with its labels (one pass, after outliers).

    The benchmark calls this on the same embeddings it gives BERTopic's own configurations.
    """
    n_topics = choose_k(len(docs)) if _method(cfg, seed_topics) == "kmeans" else None
    model = build_topic_model(cfg, len(docs), emb_model, seed_topics, n_topics=n_topics)
    _silence_bertopic()
    assigned, _ = model.fit_transform(docs, embeddings=emb)
    if cfg.topics.get("reduce_outliers", True) and any(t == -1 for t in assigned) and len(set(assigned)) > 1:
        strategy = "embeddings" if emb_model is not None else "c-tf-idf"
        kwargs = {"embeddings": emb} if strategy == "embeddings" else {}
        # a high threshold: only outliers that clearly belong somewhere are moved
        assigned = model.reduce_outliers(docs, assigned, strategy=strategy, threshold=0.5, **kwargs)
    # one representation pass; update_topics forgets the vectorizer unless given again (BERTopic #2114)
    model.update_topics(docs, topics=assigned, vectorizer_model=_vectorizer(),
                        representation_model=representation_model(int(cfg.seed), emb_model is not None))
    return np.asarray(assigned, dtype=int), model


def _fit(docs_df: pd.DataFrame, cfg: Config, backend: str, seed_topics, segments: pd.DataFrame | None = None
         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit on the distinct sentences, then give every segment its sentence's topic.

    Each sentence is embedded as its whole turn (``topics.unit``, default "turn"; see
    :func:`unit_texts`). Above ``topics.fit_sample`` distinct sentences (default 20000; 0 or
    null: never) the partition is fitted on a stratified sample and the rest assigned
    (:func:`fit_on_sample`).

    Exact duplicates (a survey answer pasted twice, the x10 benchmark) tie in UMAP's nearest
    neighbours and make the fit non-reproducible; they also should not weigh twice.
    """
    from engagement.coding.embeddings import embed, topic_embedder

    unique = docs_df.drop_duplicates("text", keep="first").reset_index(drop=True)
    texts = unique["text"].tolist()
    docs = lemma_documents(unique)
    # embeddings read the real sentences (or their whole turns); c-TF-IDF and labels read lemmas
    unit = cfg.topics.get("unit", "turn")
    units = unit_texts(unique, segments, unit, _method(cfg, seed_topics))
    fit_sample = cfg.topics.get("fit_sample", FIT_SAMPLE)
    sampled = bool(fit_sample) and _method(cfg, seed_topics) == "kmeans" and len(docs) > int(fit_sample)
    idx = stratified_sample(unique[[c for c in ("region", "kind") if c in unique]], int(fit_sample),
                            int(cfg.seed)) if sampled else None
    embed_fn = lambda t: embed(t, backend, cache_dir=cfg.cache_dir / "embeddings", seed=int(cfg.seed))  # noqa: E731
    if sampled and unit == "turn" and backend == "minilm" and units != texts:
        emb = _sample_and_pooled_vectors(unique, segments, units, idx, embed_fn)
    else:
        emb = embed_fn(units)
    # different sentences can still embed identically (TF-IDF ignores stop words): a tiny seeded
    # jitter breaks the neighbour ties reproducibly
    emb = emb + np.random.default_rng(int(cfg.seed)).normal(scale=1e-4, size=emb.shape).astype(emb.dtype)
    emb_model = topic_embedder() if backend == "minilm" else None
    if sampled:
        assigned, model = fit_on_sample(docs, emb, unique, cfg, emb_model, int(fit_sample), idx=idx)
    else:
        assigned, model = cluster_documents(docs, emb, cfg, emb_model, seed_topics)
    assigned = np.asarray(assigned, dtype=int)
    sims = dict(zip(texts, _similarity_to_topic(emb, assigned)))
    topic_of = dict(zip(texts, assigned))
    seg_topics = pd.DataFrame({"segment_id": docs_df["segment_id"],
                               "topic_id": docs_df["text"].map(topic_of).astype(int),
                               "probability": docs_df["text"].map(sims)})
    sizes = seg_topics["topic_id"].value_counts()
    rows = []
    for tid in sorted(set(int(t) for t in assigned)):
        words = [w for w, _ in (model.get_topic(tid) or []) if w]
        label = "Outliers (no clear topic)" if tid == -1 else ", ".join(_label_phrases(words)) or f"Topic {tid}"
        rows.append({"topic_id": tid, "label": label, "size": int(sizes.get(tid, 0)), "words": ", ".join(words[:10])})
    return pd.DataFrame(rows), seg_topics



FIT_SAMPLE = 20000     # above this many distinct sentences, fit on a stratified sample and assign the rest


def turn_texts(segments: pd.DataFrame) -> pd.Series:
    """Each turn's text, its sentences joined in order (index: session_id, turn_index)."""
    ordered = segments.sort_values("segment_id")
    return ordered.groupby(["session_id", "turn_index"], sort=False)["text"].agg(" ".join)


def pooled_vectors(groups: list[list[str]], embed_fn) -> np.ndarray:
    """One L2-normalised vector per group of texts: the mean of its texts' vectors, weighted by words.

    A turn's vector from its sentences' vectors, which the semantic layer has embedded already:
    close to embedding the whole turn (mean pooling over its tokens), at no extra model cost.
    """
    distinct = list(dict.fromkeys(t for g in groups for t in g))
    if not distinct:
        return np.zeros((len(groups), 384), dtype=np.float32)
    vecs = embed_fn(distinct)
    row = {t: i for i, t in enumerate(distinct)}
    out = np.zeros((len(groups), vecs.shape[1]), dtype=np.float32)
    for j, g in enumerate(groups):
        if not g:
            continue
        idx = [row[t] for t in g]
        w = np.array([max(1, len(t.split())) for t in g], dtype=np.float32)
        out[j] = (vecs[idx] * w[:, None]).sum(axis=0) / w.sum()
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.clip(norms, 1e-12, None)


def unit_texts(unique: pd.DataFrame, segments: pd.DataFrame | None, unit: str, method: str) -> list[str]:
    """The text each topic input is embedded as: its sentence, or (``unit: turn``) its whole turn.

    A sentence alone ("It would have helped with my Dennis") rarely says what it is about; its
    turn does. Against the hand-coded references the turn unit recovered the human primary theme
    better than the sentence or a window of neighbouring sentences (benchmarks/bench_topics.py).
    Every sentence of a turn then shares its topic. HDBSCAN keeps sentences: identical turn
    vectors tie in UMAP's neighbour graph.
    """
    if unit == "sentence" or method != "kmeans" or segments is None or "turn_index" not in unique:
        return unique["text"].tolist()
    if unit != "turn":
        raise ValueError(f"topics.unit must be 'sentence' or 'turn', not '{unit}'")
    turns = turn_texts(segments)
    keys = list(zip(unique["session_id"], unique["turn_index"]))
    return [turns.get(k, t) for k, t in zip(keys, unique["text"])]


def stratified_sample(strata: pd.DataFrame, size: int, seed: int) -> np.ndarray:
    """Row positions of a seeded sample of ``size`` rows, each stratum (region x kind) in proportion.

    Every stratum keeps at least one row, so a small area is never left out of the fit.
    """
    n = len(strata)
    if size >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    key = strata.astype(str).agg("|".join, axis=1).to_numpy() if strata.shape[1] else np.zeros(n, dtype=str)
    picked = []
    for value in sorted(set(key)):
        idx = np.where(key == value)[0]
        take = max(1, int(round(size * len(idx) / n)))
        picked.append(np.sort(rng.choice(idx, size=min(take, len(idx)), replace=False)))
    return np.sort(np.concatenate(picked))


def _sample_and_pooled_vectors(unique: pd.DataFrame, segments: pd.DataFrame, units: list[str], idx: np.ndarray,
                               embed_fn) -> np.ndarray:
    """Turn vectors for a sampled fit: the fit sample's turns embedded whole, the rest pooled.

    The rest only go to their nearest topic, so their turn's vector is the word-weighted mean of
    its sentences' vectors (:func:`pooled_vectors`), which the semantic layer has cached already:
    a big corpus is then embedded about once, not twice (sentences, then turns). On the hand-coded
    references pooled turn vectors kept 0.92-0.94 of the whole turns' AMI (benchmarks/bench_topics.py
    --unit turn-mean).
    """
    emb = embed_fn([units[i] for i in idx])
    out = np.zeros((len(units), emb.shape[1]), dtype=np.float32)
    out[idx] = emb
    rest = np.setdiff1d(np.arange(len(units)), idx)
    if len(rest):
        parts = segments.sort_values("segment_id").groupby(["session_id", "turn_index"], sort=False)["text"].agg(list)
        keys = list(zip(unique["session_id"].iloc[rest], unique["turn_index"].iloc[rest]))
        texts = unique["text"].iloc[rest].tolist()
        out[rest] = pooled_vectors([parts.get(k, [t]) for k, t in zip(keys, texts)], embed_fn)
    return out


def fit_on_sample(docs: list[str], emb: np.ndarray, unique: pd.DataFrame, cfg: Config, emb_model, size: int,
                  idx: np.ndarray | None = None):
    """Fit the partition on a stratified sample (region x kind), give the rest their nearest centroid.

    Labels are then computed once on all documents, so every topic is described by all of its
    sentences. See benchmarks/bench_topics_scale.py for recovery, time and stability against a full fit.
    ``idx``: the sample's rows, if already drawn (the same draw as here).
    """
    if idx is None:
        cols = [c for c in ("region", "kind") if c in unique]
        idx = stratified_sample(unique[cols], size, int(cfg.seed))
    # as many topics as a full fit would have: the sample saves time, it does not coarsen the topics
    n_topics = choose_k(len(docs))
    model = build_topic_model(cfg, len(idx), emb_model, None, n_topics=n_topics)
    _silence_bertopic()
    model.fit([docs[i] for i in idx], embeddings=emb[idx])
    assigned = np.asarray(model.hdbscan_model.predict(emb), dtype=int)
    # the partition's own ids (largest first); BERTopic's re-sorted topics_ could swap ties
    assigned[idx] = np.asarray(model.hdbscan_model.labels_, dtype=int)
    model.update_topics(docs, topics=assigned.tolist(), vectorizer_model=_vectorizer(),
                        representation_model=representation_model(int(cfg.seed), emb_model is not None))
    return assigned, model


def _label_phrases(words: list[str], n: int = 3) -> list[str]:
    """The first ``n`` topic words that say something new: no "data data", no "doctor" after "tell doctor"."""
    out: list[str] = []
    for w in words:
        parts = w.split()
        if len(set(parts)) < len(parts) or any(set(parts) <= set(o.split()) for o in out):
            continue
        out.append(w)
        if len(out) == n:
            break
    return out


def _similarity_to_topic(emb: np.ndarray, assigned: np.ndarray) -> np.ndarray:
    """Cosine similarity of each segment to its topic's centroid (a confidence, NaN for outliers)."""
    out = np.full(len(assigned), np.nan)
    for tid in np.unique(assigned):
        if tid == -1:
            continue
        idx = np.where(assigned == tid)[0]
        centre = emb[idx].mean(axis=0)
        centre = centre / (np.linalg.norm(centre) or 1.0)
        out[idx] = emb[idx] @ centre
    return np.round(out, 6)


# Discourse and call-handling words: a topic labelled mostly with these is talk about the talk
# ("hang on, sorry", "press the button"), not something people raised about their data.
FILLER_WORDS = frozenset(TRANSCRIPT_STOP_WORDS) | {
    "sorry", "hang", "listen", "press", "button", "hear", "hello", "hi", "bye", "thank", "thanks", "pardon",
    "signal", "mute", "unmute", "click", "honestly", "literally", "anyway", "guess", "stuff", "tell", "happen",
    "time", "come", "go", "er", "uh", "hmm", "ah", "alright", "fine", "good", "great", "lovely", "bad", "thing",
}
MIN_COHERENCE = 0.5        # mean cosine similarity of a topic's sentences to their centroid
MIN_TOPIC_DOCS = 10        # a candidate new theme needs at least this many sentences ...
MIN_TOPIC_SHARE = 0.02     # ... and at least this share of all sentences
NO_THEME = "no theme"
OUTLIER_LABEL = "Outliers (no clear topic)"


def is_filler_label(label: str, *, max_share: float = 0.5) -> bool:
    """True when half or more of the distinct words of a topic label are filler or discourse words.

    Example:
        >>> is_filler_label("hang, sorry, listen"), is_filler_label("parking, car, bus")
        (True, False)
    """
    words = {w for phrase in str(label).lower().split(",") for w in phrase.split()}
    return bool(words) and sum(w in FILLER_WORDS for w in words) / len(words) >= max_share


def min_topic_size(n_docs: int) -> int:
    """The size a topic needs to count as a candidate new theme: max(10, 2% of the documents)."""
    return int(max(MIN_TOPIC_DOCS, np.ceil(MIN_TOPIC_SHARE * n_docs)))


def _candidates(out: pd.DataFrame, n_docs: int, min_size: int | None, min_coherence: float) -> pd.Series:
    """The candidate-new-theme rule on a mapped topics table (see :func:`map_topics_to_themes`)."""
    size_needed = min_topic_size(n_docs) if min_size is None else min_size
    coherence = out["coherence"] if "coherence" in out else pd.Series(np.nan, index=out.index)
    return ((out["topic_id"] != -1) & ~out["matched"] & (out["size"] >= size_needed)
            & (coherence.fillna(-1.0) >= min_coherence) & ~out["label"].map(is_filler_label)).astype(bool)


def map_topics_to_themes(topics: pd.DataFrame, segment_topics: pd.DataFrame, codings: pd.DataFrame | None,
                         *, min_share: float = 0.25, new_theme_below: float = 0.15, min_size: int | None = None,
                         min_coherence: float = MIN_COHERENCE) -> pd.DataFrame:
    """Add each topic's overlap with codebook themes (share of its segments coded with the theme).

    A topic *matches* its best theme when that theme covers at least ``new_theme_below`` of its
    segments. ``coherence`` is the mean cosine similarity of the topic's segments to their
    centroid (the ``probability`` of ``segment_topics``). A topic is flagged
    ``candidate_new_theme`` only if it matches no theme, holds at least ``min_size`` segments
    (default max(10, 2% of all segments)), has coherence of at least ``min_coherence``, and its
    label is not mostly filler words ("hang, sorry, listen"): something people talked about that
    the codebook has no code for, not a scatter of small talk.
    """
    out = topics.copy()
    out["themes"], out["top_theme"], out["top_theme_share"] = "", "", 0.0
    if "probability" in segment_topics and len(segment_topics):
        out["coherence"] = out["topic_id"].map(
            segment_topics.groupby("topic_id")["probability"].mean().round(4)).astype(float)
    elif "coherence" not in out:
        out["coherence"] = np.nan
    n_docs = len(segment_topics)
    if codings is not None and not codings.empty:
        coded = codings[["segment_id", "theme"]].drop_duplicates()
        merged = segment_topics.merge(coded, on="segment_id", how="left")
        sizes = segment_topics.groupby("topic_id").size()
        for i, rec in out.iterrows():
            tid = rec["topic_id"]
            part = merged[merged["topic_id"] == tid].dropna(subset=["theme"])
            shares = (part.groupby("theme")["segment_id"].nunique() / max(1, sizes.get(tid, 0))).sort_values(
                ascending=False, kind="stable")
            out.at[i, "themes"] = "; ".join(f"{t} ({s:.0%})" for t, s in shares.items() if s >= min_share)
            if len(shares):
                out.at[i, "top_theme"], out.at[i, "top_theme_share"] = shares.index[0], float(round(shares.iloc[0], 4))
    out["matched"] = (out["top_theme"] != "") & (out["top_theme_share"] >= new_theme_below)
    out["candidate_new_theme"] = _candidates(out, n_docs, min_size, min_coherence)
    return out.drop(columns="matched")


def topic_overview(topics: pd.DataFrame, labels: dict[str, str] | None = None, *, min_size: int | None = None,
                   min_coherence: float = MIN_COHERENCE, new_theme_below: float = 0.15, top: int | None = None
                   ) -> pd.DataFrame:
    """The one topics table the report and :func:`~engagement.report.figures.topic_map` both show.

    One row per topic, largest first (``top`` of them if given), then one row for the outliers
    (topic -1, size 0 when every sentence has a topic), so the outlier share is always stated.
    The candidate-new-theme rule is re-applied here (see :func:`map_topics_to_themes`), so a table
    fitted with older settings reads the same as a fresh one.

    Args:
        topics: the mapped topics table (``map_topics_to_themes``; ``coherence`` if known).
        labels: theme id -> label; a theme without one is shown as its id in words.
        min_size: sentences a candidate new theme needs (default max(10, 2% of all sentences)).
        min_coherence: coherence a candidate new theme needs.
        new_theme_below: best-theme share below which a topic matches no theme.
        top: keep only the largest ``top`` topics (the outlier row is always kept).

    Returns:
        Columns topic_id, topic (its label phrase), size, share (of all sentences), theme (the
        matched theme's label, or "no theme"), top_theme_share, coherence, candidate_new_theme;
        ``attrs`` holds ``outlier_share``, ``n_documents`` (all topics, not only the ``top``) and the
        ``min_size`` and ``min_coherence`` applied.

    Example:
        >>> topic_overview(mapped_topics, {"commercial": "Commercial access"})   # doctest: +SKIP
    """
    cols = ["topic_id", "topic", "size", "share", "theme", "top_theme_share", "coherence", "candidate_new_theme"]
    t = topics.copy()
    for col, default in (("top_theme", ""), ("top_theme_share", 0.0), ("coherence", np.nan)):
        if col not in t:
            t[col] = default
    t["top_theme"] = t["top_theme"].fillna("").astype(str)
    t["top_theme_share"] = t["top_theme_share"].astype(float).fillna(0.0)
    n_docs = int(t["size"].sum())
    t["matched"] = (t["top_theme"] != "") & (t["top_theme_share"] >= new_theme_below)
    t["candidate_new_theme"] = _candidates(t, n_docs, min_size, min_coherence) if len(t) else pd.Series(dtype=bool)
    names = labels or {}
    t["theme"] = [names.get(th, th.replace("_", " ").capitalize()) if m else NO_THEME
                  for th, m in zip(t["top_theme"], t["matched"])]
    t["share"] = (t["size"] / n_docs).round(4) if n_docs else 0.0
    t = t.rename(columns={"label": "topic"})
    rows = t[t["topic_id"] != -1].sort_values(["size", "topic_id"], ascending=[False, True], kind="stable")
    if top is not None:
        rows = rows.head(top)
    outliers = t[t["topic_id"] == -1]
    n_out = int(outliers["size"].sum())
    out_row = pd.DataFrame([{"topic_id": -1, "topic": OUTLIER_LABEL, "size": n_out,
                             "share": round(n_out / n_docs, 4) if n_docs else 0.0, "theme": NO_THEME,
                             "top_theme_share": np.nan, "coherence": np.nan, "candidate_new_theme": False}])
    table = pd.concat([rows[cols], out_row[cols]], ignore_index=True) if len(rows) else out_row[cols]
    table = table.astype({"topic_id": int, "size": int, "share": float, "candidate_new_theme": bool})
    table.attrs.update(outlier_share=float(out_row["share"].iloc[0]), n_documents=n_docs,
                       min_coherence=float(min_coherence),
                       min_size=int(min_topic_size(n_docs) if min_size is None else min_size))
    return table


def topics_per_class(segments: pd.DataFrame, segment_topics: pd.DataFrame, topics: pd.DataFrame,
                     by: str = "region") -> pd.DataFrame:
    """Topic x class (region or session kind) table: segments, participants and share of the class's segments."""
    merged = segment_topics.merge(segments[["segment_id", "participant_id", by]], on="segment_id")
    totals = merged.groupby(by)["segment_id"].count()
    table = merged.groupby(["topic_id", by]).agg(segments=("segment_id", "count"),
                                                   participants=("participant_id", "nunique")).reset_index()
    table["share_of_segments"] = (table["segments"] / table[by].map(totals)).round(4)
    table = table.merge(topics[["topic_id", "label"]], on="topic_id", how="left")
    return table.sort_values(["topic_id", by]).reset_index(drop=True)


def topic_quality(topics: pd.DataFrame, segments: pd.DataFrame, segment_topics: pd.DataFrame, top_n: int = 10
                  ) -> dict[str, float]:
    """NPMI coherence (gensim, on the segments' lemmas) and topic diversity of the fitted topics."""
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    # topic words are lemmas (see lemma_documents), so co-occurrence is counted on lemmas
    texts = segments.loc[segments["segment_id"].isin(segment_topics["segment_id"]), "lemmas"].str.split().tolist()
    word_lists = [[w for w in str(ws).split(", ") if w and " " not in w][:top_n]
                  for ws in topics.loc[topics["topic_id"] != -1, "words"]]
    dictionary = Dictionary(texts)
    word_lists = [[w for w in ws if w in dictionary.token2id] for ws in word_lists]
    word_lists = [ws for ws in word_lists if len(ws) >= 2]
    if not word_lists:
        return {"npmi": float("nan"), "diversity": float("nan"), "n_topics": 0}
    cm = CoherenceModel(topics=word_lists, texts=texts, dictionary=dictionary, coherence="c_npmi", processes=1)
    all_words = [w for ws in word_lists for w in ws]
    return {"npmi": round(float(cm.get_coherence()), 4), "diversity": round(len(set(all_words)) / len(all_words), 4),
            "n_topics": len(word_lists)}
