"""The detector on details nobody listed: third-party names in ordinary talk, numbers by context and
shape, and the surgeries, schools and care homes that pin someone to a few streets - and what it must
keep (brands, medicines, conditions named after people, the big hospitals, words that are names).

Names and phrasings here are not the ones the rules or the planted benchmark were written from."""

from __future__ import annotations

import re

import pytest

from engagement.config import DEFAULT_ALLOW_LIST
from engagement.privacy.deidentify import Detector, Pseudonymiser, redact_text

SALT = b"fedcba9876543210fedcba9876543210"


@pytest.fixture(scope="module")
def det() -> Detector:
    """Rules only, nobody listed (fast)."""
    return Detector(allow_list=DEFAULT_ALLOW_LIST, use_ner=False, reference_year=2026)


@pytest.fixture(scope="module")
def ner_det() -> Detector:
    return Detector(allow_list=DEFAULT_ALLOW_LIST, reference_year=2026)


def redacted(detector: Detector, text: str) -> str:
    return redact_text(text, detector, Pseudonymiser(SALT))[0]


def types(detector: Detector, text: str) -> list[tuple[str, str]]:
    return [(h.type, text[h.start:h.end]) for h in detector.detect(text)]


# ---- third parties nobody listed
@pytest.mark.parametrize("text, expected", [
    ("The lady who does the repeats, Saoirse on reception, knew my history.",
     "The lady who does the repeats, [PERSON_1] on reception, knew my history."),
    ("Honestly Donncha from the practice was the only one who called back.",
     "Honestly [PERSON_1] from the practice was the only one who called back."),
    ("If you go in, just ask for Parveen, she does the online access.",
     "If you go in, just ask for [PERSON_1], she does the online access."),
    ("We spoke to my stepson Olumide about who can see the scans.",
     "We spoke to my stepson [PERSON_1] about who can see the scans."),
    ("Our practice nurse Jadwiga explained the opt-out to me.",
     "Our practice nurse [PERSON_1] explained the opt-out to me."),
    ("The receptionist back then was Akosua, and she was firm about consent.",
     "The receptionist back then was [PERSON_1], and she was firm about consent."),
    ("I was round at Habib's flat when the text came through.",
     "I was round at [PERSON_1]'s flat when the text came through."),
    ("Cheers, Tendai.", "Cheers, [PERSON_1]."),
    ("They told me Dr Okeke would ring and so was Guang on reception.",
     "They told me Dr [PERSON_1] would ring and so was [PERSON_2] on reception."),
])
def test_third_parties_in_ordinary_talk_are_replaced(det, text, expected):
    assert redacted(det, text) == expected


def test_a_list_of_names_is_replaced_name_by_name(det):
    text = "My neighbour Sukhwinder, Przemysław and Xiuying all got the same letter."
    assert redacted(det, text) == "My neighbour [PERSON_1], [PERSON_2] and [PERSON_3] all got the same letter."


def test_the_verb_before_a_name_stays(det):
    assert redacted(det, "Phone Bronwen Aldous at the hub.") == "Phone [PERSON_1] at the hub."
    assert redacted(det, "Ring Tom Baker.") == "Ring [PERSON_1]."


@pytest.mark.slow
def test_the_verb_stays_when_the_ner_takes_it_into_the_name(ner_det):
    assert redacted(ner_det, "Ring Tom Baker at the practice.") == "Ring [PERSON_1] at the practice."


@pytest.mark.parametrize("text", [
    "I hope the surgery keeps it safe, and the bill for copies was steep.",
    "Will they sell it? Mark my words, by the grace of God we'll find out.",
    "It was a sunny afternoon when the letter came.",
])
def test_word_names_used_as_words_are_kept(det, text):
    assert redacted(det, text) == text


@pytest.mark.parametrize("text, name", [
    ("Hope on reception sorted my prescription.", "Hope"),
    ("My carer Grace reads my letters to me.", "Grace"),
    ("Sunny from the surgery rang me about it.", "Sunny"),
])
def test_word_names_are_names_where_the_context_says_person(det, text, name):
    assert ("PERSON", name) in types(det, text)


