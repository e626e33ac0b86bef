"""Exemplar quotes on small tables whose most central sentence is known by construction.

Embeddings are 2-D unit vectors at chosen angles, so "most central" (closest to the mean
direction of the cell) can be read off the angles: the cell below averages to about -0.6°.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engagement.analysis.quotes import exemplar_quotes


def unit(degrees: float) -> np.ndarray:
    rad = np.deg2rad(degrees)
    return np.array([np.cos(rad), np.sin(rad)])


# segment -> (session, participant, angle). Ordered by closeness to the centre (about -0.6°):
# P1-S0, P1-S1 (same person), P2-S0 (same session), P4-S0 (other session), P5-S0, then the far ones.
ESSEX = {
    "ESX-FG1-P1-S0": ("ESX-FG1", "ESX-FG1-P1", 0.0),
    "ESX-FG1-P1-S1": ("ESX-FG1", "ESX-FG1-P1", 2.0),
    "ESX-FG1-P2-S0": ("ESX-FG1", "ESX-FG1-P2", -4.0),
    "ESX-FG2-P4-S0": ("ESX-FG2", "ESX-FG2-P4", 8.0),
    "ESX-FG2-P5-S0": ("ESX-FG2", "ESX-FG2-P5", -10.0),
    "ESX-FG1-P3-S0": ("ESX-FG1", "ESX-FG1-P3", 25.0),
    "ESX-FG2-P6-S0": ("ESX-FG2", "ESX-FG2-P6", -25.0),
}


def sentence(segment_id: str) -> str:
    return f"I would not want my records sold on to a drug company, that is my view ({segment_id})."


def build(cells: dict[str, dict[str, tuple[str, str, float]]], *, kind: str = "focus_group",
          theme: str = "commercial"):
    """Segments, codings and embeddings for {region: {segment_id: (session, participant, angle)}}."""
    segs, codes, emb = [], [], {}
    for region, members in cells.items():
        for seg_id, (session, person, angle) in members.items():
            segs.append(dict(segment_id=seg_id, session_id=session, participant_id=person, role="participant",
                             region=region, kind=kind, text=sentence(seg_id), n_words=18))
            codes.append(dict(segment_id=seg_id, code="selling", theme=theme, source="rule"))
            emb[seg_id] = unit(angle)
    return pd.DataFrame(segs), pd.DataFrame(codes), emb


def quotes_for(q: pd.DataFrame, group: str, by: str = "region") -> pd.DataFrame:
    return q[q[by] == group].sort_values("rank")


def test_the_most_central_sentence_is_quoted_first():
    segs, codes, emb = build({"Essex": ESSEX})
    q = quotes_for(exemplar_quotes(segs, codes, emb, per_cell=2, min_cell=5), "Essex")
    assert q.iloc[0]["segment_id"] == "ESX-FG1-P1-S0"
    assert q.iloc[0]["centrality"] == q["centrality"].max()


def test_when_another_sentence_is_central_that_one_is_quoted_first():
    # swap two sentences' positions: now P5's sentence sits at the centre and P1's at the edge
    swapped = {**ESSEX, "ESX-FG1-P1-S0": ("ESX-FG1", "ESX-FG1-P1", -10.0),
               "ESX-FG2-P5-S0": ("ESX-FG2", "ESX-FG2-P5", 0.0)}
    segs, codes, emb = build({"Essex": swapped})
    q = quotes_for(exemplar_quotes(segs, codes, emb, per_cell=1, min_cell=5), "Essex")
    assert q["segment_id"].tolist() == ["ESX-FG2-P5-S0"]


def test_two_quotes_in_a_cell_come_from_different_people_and_different_sessions():
    segs, codes, emb = build({"Essex": ESSEX})
    q = quotes_for(exemplar_quotes(segs, codes, emb, per_cell=2, min_cell=5), "Essex")
    # the 2nd and 3rd most central sentences are the same person / the same session: passed over
    assert q["segment_id"].tolist() == ["ESX-FG1-P1-S0", "ESX-FG2-P4-S0"]
    assert q["participant_id"].nunique() == 2
    assert segs.set_index("segment_id").loc[q["segment_id"], "session_id"].nunique() == 2


def test_a_third_quote_may_share_a_session_but_never_a_person():
    segs, codes, emb = build({"Essex": ESSEX})
    q = quotes_for(exemplar_quotes(segs, codes, emb, per_cell=3, min_cell=5), "Essex")
    # two sessions only: after one quote from each, the next most central *other person* is taken
    assert q["segment_id"].tolist() == ["ESX-FG1-P1-S0", "ESX-FG2-P4-S0", "ESX-FG1-P2-S0"]
    assert q["participant_id"].is_unique


def test_with_one_session_the_quotes_still_come_from_different_people():
    one_session = {k: ("ESX-FG1", p, a) for k, (_, p, a) in ESSEX.items()}
    segs, codes, emb = build({"Essex": one_session})
    q = quotes_for(exemplar_quotes(segs, codes, emb, per_cell=2, min_cell=5), "Essex")
    assert q["segment_id"].tolist() == ["ESX-FG1-P1-S0", "ESX-FG1-P2-S0"]


@pytest.mark.parametrize("min_cell, quoted", [(5, False), (4, True)])
def test_a_cell_with_fewer_than_min_cell_people_gives_no_quotes(min_cell, quoted):
    norfolk = {f"NFK-FG1-P{i}-S0": ("NFK-FG1", f"NFK-FG1-P{i}", 3.0 * i) for i in range(4)}  # 4 people
    segs, codes, emb = build({"Essex": ESSEX, "Norfolk": norfolk})
    q = exemplar_quotes(segs, codes, emb, per_cell=2, min_cell=min_cell)
    assert not quotes_for(q, "Essex").empty  # 6 people: quoted either way
    assert (not quotes_for(q, "Norfolk").empty) == quoted


def test_small_cells_give_no_quotes_in_the_whole_corpus_view_either():
    few = {k: v for k, v in list(ESSEX.items())[:4]}  # three people
    segs, codes, emb = build({"Essex": few})
    assert exemplar_quotes(segs, codes, emb, by="all", min_cell=5).empty
    assert set(exemplar_quotes(segs, codes, emb, by="all", min_cell=3)["all"]) == {"all"}


def test_a_quote_is_the_deidentified_segment_text_attributed_by_pseudonym_region_and_kind_only():
    segs, codes, emb = build({"Essex": ESSEX}, kind="interview")
    segs["text"] = "When [PERSON_1] rang the surgery they said my notes could be sold (" + segs["segment_id"] + ")."
    q = quotes_for(exemplar_quotes(segs, codes, emb, per_cell=2, min_cell=5), "Essex")
    first = q.iloc[0]
    assert first["quote"] == "When [PERSON_1] rang the surgery they said my notes could be sold (ESX-FG1-P1-S0)."
    texts = segs.set_index("segment_id")["text"]
    assert all(q["quote"] == texts.loc[q["segment_id"]].to_numpy())
    assert first["attribution"] == "ESX-FG1-P1, Essex, interview"
    for rec in q.to_dict("records"):
        # pseudonym, region, kind: nothing else (no session id, date or name) in the attribution
        assert rec["attribution"].split(", ") == [rec["participant_id"], "Essex", "interview"]


def test_focus_group_kind_reads_as_words_in_the_attribution():
    segs, codes, emb = build({"Essex": ESSEX})
    q = exemplar_quotes(segs, codes, emb, per_cell=1, min_cell=5)
    assert q.iloc[0]["attribution"] == "ESX-FG1-P1, Essex, focus group"


def test_facilitators_are_never_quoted_even_when_most_central():
    segs, codes, emb = build({"Essex": ESSEX})
    fac = dict(segment_id="ESX-FG1-F-S0", session_id="ESX-FG1", participant_id="ESX-FG1-F", role="facilitator",
               region="Essex", kind="focus_group", text=sentence("facilitator"), n_words=18)
    segs = pd.concat([segs, pd.DataFrame([fac])], ignore_index=True)
    codes = pd.concat([codes, pd.DataFrame([dict(segment_id="ESX-FG1-F-S0", code="selling", theme="commercial",
                                                 source="rule")])], ignore_index=True)
    emb["ESX-FG1-F-S0"] = unit(-0.6)  # dead centre of the cell
    q = exemplar_quotes(segs, codes, emb, per_cell=7, min_cell=5)
    assert "ESX-FG1-F" not in set(q["participant_id"])
    assert sentence("facilitator") not in set(q["quote"])
    assert len(q) == 6  # every participant is quotable; only the facilitator is missing


def test_a_withdrawn_participant_absent_from_segments_can_never_be_quoted():
    segs, codes, emb = build({"Essex": ESSEX})
    # stale codings and a cached embedding still mention the withdrawn person's sentence
    codes = pd.concat([codes, pd.DataFrame([dict(segment_id="ESX-FG1-PW-S0", code="selling", theme="commercial",
                                                 source="rule")])], ignore_index=True)
    emb["ESX-FG1-PW-S0"] = unit(-0.6)
    q = exemplar_quotes(segs, codes, emb, per_cell=10, min_cell=5)
    assert "ESX-FG1-PW-S0" not in set(q["segment_id"])
    assert not q["participant_id"].str.contains("PW").any()
    assert set(q["segment_id"]) <= set(segs["segment_id"])


def test_sentences_too_short_to_stand_alone_are_not_quoted():
    segs, codes, emb = build({"Essex": ESSEX})
    segs.loc[segs["segment_id"] == "ESX-FG1-P1-S0", ["text", "n_words"]] = ["Sold, yes.", 2]
    q = quotes_for(exemplar_quotes(segs, codes, emb, per_cell=1, min_cell=5), "Essex")
    assert q["segment_id"].tolist() == ["ESX-FG1-P1-S1"]


def test_topic_codings_do_not_make_quotes():
    segs, codes, emb = build({"Essex": ESSEX})
    assert exemplar_quotes(segs, codes.assign(source="topic"), emb, min_cell=5).empty
