"""Semantic layer: paraphrases without a keyword get the code with their nearest examples as evidence,
rule hits keep their words, thresholds come from the codebook, and stance hears conditions, contrast,
double negation and stories. Sentences here were written for the tests, not used for tuning."""

from __future__ import annotations

from pathlib import Path

import pytest

from engagement.coding.codebook import autocode, load_codebook, segments_from_texts
from engagement.coding.stance import classify_stance
from engagement.schemas import validate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def book():
    return load_codebook("default")


@pytest.fixture(scope="module")
def semantic():
    from engagement.coding import semantic as sem

    return sem


def coded(sem, book, text):
    return sem.semantic_codings(segments_from_texts([text]), book)


@pytest.mark.parametrize("text, code", [
    ("Those outfits over in Silicon Valley would love to get their hands on all that.", "commercial_companies"),
])
def test_a_paraphrase_without_a_keyword_gets_the_code_with_its_nearest_examples(semantic, book, text, code):
    assert code not in set(autocode(segments_from_texts([text]), book)["code"])
    got = coded(semantic, book, text)
    row = got[got["code"] == code]
    assert len(row) == 1 and row["source"].iloc[0] == "semantic"
    evidence = row["evidence"].iloc[0].split(" | ")
    assert len(evidence) == 2 and all(e.startswith('≈ "') for e in evidence)
    sims = [float(e.rsplit("(", 1)[1].rstrip(")")) for e in evidence]
    assert sims == sorted(sims, reverse=True) and 0 < sims[1] <= 1


def test_a_rule_hit_keeps_source_rule_and_its_words(semantic, book):
    got = coded(semantic, book, "They'll flog it to the Americans.")
    rule = got[got["code"] == "commercial_selling"]
    assert rule["source"].tolist() == ["rule"] and rule["evidence"].tolist() == ["flog it"]
    assert set(got["source"]) <= {"rule", "semantic"}


def test_small_talk_gets_no_semantic_code(semantic, book):
    got = semantic.semantic_codings(segments_from_texts(["Shall I put the kettle on?", "Yes please.",
                                                         "The car park was full again this morning."]), book)
    assert got.empty


def test_combined_codings_keep_the_schema_columns_and_score_range(semantic, book):
    got = coded(semantic, book, "My records went to the wrong surgery and nobody could tell me who had read them.")
    assert list(got.columns) == ["segment_id", "code", "theme", "source", "evidence", "score"]
    assert got["score"].between(0, 1).all()
    validate(got.assign(source="rule"), "codings")


def test_thresholds_are_versioned_with_the_codebook_and_listed_for_the_method(semantic, book):
    table = semantic.thresholds_table(book)
    assert set(table["code"]) == set(book.codes)
    assert table["threshold"].between(0.05, 1).all()
    assert table.attrs["codebook_version"] == book.version
    assert semantic.thresholds_of(book) == dict(zip(table["code"], table["threshold"]))


