"""The prepare stage: raw files + manifest -> sessions, participants, turns, segments, redactions.

ingest -> clean -> withdraw -> de-identify -> segment, then every table is validated and
written atomically. Nothing is written unless every session was read: an input error in the
last file leaves the previous outputs as they were.

The work is done per session, in three passes, on the engine the run was given
(:mod:`engagement.engine`: this process, or a Dask cluster):

1. read, clean and withdraw each session; this also gathers the names the study knows (speaker
   labels, manifest names), which the detector needs study-wide;
2. find personal details, per session (long sessions in pieces of :data:`CHUNK_TURNS` turns);
   the placeholders are then numbered here, in session order, so ``[PERSON_3]`` is the same
   person whichever engine ran and however the work was split;
3. segment each session whose de-identified text is not in the segments cache.

spaCy's Docs are never held for more than one batch: only the hits and segments they yield are
kept. On the local engine a big corpus is detected and segmented on one worker process per core
(:class:`~engagement.engine.ProcessEngine`, ``n_process`` from :func:`spacy_settings` unless the
config sets it), each worker taking whole pieces of sessions and sending back only hits and
segments; on Dask each worker runs one process. The tables are the same on every engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from engagement.config import Config
from engagement.engine import LocalEngine, ProcessEngine, worker_count
from engagement.ingest.clean import clean_turns
from engagement.io import atomic_write_text, sha256_bytes, write_tables
from engagement.ingest.manifest import load_manifest
from engagement.privacy.withdrawal import apply_withdrawals
from engagement.progress import bar
from engagement.schemas import validate

TABLES = ("sessions", "participants", "turns", "segments", "redactions")

#: Turns per piece when a session is de-identified or segmented in parts (a survey of thousands).
CHUNK_TURNS = 1000


@dataclass
class PrepareResult:
    tables: dict[str, pd.DataFrame]
    summary: dict = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)


@dataclass
class _ReadSession:
    session: dict
    turns: pd.DataFrame
    participants: pd.DataFrame
    known_names: tuple[str, ...]
    detected: str
    turns_removed: int


# ---------------------------------------------------------------------------------- settings

def spacy_settings(cfg: Config, n_chars: int, *, batch_size: int) -> tuple[int, int]:
    """``(n_process, batch_size)`` for a spaCy pass over ``n_chars`` characters of text.

    ``n_process`` (worker processes for de-identifying and segmenting) and ``spacy_batch_size``
    in the config win. ``auto`` runs one process for
    small runs (under :data:`engagement.engine.AUTO_PARALLEL_CHARS`); for bigger ones, one per usable core, as many
    as the free memory holds (:data:`engagement.engine.WORKER_MEMORY` each), at most four. Batches double when
    several processes share the work (fewer hand-overs).
    """
    n = worker_count(cfg, n_chars)
    b = cfg.settings.get("spacy_batch_size", "auto")
    if b == "auto":
        b = batch_size if n == 1 else 2 * batch_size
    return int(n), int(b)


# ---------------------------------------------------------------------------------- pass 1: read

def _read_session(job: tuple) -> _ReadSession:
    """Read, clean and withdraw one session (runs on the engine)."""
    from engagement.ingest.sessions import ingest_session

    row, manifest, cfg = job
    got = ingest_session(row, manifest, cfg)
    turns = clean_turns(got.turns, fillers=bool(cfg.remove_fillers))
    turns, _, summary = apply_withdrawals(turns, got.participants, manifest.withdrawn)
    return _ReadSession(got.session, turns, got.participants, got.known_names, got.detected,
                        int(summary["turns_removed"]))


# ---------------------------------------------------------------------------------- pass 2: detect

def _pieces(keys: list, size: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` ranges over ``keys``: one per run of equal keys, split every ``size`` items."""
    size = size or CHUNK_TURNS
    out, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start] or i - start >= size:
            out.append((start, i))
            start = i
    return out


_DETECTORS: dict[str, object] = {}


def _worker_detector(cfg: Config, known: tuple[str, ...], places: tuple[str, ...] = (), ages: tuple[str, ...] = ()):
    """The study's detector, built once per worker process for a run's settings, names and places."""
    from engagement.privacy.deidentify import build_detector

    key = hashlib.sha256(json.dumps([str(cfg.root), cfg.settings, known, places, ages], sort_keys=True, default=str)
                         .encode()).hexdigest()
    if key not in _DETECTORS:
        _DETECTORS.clear()
        _DETECTORS[key] = build_detector(cfg, known_names=list(known), places=list(places), ages=list(ages))
    return _DETECTORS[key]


