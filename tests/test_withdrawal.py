"""A withdrawn participant disappears from every output on the next run, quotes included."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from engagement.config import load_config
from tests.conftest import write_project

SESSIONS = ("session_id,file,region,kind,date,facilitators\n"
            "ESX-FG1,fg1.txt,Essex,focus_group,2026-03-01,Facilitator\n"
            "ESX-FG2,fg2.txt,Essex,focus_group,2026-03-02,Facilitator\n")
LINES = [
    "I don't want my records sold to drug companies for profit, that worries me.",
    "Selling our data to private firms is wrong and they make money out of it.",
    "If they sell it to insurers I would be really worried about it.",
    "The NHS selling records to tech companies for money is a concern for me.",
    "I'm happy for my GP and the hospital to share my records, as long as it's not sold.",
]
SIGNATURE = "my grandmother's allotment in Tiptree would never be sold to pharmaceutical companies"


def _transcript(people: list[str], signature_speaker: str | None) -> str:
    out = ["Facilitator: What worries you about your data being shared?"]
    for k, name in enumerate(people):
        for j, line in enumerate(LINES):
            out.append(f"{name}: {line}")
        if name == signature_speaker:
            out.append(f"{name}: I worry {SIGNATURE}, because selling data for profit is wrong.")
    return "\n".join(out) + "\n"


@pytest.fixture
def project(tmp_path):
    fg1 = ["Ann", "Ben", "Cal", "Dee", "Eve", "Fay"]
    fg2 = ["Gus", "Hal", "Ida", "Jo", "Kit", "Lou"]
    people = "session_id,speaker_label,participant_id,role\n" + "".join(
        f"ESX-FG{1 if n in fg1 else 2},{n},P-{n.upper()},participant\n" for n in fg1 + fg2)
    return write_project(tmp_path, sessions=SESSIONS, participants=people,
                         files={"fg1.txt": _transcript(fg1, "Ann"), "fg2.txt": _transcript(fg2, None)},
                         config_extra="topics:\n  embedding: tfidf\n  min_topic_size: 3\nmin_cell: 3\n")


def _everything(root) -> str:
    texts = []
    for folder in ("data/processed", "figures", "reports"):
        for path in (root / folder).rglob("*"):
            if path.suffix == ".parquet" and "cache" not in path.parts:
                texts.append(pd.read_parquet(path).astype(str).to_csv())
            elif path.suffix in (".html", ".svg", ".json", ".csv", ".txt"):
                texts.append(path.read_text(errors="ignore"))
    return "\n".join(texts)


@pytest.mark.slow
def test_withdrawn_participant_whose_words_were_quoted_disappears_everywhere(project):
    from engagement.coding.run import run_coding
    from engagement.prepare import prepare
    from engagement.report.builder import build_report

    cfg = load_config(project / "engagement.yaml")
    prepare(cfg)
    run_coding(cfg)
    build_report(cfg, pdf=False)
    before = _everything(project)
    assert "P-ANN" in before and "allotment" in before, "the participant must be present (and quotable) first"

    (project / "data/raw/withdrawals.csv").write_text("participant_id,date,note\nP-ANN,2026-03-10,withdrew\n")
    result = prepare(cfg)
    assert result.summary["withdrawal"]["participants_removed"] == 1
    run_coding(cfg)
    build_report(cfg, pdf=False)
    after = _everything(project)
    assert "P-ANN" not in after
    assert "Tiptree" not in after and "allotment" not in after
    summary = json.loads((project / "data/processed/prepare_summary.json").read_text())
    assert summary["withdrawal"]["participants_removed"] == 1


def _cached_keys(folder) -> set[str]:
    import numpy as np

    keys: set[str] = set()
    for shard in folder.glob("*.npz"):
        with np.load(shard) as data:
            keys.update(data["keys"].tolist())
    return keys


def ann_keys_of(segments) -> set[str]:
    from engagement.coding import embeddings as E
    from engagement.coding.topics import turn_texts

    ann = segments[segments["participant_id"] == "P-ANN"]
    return {E._text_key(E.MINILM_ID, t) for t in ann["text"].tolist() + turn_texts(ann).tolist()}


def test_a_withdrawn_participants_sentence_vectors_leave_the_embedding_cache(project):
    """Vectors are derived from a person's words: the next prepare drops those of sentences now gone."""
    import numpy as np

    from engagement.coding import embeddings as E
    from engagement.coding.topics import turn_texts
    from engagement.prepare import prepare

    cfg = load_config(project / "engagement.yaml")
    segments = prepare(cfg).tables["segments"]
    # fill the cache as a MiniLM code stage would: every sentence and every turn (no model needed)
    texts = list(dict.fromkeys(segments["text"].tolist() + turn_texts(segments).tolist()))
    cache = E.EmbeddingCache(cfg.cache_dir / "embeddings", E.MINILM_ID)
    keys, _ = cache.lookup(texts)
    rng = np.random.default_rng(0)
    for start in range(0, len(keys), 7):   # several shards, as batches would write them
        cache.add(keys[start:start + 7], rng.normal(size=(len(keys[start:start + 7]), 384)))
        cache.save()
    np.savez(cfg.cache_dir / "embeddings" / "0123456789abcdef.npz",   # an older model's shard
             keys=np.array(sorted(ann_keys_of(segments))), vectors=np.zeros((len(ann_keys_of(segments)), 384)))
    ann_keys = ann_keys_of(segments)
    assert ann_keys <= _cached_keys(cfg.cache_dir / "embeddings")
    others = segments[segments["participant_id"] != "P-ANN"]
    other_key = E._text_key(E.MINILM_ID, others["text"].iloc[3])
    before = E.EmbeddingCache(cfg.cache_dir / "embeddings", E.MINILM_ID).get([other_key])

    (project / "data/raw/withdrawals.csv").write_text("participant_id,date,note\nP-ANN,2026-03-10,withdrew\n")
    result = prepare(cfg)
    assert result.summary["embeddings_pruned"] >= len(ann_keys - {E._text_key(E.MINILM_ID, t) for t in others["text"]})
    left = _cached_keys(cfg.cache_dir / "embeddings")
    gone = ann_keys - {E._text_key(E.MINILM_ID, t) for t in others["text"]}   # lines Ann shares with others stay
    assert gone and not (gone & left)
    assert not (cfg.cache_dir / "embeddings" / "0123456789abcdef.npz").exists()
    # everyone else's vectors are kept, unchanged, so the next code stage embeds nothing again
    after = E.EmbeddingCache(cfg.cache_dir / "embeddings", E.MINILM_ID)
    assert np.array_equal(after.get([other_key]), before)
    assert not after.lookup(others["text"].tolist())[1]
    assert prepare(cfg).summary["embeddings_pruned"] == 0
