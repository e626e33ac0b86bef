"""``engagement learn`` on a project: train on the researcher's stored decisions, suggest codes.

Trains :func:`engagement.coding.learn.fit_labels` on the human coding store (accepted and added
codes as positives; a reviewed segment is a negative for every code its coder did not apply),
suggests codes for every participant segment no human has coded, and writes
``processed/learned_codings.parquet`` (source ``"learned"``, evidence: the two nearest human-coded
segments). The measures count them only with ``coding: {learned: true}`` in the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engagement.coding.learn import N_NEAREST, PARTICIPANT_ROLES, _usable, embed, fit_labels, label_matrix, learn_csv
from engagement.errors import InputError


def _from_store(store: pd.DataFrame, segments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Accepted/added codes, rejected suggestions and reviewed segment ids in a human decisions store.

    Only decisions that still apply (the segment exists with the text the coder saw) count. A
    segment is reviewed when a coder marked it so or decided anything on it
    (:func:`engagement.coding.human.reviewed_segments`): every code no human applied to it is
    absent, so it is a negative for each of them, and a rejection is one such negative.
    """
    from engagement.coding import human

    codings, _ = human.human_codings(store, segments)
    current = dict(zip(segments["segment_id"].astype(str), segments["text"].astype(str).map(human.text_hash)))
    live = store[store["segment_id"].map(current) == store["text_hash"]]
    rejected = live[live["decision"] == "reject"]
    if hasattr(human, "reviewed_segments"):
        reviewed = human.reviewed_segments(store, segments)["segment_id"]
    else:  # an older store module: every live decision is still a look at the segment
        reviewed = live["segment_id"]
    return (codings[["segment_id", "code", "theme"]], rejected[["segment_id", "code", "theme"]],
            sorted(set(reviewed.astype(str))))