def _detect_piece(job: tuple) -> list:
    """Hits in one piece of a session's turns (runs on a Dask worker)."""
    cfg, known, places, ages, texts, batch_size = job
    return _worker_detector(cfg, known, places, ages).detect_many(texts, batch_size=batch_size)


def _names_to_propagate(hits: list, known: tuple[str, ...]) -> set[str]:
    """Names a context rule found (a title, a relation, "X said", "our X") that are no ordinary word
    ("Tadhg", "Nkechi", "Quarrendon"), or first names that are also words ("our Jade", "my son Will"),
    to be caught everywhere else in the study. A word-name spreads as an ambiguous known name: it is
    caught again only capitalised and with a name's context ("Jade's NHS number", "ask Will"), never
    as the word. What the NER alone calls a person ("Lynn and Norwich") and towns in the gazetteer
    are not spread."""
    from engagement.privacy.detector import _lexicon_name, _not_a_word
    from engagement.privacy.lexicon import load_lexicon
    from engagement.privacy.patterns import UK_PLACES, fold

    lexicon = load_lexicon()

    have = {fold(k) for k in known}
    out: set[str] = set()
    # what the NER alone calls a person spreads only when it does so twice, in different turns, and the
    # token is no word and no town ("So Claudette had cancer", "out of Claudette's cancer"; later
    # "Thank you. Claudette." is caught too); "Lynn and Norwich" once does not spread
    ner_turns: dict[str, int] = {}
    for turn in hits:
        for tok in {t.strip(".,;:!?'\u2019\"") for h in turn if h.type == "PERSON" and h.method == "ner"
                    for t in h.value.split()}:
            ner_turns[tok] = ner_turns.get(tok, 0) + 1
    for tok, n in ner_turns.items():
        if (n >= 2 and len(tok) >= 4 and tok[:1].isupper() and not tok.isupper() and tok.isalpha()
                and fold(tok) not in have and fold(tok) not in UK_PLACES and _not_a_word(tok)):
            out.add(tok)
    for turn in hits:
        for h in turn:
            if h.type != "PERSON" or h.method in ("known_name", "ner"):
                continue
            for tok in h.value.split():
                tok = tok.strip(".,;:!?'\u2019\"")
                if (len(tok) >= 3 and tok[:1].isupper() and not tok.isupper() and tok.isalpha()
                        and fold(tok) not in have and fold(tok) not in UK_PLACES
                        and (_not_a_word(tok) or _lexicon_name(tok) or lexicon.is_first(tok))):
                    out.add(tok)
    return out


def _places_to_propagate(hits: list) -> set[str]:
    """Streets, villages and homes found where someone said they live ("I'm out on Rookery Drove, Newby
    Fen"), to be hidden where they come up again without that context ("the address was just Newby Fen")."""
    return {h.value for turn in hits for h in turn
            if h.type in ("ADDRESS", "LOCATION") and h.method in ("street", "street's place", "street named", "residence")
            and len(h.value) >= 4}


def _ages_to_propagate(hits: list) -> set[str]:
    """Ages over the limit said in words ("ninety-seven"), to be hidden where they are said back ("Ninety-seven, wow")."""
    return {h.value for turn in hits for h in turn
            if h.type.startswith("AGE_OVER") and re.search(r"[a-z]{4}", h.value, re.I) and len(h.value) >= 6}


class _Found:
    """Stands in for the detector in :func:`deidentify_turns`: the hits were found already."""

    def __init__(self, detector, hits: list):
        self._detector, self._hits = detector, hits

    def known_tokens(self) -> set[str]:
        return self._detector.known_tokens()

    def detect_many(self, texts, batch_size: int = 64, n_process: int = 1) -> list:
        texts = list(texts)
        if len(texts) != len(self._hits):
            raise RuntimeError("de-identification: hits and turns are out of step")
        return self._hits


def _detect(texts: list[str], sessions: list[str], detector, known: tuple[str, ...], cfg: Config, engine,
            progress: bool | None, places: tuple[str, ...] = (), ages: tuple[str, ...] = ()) -> list:
    _, batch_size = spacy_settings(cfg, sum(map(len, texts)), batch_size=64)
    pieces = _pieces(sessions)
    if engine.distributed:   # Dask, or this machine's worker processes: pieces go whole, hits come back
        jobs = [(cfg, known, places, ages, texts[a:b], batch_size) for a, b in pieces]
        found = engine.map(_detect_piece, jobs, desc="de-identifying", unit="piece", progress=progress)
        return [h for part in found for h in part]
    hits = []
    with bar(desc="de-identifying", total=len(texts), unit="turn", enabled=progress) as shown:
        for a, b in pieces:
            hits += detector.detect_many(texts[a:b], batch_size=batch_size)
            shown.update(b - a)
    return hits


