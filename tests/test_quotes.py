"""Exemplar quotes on small tables whose most central sentence is known by construction.

Embeddings are 2-D unit vectors at chosen angles, so "most central" (closest to the mean
direction of the cell) can be read off the angles: the cell below averages to about -0.6°.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engagement.analysis import quotes
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


# ---------------------------------------------------------------------------------------------
# Whole statements, context from the speaker's own turn, stance, and per-area selection.
#
# A small focus-group corpus: three areas, two sessions each, three participants per session,
# one turn per participant (facilitator turns in between). Each participant's turn says one
# sentence per theme, in the same order, so a sentence's neighbours are known by construction.
# ---------------------------------------------------------------------------------------------

from engagement.analysis.quotes import (  # noqa: E402
    area_quotes, is_statement, quote_text, stance_quotes)
from engagement.errors import ParameterError  # noqa: E402

AREAS = {"Essex": "ESX", "Norfolk": "NFK", "Suffolk": "SFK"}
THEMES = ("trust", "commercial", "security", "planning")
SUPPORT = "I trust my own GP with my records because they have always been careful with them"
CONCERN = "I don't trust either, if I'm honest, not the hospital and not the companies they deal with"
SAYS = {
    "commercial": "I would not want my records sold on to a drug company for them to profit from",
    "security": "If somebody can get into the system and take everything then that is a real worry",
    "planning": "The managers need the numbers to plan the nurses and the clinics for our area",
}


def corpus(extra_turns: dict[str, list[tuple[str, str | None, str]]] | None = None):
    """segments, codings, stance, embeddings.

    Participants P1-P3 (session FG1) support on trust, P4-P6 (FG2) are concerned. ``extra_turns``
    maps a participant to extra sentences (text, theme or None, stance) appended to their turn.
    """
    segs, codes, stances, emb = [], [], [], {}
    n = 0
    for region, code in AREAS.items():
        for fg, people in (("FG1", (1, 2, 3)), ("FG2", (4, 5, 6))):
            session = f"{code}-{fg}"
            for t, p in enumerate(people):
                person = f"{session}-P{p}"
                trust = (SUPPORT, "support") if p <= 3 else (CONCERN, "concern")
                said = [(trust[0], "trust", trust[1])] + [(SAYS[th], th, "neutral") for th in THEMES[1:]]
                said += (extra_turns or {}).get(person, [])
                turn_index, start = 2 * t + 1, 0  # even turns are the facilitator's
                fac_id = f"{session}-T{2 * t:04d}-S00"
                segs.append(dict(segment_id=fac_id, session_id=session, turn_index=2 * t,
                                 participant_id=f"{session}-F", role="facilitator", region=region,
                                 kind="focus_group", text="The facilitator thanks everyone and asks what they think.",
                                 start_char=0))
                for k, (text, theme, stance) in enumerate(said):
                    seg_id = f"{session}-T{turn_index:04d}-S{k:02d}"
                    text = f"{text} ({seg_id})." if not text.endswith(("?", ".", "-")) else text
                    segs.append(dict(segment_id=seg_id, session_id=session, turn_index=turn_index,
                                     participant_id=person, role="participant", region=region, kind="focus_group",
                                     text=text, start_char=start))
                    start += len(text) + 1
                    if theme:
                        codes.append(dict(segment_id=seg_id, code=theme, theme=theme, source="rule"))
                    stances.append(dict(segment_id=seg_id, stance=stance, score=1.0, cues=""))
                    n += 1
                    emb[seg_id] = unit((n * 37) % 60 - 30)
    segs = pd.DataFrame(segs)
    segs["n_words"] = segs["text"].str.split().str.len()
    return segs, pd.DataFrame(codes), pd.DataFrame(stances), emb


def prevalence(overrides: dict[tuple[str, str], dict] | None = None) -> pd.DataFrame:
    """Every area raised every theme; (theme, area) -> column overrides. Most raised: trust, then in THEMES order."""
    rows = []
    for region in AREAS:
        for i, theme in enumerate(THEMES):
            rows.append({**dict(theme=theme, region=region, participants=9 - i, participants_total=10,
                                share=(9 - i) / 10, suppressed=False, published_as="value"),
                         **(overrides or {}).get((theme, region), {})})
    return pd.DataFrame(rows)


def comparison(effects: dict[tuple[str, str], tuple[float, bool]]) -> pd.DataFrame:
    """(theme, area) -> (effect, significant); every other cell a small negative difference."""
    rows = []
    for region in AREAS:
        for theme in THEMES:
            effect, sig = effects.get((theme, region), (-0.05, False))
            rows.append(dict(theme=theme, region=region, effect=effect, p_adjusted=0.01 if sig else 0.6,
                             significant=sig, suppressed=False))
    return pd.DataFrame(rows)


DISTINCT = {("commercial", "Essex"): (0.3, True), ("security", "Norfolk"): (0.25, True),
            ("planning", "Suffolk"): (0.2, True)}


def test_each_area_is_illustrated_by_the_themes_it_stands_out_on():
    segs, codes, stance, emb = corpus()
    q = area_quotes(segs, codes, emb, prevalence=prevalence(), comparison=comparison(DISTINCT), stance=stance,
                    themes_per_area=1)
    first = q.set_index("region")["theme"].to_dict()
    assert first == {"Essex": "commercial", "Norfolk": "security", "Suffolk": "planning"}
    assert set(q["reason"]) == {"distinctive"}
    assert q.groupby("region")["segment_id"].apply(frozenset).nunique() == 3  # no two areas share quotes


def test_significant_differences_come_first_then_the_largest_effect_then_the_most_raised():
    segs, codes, stance, emb = corpus()
    effects = {("security", "Essex"): (0.4, False), ("planning", "Essex"): (0.1, True)}
    q = area_quotes(segs, codes, emb, prevalence=prevalence(), comparison=comparison(effects), themes_per_area=3)
    essex = q[q["region"] == "Essex"].sort_values("theme_rank")
    assert essex[["theme", "reason"]].values.tolist() == [
        ["planning", "distinctive"], ["security", "distinctive"], ["trust", "most raised"]]
    # without distinctive themes an area shows what most of its people raised, never the first code ids
    norfolk = q[q["region"] == "Norfolk"].sort_values("theme_rank")
    assert norfolk["reason"].eq("most raised").all()
    assert norfolk["theme"].iloc[0] == "trust"


def test_without_a_comparison_the_most_raised_themes_are_shown():
    segs, codes, stance, emb = corpus()
    prev = prevalence({("planning", "Essex"): dict(participants=10), ("trust", "Essex"): dict(participants=5)})
    q = area_quotes(segs, codes, emb, prevalence=prev, themes_per_area=2)
    assert q[q["region"] == "Essex"].sort_values("theme_rank")["theme"].tolist() == ["planning", "commercial"]


@pytest.mark.parametrize("hidden", [dict(published_as="band"), dict(published_as="suppressed"),
                                    dict(suppressed=True), dict(participants=np.nan, published_as="suppressed"),
                                    "absent"])
def test_a_theme_whose_area_cell_is_protected_is_never_quoted_there(hidden):
    segs, codes, stance, emb = corpus()
    if hidden == "absent":
        prev = prevalence()
        prev = prev[~((prev["theme"] == "commercial") & (prev["region"] == "Essex"))]
    else:
        prev = prevalence({("commercial", "Essex"): hidden})
    q = area_quotes(segs, codes, emb, prevalence=prev, comparison=comparison(DISTINCT), themes_per_area=4,
                    per_theme=6)
    essex = q[q["region"] == "Essex"]
    assert "commercial" not in set(essex["theme"])  # not even as a "most raised" theme
    assert not essex["segment_id"].isin(codes.loc[codes["theme"] == "commercial", "segment_id"]).any()
    assert set(essex["theme"]) == {"trust", "security", "planning"}
    assert "commercial" in set(q.loc[q["region"] == "Norfolk", "theme"])  # published there: still quoted


def test_an_area_cell_with_too_few_people_gives_no_quotes_whatever_the_tables_say():
    segs, codes, stance, emb = corpus()
    few = segs["segment_id"].str.startswith("ESX-") & segs["participant_id"].str.match(r".*-P[1-3]$")
    codes = codes[~(codes["segment_id"].isin(segs.loc[few, "segment_id"]) & (codes["theme"] == "commercial"))]
    q = area_quotes(segs, codes, emb, prevalence=prevalence(), comparison=comparison(DISTINCT), min_cell=5)
    assert "commercial" not in set(q.loc[q["region"] == "Essex", "theme"])


def test_within_an_area_other_people_are_quoted_for_other_themes():
    segs, codes, stance, emb = corpus()
    q = area_quotes(segs, codes, emb, prevalence=prevalence(), themes_per_area=4, per_theme=1)
    for _, area in q.groupby("region"):
        assert area["participant_id"].is_unique
        assert area["segment_id"].is_unique


def test_area_quotes_have_the_columns_a_report_reads():
    segs, codes, stance, emb = corpus()
    q = area_quotes(segs, codes, emb, prevalence=prevalence(), comparison=comparison(DISTINCT), stance=stance)
    for col in ("region", "theme", "reason", "rank", "segment_id", "quote", "context_before", "context_after",
                "participant_id", "kind", "attribution", "stance", "centrality", "display"):
        assert col in q.columns
    empty = area_quotes(segs, codes, emb, prevalence=prevalence().iloc[0:0])
    assert empty.empty and list(empty.columns) == list(q.columns)


def test_a_support_quote_has_support_in_the_stance_table_and_never_a_concern_sentence():
    # P1 also says a concern sentence right before a support sentence, in the same turn
    extra = {"ESX-FG1-P1": [(CONCERN, "trust", "concern"),
                            ("Mind you I do trust the practice nurse who has known me for years", "trust", "support")]}
    segs, codes, stance, emb = corpus(extra)
    codes = codes[codes["segment_id"] != "ESX-FG1-T0001-S00"]  # P1's usual support sentence: not coded here
    q = stance_quotes(segs, codes, emb, stance, theme="trust", stance_label="support", per_cell=10, min_cell=5)
    assert not q.empty and set(q["theme"]) == {"trust"}
    stances = stance.set_index("segment_id")["stance"]
    assert (stances.loc[q["segment_id"]] == "support").all()
    assert (q["stance"] == "support").all()
    for text in q["display"]:
        assert "I don't trust either" not in text
    nurse = q[q["quote"].str.startswith("Mind you")]
    assert len(nurse) == 1 and nurse.iloc[0]["context_before"] == ""  # its concern neighbour is left out


def test_exemplar_quotes_takes_a_stance_filter_too():
    segs, codes, stance, emb = corpus()
    q = exemplar_quotes(segs, codes, emb, per_cell=10, stance=stance, stance_label="concern")
    trust = q[q["theme"] == "trust"]
    assert set(trust["participant_id"].str[-2:]) == {"P4", "P5", "P6"}
    assert q["stance"].eq("concern").all()
    # other themes have no concern sentence: no quote rather than a neutral one under a concern label
    assert set(q["theme"]) == {"trust"}


@pytest.mark.parametrize("kwargs", [dict(stance_label="worried"), dict(stance_label="support", stance=None)])
def test_a_stance_filter_needs_a_known_stance_and_the_stance_table(kwargs):
    segs, codes, stance, emb = corpus()
    with pytest.raises(ParameterError, match="stance"):
        exemplar_quotes(segs, codes, emb, **{"stance": stance, **kwargs})


NOT_QUOTES = [
    "Can I just say something about the planning of the new clinics here?",
    "Can I come in here, because I have something about the records to say.",
    "Sorry, go on, I was going to say something about the hospital records.",
    "I was going to say that but you have already said it about the data.",
    "Do you think the hospital shares the records with the council as well?",
    "Sorry, can you hear me all right, the signal on this phone is terrible today?",
    "That's a good point and I had not thought about it like that before.",
    "[PERSON_1] told [PERSON_2] and [PERSON_3] at [LOCATION_1] about [PERSON_4] and it.",
    "Yes.",
    "I didn't mean that the records themselves should be, well, I mean -",
]
STATEMENTS = [
    "I would not want my records sold on to a drug company for profit.",
    "And if it's all joined up and one thing's wrong, then it's wrong everywhere, isn't it?",
    "Why should the receptionist see what the doctor sees about my mental health?",
    "I remember thinking, where does all this actually go once I press send?",
    "When [PERSON_1] rang the surgery they said my notes could be sold on.",
]


@pytest.mark.parametrize("text", NOT_QUOTES)
def test_questions_meta_talk_fragments_and_placeholders_are_not_statements(text):
    assert not is_statement(text)


@pytest.mark.parametrize("text", STATEMENTS)
def test_claims_including_tag_and_rhetorical_questions_are_statements(text):
    assert is_statement(text)


def test_questions_and_meta_talk_are_never_quoted_even_when_coded_and_central():
    extra = {f"{code}-FG1-P{p}": [(text, "planning", "neutral") for text in NOT_QUOTES]
             for code in AREAS.values() for p in (1, 2)}
    segs, codes, stance, emb = corpus(extra)
    for seg_id in codes.loc[codes["segment_id"].isin(segs.loc[segs["text"].isin(NOT_QUOTES), "segment_id"]),
                            "segment_id"]:
        emb[seg_id] = unit(0.0)  # pulled to the centre of the cell
    q = exemplar_quotes(segs, codes, emb, per_cell=20)
    assert not q["quote"].isin(NOT_QUOTES).any()
    a = area_quotes(segs, codes, emb, prevalence=prevalence(), themes_per_area=4, per_theme=6)
    assert not a["quote"].isin(NOT_QUOTES).any()


def test_context_is_one_sentence_either_side_from_the_same_turn_only():
    segs, codes, stance, emb = corpus()
    q = exemplar_quotes(segs, codes, emb, per_cell=10, min_cell=5)
    text = segs.set_index("segment_id")["text"]
    for rec in q.to_dict("records"):
        seg_id = rec["segment_id"]
        k = int(seg_id[-2:])
        before = f"{seg_id[:-2]}{k - 1:02d}"
        after = f"{seg_id[:-2]}{k + 1:02d}"
        # first sentence of a turn: the facilitator spoke before, and that is never context
        assert rec["context_before"] == (text[before] if k > 0 else "")
        assert rec["context_after"] == (text[after] if after in text.index else "")
        assert "facilitator" not in rec["display"]
    firsts = q[q["segment_id"].str.endswith("S00")]
    lasts = q[q["segment_id"].str.endswith("S03")]
    assert not firsts.empty and firsts["context_before"].eq("").all()
    assert not lasts.empty and lasts["context_after"].eq("").all()  # the next turn is someone else's


def test_context_never_crosses_into_another_speaker_even_in_a_shared_turn_number():
    segs, codes, stance, emb = corpus()
    # a malformed export: a second speaker numbered into the same turn as P1
    intruder = dict(segment_id="ESX-FG1-T0001-S09", session_id="ESX-FG1", turn_index=1,
                    participant_id="ESX-FG1-P2", role="participant", region="Essex", kind="focus_group",
                    text="Somebody else entirely says this sentence about their own records.", start_char=1000,
                    n_words=10)
    segs = pd.concat([segs, pd.DataFrame([intruder])], ignore_index=True)
    q = exemplar_quotes(segs, codes, emb, per_cell=10)
    assert not q["display"].str.contains("Somebody else entirely").any()


def test_display_is_the_whole_passage_and_never_cut():
    segs, codes, stance, emb = corpus()
    long = ("I would be happy for them to use it for research into diabetes and heart disease and cancer and "
            "all the rest of it as long as it stays inside the NHS and nobody sells it on to an insurance "
            "company or a drug firm that then charges us for the medicine we helped them make")
    segs.loc[segs["segment_id"] == "ESX-FG1-T0001-S01", "text"] = long
    segs["n_words"] = segs["text"].str.split().str.len()
    q = exemplar_quotes(segs, codes, emb, per_cell=10)
    rec = q[q["segment_id"] == "ESX-FG1-T0001-S01"].iloc[0]
    assert rec["quote"] == long
    assert rec["display"] == f"{rec['context_before']} {long} {rec['context_after']}"
    assert rec["display"] == quote_text(rec)
    assert all(quote_text(r).count(r["quote"]) == 1 for r in q.to_dict("records"))


def test_quotes_are_the_same_whatever_the_order_of_the_input_rows():
    segs, codes, stance, emb = corpus()
    kwargs = dict(prevalence=prevalence(), comparison=comparison(DISTINCT), stance=stance, per_theme=2)
    first = area_quotes(segs, codes, emb, **kwargs)
    again = area_quotes(segs.sample(frac=1, random_state=3), codes.sample(frac=1, random_state=4), emb,
                        **{**kwargs, "stance": stance.sample(frac=1, random_state=5)})
    pd.testing.assert_frame_equal(first.reset_index(drop=True), again.reset_index(drop=True))
    pd.testing.assert_frame_equal(exemplar_quotes(segs, codes, emb), exemplar_quotes(segs[::-1], codes[::-1], emb))


def test_the_report_embeds_what_people_said_and_never_a_facilitators_question(monkeypatch, tmp_path):
    """Quotes come only from participants and respondents; a facilitator's sentence is not embedded
    (on a big study the report embedded every facilitator question cold)."""
    from engagement.analysis import loader
    from engagement.coding import embeddings as E
    from engagement.config import load_config

    (tmp_path / "engagement.yaml").write_text("project: q\n")
    cfg = load_config(tmp_path / "engagement.yaml")
    seen: list[str] = []

    def fake_embed(texts, backend, *, cache_dir=None, seed=0):
        seen.extend(texts)
        return np.ones((len(texts), 2)) / np.sqrt(2)

    monkeypatch.setattr(E, "embed", fake_embed)
    segs = pd.DataFrame({"segment_id": ["S1", "S2", "S3", "S4"],
                         "role": ["facilitator", "participant", "respondent", "participant"],
                         "text": ["What would worry you about sharing it?", "I'd worry about the insurers.",
                                  "Only if it's anonymised first.", "Yes."],
                         "n_words": [7, 5, 5, 1]})
    got = loader.segment_embeddings(segs, cfg)
    assert set(got) == {"S2", "S3"}
    assert "What would worry you about sharing it?" not in seen


SINGLED_OUT = "Being the only Sami interpreter at the fish factory, everyone would know it was me talking"


def test_a_sentence_that_singles_its_speaker_out_is_never_quoted_nor_shown_as_context():
    """'The only X at Y' names nobody, so de-identification keeps it; the report must not print it."""
    segs, codes, emb = build({"Essex": ESSEX})
    segs.loc[segs["segment_id"] == "ESX-FG1-P1-S0", "text"] = (
        "I'm the only night porter at the cottage hospital, so they'd know my records from anyone's.")
    q = quotes_for(exemplar_quotes(segs, codes, emb, per_cell=7, min_cell=5), "Essex")
    assert not q.empty and "ESX-FG1-P1-S0" not in set(q["segment_id"])
    extra = {"ESX-FG1-P1": [(SINGLED_OUT, "trust", "support"),
                            ("Mind you I do trust the practice nurse who has known me for years", "trust", "support")]}
    segs, codes, stance, emb = corpus(extra)
    q = stance_quotes(segs, codes, emb, stance, theme="trust", stance_label="support", per_cell=10, min_cell=5)
    assert not q.empty and not q["display"].str.contains("Sami interpreter").any()


@pytest.mark.parametrize("text", [
    "Since I'm the deputy head at Hethersett Juniors, the parents would all know it was me.",
    "My sister's the parish clerk for Great Snoring, so she hears who's been to the clinic.",
    "We ran the chip shop on the front at Walton for twenty years, everyone knows our faces.",
    "As the district nurse for the Fakenham villages I carry half of them in my head.",
    "i used to be the postmistress in Little Cressingham and trust me people talk",
])
def test_a_role_a_place_has_one_of_singles_its_holder_out(text):
    assert quotes.singles_out(text)


@pytest.mark.parametrize("text", [
    "The pharmacist at Boots in Diss could see my whole history on the screen.",
    "As the consultant at the Norfolk and Norwich said to me, it's all joined up now.",
    "I'm the one at home who keeps track of Mum's tablets.",
    "We run the risk of people not coming forward at all.",
])
def test_talking_about_a_role_or_a_place_does_not(text):
    assert not quotes.singles_out(text)


def test_a_speaker_who_names_their_one_per_place_role_is_never_quoted():
    extra = {"ESX-FG1-P1": [("I'm the practice manager at Brightlingsea Surgery, so I know exactly who opens what",
                             "trust", "support"),
                            ("Mind you I do trust the practice nurse who has known me for years", "trust", "support")]}
    segs, codes, stance, emb = corpus(extra)
    q = stance_quotes(segs, codes, emb, stance, theme="trust", stance_label="support", per_cell=10, min_cell=5)
    assert not q.empty and not q["display"].str.contains("Brightlingsea").any()


@pytest.mark.parametrize("text", [
    "Honestly I'm the only Tamil interpreter they've got on the rota at the hospital, so they all know me.",
    "We're the last house before you get to the ford, the one with the red door.",
])
def test_a_sentence_naming_the_only_one_of_a_kind_is_never_quoted(text):
    assert quotes.singles_out(text)


def test_idioms_with_last_are_not_singling_out():
    assert not quotes.singles_out("That was the last straw for me, so I opted out.")


def test_the_last_few_years_is_no_one_of_a_kind():
    assert not quotes.singles_out("I've spent the last five years looking after her, so I've seen her records.")
