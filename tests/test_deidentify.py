"""De-identification: detection of each type in its written forms, names vs words, allow list,
consistent placeholders, the redactions table, the stream CLI path, salt handling, offline."""

from __future__ import annotations

import json
import os
import socket
import stat

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagement.config import DEFAULT_ALLOW_LIST, load_config
from engagement.privacy.deidentify import (
    REDACTION_COLUMNS, Detector, Pseudonymiser, build_detector, deidentify_turns, load_salt, redact_stream,
    redact_text, redaction_summary,
)
from engagement.errors import InputError
from engagement.privacy.patterns import nhs_check_ok, normalise
from engagement.schemas import validate

SALT = b"0123456789abcdef0123456789abcdef"
KNOWN = ["Sarah Jenkins", "Rose Whitlock", "Mark Pettifer", ("Seun", "Oluwaseun Adebayo"), "Łukasz Nowak",
         "Siobhán Ní Bhriain", "Zoë Hammond", "Hope", "Bill", "Grace", "Will"]


@pytest.fixture(scope="module")
def det() -> Detector:
    """Rules, known names, allow and deny lists; no NER (fast)."""
    return Detector(known_names=KNOWN, allow_list=DEFAULT_ALLOW_LIST, deny_list=["Brightwell Surgery", "Peldon"],
                    use_ner=False, reference_year=2026)


@pytest.fixture(scope="module")
def ner_det() -> Detector:
    return Detector(known_names=KNOWN, allow_list=DEFAULT_ALLOW_LIST, deny_list=["Peldon"], reference_year=2026)


def found(detector: Detector, text: str) -> list[tuple[str, str]]:
    return [(h.type, text[h.start:h.end]) for h in detector.detect(text)]


def redacted(detector: Detector, text: str, salt: bytes = SALT) -> str:
    return redact_text(text, detector, Pseudonymiser(salt))[0]


# ---- nothing personal
@pytest.mark.parametrize("text", [
    "I think joined-up records would help, as long as the NHS keeps them safe.",
    "We rang 111 and then went to A&E at Addenbrooke's; the GP got the letter a week later.",
    "Healthwatch Norfolk asked about the Norfolk and Norwich and the James Paget in Great Yarmouth.",
    "My blood pressure rose, I hope it settles. Mark my words, the bill will come. By God's grace I will.",
    "The wait was 93 weeks and 95% of people agreed; 1234567890 is a reference, not an NHS number.",
    "",
])
def test_text_with_nothing_personal_passes_unchanged(det, text):
    assert redacted(det, text) == text


# ---- each type in its written forms
@pytest.mark.parametrize("phone", [
    "07700 900123", "07700900123", "+44 7700 900123", "+44 (0)7700 900123", "(01603) 123456", "01603 123456",
    "0300 123 4567", "020 7946 0123", "0113 496 0000", "07700-900-123", "0044 7700 900123",
])
def test_uk_phone_numbers_in_their_written_forms(det, phone):
    text = f"You can ring me on {phone} most evenings."
    assert found(det, text) == [("PHONE", phone)]


def test_a_phone_number_split_over_a_line_break_is_one_hit(det):
    text = "Call me on 07700\n900123 if the letter comes."
    assert found(det, text) == [("PHONE", "07700\n900123")]
    assert redacted(det, text) == "Call me on [PHONE_1] if the letter comes."


def test_a_phone_number_followed_by_another_number_keeps_only_the_phone(det):
    assert found(det, "ring 07700 900123 2 or 3 times") == [("PHONE", "07700 900123")]


@pytest.mark.parametrize("email", ["jo.bloggs@example.co.uk", "T.Wisniewski84@example.com", "a_b+c@nhs.net",
                                   "jo dot bloggs at gmail dot com"])
def test_email_addresses_written_and_spoken(det, email):
    assert found(det, f"Email {email}, please.") == [("EMAIL", email)]


@pytest.mark.parametrize("nhs", ["943 476 5919", "943-476-5919", "9434765919"])
def test_nhs_numbers_spaced_hyphenated_or_solid_pass_the_check(det, nhs):
    hits = det.detect(f"It's {nhs} on the card.")
    assert [(h.type, h.method) for h in hits] == [("NHS_NUMBER", "checksum")]


@pytest.mark.parametrize("digits", ["9434765918", "1234567890"])
def test_ten_digit_numbers_failing_the_check_are_not_nhs_numbers(det, digits):
    assert nhs_check_ok(digits.replace(" ", "")) is False
    assert found(det, f"The reference was {digits} on the form.") == []


