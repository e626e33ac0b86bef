"""What is missing, and why: one sentence per gap, None when nothing is missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engagement.analysis import gaps as G


def prev(rows):
    return pd.DataFrame([dict(zip(("theme", "region", "participants", "suppressed"), r)) for r in rows])


@pytest.mark.parametrize("rows, expected", [
    ([("research", "Essex", np.nan, True), ("security", "Essex", np.nan, True)],
     "No cell has 5 or more participants, so nothing is shown (every cell is suppressed)."),
    ([("research", "Essex", 0, False)], "Nobody raised any codebook theme here, so there is nothing to show."),
    ([("research", "Essex", 6, False), ("security", "Essex", np.nan, True)], None),
])
def test_prevalence_gap(rows, expected):
    assert G.prevalence_gap(prev(rows), min_cell=5) == expected


def test_unraised_themes_are_named_but_suppressed_ones_are_not():
    table = prev([("research", "Essex", 6, False), ("security", "Essex", np.nan, True), ("trust", "Essex", 0, False)])
    assert G.unraised_gap(table, {"trust": "Trust"}) == (
        "Nobody raised 1 of the codebook's themes, so they show 0 participants: Trust.")


def test_attribute_gap_for_a_missing_or_empty_column():
    assert "has no age_band column" in G.attribute_gap(pd.DataFrame({"participant_id": ["p"]}), "age_band")
    assert "records no age band for anyone" in G.attribute_gap(
        pd.DataFrame({"participant_id": ["p"], "age_band": [""]}), "age_band")
    assert G.attribute_gap(pd.DataFrame({"participant_id": ["p"], "age_band": ["35-54"]}), "age_band") is None


def test_one_session_gap_names_the_group():
    seg = pd.DataFrame({"segment_id": ["a", "b", "c"], "session_id": ["S1", "S2", "S3"], "participant_id": ["1", "2", "3"],
                        "role": "participant", "kind": "focus_group", "region": ["Essex", "Essex", "Norfolk"]})
    assert G.one_session_gap(seg, "region").startswith("Norfolk has a single session, so its shares have no interval")


def test_cooccurrence_gap_tells_no_pair_from_every_pair_suppressed():
    diag = pd.DataFrame({"theme_a": ["a"], "theme_b": ["a"], "suppressed": [False]})
    assert G.cooccurrence_gap(diag).startswith("No statement raised two themes")
    supp = pd.DataFrame({"theme_a": ["a", "b"], "theme_b": ["b", "a"], "suppressed": [True, True]})
    assert G.cooccurrence_gap(supp, min_cell=3).startswith("No pair of themes was raised together by 3 or more")


def test_topics_gap_gives_the_coding_stage_reason():
    empty = pd.DataFrame({"topic_id": [-1]})
    assert G.topics_gap(empty, {"topics_skipped": "too few"}) == "Topics were not fitted: too few, so there are no topics to show."
    assert "found no topic" in G.topics_gap(empty)
    assert G.topics_gap(pd.DataFrame({"topic_id": [-1, 0]})) is None


def test_show_prints_the_reason_instead_of_the_table(capsys):
    table = pd.DataFrame({"x": [1]})
    assert G.show(table, empty="nothing here", notes=["a note", None]) is None
    assert capsys.readouterr().out == "a note\nnothing here\n"
    assert G.show(table) is table


def test_wide_and_for_display_never_show_nan():
    table = pd.DataFrame({"theme": ["research", "research"], "kind": ["survey", "interview"], "share": [0.5, np.nan],
                          "participants": [6.0, np.nan], "segments": [7.0, np.nan], "sessions": [2.0, np.nan],
                          "participants_total": [12, 3], "ci_low": [0.2, np.nan], "ci_high": [0.7, np.nan],
                          "suppressed": [False, True]})
    wide = G.wide(table, by="kind", values="participants")
    assert wide.loc["research", "interview"] == "suppressed" and wide.loc["research", "survey"] == 6
    shown = G.for_display(table)
    assert "NaN" not in shown.to_string() and shown.loc[0, "participants"] == 6


def test_no_nan_leaves_a_complete_table_alone_and_fills_the_rest():
    full = pd.DataFrame({"share": [0.5, 0.25]})
    assert G.no_nan(full) is full
    holes = pd.DataFrame({"share": [0.5, np.nan], "n": [1, 2]})
    assert list(G.no_nan(holes)["share"]) == [0.5, "suppressed"] and G.no_nan(holes)["n"].dtype == holes["n"].dtype