# ---- numbers by context as well as shape
@pytest.mark.parametrize("text, kind", [
    ("You can ring me on 0798 123 456 after six.", "PHONE"),          # ten digits, not a valid UK number
    ("My number is (01473) 55 12 3.", "PHONE"),                       # ten digits, spaced oddly
    ("Landline: 01603-72-81-9", "PHONE"),
    ("The letter had my hospital number, RGT1234567, on the front.", "HOSPITAL_NUMBER"),
    ("Patient no. 00483921 is what they gave me.", "HOSPITAL_NUMBER"),
    ("MRN k0093117", "HOSPITAL_NUMBER"),
    ("They asked for my NI number, JT 48 21 07 C, on the phone.", "NI_NUMBER"),
    ("national insurance is pk482197", "NI_NUMBER"),                # suffix letter left off
    ("We park there, the car is KX19 ZTP.", "VEHICLE_REG"),
    ("Number plate P482 KDV, the old Astra.", "VEHICLE_REG"),
    ("my reg is ywb 22", "VEHICLE_REG"),                             # dateless, only by context
])
def test_numbers_are_replaced_by_context_and_shape(det, text, kind):
    out = redacted(det, text)
    assert f"[{kind}_1]" in out
    assert not re.search(r"\d{3}", out), out


def test_a_number_that_identifies_no_one_is_kept(det):
    text = "It took 18 months, 1 in 10 opted out, and the report number was 2023/118."
    assert redacted(det, text) == text


# ---- places that identify
@pytest.mark.parametrize("text, place", [
    ("We're with Mill Lane Surgery, it's tiny.", "Mill Lane Surgery"),
    ("My boy goes to St Botolph's Primary.", "St Botolph's Primary"),
    ("She's in the Laurels Nursing Home now.", "the Laurels Nursing Home"),
    ("I pick up from Blofield Pharmacy.", "Blofield Pharmacy"),
])
def test_small_settings_named_by_place_are_hidden(det, text, place):
    assert ("LOCATION", place) in types(det, text)


def test_hiding_settings_can_be_switched_off():
    det = Detector(allow_list=DEFAULT_ALLOW_LIST, use_ner=False, hide_facilities=False)
    text = "We're with Mill Lane Surgery."
    assert redacted(det, text) == text


@pytest.mark.parametrize("text", [
    "I was at Addenbrooke's and then the James Paget; Ipswich Hospital had my notes.",
    "The GP surgery, the dental surgery and the primary school all use the same app.",
    "I use the NHS App and Patients Know Best, and Boots pharmacy does my repeats.",
])
def test_big_hospitals_generic_settings_and_chains_stay(det, text):
    assert redacted(det, text) == text


# ---- precision: what must be kept
@pytest.mark.parametrize("text", [
    "They know more from my Tesco Clubcard and my Nectar card than my GP does.",
    "I'm on Ramipril and Metformin, and the Boots Advantage card tracks it all.",
    "My brother has Crohn's, my dad had Parkinson's and my aunt has Graves' disease.",
    "Food was lovely and the atmosphere was calm.",
])
def test_brands_medicines_and_conditions_are_kept(det, text):
    assert redacted(det, text) == text


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    "They know more from my Tesco Clubcard and my Nectar card than my GP does.",
    "My brother has Crohn's and my aunt has Down's syndrome.",
])
def test_brands_and_conditions_are_kept_with_the_ner(ner_det, text):
    assert redacted(ner_det, text) == text


# ---- found on an unseen study (the end-to-end trial): a theme word opening a sentence, a spaced NI number
@pytest.mark.parametrize("text, expected", [
    ("Planning, if it means more drug services in Lowestoft, then yes please.",
     "Planning, if it means more drug services in Lowestoft, then yes please."),
    ("Research, would you believe, is the bit I like.", "Research, would you believe, is the bit I like."),
    ("Folasade, would you say a bit more about that?", "[PERSON_1], would you say a bit more about that?"),
])
def test_a_sentence_initial_word_before_a_question_word_is_a_name_only_if_it_looks_like_one(ner_det, text, expected):
    assert redacted(ner_det, text) == expected


def test_a_spaced_national_insurance_number_is_hidden_whatever_its_prefix(det):
    # "QQ" is never issued; a transcriber's mishearing or an example number is hidden all the same
    assert redacted(det, "I filled it in. QQ 48 21 07 B, I know it from my payslips.") == \
        "I filled it in. [NI_NUMBER_1], I know it from my payslips."


