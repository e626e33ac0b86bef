"""The stance combiner: cues, learned stance and leanings weighed into one verdict."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from engagement.coding import combine as K
from engagement.coding.codebook import load_codebook, segments_from_texts
from engagement.coding.stance import classify_stance

WORDINGS = [
    ("Long as they ask me first.", "conditional_support"),
    ("I'm alright with it if my name's taken off.", "conditional_support"),
    ("They'd need to show me who sees it before I'd say yes.", "conditional_support"),
    ("I'd trust it more if there was someone independent checking.", "conditional_support"),
    ("As long as it stays with the NHS, then I'm fine with it.", "conditional_support"),
    ("It's not the research I'm wary of, it's the selling.", "concern"),
    ("It isn't the doctors that bother me, it's the insurance firms.", "concern"),
    ("I can't see why anyone wouldn't want the ambulance crew to know their allergies.", "support"),
    ("My neighbour's test results got sent to the wrong house and the whole street knew by teatime.", "concern"),
    ("Good for research, terrible for privacy.", "mixed"),
    ("I was dead against it at first, but after my dad's stroke I'm all for it.", "support"),
    ("I used to trust the NHS with anything, but not any more.", "concern"),
    ("We went to the pharmacy on Tuesday.", "neutral"),
]


def _sure(seg, **p):
    row = {s: p.get(s, 0.0) for s in K.LABELS}
    return pd.DataFrame([row] * len(seg), index=seg["segment_id"])


def test_the_stored_combiner_matches_its_features_and_was_fitted_on_development_sets_only():
    comb = K.load_combiner()
    assert comb is not None
    raw = json.loads(K.COMBINER_PATH.read_text(encoding="utf-8"))
    assert raw["features"] == K.FEATURES and sorted(comb.labels) == sorted(K.LABELS)
    assert np.asarray(raw["coef"]).shape == (len(K.LABELS), len(K.FEATURES))
    assert raw["trained_on"] and all("/dev" in p and "blind" not in p for p in raw["trained_on"])
    loo = raw["leave_one_out_macro_f1"]
    assert loo["combined"] > loo["precedence"]   # why it is used at all
    p = comb.predict_proba(np.zeros((3, len(K.FEATURES))))
    assert p.shape == (3, len(K.LABELS)) and np.allclose(p.sum(axis=1), 1.0)


def test_a_combiner_stored_for_other_features_is_ignored_and_the_precedence_decides(tmp_path):
    raw = json.loads(K.COMBINER_PATH.read_text(encoding="utf-8"))
    raw["features"] = raw["features"][:-1] + ["something_else"]
    path = tmp_path / "stance_combiner.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert K.load_combiner(path) is None
    assert K.load_combiner(tmp_path / "missing.json") is None


def test_the_verdict_is_listed_with_the_cues_it_overruled():
    seg = segments_from_texts(["I'm happy to talk about it, but they lost my notes twice."])
    # a toy combiner that always says concern: the cue "happy" is kept in the list, the verdict named
    comb = K.StanceCombiner(list(K.LABELS), np.zeros(len(K.FEATURES)), np.ones(len(K.FEATURES)),
                            np.zeros((len(K.LABELS), len(K.FEATURES))), np.array([3.0, 0, 0, 0, 0]))
    learned = _sure(seg, support=0.6, concern=0.4)
    plain = classify_stance(seg, learned=learned, mixed=None)
    got = classify_stance(seg, learned=learned, mixed=None, combiner=comb)
    assert plain["stance"].iloc[0] != "concern"
    assert got["stance"].iloc[0] == "concern"
    assert "happy" in got["cues"].iloc[0] and f"combined: concern" in got["cues"].iloc[0]
    assert 0.0 <= got["score"].iloc[0] <= 1.0
    # without the learned stance there is nothing to weigh: the cues decide as before
    assert classify_stance(seg, combiner=comb)["stance"].tolist() == classify_stance(seg)["stance"].tolist()


def test_the_clause_after_its_decides_a_contrast_whatever_the_combiner_says():
    seg = segments_from_texts(["It's not the NHS I'm wary of, it's the companies they hand it to."])
    comb = K.StanceCombiner(list(K.LABELS), np.zeros(len(K.FEATURES)), np.ones(len(K.FEATURES)),
                            np.zeros((len(K.LABELS), len(K.FEATURES))), np.array([0, 0, 0, 3.0, 0]))   # always mixed
    got = classify_stance(seg, learned=_sure(seg, mixed=0.7, concern=0.3), mixed=0.45, combiner=comb)
    assert got["stance"].tolist() == ["concern"]


@pytest.mark.slow
@pytest.mark.parametrize("text, expected", WORDINGS)
def test_the_whole_stance_keeps_the_wordings_the_cues_were_built_for(text, expected):
    from engagement.coding import semantic as S

    seg = segments_from_texts([text])
    codings = S.semantic_codings(seg, load_codebook("default"), include_roles=None)
    got = classify_stance(seg, codings, include_roles=None, learned=S.stance_probabilities(seg),
                          override=S.STANCE_OVERRIDE, mixed=S.STANCE_MIXED, combiner=K.load_combiner())
    assert got["stance"].iloc[0] == expected, got["cues"].iloc[0]
