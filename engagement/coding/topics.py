"""Inductive topics with BERTopic, fitted once on all regions so topics mean the same everywhere.

Sub-models are injected, not subclassed. Each sentence is embedded as its whole turn (``topics.unit``:
turn; a sentence alone rarely says what it is about), and by default these embeddings are partitioned with
seeded KMeans (``choose_k`` topics, any topic above 15% of documents split), so no sentence is
an outlier and no catch-all topic forms; against human topic labels this beat BERTopic's
UMAP + HDBSCAN, default or tuned (benchmarks/bench_topics.py). ``topics.method: hdbscan`` (and
guided topics) keep the seeded UMAP + HDBSCAN leaf model with outliers reassigned by embedding
similarity. Labels are c-TF-IDF candidates (English and transcript stop words) re-ranked by
KeyBERTInspired + MaximalMarginalRelevance. Each topic is then mapped to the codebook themes
whose segments it shares (:mod:`engagement.coding.topic_themes`, which also holds the overview
table the report shows); a topic that matches no theme, is large and coherent enough and is not
small talk ("hang on, sorry") is flagged as a candidate new theme for the researcher to look at.

The fitted result (tables, not a pickled model) is cached by a hash of the segments, the
settings and the embedding model, so per-region notebook runs read it instead of refitting.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engagement.coding.topic_themes import OUTLIER_LABEL, TRANSCRIPT_STOP_WORDS, map_topics_to_themes
from engagement.config import Config

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


PREDICT_CHUNK = 1024   # rows per block in CappedKMeans.predict: 1,024 x 60 topics x 384 floats is 94 MB


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

    def predict(self, X, chunk: int = PREDICT_CHUNK):
        """The nearest centroid of each row, ``chunk`` rows at a time: the distances of all rows at
        once are rows x topics x dimensions (46,731 sentences x 60 topics x 384 floats is 4.3 GB)."""
        X = np.asarray(X)
        out = np.empty(len(X), dtype=np.int64)
        for a in range(0, len(X), chunk):
            d = ((X[a:a + chunk, None, :] - self.cluster_centers_[None, :, :]) ** 2).sum(axis=2)
            out[a:a + chunk] = d.argmin(axis=1)
        return out


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


def _cache_key(docs: list[str], cfg: Config, seed_topics, guide=None) -> str:
    payload = json.dumps({"docs": docs, "topics": cfg.topics, "seed": cfg.seed, "seed_topics": seed_topics,
                          "guide": guide.digest() if guide is not None else None, "version": 11},
                         sort_keys=True, ensure_ascii=False)
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
    guide = None
    if backend == "minilm" and _method(cfg, seed_topics) == "kmeans":
        from engagement.coding.topic_guide import project_guide

        guide = project_guide(docs_df.drop_duplicates("text", keep="first").reset_index(drop=True), docs_df, cfg,
                              segments)
    key = _cache_key(docs, cfg, seed_topics, guide)
    cache = cfg.cache_dir / "topics" / key
    if use_cache and (cache / "topics.parquet").is_file():
        topics = pd.read_parquet(cache / "topics.parquet")
        seg_topics = pd.read_parquet(cache / "segment_topics.parquet")
    else:
        topics, seg_topics = _fit(docs_df, cfg, backend, seed_topics, segments, guide)
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
    settings = {"embedding": backend, "cache_key": key, "n_docs": len(docs)}
    if guide is not None:
        settings["guided_by_human_coding"] = guide.describe()
    return TopicResult(topics, seg_topics, settings)


def lemma_documents(docs_df: pd.DataFrame) -> list[str]:
    """Documents for c-TF-IDF and labels: lemmas, so "worry/worries/worried" count as one word."""
    import re

    keep = re.compile(r"^[a-z][a-z'-]+$")
    return [" ".join(LEMMA_WORDS.get(w, w) for w in str(lemmas).split() if keep.match(w)) for lemmas in docs_df["lemmas"]]


#: Lemmas no researcher would write in a label: spaCy's lemma of "data" is "datum" ("health datum").
LEMMA_WORDS = {"datum": "data"}


def cluster_documents(docs: list[str], emb: np.ndarray, cfg: Config, emb_model=None, seed_topics=None):
    """Topic of each document and the fitted BERTopic with its labels (one pass, after outliers).

    The benchmark calls this on the same embeddings it gives BERTopic's own configurations
    (or on :func:`engagement.coding.topic_guide.guided_space`, as :func:`_fit` does when guided).
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


def _fit(docs_df: pd.DataFrame, cfg: Config, backend: str, seed_topics, segments: pd.DataFrame | None = None,
         guide=None) -> tuple[pd.DataFrame, pd.DataFrame]:
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
        whole = None if cfg.topics.get("pool_at_scale", True) else idx
        emb = _sample_and_pooled_vectors(unique, segments, units, whole, embed_fn)
    else:
        emb = embed_fn(units)
    # different sentences can still embed identically (TF-IDF ignores stop words): a tiny seeded
    # jitter breaks the neighbour ties reproducibly
    emb = emb + np.random.default_rng(int(cfg.seed)).normal(scale=1e-4, size=emb.shape).astype(emb.dtype)
    emb_model = topic_embedder() if backend == "minilm" else None
    space = emb   # what the partition reads; similarities and labels below read the embeddings alone
    if guide is not None:   # kmeans only (fit_topics builds no guide otherwise)
        from engagement.coding.topic_guide import guided_space

        space = guided_space(emb, units, guide, int(cfg.seed))
    if sampled:
        assigned, model = fit_on_sample(docs, space, unique, cfg, emb_model, int(fit_sample), idx=idx)
    else:
        assigned, model = cluster_documents(docs, space, cfg, emb_model, seed_topics)
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
        label = OUTLIER_LABEL if tid == -1 else ", ".join(_label_phrases(words)) or f"Topic {tid}"
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


def _sample_and_pooled_vectors(unique: pd.DataFrame, segments: pd.DataFrame, units: list[str], idx: np.ndarray | None,
                               embed_fn) -> np.ndarray:
    """Turn vectors for a sampled fit: the turns of rows ``idx`` embedded whole, every other turn pooled.

    A pooled turn vector is the word-weighted mean of its sentences' vectors (:func:`pooled_vectors`),
    which the semantic layer has cached already, so a big corpus is embedded once, not twice
    (sentences, then turns). ``idx`` None (``topics.pool_at_scale``, the default) pools every turn:
    the fit and the assignment then see vectors of one kind, and embedding the fit sample's turns
    whole was a third of the code stage on 1M words (about 225 of 663 s, benchmarks/bench_scale.py).
    On the hand-coded references pooled turn vectors kept 0.92-0.94 of the whole turns' AMI
    (benchmarks/bench_topics.py --unit turn-mean).
    """
    rest = np.arange(len(units)) if idx is None else np.setdiff1d(np.arange(len(units)), idx)
    out = None
    if idx is not None:
        emb = embed_fn([units[i] for i in idx])
        out = np.zeros((len(units), emb.shape[1]), dtype=np.float32)
        out[idx] = emb
    if len(rest):
        parts = segments.sort_values("segment_id").groupby(["session_id", "turn_index"], sort=False)["text"].agg(list)
        keys = list(zip(unique["session_id"].iloc[rest], unique["turn_index"].iloc[rest]))
        texts = unique["text"].iloc[rest].tolist()
        pooled = pooled_vectors([parts.get(k, [t]) for k, t in zip(keys, texts)], embed_fn)
        if out is None:
            out = np.zeros((len(units), pooled.shape[1]), dtype=np.float32)
        out[rest] = pooled
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