# ---- a sentence's opening word is not a name; a first name ending in -ly is one
@pytest.mark.parametrize("text, name", [
    ("Honestly, Dariusz Kowal on the front desk tells the whole street.", "Dariusz Kowal"),
    ("Frankly, Oyelaran at the chemist was brilliant with my mum.", "Oyelaran"),
    ("Personally, Ngozi and I thought the letter was clear.", "Ngozi"),
])
def test_an_opening_adverb_before_a_name_stays_and_the_name_goes(det, ner_det, text, name):
    for detector in (det, ner_det):
        out = redacted(detector, text)
        opener = text.split(",")[0]
        assert out.startswith(opener + ",") and name not in out, out


@pytest.mark.parametrize("text, names", [
    ("Me, Beverly and Tomasz went to the surgery together.", ["Beverly", "Tomasz"]),
    ("My sister, Emily and Wojciech all said the same.", ["Emily", "Wojciech"]),
])
def test_first_names_ending_in_ly_are_names_in_a_list(det, text, names):
    out = redacted(det, text)
    assert not any(n in out for n in names), out


@pytest.mark.parametrize("text, name", [("Then me and Chidinma went to A&E together.", "Chidinma"),
                                        ("Oluwaseun and I both got the same letter.", "Oluwaseun")])
def test_a_name_beside_the_speaker_is_replaced(det, text, name):
    assert name not in redacted(det, text)


@pytest.mark.parametrize("text", ["Planning and I don't get on.", "The NHS and I have history.",
                                  "Sometimes me and Mum argue about it."])
def test_words_beside_the_speaker_stay(det, text):
    assert redacted(det, text) == text


@pytest.mark.parametrize("text, place", [
    ("Interviewer: Thanks for that, and people in Stanground said much the same.", "Stanground"),
    ("When I moved from Saffron Walden to Eye it felt like starting again.", "Eye"),
    ("After we went from Wymondham to Hethersett nobody had my notes.", "Hethersett"),
    ("I'd say when I moved from Bury St Edmunds to Gorleston it was like starting again.", "Gorleston"),
    ("To cut waiting lists in Hethersett and I think most people agree.", "Hethersett"),
    ("If the money went back into services in Stanground, my husband especially.", "Stanground"),
    ("It shouldn't matter whether you live in March or Brampton, the rules should be the same.", "Brampton"),
    ("A quicker pathway out of Broadmoor would help.", "Broadmoor"),
])
def test_a_place_in_a_name_context_stays_a_place(det, ner_det, text, place):
    # a place redacted in one sentence and kept in the next makes the leak gate withhold the report
    for detector in (det, ner_det):
        assert place in redacted(detector, text), (detector.use_ner, text)


@pytest.mark.parametrize("text, name", [
    ("Back in March Oluwaseun said the records were wrong.", "Oluwaseun"),
    ("I moved from Ipswich to be near Grainne, my daughter.", "Grainne"),
    ("My brother's wife Saoirse knows everything about it.", "Saoirse"),
    ("Then my mum's carer Blessing read the letter out.", "Blessing"),
    ("Me and Tadhg went in together.", "Tadhg"),
    # a familiar epithet between the relation and the name (found by a fresh trial: "old Thaddeus" stayed)
    ("Our neighbour, old Thaddeus from number nine, had his details sold on.", "Thaddeus"),
    ("My cousin little Perpetua was in the same ward.", "Perpetua"),
    # kin named the way people talk (found by a fresh trial: "my lad Ptolemy" stayed)
    ("When my lad Ptolemy was rushed in, nobody knew his tablets.", "Ptolemy"),
    ("Our lass Bronwen had to tell them twice.", "Bronwen"),
    ("My hubby Leofric keeps all the letters.", "Leofric"),
    ("Her godson Anselm works on the ward.", "Anselm"),
])
def test_names_near_place_words_are_still_replaced(det, text, name):
    assert name not in redacted(det, text)


def test_a_condition_after_a_possessive_relation_is_kept(det):
    assert "COPD" in redacted(det, "If my wife's COPD could help find a cure then they can have it.")
    assert "COPD" in redacted(det, "My notes said Crohn's when it should have said COPD and I think that's wrong.")


