"""Stance: domain cues, negation, conditions, mixed; the cues column; the hand-written cases."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engagement.coding.codebook import autocode, load_codebook, segments_from_texts
from engagement.schemas import STANCES, validate
from engagement.coding.stance import classify_stance, decide

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "coding_cases.yaml").read_text(encoding="utf-8"))["cases"]
CASE_THRESHOLD = 0.85


def stance_of(text: str, **kw) -> str:
    return classify_stance(segments_from_texts([text]), **kw)["stance"].iloc[0]


@pytest.mark.parametrize("text, expected", [
    # concern, including domain words VADER does not know
    ("I'm worried about who gets hold of it.", "concern"),
    ("I don't trust them with it.", "concern"),
    ("It'll all be sold off eventually.", "concern"),
    ("What if it gets hacked?", "concern"),
    ("It's a risk, plain and simple.", "concern"),
    ("Scares me to death, honestly.", "concern"),
    ("My sexual health is nobody's business.", "concern"),
    ("No way would I let the insurers see it.", "concern"),
    # support
    ("That's fine by me.", "support"),
    ("I'm happy to share it.", "support"),
    ("It makes sense to join it all up.", "support"),
    ("Of course they should have it.", "support"),
    ("It would help the next generation.", "support"),
    ("Records should be shared between the GP and the hospital.", "support"),
    ("Brilliant idea.", "support"),
    # negation
    ("I'm not worried about research.", "support"),
    ("I wouldn't mind at all.", "support"),
    ("Nothing wrong with that.", "support"),
    ("I'm not happy about it.", "concern"),
    ("They don't sell it, as far as I know.", "neutral"),
    # conditional support
    ("Yes, as long as it's anonymised.", "conditional_support"),
    ("Provided they ask me first.", "conditional_support"),
    ("Only if it stays in the NHS.", "conditional_support"),
    ("So long as nobody can trace it back to me.", "conditional_support"),
    ("On condition that it's kept secure.", "conditional_support"),
    ("Fine if it's anonymised.", "conditional_support"),
    ("I don't mind if they take my name off.", "conditional_support"),
    ("Yes, but only for my care.", "conditional_support"),
    # mixed and neutral
    ("Research is brilliant, but I'm worried about the drug companies.", "mixed"),
    ("I trust my GP but I don't trust the government.", "mixed"),
    ("We talked about it last week.", "neutral"),
    ("My GP is in Ely.", "neutral"),
    ("As far as I'm concerned it's just numbers.", "neutral"),
])
def test_stance_of_single_sentences(text, expected):
    assert stance_of(text) == expected


def test_hand_written_cases_reach_the_threshold():
    seg = segments_from_texts([c["text"] for c in CASES])
    # the fixture's stance labels are what the cues alone should hear; code leanings are tested below
    got = classify_stance(seg, autocode(seg, load_codebook("default")), leanings=False)
    misses = [(c["text"], c["stance"], s, cues) for c, s, cues in zip(CASES, got["stance"], got["cues"])
              if s != c["stance"]]
    accuracy = 1 - len(misses) / len(CASES)
    assert accuracy >= CASE_THRESHOLD, f"stance accuracy {accuracy:.2%}; misses: {misses}"


def test_cues_name_what_decided_and_the_negated_topic():
    seg = segments_from_texts(["I'm not worried about research, but hackers scare me."])
    book = load_codebook("default")
    row = classify_stance(seg, autocode(seg, book)).iloc[0]
    assert row["stance"] == "concern"
    assert "negated: not worried about research -> support" in row["cues"]
    assert "concern: hackers" in row["cues"] and "concern: scare" in row["cues"]


def test_cancelled_event_cue_is_listed_but_does_not_count():
    row = classify_stance(segments_from_texts(["They never sell it."])).iloc[0]
    assert row["stance"] == "neutral" and "negated: never sell -> cancelled" in row["cues"]


def test_vader_is_one_weak_signal_and_never_decides_alone():
    row = classify_stance(segments_from_texts(["What a lovely, wonderful, amazing day it was."])).iloc[0]
    assert "vader: +" in row["cues"]
    assert decide([("support", 0.4, "vader: +0.99")]) == ("neutral", 0.0)


def test_domain_words_do_not_move_vader():
    row = classify_stance(segments_from_texts(["Social care and cancer care share the same records."])).iloc[0]
    assert row["stance"] == "neutral" and "vader" not in row["cues"]


def test_stance_table_matches_the_schema_and_scores_are_in_range():
    seg = segments_from_texts([c["text"] for c in CASES])
    got = validate(classify_stance(seg), "stance")
    assert set(got["stance"]) <= set(STANCES) and len(got) == len(seg)
    assert got["score"].between(0, 1).all()
    assert (got.loc[got["stance"] == "neutral", "score"] == 0).all()
    assert (got.loc[got["stance"] != "neutral", "cues"] != "").all()


def test_facilitator_segments_are_left_out_by_default():
    seg = segments_from_texts(["Would that worry you?"], role="facilitator")
    assert classify_stance(seg).empty
    assert len(classify_stance(seg, include_roles=None)) == 1


def test_trained_pipeline_lemma_errors_do_not_hide_cues():
    seg = segments_from_texts(["I'd be scared, provided nothing changes."])
    seg["lemmas"] = "i would be scar , provide nothing change ."   # what en_core_web_sm gives
    assert classify_stance(seg)["stance"].iloc[0] == "conditional_support"


@pytest.mark.parametrize("text, expected", [
    ("People are lovely, but they talk.", "neutral"),          # praise of people, then a clause with no cue
    ("They were very good, I'll give them that.", "neutral"),  # praise that is not about data
    ("Brilliant idea, share the records.", "support"),
    ("Research is brilliant, but I'm worried about the drug companies.", "mixed"),
])
def test_generic_praise_decides_only_about_data(text, expected):
    assert stance_of(text) == expected


def test_a_neutral_segment_takes_the_leaning_of_its_codes():
    book = load_codebook("default")
    texts = ["I've lost count of how many times I've told them about my heart.",   # retelling: implicit support
             "My records still say I smoke and I gave up ten years ago.",           # an error: concern
             "There should be a log of everyone who has opened my file.",           # a safeguard: a condition
             "Do they keep a log of who opens my file?"]                             # a question: no leaning
    seg = segments_from_texts(texts)
    got = classify_stance(seg, autocode(seg, book))
    assert got["stance"].tolist() == ["support", "concern", "conditional_support", "neutral"]
    assert "leaning: care_retelling -> support" in got["cues"].iloc[0]
    off = classify_stance(seg, autocode(seg, book), leanings=False)
    assert (off["stance"] == "neutral").all()


def test_codes_that_lean_different_ways_leave_a_segment_neutral():
    from engagement.coding.stance import with_leaning

    assert with_leaning("neutral", 0.0, [], "x", ["care_retelling", "accuracy_errors"])[0] == "neutral"
    assert with_leaning("concern", 0.9, [], "x", ["care_retelling"])[0] == "concern"   # cues that decided stay
    assert with_leaning("neutral", 0.0, [], "x", ["care_retelling"], {"neutral": 0.9})[0] == "neutral"


@pytest.mark.parametrize("text, expected", [
    # conditions in more wordings
    ("Charge them the going rate, then I'd be fine with it.", "conditional_support"),
    ("If anybody snooping lost their job, I'd feel a lot happier.", "conditional_support"),
    ("In a proper emergency, fine, let them look.", "conditional_support"),
    # undecided is not a condition
    ("It depends how serious it is, I suppose.", "neutral"),
    # sarcasm silences the praise and the denied worry it wraps
    ("Oh yes, because nothing ever goes wrong with computers.", "concern"),
    ("Marvellous, another database for them to lose.", "concern"),
    # negated negations
    ("I can't think of a single reason why you wouldn't share it.", "support"),
    ("Nobody's saying the paramedics shouldn't see it.", "support"),
    # refusals and stories
    ("No, I'm not having it.", "concern"),
    ("Within a week her business was all over the village.", "concern"),
])
def test_stance_hears_more_wordings_of_conditions_sarcasm_and_stories(text, expected):
    assert stance_of(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a worry denied whole wins over the worry word inside it
    ("I don't think there's anything to be scared of, it's a good idea.", "support"),
    ("Honestly there's nothing to worry about with the hospital having it.", "support"),
    # the risk put on not sharing
    ("Not sharing it is what's dangerous, frankly.", "support"),
    ("It'd be riskier not to share it with the ambulance crew.", "support"),
    # disbelief that anyone could be at ease
    ("I don't see how anyone could be relaxed about that.", "concern"),
    ("How could you trust a system like that with your kids' notes?", "concern"),
    # distrust told as what happened last time
    ("Last time I trusted them with anything, my letters went to the wrong address for a year.", "concern"),
    ("That's the last time I give them my details.", "concern"),
    # sarcasm still beats the denied worry
    ("Yeah, nothing to worry about, they've never lost a laptop.", "concern"),
])
def test_denied_worries_disbelief_and_last_time_stories(text, expected):
    assert stance_of(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a need stated is support, a need denied or asked about is concern
    ("The anaesthetist needs to know about the epilepsy, no question.", "support"),
    ("The receptionist doesn't need to know about my depression.", "concern"),
    ("Why would the gym instructor need to know I'm on antidepressants?", "concern"),
    ("I can't see why a chiropodist would need to know about my termination.", "concern"),
    # information that did not travel is an argument for sharing, even told as a complaint
    ("I'm sick of explaining my epilepsy to every new locum.", "support"),
    ("Every appointment I'm reeling it all off again from scratch.", "support"),
    ("The health visitor had no idea she'd been in hospital the week before.", "support"),
    ("The mental health team and the GP might as well be on different planets.", "support"),
    ("It saves you telling the whole story to every nurse.", "support"),
    # both sides at once
    ("Part of me says go for it, and part of me wants to wait and see.", "mixed"),
    ("I'm in two minds about the whole business.", "mixed"),
    # undecided between two sides, in everyday words
    ("Honestly I'm torn, it'd help my mum but who else gets to look?", "mixed"),
    ("It cuts both ways, this joining up.", "mixed"),
    ("There's pros and cons, isn't there, with all of it.", "mixed"),
    ("I'm on the fence about the whole app business.", "mixed"),
    ("I go back and forth about it, to be honest.", "mixed"),
    ("Yes and no.", "mixed"),
    ("I can't make my mind up about the national database.", "mixed"),
    # near misses: the same words about something else
    ("My notes went back and forth between the ward and the GP for weeks.", "neutral"),
    ("She sat on the fence at the bottom of the garden.", "neutral"),
    ("I tore a ligament playing five-a-side.", "neutral"),
    # concern in the ways people show it
    ("A porter at the hospital got caught reading his ex-wife's notes.", "concern"),
    ("If my employer got hold of that, I'd be finished.", "concern"),
    ("I trust the surgery. The government, not so much.", "mixed"),
    # near misses: a need of one's own is no endorsement, learning of a use is no care story
    ("I'd need to know it was anonymised first.", "conditional_support"),
    ("They should have known better than to sell it.", "concern"),
])
def test_needs_stories_of_information_not_travelling_and_both_sides(text, expected):
    assert stance_of(text) == expected


@pytest.mark.parametrize("text, question", [
    ("Why does the optician need my history?", True),
    ("It's all the same NHS, isn't it?", False),
    ("They'd have to ask first, wouldn't they?", False),
    ("They need to know.", False),
])
def test_a_tag_on_a_statement_is_not_a_question(text, question):
    from engagement.coding.stance import is_question

    assert is_question(text) is question


@pytest.mark.parametrize("text", [
    "I need to know who is looking at it.",
    "We need to know what they do with it.",
    "I had no idea they could see all that.",
    "I didn't even know my records went there.",
])
def test_a_patient_learning_of_a_use_is_not_a_story_for_sharing(text):
    assert stance_of(text) != "support"


@pytest.mark.parametrize("text, expected", [
    # privacy kept back, a polite refusal, dread, things done behind people's backs
    ("Some of that I'd sooner keep to myself, to be honest.", "concern"),
    ("What happened with the baby is between us and the midwife.", "concern"),
    ("I think I'll pass on that one, thanks.", "concern"),
    ("If my dad ever read that I'd die.", "concern"),
    ("It's the sort of thing they slip in at the bottom of a letter.", "concern"),
    ("The minute the insurers get wind of it, your premium doubles.", "concern"),
    # rhetorical questions that doubt
    ("And who exactly gains from all this joining up?", "concern"),
    ("After the expenses scandal, why would we believe a word of it?", "concern"),
    ("Who ever asked the likes of us?", "concern"),
    # support by understatement, impatience, or asking what could be wrong with it
    ("Where's the harm in the practice nurse seeing it?", "support"),
    ("It's not the end of the world if the dentist knows I'm on statins.", "support"),
    ("I'd rather the paramedics knew about my allergy than not.", "support"),
    ("They should just get on with it, it's about time.", "support"),
    # more ways information failed to travel
    ("The walk-in centre couldn't access her records, so we sat there for hours.", "support"),
    ("His discharge letter took six weeks to come through to the surgery.", "support"),
    ("I'm the only person who knows what tablets he's on.", "support"),
    ("The district nurse didn't know his dose had been changed.", "support"),
])
def test_privacy_kept_back_doubting_questions_and_support_by_understatement(text, expected):
    assert stance_of(text) == expected


@pytest.mark.parametrize("text", [
    "I passed on that message to the practice manager.",
    "I would pass it to my daughter to read out.",
    "So what happens to the forms after today?",
    "Who asked you to come along today?",
    "I keep a diary for myself.",
])
def test_near_misses_of_refusal_harm_and_question_cues_stay_neutral(text):
    assert stance_of(text) == "neutral"


@pytest.mark.parametrize("text, expected", [
    ("I used to worry about all this, but now I think the more joined up the better.", "support"),
    ("I was dead against it at first, but after my dad's stroke I'm all for it.", "support"),
    ("To begin with I was happy to share, then I read about the data breach and now I'm wary.", "concern"),
    ("I used to trust the NHS with anything, but not any more.", "concern"),
    ("I used to worry about who'd see it, but not any more.", "support"),
    ("I'm from Hunstanton originally but I'm happy for them to share it.", "support"),
    ("I used to live in Ely but I'm worried now about who sees my notes.", "concern"),
])
def test_a_view_the_speaker_has_left_behind_is_not_their_view(text, expected):
    assert stance_of(text) == expected
