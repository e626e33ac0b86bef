"""Topics guided by the researchers' own coding: once enough statements are coded by hand, the topics follow them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_mutual_info_score

from engagement.coding import human
from engagement.coding.topic_guide import MIN_CODED, guide_from_labels
from engagement.coding.topics import fit_topics
from engagement.config import load_config
from engagement.errors import ConfigError

# Each statement tells two stories about a setting and ends on a short point the coders code.
# The stories carry most of the words, so embeddings alone group statements by setting;
# the coders' code is the short point, which the guide has to teach the topics.
SETTINGS = {
    "surgery": ["when I was sat in the waiting room at my doctor's surgery last week with my little boy",
                "the receptionist at the GP practice told me on the phone the other morning",
                "my surgery in the village changed its appointment system again this winter"],
    "hospital": ["after my mum's operation at the big hospital in the city last spring",
                 "on the ward where my husband stayed for three nights after his fall",
                 "in the outpatient clinic at the hospital the consultant was running late"],
    "pharmacy": ["down at the chemist when I picked up my repeat prescription",
                 "the pharmacist on the high street was asking about my tablets",
                 "while I queued at the pharmacy counter for my inhaler"],
    "ambulance": ["when the paramedics came out to my neighbour at two in the morning",
                  "the ambulance crew who took my dad in after his stroke",
                  "on the phone to 111 about my daughter's temperature"],
}
POINTS = {
    "commercial_profit": ["and someone profits", "who gets paid for it", "it's sold on"],
    "security_breach": ["and it gets hacked", "it isn't kept safe", "someone breaks in"],
    "care_repeat_story": ["and nobody had my notes", "they couldn't see my history", "I told it all again"],
}
ASIDES = ["honestly", "to be fair", "you know", "I suppose", "really", "if I'm honest", "at the end of the day", "", "like"]


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(3)
    rows, code_of = [], {}
    places = list(SETTINGS)
    for i in range(240):
        code = list(POINTS)[(i // 4) % 3]
        text = (f"{SETTINGS[places[i % 4]][rng.integers(3)]} {ASIDES[rng.integers(9)]}, "
                f"{SETTINGS[places[(i + 1) % 4]][rng.integers(3)]}, {POINTS[code][rng.integers(3)]}")
        sid = f"S-{i:03d}"
        rows.append(dict(segment_id=sid, session_id=f"FG{i % 6}", participant_id=f"P{i % 30}", role="participant",
                         region=["Essex", "Suffolk", "Norfolk"][i % 3], kind="focus_group", text=text, tokens=text,
                         lemmas=text.lower(), n_words=len(text.split()), turn_index=i, sentence_index=0))
        code_of[sid] = code
    return pd.DataFrame(rows), code_of


def project(tmp_path, extra: str = ""):
    (tmp_path / "engagement.yaml").write_text("project: t\nseed: 11\n" + extra)
    return load_config(tmp_path / "engagement.yaml")


def store_codes(cfg, segments: pd.DataFrame, code_of: dict, *, texts: dict | None = None) -> None:
    """The coders' decisions as `engagement sheet --import` stores them."""
    human.save_human_codings(cfg, pd.DataFrame({
        "segment_id": segments["segment_id"], "code": segments["segment_id"].map(code_of),
        "theme": segments["segment_id"].map(code_of), "decision": "add", "coder": "RA",
        "coded_at": "2026-11-01T10:00:00+00:00",
        "text_hash": [human.text_hash((texts or {}).get(s, t)) for s, t in zip(segments["segment_id"], segments["text"])],
        "note": "", "sheet": "sheet-1.xlsx"}))


def agreement_on_uncoded(result, segments: pd.DataFrame, code_of: dict) -> float:
    """AMI between topics and the coders' codes on the statements no coder saw."""
    topic = result.segment_topics.set_index("segment_id")["topic_id"]
    unseen = segments["segment_id"].iloc[1::2]
    return adjusted_mutual_info_score(unseen.map(code_of), unseen.map(topic))


def test_topics_follow_the_coders_once_half_the_statements_are_coded(study, tmp_path):
    segments, code_of = study
    cfg = project(tmp_path)
    plain = fit_topics(segments, cfg, use_cache=False)
    assert "guided_by_human_coding" not in plain.settings
    store_codes(cfg, segments.iloc[::2], code_of)
    guided = fit_topics(segments, cfg, use_cache=False)
    assert guided.settings["guided_by_human_coding"]["codes"] == 3
    before, after = agreement_on_uncoded(plain, segments, code_of), agreement_on_uncoded(guided, segments, code_of)
    assert after >= before + 0.25, (before, after)
    shares = guided.segment_topics["topic_id"].value_counts(normalize=True)
    assert -1 not in shares.index and shares.max() <= 0.15 + 1e-9, shares


def test_too_little_coding_leaves_topics_unguided(study, tmp_path):
    segments, code_of = study
    cfg = project(tmp_path)
    store_codes(cfg, segments.iloc[:MIN_CODED - 5], code_of)
    result = fit_topics(segments, cfg, use_cache=False)
    assert "guided_by_human_coding" not in result.settings
    assert guide_from_labels([["a"]] * 40) is None, "one code cannot guide anything"
    assert guide_from_labels([["a"], ["b"]] * 20, weight=0) is None, "weight 0 turns the guide off"
    assert guide_from_labels([["a"], ["b"]] * 20) is not None


def test_decisions_on_changed_text_do_not_guide_and_the_cache_follows_the_store(study, tmp_path):
    segments, code_of = study
    cfg = project(tmp_path)
    coded = segments.iloc[::2]
    # the transcript was re-exported after coding: every stored decision is on text that has changed
    store_codes(cfg, coded, code_of, texts={s: "what the coder read then" for s in coded["segment_id"]})
    stale = fit_topics(segments, cfg)
    assert "guided_by_human_coding" not in stale.settings
    store_codes(cfg, coded, code_of)
    live = fit_topics(segments, cfg)
    assert live.settings["guided_by_human_coding"]["coded_statements"] >= MIN_CODED
    assert live.settings["cache_key"] != stale.settings["cache_key"], "new coding must refit, not reuse the cache"


def test_guide_weight_is_validated(tmp_path):
    with pytest.raises(ConfigError, match="guide_weight"):
        project(tmp_path, "topics:\n  guide_weight: 1.5\n")
    cfg = project(tmp_path, "topics:\n  guide_weight: 0\n")
    assert cfg.topics["guide_weight"] == 0
