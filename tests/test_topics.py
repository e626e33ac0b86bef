"""Topics: fitted once, deterministic, cached, mapped to codebook themes; embeddings offline."""

from __future__ import annotations

import socket

import numpy as np
import pandas as pd
import pytest

from engagement.config import load_config
from engagement.coding.embeddings import EmbeddingCache, embed_tfidf
from engagement.coding.topic_themes import map_topics_to_themes, topic_overview, topics_per_class
from engagement.coding.topics import CappedKMeans, choose_k, fit_topics, topic_inputs

# the groups share no content word, so any sound clustering can tell them apart on any processor
GROUPS = {
    "commercial": ["they will sell our details to drug companies for a profit", "pharmaceutical firms buying patient information is wrong",
                   "private companies making money out of our medical files", "the americans would buy it all for profit"],
    "security": ["hackers could steal everything from the computers one day", "a cyber attack on the system would leak everything",
                 "staff snooping on records should lose their jobs", "the database could be hacked by criminals easily"],
    "parking": ["the car park costs a fortune every single visit", "parking charges there are a disgrace really",
                "I drove round the car park for an hour looking for a space", "the multi-storey car park is always full by nine"],
}


@pytest.fixture
def corpus(tmp_path):
    rng = np.random.default_rng(0)
    rows, codes = [], []
    regions = ["Essex", "Suffolk", "Norfolk"]
    for i in range(240):
        theme = list(GROUPS)[i % 3]
        # fillers are stop words, so the only signal is what the sentence is about
        opener = ["Well", "And", "So", "Also", "Perhaps", "Then"][rng.integers(6)]
        text = (opener + " " + GROUPS[theme][rng.integers(4)] + " "
                + ["too", "again", "though", "anyway", "as well"][rng.integers(5)])
        sid = f"S-{i:03d}"
        rows.append(dict(segment_id=sid, session_id=f"FG{i % 6}", participant_id=f"P{i % 30}", role="participant",
                         region=regions[i % 3 if theme != "commercial" else 0], kind="focus_group", text=text,
                         tokens=text, lemmas=text.lower(), n_words=len(text.split())))
        if theme != "parking":  # the codebook knows selling and hacking, not car parks
            codes.append(dict(segment_id=sid, code=theme, theme=theme, source="rule", evidence="x", score=1.0))
    (tmp_path / "engagement.yaml").write_text("project: t\nseed: 11\ntopics:\n  embedding: tfidf\n  min_topic_size: 10\n")
    return load_config(tmp_path / "engagement.yaml"), pd.DataFrame(rows), pd.DataFrame(codes)


def planted_group(text: str) -> str:
    return next(group for group, sentences in GROUPS.items() if any(s in text for s in sentences))


def test_topics_find_the_groups_and_flag_the_one_the_codebook_lacks(corpus):
    """Properties that hold on any processor: exact assignments vary with UMAP/HDBSCAN rounding."""
    cfg, segs, codes = corpus
    result = fit_topics(segs, cfg, codings=codes)
    placed = result.segment_topics.merge(segs[["segment_id", "text"]], on="segment_id")
    placed = placed[placed["topic_id"] != -1].assign(group=lambda d: d["text"].map(planted_group))
    assert placed["group"].nunique() == 3, "every planted group lands in some topic"
    table = pd.crosstab(placed["topic_id"], placed["group"])
    purity = table.max(axis=1).sum() / table.values.sum()
    assert purity >= 0.8, f"topics mix the planted groups:\n{table}"
    majority = table.idxmax(axis=1)
    topics = result.topics.set_index("topic_id")
    for tid, group in majority.items():
        if group == "parking":     # the codebook knows selling and hacking, not car parks
            assert topics.loc[tid, "candidate_new_theme"], (tid, topics.loc[tid, ["label", "top_theme_share"]])
        else:
            assert not topics.loc[tid, "candidate_new_theme"] and topics.loc[tid, "top_theme"] == group, tid