# ---- found on an unseen study (trial p23): names no list knows, said the way people talk
@pytest.mark.parametrize("text, name", [
    ("My son, our Lowenna, she's at college now.", "Lowenna"),
    ("Well our Kezziah had the same letter.", "Kezziah"),
    ("Ffinlo uses the app far more than I do.", "Ffinlo"),
    ("And Chiamaka was the one who rang the surgery.", "Chiamaka"),
    ("Honestly, Tamsyn never got her results.", "Tamsyn"),
    ("Then Oisín said he'd seen it on the screen.", "Oisín"),
])
def test_names_no_list_knows_are_found_by_how_people_talk(det, ner_det, text, name):
    for detector in (det, ner_det):
        assert name not in redacted(detector, text), (detector.use_ner, text)


def test_a_village_said_as_where_someone_lives_is_a_place_hidden_not_a_person(det):
    """Kept once (a village is no person); now hidden as where someone lives, and still never a PERSON."""
    text = "We live out past Hindolveston, right at the end of the lane."
    assert ("LOCATION", "Hindolveston") in types(det, text)
    assert "[PERSON" not in redacted(det, text)


@pytest.mark.parametrize("text, kept", [
    ("Our GP was brilliant about it.", "GP"),
    ("Our Facebook group talks about this a lot.", "Facebook"),
    ("Romania was where I had my first operation.", "Romania"),
])
def test_places_acronyms_brands_and_countries_in_those_contexts_stay(det, text, kept):
    assert kept in redacted(det, text)


@pytest.mark.parametrize("text, number", [
    ("My mobile's oh seven seven one two, nine eight four, three three one, if they need it.",
     "oh seven seven one two, nine eight four, three three one"),
    ("Ring zero one six oh three, double five two, four one nine.", "zero one six oh three, double five two, four one nine"),
])
def test_a_phone_number_read_out_in_words_is_replaced(det, text, number):
    out = redacted(det, text)
    assert number not in out and "[PHONE" in out


@pytest.mark.parametrize("text", [
    "We counted them one, two, three, four and five.",
    "It was half past nine or ten, I think, maybe two.",
])
def test_counting_and_times_are_not_phone_numbers(det, text):
    assert redacted(det, text) == text


def test_a_name_spelled_out_letter_by_letter_is_replaced(det):
    out = redacted(det, "It's Siobhan, that's S-I-O-B-H-A-N, and nobody ever spells it right.")
    assert "S-I-O-B-H-A-N" not in out and "Siobhan" not in out
    assert redacted(det, "They sent it to A-and-E, then to the GP.") == "They sent it to A-and-E, then to the GP."


@pytest.mark.parametrize("text", [
    "We've got about one bar if you stand in the kitchen.",
    "Don't just leave us to find out when it goes wrong.",
    "We're always the afterthought, honestly.",
    "Something like Healthwatch, actually, or a panel of patients.",
])
def test_contractions_and_the_studys_own_organisation_stay(det, ner_det, text):
    # a word redacted in one sentence and kept in another makes the leak gate withhold the whole run
    for detector in (det, ner_det):
        assert redacted(detector, text) == text, detector.use_ner


@pytest.mark.parametrize("text", [
    "Aripiprazole does cause weight gain, nobody told me.",
    "Olanzapine was the one that made me sleep all day.",
    "Serv was ok but the wait was long.",
])
def test_medicines_and_clipped_words_before_a_verb_stay(det, text):
    assert redacted(det, text) == text


@pytest.mark.parametrize("text, name", [
    ("I'd got her notes, her handbag and Chukwuemeka in the car, he's one of our new carers.", "Chukwuemeka"),
    ("Jagruti up the chemist's knows more about my tablets than my GP does.", "Jagruti"),
])
def test_names_listed_with_things_or_placed_by_a_neighbourhood_are_found(det, text, name):
    assert name not in redacted(det, text)


def test_an_imperative_before_a_role_is_no_name(det):
    assert redacted(det, "Keep the pharmacist in the loop, that's all I ask.") == \
        "Keep the pharmacist in the loop, that's all I ask."


@pytest.mark.parametrize("text, kept", [
    ("The hospital still had me down as N R 3 1 Q X, my old flat.", False),
    ("I got an A B C D E for the test.", True),
])
def test_a_postcode_said_a_character_at_a_time(det, text, kept):
    assert (redacted(det, text) == text) is kept


