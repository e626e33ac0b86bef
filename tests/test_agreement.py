"""Agreement between coders on hand-made tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import krippendorff
from sklearn.metrics import cohen_kappa_score

from engagement.coding.agreement import (AGREEMENT_COLUMNS, AUTOCODER, DISAGREEMENT_COLUMNS, NOTE_ALWAYS,
                                         NOTE_NEVER, NOTE_NO_SEGMENTS, SUMMARY_COLUMNS, agreement,
                                         agreement_summary, disagreements, from_tables)
from engagement.errors import InputError


def long_table(rows):
    """(coder, segment_id, code) tuples -> the long codings table."""
    return pd.DataFrame(rows, columns=["coder", "segment_id", "code"])


def from_vectors(code, vectors, segment_ids):
    """{coder: 0/1 list} on segment_ids -> long codings."""
    return long_table([(coder, s, code) for coder, v in vectors.items() for s, x in zip(segment_ids, v) if x])


def one(table, code, coder_a="A", coder_b="B"):
    hit = table[(table["coder_a"] == coder_a) & (table["coder_b"] == coder_b) & (table["code"] == code)]
    assert len(hit) == 1
    return hit.iloc[0]


@pytest.fixture
def classic():
    # the textbook 2x2 table on 50 segments: both yes 20, A yes B no 5, A no B yes 10, both no 15
    #   p_o = 35/50 = .7; p_A = 25/50 = .5, p_B = 30/50 = .6; p_e = .5*.6 + .5*.4 = .5; kappa = (.7-.5)/.5 = .4
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    segs = [f"s{i:02d}" for i in range(50)]
    return a, b, segs


@pytest.fixture
def three_codes():
    # 8 segments, three codes, two coders who saw all of them
    segs = [f"s{i}" for i in range(8)]
    vec = {
        "trust": ({"A": [1, 1, 0, 0, 1, 0, 1, 0], "B": [1, 0, 0, 0, 1, 0, 1, 1]}),
        "consent": ({"A": [0, 1, 1, 0, 0, 0, 0, 1], "B": [0, 1, 1, 1, 0, 0, 0, 1]}),
        "selling": ({"A": [1, 0, 0, 0, 0, 0, 0, 0], "B": [0, 0, 0, 1, 0, 1, 0, 0]}),
    }
    long = pd.concat([from_vectors(c, v, segs) for c, v in vec.items()], ignore_index=True)
    return long, {"A": segs, "B": segs}, vec, segs


def test_classic_two_by_two_gives_kappa_point_four(classic):
    a, b, segs = classic
    table = agreement(from_vectors("trust", {"A": a, "B": b}, segs), seen={"A": segs, "B": segs})
    row = one(table, "trust")
    assert row["n_segments"] == 50
    assert row["prevalence_a"] == pytest.approx(0.5)
    assert row["prevalence_b"] == pytest.approx(0.6)
    assert row["percent_agreement"] == pytest.approx(0.7)
    assert row["kappa"] == pytest.approx(0.4)
    assert row["kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert row["note"] == ""


def test_output_columns_and_one_overall_row_per_pair(three_codes):
    long, seen, _, _ = three_codes
    table = agreement(long, seen=seen)
    assert list(table.columns) == AGREEMENT_COLUMNS
    assert table["code"].tolist() == ["consent", "selling", "trust", "overall"]


def test_per_code_kappa_and_alpha_match_sklearn_and_krippendorff(three_codes):
    long, seen, vec, _ = three_codes
    table = agreement(long, seen=seen)
    for code, v in vec.items():
        row = one(table, code)
        assert row["kappa"] == pytest.approx(cohen_kappa_score(v["A"], v["B"]))
        assert row["alpha"] == pytest.approx(krippendorff.alpha(reliability_data=[v["A"], v["B"]],
                                                                level_of_measurement="nominal"))


def test_overall_pools_the_two_by_two_tables_and_all_decisions(three_codes):
    long, seen, vec, _ = three_codes
    a = np.concatenate([vec[c]["A"] for c in sorted(vec)])
    b = np.concatenate([vec[c]["B"] for c in sorted(vec)])
    row = one(agreement(long, seen=seen), "overall")
    assert row["n_segments"] == 8
    assert row["kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert row["alpha"] == pytest.approx(krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"))
    assert row["percent_agreement"] == pytest.approx((a == b).mean())
    assert row["prevalence_a"] == pytest.approx(a.mean())
    # pooling is not averaging: the overall kappa differs from the mean of the per-code kappas here
    per_code = [cohen_kappa_score(vec[c]["A"], vec[c]["B"]) for c in vec]
    assert row["kappa"] != pytest.approx(np.mean(per_code))


def test_perfect_agreement_gives_kappa_and_alpha_one():
    segs = ["s1", "s2", "s3", "s4"]
    v = [1, 0, 1, 0]
    row = one(agreement(from_vectors("trust", {"A": v, "B": v}, segs), seen={"A": segs, "B": segs}), "trust")
    assert (row["kappa"], row["alpha"], row["percent_agreement"], row["note"]) == (1.0, 1.0, 1.0, "")


@pytest.mark.parametrize("a, b, note", [
    ([0, 0, 0], [0, 0, 0], NOTE_NEVER),
    ([1, 1, 1], [1, 1, 1], NOTE_ALWAYS),
])
def test_code_both_never_or_both_always_apply_is_nan_with_a_note(a, b, note):
    segs = ["s1", "s2", "s3"]
    long = pd.concat([from_vectors("trust", {"A": a, "B": b}, segs),
                      from_vectors("consent", {"A": [1, 0, 0], "B": [1, 0, 0]}, segs)], ignore_index=True)
    table = agreement(long, seen={"A": segs, "B": segs}, codes=["trust", "consent"])
    row = one(table, "trust")
    assert np.isnan(row["kappa"]) and np.isnan(row["alpha"])
    assert row["note"] == note
    assert row["percent_agreement"] == 1.0
    assert one(table, "consent")["kappa"] == 1.0


def test_no_segment_seen_by_both_is_nan_with_a_note():
    long = long_table([("A", "s1", "trust"), ("B", "s2", "trust")])
    table = agreement(long, seen={"A": ["s1"], "B": ["s2"]})
    for code in ("trust", "overall"):
        row = one(table, code)
        assert row["n_segments"] == 0
        assert np.isnan(row["kappa"]) and np.isnan(row["alpha"]) and np.isnan(row["percent_agreement"])
        assert row["note"] == NOTE_NO_SEGMENTS


def test_a_code_only_one_coder_applied_has_a_kappa_and_says_so():
    segs = ["s1", "s2", "s3", "s4"]
    a, b = [1, 0, 0, 0], [0, 0, 0, 0]
    row = one(agreement(from_vectors("trust", {"A": a, "B": b}, segs), seen={"A": segs, "B": segs}), "trust")
    assert row["kappa"] == pytest.approx(cohen_kappa_score(a, b))  # 0: B is constant
    assert row["note"] == "only A applied the code"


def test_a_listed_code_nobody_used_gets_a_row():
    long = long_table([("A", "s1", "trust"), ("B", "s1", "trust")])
    table = agreement(long, seen={"A": ["s1", "s2"], "B": ["s1", "s2"]}, codes=["trust", "unused"])
    assert table["code"].tolist() == ["trust", "unused", "overall"]
    assert one(table, "unused")["note"] == NOTE_NEVER


def test_unseen_segments_are_missing_not_disagreement():
    # A coded s3 and s4, which B never saw: only s1 and s2 are compared, and there the two agree
    long = long_table([("A", "s1", "trust"), ("B", "s1", "trust"), ("A", "s3", "trust"), ("A", "s4", "trust")])
    row = one(agreement(long, seen={"A": ["s1", "s2", "s3", "s4"], "B": ["s1", "s2"]}), "trust")
    assert row["n_segments"] == 2
    assert row["kappa"] == 1.0 and row["percent_agreement"] == 1.0
    # had B seen them, the same codings would disagree
    row = one(agreement(long, seen={"A": ["s1", "s2", "s3", "s4"], "B": ["s1", "s2", "s3", "s4"]}), "trust")
    assert row["n_segments"] == 4 and row["percent_agreement"] == 0.5


def test_a_seen_segment_without_codes_is_a_no():
    long = long_table([("A", "s1", "trust"), ("B", "s1", "trust"), ("A", "s2", "trust")])
    row = one(agreement(long, seen={"A": ["s1", "s2"], "B": ["s1", "s2"]}), "trust")
    assert row["percent_agreement"] == 0.5


def test_seen_may_be_a_table_and_a_coded_segment_counts_as_seen():
    long = long_table([("A", "s1", "trust"), ("B", "s1", "trust"), ("B", "s2", "consent")])
    as_table = pd.DataFrame({"coder": ["A", "A", "B"], "segment_id": ["s1", "s2", "s1"]})
    pd.testing.assert_frame_equal(agreement(long, seen=as_table), agreement(long, seen={"A": ["s1", "s2"],
                                                                                         "B": ["s1", "s2"]}))


def test_pairs_are_autocoder_against_each_human_then_human_against_human():
    long = long_table([(c, "s1", "trust") for c in ("CD", AUTOCODER, "AB")])
    table = agreement(long, seen={c: ["s1", "s2"] for c in ("CD", AUTOCODER, "AB")})
    pairs = list(dict.fromkeys(zip(table["coder_a"], table["coder_b"])))
    assert pairs == [(AUTOCODER, "AB"), (AUTOCODER, "CD"), ("AB", "CD")]
    only = agreement(long, seen={c: ["s1", "s2"] for c in ("CD", AUTOCODER, "AB")}, coders=["CD", "AB"])
    assert list(dict.fromkeys(zip(only["coder_a"], only["coder_b"]))) == [("CD", "AB")]


def test_bad_arguments_raise():
    long = long_table([("A", "s1", "trust")])
    with pytest.raises(ValueError, match="ZZ"):
        agreement(long, seen={"A": ["s1"], "B": ["s1"]}, coders=["A", "ZZ"])
    with pytest.raises(ValueError, match="overall"):
        agreement(long, seen={"A": ["s1"], "B": ["s1"]}, codes=["overall"])
    with pytest.raises(InputError, match="coder"):
        agreement(long.drop(columns="coder"), seen={"A": ["s1"]})


def test_agreement_does_not_change_its_input(three_codes):
    long, seen, _, _ = three_codes
    before = long.copy()
    agreement(long, seen=seen)
    disagreements(long, seen=seen, coder_a="A", coder_b="B")
    pd.testing.assert_frame_equal(long, before)


def test_summary_has_one_row_per_pair_from_the_overall_rows(three_codes):
    long, seen, _, segs = three_codes
    long = pd.concat([long, long[long["coder"] == "A"].assign(coder="C")], ignore_index=True)
    table = agreement(long, seen={**seen, "C": segs}, codes=["consent", "selling", "trust", "unused"])
    summary = agreement_summary(table)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert list(zip(summary["coder_a"], summary["coder_b"])) == [("A", "B"), ("A", "C"), ("B", "C")]
    ab = summary.iloc[0]
    overall = one(table, "overall")
    assert (ab["kappa"], ab["alpha"], ab["percent_agreement"]) == (overall["kappa"], overall["alpha"],
                                                                   overall["percent_agreement"])
    per_code = table[(table["coder_a"] == "A") & (table["coder_b"] == "B") & (table["code"] != "overall")]
    assert ab["n_codes"] == 4 and ab["n_segments"] == 8
    assert ab["n_codes_low_kappa"] == (per_code["kappa"] < 0.6).sum()
    assert ab["n_codes_low_kappa"] >= 1           # selling: kappa below 0
    assert ab["n_codes_undefined"] == 1           # unused: NaN, not counted as low
    ac = summary.iloc[1]                          # C copied A: perfect on the three used codes
    assert (ac["kappa"], ac["n_codes_low_kappa"], ac["n_codes_undefined"]) == (1.0, 0, 1)
    assert agreement_summary(table, threshold=1.01).iloc[1]["n_codes_low_kappa"] == 3


def test_disagreements_list_every_cell_one_coder_applied(three_codes):
    long, seen, vec, segs = three_codes
    out = disagreements(long, seen=seen, coder_a="A", coder_b="B")
    assert list(out.columns) == DISAGREEMENT_COLUMNS
    expected = sorted((s, code, "A" if v["A"][i] else "B", "B" if v["A"][i] else "A")
                      for code, v in vec.items() for i, s in enumerate(segs) if v["A"][i] != v["B"][i])
    assert list(out.itertuples(index=False, name=None)) == expected
    table = agreement(long, seen=seen)
    n_disagree = ((1 - table["percent_agreement"]) * table["n_segments"]).round().astype(int)
    assert len(out) == n_disagree[table["code"] != "overall"].sum()


def test_disagreements_are_deterministic_whatever_the_row_order(three_codes):
    long, seen, _, _ = three_codes
    first = disagreements(long, seen=seen, coder_a="A", coder_b="B")
    shuffled = long.sample(frac=1.0, random_state=7).reset_index(drop=True)
    pd.testing.assert_frame_equal(disagreements(shuffled, seen=seen, coder_a="A", coder_b="B"), first)


def test_disagreements_skip_segments_one_coder_did_not_see_and_can_carry_text():
    long = long_table([("A", "s2", "trust"), ("A", "s1", "consent"), ("B", "s1", "trust"), ("A", "s3", "trust")])
    segments = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "text": ["one", "two", "three"]})
    out = disagreements(long, seen={"A": ["s1", "s2", "s3"], "B": ["s1", "s2"]}, coder_a="A", coder_b="B",
                        segments=segments)
    assert out.to_dict("records") == [
        {"segment_id": "s1", "code": "consent", "coded_by": "A", "not_coded_by": "B", "text": "one"},
        {"segment_id": "s1", "code": "trust", "coded_by": "B", "not_coded_by": "A", "text": "one"},
        {"segment_id": "s2", "code": "trust", "coded_by": "A", "not_coded_by": "B", "text": "two"},
    ]
    only = disagreements(long, seen={"A": ["s1", "s2"], "B": ["s1", "s2"]}, coder_a="A", coder_b="B",
                         codes=["consent"])
    assert only["code"].tolist() == ["consent"]


def test_no_disagreements_is_an_empty_table_with_the_columns():
    long = long_table([("A", "s1", "trust"), ("B", "s1", "trust")])
    out = disagreements(long, seen={"A": ["s1"], "B": ["s1"]}, coder_a="A", coder_b="B")
    assert out.empty and list(out.columns) == DISAGREEMENT_COLUMNS


def codings_table(rows):
    """(segment_id, code, source[, coder[, decision]]) -> a codings table as the suite writes it."""
    cols = ["segment_id", "code", "source", "coder", "decision"][:len(rows[0])]
    t = pd.DataFrame(rows, columns=cols)
    return t.assign(theme="t", evidence="", score=1.0)


def test_from_tables_autocoder_is_rule_and_semantic_on_participant_segments():
    codings = codings_table([("s1", "trust", "rule"), ("s2", "consent", "semantic"), ("s2", "topic_3", "topic"),
                             ("s3", "trust", "learned")])
    segments = pd.DataFrame({"segment_id": ["s0", "s1", "s2", "s3", "s4"], "text": ["q?", "a", "b", "c", "d"],
                             "role": ["facilitator", "participant", "participant", "respondent", "participant"]})
    long, seen = from_tables(codings, segments=segments)
    assert list(long.itertuples(index=False, name=None)) == [(AUTOCODER, "s1", "trust"),
                                                             (AUTOCODER, "s2", "consent")]
    assert seen["segment_id"].tolist() == ["s1", "s2", "s3", "s4"]      # not the facilitator's s0
    assert set(seen["coder"]) == {AUTOCODER}


def test_from_tables_human_coders_and_rejections_are_seen_but_not_coded():
    codings = codings_table([("s1", "trust", "rule", None, None), ("s2", "trust", "rule", None, None),
                             ("s1", "trust", "human", "AB", "accept"), ("s2", "trust", "human", "AB", "reject"),
                             ("s3", "consent", "human", "AB", "add"), ("s2", "trust", "human", "CD", "accept")])
    segments = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"], "text": list("abcd")})
    long, seen = from_tables(codings, segments=segments)
    assert list(long.itertuples(index=False, name=None)) == [
        ("AB", "s1", "trust"), ("AB", "s3", "consent"), ("CD", "s2", "trust"),
        (AUTOCODER, "s1", "trust"), (AUTOCODER, "s2", "trust")]
    seen_by = seen.groupby("coder")["segment_id"].agg(list).to_dict()
    assert seen_by == {"AB": ["s1", "s2", "s3"], "CD": ["s2"], AUTOCODER: ["s1", "s2", "s3", "s4"]}
    # AB rejected the autocoder's suggestion on s2: a disagreement; CD never saw s1: not one
    row = one(agreement(long, seen=seen), "trust", AUTOCODER, "AB")
    assert row["n_segments"] == 3 and row["percent_agreement"] == pytest.approx(2 / 3)
    row = one(agreement(long, seen=seen), "trust", AUTOCODER, "CD")
    assert row["n_segments"] == 1 and row["percent_agreement"] == 1.0


def test_from_tables_takes_a_separate_human_table():
    codings = codings_table([("s1", "trust", "rule")])
    human = pd.DataFrame({"segment_id": ["s1", "s2"], "code": ["trust", None], "coder": ["AB", "AB"]})
    long, seen = from_tables(codings, human)
    assert ("AB", "s1", "trust") in set(long.itertuples(index=False, name=None))
    assert sorted(seen.loc[seen["coder"] == "AB", "segment_id"]) == ["s1", "s2"]   # s2: seen, nothing coded
    assert sorted(seen.loc[seen["coder"] == AUTOCODER, "segment_id"]) == ["s1"]     # no segments table


def test_from_tables_rejects_unknown_decisions_and_human_rows_without_a_coder():
    with pytest.raises(InputError, match="maybe"):
        from_tables(codings_table([("s1", "trust", "human", "AB", "maybe")]))
    with pytest.raises(InputError, match="coder"):
        from_tables(codings_table([("s1", "trust", "human")]))


def test_a_segment_marked_reviewed_with_no_code_is_seen_and_disagrees_with_a_suggestion():
    # the human store's "reviewed" mark (code "-") says the coder read s2 and coded nothing there
    codings = codings_table([("s1", "trust", "rule"), ("s2", "trust", "rule")])
    human = pd.DataFrame({"segment_id": ["s1", "s1", "s2"], "code": ["trust", "-", "-"], "coder": "AB",
                          "decision": ["accept", "reviewed", "reviewed"]})
    long, seen = from_tables(codings, human)
    assert set(long.loc[long["coder"] == "AB", "code"]) == {"trust"}          # a mark is never a code
    assert sorted(seen.loc[seen["coder"] == "AB", "segment_id"]) == ["s1", "s2"]
    row = one(agreement(long, seen=seen), "trust", AUTOCODER, "AB")
    assert row["n_segments"] == 2 and row["percent_agreement"] == pytest.approx(1 / 2)


def test_the_report_table_compares_each_sheet_coder_by_name(tmp_path):
    """Two researchers code on sheets: each is compared as themselves, over what they reviewed."""
    from types import SimpleNamespace

    from conftest import write_project
    from engagement.coding.human import REVIEWED, REVIEWED_CODE, save_human_codings, text_hash
    from engagement.config import load_config
    from engagement.report.sections import agreement_table

    write_project(tmp_path)
    cfg = load_config(tmp_path / "engagement.yaml")
    texts = {f"S-{i}": f"segment number {i} about records" for i in range(12)}
    segments = pd.DataFrame({"segment_id": list(texts), "text": list(texts.values()), "role": "participant"})
    # the autocoder says A on S-0..S-5; AB agrees on all six, CD only on S-0..S-2 and adds B on S-6
    codings = pd.DataFrame({"segment_id": [f"S-{i}" for i in range(6)], "code": "A", "theme": "t",
                            "source": "rule", "evidence": "x", "score": 0.9})
    rows = []

    def decide(coder, sid, code, decision):
        rows.append({"segment_id": sid, "code": code, "theme": "", "decision": decision, "coder": coder,
                     "coded_at": "2026-12-01T10:00:00+00:00", "text_hash": text_hash(texts[sid]), "note": "",
                     "sheet": "coding-all.xlsx"})

    for sid in texts:                     # both read every segment
        decide("AB", sid, REVIEWED_CODE, REVIEWED)
        decide("CD", sid, REVIEWED_CODE, REVIEWED)
    for i in range(6):
        decide("AB", f"S-{i}", "A", "accept")
        decide("CD", f"S-{i}", "A", "accept" if i < 3 else "reject")
    decide("CD", "S-6", "B", "add")
    save_human_codings(cfg, pd.DataFrame(rows))
    table = agreement_table(SimpleNamespace(cfg=cfg, codings=codings, segments=segments)).set_index(["coder_a", "coder_b"])
    assert set(table.index) == {(AUTOCODER, "AB"), (AUTOCODER, "CD"), ("AB", "CD")}   # nobody pooled as "researcher"
    assert table.loc[(AUTOCODER, "AB"), "n_segments"] == 12
    assert table.loc[(AUTOCODER, "AB"), "kappa"] == pytest.approx(1.0)
    assert table.loc[(AUTOCODER, "CD"), "kappa"] < table.loc[(AUTOCODER, "AB"), "kappa"]
    # CD against AB on code A: 12 segments, 3 disagreements; on code B: 1 of 12
    assert table.loc[("AB", "CD"), "percent_agreement"] == pytest.approx((9 + 11) / 24)


def test_the_disagreement_list_names_who_coded_what_and_is_saved_for_reconciling(tmp_path):
    from types import SimpleNamespace

    from conftest import write_project
    from engagement.coding.human import REVIEWED, REVIEWED_CODE, save_human_codings, text_hash
    from engagement.config import load_config
    from engagement.report.sections import disagreement_list, save_disagreements

    write_project(tmp_path)
    cfg = load_config(tmp_path / "engagement.yaml")
    texts = {"S-0": "=HYPERLINK(\"x\") is what she typed", "S-1": "Only the GP should see it.", "S-2": "Fine."}
    segments = pd.DataFrame({"segment_id": list(texts), "text": list(texts.values()), "role": "participant"})
    codings = pd.DataFrame({"segment_id": ["S-0", "S-1"], "code": "A", "theme": "t", "source": "rule",
                            "evidence": "x", "score": 0.9})
    rows = [{"segment_id": sid, "code": code, "theme": "", "decision": decision, "coder": "AB",
             "coded_at": "2026-12-01T10:00:00+00:00", "text_hash": text_hash(texts[sid]), "note": "", "sheet": "s.xlsx"}
            for sid, code, decision in [("S-0", REVIEWED_CODE, REVIEWED), ("S-1", REVIEWED_CODE, REVIEWED),
                                        ("S-2", REVIEWED_CODE, REVIEWED), ("S-0", "A", "reject"), ("S-2", "B", "add")]]
    save_human_codings(cfg, pd.DataFrame(rows))
    a = SimpleNamespace(cfg=cfg, codings=codings, segments=segments)
    listed = disagreement_list(a)
    assert listed[["segment_id", "code", "coded_by", "not_coded_by"]].values.tolist() == [
        ["S-0", "A", AUTOCODER, "AB"],      # rejected on the sheet
        ["S-1", "A", AUTOCODER, "AB"],      # reviewed, not accepted: a "no"
        ["S-2", "B", "AB", AUTOCODER]]      # added
    path = save_disagreements(a)
    assert path.stat().st_mode & 0o077 == 0                      # owner-only
    saved = pd.read_csv(path)
    assert saved.loc[0, "text"].startswith("'=")                  # a spreadsheet shows it, never runs it
    save_human_codings(cfg, pd.DataFrame(rows[:3]))              # the coder now agrees everywhere...
    a = SimpleNamespace(cfg=cfg, codings=codings.iloc[1:0], segments=segments)
    assert save_disagreements(a) is None and not path.exists()   # ...so the old list goes