def test_same_seed_same_topics_and_the_cache_returns_them(corpus):
    cfg, segs, codes = corpus
    first = fit_topics(segs, cfg, codings=codes, use_cache=False)
    second = fit_topics(segs, cfg, codings=codes, use_cache=False)
    pd.testing.assert_frame_equal(first.segment_topics, second.segment_topics)
    cached = fit_topics(segs, cfg, codings=codes)
    again = fit_topics(segs, cfg, codings=codes)
    pd.testing.assert_frame_equal(cached.topics, again.topics)
    assert len(list((cfg.cache_dir / "topics").iterdir())) == 1, "only the current fit is kept"


def test_topics_leave_no_outliers_and_no_topic_above_15_percent(corpus):
    cfg, segs, codes = corpus
    result = fit_topics(segs, cfg, codings=codes, use_cache=False)
    shares = result.segment_topics["topic_id"].value_counts(normalize=True)
    assert -1 not in shares.index, "a partition leaves no outliers"
    assert shares.max() <= 0.15 + 1e-9, shares
    labels = result.topics["label"]
    assert labels.str.len().gt(0).all() and not labels.str.startswith("Topic ").any(), labels.tolist()


def test_capped_kmeans_splits_a_catch_all_cluster():
    rng = np.random.default_rng(0)
    # one dense blob of 80% of the points beside four small ones: plain KMeans at k=5 keeps the blob
    centres = np.eye(5) * 10
    x = np.vstack([rng.normal(centres[0], 1.0, size=(400, 5))]
                  + [rng.normal(c, 0.3, size=(25, 5)) for c in centres[1:]])
    model = CappedKMeans(5, random_state=1).fit(x)
    sizes = np.bincount(model.labels_)
    assert sizes.max() <= 0.15 * len(x) and sizes[0] == sizes.max(), "ids run largest first"
    # the small blobs are well apart: new points near them go to their topic
    assert (model.predict(x[400:]) == model.labels_[400:]).mean() >= 0.95


def test_assigning_a_big_corpus_to_its_topics_works_in_blocks_of_bounded_memory():
    import tracemalloc

    rng = np.random.default_rng(3)
    model = CappedKMeans(60, random_state=1).fit(rng.normal(size=(600, 384)).astype(np.float32))
    x = rng.normal(size=(20_000, 384)).astype(np.float32)
    tracemalloc.start()
    got = model.predict(x)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # one block at a time: all rows at once would be 20,000 x 60 x 384 floats (1.8 GB)
    assert peak < 300e6
    whole = np.concatenate([((x[a:a + 500, None, :] - model.cluster_centers_[None]) ** 2).sum(axis=2).argmin(axis=1)
                            for a in range(0, len(x), 500)])
    assert (got == whole).all() and len(got) == len(x)


@pytest.mark.parametrize("n, lo, hi", [(50, 8, 8), (800, 18, 22), (3300, 38, 44), (100_000, 60, 60)])
def test_number_of_topics_grows_with_the_corpus_within_bounds(n, lo, hi):
    assert lo <= choose_k(n) <= hi


def test_topic_inputs_leave_out_facilitators_and_short_sentences():
    segs = pd.DataFrame({"segment_id": ["a", "b", "c"], "role": ["participant", "facilitator", "participant"],
                         "n_words": [12, 12, 3], "text": ["x"] * 3})
    assert topic_inputs(segs)["segment_id"].tolist() == ["a"]


def test_topics_per_class_shares_sum_to_one_per_region(corpus):
    cfg, segs, codes = corpus
    r = fit_topics(segs, cfg, codings=codes)
    table = topics_per_class(segs, r.segment_topics, r.topics, by="region")
    sums = table.groupby("region")["share_of_segments"].sum()
    assert np.allclose(sums, 1.0, atol=1e-3)