@pytest.mark.parametrize("text, gone", [
    ("There's a lad at the depot, everyone calls him Nobby, and he got the same letter.", "Nobby"),
    ("The Wojtaszek lot are the only ones with a farm that size round here.", "Wojtaszek"),
    ("Olumide.", "Olumide"),
    ("We're Hawthorn Cottage, Brick Kiln Lane, so the post goes astray.", "Hawthorn Cottage, Brick Kiln Lane"),
])
def test_nicknames_families_one_word_answers_and_house_names(det, text, gone):
    assert gone not in redacted(det, text)


@pytest.mark.parametrize("text", ["Exactly.", "Norwich.", "I walked down Mill Road, Church Lane and back."])
def test_one_word_answers_and_lists_of_streets_stay(det, text):
    assert redacted(det, text) == text


def test_a_one_word_typo_is_no_name(det):
    assert redacted(det, "Theropy.") == "Theropy."


# ---- how people name themselves and others in passing (names the rules were not written from)
@pytest.mark.parametrize("text, name", [
    ("Yeah, carry on. Oluwaseun, that's me, if you need it for the tape.", "Oluwaseun"),
    ("Hello? Yes, Tamsin here. Sorry, the line's bad.", "Tamsin"),
    ("Morwenna speaking, go ahead.", "Morwenna"),
    ("I'm Zbigniew, I've lived here thirty years.", "Zbigniew"),
    ("It's Ifeoma, by the way, in case the sheet's wrong.", "Ifeoma"),
    ("My eldest is called Cormac and he's a paramedic.", "Cormac"),
    ("She's called Nuala, the one on the front desk.", "Nuala"),
    ("then a district nurse called Ebenezer came out twice", "Ebenezer"),
    ("Our postman, Fintan, knows more about the street than the council.", "Fintan"),
    ("My old boss, Dervla, got her records sent to the wrong practice.", "Dervla"),
])
def test_names_said_in_passing_and_self_introductions_are_replaced(ner_det, text, name):
    out = redacted(ner_det, text)
    assert name not in out and "[PERSON_" in out, out


@pytest.mark.parametrize("text", [
    "I'm Polish, me, so the forms confuse me.", "It's Tuesday, by the way, not Monday.", "Right here, that's where.",
    "Yes, that's me all over.", "It's called Patients Know Best, the app.", "A place called Hunstanton, near us.",
])
def test_words_in_the_same_shapes_that_are_not_names_stay(ner_det, text):
    assert redacted(ner_det, text) == text


# ---- details said a turn away from the words that would give them away
@pytest.mark.parametrize("text, number", [
    ("412 883 1057, that's the one on my card anyway.", "412 883 1057"),        # fails the modulus-11 check
    ("Hers is 601-227-9034 if I remember it right.", "601-227-9034"),
])
def test_a_number_in_the_nhs_grouping_is_hidden_without_its_context(det, text, number):
    assert ("NHS_NUMBER", number) in types(det, text)


def test_a_phone_number_in_its_own_grouping_stays_a_phone(det):
    assert types(det, "Ring the surgery on 01632 960 123 and ask.") == [("PHONE", "01632 960 123")]


@pytest.mark.parametrize("text, date", [
    ("Mine's the twenty-third of February 1947, so I'm no spring chicken.", "twenty-third of February 1947"),
    ("Dad's was 30 November 1938 and they still got it wrong.", "30 November 1938"),
    ("Oh, November the ninth, 1962, same as my twin obviously.", "November the ninth, 1962"),
])
def test_a_whole_date_of_someone_at_least_16_is_hidden_without_the_word_birthday(det, text, date):
    assert ("DATE_OF_BIRTH", date) in types(det, text)


@pytest.mark.parametrize("text", [
    "The letter came on 14/10/22 and I rang them the same day.",          # two-digit year: an appointment
    "My scan is on the 3rd of March 2026, finally.",                       # not a life's date
    "We had a party on the 5th of July 1948 when it all started, my mum said.",   # the NHS's birthday
    "It got worse around March 1990 I'd say.",                             # no day
])
def test_dates_that_are_no_one_s_birth_stay(det, text):
    assert not [t for t in types(det, text) if t[0] == "DATE_OF_BIRTH"]