def test_a_failing_number_in_the_nhs_grouping_is_hidden_all_the_same(det):
    """Said as 3-3-4 it is an NHS number misremembered or mistyped (or a case reference): still one person's."""
    assert nhs_check_ok("9434765910") is False
    hits = det.detect("The reference was 943 476 5910 on the form.")
    assert [(h.type, h.method) for h in hits] == [("NHS_NUMBER", "grouping")]


def test_a_failing_number_said_as_an_nhs_number_is_flagged_by_context(det):
    hits = det.detect("My NHS number is 943 476 5918, I think.")
    assert [(h.type, h.method) for h in hits] == [("NHS_NUMBER", "context")]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
@settings(max_examples=200, deadline=None)
def test_nhs_check_digit_round_trip(nine):
    valid = [d for d in "0123456789" if nhs_check_ok(nine + d)]
    assert len(valid) <= 1
    if valid:
        wrong = str((int(valid[0]) + 1) % 10)
        assert not nhs_check_ok(nine + wrong)


@pytest.mark.parametrize("postcode", ["CB2 0QQ", "cb2 0qq", "CB20QQ", "NR32 1UL", "pe29 1lt", "SW1A 1AA"])
def test_uk_postcodes_with_or_without_the_space_any_case(det, postcode):
    assert found(det, f"I'm at {postcode} now.") == [("POSTCODE", postcode)]


def test_dosages_are_not_postcodes(det):
    assert found(det, "vitamin b12 5mg twice a day") == []


@pytest.mark.parametrize("address", ["22 Mill Lane", "22a Mill Lane", "Flat 3, 22 Mill Lane", "14 Orwell Road",
                                     "3 Willow Drove", "14 Kingsway", "9 St Mary's Close", "41 Eastfield Road"])
def test_street_addresses(det, address):
    assert found(det, f"They sent it to {address} by mistake.") == [("ADDRESS", address)]


def test_a_row_number_padded_out_to_a_column_of_text_is_no_address(det):
    # how pandas prints a table of sentences in a notebook: the row number, spaces, then the text
    table = "3   I joined years ago.\n4" + " " * 120 + "Biobank, the Covid research.\n5   Riverbank walks."
    assert [t for t, _ in found(det, table)] == []
    assert found(det, "We moved to 4 Riverbank last year.") == [("ADDRESS", "4 Riverbank")]


def test_a_lower_case_address_counts_after_an_address_cue(det):
    assert found(det, "i live at 5 mill lane now") == [("ADDRESS", "5 mill lane")]
    assert found(det, "2 people up the road") == []


@pytest.mark.parametrize("text,value", [
    ("I was born on 3rd March 1961.", "3rd March 1961"),
    ("DOB 12/04/1958 on the letter.", "12/04/1958"),
    ("My date of birth is the 5th of June 1947.", "5th of June 1947"),
    ("They had my date of birth wrong. I said it was 2nd of June 1944.", "2nd of June 1944"),
    ("14/09/1977 is my date of birth.", "14/09/1977"),
])
def test_dates_of_birth_need_a_birth_context(det, text, value):
    assert found(det, text) == [("DATE_OF_BIRTH", value)]


def test_dates_without_a_birth_context_stay(det):
    assert found(det, "My appointment is on 3rd March 2026 at ten.") == []


def test_a_birth_year_alone_is_kept_unless_it_means_an_age_over_the_threshold(det):
    assert found(det, "I was born in 1950, so I remember it.") == []
    assert found(det, "Mum was born in 1930.") == [("AGE_OVER_89", "1930")]


@pytest.mark.parametrize("text,value", [
    ("My mum is 93 and still sharp.", "93"), ("she's ninety-four, bless her", "ninety-four"),
    ("a lady aged 97 on the ward", "97"), ("He'd have been 91 this year.", "91"),
    ("My aunt is a hundred and two.", "a hundred and two"), ("a 96-year-old neighbour", "96"),
])
def test_ages_over_the_threshold(det, text, value):
    assert found(det, text) == [("AGE_OVER_89", value)]


@pytest.mark.parametrize("text", ["My mum is 85.", "The wait was 93 weeks.", "93 people came.", "She's 91%."])
def test_ages_at_or_under_the_threshold_and_other_numbers_stay(det, text):
    assert found(det, text) == []


def test_all_ages_over_the_threshold_share_one_placeholder(det):
    assert redacted(det, "My mum is 93 and dad is 95.") == "My mum is [AGE_OVER_89] and dad is [AGE_OVER_89]."