def test_theme_mapping_uses_share_of_segments_in_common():
    topics = pd.DataFrame({"topic_id": [0, 1], "label": ["a", "b"], "size": [4, 4], "words": ["", ""]})
    seg_topics = pd.DataFrame({"segment_id": list("abcdefgh"), "topic_id": [0] * 4 + [1] * 4})
    codes = pd.DataFrame({"segment_id": ["a", "b", "c", "e"], "theme": ["t1", "t1", "t2", "t2"]})
    out = map_topics_to_themes(topics, seg_topics, codes).set_index("topic_id")
    assert out.loc[0, "top_theme"] == "t1" and out.loc[0, "top_theme_share"] == 0.5
    assert not out.loc[0, "candidate_new_theme"]


def test_embedding_cache_round_trip(tmp_path):
    cache = EmbeddingCache(tmp_path, "model-x")
    keys, missing = cache.lookup(["one", "two"])
    assert missing == [0, 1]
    cache.add(keys, np.eye(2, dtype=np.float32))
    cache.save()
    again = EmbeddingCache(tmp_path, "model-x")
    assert again.lookup(["two"])[1] == []
    assert np.allclose(again.get([keys[1]]), [[0, 1]])
    assert EmbeddingCache(tmp_path, "model-y").lookup(["one"])[1] == [0], "another model id never hits"


def test_tfidf_embeddings_are_unit_length_and_seeded():
    texts = [f"text number {i} about data and records and hospitals" for i in range(30)]
    a, b = embed_tfidf(texts, seed=3), embed_tfidf(texts, seed=3)
    assert np.allclose(a, b) and np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_minilm_embeds_offline_from_the_installed_package(monkeypatch):
    from engagement.coding.embeddings import embed_minilm

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    vecs = embed_minilm(["My GP should see my records.", "They will sell our data."])
    assert vecs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("words, label", [
    (["data data", "data", "data information", "records"], ["data", "data information", "records"]),
    (["tell doctor", "doctor doctor", "doctor", "gp", "nurse"], ["tell doctor", "gp", "nurse"]),
])
def test_labels_skip_repeated_words_and_words_already_in_a_phrase(words, label):
    from engagement.coding.topics import _label_phrases

    assert _label_phrases(words) == label


# ---- one topics table for the report and the figure; candidate new themes are real topics, not small talk

def mapped_topics() -> pd.DataFrame:
    """A mapped topics table of 400 sentences: two matched topics, a real gap, noise, and an outlier row."""
    rows = [
        (-1, "Outliers (no clear topic)", 40, "", 0.0, np.nan),
        (0, "sold, companies, profit", 120, "commercial", 0.8, 0.62),
        (1, "hackers, leak, cyber", 80, "security", 0.6, 0.58),
        (2, "parking, car park, bus", 60, "", 0.0, 0.64),          # the codebook lacks it: a candidate
        (3, "press button", 40, "", 0.0, 0.7),                     # call handling
        (4, "hang, sorry, listen", 30, "", 0.0, 0.66),             # discourse
        (5, "weather, rain, cold", 6, "", 0.0, 0.8),               # too small (needs max(10, 2% of 400) = 10)
        (6, "different, thing, many", 24, "consent", 0.05, 0.31),  # incoherent scatter
    ]
    return pd.DataFrame([{"topic_id": t, "label": lab, "size": n, "words": lab, "themes": "", "top_theme": th,
                          "top_theme_share": sh, "coherence": coh, "candidate_new_theme": True}
                         for t, lab, n, th, sh, coh in rows])


LABELS = {"commercial": "Commercial access", "security": "Security and hacking", "consent": "Consent"}


def test_topic_overview_names_theme_labels_not_ids_and_no_theme_when_none_matches():
    table = topic_overview(mapped_topics(), LABELS).set_index("topic_id")
    assert table.loc[0, "theme"] == "Commercial access" and table.loc[1, "theme"] == "Security and hacking"
    assert table.loc[2, "theme"] == "no theme"
    assert table.loc[6, "theme"] == "no theme", "5% of a topic's sentences is no match"
    assert table.loc[0, "share"] == pytest.approx(0.3)


