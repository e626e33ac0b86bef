"""The code stage: segments -> codings (codebook rules + semantic layer + topics), topics, segment_topics, stance.

Rules code every participant segment with the codebook and the semantic layer adds what the
examples' classifiers find (source "semantic"); the researchers' stored decisions
(:mod:`engagement.coding.human`) are merged in as source "human"; BERTopic is fitted once on all
regions' segments; stance is classified per segment. Every table is schema-checked and the
set is written atomically, like prepare's.

Rules, the semantic layer and stance (with the embeddings they need) run in batches of whole
sessions (:data:`CODE_BATCH` segments), on the engine the run was given (:mod:`engagement.engine`:
this process or Dask workers); the topic model is fitted here, once, on all of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from engagement.config import Config
from engagement.io import atomic_write_text, read_table

CODE_TABLES = ("codings", "topics", "segment_topics", "stance")


@dataclass
class CodingResult:
    tables: dict[str, pd.DataFrame]
    summary: dict = field(default_factory=dict)


def resolve_codebook(cfg: Config, codebook: str | None = None):
    """The codebook named by the argument, or by the config (``default`` = the shipped one)."""
    from engagement.coding.codebook import load_codebook

    name = codebook or cfg.codebook
    if name != "default":
        from pathlib import Path

        p = Path(name)
        name = str(p if p.is_absolute() else cfg.root / p)
    return load_codebook(name)


def semantic_setting(cfg: Config) -> tuple[bool, str]:
    """Whether the semantic layer runs, and why not.

    Read from the config's ``coding: {semantic: true}`` (default on). It needs the MiniLM
    embeddings (``topics.embedding: minilm``) and a codings schema that accepts source "semantic".
    """
    from engagement.schemas import CODING_SOURCES

    wanted = (cfg.settings.get("coding") or {}).get("semantic", True)
    if not wanted:
        return False, "disabled in the config (coding.semantic: false)"
    if cfg.topics.get("embedding", "minilm") != "minilm":
        return False, "needs the MiniLM embeddings (topics.embedding: minilm)"
    if "semantic" not in CODING_SOURCES:
        return False, "the codings schema does not accept source 'semantic' (engagement.schemas.CODING_SOURCES)"
    return True, ""


def _coding_cache_key(segments: pd.DataFrame, book, semantic: bool = False) -> str:
    """Hash of what rule coding and stance depend on: the segments, the codebook, and their code."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha256()
    cols = ["segment_id", "role", "text", "tokens", "lemmas"]
    h.update(pd.util.hash_pandas_object(segments[cols], index=False).values.tobytes())
    book_path = Path(str(getattr(book, "path", "") or ""))
    h.update(book_path.read_bytes() if book_path.is_file() else str(book_path).encode())
    h.update(f"{getattr(book, 'name', '')}@{getattr(book, 'version', '')}".encode())
    here = Path(__file__).parent
    h.update(f"semantic={semantic}".encode())
    for name in ("codebook.py", "matching.py", "negation.py", "stance.py", "stance_cues.py", "data/codebook.yaml",
                 "data/stance.yaml") + (
            ("semantic.py", "combine.py", "data/examples.yaml", "data/code_training.csv", "data/stance_training.csv",
             "data/stance_combiner.json") if semantic else ()):
        path = here / name
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


#: Segments per coding batch: each batch's rules, semantic layer, stance and embeddings are done
#: together (on a Dask worker with ``--engine dask``), so memory holds one batch's vectors at a time.
CODE_BATCH = 4000


def _batches(segments: pd.DataFrame, size: int | None = None) -> list[tuple[int, int]]:
    """Row ranges of whole sessions, about ``size`` segments each (the table is in segment order)."""
    size = size or CODE_BATCH
    if not len(segments):
        return []
    sessions = segments["session_id"].astype(str).tolist() if "session_id" in segments else ["all"] * len(segments)
    out, start = [], 0
    for i in range(1, len(sessions) + 1):
        if i == len(sessions) or (sessions[i] != sessions[i - 1] and i - start >= size):
            out.append((start, i))
            start = i
    return out