def test_a_long_first_name_cut_short_is_still_that_person():
    known = Detector(known_names=["Bartholomew Quist-Adjei", "Evangelina Moss"], use_ner=False, reference_year=2026)
    assert ("PERSON", "Bart") in types(known, "Bart said at the start it's all optional anyway.")
    assert ("PERSON", "Evang") in types(known, "Sorry Evang, carry on.")
    assert types(known, "Evangelical churches do a lot round here.") == []       # a word, not the name cut


@pytest.mark.parametrize("text, name", [
    ("Ngozi, make sure that bit about the posters goes in.", "Ngozi"),
    ("Tadeusz, put me down as a no for the research.", "Tadeusz"),
])
def test_a_name_turned_to_with_a_request_is_hidden(det, text, name):
    assert ("PERSON", name) in types(det, text)


# ---- found on a fresh trial study (issue 12 session notes): details said the way people say them,
# here in other words, names and places than the trial's
@pytest.mark.parametrize("text, hidden, kind", [
    # a street without a house number, and the village it is in
    ("We're out on Tithe Barn Drove, Fenny Stanwick, miles from anywhere.", "Tithe Barn Drove", "ADDRESS"),
    ("We're out on Tithe Barn Drove, Fenny Stanwick, miles from anywhere.", "Fenny Stanwick", "LOCATION"),
    ("My sister lives on Pightle Close in Upper Hatherby, right by the church.", "Pightle Close", "ADDRESS"),
    ("My sister lives on Pightle Close in Upper Hatherby, right by the church.", "Upper Hatherby", "LOCATION"),
    # a record number a clause or a sentence away from its cue, or by its shape alone
    ("The clinic gave me my hospital number, it's on the fridge, W4418820, so I quote it.", "W4418820",
     "HOSPITAL_NUMBER"),
    ("I've got two patient numbers, which is half the trouble. 6620193 is the one they use.", "6620193",
     "HOSPITAL_NUMBER"),
    ("Mine's on the card, RX2094417, I read it out every time.", "RX2094417", "HOSPITAL_NUMBER"),
    # a phone number read out with "hundred" in it
    ("Ring me on oh one four eight three, seven hundred, double two five.",
     "oh one four eight three, seven hundred, double two five", "PHONE"),
    # a postcode district said where someone lives
    ("I'm over in Ipswich, east side, IP3, so the hospital is close.", "IP3", "POSTCODE"),
    # a small workplace named
    ("I work at Pennyroyal Print, the little printers by the station, only three of us.", "Pennyroyal Print",
     "LOCATION"),
    # an age said back as a sentence of its own
    ("She's still going. Ninety-seven! Sharp as anything.", "Ninety-seven", "AGE_OVER_89"),
])
def test_details_said_the_way_people_say_them_are_hidden(det, text, hidden, kind):
    assert (kind, hidden) in types(det, text)


@pytest.mark.parametrize("text", [
    "I work for the NHS and I work at Tesco at weekends.",
    "We live on Universal Credit in a tiny flat.",
    "It took a hundred emails; CO2 and B12 came up; the A14 was shut.",
    "Between 1,250,000 and 2,000,000 records, 12.5% of them; version 2026-03-01.",
    "One, two, three, four, five, six: that's how many forms.",
])
def test_talk_that_only_looks_like_those_details_stays(det, text):
    assert redacted(det, text) == text


def test_a_nickname_someone_is_called_by_is_a_name(det):
    assert redacted(det, "It's Przemysław really, but everyone calls me Przemek.") == \
        "It's [PERSON_1] really, but everyone calls me [PERSON_2]."
    assert "Tosh" not in redacted(det, "He's known as Tosh round here.")


def test_public_figures_named_in_full_stay(det):
    text = "I didn't trust Matt Hancock with it, and Wes Streeting says the same things."
    assert redacted(det, text) == text


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    "They moved me to St Bartholomew's for the scan.",
    "Saint Gregory's hospice were so kind to my mum.",
    "The letter came from St Anselm Hospital, not the GP.",
])
def test_a_saint_naming_a_hospital_or_hospice_is_no_person(ner_det, text):
    assert redacted(ner_det, text) == text


@pytest.mark.slow
def test_a_person_whose_name_starts_with_saint_is_still_hidden(ner_det):
    assert "Okafor" not in redacted(ner_det, "Ask Saint John Okafor at the desk, he sorts the records.")


