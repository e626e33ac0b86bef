"""Load the prepared and coded tables once, for notebooks 03/04 and the report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engagement.config import Config
from engagement.io import read_table


@dataclass
class Analysis:
    cfg: Config
    sessions: pd.DataFrame
    participants: pd.DataFrame
    segments: pd.DataFrame
    redactions: pd.DataFrame
    codings: pd.DataFrame
    stance: pd.DataFrame
    topics: pd.DataFrame
    segment_topics: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    prepare_summary: dict = field(default_factory=dict)
    code_summary: dict = field(default_factory=dict)
    learned: pd.DataFrame | None = None  # `engagement learn`'s suggestions (learned_codings.parquet), if written
    rejected: frozenset = frozenset()    # (segment_id, code) a researcher rejected on a coding sheet

    @property
    def learned_on(self) -> bool:
        """Whether the config counts learned codings in the measures (``coding: {learned: true}``)."""
        return bool((self.cfg.settings.get("coding") or {}).get("learned", False))

    @property
    def rule_codings(self) -> pd.DataFrame:
        """Theme codings the measures count: the codebook's rules and its semantic layer (not topics).

        With ``coding: {learned: true}`` also the codes ``engagement learn`` suggested, where no rule
        or semantic coding of the same segment and code exists already.
        """
        from engagement.schemas import THEME_SOURCES

        rules = self.codings[self.codings["source"].isin(THEME_SOURCES)]
        rules = self._corrected(rules)
        if not self.learned_on or self.learned is None or self.learned.empty:
            return rules
        # only segments still in the analysis: a participant withdrawn since `engagement learn` ran stays out
        learned = self.learned[(self.learned["source"] == "learned")
                               & self.learned["segment_id"].isin(self.segments["segment_id"])]
        seen = set(zip(rules["segment_id"], rules["code"]))
        new = learned[[key not in seen for key in zip(learned["segment_id"], learned["code"])]]
        return pd.concat([rules, new[[c for c in rules.columns if c in new.columns]]], ignore_index=True)

    def _corrected(self, auto: pd.DataFrame) -> pd.DataFrame:
        """The autocoding as a researcher corrected it on coding sheets: a code they rejected no longer
        counts, and a code they accepted or added counts (source "human", once per segment and code)."""
        human = self.codings[self.codings["source"] == "human"]
        if not self.rejected and human.empty:
            return auto
        confirmed = set(zip(human["segment_id"], human["code"]))
        drop = self.rejected - confirmed
        kept = auto[[k not in drop for k in zip(auto["segment_id"], auto["code"])]] if drop else auto
        have = set(zip(kept["segment_id"], kept["code"]))
        added = human[[k not in have for k in zip(human["segment_id"], human["code"])]]
        added = added.drop_duplicates(["segment_id", "code"])
        return pd.concat([kept, added[[c for c in kept.columns if c in added.columns]]], ignore_index=True) \
            if len(added) else kept

    def for_region(self, region: str) -> "Analysis":
        """The same analysis restricted to one region ("all" returns self)."""
        if region == "all":
            return self
        seg = self.segments[self.segments["region"] == region]
        ids = set(seg["segment_id"])
        return Analysis(
            self.cfg, self.sessions[self.sessions["region"].isin([region]) | self.sessions["region"].isna()],
            self.participants[self.participants["region"] == region], seg, self.redactions,
            self.codings[self.codings["segment_id"].isin(ids)], self.stance[self.stance["segment_id"].isin(ids)],
            self.topics, self.segment_topics[self.segment_topics["segment_id"].isin(ids)], self.labels, self.themes,
            self.prepare_summary, self.code_summary,
            None if self.learned is None else self.learned[self.learned["segment_id"].isin(ids)], self.rejected)


def read_json(path) -> dict:
    """A JSON summary written by an earlier stage, or {} when it has not been written."""
    return json.loads(path.read_text()) if path.is_file() else {}


def load_analysis(cfg: Config) -> Analysis:
    """Read every table the analysis needs (schema-checked) and the codebook's theme labels."""
    from engagement.coding.run import resolve_codebook

    t = {name: read_table(name, cfg.table_path(name)) for name in
         ("sessions", "participants", "segments", "redactions", "codings", "stance", "topics", "segment_topics")}
    learned_file = cfg.processed_dir / "learned_codings.parquet"
    learned = read_table("codings", learned_file) if learned_file.is_file() else None
    book = resolve_codebook(cfg)
    labels = theme_labels(book)
    themes = sorted(labels) if labels else sorted(t["codings"]["theme"].unique())
    return Analysis(cfg, **t, labels=labels, themes=themes,
                    prepare_summary=read_json(cfg.processed_dir / "prepare_summary.json"),
                    code_summary=read_json(cfg.processed_dir / "code_summary.json"), learned=learned,
                    rejected=rejected_codes(cfg, t["segments"]))


def rejected_codes(cfg: Config, segments: pd.DataFrame) -> frozenset:
    """(segment_id, code) pairs a researcher rejected, on segments whose text is still what they saw."""
    from engagement.coding.human import load_human_codings, text_hash

    store = load_human_codings(cfg)
    if store.empty:
        return frozenset()
    now = {sid: text_hash(text) for sid, text in zip(segments["segment_id"], segments["text"])}
    rej = store[store["decision"] == "reject"]
    return frozenset((sid, code) for sid, code, h in zip(rej["segment_id"], rej["code"], rej["text_hash"])
                     if now.get(sid) == h)


def theme_labels(book) -> dict[str, str]:
    """theme id -> readable label, from the codebook."""
    from engagement.coding.codebook import codebook_table

    table = codebook_table(book)
    if "theme_label" in table:
        return dict(zip(table["theme"], table["theme_label"]))
    return {t: str(t).replace("_", " ").capitalize() for t in table["theme"].unique()}


def segment_embeddings(segments: pd.DataFrame, cfg: Config) -> dict[str, np.ndarray]:
    """segment_id -> embedding of every participant's and respondent's segment of 3+ words, from the
    same cache the code stage filled (quotes come only from what people said, never a facilitator's
    question, which the code stage never embeds: a big study's report embedded them all cold)."""
    from engagement.coding.embeddings import embed

    seg = segments[segments["n_words"] >= 3]
    if "role" in seg:
        seg = seg[seg["role"].isin(("participant", "respondent"))]
    if seg.empty:  # a region with no sessions: nothing to embed (TF-IDF cannot fit an empty vocabulary)
        return {}
    vecs = embed(seg["text"].tolist(), cfg.topics.get("embedding", "minilm"), cache_dir=cfg.cache_dir / "embeddings",
                 seed=int(cfg.seed))
    return dict(zip(seg["segment_id"], vecs))
