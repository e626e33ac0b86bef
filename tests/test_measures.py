"""Measures on small synthetic tables whose right answers can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engagement.analysis.measures import cooccurrence, region_vs_rest, stance_by_theme, theme_prevalence


def make_corpus():
    """Two regions: Essex, 3 focus groups x 4 people, most raise 'commercial';
    Norfolk, 3 focus groups x 4 people, few do. Plus facilitators who raise everything."""
    segs, codes = [], []
    for region, n_commercial in (("Essex", 10), ("Norfolk", 2)):
        k = 0
        for s in range(3):
            sid = f"{region[:3].upper()}-FG{s}"
            segs.append(dict(segment_id=f"{sid}-F", session_id=sid, participant_id=f"{sid}-F1", role="facilitator",
                             region=region, kind="focus_group", text="What about selling?", n_words=3))
            codes.append(dict(segment_id=f"{sid}-F", code="selling", theme="commercial", source="rule"))
            for p in range(4):
                pid = f"{sid}-P{p}"
                for j in range(2):  # two sentences each
                    seg_id = f"{pid}-S{j}"
                    segs.append(dict(segment_id=seg_id, session_id=sid, participant_id=pid, role="participant",
                                     region=region, kind="focus_group", text=f"sentence {j}", n_words=8))
                    if k < n_commercial:
                        codes.append(dict(segment_id=seg_id, code="selling", theme="commercial", source="rule"))
                    if j == 0:
                        codes.append(dict(segment_id=seg_id, code="records", theme="joined_up", source="rule"))
                k += 1
    return pd.DataFrame(segs), pd.DataFrame(codes)


def test_prevalence_counts_people_not_sentences_and_ignores_facilitators():
    segs, codes = make_corpus()
    prev = theme_prevalence(segs, codes, by="region", min_cell=1, seed=1).set_index(["theme", "region"])
    row = prev.loc[("commercial", "Essex")]
    assert row["participants"] == 10 and row["participants_total"] == 12
    assert row["segments"] == 20
    assert row["share"] == pytest.approx(10 / 12, abs=1e-4)
    assert row["ci_low"] <= row["share"] <= row["ci_high"]


def test_small_cells_are_banded_not_zero():
    segs, codes = make_corpus()
    prev = theme_prevalence(segs, codes, by="region", min_cell=5, seed=1).set_index(["theme", "region"])
    cell = prev.loc[("commercial", "Norfolk")]
    assert bool(cell["suppressed"]) and np.isnan(cell["participants"]) and np.isnan(cell["share"])
    assert (cell["published_as"], cell["band"]) == ("band", "fewer than 5")
    assert not prev.loc[("joined_up", "Essex"), "suppressed"]


def test_with_two_regions_the_other_cell_is_banded_too_or_the_overall_count_gives_norfolk_away():
    segs, codes = make_corpus()
    prev = theme_prevalence(segs, codes, by="region", min_cell=5, seed=1).set_index(["theme", "region"])
    # 12 raised commercial overall: Essex's 10 published would leave Norfolk's 2 by subtraction
    essex = prev.loc[("commercial", "Essex")]
    assert (essex["published_as"], essex["band"]) == ("band", "10 to 14") and bool(essex["suppressed"])
    off = theme_prevalence(segs, codes, by="region", min_cell=5, seed=1, secondary=False)
    assert off.set_index(["theme", "region"]).loc[("commercial", "Essex"), "participants"] == 10


def test_published_as_and_suppressed_agree_and_bands_have_text():
    segs, codes = make_corpus()
    prev = theme_prevalence(segs, codes, by="region", min_cell=5, seed=1)
    assert list(prev.columns[:10]) == ["theme", "region", "segments", "participants", "participants_total",
                                       "sessions", "share", "ci_low", "ci_high", "suppressed"]
    assert (prev["suppressed"] == (prev["published_as"] != "value")).all()
    assert (prev.loc[prev["published_as"] == "band", "band"] != "").all()
    assert (prev.loc[prev["published_as"] != "band", "band"] == "").all()


def test_policy_suppress_hides_small_counts_instead_of_banding():
    segs, codes = make_corpus()
    prev = theme_prevalence(segs, codes, by="region", min_cell=5, seed=1, policy="suppress")
    cell = prev.set_index(["theme", "region"]).loc[("commercial", "Norfolk")]
    assert (cell["published_as"], cell["band"]) == ("suppressed", "")


def test_a_sensitive_theme_small_count_is_suppressed_not_banded():
    segs, codes = make_corpus()
    codes = codes.assign(theme=codes["theme"].replace({"commercial": "sensitive"}))
    prev = theme_prevalence(segs, codes, by="region", min_cell=5, seed=1).set_index(["theme", "region"])
    assert prev.loc[("sensitive", "Norfolk"), "published_as"] == "suppressed"


def test_a_participant_attribute_breakdown_suppresses_small_counts():
    segs, codes = make_corpus()
    segs = segs.assign(age_band=np.where(segs["participant_id"].str.contains("P0|P1"), "18-34", "35+"))
    prev = theme_prevalence(segs, codes, by="age_band", min_cell=5, seed=1)
    assert (prev["published_as"] == "suppressed").any()
    # a small count is never shown, not even as a band; a band here only protects a larger cell
    assert not prev["band"].str.startswith("fewer than").any()


def test_a_theme_nobody_raised_shows_zero_not_suppressed():
    segs, codes = make_corpus()
    prev = theme_prevalence(segs, codes, by="region", min_cell=5, seed=1, themes=["commercial", "joined_up", "hiv"])
    hiv = prev[prev["theme"] == "hiv"]
    assert (hiv["participants"] == 0).all() and not hiv["suppressed"].any()


def test_intervals_are_seeded_and_narrow_with_more_sessions():
    segs, codes = make_corpus()
    a = theme_prevalence(segs, codes, by="region", min_cell=1, seed=7)
    pd.testing.assert_frame_equal(a, theme_prevalence(segs, codes, by="region", min_cell=1, seed=7))
    # the same people in four times as many sessions: the interval must narrow
    copies_s, copies_c = [], []
    for k in range(4):
        copies_s.append(segs.assign(segment_id=segs["segment_id"] + f"#{k}", session_id=segs["session_id"] + f"#{k}",
                                    participant_id=segs["participant_id"] + f"#{k}"))
        copies_c.append(codes.assign(segment_id=codes["segment_id"] + f"#{k}"))
    big = theme_prevalence(pd.concat(copies_s), pd.concat(copies_c), by="region", min_cell=1, seed=7)
    width = lambda t: (t["ci_high"] - t["ci_low"]).loc[(t["theme"] == "commercial") & (t["region"] == "Essex")].item()
    assert width(big) < width(a)


def test_survey_respondents_are_their_own_clusters():
    segs = pd.DataFrame([dict(segment_id=f"S{i}", session_id="SURVEY", participant_id=f"SURVEY-R{i}",
                              role="respondent", region="Essex", kind="survey", text="x", n_words=5) for i in range(40)])
    codes = pd.DataFrame([dict(segment_id=f"S{i}", code="c", theme="t", source="rule") for i in range(20)])
    row = theme_prevalence(segs, codes, by="region", min_cell=1, seed=3).iloc[0]
    # one cluster would give a zero-width interval; forty give a real one
    assert row["ci_high"] - row["ci_low"] > 0.1


def test_stance_shares_within_theme_sum_to_one():
    segs, codes = make_corpus()
    stance = pd.DataFrame({"segment_id": segs["segment_id"],
                           "stance": np.where(np.arange(len(segs)) % 3 == 0, "concern", "support")})
    st = stance_by_theme(segs, codes, stance, min_cell=1)
    shares = st[["concern", "support", "conditional_support", "mixed", "neutral"]].sum(axis=1)
    assert np.allclose(shares, 1.0)


def test_region_vs_rest_withholds_the_rest_share_when_the_area_count_is_protected():
    segs, codes = make_corpus()
    rvr = region_vs_rest(segs, codes, min_cell=5).set_index(["theme", "region"])
    norfolk = rvr.loc[("commercial", "Norfolk")]
    # share_rest = (12 - a) / 12 with 12 published overall would give Norfolk's a back
    assert bool(norfolk["suppressed"]) and np.isnan(norfolk["share_rest"]) and np.isnan(norfolk["p_value"])
    assert not rvr.loc[("joined_up", "Norfolk"), "suppressed"]


def test_stance_and_cooccurrence_follow_the_policy():
    segs, codes = make_corpus()
    stance = pd.DataFrame({"segment_id": segs["segment_id"], "stance": "concern"})
    st = stance_by_theme(segs, codes, stance, by="region", min_cell=5).set_index(["theme", "region"])
    assert bool(st.loc[("commercial", "Norfolk"), "suppressed"]) and np.isnan(st.loc[("commercial", "Norfolk"),
                                                                                     "concern"])
    assert st.loc[("joined_up", "Norfolk"), "concern"] == 1.0
    sens = codes.assign(theme=codes["theme"].replace({"commercial": "sensitive"}))
    co = cooccurrence(segs[segs["region"] == "Norfolk"], sens, unit="participant", min_cell=5)
    co = co.set_index(["theme_a", "theme_b"])
    assert co.loc[("sensitive", "joined_up"), "published_as"] == "suppressed"
    assert co.loc[("joined_up", "joined_up"), "published_as"] == "value"


def test_region_vs_rest_finds_the_region_that_stands_out_and_adjusts_p():
    segs, codes = make_corpus()
    rvr = region_vs_rest(segs, codes, min_cell=1).set_index(["theme", "region"])
    essex = rvr.loc[("commercial", "Essex")]
    assert essex["difference"] > 0.6 and essex["cohens_h"] > 1
    assert essex["p_adjusted"] >= essex["p_value"]
    assert (rvr["label"] == "exploratory").all()


def test_cooccurrence_counts_segments_with_both_themes():
    segs, codes = make_corpus()
    co = cooccurrence(segs, codes, min_cell=1).set_index(["theme_a", "theme_b"])
    # Essex: 10 commercial people, their S0 sentence is also joined_up -> 5 people x 1... count by segment
    both = codes[codes["theme"] == "commercial"].merge(codes[codes["theme"] == "joined_up"], on="segment_id")
    part = both[both["segment_id"].str.contains("-P")]
    assert co.loc[("commercial", "joined_up"), "count"] == part["segment_id"].nunique()


def test_cooccurrence_by_participant_counts_people_who_raised_both_anywhere():
    segs, codes = make_corpus()
    co = cooccurrence(segs, codes, unit="participant", min_cell=1).set_index(["theme_a", "theme_b"])
    # every participant raised joined_up; 10 Essex + 2 Norfolk raised commercial
    assert co.loc[("commercial", "joined_up"), "count"] == 12
    assert co.loc[("joined_up", "joined_up"), "count"] == 24


def test_a_missing_attribute_column_is_not_recorded_rather_than_an_error():
    from engagement.analysis.measures import attach_attribute

    seg = pd.DataFrame({"segment_id": ["s1"], "participant_id": ["p1"]})
    out = attach_attribute(seg, pd.DataFrame({"participant_id": ["p1"]}), "age_band")
    assert list(out["age_band"]) == ["not recorded"]


def test_one_session_gives_a_share_but_no_interval():
    segs, codes = make_corpus()
    one = segs[segs["session_id"].isin(["ESS-FG0", "NOR-FG0", "NOR-FG1"])]
    prev = theme_prevalence(one, codes, by="region", min_cell=1, seed=1)
    essex, norfolk = prev[prev["region"] == "Essex"], prev[prev["region"] == "Norfolk"]
    # the bootstrap resamples sessions: one session cannot be resampled, so no interval of width 0
    assert essex["share"].notna().all() and essex["ci_low"].isna().all() and essex["ci_high"].isna().all()
    assert norfolk.loc[norfolk["participants"] > 0, "ci_low"].notna().all()


def test_empty_input_gives_empty_tables_with_their_columns():
    segs, codes = make_corpus()
    none = segs.iloc[:0]
    assert {"theme", "region", "share", "suppressed"} <= set(theme_prevalence(none, codes, by="region").columns)
    assert {"theme", "concern", "suppressed"} <= set(stance_by_theme(none, codes, pd.DataFrame(
        {"segment_id": pd.Series(dtype=str), "stance": pd.Series(dtype=str)})).columns)
    assert {"theme_a", "theme_b", "count", "suppressed"} <= set(cooccurrence(none, codes).columns)
    assert {"theme", "region", "p_adjusted", "suppressed"} <= set(region_vs_rest(none, codes).columns)
