"""The store of human coding decisions: what researchers accepted, added, rejected and reviewed.

Decisions come in from coding sheets (:mod:`engagement.coding.sheet`) and live in
``processed/human/codings.parquet``, a file that ``prepare`` and ``code`` never rewrite. One row
per segment, code and coder: ``decision`` is ``accept`` (a suggested code confirmed), ``add`` (a
code the researcher added), ``reject`` (a suggestion that is wrong) or ``reviewed`` (the coder read
the segment; its code is always :data:`REVIEWED_CODE`, "-", so there is one such row per segment and
coder, and it keeps the row's note); a later decision by the same coder on the same segment and code
replaces the earlier one. A ``reviewed`` row never becomes a coding: it says that the codes the
coder did not apply to that segment are absent (see :func:`reviewed_segments`).

Each row keeps the sha256 of the segment text the coder saw (``text_hash``), so a decision is only
ever applied to that text: when segmentation or de-identification changes a segment, or a
participant withdraws, the decision is reported as stale by :func:`human_codings`, never silently
applied or dropped; :func:`prune_stale` removes stale decisions from the store after saving them to
a dated CSV beside it.

The store holds code ids, coder names or initials, times, hashes and the coders' notes; no
participant text.

Example:
    >>> store = merge_decisions(empty_store(), new_rows)          # doctest: +SKIP
    >>> codings, stale = human_codings(store, segments)           # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from engagement.config import Config
from engagement.errors import SchemaError

DECISIONS = ("accept", "add", "reject", "reviewed")
APPLIED = ("accept", "add")        # decisions that become codings; a rejection only teaches the model
REVIEWED = "reviewed"              # the coder read the segment (whatever codes they applied, if any)
REVIEWED_CODE = "-"                # the code of a ``reviewed`` row: no code, one row per segment and coder
HUMAN_COLUMNS = ["segment_id", "code", "theme", "decision", "coder", "coded_at", "text_hash", "note", "sheet"]
KEY = ["segment_id", "code", "coder"]
STALE_COLUMNS = ["segment_id", "code", "coder", "decision", "coded_at", "reason"]


def text_hash(text: str) -> str:
    """The sha256 (hex) of a segment's text, as the sheet and the store record it."""
    return hashlib.sha256(str(text).encode("utf-8")).hexdigest()


def store_path(cfg: Config) -> Path:
    """Where the project's human decisions are kept (owner-only, beside the derived tables)."""
    return cfg.processed_dir / "human" / "codings.parquet"


def empty_store() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=str) for c in HUMAN_COLUMNS})


def check_store(table: pd.DataFrame, where: str = "human codings") -> pd.DataFrame:
    """The table with the store's columns in order, all strings; raises on a malformed one."""
    missing = [c for c in HUMAN_COLUMNS if c not in table]
    if missing:
        raise SchemaError(f"{where}: missing column(s) {', '.join(missing)}")
    out = table[HUMAN_COLUMNS].fillna("").astype(str).reset_index(drop=True)
    bad = sorted(set(out["decision"]) - set(DECISIONS))
    if bad:
        raise SchemaError(f"{where}: unknown decision(s) {', '.join(map(repr, bad))}; expected one of {DECISIONS}")
    for col in ("segment_id", "code", "coder", "coded_at"):
        if (out[col].str.strip() == "").any():
            raise SchemaError(f"{where}: empty '{col}'")
    if not out["text_hash"].str.fullmatch(r"[0-9a-f]{64}").all():
        raise SchemaError(f"{where}: 'text_hash' must be a sha256 hex digest")
    mark = out["decision"] == REVIEWED
    if (mark != (out["code"] == REVIEWED_CODE)).any():
        raise SchemaError(f"{where}: a '{REVIEWED}' decision takes the code '{REVIEWED_CODE}', and only it does")
    return out


def load_human_codings(cfg: Config) -> pd.DataFrame:
    """Every stored decision (an empty store if none has been imported yet)."""
    path = store_path(cfg)
    if not path.is_file():
        return empty_store()
    return check_store(pd.read_parquet(path), where=str(path))


