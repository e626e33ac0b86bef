"""MiniLM on ONNX Runtime gives sentence-transformers' vectors, offline, and recovers from a bad export."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from engagement.coding import embeddings as E

pytest.importorskip("onnxruntime")

TEXTS = [
    "My GP should see my records.",
    "   They will sell our data.   ",          # surrounding space: sentence-transformers strips it
    "",                                       # an empty answer still gets a vector
    "Ümlaut, café, naïve — and “curly quotes”.",
    "I'd be fine with it as long as nobody from the council can read my mental health notes, " * 12,  # > 256 tokens
    "ok",
]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("ENGAGEMENT_MODEL_CACHE", str(tmp_path_factory.mktemp("models")))
    E._ONNX.clear()
    onnx = E.load_sentence_model()
    yield onnx, E.load_torch_model()
    E._ONNX.clear()
    mp.undo()


@pytest.mark.slow
def test_onnx_vectors_equal_sentence_transformers(models):
    onnx, torch_model = models
    assert isinstance(onnx, E.OnnxSentenceModel)
    a = onnx.encode(TEXTS)
    b = torch_model.encode(TEXTS, batch_size=4, normalize_embeddings=True, show_progress_bar=False)
    assert a.shape == b.shape == (len(TEXTS), 384)
    assert np.abs(a - b).max() < 1e-4
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    # order and batch size do not change a text's vector
    again = onnx.encode(TEXTS[::-1], batch_size=2)[::-1]
    assert np.abs(a - again).max() < 1e-5


@pytest.mark.slow
def test_a_torn_export_is_replaced_and_nothing_is_downloaded(models, tmp_path, monkeypatch):
    onnx, _ = models
    monkeypatch.setenv("ENGAGEMENT_MODEL_CACHE", str(tmp_path))
    torn = tmp_path / onnx.path.name
    torn.write_bytes(onnx.path.read_bytes()[:1000])

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    saved = list(E._ONNX)
    E._ONNX.clear()
    try:
        model = E.load_sentence_model()
        assert isinstance(model, E.OnnxSentenceModel)
        assert torn.stat().st_size > 10_000_000
        assert np.abs(model.encode(TEXTS[:2]) - onnx.encode(TEXTS[:2])).max() < 1e-6
    finally:
        E._ONNX[:] = saved


@pytest.mark.parametrize("cached", [True, False])
def test_a_text_asked_for_several_times_is_embedded_once(tmp_path, monkeypatch, cached):
    seen: list[str] = []

    class Fake:
        def encode(self, texts, **kwargs):
            seen.extend(texts)
            return np.stack([np.full(384, len(t), dtype=np.float32) for t in texts])

    monkeypatch.setattr(E, "load_sentence_model", Fake)
    turn = "I'm happy for the GP to see it. Not the insurers though."
    texts = [turn, "Short one.", turn, turn]   # a turn repeated for each of its sentences
    vecs = E.embed_minilm(texts, tmp_path if cached else None)
    assert sorted(seen) == sorted({turn, "Short one."})
    assert vecs.shape == (4, 384) and np.allclose(vecs[[0, 2, 3], 0], len(turn)) and vecs[1, 0] == len("Short one.")


@pytest.mark.slow
def test_torch_is_used_when_asked(monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_EMBEDDER", "torch")
    assert not isinstance(E.load_sentence_model(), E.OnnxSentenceModel)


@pytest.mark.slow
def test_bertopic_gets_the_onnx_model_as_its_own_backend(models):
    from bertopic.backend import BaseEmbedder
    from bertopic.backend._utils import select_backend

    backend = E.topic_embedder()
    assert isinstance(backend, BaseEmbedder)
    assert select_backend(backend) is backend   # never BERTopic's default model, which would download
    assert backend.embed(["records", "data"]).shape == (2, 384)
