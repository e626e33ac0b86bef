"""Topics at scale and by turn: a sampled fit still places every sentence; a turn's sentences share a topic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engagement.config import load_config
from engagement.coding.topic_themes import TRANSCRIPT_STOP_WORDS
from engagement.coding.topics import fit_topics, stratified_sample, unit_texts

WORDS = {
    "commercial": "companies selling patient records for profit to pharmaceutical firms",
    "security": "hackers stealing hospital records in a cyber attack on computers",
    "parking": "car park charges and spaces at the hospital every visit",
    "waiting": "waiting months for an appointment with the consultant at clinic",
}


def _corpus(tmp_path, extra: str = ""):
    rng = np.random.default_rng(3)
    rows = []
    regions, kinds = ["Essex", "Suffolk", "Norfolk"], ["focus_group", "interview"]
    for i in range(300):
        theme = list(WORDS)[i % 4]
        words = WORDS[theme].split()
        text = " ".join(rng.choice(words, size=9, replace=True)) + f" item{i % 7}"
        rows.append(dict(segment_id=f"S-{i:03d}", session_id=f"FG{(i // 2) % 6}", turn_index=i // 2,
                         participant_id=f"P{i % 30}", role="participant", region=regions[i % 3], kind=kinds[i % 2],
                         text=text, tokens=text, lemmas=text.lower(), n_words=len(text.split())))
    (tmp_path / "engagement.yaml").write_text(f"project: t\nseed: 5\ntopics:\n  embedding: tfidf\n{extra}")
    return load_config(tmp_path / "engagement.yaml"), pd.DataFrame(rows)


def test_a_fit_on_a_sample_gives_every_segment_a_topic(tmp_path):
    cfg, segs = _corpus(tmp_path, "  fit_sample: 80\n")
    result = fit_topics(segs, cfg, use_cache=False)
    placed = result.segment_topics
    assert set(placed["segment_id"]) == set(segs["segment_id"])
    assert (placed["topic_id"] >= 0).all(), "a partition leaves no outliers, sampled or not"
    assert set(placed["topic_id"]) == set(result.topics["topic_id"])


def test_a_sampled_fit_is_the_same_under_the_same_seed(tmp_path):
    cfg, segs = _corpus(tmp_path, "  fit_sample: 80\n")
    first = fit_topics(segs, cfg, use_cache=False)
    second = fit_topics(segs, cfg, use_cache=False)
    pd.testing.assert_frame_equal(first.segment_topics, second.segment_topics)
    pd.testing.assert_frame_equal(first.topics, second.topics)


def test_the_stratified_sample_keeps_every_region_and_kind_in_proportion():
    strata = pd.DataFrame({"region": ["A"] * 900 + ["B"] * 90 + ["C"] * 10, "kind": ["fg", "iv"] * 500})
    idx = stratified_sample(strata, 100, seed=1)
    picked = strata.iloc[idx]
    assert set(map(tuple, picked.values)) == set(map(tuple, strata.values)), "no stratum is left out"
    assert picked["region"].value_counts()["A"] == pytest.approx(90, abs=2)
    assert (stratified_sample(strata, 100, seed=1) == idx).all()


def test_the_turn_unit_embeds_a_sentence_with_the_rest_of_its_turn():
    segs = pd.DataFrame({"segment_id": ["a", "b", "c"], "session_id": ["s"] * 3, "turn_index": [1, 1, 2],
                         "text": ["It would have helped.", "With my husband's heart, I mean.", "Another turn."]})
    units = unit_texts(segs, segs, "turn", "kmeans")
    assert units[0] == units[1] == "It would have helped. With my husband's heart, I mean."
    assert units[2] == "Another turn."
    assert unit_texts(segs, segs, "sentence", "kmeans") == segs["text"].tolist()


def test_sentences_of_one_turn_share_a_topic_and_labels_are_not_stop_words(tmp_path):
    cfg, segs = _corpus(tmp_path)
    result = fit_topics(segs, cfg, use_cache=False)
    placed = result.segment_topics.merge(segs[["segment_id", "session_id", "turn_index"]], on="segment_id")
    assert placed.groupby(["session_id", "turn_index"])["topic_id"].nunique().max() == 1
    shares = placed["topic_id"].value_counts(normalize=True)
    assert shares.max() <= 0.15 + 1e-9 and (placed["topic_id"] != -1).mean() >= 0.9
    stop = set(TRANSCRIPT_STOP_WORDS) | {"the", "and", "a", "of", "to"}
    for label in result.topics["label"]:
        phrases = [p.strip() for p in label.split(",")]
        assert phrases and not all(p in stop for p in phrases), label


@pytest.mark.parametrize("pool", [True, False])
def test_a_sampled_fit_pools_turn_vectors_from_the_sentences_already_embedded(tmp_path, monkeypatch, pool):
    """Above fit_sample, turns are not embedded again: their sentences' vectors are pooled (with
    ``pool_at_scale: false``, all but the fit sample's turns, which are embedded whole)."""
    from engagement.coding import embeddings as E
    from engagement.coding.topics import turn_texts

    cfg, segs = _corpus(tmp_path, "  fit_sample: 80\n")
    cfg = cfg.with_overrides(topics={"embedding": "minilm", "fit_sample": 80, "pool_at_scale": pool})
    seen: list[str] = []
    vocab = sorted({w for t in segs["text"] for w in t.split()})

    def fake_embed(texts, backend, *, cache_dir=None, seed=0):   # bag of words, L2-normalised
        seen.extend(texts)
        out = np.array([[t.split().count(w) for w in vocab] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    monkeypatch.setattr(E, "embed", fake_embed)
    monkeypatch.setattr(E, "topic_embedder", lambda: None)
    result = fit_topics(segs, cfg, use_cache=False)
    assert set(result.segment_topics["segment_id"]) == set(segs["segment_id"])
    assert (result.segment_topics["topic_id"] >= 0).all()
    turns = set(turn_texts(segs))
    sentences = set(segs["text"])
    embedded_turns = (set(seen) & turns) - sentences   # turns of more than one sentence, embedded whole
    if pool:
        assert not embedded_turns, "no turn is embedded whole: every vector comes from the sentences'"
        assert set(seen) <= sentences
    else:
        assert 0 < len(embedded_turns) <= 80, "only the fit sample's turns are embedded whole"
        assert len(embedded_turns) < len(turns - sentences)
    turn_of = turn_texts(segs)
    for sid, turn, text in zip(segs["session_id"], segs["turn_index"], segs["text"]):
        assert text in seen or turn_of[(sid, turn)] in seen, "each sentence is embedded, alone or in its turn"
    # a pooled turn is one vector: its sentences share their topic, as a whole-turn embedding gives
    placed = segs.merge(result.segment_topics, on="segment_id")
    assert (placed.groupby(["session_id", "turn_index"])["topic_id"].nunique() == 1).mean() > 0.95
