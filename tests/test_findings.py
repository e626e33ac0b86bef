"""Key findings on generated studies whose one real difference is known by construction."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportions_ztest

from engagement.analysis.findings import (compare_groups, finding_sentence, format_p, key_findings,
                                          more_than_elsewhere, no_findings_sentence, opening_sentence)

AREAS = ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]
NOISE = ["trust", "consent", "security", "commercial", "access"]
LABELS = {"sensitive_records": "Sensitive records", "trust": "Trust in who uses the data",
          "consent": "Consent and opt-out", "security": "Security", "commercial": "Commercial use",
          "access": "Access to my records", "hot_topic": "Selling to insurers"}


def make_study(seed: int = 0, *, designed: tuple | None = ("sensitive_records", "Suffolk", 9, 2),
               focus_groups: tuple = (5, 5), interviews: int = 5, p_noise: float = 0.3,
               hot_session: str | None = None):
    """Five areas, each two focus groups of five and five interviews (15 people, 7 sessions).

    ``designed`` = (theme, area, raisers in that area, raisers in each other area), spread over the
    area's sessions; the NOISE themes are raised by each person with probability ``p_noise``
    whatever the area. ``hot_session`` is a focus group in which everyone raises 'hot_topic',
    which almost nobody else does (one lively group, not an area difference). Facilitators raise
    the designed theme in every focus group and must not count.
    """
    rng = np.random.default_rng(seed)
    segs, codes = [], []

    def seg(seg_id, sid, pid, role, area, kind, text="words"):
        segs.append(dict(segment_id=seg_id, session_id=sid, turn_index=len(segs), participant_id=pid, role=role,
                         region=area, kind=kind, text=text, tokens=text, lemmas=text, start_char=0,
                         end_char=len(text), n_words=len(text.split())))

    def code(seg_id, theme, source="rule"):
        codes.append(dict(segment_id=seg_id, code=f"{theme}_code", theme=theme, source=source, evidence="cue",
                          score=1.0))

    theme_d, area_d, k_in, k_out = designed or (None, None, 0, 0)
    for area in AREAS:
        people = []
        for s, size in enumerate(focus_groups):
            sid = f"{area[:3].upper()}-FG{s}"
            seg(f"{sid}-F-0", sid, f"{sid}-F", "facilitator", area, "focus_group", "What about your records?")
            if theme_d:
                code(f"{sid}-F-0", theme_d)
            people += [(sid, f"{sid}-P{p}", "focus_group") for p in range(size)]
        people += [(f"{area[:3].upper()}-INT{i}", f"{area[:3].upper()}-INT{i}-P0", "interview")
                   for i in range(interviews)]
        order = list(range(0, len(people), 2)) + list(range(1, len(people), 2))   # spread over sessions
        raisers = set(order[:k_in if area == area_d else k_out])
        for i, (sid, pid, kind) in enumerate(people):
            for j in range(2):
                seg_id = f"{pid}-{j}"
                seg(seg_id, sid, pid, "participant", area, kind)
                if j == 0 and theme_d and i in raisers:
                    code(seg_id, theme_d)
                if j == 0 and (sid == hot_session or (hot_session and i == 0 and area == AREAS[0])):
                    code(seg_id, "hot_topic")
                if j == 1:
                    for t in NOISE:
                        if rng.random() < p_noise:
                            code(seg_id, t)
            code(f"{pid}-1", "topic_7", source="topic")        # topics never count as themes
    return pd.DataFrame(segs), pd.DataFrame(codes)


@pytest.fixture(scope="module")
def study():
    return make_study(0)


@pytest.fixture(scope="module")
def table(study):
    return compare_groups(*study, groups=AREAS, seed=1)


def _row(table, theme, area):
    return table[(table["theme"] == theme) & (table["region"] == area)].iloc[0]


def test_the_designed_difference_is_the_one_finding(table):
    found = key_findings(table, LABELS)
    assert list(zip(found["theme"], found["region"])) == [("sensitive_records", "Suffolk")]
    rec = found.iloc[0]
    assert rec["share"] == pytest.approx(9 / 15, abs=1e-4) and rec["rest_share"] == pytest.approx(8 / 60, abs=1e-4)
    assert rec["low"] > 0 and rec["low"] <= rec["effect"] <= rec["high"] and rec["p_adjusted"] < 0.05
    assert rec["sentence"].startswith("In Suffolk, 60% of participants raised sensitive records, against 13% "
                                      "elsewhere (difference 47 points, 95% CI ")
    assert "session permutation test, BH-adjusted p = " in rec["sentence"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noise_differences_are_not_reported_whatever_the_draw(seed):
    table = compare_groups(*make_study(seed), groups=AREAS, seed=seed)
    assert list(zip(*[key_findings(table, LABELS)[c] for c in ("theme", "region")])) == [
        ("sensitive_records", "Suffolk")]
    noise = table[table["theme"].isin(NOISE)]
    assert not noise["significant"].any()
    null = compare_groups(*make_study(seed, designed=None), groups=AREAS, seed=seed)
    assert key_findings(null, LABELS).empty


def test_table_counts_people_with_columns_and_bh_across_the_table(table):
    assert list(table.columns[:3]) == ["theme", "region", "participants"]
    assert {"n_group", "share", "rest_participants", "n_rest", "rest_share", "effect", "low", "high", "cohens_h",
            "p_value", "p_adjusted", "significant", "test", "sessions_group", "sessions_rest"} <= set(table.columns)
    assert len(table) == 6 * 5 and "topic_7" not in set(table["theme"])
    rec = _row(table, "sensitive_records", "Suffolk")
    # facilitators raised it in every focus group; they are not counted
    assert (rec["participants"], rec["n_group"], rec["rest_participants"], rec["n_rest"]) == (9, 15, 8, 60)
    assert (rec["sessions_group"], rec["sessions_rest"]) == (7, 28)
    assert (table["p_adjusted"] >= table["p_value"] - 1e-12).all()
    assert (table["significant"] == (table["p_adjusted"] < 0.05)).all()


def test_a_talkative_person_does_not_make_a_difference(study):
    segs, codes = study
    talker = segs[segs["participant_id"] == "ESS-FG0-P1"].iloc[0]
    extra = pd.DataFrame([{**talker.to_dict(), "segment_id": f"talk-{k}"} for k in range(60)])
    more_codes = pd.DataFrame([dict(segment_id=f"talk-{k}", code="x", theme="hot_topic", source="rule",
                                    evidence="cue", score=1.0) for k in range(60)])
    table = compare_groups(pd.concat([segs, extra]), pd.concat([codes, more_codes]), groups=AREAS, seed=1)
    rec = _row(table, "hot_topic", "Essex")
    # 60 sentences, one person: 1 of 15, not 60 of 75 sentences
    assert rec["participants"] == 1 and rec["n_group"] == 15 and not rec["significant"]
    assert key_findings(table, LABELS)["region"].tolist() == ["Suffolk"]


def test_one_lively_focus_group_is_not_an_area_difference():
    table = compare_groups(*make_study(0, hot_session="NOR-FG0"), groups=AREAS, seed=1)
    rec = _row(table, "hot_topic", "Norfolk")
    naive = proportions_ztest([rec["participants"], rec["rest_participants"]], [rec["n_group"], rec["n_rest"]])[1]
    assert rec["share"] == pytest.approx(5 / 15, abs=1e-4) and naive < 0.01      # the unclustered test would call it
    assert rec["p_value"] > 0.05 and "hot_topic" not in set(key_findings(table, LABELS)["theme"])


def test_rows_follow_the_configured_group_order(study):
    order = ["Peterborough", "Essex", "Suffolk", "Norfolk", "Cambridgeshire"]
    table = compare_groups(*study, groups=order, n_boot=50)
    for _, part in table.groupby("theme"):
        assert part["region"].tolist() == order
    # a group in the data but not configured still comes, after the configured ones
    partial = compare_groups(*study, groups=["Suffolk", "Essex"], n_boot=50)
    assert partial[partial["theme"] == "trust"]["region"].tolist() == ["Suffolk", "Essex", "Cambridgeshire",
                                                                        "Norfolk", "Peterborough"]


def test_the_same_seed_gives_the_same_table_and_it_is_fast(study):
    start = time.perf_counter()
    first = compare_groups(*study, groups=AREAS, seed=4)
    assert time.perf_counter() - start < 3
    pd.testing.assert_frame_equal(first, compare_groups(*study, groups=AREAS, seed=4))


def test_few_sessions_are_enumerated_exactly_and_cannot_claim_more_than_they_can():
    segs, codes = make_study(0, focus_groups=(5, 5, 5), interviews=0,
                             designed=("sensitive_records", "Suffolk", 12, 1))
    table = compare_groups(segs, codes, groups=AREAS, seed=1)
    rec = _row(table, "sensitive_records", "Suffolk")
    # 3 of 15 sessions: C(15, 3) = 455 arrangements, all listed; the smallest possible p is 1/455
    assert rec["n_permutations"] == 455 and rec["p_value"] == pytest.approx(1 / 455)
    # and after adjusting across the 30 rows of the table, 80% against 7% cannot be called a finding
    assert rec["p_adjusted"] > 0.05 and key_findings(table, LABELS).empty


def _null_study(rng, n_sessions=4, size=6, themes=("a", "b"), mean=0.3, icc=0.5):
    """No area effect; each session has its own propensity (beta-binomial, intra-session correlation icc)."""
    ab = 1 / icc - 1
    segs, codes = [], []
    for area in AREAS:
        for s in range(n_sessions):
            sid = f"{area}-{s}"
            probs = rng.beta(mean * ab, (1 - mean) * ab, size=len(themes))
            for p in range(size):
                pid = f"{sid}-{p}"
                segs.append((pid, sid, pid, "participant", area, "focus_group"))
                codes += [(pid, t, t, "rule") for t, pr in zip(themes, probs) if rng.random() < pr]
    return (pd.DataFrame(segs, columns=["segment_id", "session_id", "participant_id", "role", "region", "kind"]),
            pd.DataFrame(codes, columns=["segment_id", "code", "theme", "source"]))


def test_false_positive_rate_stays_at_alpha_under_strong_session_correlation():
    """80 studies x 5 areas x 2 themes with no area effect, 4 focus groups of 6 per area, ICC 0.5."""
    rng = np.random.default_rng(20261201)
    ours, naive = [], []
    for k in range(80):
        table = compare_groups(*_null_study(rng), groups=AREAS, n_perm=499, n_boot=0, seed=k)
        ours += (table["p_value"] < 0.05).tolist()
        for r in table.itertuples():
            pooled = 0 < r.participants + r.rest_participants < r.n_group + r.n_rest
            naive.append(pooled and proportions_ztest([r.participants, r.rest_participants],
                                                      [r.n_group, r.n_rest])[1] < 0.05)
    ours_rate, naive_rate = np.mean(ours), np.mean(naive)
    assert ours_rate <= 0.07, ours_rate
    assert naive_rate >= 0.2 and naive_rate > 3 * ours_rate, (naive_rate, ours_rate)


def _hand_table(rows):
    base = dict(participants=10, n_group=20, rest_participants=10, n_rest=80, low=0.1, high=0.5, cohens_h=0.5,
                test="session permutation test", sessions_group=5, sessions_rest=20, n_permutations=9999,
                suppressed=False)
    out = pd.DataFrame([{**base, **r} for r in rows])
    out["effect"] = out["share"] - out["rest_share"]
    out["significant"] = out["p_adjusted"] < 0.05
    return out


def test_sentences_say_p_below_a_thousandth_and_never_p_0_000():
    table = _hand_table([dict(theme="trust", region="Essex", share=0.57, rest_share=0.17, low=0.18, high=0.61,
                              p_value=0.00001, p_adjusted=0.0004)])
    sentence = key_findings(table, LABELS)["sentence"].item()
    assert sentence == ("In Essex, 57% of participants raised trust in who uses the data, against 17% elsewhere "
                        "(difference 40 points, 95% CI 18 to 61; session permutation test, BH-adjusted p < 0.001).")
    assert "0.000" not in sentence
    assert [format_p(p) for p in (0.0004, 0.004, 0.21, 1.0)] == ["p < 0.001", "p = 0.004", "p = 0.21", "p = 1.00"]


def test_only_significant_visible_publishable_rows_are_findings_in_p_order():
    table = _hand_table([
        dict(theme="trust", region="Essex", share=0.16, rest_share=0.162, p_value=0.0001, p_adjusted=0.001),
        dict(theme="consent", region="Norfolk", share=0.16, rest_share=0.16, p_value=0.98, p_adjusted=0.984),
        dict(theme="security", region="Suffolk", share=0.10, rest_share=0.45, p_value=0.001, p_adjusted=0.01),
        dict(theme="access", region="Suffolk", share=0.70, rest_share=0.20, p_value=0.001, p_adjusted=0.01),
        dict(theme="commercial", region="Essex", share=0.40, rest_share=0.20, p_value=0.0001, p_adjusted=0.004),
        dict(theme="hot_topic", region="Essex", share=0.90, rest_share=0.20, p_value=0.0001, p_adjusted=0.004,
             suppressed=True),
    ])
    found = key_findings(table, LABELS)
    assert found["theme"].tolist() == ["commercial", "access", "security"]    # p, then the larger difference
    assert not found["sentence"].str.contains("16%").any()
    assert "against 45% elsewhere (difference -35 points" in found["sentence"].iloc[2]
    assert key_findings(table, LABELS, top=1)["theme"].tolist() == ["commercial"]
    allowed = {("access", "Suffolk"), ("trust", "Essex")}
    assert key_findings(table, LABELS, publishable=allowed)["theme"].tolist() == ["access"]
    mask = table["theme"].eq("security")
    assert key_findings(table, LABELS, publishable=mask)["theme"].tolist() == ["security"]
    assert more_than_elsewhere(table, "Suffolk", LABELS)["theme"].tolist() == ["access"]


def test_when_nothing_survives_the_frame_is_empty_and_the_sentence_says_so():
    table = compare_groups(*make_study(0, designed=None), groups=AREAS, seed=1)
    found = key_findings(table, LABELS)
    assert found.empty and list(found.columns) == ["theme", "label", "region", "share", "rest_share", "effect",
                                                   "low", "high", "p_value", "p_adjusted", "significant", "test",
                                                   "sentence"]
    sentence = no_findings_sentence(table, LABELS, 0.05)
    assert sentence.startswith("No difference between areas survived the Benjamini-Hochberg adjustment at the 5% "
                               "level. The largest difference, exploratory only: in ")
    shown = table[~table["suppressed"]]           # a suppressed cell is never named, even as exploratory
    big = shown.loc[shown["effect"].abs().idxmax()]
    assert f"{big['share']:.0%} of participants raised" in sentence and "BH-adjusted p = " in sentence


def test_more_than_elsewhere_lists_one_areas_higher_themes_or_says_none(table):
    suffolk = more_than_elsewhere(table, "Suffolk", LABELS)
    assert suffolk["theme"].tolist() == ["sensitive_records"] and suffolk["sentence"].str.startswith("In Suffolk").all()
    essex = more_than_elsewhere(table, "Essex", LABELS)
    assert essex.empty
    assert no_findings_sentence(table, LABELS, group="Essex").startswith(
        "No theme was raised more in Essex than elsewhere once the Benjamini-Hochberg adjustment at the 5% level")
    withheld = no_findings_sentence(table, LABELS, publishable=set())
    assert "no difference large enough to describe can be shown" in withheld


def test_opening_sentence_names_the_most_raised_themes_in_plain_words():
    prev = pd.DataFrame({"theme": ["security", "trust", "consent", "access", "hot_topic"], "all": "all",
                         "participants": [34, 51, 41, 10, np.nan], "participants_total": 80,
                         "share": [0.425, 0.6375, 0.5125, 0.125, np.nan],
                         "suppressed": [False, False, False, False, True]})
    assert opening_sentence(prev, LABELS, 80) == (
        "Among the 80 participants, the themes raised most often were trust in who uses the data (64%), "
        "consent and opt-out (51%), and security (42%).")
    assert opening_sentence(prev.iloc[:0], LABELS, 80) == "None of the 80 participants raised a theme often enough to report."


def test_finding_sentence_keeps_acronyms_and_omits_a_missing_interval():
    rec = dict(theme="nhs", region="Norfolk", share=0.5, rest_share=0.2, effect=0.3, low=np.nan, high=np.nan,
               p_adjusted=0.03, test="session permutation test")
    assert finding_sentence(rec, {"nhs": "NHS app"}) == (
        "In Norfolk, 50% of participants raised NHS app, against 20% elsewhere "
        "(difference 30 points; session permutation test, BH-adjusted p = 0.03).")


def test_degenerate_inputs_give_empty_tables_and_a_plain_sentence(study):
    segs, codes = study
    for part in (segs.iloc[:0], segs[segs["region"] == "Essex"]):
        table = compare_groups(part, codes)
        assert table.empty and "p_adjusted" in table and key_findings(table, LABELS).empty
        assert no_findings_sentence(table, LABELS).startswith("No difference between areas could be tested")


def test_session_kinds_can_be_compared_too(study):
    table = compare_groups(*study, by="kind", n_boot=50)
    assert set(table["kind"]) == {"focus_group", "interview"} and table["p_value"].between(0, 1).all()
