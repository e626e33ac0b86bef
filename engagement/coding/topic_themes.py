"""What topics mean for the codebook: their themes, the overview table, and their quality.

A fitted topic (:mod:`engagement.coding.topics`) is mapped to the codebook theme most of its
sentences carry (:func:`map_topics_to_themes`); a coherent, big enough topic that no theme covers
is a candidate new theme. :func:`topic_overview` is the one table of topics the report and its
figure both show; :func:`topics_per_class` and :func:`topic_quality` describe topics by area and
by how coherent and diverse their words are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Words that carry no topic in spoken transcripts, on top of sklearn's English list.
TRANSCRIPT_STOP_WORDS = [
    "yeah", "yes", "no", "okay", "ok", "oh", "well", "just", "really", "think", "know", "mean", "like",
    "actually", "basically", "sort", "kind", "thing", "things", "lot", "bit", "say", "said", "going",
    "get", "got", "want", "way", "right", "mm", "um", "erm", "don", "didn", "doesn", "isn", "wasn",
    "ve", "ll", "re", "gonna", "suppose", "probably", "maybe", "person", "people", "sure", "dunno",
]

# Discourse and call-handling words: a topic labelled mostly with these is talk about the talk
# ("hang on, sorry", "press the button"), not something people raised about their data.
FILLER_WORDS = frozenset(TRANSCRIPT_STOP_WORDS) | {
    "sorry", "hang", "listen", "press", "button", "hear", "hello", "hi", "bye", "thank", "thanks", "pardon",
    "signal", "mute", "unmute", "click", "honestly", "literally", "anyway", "guess", "stuff", "tell", "happen",
    "time", "come", "go", "er", "uh", "hmm", "ah", "alright", "fine", "good", "great", "lovely", "bad", "thing",
}
MIN_COHERENCE = 0.5        # mean cosine similarity of a topic's sentences to their centroid
MIN_TOPIC_DOCS = 10        # a candidate new theme needs at least this many sentences ...
MIN_TOPIC_SHARE = 0.02     # ... and at least this share of all sentences
NO_THEME = "no theme"
OUTLIER_LABEL = "Outliers (no clear topic)"


def is_filler_label(label: str, *, max_share: float = 0.5) -> bool:
    """True when half or more of the distinct words of a topic label are filler or discourse words.

    Example:
        >>> is_filler_label("hang, sorry, listen"), is_filler_label("parking, car, bus")
        (True, False)
    """
    words = {w for phrase in str(label).lower().split(",") for w in phrase.split()}
    return bool(words) and sum(w in FILLER_WORDS for w in words) / len(words) >= max_share


def min_topic_size(n_docs: int) -> int:
    """The size a topic needs to count as a candidate new theme: max(10, 2% of the documents)."""
    return int(max(MIN_TOPIC_DOCS, np.ceil(MIN_TOPIC_SHARE * n_docs)))


def _candidates(out: pd.DataFrame, n_docs: int, min_size: int | None, min_coherence: float) -> pd.Series:
    """The candidate-new-theme rule on a mapped topics table (see :func:`map_topics_to_themes`)."""
    size_needed = min_topic_size(n_docs) if min_size is None else min_size
    coherence = out["coherence"] if "coherence" in out else pd.Series(np.nan, index=out.index)
    return ((out["topic_id"] != -1) & ~out["matched"] & (out["size"] >= size_needed)
            & (coherence.fillna(-1.0) >= min_coherence) & ~out["label"].map(is_filler_label)).astype(bool)


def map_topics_to_themes(topics: pd.DataFrame, segment_topics: pd.DataFrame, codings: pd.DataFrame | None,
                         *, min_share: float = 0.25, new_theme_below: float = 0.15, min_size: int | None = None,
                         min_coherence: float = MIN_COHERENCE) -> pd.DataFrame:
    """Add each topic's overlap with codebook themes (share of its segments coded with the theme).

    A topic *matches* its best theme when that theme covers at least ``new_theme_below`` of its
    segments. ``coherence`` is the mean cosine similarity of the topic's segments to their
    centroid (the ``probability`` of ``segment_topics``). A topic is flagged
    ``candidate_new_theme`` only if it matches no theme, holds at least ``min_size`` segments
    (default max(10, 2% of all segments)), has coherence of at least ``min_coherence``, and its
    label is not mostly filler words ("hang, sorry, listen"): something people talked about that
    the codebook has no code for, not a scatter of small talk.
    """
    out = topics.copy()
    out["themes"], out["top_theme"], out["top_theme_share"] = "", "", 0.0
    if "probability" in segment_topics and len(segment_topics):
        out["coherence"] = out["topic_id"].map(
            segment_topics.groupby("topic_id")["probability"].mean().round(4)).astype(float)
    elif "coherence" not in out:
        out["coherence"] = np.nan
    n_docs = len(segment_topics)
    if codings is not None and not codings.empty:
        coded = codings[["segment_id", "theme"]].drop_duplicates()
        merged = segment_topics.merge(coded, on="segment_id", how="left")
        sizes = segment_topics.groupby("topic_id").size()
        for i, rec in out.iterrows():
            tid = rec["topic_id"]
            part = merged[merged["topic_id"] == tid].dropna(subset=["theme"])
            shares = (part.groupby("theme")["segment_id"].nunique() / max(1, sizes.get(tid, 0))).sort_values(
                ascending=False, kind="stable")
            out.at[i, "themes"] = "; ".join(f"{t} ({s:.0%})" for t, s in shares.items() if s >= min_share)
            if len(shares):
                out.at[i, "top_theme"], out.at[i, "top_theme_share"] = shares.index[0], float(round(shares.iloc[0], 4))
    out["matched"] = (out["top_theme"] != "") & (out["top_theme_share"] >= new_theme_below)
    out["candidate_new_theme"] = _candidates(out, n_docs, min_size, min_coherence)
    return out.drop(columns="matched")


def topic_overview(topics: pd.DataFrame, labels: dict[str, str] | None = None, *, min_size: int | None = None,
                   min_coherence: float = MIN_COHERENCE, new_theme_below: float = 0.15, top: int | None = None
                   ) -> pd.DataFrame:
    """The one topics table the report and :func:`~engagement.report.figures.topic_map` both show.

    One row per topic, largest first (``top`` of them if given), then one row for the outliers
    (topic -1, size 0 when every sentence has a topic), so the outlier share is always stated.
    The candidate-new-theme rule is re-applied here (see :func:`map_topics_to_themes`), so a table
    fitted with older settings reads the same as a fresh one.

    Args:
        topics: the mapped topics table (``map_topics_to_themes``; ``coherence`` if known).
        labels: theme id -> label; a theme without one is shown as its id in words.
        min_size: sentences a candidate new theme needs (default max(10, 2% of all sentences)).
        min_coherence: coherence a candidate new theme needs.
        new_theme_below: best-theme share below which a topic matches no theme.
        top: keep only the largest ``top`` topics (the outlier row is always kept).

    Returns:
        Columns topic_id, topic (its label phrase), size, share (of all sentences), theme (the
        matched theme's label, or "no theme"), top_theme_share, coherence, candidate_new_theme;
        ``attrs`` holds ``outlier_share``, ``n_documents`` (all topics, not only the ``top``) and the
        ``min_size`` and ``min_coherence`` applied.

    Example:
        >>> topic_overview(mapped_topics, {"commercial": "Commercial access"})   # doctest: +SKIP
    """
    cols = ["topic_id", "topic", "size", "share", "theme", "top_theme_share", "coherence", "candidate_new_theme"]
    t = topics.copy()
    for col, default in (("top_theme", ""), ("top_theme_share", 0.0), ("coherence", np.nan)):
        if col not in t:
            t[col] = default
    t["top_theme"] = t["top_theme"].fillna("").astype(str)
    t["top_theme_share"] = t["top_theme_share"].astype(float).fillna(0.0)
    n_docs = int(t["size"].sum())
    t["matched"] = (t["top_theme"] != "") & (t["top_theme_share"] >= new_theme_below)
    t["candidate_new_theme"] = _candidates(t, n_docs, min_size, min_coherence) if len(t) else pd.Series(dtype=bool)
    names = labels or {}
    t["theme"] = [names.get(th, th.replace("_", " ").capitalize()) if m else NO_THEME
                  for th, m in zip(t["top_theme"], t["matched"])]
    t["share"] = (t["size"] / n_docs).round(4) if n_docs else 0.0
    t = t.rename(columns={"label": "topic"})
    rows = t[t["topic_id"] != -1].sort_values(["size", "topic_id"], ascending=[False, True], kind="stable")
    if top is not None:
        rows = rows.head(top)
    outliers = t[t["topic_id"] == -1]
    n_out = int(outliers["size"].sum())
    out_row = pd.DataFrame([{"topic_id": -1, "topic": OUTLIER_LABEL, "size": n_out,
                             "share": round(n_out / n_docs, 4) if n_docs else 0.0, "theme": NO_THEME,
                             "top_theme_share": np.nan, "coherence": np.nan, "candidate_new_theme": False}])
    table = pd.concat([rows[cols], out_row[cols]], ignore_index=True) if len(rows) else out_row[cols]
    table = table.astype({"topic_id": int, "size": int, "share": float, "candidate_new_theme": bool})
    table.attrs.update(outlier_share=float(out_row["share"].iloc[0]), n_documents=n_docs,
                       min_coherence=float(min_coherence),
                       min_size=int(min_topic_size(n_docs) if min_size is None else min_size))
    return table


def topics_per_class(segments: pd.DataFrame, segment_topics: pd.DataFrame, topics: pd.DataFrame,
                     by: str = "region") -> pd.DataFrame:
    """Topic x class (region or session kind) table: segments, participants and share of the class's segments."""
    merged = segment_topics.merge(segments[["segment_id", "participant_id", by]], on="segment_id")
    totals = merged.groupby(by)["segment_id"].count()
    table = merged.groupby(["topic_id", by]).agg(segments=("segment_id", "count"),
                                                   participants=("participant_id", "nunique")).reset_index()
    table["share_of_segments"] = (table["segments"] / table[by].map(totals)).round(4)
    table = table.merge(topics[["topic_id", "label"]], on="topic_id", how="left")
    return table.sort_values(["topic_id", by]).reset_index(drop=True)


def topic_quality(topics: pd.DataFrame, segments: pd.DataFrame, segment_topics: pd.DataFrame, top_n: int = 10
                  ) -> dict[str, float]:
    """NPMI coherence (gensim, on the segments' lemmas) and topic diversity of the fitted topics."""
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    # topic words are lemmas (see lemma_documents), so co-occurrence is counted on lemmas
    texts = segments.loc[segments["segment_id"].isin(segment_topics["segment_id"]), "lemmas"].str.split().tolist()
    word_lists = [[w for w in str(ws).split(", ") if w and " " not in w][:top_n]
                  for ws in topics.loc[topics["topic_id"] != -1, "words"]]
    dictionary = Dictionary(texts)
    word_lists = [[w for w in ws if w in dictionary.token2id] for ws in word_lists]
    word_lists = [ws for ws in word_lists if len(ws) >= 2]
    if not word_lists:
        return {"npmi": float("nan"), "diversity": float("nan"), "n_topics": 0}
    cm = CoherenceModel(topics=word_lists, texts=texts, dictionary=dictionary, coherence="c_npmi", processes=1)
    all_words = [w for ws in word_lists for w in ws]
    return {"npmi": round(float(cm.get_coherence()), 4), "diversity": round(len(set(all_words)) / len(all_words), 4),
            "n_topics": len(word_lists)}
