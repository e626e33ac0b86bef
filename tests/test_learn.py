"""engagement.coding.learn: labelled CSV round trip, bad inputs, learned codings, active-learning order."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engagement.cli import main
from engagement.coding.active import rank_for_labelling
from engagement.coding.learn_project import learn_project

TOPICS = {
    "waiting": ["We waited four hours in the waiting room", "The wait for the ambulance was far too long",
                "Waiting times for an appointment are terrible", "I waited weeks for a call back",
                "Long wait before anyone saw me", "The delay and the waiting were awful"],
    "staff": ["The nurses were kind and caring", "Staff were friendly and helpful throughout",
              "The doctor was rude and dismissive", "Lovely staff, very caring nurses",
              "The receptionist was friendly", "Kind staff who listened to me"],
    "parking": ["Parking at the hospital is impossible", "The car park costs too much",
                "Could not find a parking space", "Parking fees are a disgrace",
                "No parking near the clinic", "The car park was full again"],
}


def labelled_rows() -> list[tuple[str, str, str]]:
    rows = []
    for code, texts in TOPICS.items():
        for i, text in enumerate(texts):
            rows.append((f"C-{code}-{i}", text, code))
    rows.append(("C-both-0", "Kind nurses but we waited four hours", "staff;waiting"))
    rows.append(("C-both-1", "Friendly staff, shame about the long wait", "staff;waiting"))
    return rows


def write_csv(path: Path, header: str, rows: list[tuple]) -> Path:
    frame = pd.DataFrame(rows, columns=header.split(","))
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def tfidf_project(tmp_path: Path) -> Path:
    (tmp_path / "engagement.yaml").write_text("project: t\nsegmentation: blank\ntopics:\n  embedding: tfidf\n")
    return tmp_path / "engagement.yaml"


def run_csv(config: Path, tmp_path: Path) -> pd.DataFrame:
    train = write_csv(tmp_path / "coded.csv", "id,text,labels", labelled_rows())
    predict = write_csv(tmp_path / "texts.csv", "id,text", [
        ("N1", "We waited hours for the ambulance"), ("N2", "The nurses were so kind"),
        ("N3", "Parking was impossible and the car park was full"), ("N4", "Long wait, friendly staff")])
    out = tmp_path / "pred.csv"
    assert main(["--config", str(config), "learn", "--train", str(train), "--predict", str(predict),
                 "-o", str(out)]) == 0
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def test_csv_round_trip_writes_labels_probabilities_and_evidence_from_the_training_file(tfidf_project, tmp_path,
                                                                                      capsys):
    pred = run_csv(tfidf_project, tmp_path)
    assert list(pred.columns) == ["id", "labels", "probabilities", "nearest", "similarity"]
    assert pred["id"].tolist() == ["N1", "N2", "N3", "N4"]
    train_ids = {r[0] for r in labelled_rows()}
    for _, row in pred.iterrows():
        probs = json.loads(row["probabilities"])
        assert set(probs) == set(TOPICS)
        assert all(0.0 <= p <= 1.0 for p in probs.values())
        assert row["labels"]  # every training text has a code, so every prediction gets one
        assert set(row["labels"].split(";")) <= set(TOPICS)
        near = row["nearest"].split(";")
        assert len(near) == 2 and set(near) <= train_ids
    assert pred.set_index("id").loc["N3", "labels"] == "parking"
    assert "learned 3 labels from 20 texts" in capsys.readouterr().out


@pytest.mark.parametrize("header,rows,line,words", [
    ("id,words,labels", [("a", "x", "staff")], 1, "missing column(s) text"),
    ("id,text,labels", [("a", "fine", "staff"), ("b", "  ", "staff")], 3, "empty text"),
    ("id,text,labels", [("a", "fine", "staff"), ("b;c", "ok", "staff")], 3, "has a ';'"),
    ("id,text,labels", [("a", "fine", "staff"), ("a", "ok", "staff")], 3, "repeats line 2"),
    ("id,text,labels", [("a", "fine", "staff"), ("", "ok", "staff")], 3, "empty id"),
])
def test_bad_training_file_stops_with_one_line_naming_file_and_row(tfidf_project, tmp_path, capsys, header, rows,
                                                                     line, words):
    train = write_csv(tmp_path / "coded.csv", header, rows)
    predict = write_csv(tmp_path / "texts.csv", "id,text", [("N1", "text")])
    code = main(["--config", str(tfidf_project), "learn", "--train", str(train), "--predict", str(predict),
                 "-o", str(tmp_path / "pred.csv")])
    err = capsys.readouterr().err.strip()
    assert code != 0 and "\n" not in err and "Traceback" not in err
    assert f"{train}:{line}: " in err and words in err
    assert not (tmp_path / "pred.csv").exists()


def test_bad_prediction_file_names_the_file_and_row(tfidf_project, tmp_path, capsys):
    train = write_csv(tmp_path / "coded.csv", "id,text,labels", labelled_rows())
    predict = write_csv(tmp_path / "texts.csv", "id,text", [("N1", "text"), ("N2", "")])
    assert main(["--config", str(tfidf_project), "learn", "--train", str(train), "--predict", str(predict),
                 "-o", str(tmp_path / "pred.csv")]) != 0
    assert f"{predict}:3: empty text" in capsys.readouterr().err


def test_predict_without_train_is_a_user_error(tfidf_project, tmp_path, capsys):
    assert main(["--config", str(tfidf_project), "learn", "--predict", str(tmp_path / "x.csv")]) != 0
    assert "go together" in capsys.readouterr().err


# ------------------------------------------------------------------ a project's human codings

def segments_table(texts: list[str]) -> pd.DataFrame:
    """A segments table, one interview turn per text (built by hand: no spaCy import in these tests)."""
    return pd.DataFrame([{
        "segment_id": f"S1-T{i:04d}-S00", "session_id": "S1", "turn_index": i, "participant_id": "S1-P01",
        "role": "participant", "region": "Essex", "kind": "interview", "text": t, "tokens": t, "lemmas": t.lower(),
        "start_char": 0, "end_char": len(t), "n_words": len(t.split())} for i, t in enumerate(texts)])


def project_tables(tmp_path: Path, config: Path, *, min_parking: int = 6):
    from engagement.config import load_config
    from engagement.io import write_table

    cfg = load_config(config)
    rows = labelled_rows()
    texts = [t for _, t, _ in rows] + ["The wait in A&E was endless", "Parking charges again", "Nice nurses",
                                       "Welcome, let us start"]
    seg = segments_table(texts)
    seg.loc[seg.index[-1], "role"] = "facilitator"
    human = [{"segment_id": seg["segment_id"].iloc[i], "code": code, "theme": f"theme_{code}", "source": "human",
              "evidence": "", "score": 1.0}
             for i, (_, _, labels) in enumerate(rows) for code in labels.split(";")
             if not (code == "parking" and int(rows[i][0].rsplit("-", 1)[1]) >= min_parking)]
    write_table(seg, "segments", cfg.table_path("segments"))
    write_table(pd.DataFrame(human), "codings", cfg.table_path("codings"))
    return cfg, seg, pd.DataFrame(human)


def test_project_learn_writes_learned_codings_for_uncoded_participant_segments(tfidf_project, tmp_path):
    from engagement.io import read_table

    cfg, seg, _ = project_tables(tmp_path, tfidf_project)
    summary = learn_project(cfg)
    learned = read_table("codings", cfg.processed_dir / "learned_codings.parquet")
    assert summary["training"] == 20 and summary["candidates"] == 3
    assert set(learned["source"]) == {"learned"}
    assert set(learned["segment_id"]) <= set(seg["segment_id"].iloc[20:23])
    assert learned["score"].between(0, 1).all()
    assert learned["evidence"].str.fullmatch(r"nearest: \S+, \S+ \(sim -?[\d.]+, -?[\d.]+\)").all()
    assert set(learned["theme"]) <= {"theme_waiting", "theme_staff", "theme_parking"}


def test_project_learn_says_which_codes_had_too_few_human_codings(tfidf_project, tmp_path, capsys):
    project_tables(tmp_path, tfidf_project, min_parking=2)
    assert main(["--config", str(tfidf_project), "learn"]) == 0
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1, out
    assert "from 16 human-coded segments" in out
    assert "skipped parking (2 positive(s), needs 3)" in out


def analysis_with(cfg, codings: pd.DataFrame, learned: pd.DataFrame | None, segment_ids: list[str]):
    from engagement.analysis.loader import Analysis

    empty = pd.DataFrame()
    return Analysis(cfg, empty, empty, pd.DataFrame({"segment_id": segment_ids}), empty, codings, empty, empty,
                    empty, learned=learned)


@pytest.mark.parametrize("learned_on", [False, True])
def test_learned_codings_reach_rule_codings_only_when_the_config_turns_them_on(tfidf_project, learned_on):
    from engagement.config import load_config

    cfg = load_config(tfidf_project).with_overrides(coding={"learned": learned_on})
    cols = ["segment_id", "code", "theme", "source", "evidence", "score"]
    codings = pd.DataFrame([("S1", "a", "t", "rule", "word", 0.9), ("S2", "b", "t", "topic", "", 0.5)], columns=cols)
    learned = pd.DataFrame([("S1", "a", "t", "learned", "nearest: X, Y (sim 0.8, 0.7)", 0.8),
                            ("S3", "a", "t", "learned", "nearest: X, Y (sim 0.8, 0.7)", 0.7),
                            ("GONE", "a", "t", "learned", "nearest: X, Y (sim 0.8, 0.7)", 0.7)], columns=cols)
    rc = analysis_with(cfg, codings, learned, ["S1", "S2", "S3"]).rule_codings
    expected = [("S1", "rule")] + ([("S3", "learned")] if learned_on else [])
    assert list(zip(rc["segment_id"], rc["source"])) == expected


# ------------------------------------------------------------------ active learning

def test_rank_returns_every_uncoded_participant_segment_once_and_is_deterministic(tfidf_project, tmp_path):
    cfg, seg, human = project_tables(tmp_path, tfidf_project)
    first = rank_for_labelling(seg, human, cfg)
    assert sorted(first) == sorted(seg["segment_id"].iloc[20:23])
    assert rank_for_labelling(seg, human, cfg) == first
    assert rank_for_labelling(seg, human, cfg, k=2) == first[:2]


def test_rank_without_human_codings_is_a_diverse_order_of_every_candidate(tfidf_project, tmp_path):
    cfg, seg, human = project_tables(tmp_path, tfidf_project)
    none = human.iloc[0:0]
    order = rank_for_labelling(seg, none, cfg)
    participants = seg.loc[seg["role"] == "participant", "segment_id"]
    assert sorted(order) == sorted(participants) and len(order) == len(set(order))
    assert rank_for_labelling(seg, none, cfg) == order
    # cluster representatives first: the first three come from three different topics
    topic = {sid: text for sid, text in zip(seg["segment_id"], seg["text"])}
    firsts = {next(c for c, texts in TOPICS.items() if topic[s] in texts) for s in order[:10] if
              any(topic[s] in texts for texts in TOPICS.values())}
    assert len(firsts) == 3


def test_rank_puts_uncertain_segments_before_confident_ones(tfidf_project):
    from engagement.config import load_config

    cfg = load_config(tfidf_project)
    rng = np.random.default_rng(0)
    e = np.eye(8)

    def unit(v):
        return v / np.linalg.norm(v)

    rows, vectors, human = [], {}, []
    for i in range(6):
        for code, word, axis in (("a", "alpha", 0), ("b", "beta", 1)):
            sid = f"T-{code}{i}"
            rows.append((sid, f"{word} {word} {word}"))
            vectors[sid] = unit(e[axis] + 0.05 * rng.normal(size=8))
            human.append((sid, code, code))
    for i in range(3):
        for code, word, axis in (("a", "alpha", 0), ("b", "beta", 1)):
            sid = f"SURE-{code}{i}"
            rows.append((sid, f"{word} {word} {word}"))
            vectors[sid] = unit(e[axis] + 0.05 * rng.normal(size=8))
        sid = f"UNSURE-{i}"
        rows.append((sid, "alpha beta"))
        vectors[sid] = unit(e[0] + e[1] + 0.3 * e[2 + i])
    seg = pd.DataFrame(rows, columns=["segment_id", "text"]).assign(role="participant")
    human = pd.DataFrame(human, columns=["segment_id", "code", "theme"])
    order = rank_for_labelling(seg, human, cfg, vectors=vectors)
    assert len(order) == 9
    assert all(s.startswith("UNSURE") for s in order[:3]), order


@pytest.mark.slow
def test_csv_round_trip_with_minilm(tmp_path):
    (tmp_path / "engagement.yaml").write_text("project: t\nsegmentation: blank\n")
    pred = run_csv(tmp_path / "engagement.yaml", tmp_path)
    assert pred.set_index("id").loc["N3", "labels"] == "parking"
    assert (tmp_path / "data" / "processed" / "cache" / "embeddings").is_dir()


def test_rejected_suggestions_in_the_human_store_are_negatives(tfidf_project, tmp_path):
    from engagement.coding import human
    from engagement.coding.learn_project import _stored_decisions

    cfg, seg, _ = project_tables(tmp_path, tfidf_project)
    target = seg.iloc[20]  # "The wait in A&E was endless": not coded in codings.parquet
    store = pd.DataFrame([{"segment_id": target["segment_id"], "code": "staff", "theme": "theme_staff",
                           "decision": "reject", "coder": "AB", "coded_at": "2026-12-01T10:00:00",
                           "text_hash": human.text_hash(target["text"]), "note": "", "sheet": "s.xlsx"}],
                         columns=human.HUMAN_COLUMNS)
    human.save_human_codings(cfg, store)
    _, rejected, reviewed = _stored_decisions(cfg, seg)
    assert reviewed == [target["segment_id"]]  # a rejection is a look at the segment
    assert rejected[["segment_id", "code"]].values.tolist() == [[target["segment_id"], "staff"]]
    summary = learn_project(cfg)
    assert summary["training"] == 21 and summary["candidates"] == 2



def store_rows(seg: pd.DataFrame, decisions: list[tuple[int, str, str]]) -> pd.DataFrame:
    from engagement.coding import human

    return pd.DataFrame([{"segment_id": seg["segment_id"].iloc[i], "code": code, "theme": f"theme_{code}",
                          "decision": decision, "coder": "AB", "coded_at": "2026-12-01T10:00:00",
                          "text_hash": human.text_hash(seg["text"].iloc[i]), "note": "", "sheet": "s.xlsx"}
                         for i, code, decision in decisions], columns=human.HUMAN_COLUMNS)


def test_reviewed_segments_are_negatives_for_every_code_the_coder_did_not_apply(tfidf_project, tmp_path):
    from engagement.coding import human
    from engagement.coding.learn_project import _stored_decisions, human_training

    cfg, seg, codings = project_tables(tmp_path, tfidf_project)
    # 21 "Parking charges again": reviewed, no code; 22 "Nice nurses": reviewed, staff added
    human.save_human_codings(cfg, store_rows(seg, [(21, human.REVIEWED_CODE, human.REVIEWED),
                                                   (22, human.REVIEWED_CODE, human.REVIEWED),
                                                   (22, "staff", "add")]))
    stored, _, reviewed = _stored_decisions(cfg, seg)
    assert reviewed == sorted(seg["segment_id"].iloc[[21, 22]])
    train = human_training(seg, pd.concat([codings, stored], ignore_index=True), reviewed=reviewed)
    y = dict(zip(train.ids, train.y.tolist()))
    assert y[seg["segment_id"].iloc[21]] == [0] * len(train.codes)
    assert y[seg["segment_id"].iloc[22]] == [int(c == "staff") for c in train.codes]
    summary = learn_project(cfg)
    assert summary["training"] == 22 and summary["candidates"] == 1  # only "The wait in A&E was endless" left


def test_rank_given_the_store_leaves_out_reviewed_segments_and_ignores_the_marks_as_codes(tfidf_project, tmp_path):
    from engagement.coding import human

    cfg, seg, _ = project_tables(tmp_path, tfidf_project)
    rows = labelled_rows()
    decisions = [(i, code, "add") for i, (_, _, labels) in enumerate(rows) for code in labels.split(";")]
    store = store_rows(seg, decisions + [(21, human.REVIEWED_CODE, human.REVIEWED), (0, "parking", "reject")])
    order = rank_for_labelling(seg, store, cfg)
    assert sorted(order) == sorted(seg["segment_id"].iloc[[20, 22]])
    assert rank_for_labelling(seg, store.iloc[0:0], cfg)  # an empty store: every participant segment, diverse


def test_learner_beats_predicting_the_commonest_label_on_a_small_synthetic_set():
    from sklearn.metrics import f1_score

    from engagement.coding.learn import embed, fit_labels, label_matrix

    rng = np.random.default_rng(7)
    words = {"waiting": ["wait", "queue", "delay", "hours"], "staff": ["nurse", "kind", "doctor", "rude"],
             "parking": ["parking", "car", "space", "fees"], "food": ["food", "meal", "tea", "cold"]}
    filler = ["the", "was", "really", "today", "very", "and", "we", "it", "again", "there"]
    texts, lists = [], []
    for _ in range(240):
        codes = sorted(set(rng.choice(list(words), size=rng.choice([1, 1, 2]), p=[0.4, 0.3, 0.2, 0.1])))
        tokens = [w for c in codes for w in rng.choice(words[c], size=2, replace=False)]
        tokens += list(rng.choice(filler, size=4))
        texts.append(" ".join(rng.permutation(tokens)))
        lists.append(codes)
    y, labels = label_matrix(lists)
    vecs = embed(texts, "tfidf")
    model = fit_labels(texts[:160], vecs[:160], y[:160], labels, n_jobs=1)
    probs = model.predict_proba(texts[160:], vecs[160:])
    assert ((probs >= 0) & (probs <= 1)).all()
    ours = f1_score(y[160:], model.decide(probs), average="micro")
    commonest = np.zeros_like(y[160:])
    commonest[:, y[:160].sum(0).argmax()] = 1
    assert ours > f1_score(y[160:], commonest, average="micro") + 0.3


def test_the_measures_count_added_and_learned_codes_but_never_topics():
    """A code a researcher added on a sheet, or that `engagement learn` suggested (once turned on),
    raises the theme's count of people; a topic never does."""
    from engagement.analysis.measures import theme_prevalence

    people = [f"P{i}" for i in range(6)]
    segments = pd.DataFrame({"segment_id": [f"S{i}" for i in range(6)], "participant_id": people,
                             "session_id": ["A", "A", "A", "B", "B", "B"], "region": "Essex", "kind": "focus_group",
                             "role": "participant", "text": "some words here about it", "turn_index": 0})
    cols = ["segment_id", "code", "theme", "source", "evidence", "score"]
    codings = pd.DataFrame([("S0", "a", "t", "rule", "w", 0.9), ("S1", "a", "t", "semantic", "w", 0.8),
                            ("S2", "a", "t", "human", "", 1.0), ("S3", "a", "t", "learned", "", 0.7),
                            ("S4", "a", "t", "topic", "", 0.5)], columns=cols)
    got = theme_prevalence(segments, codings, by="region", min_cell=1, n_boot=50, themes=["t"])
    assert int(got.loc[got["theme"] == "t", "participants"].iloc[0]) == 4