def _code_batch(job: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rule codings (plus the semantic layer when on) and stance of one batch of segments."""
    from engagement.coding.stance import classify_stance
    from engagement.coding.codebook import autocode

    segments, cfg, codebook, semantic = job
    book = resolve_codebook(cfg, codebook)
    rules = autocode(segments, book)
    if not semantic:
        return rules, classify_stance(segments, rules)
    from engagement.coding import semantic as sem

    coded = segments[segments["role"].isin(("participant", "respondent"))] if "role" in segments else segments
    emb_dir = cfg.cache_dir / "embeddings"   # shared with the topic model: each sentence is embedded once
    probs, vecs, clf = sem.semantic_probabilities(coded, book, emb_dir)
    rules = sem.combine(rules, coded, probs, vecs, clf, book)
    from engagement.coding.combine import load_combiner

    learned = sem.stance_probabilities(coded, emb_dir, vectors=vecs)
    return rules, classify_stance(segments, rules, learned=learned, override=sem.STANCE_OVERRIDE,
                                  mixed=sem.STANCE_MIXED, combiner=load_combiner())


def _cached_rules_and_stance(segments: pd.DataFrame, book, cfg: Config, semantic: bool = False, *,
                             codebook: str | None = None, engine=None,
                             progress: bool | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codings (rules, plus the semantic layer when on) and stance, read from the cache when nothing
    they depend on has changed; else computed batch by batch on ``engine``."""
    import shutil

    from engagement.coding.codebook import CODING_COLUMNS
    from engagement.engine import LocalEngine

    key = _coding_cache_key(segments, book, semantic)
    folder = cfg.cache_dir / "coding"
    entry = folder / key
    if (entry / "rules.parquet").is_file() and (entry / "stance.parquet").is_file():
        return pd.read_parquet(entry / "rules.parquet"), pd.read_parquet(entry / "stance.parquet")
    if semantic:   # fitted once here, so workers only read the examples' vectors from the cache
        from engagement.coding import semantic as sem
        from engagement.coding.embeddings import load_sentence_model

        sem.classifiers_for(book, cfg.cache_dir / "embeddings")
        sem.stance_classifier(cfg.cache_dir / "embeddings")
        load_sentence_model()   # exported (on a fresh machine) here, before any worker looks for it
    ranges = _batches(segments)
    jobs = [(segments.iloc[a:b], cfg, codebook, semantic) for a, b in ranges]
    # on this machine the batches run in this process: in worker processes each would load the model
    # and refit the classifiers, and the embedding, most of the work, already uses every core
    # (100,000 words: 186 s with two workers against 95 s in one process, benchmarks/bench_scale.py)
    done = (engine or LocalEngine()).map(_code_batch, jobs, desc="coding", unit="batch", progress=progress)
    if done:
        rules = pd.concat([r for r, _ in done], ignore_index=True)
        stance = pd.concat([st for _, st in done], ignore_index=True)
    else:
        rules, stance = _code_batch((segments, cfg, codebook, semantic))
    rules = rules.sort_values(["segment_id", "code"]).reset_index(drop=True)[list(CODING_COLUMNS)]
    if folder.is_dir():  # keep only the current entry: older ones may hold withdrawn participants' words
        for old in folder.iterdir():
            shutil.rmtree(old, ignore_errors=True)
    entry.mkdir(parents=True, exist_ok=True)
    rules.to_parquet(entry / "rules.parquet", index=False)
    stance.to_parquet(entry / "stance.parquet", index=False)
    return rules, stance


def embedding_texts(segments: pd.DataFrame) -> list[str]:
    """Every text the code stage may embed from ``segments``: its sentences, its turns, the examples
    and the learned stance's training utterances."""
    from engagement.coding.semantic import load_examples, stance_training

    texts = segments["text"].astype(str).tolist()
    if {"session_id", "turn_index"} <= set(segments.columns) and len(segments):
        from engagement.coding.topics import turn_texts

        texts += turn_texts(segments.assign(text=segments["text"].astype(str))).tolist()

    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                yield from strings(value)

    return texts + list(strings(load_examples())) + stance_training()[0]


def prune_embeddings(cfg: Config, segments: pd.DataFrame | None = None) -> int:
    """Drop cached vectors of texts no longer in the study (a withdrawn participant's sentences); return how many.

    Run after prepare and after the code stage, as the coding and topic caches keep only their
    current entry.
    """
    from engagement.coding.embeddings import prune_cache

    folder = cfg.cache_dir / "embeddings"
    if not folder.is_dir():
        return 0
    if segments is None:
        segments = read_table("segments", cfg.table_path("segments"))
    return prune_cache(folder, embedding_texts(segments))


def topic_codings(segment_topics: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """Topic assignments as codings (source "topic"), so they sit beside the rule codes."""
    merged = segment_topics[segment_topics["topic_id"] != -1].merge(topics[["topic_id", "label", "top_theme"]],
                                                                    on="topic_id")
    return pd.DataFrame({
        "segment_id": merged["segment_id"],
        "code": "topic_" + merged["topic_id"].astype(str),
        "theme": merged["top_theme"].where(merged["top_theme"] != "", "unmapped topic"),
        "source": "topic",
        "evidence": merged["label"],
        "score": merged["probability"].fillna(0).clip(0, 1),
    })


def add_human_codings(codings: pd.DataFrame, segments: pd.DataFrame, cfg: Config,
                      book=None) -> tuple[pd.DataFrame, dict]:
    """``codings`` plus the stored human decisions that still apply (source "human"), and a summary.

    Applied after the rules cache, so human decisions never change its key. A stored decision whose
    segment vanished or whose text changed is not applied; it stays in the store and is listed in
    the summary (``human_stale``) and in a warning, never silently dropped. With the codebook
    (``book``), codes take its current themes and a code it no longer has is stale too.
    """
    import warnings

    from engagement.coding.human import describe_stale, human_codings, load_human_codings

    store = load_human_codings(cfg)
    if not len(store):
        return codings, {"human_codings": 0, "human_stale": []}
    themes = {cid: c.theme for cid, c in book.codes.items()} if book is not None else None
    rows, stale = human_codings(store, segments, themes)
    if len(rows):
        codings = pd.concat([codings, rows], ignore_index=True)
    if len(stale):
        warnings.warn(describe_stale(stale), HumanCodingsWarning, stacklevel=3)
    return codings, {"human_codings": len(rows),
                     "human_stale": stale[["segment_id", "code", "coder", "decision", "reason"]].to_dict("records")}


class HumanCodingsWarning(UserWarning):
    """Stored human decisions that no longer match a segment (it vanished or its text changed)."""


def run_coding(cfg: Config, *, codebook: str | None = None, topics: bool = True, write: bool = True,
               semantic: bool | None = None, engine=None, progress: bool | None = None) -> CodingResult:
    """Code the prepared segments; write codings, topics, segment_topics and stance.

    ``semantic`` forces the semantic layer on or off (default: :func:`semantic_setting`).
    ``engine`` (:mod:`engagement.engine`) runs the coding batches (rules, semantic layer, stance,
    their embeddings); the topic model is always fitted here, on every batch's segments at once.
    """
    from engagement.progress import bar

    segments = read_table("segments", cfg.table_path("segments"))
    book = resolve_codebook(cfg, codebook)
    use_semantic, why_not = semantic_setting(cfg) if semantic is None else (semantic, "")
    rules, stance = _cached_rules_and_stance(segments, book, cfg, use_semantic, codebook=codebook, engine=engine,
                                             progress=progress)
    if topics:
        from engagement.coding.topics import fit_topics, guided_seed_topics

        seeds = guided_seed_topics(book) if cfg.topics.get("guided") else None
        with bar(desc="fitting topics", total=1, unit="model", enabled=progress) as shown:
            fitted = fit_topics(segments, cfg, codings=rules, seed_topics=seeds)
            shown.update(1)
        topic_table, seg_topics = fitted.topics, fitted.segment_topics
        codings = pd.concat([rules, topic_codings(seg_topics, topic_table)], ignore_index=True)
    else:
        topic_table = pd.DataFrame(columns=["topic_id", "label", "size", "words", "themes", "candidate_new_theme"])
        seg_topics = pd.DataFrame(columns=["segment_id", "topic_id", "probability"])
        codings = rules
    codings, human_summary = add_human_codings(codings, segments, cfg, book)
    tables = {"codings": codings.sort_values(["segment_id", "source", "code"]).reset_index(drop=True),
              "topics": topic_table, "segment_topics": seg_topics, "stance": stance}
    summary = {
        "codebook": getattr(book, "name", str(codebook or cfg.codebook)),
        "codebook_version": str(getattr(book, "version", "")),
        "segments_coded": int(rules["segment_id"].nunique()),
        "rule_codings": int((rules["source"] == "rule").sum()),
        "semantic_codings": int((rules["source"] == "semantic").sum()), "topics": int((topic_table["topic_id"] != -1).sum()) if len(topic_table) else 0,
        "candidate_new_themes": int(topic_table["candidate_new_theme"].sum()) if len(topic_table) else 0,
        "stance": stance["stance"].value_counts().to_dict(),
        "embedding": cfg.topics.get("embedding"),
    }
    summary.update(human_summary)
    if not use_semantic and why_not:
        summary["semantic_skipped"] = why_not
    if use_semantic:
        summary["semantic_thresholds"] = f"codebook {getattr(book, 'version', '')}"
    if topics and fitted.settings.get("skipped"):
        summary["topics_skipped"] = fitted.settings["skipped"]
    if topics and fitted.settings.get("guided_by_human_coding"):
        summary["topics_guided"] = fitted.settings["guided_by_human_coding"]
    if write:
        from engagement.io import write_tables

        write_tables(tables, cfg)
        summary["embeddings_pruned"] = prune_embeddings(cfg, segments)
        evaluation = evaluate_against_reference(cfg, tables["codings"], stance, codebook=codebook)
        if evaluation:
            summary["evaluation"] = evaluation["summary"]
        atomic_write_text(cfg.processed_dir / "code_summary.json", json.dumps(summary, indent=2, sort_keys=True))
    return CodingResult(tables, summary)


def evaluate_against_reference(cfg: Config, codings: pd.DataFrame, stance: pd.DataFrame, *,
                               codebook: str | None = None, write: bool = True) -> dict | None:
    """Agreement of the rule codes and stance with the hand-coded reference, if the project has one.

    The reference is ``coding_reference.csv`` beside the manifest (columns segment_id, codes,
    stance, coder, note, and optionally text). A reference row whose segment id no longer exists
    (segmentation changed) is re-matched by its text. Writes ``coding_evaluation.json`` (micro F1,
    mean kappa, stance accuracy) for the report's limitations section.

    Returns:
        None without a reference; else {"codes", "themes", "stance", "confusion", "summary"}.
    """
    from engagement.coding.evaluation import agreement, load_reference, stance_accuracy

    path = cfg.raw_dir / "coding_reference.csv"
    if not path.is_file():
        return None
    book = resolve_codebook(cfg, codebook)
    ref = load_reference(path, book)
    coder = ref.coders[0]
    ref = ref.for_coder(coder)
    segments = read_table("segments", cfg.table_path("segments"))
    known = set(segments["segment_id"])
    remap: dict[str, str] = {}
    if "text" in ref.table:
        by_text = dict(zip(segments["text"], segments["segment_id"]))
        for sid, text in zip(ref.table["segment_id"], ref.table["text"]):
            if sid not in known and text in by_text:
                remap[sid] = by_text[text]
    ids = [remap.get(s, s) for s in ref.segment_ids if remap.get(s, s) in known]
    ref_codes = ref.codings.assign(segment_id=ref.codings["segment_id"].map(lambda s: remap.get(s, s)))
    ref_stance = ref.stance.assign(segment_id=ref.stance["segment_id"].map(lambda s: remap.get(s, s)))
    table = _book_table(book)
    theme_of = dict(zip(table["code"], table["theme"]))
    codes = agreement(codings, ref_codes, ids)
    themes = agreement(codings.assign(theme=codings["theme"]), ref_codes.assign(theme=ref_codes["code"].map(theme_of)),
                       ids, level="theme")
    st = stance_accuracy(stance[stance["segment_id"].isin(ids)], ref_stance)
    micro = codes[codes["code"] == "micro"].iloc[0]
    macro = codes[codes["code"] == "macro"].iloc[0]
    summary = {
        "reference": path.name, "coder": coder, "n_segments": len(ids), "n_unmatched": len(ref.segment_ids) - len(ids),
        "micro_precision": round(float(micro["precision"]), 4), "micro_recall": round(float(micro["recall"]), 4),
        "micro_f1": round(float(micro["f1"]), 4), "micro_kappa": round(float(micro["kappa"]), 4),
        "mean_kappa": round(float(macro["kappa"]), 4), "macro_f1": round(float(macro["f1"]), 4),
        "theme_micro_f1": round(float(themes[themes["theme"] == "micro"].iloc[0]["f1"]), 4),
        "stance_accuracy": round(float(st.accuracy), 4), "stance_kappa": round(float(st.kappa), 4),
    }
    if write:
        atomic_write_text(cfg.processed_dir / "coding_evaluation.json", json.dumps(summary, indent=2, sort_keys=True))
    return {"codes": codes.round(3), "themes": themes.round(3), "stance": st.per_class.round(3),
            "confusion": st.confusion, "summary": summary}


def _book_table(book):
    from engagement.coding.codebook import codebook_table

    return codebook_table(book)


def suite_vocabulary(cfg) -> list[str]:
    """Text the suite itself publishes, never a participant's: the codebook's theme and code labels and
    the example sentences the codebook and the semantic layer quote as evidence.

    The leak check allows these phrases: a codebook example such as "Will the computer have the final
    say?" must not read as the redacted first name "Will" reappearing.
    """
    from engagement.coding.codebook import codebook_table

    try:
        book = resolve_codebook(cfg, None)
        table = codebook_table(book)
    except Exception:  # noqa: BLE001 - no readable codebook: nothing extra is allowed
        return []
    phrases = [str(v) for col in ("theme_label", "label") if col in table.columns for v in table[col].dropna()]
    phrases += [e for code in book.codes.values() for e in code.examples]
    try:
        from engagement.coding.semantic import load_examples

        examples = load_examples()
        for entry in (examples.get("codes") or {}).values():
            for key in ("positive", "negative"):
                phrases += [str(e) for e in (entry or {}).get(key) or []]
        phrases += [str(item["text"]) for item in examples.get("labelled") or []]
    except (OSError, ValueError, ImportError):
        pass
    return sorted({p.strip() for p in phrases if p and p.strip()})