# ---- found on a second fresh trial (trial5, measured before these rules were written): in other words here
@pytest.mark.parametrize("text, hidden, kind", [
    ("My post never comes. I'm in the rooms over the chip shop on Marlpit Road and it goes next door.",
     "Marlpit Road", "ADDRESS"),
    ("Mum's in Larkrise Lodge now, out past the bypass, and they fax her notes.", "Larkrise Lodge", "LOCATION"),
    ("I pack boxes at Stonebridge Fresh Foods, early shifts.", "Stonebridge Fresh Foods", "LOCATION"),
    ("It's oh one six oh three... four four one... nine two seven.", "oh one six oh three... four four one... nine two seven",
     "PHONE"),
    ("Put it down as P E seven, three B Q, they never get it right.", "P E seven, three B Q", "POSTCODE"),
    ("Write to me at tasha dot grey forty-two at yahoo dot co dot uk.", "tasha dot grey forty-two at yahoo dot co dot uk",
     "EMAIL"),
])
def test_more_details_said_the_way_people_say_them_are_hidden(det, text, hidden, kind):
    assert (kind, hidden) in types(det, text)


@pytest.mark.parametrize("text, gone", [
    ("That's all from me for now, thanks. Cheers for listening, Ffion.", "Ffion"),
    ("He's ninety-one. Bartholomew. Still does the crossword.", "Bartholomew"),
    ("Surname's Heron, like the bird.", "Heron"),
])
def test_a_name_said_in_passing_at_the_end_or_alone_or_spelled_is_hidden(det, text, gone):
    assert gone not in redacted(det, text)


@pytest.mark.parametrize("text", [
    "The meeting was at Somerset House, the hospital is on Hills Road, I live in Bury St Edmunds.",
    "Brilliant. Norwich. Thanks.",
    "He swims like the fish, that one. Runs like the wind.",
])
def test_public_places_towns_and_similes_stay(det, text):
    assert redacted(det, text) == text


def test_a_chain_where_someone_shops_and_letters_that_are_no_postcode_stay(det):
    for text in ("I get my pills at Boots Pharmacy on the high street.", "It was a two, three b c sort of thing."):
        assert redacted(det, text) == text


@pytest.mark.parametrize("text, place", [
    ("Our bungalow's just outside Wattisfield, so the bus is twice a day.", "Wattisfield"),
    ("We're the third house before you get to Great Glemham, by the pond.", "Great Glemham"),
])
def test_a_small_place_said_as_where_someone_lives_is_hidden(det, text, place):
    assert ("LOCATION", place) in types(det, text)


@pytest.mark.parametrize("text", [
    "I live in Lowestoft now and my sister lives near Bury St Edmunds.",
    "We live in London but my mum lives in Poland.",
    "I'm at Boots on Tuesdays and I'm in Norwich on Fridays.",
])
def test_towns_countries_and_where_someone_shops_stay(det, text):
    assert redacted(det, text) == text


# ---- found on a third fresh trial (trial6, measured before these rules): in other words here
@pytest.mark.parametrize("text, hidden, kind", [
    ("The hospital wrote to Bramblewick Cottage for a year after we moved.", "Bramblewick Cottage", "ADDRESS"),
    ("my nan ezinne's tablets got mixed up with someone else's", "ezinne", "PERSON"),
    ("registered at thornwell surgery for 30 yrs and they still get my name wrong", "thornwell", "LOCATION"),
    ("I'm a lollipop man for Hollowfield Juniors, so the parents all know me.", "Hollowfield Juniors", "LOCATION"),
    ("Ngozi's a carer at the home, she sees everything.", "Ngozi", "PERSON"),
])
def test_details_typed_and_said_in_passing_are_hidden(det, text, hidden, kind):
    assert (kind, hidden) in types(det, text)


@pytest.mark.parametrize("text", [
    "I'm a student at Anglia Ruskin and a nurse at Addenbrooke's.",
    "My mum cried, my sister would, and at the local surgery they know.",
])
def test_allowed_places_students_and_verbs_after_a_relation_stay(text):
    detector = Detector(allow_list=[*DEFAULT_ALLOW_LIST, "Anglia Ruskin"], use_ner=False, reference_year=2026)
    assert redacted(detector, text) == text


