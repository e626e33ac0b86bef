"""Agreement statistics on tiny cases computed by hand, and the reference-file loader."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from engagement.errors import CodebookError, InputError
from engagement.coding.evaluation import agreement, krippendorff_alpha, load_reference, stance_accuracy

SEGS = [f"s{i}" for i in range(1, 11)]


def codings(pairs, source="rule"):
    return pd.DataFrame([{"segment_id": s, "code": c, "theme": c.split("_")[0], "source": source, "evidence": "",
                          "score": 1.0} for s, c in pairs])


@pytest.fixture
def tiny():
    # code a_x: reference s1-s4, auto s1-s3 + s5 -> TP 3, FN 1, FP 1, TN 5
    #   po = 8/10; pe = .4*.4 + .6*.6 = .52; kappa = (.8 - .52) / .48 = 0.58333
    # code b_y: reference s6, auto none -> TP 0, FN 1, TN 9; kappa = 0 (auto is constant)
    ref = codings([("s1", "a_x"), ("s2", "a_x"), ("s3", "a_x"), ("s4", "a_x"), ("s6", "b_y")], source="human")
    auto = codings([("s1", "a_x"), ("s2", "a_x"), ("s3", "a_x"), ("s5", "a_x"), ("s5", "topic_3")])
    auto.loc[auto["code"] == "topic_3", "source"] = "topic"
    return auto, ref


def test_agreement_per_code_matches_hand_computed_values(tiny):
    auto, ref = tiny
    table = agreement(auto, ref, SEGS).set_index("code")
    a = table.loc["a_x"]
    assert (a["n_reference"], a["n_auto"], a["true_positive"]) == (4, 4, 3)
    assert a["precision"] == pytest.approx(0.75) and a["recall"] == pytest.approx(0.75)
    assert a["f1"] == pytest.approx(0.75)
    assert a["kappa"] == pytest.approx(0.28 / 0.48)
    b = table.loc["b_y"]
    assert b["recall"] == 0 and np.isnan(b["precision"]) and b["kappa"] == pytest.approx(0.0)
    assert "topic_3" not in table.index        # topic codings are not rule codings


def test_micro_and_macro_rows(tiny):
    auto, ref = tiny
    table = agreement(auto, ref, SEGS).set_index("code")
    micro = table.loc["micro"]
    # 20 cells: TP 3, FP 1, FN 2, TN 14 -> po = .85, pe = (.25*.2) + (.75*.8) = .65
    assert micro["precision"] == pytest.approx(3 / 4) and micro["recall"] == pytest.approx(3 / 5)
    assert micro["kappa"] == pytest.approx((0.85 - 0.65) / 0.35)
    macro = table.loc["macro"]
    assert macro["recall"] == pytest.approx((0.75 + 0) / 2)
    assert macro["kappa"] == pytest.approx((0.28 / 0.48 + 0) / 2)


def test_agreement_at_theme_level_and_restricted_codes(tiny):
    auto, ref = tiny
    themes = agreement(auto, ref, SEGS, level="theme").set_index("theme")
    assert themes.loc["a", "true_positive"] == 3
    only = agreement(auto, ref, SEGS, codes=["a_x"])
    assert list(only["code"]) == ["a_x", "micro", "macro"]


def test_perfect_agreement_and_unused_code():
    ref = codings([("s1", "a_x")], source="human")
    table = agreement(ref.assign(source="rule"), ref, SEGS, codes=["a_x", "c_z"]).set_index("code")
    assert table.loc["a_x", "kappa"] == 1.0 and table.loc["a_x", "f1"] == 1.0
    assert np.isnan(table.loc["c_z", "kappa"])


def test_agreement_refuses_a_reference_with_several_coders(tiny):
    auto, ref = tiny
    two = pd.concat([ref.assign(coder="A"), ref.assign(coder="B")])
    with pytest.raises(ValueError, match="several coders"):
        agreement(auto, two, SEGS)


# ------------------------------------------------------------------ the reference file

def write(tmp_path, body: str):
    path = tmp_path / "reference.csv"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_load_reference_reads_codes_stance_and_empty_rows(tmp_path):
    path = write(tmp_path, """\
        segment_id,codes,stance,coder,note
        s1,commercial_selling; trust_motives,concern,AB,
        s2,,neutral,AB,nothing to code
        s3,research_development,,AB,
        """)
    ref = load_reference(path)
    assert ref.segment_ids == ["s1", "s2", "s3"] and ref.coders == ["AB"]
    assert sorted(ref.codings["code"]) == ["commercial_selling", "research_development", "trust_motives"]
    assert (ref.codings["source"] == "human").all()
    assert ref.stance.to_dict("records") == [{"segment_id": "s1", "stance": "concern", "coder": "AB"},
                                             {"segment_id": "s2", "stance": "neutral", "coder": "AB"}]


def test_unknown_code_names_the_line(tmp_path):
    path = write(tmp_path, """\
        segment_id,codes,stance,coder,note
        s1,commercial_selling,concern,AB,
        s2,commercial_sellling,concern,AB,
        """)
    with pytest.raises(CodebookError, match=r"reference\.csv:3: unknown code id 'commercial_sellling'"):
        load_reference(path)


@pytest.mark.parametrize("body, message", [
    ("segment_id,stance\ns1,concern\n", "missing column"),
    ("segment_id,codes,stance\ns1,,angry\n", r":2: unknown stance 'angry'"),
    ("segment_id,codes\n,research_development\n", r":2: empty segment_id"),
    ("segment_id,codes,coder\ns1,,A\ns1,,A\n", r":3: segment 's1' is listed twice"),
])
def test_reference_format_errors(tmp_path, body, message):
    with pytest.raises(InputError, match=message):
        load_reference(write(tmp_path, body))


def test_missing_reference_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_reference(tmp_path / "none.csv")


def test_reference_with_a_custom_codebook_or_none(tmp_path):
    path = write(tmp_path, "segment_id,codes\ns1,anything_goes\n")
    assert load_reference(path, codebook=None).codings["code"].tolist() == ["anything_goes"]


# ------------------------------------------------------------------ stance accuracy and alpha

def test_stance_accuracy_confusion_and_per_class():
    ref = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"],
                        "stance": ["concern", "concern", "support", "neutral"]})
    auto = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4", "s5"],
                         "stance": ["concern", "support", "support", "neutral", "mixed"]})
    result = stance_accuracy(auto, ref)
    assert result.n == 4 and result.accuracy == pytest.approx(0.75)
    assert result.confusion.loc["concern", "support"] == 1 and result.confusion.loc["concern", "concern"] == 1
    assert result.confusion.to_numpy().sum() == 4
    per = result.per_class.set_index("stance")
    assert per.loc["concern", "recall"] == pytest.approx(0.5) and per.loc["support", "precision"] == pytest.approx(0.5)
    # po = .75; pe = (2*1 + 1*2 + 1*1) / 16 = 5/16
    assert result.kappa == pytest.approx((0.75 - 5 / 16) / (1 - 5 / 16))


def test_krippendorff_alpha_matches_a_hand_computed_value(tmp_path):
    # code a: coder A yes on s1 s2, coder B yes on s1 -> coincidences o11=2, o10=o01=1, o00=4, n=8
    # alpha = 1 - (n - 1) * (o10 + o01) / (2 * n1 * n0) = 1 - 7 * 2 / (2 * 3 * 5) = 0.5333
    path = write(tmp_path, """\
        segment_id,codes,stance,coder
        s1,a,concern,A
        s2,a,support,A
        s3,,neutral,A
        s4,,neutral,A
        s1,a,concern,B
        s2,,support,B
        s3,,neutral,B
        s4,,neutral,B
        """)
    result = krippendorff_alpha(load_reference(path, codebook=None)).set_index("code")
    assert result.loc["a", "alpha"] == pytest.approx(1 - 14 / 30)
    assert result.loc["a", "n_units"] == 4
    assert result.loc["stance", "alpha"] == pytest.approx(1.0)


def test_krippendorff_alpha_needs_two_coders(tmp_path):
    path = write(tmp_path, "segment_id,codes,coder\ns1,a,A\n")
    with pytest.raises(ValueError, match="two coders"):
        krippendorff_alpha(load_reference(path, codebook=None))
