"""Disclosure control on a generated Healthwatch-sized study, and the differencing attack it must resist.

The study: 5 areas, each with 3 focus groups of about 5 people and one or two interviews (15-17
participants per area), 14 themes raised at realistic rates (several by 2-4 people per area,
the sensitive theme by few). The attacker sees everything the report publishes and knows the policy.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from engagement.analysis import disclosure
from engagement.analysis.measures import region_vs_rest, theme_prevalence

AREAS = ("Cambridgeshire", "Essex", "Norfolk", "Peterborough", "Suffolk")
# share of participants who raise each theme (the codebook's themes; "sensitive" is rare)
PREVALENCE = {"individual_care": 0.35, "trust": 0.25, "consent": 0.2, "security": 0.18, "research": 0.16,
              "commercial": 0.15, "planning": 0.14, "transparency": 0.13, "access": 0.12, "accuracy": 0.12,
              "consistency": 0.11, "sensitive": 0.12, "oversight": 0.1, "citizen_data": 0.1}
MIN_CELL = 5


def make_study(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments and codings of a synthetic 5-area study (3 focus groups + interviews per area)."""
    rng = np.random.default_rng(seed)
    segs, codes = [], []
    for area in AREAS:
        n_people = int(rng.integers(15, 18))
        n_interviews = int(rng.integers(1, 3))
        sizes = np.full(3, (n_people - n_interviews) // 3)
        sizes[: (n_people - n_interviews) % 3] += 1
        sessions = [(f"{area[:3].upper()}-FG{k}", "focus_group", int(s)) for k, s in enumerate(sizes)]
        sessions += [(f"{area[:3].upper()}-INT{k}", "interview", 1) for k in range(n_interviews)]
        for sid, kind, size in sessions:
            segs.append(dict(segment_id=f"{sid}-F", session_id=sid, participant_id=f"{sid}-F1", role="facilitator",
                             region=area, kind=kind, text="What do you think?", n_words=4))
            for p in range(size):
                pid = f"{sid}-P{p}"
                ids = [f"{pid}-S{j}" for j in range(3)]
                segs.extend(dict(segment_id=i, session_id=sid, participant_id=pid, role="participant", region=area,
                                 kind=kind, text="a sentence", n_words=9) for i in ids)
                for theme, p_raise in PREVALENCE.items():
                    if rng.random() < p_raise:
                        codes.append(dict(segment_id=ids[int(rng.integers(0, 3))], code=f"{theme}_code",
                                          theme=theme, source="rule"))
    return pd.DataFrame(segs), pd.DataFrame(codes)


def publish(segs, codes, *, secondary=True):
    """What the report shows: the theme x area table, the overall column, the allowed comparisons."""
    table = theme_prevalence(segs, codes, by="region", min_cell=MIN_CELL, seed=1, n_boot=200,
                             themes=list(PREVALENCE), secondary=secondary)
    overall = theme_prevalence(segs.assign(all="all"), codes, by="all", min_cell=MIN_CELL, seed=1, n_boot=200,
                               themes=list(PREVALENCE))
    rvr = region_vs_rest(segs, codes, min_cell=MIN_CELL)
    return table, overall, rvr[~rvr["suppressed"]]


def exact_counts(segs, codes):
    return theme_prevalence(segs, codes, by="region", min_cell=1, seed=1, n_boot=10, themes=list(PREVALENCE))


def reader_range(cell, min_cell=MIN_CELL, by="region") -> list[int]:
    """What a reader who knows the policy learns of one published cell: the values it can hold."""
    n_group = int(cell["participants_total"])
    if cell["published_as"] == "value":
        return [int(cell["participants"])]
    if cell["published_as"] == "band":
        low, high = disclosure.band_bounds(cell["band"])
        return list(range(low, min(high, n_group) + 1))
    # suppressed: anything at all in a group smaller than min_cell; else a small count, or, for a
    # sensitive theme by area, one that leaves fewer than min_cell of the group out
    if n_group < min_cell:
        return list(range(0, n_group + 1))
    values = set(range(1, min(min_cell - 1, n_group) + 1))
    if disclosure.is_sensitive(cell["theme"]) and by != "all":
        values |= set(range(max(n_group - min_cell + 1, 1), n_group + 1))
    return sorted(values)


def attack(table, overall, comparisons, by="region"):
    """Every value each protected cell can take, consistent with every published fact.

    Facts: each cell's value or range, each theme's overall count (or its range), that a theme's
    area cells sum to its overall count, and for each published comparison the rest's count,
    share_rest x (N - n_area), which equals overall - area.
    """
    n_all = int(table.drop_duplicates(by)["participants_total"].sum())
    feasible = {}
    for theme, row in table.groupby("theme"):
        total = reader_range(overall[overall["theme"] == theme].iloc[0], by="all")
        rest = {r[by]: round(r["share_rest"] * (n_all - int(row.loc[row[by] == r[by], "participants_total"].iloc[0])))
                for _, r in comparisons[comparisons["theme"] == theme].iterrows()}
        groups = list(row[by])
        ranges = [reader_range(c, by=by) for _, c in row.iterrows()]
        protected = [k for k, (_, c) in enumerate(row.iterrows()) if c["published_as"] != "value"]
        seen = {k: set() for k in protected}
        for values in itertools.product(*ranges):
            t = sum(values)
            if t not in total or any(t - values[groups.index(g)] != n for g, n in rest.items()):
                continue
            for k in protected:
                seen[k].add(values[k])
        feasible.update({(theme, groups[k]): seen[k] for k in protected})
    return feasible


@pytest.fixture(scope="module")
def study():
    return make_study(seed=0)


def test_most_theme_by_area_cells_are_published_and_sensitive_small_cells_are_not(study):
    segs, codes = study
    table, _, _ = publish(segs, codes)
    exact = exact_counts(segs, codes)
    small = (exact["participants"] > 0) & (exact["participants"] < MIN_CELL)
    # the old rule hid every small cell: most of this study
    assert small.mean() > 0.8
    shown = table["published_as"].isin(["value", "band"])
    assert shown.mean() >= 0.8
    sensitive_small = (table["theme"] == "sensitive").to_numpy() & small.to_numpy()
    assert sensitive_small.any() and (table.loc[sensitive_small, "published_as"] == "suppressed").all()
    assert (table.loc[table["published_as"] == "band", "band"].str.len() > 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_no_protected_cell_can_be_worked_out_from_everything_published(seed):
    segs, codes = make_study(seed)
    table, overall, comparisons = publish(segs, codes)
    feasible = attack(table, overall, comparisons)
    assert feasible, "the study should have protected cells"
    exact = exact_counts(segs, codes).set_index(["theme", "region"])["participants"]
    for cell, values in feasible.items():
        assert exact[cell] in values          # the attacker's reading is honest
        assert len(values) >= 2, f"{cell} recovered as {values}"


@pytest.mark.parametrize("secondary", [True, False], ids=["protected", "primary-only"])
def test_the_attack_recovers_a_count_exactly_when_secondary_protection_is_off(secondary):
    segs, codes = make_study(seed=1)
    table, overall, comparisons = publish(segs, codes, secondary=secondary)
    feasible = attack(table, overall, comparisons)
    recovered = {cell: v for cell, v in feasible.items() if len(v) == 1}
    exact = exact_counts(segs, codes).set_index(["theme", "region"])["participants"]
    assert all(exact[cell] in v for cell, v in recovered.items())
    # primary-only: one banded cell beside four values and the overall count gives itself away
    assert bool(recovered) == (not secondary)


def test_a_rest_share_published_beside_a_banded_cell_gives_it_away(study):
    segs, codes = study
    table, overall, _ = publish(segs, codes)
    # the old comparison table published the rest's share whatever the area's count
    people = segs[segs["role"] == "participant"].drop_duplicates("participant_id")
    raised = codes.merge(segs[["segment_id", "participant_id"]], on="segment_id").drop_duplicates(
        ["theme", "participant_id"]).merge(people[["participant_id", "region"]], on="participant_id")
    banded = table[table["published_as"] == "band"].iloc[0]
    theme, area = banded["theme"], banded["region"]
    rest_n = (raised["theme"] == theme) & (raised["region"] != area)
    old = pd.DataFrame([{"theme": theme, "region": area,
                         "share_rest": rest_n.sum() / (people["region"] != area).sum()}])
    assert len(attack(table, overall, old)[(theme, area)]) == 1
    assert len(attack(table, overall, old.iloc[:0])[(theme, area)]) >= 2


def test_comparisons_are_never_allowed_for_a_banded_or_suppressed_area_cell(study):
    segs, codes = study
    table, overall, comparisons = publish(segs, codes)
    allowed = disclosure.comparison_allowed(table, overall, by="region")
    assert not allowed.loc[table["published_as"].to_numpy() != "value", "comparison_allowed"].any()
    shown = set(zip(comparisons["theme"], comparisons["region"]))
    hidden = set(zip(table.loc[table["suppressed"], "theme"], table.loc[table["suppressed"], "region"]))
    assert shown and not shown & hidden


def test_outputs_are_deterministic_and_a_band_is_never_nan(study):
    segs, codes = study
    a, b = publish(segs, codes), publish(segs, codes)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x, y)
    table = a[0]
    assert table["band"].notna().all() and table["published_as"].notna().all()
    assert not table["band"].str.contains("nan").any()
    banded = table[table["published_as"] == "band"]
    assert banded["band"].str.match(r"^(fewer than \d+|\d+ to \d+)$").all()


@pytest.mark.parametrize("seed", range(6))
def test_random_rows_with_awkward_sums_are_always_protected(seed):
    """Rows at the edges of their bands (1s, 4s, 5s, 9s) and small groups; the audit must still hold."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(40):
        n_groups = int(rng.integers(2, 6))
        for g in range(n_groups):
            size = int(rng.choice([3, 15, 16, 17]))
            rows.append({"theme": f"t{t}", "region": f"g{g}", "participants_total": size,
                         "participants": int(min(size, rng.choice([0, 1, 2, 4, 5, 6, 9, 10, 12])))})
    counts = pd.DataFrame(rows)
    totals = counts.groupby("region")["participants_total"].first().sum()
    out = disclosure.protect(counts, by="region", min_cell=MIN_CELL)
    overall = disclosure.protect_overall(
        counts.groupby("theme", as_index=False)["participants"].sum().assign(participants_total=totals),
        [("region", counts)], min_cell=MIN_CELL)
    feasible = attack(out, overall, pd.DataFrame(columns=["theme", "region", "share_rest"]))
    assert all(len(v) >= 2 for v in feasible.values()), {k: v for k, v in feasible.items() if len(v) < 2}


def test_a_hand_worked_row_needs_a_second_band():
    counts = pd.DataFrame({"theme": ["trust"] * 3, "region": ["Essex", "Norfolk", "Suffolk"],
                           "participants": [2, 6, 9], "participants_total": [16, 15, 17]})
    before = counts.copy()
    off = disclosure.protect(counts, by="region", min_cell=5, secondary=False).set_index("region")
    on = disclosure.protect(counts, by="region", min_cell=5).set_index("region")
    pd.testing.assert_frame_equal(counts, before)       # the input is not changed
    # 17 raised it overall, 6 + 9 are shown: Essex = 2
    assert (off.at["Essex", "feasible_low"], off.at["Essex", "feasible_high"]) == (2, 2)
    assert on.at["Norfolk", "band"] == "5 to 9" and on.at["Essex", "feasible_high"] > on.at["Essex", "feasible_low"]
    assert on.at["Suffolk", "published_as"] == "value"


def test_a_small_group_hides_every_cell_even_zeros():
    counts = pd.DataFrame({"theme": ["trust", "consent"], "age_band": ["85+", "85+"], "participants": [1, 0],
                           "participants_total": [1, 1]})
    out = disclosure.protect(counts, by="age_band", min_cell=5)
    assert (out["published_as"] == "suppressed").all() and (out["risk"] == "small group").all()


def test_the_policy_text_names_the_threshold_and_the_guidance():
    text = disclosure.policy_text(10)
    assert "fewer than 10" in text and "1 to 9" in text and "ONS" in text and "ICO" in text


def _near_all_rows(seed: int) -> pd.DataFrame:
    """Sensitive-theme rows where one area's group nearly all raised it (8 of 8, 7 of 9, 12 of 15)."""
    rng = np.random.default_rng(seed)
    sizes = [int(rng.choice([5, 6, 8, 9, 15, 16])) for _ in range(int(rng.integers(3, 6)))]
    rows = []
    for t in range(30):
        hot = int(rng.integers(0, len(sizes)))
        for g, size in enumerate(sizes):
            n = size - int(rng.integers(0, 4)) if g == hot else int(rng.choice([0, 0, 1, 2, 5, 6]))
            rows.append({"theme": f"sensitive_t{t}", "region": f"g{g}", "participants_total": size,
                         "participants": int(min(size, max(n, 0)))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(4))
def test_nearly_everyone_in_a_group_raising_a_sensitive_theme_is_never_published(seed):
    """'8 of 8 in Norfolk raised HIV' says something of each of them; a reader who knows the policy
    and sees every published count can neither pin such a cell nor rule out a small count there."""
    counts = _near_all_rows(seed)
    totals = counts.groupby("region")["participants_total"].first().sum()
    out = disclosure.protect(counts, by="region", min_cell=MIN_CELL)
    overall = disclosure.protect_overall(
        counts.groupby("theme", as_index=False)["participants"].sum().assign(participants_total=totals),
        [("region", counts)], min_cell=MIN_CELL)
    near = (counts["participants"] >= MIN_CELL) & (counts["participants_total"] - counts["participants"] < MIN_CELL)
    assert near.sum() >= 10
    assert (out.loc[near, "published_as"] == "suppressed").all()
    feasible = attack(out, overall, pd.DataFrame(columns=["theme", "region", "share_rest"]))
    assert all(len(v) >= 2 for v in feasible.values()), {k: v for k, v in feasible.items() if len(v) < 2}
    for i in np.flatnonzero(near.to_numpy()):
        cell = (counts.at[i, "theme"], counts.at[i, "region"])
        assert min(feasible[cell]) < MIN_CELL, f"{cell}: a reader can tell nearly all raised it: {feasible[cell]}"


def test_a_sensitive_count_that_leaves_many_out_and_other_themes_stay_published():
    counts = pd.DataFrame({"theme": ["sensitive_hiv"] * 2 + ["trust"] * 2, "region": ["Essex", "Norfolk"] * 2,
                           "participants": [6, 8, 8, 8], "participants_total": [15, 8, 15, 8]})
    out = disclosure.protect(counts, by="region", min_cell=5).set_index(["theme", "region"])["published_as"]
    assert out[("sensitive_hiv", "Norfolk")] == "suppressed"      # 8 of 8
    assert out[("trust", "Norfolk")] == "value"                   # everyone raising trust harms nobody
    assert out[("trust", "Essex")] == "value"
