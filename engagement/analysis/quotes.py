"""Exemplar quotes: representative of a theme, diverse in who said them, safe to publish.

A quote is representative when its embedding is near the centre of the theme's segments
(within a region), and the selection is diverse: a greedy pass takes the most central
candidate, then prefers other participants and other sessions. Quotes come from the
de-identified segments and are attributed by pseudonym, region and session kind only. A
theme x region cell with fewer than ``min_cell`` participants yields no quotes at all.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from engagement.analysis.measures import analysed_segments
from engagement.schemas import THEME_SOURCES

_PLACEHOLDER = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")
KIND_LABELS = {"focus_group": "focus group", "interview": "interview", "survey": "survey"}


def exemplar_quotes(segments: pd.DataFrame, codings: pd.DataFrame, embeddings: dict[str, np.ndarray], *,
                    by: str = "region", per_cell: int = 2, min_cell: int = 5, min_words: int = 8,
                    max_words: int = 60) -> pd.DataFrame:
    """Pick ``per_cell`` representative, diverse quotes per theme and group.

    Args:
        segments: segments table (de-identified).
        codings: rule codings.
        embeddings: segment_id -> unit-length embedding vector.
        by: grouping column ("region", or "all" for the whole corpus).
        per_cell: quotes per theme x group.
        min_cell: cells with fewer participants give no quotes.
        min_words / max_words: a quote must be long enough to stand alone and short enough to read.

    Returns:
        theme, group, rank, segment_id, quote, participant_id, region, kind, attribution, centrality.
    """
    seg = analysed_segments(segments)
    coded = codings[codings["source"].isin(THEME_SOURCES)][["segment_id", "theme"]].drop_duplicates()
    data = coded.merge(seg, on="segment_id")
    if by == "all":
        data = data.assign(all="all")
    rows = []
    for (theme, group), part in data.groupby(["theme", by], sort=True):
        if part["participant_id"].nunique() < min_cell:
            continue
        cand = part[(part["n_words"] >= min_words) & (part["n_words"] <= max_words)
                    & part["segment_id"].isin(embeddings.keys())]
        if cand.empty:
            continue
        vecs = np.stack([embeddings[s] for s in part["segment_id"] if s in embeddings])
        centre = vecs.mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        cand = cand.assign(centrality=[float(embeddings[s] @ centre) for s in cand["segment_id"]])
        # a placeholder-heavy sentence reads badly in a report: small penalty, not a ban
        cand["score"] = cand["centrality"] - 0.05 * cand["text"].str.count(_PLACEHOLDER.pattern)
        cand = cand.sort_values(["score", "segment_id"], ascending=[False, True])
        chosen, people, sessions = [], set(), set()
        for strict in (True, False):
            for rec in cand.to_dict("records"):
                if len(chosen) >= per_cell:
                    break
                if rec["segment_id"] in {c["segment_id"] for c in chosen} or rec["participant_id"] in people:
                    continue
                if strict and rec["session_id"] in sessions:
                    continue
                chosen.append(rec)
                people.add(rec["participant_id"])
                sessions.add(rec["session_id"])
        for rank, rec in enumerate(chosen, start=1):
            rows.append({
                "theme": theme, by: group, "rank": rank, "segment_id": rec["segment_id"], "quote": rec["text"],
                "participant_id": rec["participant_id"], "region": rec["region"], "kind": rec["kind"],
                "attribution": f"{rec['participant_id']}, {rec['region']}, {KIND_LABELS.get(rec['kind'], rec['kind'])}",
                "centrality": round(rec["centrality"], 4),
            })
    # no cell big enough: an empty table with its columns, so callers can still select from it
    columns = ["theme", by, "rank", "segment_id", "quote", "participant_id", "region", "kind", "attribution",
               "centrality"]
    return pd.DataFrame(rows, columns=list(dict.fromkeys(columns)))
