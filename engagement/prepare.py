"""The prepare stage: raw files + manifest -> sessions, participants, turns, segments, redactions.

ingest -> clean -> withdraw -> de-identify -> segment, then every table is validated and
written atomically. Nothing is written unless every session was read: an input error in the
last file leaves the previous outputs as they were.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from engagement.ingest.clean import clean_turns
from engagement.config import Config
from engagement.io import atomic_write_text, sha256_bytes, write_tables
from engagement.ingest.manifest import load_manifest
from engagement.privacy.withdrawal import apply_withdrawals
from engagement.schemas import validate

TABLES = ("sessions", "participants", "turns", "segments", "redactions")


@dataclass
class PrepareResult:
    tables: dict[str, pd.DataFrame]
    summary: dict = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)


def _progress(iterable, enabled: bool, desc: str, total: int | None = None):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, unit="file", leave=False)


def _segment_with_cache(turns: pd.DataFrame, cfg: Config, mode: str) -> pd.DataFrame:
    """Segment per session, reusing cached segments when the session's de-identified text is unchanged."""
    from engagement.ingest.segment import segment_turns, segmentation_pipeline

    cache = cfg.cache_dir / "segments"
    parts, todo, used = [], [], set()
    for sid, group in turns.groupby("session_id", sort=True):
        key_src = json.dumps([mode, group[["turn_index", "participant_id", "role", "region", "kind", "text"]]
                              .astype(str).values.tolist()], ensure_ascii=False)
        key = sha256_bytes(key_src.encode("utf-8"))
        path = cache / f"{key}.parquet"
        used.add(path.name)
        if path.is_file():
            parts.append(pd.read_parquet(path))
        else:
            todo.append((path, group))
    if todo:
        # one nlp.pipe over every uncached session (batching beats per-session calls), then split
        nlp = segmentation_pipeline(mode)
        fresh = segment_turns(pd.concat([g for _, g in todo], ignore_index=True), nlp,
                              n_process=int(cfg.n_process), batch_size=128)
        for path, group in todo:
            seg = fresh[fresh["session_id"] == group["session_id"].iloc[0]].reset_index(drop=True)
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


def prepare(cfg: Config, *, write: bool = True, progress: bool = False) -> PrepareResult:
    """Run ingest -> clean -> withdraw -> de-identify -> segment and write the tables.

    Args:
        cfg: the project configuration.
        write: write the tables to ``cfg.processed_dir`` (atomically, all or none).
        progress: show a progress bar over files.

    Raises:
        EngagementError: for any input problem, naming the file and line; nothing is written.
    """
    from engagement.ingest.sessions import ingest_session

    manifest = load_manifest(cfg)
    rows = manifest.sessions.sort_values("session_id").to_dict("records")
    sessions, turns, people, known, detected = [], [], [], set(), {}
    for row in _progress(rows, progress, "reading", len(rows)):
        got = ingest_session(row, manifest, cfg)
        sessions.append(got.session)
        turns.append(got.turns)
        people.append(got.participants)
        known.update(got.known_names)
        detected[row["session_id"]] = got.detected
    sessions_df = pd.DataFrame(sessions)
    turns_df = clean_turns(pd.concat(turns, ignore_index=True), fillers=bool(cfg.remove_fillers))
    participants_df = pd.concat(people, ignore_index=True).drop_duplicates("participant_id")
    turns_df, participants_df, withdrawal = apply_withdrawals(turns_df, participants_df, manifest.withdrawn)

    redactions = pd.DataFrame(columns=["session_id", "turn_index", "start", "end", "type", "method",
                                       "placeholder", "value_hash"])
    if cfg.deidentify.get("enabled", True):
        from engagement.privacy.deidentify import build_detector, deidentify_turns, Pseudonymiser, load_salt

        if "name" in manifest.participants:
            known.update(n for n in manifest.participants["name"] if n)
        detector = build_detector(cfg, known_names=sorted(known))
        pseudonymiser = Pseudonymiser(load_salt(cfg), pseudonyms=bool(cfg.deidentify.get("pseudonyms")))
        turns_df, redactions = deidentify_turns(turns_df, detector, pseudonymiser)
    turns_df["n_words"] = turns_df["text"].astype(str).str.count(r"\S+")

    segments_df = _segment_with_cache(turns_df, cfg, cfg.segmentation)
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
    result = PrepareResult(tables, summary)
    if write:
        result.paths = write_tables(tables, cfg, validated=True)
        atomic_write_text(cfg.processed_dir / "prepare_summary.json", json.dumps(summary, indent=2, sort_keys=True))
    return result