# ---- found on a fourth fresh trial (trial7, measured before these rules; three reached the published
# report and the leak check passed them): in other words here
@pytest.mark.parametrize("text, hidden, kind", [
    # speech-to-text writes a postcode's area apart from its district
    ("They've still got me at PE 13 4WX, which is the old flat.", "PE 13 4WX", "POSTCODE"),
    ("new one is co 10 2hb if that helps", "co 10 2hb", "POSTCODE"),
    # a care home named after a relation's possessive
    ("My father-in-law's in Ashcombe Lodge and nobody there can see his GP notes.", "Ashcombe Lodge", "LOCATION"),
    # a relation's home in a small place
    ("We spend Sundays at my auntie's in Upper Brankham.", "Upper Brankham", "LOCATION"),
    # a lower-case name with something said of them, and one signing off a survey answer
    ("my daughter kiera has epilepsy and every a&e asks the same questions", "kiera", "PERSON"),
    ("please just ask first - dariusz", "dariusz", "PERSON"),
    # where someone works, with the shift said, and a job with "the"
    ("I work weekends at Hargreaves & Lunn, the printers by the station.", "Hargreaves & Lunn", "LOCATION"),
    ("I'm the sexton at Marlow & Finch, so I see the end of it all.", "Marlow & Finch", "LOCATION"),
    # a street type said the northern way, and a number read out with "-hundred"
    ("Is it still 4 Tanners Fold?", "4 Tanners Fold", "ADDRESS"),
    ("ring me on oh-seven-seven-hundred, nine hundred, five-five-eight", "oh-seven-seven-hundred, nine hundred, five-five-eight",
     "PHONE"),
])
def test_details_from_the_fourth_trial_are_hidden(det, text, hidden, kind):
    assert (kind, hidden) in types(det, text)


@pytest.mark.parametrize("text", [
    "My sister's in Cambridgeshire and her GP can't see her hospital notes.",
    "my son's in Year Six and his school nurse asked for his records.",
    "My husband's in Intensive Care and they need everything.",
    "my son is autistic and nobody joins anything up",
    "It was fine - thanks",
    "I'm the manager at Tesco, so I know about data.",
    "I work part-time for Suffolk County Council.",
    "Ring me at 3pm or 4pm, whichever.",
    "You sign the form, tick the box, and Bob's your uncle, it's shared with everyone.",
    "It was the same with Dad, the care home never had his new tablets.",
])
def test_counties_school_years_wards_and_big_employers_stay(det, text):
    assert redacted(det, text) == text


@pytest.mark.parametrize("text, kept", [
    ("Originally from Cork, me, so the weather here is nothing.", "Cork"),   # the NER's person, without the rule
    ("My wife was born in Kumasi and she still can't get her records from there.", "Kumasi"),
])
def test_where_someone_comes_from_is_a_place_not_a_person(ner_det, text, kept):
    assert kept in redacted(ner_det, text)


# ---- found on a fifth fresh trial (trial8, measured before these rules): in other words here
@pytest.mark.parametrize("text, hidden", [
    ("Our youngest is at Brackenfield, the juniors by the roundabout, and the school nurse asked for it.",
     "Brackenfield"),
    ("We're all registered with Saltmarsh, the surgery behind the Co-op.", "Saltmarsh"),
])
def test_a_school_or_surgery_named_then_said_what_it_is_is_hidden(det, text, hidden):
    assert hidden not in redacted(det, text)


def test_a_user_name_label_gives_the_name_it_starts_with():
    from engagement.ingest.sessions import names_from_labels

    detector = Detector(known_names=names_from_labels(["kemi.b"]), allow_list=DEFAULT_ALLOW_LIST, use_ner=False,
                        reference_year=2026)
    assert "kemi" not in redacted(detector, "I agree with kemi.b on that, and Kemi said it first.").casefold()


@pytest.mark.parametrize("text", [
    "My NHS number's on the card, 485 777 34 57, if you need it.",   # the check digit holds
    "It's 48 57 77 34 57 on the letter.",
])
def test_an_nhs_number_grouped_any_way_is_hidden(det, text):
    assert ("NHS_NUMBER" in {t for t, _ in types(det, text)}) and "34 57" not in redacted(det, text)


def test_ten_digits_that_fail_the_check_or_are_years_stay(det):
    for text in ("We paid 1200 3400 5600 over the years.", "Between 2019 2020 2021 and 2022 it got worse."):
        assert redacted(det, text) == text