def _stored_decisions(cfg, segments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """:func:`_from_store` on the project's store (empty tables when there is none)."""
    none = pd.DataFrame(columns=["segment_id", "code", "theme"])
    try:
        from engagement.coding import human
    except ImportError:
        return none, none, []
    store = human.load_human_codings(cfg)
    if store.empty:
        return none, none, []
    return _from_store(store, segments)


@dataclass
class HumanTraining:
    """The human-coded segments as a training set, and the codes that had too few examples."""

    ids: list[str]
    texts: list[str]
    y: np.ndarray
    codes: list[str]
    themes: dict[str, str]
    skipped: dict[str, str]


def human_training(segments: pd.DataFrame, human_codings: pd.DataFrame,
                   rejections: pd.DataFrame | None = None, reviewed: list[str] | None = None) -> HumanTraining:
    """Segments a human coded, rejected a suggestion on or reviewed: positive for their codes, negative for the rest.

    A reviewed segment with no code (the coder read it and applied none) is a negative for every code.
    """
    human = human_codings[human_codings["segment_id"].isin(segments["segment_id"])]
    rej = rejections if rejections is not None else pd.DataFrame(columns=["segment_id", "code"])
    seen = set(human["segment_id"]) | set(rej["segment_id"]) | set(reviewed or [])
    seg = segments[segments["segment_id"].isin(seen)]
    by_seg = human.groupby("segment_id")["code"].apply(list).to_dict()
    y, codes = label_matrix([by_seg.get(s, []) for s in seg["segment_id"]], sorted(set(human["code"])))
    keep, skipped = _usable(y, codes) if len(codes) else ([], {})
    themes = (dict(zip(human["code"], human["theme"])) if "theme" in human else {})
    return HumanTraining(seg["segment_id"].tolist(), seg["text"].tolist(), y[:, keep], [codes[j] for j in keep],
                         {codes[j]: str(themes.get(codes[j], codes[j])) for j in keep}, skipped)


def _vectors_for(texts: list[str], cfg, vectors: dict | None, ids: list[str]) -> np.ndarray:
    if vectors is not None:
        return np.vstack([vectors[i] for i in ids]) if ids else np.zeros((0, 384), np.float32)
    backend = cfg.topics.get("embedding", "minilm")
    return embed(texts, backend, cache_dir=cfg.cache_dir / "embeddings", seed=int(cfg.seed))


def _evidence(ids: list[str], sims: list[float]) -> str:
    return f"nearest: {', '.join(ids)} (sim {', '.join(f'{s:.2f}' for s in sims)})"


def learned_codings(segments: pd.DataFrame, human_codings: pd.DataFrame, cfg, *,
                    rejections: pd.DataFrame | None = None, reviewed: list[str] | None = None,
                    vectors: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """Codings (source "learned") for every participant segment no human coded, and a summary.

    Each coding's score is the code's calibrated probability; its evidence the nearest human-coded
    positives of that code: ``nearest: <segment ids> (sim 0.81, 0.77)``.
    """
    train = human_training(segments, human_codings, rejections, reviewed)
    cand = segments[segments["role"].isin(PARTICIPANT_ROLES) & ~segments["segment_id"].isin(set(train.ids))]
    summary = {"training": len(train.ids), "codes": len(train.codes), "skipped": train.skipped,
               "candidates": len(cand), "segments": 0, "codings": 0}
    empty = pd.DataFrame(columns=["segment_id", "code", "theme", "source", "evidence", "score"])
    if not train.codes or cand.empty:
        return empty, summary
    all_ids = train.ids + cand["segment_id"].tolist()
    vecs = _vectors_for(train.texts + cand["text"].tolist(), cfg, vectors, all_ids)
    # at_least_one=False: a human codes only what carries a code, so "no code" stays a possible answer
    model = fit_labels(train.texts, vecs[:len(train.ids)], train.y, train.codes, ids=train.ids, seed=int(cfg.seed),
                       at_least_one=False)
    cv = vecs[len(train.ids):]
    probs = model.predict_proba(cand["text"].tolist(), cv)
    decided = model.decide(probs)
    rows = []
    cand_ids = cand["segment_id"].tolist()
    for j, code in enumerate(train.codes):
        hit = np.flatnonzero(decided[:, j])
        if not len(hit):
            continue
        pos = np.flatnonzero(train.y[:, j])
        sims = cv[hit] @ model.train_vectors[pos].T
        top = np.argsort(-sims, axis=1, kind="stable")[:, :N_NEAREST]
        for r, i in enumerate(hit):
            rows.append({"segment_id": cand_ids[i], "code": code, "theme": train.themes[code], "source": "learned",
                         "evidence": _evidence([train.ids[pos[t]] for t in top[r]], sims[r, top[r]].tolist()),
                         "score": round(float(probs[i, j]), 4)})
    out = pd.DataFrame(rows, columns=empty.columns) if rows else empty
    summary.update(segments=int(out["segment_id"].nunique()), codings=len(out))
    return out, summary


def learned_path(cfg) -> Path:
    return cfg.processed_dir / "learned_codings.parquet"


def learn_project(cfg) -> dict:
    """Train on the project's human codings; write ``learned_codings.parquet``; return the summary."""
    from engagement.io import read_table, write_table

    segments = read_table("segments", cfg.table_path("segments"))
    codings = read_table("codings", cfg.table_path("codings"))
    stored, rejected, reviewed = _stored_decisions(cfg, segments)
    human = pd.concat([codings.loc[codings["source"] == "human", ["segment_id", "code", "theme"]], stored],
                      ignore_index=True).drop_duplicates(["segment_id", "code"])
    if human.empty:
        raise InputError("no human codings to learn from (code some segments first: engagement sheet export)",
                         path=cfg.table_path("codings"))
    out, summary = learned_codings(segments, human, cfg, rejections=rejected, reviewed=reviewed)
    if not summary["codes"]:
        raise InputError("no code has enough human codings to learn from: "
                         + "; ".join(f"{k}: {v}" for k, v in summary["skipped"].items()),
                         path=cfg.table_path("codings"))
    write_table(out, "codings", learned_path(cfg))
    summary["path"] = str(learned_path(cfg))
    return summary


def cmd_learn(args) -> int:
    """``engagement learn``: a labelled CSV -> predictions CSV, or a project's human codings -> learned codings."""
    # the CLI's loader lives in a driver, which a stage must not import: load the same way here
    from engagement.config import load_config

    cfg = load_config(getattr(args, "config", None))
    train, predict, output = getattr(args, "train", None), getattr(args, "predict", None), getattr(args, "output", None)
    if train or predict or output:
        if not (train and predict and output):
            raise InputError("--train, --predict and -o go together (a labelled CSV, texts to label, the output CSV)")
        cache = cfg.cache_dir / "embeddings" if cfg.source is not None else None
        s = learn_csv(train, predict, output, backend=cfg.topics.get("embedding", "minilm"), cache_dir=cache,
                      seed=int(cfg.seed))
        print(f"learned {s['labels']} labels from {s['trained']:,} texts; labelled {s['labelled']:,} of "
              f"{s['predicted']:,} texts -> {output}" + _skipped_note(s["skipped"]))
        return 0
    s = learn_project(cfg)
    print(f"learned {s['codes']} codes from {s['training']:,} human-coded segments; suggested {s['codings']:,} "
          f"codings for {s['segments']:,} of {s['candidates']:,} uncoded participant segments -> {s['path']}"
          + _skipped_note(s["skipped"]))
    return 0


def _skipped_note(skipped: dict[str, str]) -> str:
    if not skipped:
        return ""
    return "; skipped " + ", ".join(f"{k} ({v})" for k, v in skipped.items())