# ---------------------------------------------------------------------------------- pass 3: segment

_PIPELINES: dict[str, object] = {}


def _segment_piece(job: tuple) -> pd.DataFrame:
    """Segments of one piece of a session's turns (runs on the engine)."""
    from engagement.ingest.segment import segment_turns, segmentation_pipeline

    turns, mode, n_process, batch_size = job
    if mode not in _PIPELINES:  # loaded once per process
        _PIPELINES[mode] = segmentation_pipeline(mode)
    return segment_turns(turns, _PIPELINES[mode], n_process=n_process, batch_size=batch_size)


def segmenter_version() -> str:
    """Digest of the segmenting code, spaCy's version and the model package's: cached segments made
    by another version of any of them are not reused (a new model may split sentences differently)."""
    from engagement.ingest import segment
    from engagement.ingest.spacy_model import installed_versions

    return sha256_bytes(Path(segment.__file__).read_bytes() + installed_versions().encode("utf-8"))[:16]


def _segment_with_cache(turns: pd.DataFrame, cfg: Config, mode: str, engine=None,
                        progress: bool | None = None) -> pd.DataFrame:
    """Segment per session, reusing cached segments when the session's de-identified text is unchanged."""
    engine = engine or LocalEngine()
    cache = cfg.cache_dir / "segments"
    parts, todo, used = [], [], set()
    version = segmenter_version()
    for sid, group in turns.groupby("session_id", sort=True):
        key_src = json.dumps([mode, version, group[["turn_index", "participant_id", "role", "region", "kind", "text"]]
                              .astype(str).values.tolist()], ensure_ascii=False)
        key = sha256_bytes(key_src.encode("utf-8"))
        path = cache / f"{key}.parquet"
        used.add(path.name)
        if path.is_file():
            parts.append(pd.read_parquet(path))
        else:
            todo.append((path, group))
    if todo:
        fresh = pd.concat([g for _, g in todo], ignore_index=True)
        _, batch_size = spacy_settings(cfg, int(fresh["text"].astype(str).str.len().sum()), batch_size=128)
        # session by session (long ones in pieces): the same batches on every engine
        ranges = _pieces(fresh["session_id"].tolist())
        jobs = [(fresh.iloc[a:b], mode, 1, batch_size) for a, b in ranges]
        found = engine.map(_segment_piece, jobs, desc="segmenting", unit="piece", progress=progress)
        segmented = pd.concat(found, ignore_index=True)
        for path, group in todo:
            seg = segmented[segmented["session_id"] == group["session_id"].iloc[0]].reset_index(drop=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            os.close(fd)
            seg.to_parquet(tmp, index=False)
            os.replace(tmp, path)
            parts.append(seg)
    # a stale entry holds text as an older run de-identified it (or a withdrawn participant's words)
    for stale in cache.glob("*.parquet"):
        if stale.name not in used:
            stale.unlink()
    segments = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return segments.sort_values("segment_id").reset_index(drop=True)


# ---------------------------------------------------------------------------------- the stage

def prepare(cfg: Config, *, write: bool = True, progress: bool | None = None, engine=None) -> PrepareResult:
    """Run ingest -> clean -> withdraw -> de-identify -> segment and write the tables.

    Args:
        cfg: the project configuration.
        write: write the tables to ``cfg.processed_dir`` (atomically, all or none).
        progress: progress bars on (True), off (False), or as :mod:`engagement.progress` decides (None).
        engine: where the per-session work runs (:mod:`engagement.engine`); default this process.

    Raises:
        EngagementError: for any input problem, naming the file and line; nothing is written.
    """
    engine = engine or LocalEngine()
    manifest = load_manifest(cfg)
    rows = manifest.sessions.sort_values("session_id").to_dict("records")
    read = engine.map(_read_session, [(row, manifest, cfg) for row in rows], desc="reading", unit="file",
                      progress=progress)
    known: set[str] = set()
    for got in read:
        known.update(got.known_names)
    detected = {got.session["session_id"]: got.detected for got in read}
    sessions_df = pd.DataFrame([got.session for got in read])
    turns_df = pd.concat([got.turns for got in read], ignore_index=True)
    participants_df = pd.concat([got.participants for got in read], ignore_index=True).drop_duplicates("participant_id")
    turns_removed = sum(got.turns_removed for got in read)
    del read
    # participants are withdrawn here, study-wide (one row per person); their turns went in pass 1
    _, participants_df, withdrawal = apply_withdrawals(participants_df[["participant_id"]], participants_df,
                                                       manifest.withdrawn)
    withdrawal["turns_removed"] = turns_removed

    # a big corpus on the local engine: the detector and the segmenter run on one worker process per core
    n_process, _ = spacy_settings(cfg, int(turns_df["text"].fillna("").astype(str).str.len().sum()), batch_size=64)
    pool = ProcessEngine(n_process) if not engine.distributed and n_process > 1 else None
    try:
        tables, summary = _deidentify_and_segment(cfg, manifest, turns_df, known, sessions_df, participants_df,
                                                  withdrawal, detected, pool or engine, progress)
    finally:
        if pool is not None:
            pool.close()
    result = PrepareResult(tables, summary)
    if write:
        result.paths = write_tables(tables, cfg, validated=True)
        from engagement.coding.run import prune_embeddings   # vectors of sentences that are gone go too

        summary["embeddings_pruned"] = prune_embeddings(cfg, tables["segments"])
        atomic_write_text(cfg.processed_dir / "prepare_summary.json", json.dumps(summary, indent=2, sort_keys=True))
    return result


def _deidentify_and_segment(cfg: Config, manifest, turns_df: pd.DataFrame, known: set[str], sessions_df,
                            participants_df, withdrawal: dict, detected: dict, engine, progress
                            ) -> tuple[dict[str, pd.DataFrame], dict]:
    """Passes 2 and 3 (detect and replace, then segment) and the validated tables with their summary."""
    redactions = pd.DataFrame(columns=["session_id", "turn_index", "start", "end", "type", "method",
                                       "placeholder", "value_hash"])
    if cfg.deidentify.get("enabled", True):
        from engagement.privacy.deidentify import build_detector, deidentify_turns, Pseudonymiser, load_salt

        if "name" in manifest.participants:
            known.update(n for n in manifest.participants["name"] if n)
        names = tuple(sorted(known))
        detector = build_detector(cfg, known_names=list(names))
        pseudonymiser = Pseudonymiser(load_salt(cfg), pseudonyms=bool(cfg.deidentify.get("pseudonyms")))
        order = turns_df.sort_values(["session_id", "turn_index"], kind="stable").index
        texts = turns_df.loc[order, "text"].fillna("").astype(str).tolist()
        sessions = turns_df.loc[order, "session_id"].astype(str).tolist()
        hits = _detect(texts, sessions, detector, names, cfg, engine, progress)
        # a name found once by its context is the same name where no context gives it away ("Tadhg, my
        # stepson" and later "ask Tadhg"): a second pass, over the turns that hold one, knows them all
        found = _names_to_propagate(hits, names)
        places, ages = _places_to_propagate(hits), _ages_to_propagate(hits)
        if found or places or ages:
            from engagement.privacy.detector import _alternation

            names = tuple(sorted(set(names) | found))
            detector = build_detector(cfg, known_names=list(names), places=sorted(places), ages=sorted(ages))
            holds = _alternation(found | places | ages)
            redo = [i for i, t in enumerate(texts) if holds.search(t)]
            again = _detect([texts[i] for i in redo], [sessions[i] for i in redo], detector, names, cfg, engine,
                            progress, tuple(sorted(places)), tuple(sorted(ages))) if redo else []
            for i, h in zip(redo, again):
                hits[i] = h
        turns_df, redactions = deidentify_turns(turns_df, _Found(detector, hits), pseudonymiser)
        del hits
    turns_df["n_words"] = turns_df["text"].astype(str).str.count(r"\S+")

    segments_df = _segment_with_cache(turns_df, cfg, cfg.segmentation, engine, progress)
    counts = turns_df.groupby("participant_id").agg(n_turns=("turn_index", "size"), n_words=("n_words", "sum"))
    participants_df = participants_df.join(counts, on="participant_id")
    participants_df[["n_turns", "n_words"]] = participants_df[["n_turns", "n_words"]].fillna(0).astype(int)

    tables = {
        "sessions": sessions_df, "participants": participants_df, "turns": turns_df,
        "segments": segments_df, "redactions": redactions,
    }
    tables = {name: validate(df.reset_index(drop=True), name) for name, df in tables.items()}
    summary = {
        "sessions": len(sessions_df), "turns": len(turns_df), "segments": len(segments_df),
        "participants": int((participants_df["role"].isin(["participant", "respondent"])).sum()),
        "words": int(turns_df["n_words"].sum()), "redactions": len(redactions),
        "formats": detected, "withdrawal": withdrawal, "segmentation": cfg.segmentation,
    }
    return tables, summary