def test_max_age_comes_from_the_detector():
    strict = Detector(max_age=79, use_ner=False)
    assert found(strict, "Dad is 84 now.") == [("AGE_OVER_79", "84")]


# ---- names
@pytest.mark.parametrize("text,name", [
    ("Thanks, Priya.", "Priya"), ("I saw Dr Patel at Addenbrooke's.", "Patel"), ("Nurse Jo was lovely.", "Jo"),
    ("Ask Mrs O'Brien.", "O'Brien"), ("Prof. Evans wrote it.", "Evans"), ("My husband, Derek, God rest him.", "Derek"),
    ("the IBD nurse, Harriet, rang", "Harriet"), ("A lady called Margaret rang.", "Margaret"),
    ("Hello, is that Clive?", "Clive"), ("please, call me Gosia, everyone does", "Gosia"),
    ("And Margaret, my wife, made me ring.", "Margaret"),
])
def test_unknown_names_in_name_context(det, text, name):
    assert ("PERSON", name) in found(det, text)


@pytest.mark.parametrize("text,name", [
    ("Rose said she'd come.", "Rose"), ("Thanks, Hope.", "Hope"), ("I agree with Bill on that.", "Bill"),
    ("Mark, what do you think?", "Mark"), ("my friend Grace came round", "Grace"), ("Will said no.", "Will"),
    ("Don't make a fuss, Hope, they'll say.", "Hope"), ("Dawn, does the reception know?", "Dawn"),
])
def test_names_that_are_words_are_redacted_in_name_context(text, name):
    detector = Detector(known_names=["Rose", "Hope", "Bill", "Mark", "Grace", "Will", "Dawn"], use_ner=False)
    assert found(detector, text) == [("PERSON", name)]


@pytest.mark.parametrize("text", [
    "My blood pressure rose again.", "I hope so.", "Hope you're keeping well.", "The bill came in the post.",
    "Mark my words, they'll sell it.", "By God's grace we got there.", "I will if I can.", "Will you be there?",
    "Sky News said it first.", "Faith in the system is low.", "Grace period of a month.",
])
def test_names_that_are_words_stay_in_word_context(text):
    detector = Detector(known_names=["Rose", "Hope", "Bill", "Mark", "Grace", "Will", "Sky", "Faith"], use_ner=False)
    assert found(detector, text) == []


@pytest.mark.parametrize("text,name", [
    ("Thanks, Zoë.", "Zoë"), ("Siobhán Ní Bhriain agreed.", "Siobhán Ní Bhriain"), ("Łukasz, go on.", "Łukasz"),
    ("Lukasz said so.", "Lukasz"), ("Oluwaseun said so.", "Oluwaseun"), ("Seun, you were nodding.", "Seun"),
])
def test_unicode_and_known_names(det, text, name):
    assert ("PERSON", name) in found(det, text)


def test_an_initial_before_a_name_belongs_to_it():
    detector = Detector(known_names=["Frank Plumstead"], use_ner=False)
    assert found(detector, "There's another F. Plumstead nearby.") == [("PERSON", "F. Plumstead")]


def test_a_known_first_name_and_full_name_share_a_placeholder(det):
    out = redacted(det, "Sarah Jenkins came. Later Sarah said hi. Seun and Oluwaseun Adebayo too.")
    assert out == "[PERSON_1] came. Later [PERSON_1] said hi. [PERSON_2] and [PERSON_2] too."


def test_alexa_the_device_stays_but_a_participant_called_alexa_is_caught():
    device = Detector(use_ner=False)
    person = Detector(known_names=["Alexa Moore"], use_ner=False)
    assert found(device, "I asked Alexa about my tablets.") == []
    assert found(person, "I asked Alexa about my tablets.") == [("PERSON", "Alexa")]


# ---- allow and deny lists
@pytest.mark.parametrize("term", ["NHS", "A&E", "111", "GP", "Addenbrooke's", "Healthwatch", "Norfolk and Norwich",
                                  "James Paget", "Caldicott", "Fitbit"])
def test_allow_listed_terms_survive_even_as_names(det, term):
    text = f"Thanks, {term}. Dr {term} said {term} was fine, and {term} told me."
    assert term in redacted(det, text)
    assert redacted(det, text).count(term) == text.count(term)


def test_deny_listed_terms_are_locations_whole_words_any_case(det):
    assert found(det, "We moved from peldon to Brightwell surgery.") == [
        ("LOCATION", "peldon"), ("LOCATION", "Brightwell surgery")]
    assert found(det, "They spell it peldonia, not on the list.") == []