def test_only_a_large_coherent_unmatched_topic_of_content_words_is_a_candidate_new_theme():
    table = topic_overview(mapped_topics(), LABELS)
    candidates = table.loc[table["candidate_new_theme"], "topic"].tolist()
    assert candidates == ["parking, car park, bus"]      # not press button, hang/sorry, the tiny or the incoherent one
    assert table.attrs["min_size"] == 10 and table.attrs["min_coherence"] == pytest.approx(0.5)


def test_topic_overview_reports_the_outlier_share_as_its_last_row():
    table = topic_overview(mapped_topics(), LABELS)
    last = table.iloc[-1]
    assert last["topic_id"] == -1 and last["share"] == pytest.approx(0.1) and not last["candidate_new_theme"]
    assert table.attrs["outlier_share"] == pytest.approx(0.1)
    partition = topic_overview(mapped_topics().iloc[1:], LABELS)
    assert partition.iloc[-1]["size"] == 0 and partition.attrs["outlier_share"] == 0.0, "no outliers is said too"


def test_topic_overview_orders_topics_by_size_and_keeps_the_outlier_row_when_cut_to_the_top():
    table = topic_overview(mapped_topics(), LABELS, top=3)
    assert table["topic_id"].tolist() == [0, 1, 2, -1]
    assert table.attrs["n_documents"] == 400, "shares and counts are of all sentences, not the top topics"
    assert table["share"].tolist()[:3] == [0.3, 0.2, 0.15]


def test_topic_map_and_the_overview_table_agree():
    import matplotlib

    matplotlib.use("Agg")
    from engagement.report.figures import topic_map

    fig, shown = topic_map(mapped_topics(), labels=LABELS)
    table = topic_overview(mapped_topics(), LABELS, top=15)
    pd.testing.assert_frame_equal(shown, table)
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    drawn = table[table["topic_id"] != -1]
    assert ticks == [f"{r['topic']} → {r['theme']}" for r in drawn.to_dict("records")]
    note = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert "Outliers: 10% of the 400 sentences fitted fall in no topic." in note
    import matplotlib.pyplot as plt

    plt.close(fig)


@pytest.mark.parametrize("label, filler", [
    ("press button", True), ("hang, sorry, listen", True), ("yeah, okay, mean", True),
    ("signal terrible, listen hang, landline", True), ("tell story, tell happen, time tell", True),
    ("parking, car park, bus", False), ("date birth, register, ask date", False), ("mental health, gp", False),
])
def test_filler_labels_are_recognised(label, filler):
    from engagement.coding.topic_themes import is_filler_label

    assert is_filler_label(label) is filler


def test_mapping_measures_coherence_and_needs_it_for_a_candidate():
    topics = pd.DataFrame({"topic_id": [0, 1], "label": ["parking, car, bus", "weather, rain, cold"],
                           "size": [12, 12], "words": ["", ""]})
    seg_topics = pd.DataFrame({"segment_id": [f"s{i}" for i in range(24)], "topic_id": [0] * 12 + [1] * 12,
                               "probability": [0.7] * 12 + [0.2] * 12})
    codes = pd.DataFrame({"segment_id": ["x"], "theme": ["t1"]})
    out = map_topics_to_themes(topics, seg_topics, codes).set_index("topic_id")
    assert out.loc[0, "coherence"] == pytest.approx(0.7) and out.loc[1, "coherence"] == pytest.approx(0.2)
    assert out.loc[0, "candidate_new_theme"] and not out.loc[1, "candidate_new_theme"]


def test_topic_words_say_data_not_the_lemma_datum():
    import pandas as pd

    from engagement.coding.topics import lemma_documents

    docs = lemma_documents(pd.DataFrame({"lemmas": ["health datum be share", "my datum and medium"]}))
    assert docs == ["health data be share", "my data and medium"]
