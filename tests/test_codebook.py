"""Codebook: validation errors, the default codebook's self-consistency and hand-written cases,
negation, evidence, roles, turn-level pooling. Segments come from a blank English pipeline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engagement.coding.codebook import (
    autocode, check_examples, codebook_table, load_codebook, match_codes, segments_from_texts,
)
from engagement.errors import CodebookError, EngagementError
from engagement.schemas import validate

FIXTURES = Path(__file__).parent / "fixtures"
BOOKS = FIXTURES / "codebooks"
CASES = yaml.safe_load((FIXTURES / "coding_cases.yaml").read_text(encoding="utf-8"))["cases"]
CASE_THRESHOLD = 0.85


@pytest.fixture(scope="module")
def book():
    return load_codebook("default")


@pytest.fixture(scope="module")
def minimal():
    return load_codebook(BOOKS / "minimal.yaml")


def codes_of(book, text: str) -> set[str]:
    return set(autocode(segments_from_texts([text]), book)["code"])


def evidence_of(book, text: str, code: str) -> str:
    got = autocode(segments_from_texts([text]), book)
    return got.loc[got["code"] == code, "evidence"].iloc[0]


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("fixture, line, expected", [
    ("unknown_parent", 25, ["code 'selling_abroad'", "unknown parent 'sales'"]),
    ("duplicate_id", 49, ["duplicate id 'selling'", "first defined at line 11"]),
    ("bad_attribute", 49, ["code 'big_pharma'", "invalid Matcher pattern", "LEMA"]),
    ("bad_regex", 25, ["code 'selling_abroad'", "does not compile"]),
    ("bad_pattern_regex", 49, ["code 'big_pharma'", "REGEX", "does not compile"]),
    ("missing_definition", 36, ["code 'private_info'", "missing definition"]),
    ("one_example", 49, ["code 'big_pharma'", "at least two example quotes"]),
    ("bad_negation", 36, ["code 'private_info'", "negation must be one of", "ambiguous"]),
    ("parent_cycle", 49, ["code 'big_pharma'", "parent cycle"]),
    ("unknown_key", 49, ["code 'big_pharma'", "unknown key(s) ['exmaples']"]),
    ("bad_alternative", 11, ["code 'selling'", "'self-harm' is 3 tokens"]),
])
def test_invalid_codebook_raises_naming_file_line_and_code(fixture, line, expected):
    path = BOOKS / f"{fixture}.yaml"
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: ")
    for part in expected:
        assert part in message
    assert isinstance(err.value, EngagementError) and err.value.line == line


def test_yaml_syntax_error_names_the_line(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("version: 1\nthemes:\n  - id: a\n codes: [\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"broken\.yaml:\d+: not valid YAML"):
        load_codebook(bad)


@pytest.mark.parametrize("content, message", [
    ("- just a list\n", "must be a YAML mapping"),
    ("themes: [{id: a}]\ncodes: [{id: x}]\n", "missing top-level 'version'"),
    ("version: 1\nthemes: []\ncodes: []\n", "non-empty lists"),
])
def test_codebook_top_level_problems(tmp_path, content, message):
    path = tmp_path / "cb.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodebookError, match=message):
        load_codebook(path)


def test_missing_codebook_file_is_a_codebook_error(tmp_path):
    with pytest.raises(CodebookError, match="not found"):
        load_codebook(tmp_path / "nope.yaml")


# ------------------------------------------------------------------ the default codebook

def test_default_codebook_has_a_version_and_codes_under_every_theme(book):
    assert book.version == "1.3.3" and book.name == "health-data-engagement"
    assert len(book.themes()) == 14 and len(book) >= 30
    for theme in book.themes():
        assert book.codes_for_theme(theme), theme
    sensitive = set(book.codes_for_theme("sensitive"))
    assert {"sensitive_mental_health", "sensitive_sexual_health", "sensitive_hiv", "sensitive_abortion",
            "sensitive_fertility", "sensitive_self_harm", "sensitive_alcohol", "sensitive_drugs"} <= sensitive


def test_every_example_quote_is_coded_with_its_own_code(book):
    checked = check_examples(book)
    assert len(checked) >= 2 * len(book)
    failing = checked[~checked["ok"]]
    assert failing.empty, failing[["code", "example", "coded"]].to_string()


def test_hand_written_cases_reach_the_threshold(book):
    seg = segments_from_texts([c["text"] for c in CASES])
    got = autocode(seg, book).groupby("segment_id")["code"].apply(set).to_dict()
    misses = [(c["text"], sorted(c["codes"]), sorted(got.get(sid, set())))
              for sid, c in zip(seg["segment_id"], CASES) if got.get(sid, set()) != set(c["codes"])]
    accuracy = 1 - len(misses) / len(CASES)
    assert len(CASES) >= 40
    assert accuracy >= CASE_THRESHOLD, f"exact-match accuracy {accuracy:.2%}; misses: {misses}"


@pytest.mark.parametrize("text, code", [
    ("They'll flog it to the Americans.", "commercial_selling"),
    ("They'll flog it to the Americans.", "commercial_companies"),
    ("Somebody will make money out of it.", "commercial_selling"),
    ("Big pharma would be first in the queue.", "commercial_companies"),
    ("The insurance companies would love this.", "commercial_companies"),
    ("Who profits from all this?", "commercial_selling"),
    ("It's computer says no all over again.", "accuracy_overreliance"),
    ("Talk about a postcode lottery.", "consistency_areas"),
    ("My records were hacked last year.", "security_breach"),
    ("I'm sick of repeating myself.", "care_retelling"),
])
def test_indirect_and_inflected_mentions_are_coded(book, text, code):
    assert code in codes_of(book, text)


@pytest.mark.parametrize("text, coded", [
    # a staff role with someone seeing or knowing a record, and what they should see or need
    ("Does the lad on the pharmacy counter really need to see my whole history?", True),
    ("Why should the optician get to read about my depression?", True),
    ("The dentist only needs to know what tablets I'm on, nothing more.", True),
    ("I'd rather the girl on the front desk didn't know what I was in for.", True),
    ("My boss asked occupational health for a copy of my notes.", True),
    # a role named in a story with no one seeing a record: not about who should see what
    ("The receptionist at our place is lovely, she always asks after my mum.", False),
    ("I went to the chemist on the way home for some plasters.", False),
    ("My dentist has retired and I can't find another one.", False),
    # an ambulance crew needing to know in an emergency is urgency, not roles
    ("If I'm unconscious the ambulance crew need to know I'm on warfarin.", False),
])
def test_role_based_access_needs_someone_seeing_a_record(book, text, coded):
    assert ("access_roles" in codes_of(book, text)) is coded


@pytest.mark.parametrize("text, coded", [
    ("Nobody ever tells you where your records end up.", True),
    ("Nobody explained that the app shares it with the hospital.", True),
    # nobody telling a family how a patient is, or a care home about new tablets, is continuity of care
    ("Dad was in for a week and nobody told us a thing about how he was doing.", False),
    ("The home kept giving her the old dose because nobody had told them it changed.", False),
    ("Nobody's saying the nurses shouldn't see it.", False),
])
def test_being_kept_in_the_dark_is_about_data(book, text, coded):
    assert ("transparency_informed" in codes_of(book, text)) is coded


def test_drug_companies_are_not_coded_as_drug_use(book):
    got = codes_of(book, "The drug companies will be queuing up.")
    assert "commercial_companies" in got and "sensitive_drugs" not in got


def test_codebook_table_lists_every_code(book):
    table = codebook_table(book)
    assert {"code", "theme", "label", "definition", "theme_label"} <= set(table.columns)
    assert len(table) == len(book) and table["code"].is_unique
    assert (table.set_index("code").loc["sensitive_hiv", "theme"]) == "sensitive"


def test_phrases_for_theme_gives_seed_words(book):
    words = book.phrases_for_theme("commercial")
    assert "pharma" in words and "flog" in words and all("*" not in w for w in words)


# ------------------------------------------------------------------ a researcher's own codebook

def test_minimal_codebook_uses_every_rule_kind(minimal):
    got = autocode(segments_from_texts([
        "They sell everything.",                 # lemmas + requires_any
        "They sell sandwiches.",                 # requires_any not met
        "Sent overseas, I expect.",              # regex
        "Big pharma, again.",                    # raw pattern with optional token
        "That is confidential.",                 # phrase
        "A private company.",                    # phrase vetoed by not_followed_by
    ]), minimal)
    by_seg = got.groupby("segment_id")["code"].apply(set).to_dict()
    assert by_seg == {"S1-T0000-S00": {"selling"}, "S1-T0002-S00": {"selling_abroad"},
                      "S1-T0003-S00": {"big_pharma"}, "S1-T0004-S00": {"private_info"}}


def test_sub_code_inherits_the_theme_of_its_parent_code(minimal):
    assert minimal.codes["selling_abroad"].parent == "selling"
    assert minimal.codes["selling_abroad"].theme == "money"


# ------------------------------------------------------------------ negation

def test_negated_topic_is_kept_and_marked_not(book):
    ev = evidence_of(book, "I'm not worried about research.", "research_development")
    assert ev == "NOT: not worried about research"


def test_negation_remove_drops_the_code(book, minimal):
    assert "sensitive_general" not in codes_of(book, "It isn't private at all.")
    assert "sensitive_general" in codes_of(book, "It is private.")
    assert codes_of(minimal, "That's not confidential.") == set()


@pytest.mark.parametrize("text, negated", [
    ("They never sell it.", True),
    ("They don't sell it, but they do sell our records.", None),  # one negated, one not
    ("Not only do they sell it.", False),                        # pseudo-negation
    ("No, they sell it.", False),                                # comma closes the scope
    ("Nothing at all, they would definitely sell it.", False),
    ("I don't think for one minute that they would sell it.", False),  # outside the window
])
def test_negation_scope(minimal, text, negated):
    ev = autocode(segments_from_texts([text]), minimal)["evidence"].iloc[0]
    if negated is None:
        assert ev == "NOT: n't sell | sell"
    else:
        assert ev.startswith("NOT: ") is negated


# ------------------------------------------------------------------ evidence, roles, levels, inputs

def test_evidence_spans_are_substrings_of_the_segment_text(book):
    seg = segments_from_texts([c["text"] for c in CASES])
    got = autocode(seg, book).merge(seg[["segment_id", "text"]], on="segment_id")
    assert len(got) > len(CASES) * 0.8
    for ev, text in zip(got["evidence"], got["text"]):
        for part in ev.split(" | "):
            assert part.removeprefix("NOT: ") in text


def test_codings_match_the_schema_and_scores_are_in_range(book):
    got = validate(autocode(segments_from_texts([c["text"] for c in CASES]), book), "codings")
    assert got["score"].between(0, 1).all() and (got["source"] == "rule").all()
    assert set(got["theme"]) <= set(book.themes())


def test_more_and_longer_hits_score_higher(book):
    one = autocode(segments_from_texts(["They sell it."]), book)
    two = autocode(segments_from_texts(["They sell it and make money out of it."]), book)
    s1 = one.loc[one["code"] == "commercial_selling", "score"].iloc[0]
    s2 = two.loc[two["code"] == "commercial_selling", "score"].iloc[0]
    assert 0 < s1 < s2 <= 1


def test_facilitator_segments_are_not_coded_by_default(book):
    seg = segments_from_texts(["Would you be worried if they sold it to drug companies?"], role="facilitator")
    assert autocode(seg, book).empty
    assert not autocode(seg, book, include_roles=None).empty


def test_survey_respondents_are_coded(book):
    seg = segments_from_texts(["They will sell it to drug companies"], role="respondent", kind="survey")
    assert "commercial_selling" in set(autocode(seg, book)["code"])


def test_turn_level_pools_the_segments_of_a_turn(book):
    seg = segments_from_texts(["They sell it.", "And then they make money out of it.", "Hackers too."],
                              turn_per_text=False)
    seg_level = autocode(seg, book)
    turn = autocode(seg, book, level="turn")
    assert turn["code"].is_unique
    row = turn.set_index("code").loc["commercial_selling"]
    assert row["segment_id"] == "S1-T0000-S00"
    assert row["evidence"] == "sell | make money"
    assert row["score"] > seg_level.loc[seg_level["code"] == "commercial_selling", "score"].max()
    assert set(turn["code"]) == set(seg_level["code"])


def test_bad_level_is_rejected(book):
    with pytest.raises(ValueError, match="level"):
        autocode(segments_from_texts(["x"]), book, level="sentence")


def test_stored_lemmas_from_a_trained_pipeline_are_used(book):
    seg = segments_from_texts(["The data got sold off."])
    seg["lemmas"] = "the datum get sell off ."          # what en_core_web_sm gives
    assert "commercial_selling" in set(autocode(seg, book)["code"])


def test_segment_whose_tokens_and_lemmas_disagree_is_retokenised(book):
    seg = segments_from_texts(["They will flog our records, no doubt."])
    seg["lemmas"] = "they will flog"                    # truncated: counts disagree
    got = autocode(seg, book)
    assert "commercial_selling" in set(got["code"])
    assert all(p.removeprefix("NOT: ") in seg["text"].iloc[0] for p in got["evidence"].iloc[0].split(" | "))


def test_segments_without_token_columns_are_tokenised(book):
    seg = pd.DataFrame({"segment_id": ["s1"], "role": ["participant"], "text": ["Flog it to the highest bidder."]})
    assert "commercial_selling" in set(autocode(seg, book)["code"])


def test_match_codes_keeps_placeholders_whole(book):
    hits = match_codes(book, "[PERSON_3] said the pharmacist could see everything.")
    assert "access_roles" in hits


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["not", "sell", "the", "data", "[PERSON_1]", ",", "but", "hackers", "n't",
                                 "pharma", "worried", "GP", "private", "  ", "self-harm", "'", "?"]), max_size=14))
def test_autocode_never_fails_and_evidence_is_always_in_the_text(book, words):
    text = " ".join(words)
    got = autocode(segments_from_texts([text]), book)
    for ev in got["evidence"]:
        for part in ev.split(" | "):
            assert part.removeprefix("NOT: ") in text


@pytest.mark.slow
def test_hand_written_cases_with_the_trained_pipeline(book):
    from engagement.ingest.spacy_model import load_spacy

    nlp = load_spacy(exclude=("ner",))
    seg = segments_from_texts([c["text"] for c in CASES])
    toks = [[t for t in doc if not t.is_space] for doc in nlp.pipe(seg["text"])]
    seg["tokens"] = [" ".join(t.text for t in ts) for ts in toks]
    seg["lemmas"] = [" ".join((t.lemma_ or t.text).lower() for t in ts) for ts in toks]
    got = autocode(seg, book).groupby("segment_id")["code"].apply(set).to_dict()
    exact = sum(got.get(sid, set()) == set(c["codes"]) for sid, c in zip(seg["segment_id"], CASES))
    assert exact / len(CASES) >= CASE_THRESHOLD
