import pandas as pd
import pytest

from engagement.ingest.clean import clean_text, clean_turns


@pytest.mark.parametrize("raw, text, flags", [
    ("I was worried [crosstalk] about it (laughs).", "I was worried about it.", ["crosstalk", "laughter"]),
    ("[inaudible 00:12:01] the Caldicott guardian", "The Caldicott guardian", ["inaudible"]),
    ("It was [unclear: Caldicott?] who decided.", "It was who decided.", ["unclear"]),
    ("My neighbour [redacted] told me.", "My neighbour told me.", ["redacted"]),
    ("Well [pause] I suppose so [long pause].", "Well I suppose so.", ["pause"]),
    ("[Laughter] Fair enough.", "Fair enough.", ["laughter"]),
])
def test_transcription_marks_become_flags_and_leave_the_text(raw, text, flags):
    assert clean_text(raw) == (text, flags)


def test_bracketed_speech_that_is_not_a_mark_is_kept():
    assert clean_text("I asked (politely) for a copy.")[0] == "I asked (politely) for a copy."


@pytest.mark.parametrize("raw, expected", [
    ("Um, I think so.", "I think so."),
    ("Erm, well, er, maybe.", "Well, maybe."),
    ("I was, like, worried.", "I was worried."),
    ("They just, you know, sell it.", "They just sell it."),
    ("You know, it's fine, you know.", "It's fine."),
])
def test_fillers_are_removed(raw, expected):
    assert clean_text(raw)[0] == expected


@pytest.mark.parametrize("keep", [
    "I know you know my data.",
    "I'd like to see my record.",
    "You know what, they should ask.",
    "They watch it like a hawk.",
    "I like the idea of research.",
    "Do you know who sees it?",
])
def test_real_uses_of_like_and_you_know_are_never_removed(keep):
    assert clean_text(keep)[0] == keep


def test_filler_removal_can_be_switched_off():
    assert clean_text("Um, I was, like, worried.", fillers=False)[0] == "Um, I was, like, worried."


def test_unicode_quotes_dashes_and_spaces_are_normalised():
    text, _ = clean_text("It\u2019s \u201cfine\u201d\u00a0\u2014 really\u200b")
    assert text == 'It\'s "fine" - really'


def test_decomposed_unicode_is_composed():
    assert clean_text("Zoe\u0308 said so")[0] == "Zo\u00eb said so"


def test_paragraphs_are_kept_and_whitespace_tidied():
    assert clean_text("First  para.\n\n\n  Second\tpara. ")[0] == "First para.\nSecond para."


def test_clean_turns_keeps_empty_backchannel_rows_and_merges_flags():
    turns = pd.DataFrame({"text": ["Mm.", "[crosstalk] Yes (laughs)"], "flags": ["", "timestamp"]})
    out = clean_turns(turns)
    assert out["text"].tolist() == ["", "Yes"]
    assert out["flags"].tolist() == ["", "crosstalk;laughter;timestamp"]
    assert out["n_words"].tolist() == [0, 1]
    assert turns["text"].tolist() == ["Mm.", "[crosstalk] Yes (laughs)"], "input must not be mutated"


@pytest.mark.parametrize("answer", ["N/A", "n/a", "Nothing.", "nothing else", "Did not answer", "-", "no", "Don't know", "..."])
def test_survey_non_answers_are_emptied_and_flagged(answer):
    turns = pd.DataFrame({"text": [answer], "kind": ["survey"]})
    out = clean_turns(turns)
    assert out["text"].item() == "" and "non_answer" in out["flags"].item()


@pytest.mark.parametrize("answer", ["No, I don't want it sold", "Nothing about my mental health should be shared"])
def test_real_answers_starting_like_non_answers_are_kept(answer):
    assert clean_turns(pd.DataFrame({"text": [answer], "kind": ["survey"]}))["text"].item() == answer


def test_a_transcript_turn_saying_no_is_not_a_non_answer():
    assert clean_turns(pd.DataFrame({"text": ["No."], "kind": ["interview"]}))["text"].item() == "No."