def merge_decisions(store: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The store with ``new`` decisions merged in: the last decision per segment, code and coder wins.

    "Last" is the later ``coded_at``; on a tie, the row of ``new`` (so importing the same sheet twice
    changes nothing but the time). Pure: neither input is changed.
    """
    old, fresh = check_store(store, "stored decisions"), check_store(new, "new decisions")
    both = pd.concat([old.assign(_order=0), fresh.assign(_order=1)], ignore_index=True)
    both["_row"] = range(len(both))
    both = both.sort_values(["coded_at", "_order", "_row"], kind="stable")
    merged = both.drop_duplicates(KEY, keep="last").drop(columns=["_order", "_row"])
    return merged.sort_values(KEY + ["coded_at"]).reset_index(drop=True)


def save_human_codings(cfg: Config, table: pd.DataFrame) -> Path:
    """Write the whole store atomically (temporary file, then rename) in an owner-only folder."""
    from engagement.io import atomic_write_bytes

    checked = check_store(table)
    path = store_path(cfg)
    for folder in (cfg.processed_dir, path.parent):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    buf = io.BytesIO()
    checked.to_parquet(buf, index=False)
    return atomic_write_bytes(path, buf.getvalue())


def record_decisions(cfg: Config, new: pd.DataFrame) -> pd.DataFrame:
    """Merge ``new`` decisions into the project's store and write it; returns the whole store."""
    merged = merge_decisions(load_human_codings(cfg), new)
    save_human_codings(cfg, merged)
    return merged


def human_codings(store: pd.DataFrame, segments: pd.DataFrame,
                  themes: dict[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored decisions that still apply, as codings (source ``human``), and those that do not.

    A decision applies when its segment still exists with the text the coder saw. Accepted and
    added codes become one codings row per segment and code (evidence names each coder and the day,
    e.g. "coded by AB on 2026-12-01"; score 1.0); rejections and ``reviewed`` marks never do.
    Every decision whose segment vanished (re-segmented, withdrawn) or whose text changed is
    returned in the second table (``reason`` "segment no longer exists" / "segment text changed"),
    rejections and marks included, and so is a decision on a code the current codebook no longer
    has ("code not in the codebook"); the store itself is left as it is (:func:`prune_stale`
    removes stale decisions).

    Args:
        store: the human decisions (:func:`load_human_codings`).
        segments: the current ``segments`` table (segment_id, text).
        themes: the current codebook's {code: theme}; when given, a coding takes its code's
            current theme, and a code missing from it is stale.

    Returns:
        (codings, stale): a ``codings`` table and a table with :data:`STALE_COLUMNS`.
    """
    store = check_store(store)
    reason = _text_reason(store, segments)
    if themes is not None:
        lost = (reason == "") & ~store["code"].isin(list(themes)) & (store["decision"] != REVIEWED)
        reason[lost] = "code not in the codebook"
        store = store.assign(theme=store["code"].map(themes).fillna(store["theme"]))
    stale = store[reason != ""].assign(reason=reason[reason != ""])[STALE_COLUMNS].reset_index(drop=True)
    live = store[(reason == "") & store["decision"].isin(APPLIED)]
    live = live.sort_values(["segment_id", "code", "coded_at", "coder"])
    rows = []
    for (sid, code), group in live.groupby(["segment_id", "code"], sort=True):
        who = ", ".join(f"{c} on {t[:10]}" for c, t in zip(group["coder"], group["coded_at"]))
        rows.append({"segment_id": sid, "code": code, "theme": group["theme"].iloc[-1], "source": "human",
                     "evidence": f"coded by {who}", "score": 1.0})
    codings = pd.DataFrame(rows, columns=["segment_id", "code", "theme", "source", "evidence", "score"])
    return codings.astype({"score": float}), stale


def _text_reason(store: pd.DataFrame, segments: pd.DataFrame) -> pd.Series:
    """Per stored decision: "" if its segment still has the text the coder saw, else why not."""
    current = dict(zip(segments["segment_id"].astype(str), segments["text"].astype(str).map(text_hash)))
    now = store["segment_id"].map(current)
    reason = pd.Series("", index=store.index)
    reason[now.isna()] = "segment no longer exists"
    reason[now.notna() & (now != store["text_hash"])] = "segment text changed"
    return reason


def live_decisions(store: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The stored decisions whose segment still exists with the text the coder saw (all kinds)."""
    store = check_store(store)
    return store[_text_reason(store, segments) == ""].reset_index(drop=True)


def reviewed_segments(store: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The segments each coder has reviewed, on text that is still what they saw.

    A segment counts as reviewed by a coder when the store holds any decision of theirs on it (a
    ``reviewed`` mark, or an accepted, added or rejected code) whose ``text_hash`` matches the
    segment's current text. For a reviewed segment every code the coder did not accept or add is
    absent, so a learner may take it as a negative for those codes. Decisions on vanished or
    changed segments do not count (:func:`human_codings` reports them as stale).

    Args:
        store: the human decisions (:func:`load_human_codings`).
        segments: the current ``segments`` table (segment_id, text).

    Returns:
        A table with columns ``segment_id, coder``, one row per pair, sorted.

    Example:
        >>> seg = pd.DataFrame({"segment_id": ["S1", "S2"], "text": ["Fine by me.", "Who sees it?"]})
        >>> mark = {"segment_id": "S1", "code": REVIEWED_CODE, "theme": "", "decision": REVIEWED,
        ...         "coder": "AB", "coded_at": "2026-12-01T10:00:00+00:00",
        ...         "text_hash": text_hash("Fine by me."), "note": "", "sheet": "coding-all.xlsx"}
        >>> reviewed_segments(pd.DataFrame([mark]), seg).values.tolist()
        [['S1', 'AB']]
    """
    live = live_decisions(store, segments)
    out = live[["segment_id", "coder"]].drop_duplicates()
    return out.sort_values(["segment_id", "coder"]).reset_index(drop=True)


def describe_stale(stale: pd.DataFrame, limit: int = 3) -> str:
    """One line about decisions that no longer apply (empty when there are none)."""
    if not len(stale):
        return ""
    counts = stale["reason"].value_counts()
    parts = ", ".join(f"{n} {why}" for why, n in counts.items())
    ids = list(dict.fromkeys(stale["segment_id"]))
    shown, more = ", ".join(ids[:limit]), max(0, len(ids) - limit)
    return (f"{len(stale)} human coding decision(s) not applied ({parts}): {shown}"
            + (f" and {more} more segment(s)" if more else "") + "; they stay in the store; re-code these segments")


@dataclass
class Pruned:
    """What :func:`prune_stale` did (or, on a dry run, would do)."""

    removed: int                      # decisions taken out of the store
    kept: int                         # decisions left in it
    reasons: dict[str, int]           # {"segment text changed": n, "segment no longer exists": m}
    store: Path
    backup: Path | None               # the CSV holding the removed decisions (None: nothing written)
    dry_run: bool

    def line(self) -> str:
        """One line for the CLI, e.g. "pruned 2 stale decision(s) (...); saved to ...; 5 kept"."""
        if not self.removed:
            return f"no stale decisions in {self.store}; {self.kept} kept"
        why = ", ".join(f"{n} {r}" for r, n in self.reasons.items())
        if self.dry_run:
            return (f"would prune {self.removed} stale decision(s) from {self.store} ({why}); "
                    f"{self.kept} kept; dry run, nothing written")
        return (f"pruned {self.removed} stale decision(s) from {self.store} ({why}); saved to {self.backup}; "
                f"{self.kept} kept")


def prune_stale(cfg: Config, *, dry_run: bool = False, segments: pd.DataFrame | None = None,
                now: datetime | None = None) -> Pruned:
    """Remove from the store the decisions whose segment vanished or whose text changed.

    The removed rows (every store column, plus ``reason``) are first written to a CSV beside the
    store, ``processed/human/pruned-<UTC date and time>.csv`` (owner-only, never overwritten), and
    only then is the store rewritten without them, so nothing is lost silently; a decision on a code
    the codebook no longer has is kept (the code may come back). Values are written exactly as
    stored, so the CSV can be read back with pandas and merged again (:func:`merge_decisions`).

    Args:
        cfg: the project.
        dry_run: report what would be removed; write nothing.
        segments: the current ``segments`` table (default: the project's; prepare must have run).
        now: the time stamp of the backup's name (default: now, UTC).

    Returns:
        A :class:`Pruned`; ``Pruned.line()`` is the one-line summary.

    Raises:
        InputError: the project has no segments table (pruning against nothing would remove
            every decision).
    """
    from engagement.errors import InputError
    from engagement.io import atomic_write_text, read_table

    if segments is None:
        seg_path = cfg.table_path("segments")
        if not seg_path.is_file():
            raise InputError(f"{seg_path}: no segments table; run 'engagement prepare' before pruning")
        segments = read_table("segments", seg_path)
    path = store_path(cfg)
    store = load_human_codings(cfg)
    reason = _text_reason(store, segments)
    gone = reason != ""
    counts = {r: int(n) for r, n in reason[gone].value_counts().sort_index().items()}
    result = Pruned(int(gone.sum()), int((~gone).sum()), counts, path, None, dry_run)
    if dry_run or not result.removed:
        return result
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    backup = path.parent / f"pruned-{stamp}.csv"
    n = 1
    while backup.exists():
        n += 1
        backup = path.parent / f"pruned-{stamp}-{n}.csv"
    removed = store[gone].assign(reason=reason[gone])
    atomic_write_text(backup, removed.to_csv(index=False))
    save_human_codings(cfg, store[~gone].reset_index(drop=True))
    result.backup = backup
    return result