def test_deny_list_file_in_raw_dir_is_read(tiny_project):
    (tiny_project / "data" / "raw" / "deny_list.txt").write_text("# villages\nLittle Snoring\n\n", encoding="utf-8")
    detector = build_detector(load_config(tiny_project / "engagement.yaml"), use_ner=False)
    assert found(detector, "We live near Little Snoring.") == [("LOCATION", "Little Snoring")]


def test_build_detector_knows_the_manifest_names(tiny_config):
    detector = build_detector(tiny_config, use_ner=False)
    assert found(detector, "I talked to tomasz about it.") == [("PERSON", "tomasz")]


# ---- replacement
def test_placeholders_are_consistent_across_sessions_and_independent_of_the_salt(det):
    turns = pd.DataFrame({
        "session_id": ["S2", "S1", "S1", "S2"], "turn_index": [0, 1, 0, 1],
        "text": ["Ring Sarah on 07700 900123.", "Email jo@example.com", "Sarah Jenkins here.", "07700900123 again"],
    })
    outs = [deidentify_turns(turns, det, Pseudonymiser(salt))[0]["text"].tolist() for salt in (SALT, b"x" * 32)]
    assert outs[0] == outs[1]
    # sessions in sorted order: S1 turn 0 meets Sarah first
    assert outs[0] == ["Ring [PERSON_1] on [PHONE_1].", "Email [EMAIL_1]", "[PERSON_1] here.", "[PHONE_1] again"]


def test_deidentify_turns_returns_new_frames_and_a_valid_redactions_table(det):
    turns = pd.DataFrame({"session_id": ["A"], "turn_index": [0], "text": ["Thanks, Sarah."], "extra": [1]})
    new, red = deidentify_turns(turns, det, Pseudonymiser(SALT))
    assert turns.loc[0, "text"] == "Thanks, Sarah." and new.loc[0, "text"] == "Thanks, [PERSON_1]."
    assert list(red.columns) == REDACTION_COLUMNS
    validate(red, "redactions")
    row = red.iloc[0]
    assert new.loc[0, "text"][row["start"]:row["end"]] == row["placeholder"] == "[PERSON_1]"
    assert (row["type"], row["method"]) == ("PERSON", "known_name")


def test_the_redactions_table_never_contains_a_value(det):
    values = ["Sarah", "07700 900123", "jo@example.com", "943 476 5919", "CB2 0QQ", "22 Mill Lane", "3rd March 1961",
              "Peldon", "Patel"]
    text = ("Sarah rang from 07700 900123, email jo@example.com, NHS 943 476 5919, CB2 0QQ, 22 Mill Lane, "
            "born on 3rd March 1961, lives in Peldon, saw Dr Patel.")
    turns = pd.DataFrame({"session_id": ["A"], "turn_index": [0], "text": [text]})
    new, red = deidentify_turns(turns, det, Pseudonymiser(SALT))
    assert len(red) == len(values)
    dump = red.to_csv() + red.to_json()
    for value in values:
        assert value not in dump and value.lower() not in dump.lower()
        assert value not in new.loc[0, "text"]


def test_redaction_summary_counts_by_session_and_type(det):
    turns = pd.DataFrame({"session_id": ["A", "A", "B"], "turn_index": [0, 1, 0],
                          "text": ["Thanks, Sarah.", "Sarah and Dr Patel", "07700 900123"]})
    summary = redaction_summary(deidentify_turns(turns, det, Pseudonymiser(SALT))[1])
    rows = {(r.session_id, r.type): (r.redactions, r.distinct_values) for r in summary.itertuples()}
    assert rows == {("A", "PERSON"): (3, 2), ("B", "PHONE"): (1, 1)}
    assert redaction_summary(pd.DataFrame(columns=REDACTION_COLUMNS)).empty


def test_redacting_twice_changes_nothing_more(det):
    once = redacted(det, "Thanks, Sarah, ring 07700 900123. Dr Patel agreed.")
    assert redacted(det, once) == once


def test_pseudonyms_are_deterministic_realistic_and_never_the_value(det):
    text = "Sarah Jenkins rang 07700 900123 from CB2 0QQ; Dr Patel; NHS 943 476 5919; Peldon."
    outs = [redact_text(text, det, Pseudonymiser(SALT, pseudonyms=True))[0] for _ in range(2)]
    assert outs[0] == outs[1]
    for value in ("Sarah", "Jenkins", "900123", "CB2", "Patel", "943 476 5919", "Peldon"):
        assert value not in outs[0]
    assert "[" not in outs[0] and "Dr " in outs[0]


