"""What the measures count: the autocoding as the researcher corrected it on coding sheets."""

from __future__ import annotations

import pandas as pd

from engagement.analysis.loader import Analysis
from engagement.config import load_config


def _analysis(tmp_path, codings, rejected=frozenset()):
    (tmp_path / "engagement.yaml").write_text("project: x\n")
    cfg = load_config(tmp_path / "engagement.yaml")
    segments = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "text": ["a", "b", "c"]})
    empty = pd.DataFrame()
    return Analysis(cfg, empty, empty, segments, empty, codings, empty, empty, empty, rejected=rejected)


def _coding(sid, code, source):
    return {"segment_id": sid, "code": code, "theme": code.split("_")[0], "source": source, "evidence": "",
            "score": 1.0}


def test_a_rejected_autocode_stops_counting_and_an_added_code_counts(tmp_path):
    codings = pd.DataFrame([_coding("s1", "consent_optout", "rule"), _coding("s2", "consent_optout", "semantic"),
                            _coding("s3", "trust_motives", "human"), _coding("s3", "trust_motives", "topic")])
    a = _analysis(tmp_path, codings, rejected=frozenset({("s1", "consent_optout")}))
    counted = sorted(zip(a.rule_codings["segment_id"], a.rule_codings["code"], a.rule_codings["source"]))
    assert counted == [("s2", "consent_optout", "semantic"), ("s3", "trust_motives", "human")]


def test_an_accepted_code_counts_once_and_a_rejection_by_one_coder_yields_to_an_acceptance(tmp_path):
    codings = pd.DataFrame([_coding("s1", "consent_optout", "rule"), _coding("s1", "consent_optout", "human")])
    a = _analysis(tmp_path, codings, rejected=frozenset({("s1", "consent_optout")}))
    assert list(zip(a.rule_codings["segment_id"], a.rule_codings["source"])) == [("s1", "rule")]


def test_without_any_human_decision_the_autocoding_is_counted_as_it_is(tmp_path):
    codings = pd.DataFrame([_coding("s1", "consent_optout", "rule"), _coding("s2", "research_development", "topic")])
    assert list(_analysis(tmp_path, codings).rule_codings["segment_id"]) == ["s1"]