def test_a_threshold_for_an_unknown_code_names_the_codebook(tmp_path):
    from engagement.coding.codebook import DEFAULT_CODEBOOK
    from engagement.errors import CodebookError

    bad = tmp_path / "book.yaml"
    bad.write_text(DEFAULT_CODEBOOK.read_text(encoding="utf-8").split("\nsemantic:")[0]
                   + "\nsemantic:\n  thresholds:\n    no_such_code: {threshold: 0.5}\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="unknown code 'no_such_code'"):
        load_codebook(bad)


@pytest.mark.parametrize("text, expected", [
    ("Long as they ask me first.", "conditional_support"),
    ("I'm alright with it if my name's taken off.", "conditional_support"),
    ("They'd need to show me who sees it before I'd say yes.", "conditional_support"),
    ("I'd trust it more if there was someone independent checking.", "conditional_support"),
    ("As long as it stays with the NHS, then I'm fine with it.", "conditional_support"),
    ("It's not the research I'm wary of, it's the selling.", "concern"),
    ("It isn't the doctors that bother me, it's the insurance firms.", "concern"),
    ("I can't see why anyone wouldn't want the ambulance crew to know their allergies.", "support"),
    ("Oh brilliant, another computer system, what could possibly go wrong.", "concern"),
])
def test_stance_hears_conditions_contrast_double_negation_and_sarcasm(text, expected):
    assert classify_stance(segments_from_texts([text]))["stance"].iloc[0] == expected


def test_contrast_about_selling_is_concern_coded_commercial(semantic, book):
    seg = segments_from_texts(["It's not the research I'm wary of, it's the selling."])
    codings = semantic.semantic_codings(seg, book)
    assert "commercial" in set(codings["theme"])
    assert classify_stance(seg, codings)["stance"].iloc[0] == "concern"


def test_learned_stance_is_listed_and_speaks_only_when_the_cues_are_silent(semantic):
    import pandas as pd

    seg = segments_from_texts(["My sister's scan results got posted to a stranger two streets away.",
                               "I'm happy to share it."])
    learned = semantic.stance_probabilities(seg)
    assert set(learned.columns) == {"concern", "support", "conditional_support", "mixed", "neutral"}
    assert all("learned: " in c for c in classify_stance(seg, learned=learned)["cues"])
    sure = pd.DataFrame({"concern": [0.9, 0.9], "support": [0.0, 0.0], "conditional_support": [0.0, 0.0],
                         "mixed": [0.05, 0.05], "neutral": [0.05, 0.05]}, index=seg["segment_id"])
    got = classify_stance(seg, learned=sure, override=0.5)
    assert got["stance"].tolist() == ["concern", "support"]   # the cues of the second decide


def test_a_one_sided_cue_becomes_mixed_only_when_the_learned_stance_hears_both_sides():
    import pandas as pd

    seg = segments_from_texts(["Saves my mum repeating herself every visit, although I'd hate the insurers getting hold of it.",
                               "I'd hate the insurers getting hold of it."])
    probs = pd.DataFrame({"concern": [0.3, 0.8], "support": [0.1, 0.05], "conditional_support": [0.05, 0.05],
                          "mixed": [0.5, 0.05], "neutral": [0.05, 0.05]}, index=seg["segment_id"])
    cued = classify_stance(seg, learned=probs, mixed=None)["stance"].tolist()
    assert cued == ["concern", "concern"]   # the cues hear "hate", not the saved retelling
    got = classify_stance(seg, learned=probs, mixed=0.45)
    assert got["stance"].tolist() == ["mixed", "concern"]
    assert "learned: mixed 0.50, not only concern" in got["cues"].iloc[0]
    # one clause has nowhere for a second side to stand: the cues' side stays
    one = segments_from_texts(["I trust the doctors."])
    sure = pd.DataFrame({"concern": [0.1], "support": [0.2], "conditional_support": [0.05], "mixed": [0.6],
                         "neutral": [0.05]}, index=one["segment_id"])
    assert classify_stance(one, learned=sure, mixed=0.45)["stance"].tolist() == ["support"]


def test_the_learned_stance_reads_phrases_and_works_from_a_handful_of_own_examples(semantic):
    import numpy as np

    clf = semantic.stance_classifier()
    assert clf.phrases is not None and "no brainer" in clf.phrases.vocabulary_
    with pytest.raises(ValueError, match="texts"):
        clf.predict(np.zeros((1, 384), dtype=np.float32))
    own = {"stance": {"concern": ["I hate it.", "Never.", "Not with my data.", "No way."],
                      "support": ["Fine by me.", "Go ahead.", "Brilliant idea.", "Yes please."]}}
    small = semantic.stance_classifier(examples=own)   # no phrase occurs twice: embeddings alone
    assert small.phrases is None and small.labels == ["concern", "support"]


def test_thresholds_are_shrunk_towards_the_global_one_and_written_with_it(book):
    from engagement.coding.semantic import thresholds_table

    table = thresholds_table()
    block = book.semantic
    assert 0 < block["global_threshold"] < 1 and block["shrink"] > 0
    fitted = table[table["threshold_own"].notna() & (table["threshold"] < 1)]
    g = block["global_threshold"]
    # every shrunk threshold lies between the code's own choice and the global one
    lo = fitted[["threshold_own"]].assign(g=g).min(axis=1) - 0.006
    hi = fitted[["threshold_own"]].assign(g=g).max(axis=1) + 0.006
    assert fitted["threshold"].between(lo, hi).all()
    assert "dev_reference.csv" in block["chosen_on"]


def test_no_code_examples_are_negatives_for_every_code():
    from engagement.coding.semantic import training_sets

    examples = {"codes": {"a": {"positive": ["x1", "x2"], "negative": ["n1"]}, "b": {"positive": ["y1"]}},
                "none": ["small talk"]}
    texts, y, near = training_sets(examples, ["a", "b"])
    i = texts.index("small talk")
    assert y[i].sum() == 0 and near[i] == -2


def test_a_labelled_utterance_teaches_every_code_it_carries_and_none_it_does_not(tmp_path):
    import numpy as np

    from engagement.coding import semantic as S

    examples = {"codes": {"a": {"positive": ["x1"]}, "b": {"positive": ["y1"]}, "c": {"positive": ["z1"]}},
                "labelled": [{"text": "both a and b", "codes": ["a", "b", "not-a-code"]},
                             {"text": "background, no code", "codes": []}]}
    texts, y, near = S.training_sets(examples, ["a", "b", "c"])
    both, none = texts.index("both a and b"), texts.index("background, no code")
    assert y[both].tolist() == [1, 1, 0] and near[both] == -1
    assert y[none].sum() == 0 and near[none] == -2
    # quoted as evidence under each of its codes
    thrice = {**examples, "codes": {k: {"positive": v["positive"] * 3} for k, v in examples["codes"].items()}}
    n = len(S.training_sets(thrice, ["a", "b", "c"])[0])
    clf = S.fit_classifiers(thrice, ["a", "b", "c"], np.random.default_rng(0).normal(size=(n, 8)))
    owners = {clf.codes[o] for t, o in zip(clf.texts, clf.owner) if t == "both a and b"}
    assert owners == {"a", "b"}
    # the bundled examples carry the hand-coded development utterances; a project's own file only its own
    bundled = S.load_examples()
    assert len(bundled["labelled"]) > 500 and all("text" in item and "codes" in item for item in bundled["labelled"])
    own = tmp_path / "examples.yaml"
    own.write_text("codes:\n  a:\n    positive: [x1]\n", encoding="utf-8")
    assert "labelled" not in S.load_examples(own)


def test_the_code_classifiers_read_words_beside_meaning(semantic, book):
    import numpy as np

    clf = semantic.classifiers_for(book)
    assert clf.phrases is not None and clf.phrase_weight > 0
    assert {"receptionist", "big brother", "opt out"} <= set(clf.phrases.vocabulary_)
    with pytest.raises(ValueError, match="texts"):
        clf.predict(np.zeros((1, 384), dtype=np.float32))
    # a researcher's handful of own examples: no phrase occurs twice, the embeddings decide alone
    own = {"codes": {"a": {"positive": ["Alpha one.", "Beta two.", "Gamma three."]},
                     "b": {"positive": ["Delta four.", "Epsilon five.", "Zeta six."]}}}
    texts, _, _ = semantic.training_sets(own, ["a", "b"])
    small = semantic.fit_classifiers(own, ["a", "b"], semantic.embed_texts(texts))
    assert small.phrases is None and small.predict(semantic.embed_texts(["Eta seven."])).shape == (1, 2)


def test_learned_stance_learns_from_the_labelled_development_utterances_too(semantic):
    texts, labels = semantic.stance_training()
    examples = semantic.load_examples()["stance"]
    n_examples = sum(len(v) for v in examples.values())
    assert len(texts) == len(labels) > n_examples + 300
    assert set(labels) == set(examples)
    assert len(set(texts)) == len(texts)
    # a researcher's own examples are used alone: the bundled utterances belong to the bundled examples
    own = {"stance": {"concern": ["a", "b"], "support": ["c", "d"]}}
    assert semantic.stance_training(own) == (["a", "b", "c", "d"], ["concern", "concern", "support", "support"])


@pytest.mark.parametrize("name", ["data/stance_training.csv", "data/stance.yaml", "data/examples.yaml", "matching.py"])
def test_editing_what_coding_learns_or_leans_from_invalidates_cached_codings(tmp_path, monkeypatch, name):
    import shutil

    from engagement.coding import run

    here = Path(run.__file__).parent
    shutil.copytree(here, tmp_path / "coding", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(run, "__file__", str(tmp_path / "coding" / "run.py"))
    seg = segments_from_texts(["I'm happy to share it."])
    book = load_codebook("default")
    before = run._coding_cache_key(seg, book, semantic=True)
    with open(tmp_path / "coding" / name, "a", encoding="utf-8") as fh:
        fh.write("\n# edited\n" if not name.endswith(".csv") else "\n")
    assert run._coding_cache_key(seg, book, semantic=True) != before


def test_pruning_the_embedding_cache_keeps_the_learned_stances_training_vectors(tmp_path, semantic):
    """Else every code run would embed the training utterances again and prune them once more."""
    import numpy as np

    from engagement.coding import embeddings as E
    from engagement.coding.run import embedding_texts

    texts, _ = semantic.stance_training()
    cache = E.EmbeddingCache(tmp_path, E.MINILM_ID)
    keys, _ = cache.lookup(texts + ["A sentence nobody said in this study."])
    cache.add(keys, np.zeros((len(keys), 384), dtype=np.float32))
    cache.save()
    seg = segments_from_texts(["I'm happy to share it."])
    assert E.prune_cache(tmp_path, embedding_texts(seg)) == 1
    kept, missing = E.EmbeddingCache(tmp_path, E.MINILM_ID).lookup(texts)
    assert not missing