def test_salt_is_created_private_and_stable(tiny_config):
    path = tiny_config.salt_file
    assert not path.exists()
    first = load_salt(tiny_config)
    assert len(first) == 32 and load_salt(tiny_config) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert first.hex() not in repr(Pseudonymiser(first))


# ---- the stream behind `engagement redact`
def test_redact_stream_plain_text_keeps_lines_and_joins_a_split_phone(det):
    lines = ["Thanks, Sarah.\n", "Call 07700\n", "900123 tonight.\n", "\n", "Bye.\n"]
    out = list(redact_stream(lines, det, Pseudonymiser(SALT)))
    assert out == ["Thanks, [PERSON_1].\n", "Call [PHONE_1]\n", " tonight.\n", "\n", "Bye.\n"]


def test_redact_stream_jsonl_replaces_only_text_and_keeps_other_fields(det):
    lines = [json.dumps({"id": 7, "speaker": "P1", "text": "Ring 07700 900123", "meta": {"q": "Q2"}}) + "\n",
             "\n", json.dumps({"id": 8, "text": None}) + "\n"]
    out = list(redact_stream(lines, det, Pseudonymiser(SALT), jsonl=True))
    assert json.loads(out[0]) == {"id": 7, "speaker": "P1", "text": "Ring [PHONE_1]", "meta": {"q": "Q2"}}
    assert list(json.loads(out[0])) == ["id", "speaker", "text", "meta"]
    assert out[1] == "\n" and json.loads(out[2]) == {"id": 8, "text": None}


def test_redact_stream_jsonl_names_the_bad_line(det):
    lines = ['{"text": "fine"}\n', "not json\n"]
    with pytest.raises(InputError, match="line 2"):
        list(redact_stream(lines, det, Pseudonymiser(SALT), jsonl=True))


# ---- size and speed
def test_a_five_thousand_word_turn(det):
    filler = "we talked about joined up records and the hospital letters and the GP "
    words = (filler * 400).split()[:5000]
    words[2500:2500] = ["Thanks,", "Sarah.", "Ring", "07700", "900123."]
    words[4990:4990] = ["NHS", "943", "476", "5919"]
    text = " ".join(words)
    new, reds = redact_text(text, det, Pseudonymiser(SALT))
    assert [r.type for r in reds] == ["PERSON", "PHONE", "NHS_NUMBER"]
    assert len(new.split()) == 5006


# ---- with the trained model
@pytest.mark.slow
def test_ner_finds_names_and_drops_what_it_over_fires_on(ner_det):
    text = ("Priya Shah told me. Accuracy, for me. I use my Fitbit and ask Alexa. We went to Addenbrooke's "
            "in Cambridge and my holiday in Devon. Mark my words. Research, I don't mind.")
    names = [v for t, v in found(ner_det, text) if t == "PERSON"]
    assert names == ["Priya Shah"]


@pytest.mark.slow
@pytest.mark.parametrize("term", ["Addenbrooke's", "Norfolk and Norwich", "James Paget", "Healthwatch", "A&E"])
def test_allow_listed_terms_survive_the_ner(ner_det, term):
    text = f"I told {term} about it and {term} said they'd call. Thanks, {term}."
    assert redacted(ner_det, text).count(term) == 3


@pytest.mark.slow
def test_detection_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access during de-identification")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    detector = Detector(known_names=["Sarah Jenkins"], allow_list=DEFAULT_ALLOW_LIST)
    hits = detector.detect_many(["Thanks, Sarah. Dr Okafor rang 07700 900123.", "My husband Derek Smith came."])
    assert [h.type for h in hits[0]] == ["PERSON", "PERSON", "PHONE"]
    assert [hit.value for hit in hits[1]] == ["Derek Smith"]


def test_blank_pipeline_means_no_ner():
    import spacy

    detector = Detector(nlp=spacy.blank("en"))
    assert not detector.runs_ner
    assert found(detector, "We met Priya Shah at last.") == []   # no context rule: only an NER would know


def test_normalise_makes_written_forms_equal():
    assert normalise("PHONE", "+44 (0)7700 900123") == normalise("PHONE", "07700900123") == "07700900123"
    assert normalise("POSTCODE", "cb2 0qq") == "CB20QQ"
    assert normalise("PERSON", "Łukasz's") == normalise("PERSON", "lukasz")
    assert normalise("DATE_OF_BIRTH", "3rd March 1961") == normalise("DATE_OF_BIRTH", "03/03/1961") == "1961-03-03"
