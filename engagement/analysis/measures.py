"""Measures: how many people raised each theme, where, and how they felt about it.

Counts are of *participants* (people), not sentences: one talkative person cannot make a theme
look common. Shares carry 95% intervals from a cluster bootstrap over sessions (people in one
focus group influence each other, so sessions, not people, are the independent units; each
survey respondent is their own cluster). Small counts follow the disclosure policy
(:mod:`engagement.analysis.disclosure`): each cell is published as a value, a band ("fewer than
5") or suppressed (``published_as``), and ``suppressed`` is True whenever the count is not shown
as a number, never shown as zero.

Example:
    >>> from engagement.analysis.measures import theme_prevalence      # doctest: +SKIP
    >>> theme_prevalence(segments, codings, by="region", min_cell=5, seed=1)   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engagement.analysis import disclosure
from engagement.schemas import MEASURED_SOURCES

SPEAKER_ROLES = ("participant", "respondent")
SUPPRESSED = "suppressed"


def analysed_segments(segments: pd.DataFrame, include_facilitators: bool = False) -> pd.DataFrame:
    """Segments that count in measures: participants and respondents (facilitators optional)."""
    roles = SPEAKER_ROLES + (("facilitator",) if include_facilitators else ())
    out = segments[segments["role"].isin(roles)].copy()
    # survey respondents are independent units; focus-group members cluster within their session
    out["cluster"] = np.where(out["kind"] == "survey", out["participant_id"], out["session_id"])
    return out


def _theme_hits(segments: pd.DataFrame, codings: pd.DataFrame, level: str = "theme") -> pd.DataFrame:
    coded = codings[codings["source"].isin(MEASURED_SOURCES)] if "source" in codings else codings
    hits = coded[["segment_id", level]].drop_duplicates().merge(
        segments[["segment_id", "participant_id", "session_id", "cluster", "region", "kind"]], on="segment_id")
    return hits.rename(columns={level: "theme"})


def _bootstrap_share(mention: np.ndarray, totals: np.ndarray, n_boot: int, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of sum(mention)/sum(totals) resampling clusters (rows) with replacement.

    ``mention`` is clusters x themes, ``totals`` the participants per cluster.
    """
    n = len(totals)
    if n == 0:
        nan = np.full(mention.shape[1], np.nan)
        return nan, nan
    idx = rng.integers(0, n, size=(n_boot, n))
    num = mention[idx].sum(axis=1)                       # n_boot x themes
    den = totals[idx].sum(axis=1)[:, None]
    shares = np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)
    return np.nanpercentile(shares, 2.5, axis=0), np.nanpercentile(shares, 97.5, axis=0)


def theme_prevalence(segments: pd.DataFrame, codings: pd.DataFrame, *, by: str = "region", min_cell: int = 5,
                     seed: int = 0, n_boot: int = 2000, level: str = "theme",
                     themes: list[str] | None = None, sensitive_themes: tuple[str, ...] = disclosure.SENSITIVE_THEMES,
                     policy: str = "band", secondary: bool = True) -> pd.DataFrame:
    """Theme x group table: segments, participants and sessions mentioning each theme.

    Args:
        segments: the segments table (all roles; only participants and respondents are counted).
        codings: the codings table (``theme`` and ``code`` columns).
        by: the grouping column of ``segments`` (region, kind) or of a merged attribute (age_band).
        min_cell: counts of 1..min_cell-1 participants are banded or suppressed (the disclosure policy).
        seed: bootstrap seed (the same seed gives the same intervals).
        n_boot: bootstrap replicates.
        level: "theme" or "code".
        themes: the full list of themes (so themes nobody raised appear with 0).
        sensitive_themes: theme ids whose small counts are suppressed, never banded.
        policy: "band" (small counts by area read "fewer than 5") or "suppress" (hidden).
        secondary: protect further cells so no hidden count follows from the overall count by
            subtraction (switch off only to show what it prevents).

    Returns:
        One row per (theme, group) with segments, participants, participants_total, sessions,
        share, ci_low, ci_high, suppressed, published_as ("value", "band", "suppressed") and band
        (e.g. "fewer than 5", or ""). ``suppressed`` is True when the count is not a published value.
    """
    seg = analysed_segments(segments) if "cluster" not in segments else segments
    hits = _theme_hits(seg, codings, level)
    if by not in hits:
        hits = hits.merge(seg[["segment_id", by]], on="segment_id")
    themes = sorted(set(themes or []) | set(hits["theme"]))
    rng = np.random.default_rng(seed)
    rows = []
    for group, gseg in seg.groupby(by, sort=True, dropna=True):
        clusters = sorted(gseg["cluster"].unique())
        cl_index = {c: i for i, c in enumerate(clusters)}
        people = gseg.drop_duplicates("participant_id")
        totals = np.bincount(people["cluster"].map(cl_index), minlength=len(clusters)).astype(float)
        ghits = hits[hits[by] == group]
        mention = np.zeros((len(clusters), len(themes)))
        th_index = {t: j for j, t in enumerate(themes)}
        first = ghits.drop_duplicates(["theme", "participant_id"])
        np.add.at(mention, (first["cluster"].map(cl_index).to_numpy(), first["theme"].map(th_index).to_numpy()), 1)
        low, high = _bootstrap_share(mention, totals, n_boot, rng)
        if len(clusters) < 2:
            # one session cannot be resampled: an interval of width 0 would claim certainty
            low, high = np.full(len(themes), np.nan), np.full(len(themes), np.nan)
        n_total = int(totals.sum())
        for j, theme in enumerate(themes):
            th = ghits[ghits["theme"] == theme]
            n_part = int(mention[:, j].sum())
            rows.append({
                "theme": theme, by: group, "segments": len(th["segment_id"].unique()), "participants": n_part,
                "participants_total": n_total, "sessions": th["session_id"].nunique(),
                "share": n_part / n_total if n_total else np.nan,
                "ci_low": np.nan if n_part == 0 else round(float(low[j]), 4),
                "ci_high": np.nan if n_part == 0 else round(float(high[j]), 4),
            })
    columns = ["theme", by, "segments", "participants", "participants_total", "sessions", "share", "ci_low",
               "ci_high", "suppressed", "published_as", "band"]
    out = pd.DataFrame(rows, columns=[c for c in columns if c not in ("suppressed", "published_as", "band")])
    if out.empty:
        return out.assign(suppressed=pd.Series(dtype=bool), published_as=pd.Series(dtype=str),
                          band=pd.Series(dtype=str))[columns]
    overall = _overall_counts(seg, hits, themes)
    if by == "all":
        # the overall column is published beside the area tables: it protects itself against them
        breakdowns = [(b, _group_counts(seg, hits, b, themes)) for b in ("region", "kind") if b in seg] if secondary else []
        ruled = disclosure.protect_overall(overall, breakdowns, min_cell=min_cell, sensitive_themes=sensitive_themes,
                                           policy=policy)
    else:
        ruled = disclosure.protect(out[["theme", by, "participants", "participants_total"]], by=by,
                                   min_cell=min_cell, sensitive_themes=sensitive_themes, policy=policy,
                                   overall=overall, secondary=secondary)
    out["published_as"], out["band"] = ruled["published_as"].to_numpy(), ruled["band"].to_numpy()
    out["suppressed"] = out["published_as"] != disclosure.VALUE
    hidden = ["segments", "participants", "sessions", "share", "ci_low", "ci_high"]
    out[hidden] = out[hidden].astype(float)
    out.loc[out["suppressed"], hidden] = np.nan
    out["share"] = out["share"].round(4)
    return out[columns].astype({"suppressed": bool})


def _overall_counts(seg: pd.DataFrame, hits: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """Each theme's participants over all groups: the "all" column the report publishes beside a table."""
    n = hits.groupby("theme")["participant_id"].nunique().reindex(themes, fill_value=0)
    return pd.DataFrame({"theme": themes, "participants": n.to_numpy().astype(int),
                         "participants_total": seg["participant_id"].nunique()})


def _group_counts(seg: pd.DataFrame, hits: pd.DataFrame, by: str, themes: list[str]) -> pd.DataFrame:
    """Exact participants per theme x ``by`` group, zeros included, with each group's participants."""
    group_n = seg.groupby(by)["participant_id"].nunique()
    counts = (hits.drop_duplicates(["theme", by, "participant_id"]).groupby(["theme", by]).size()
              .reindex(pd.MultiIndex.from_product([themes, group_n.index], names=["theme", by]), fill_value=0)
              .rename("participants").reset_index())
    return counts.assign(participants_total=counts[by].map(group_n).astype(int))


def _protected(seg: pd.DataFrame, hits: pd.DataFrame, by: str, *, min_cell: int, sensitive_themes, policy: str
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The disclosure decisions for the theme x ``by`` participant counts, and for the overall counts."""
    themes = sorted(set(hits["theme"]))
    overall = _overall_counts(seg, hits, themes)
    breakdowns = {b: _group_counts(seg, hits, b, themes) for b in dict.fromkeys((by, "region", "kind")) if b in seg}
    table = disclosure.protect(breakdowns[by], by=by, min_cell=min_cell, sensitive_themes=sensitive_themes,
                               policy=policy, overall=overall)
    overall = disclosure.protect_overall(overall, list(breakdowns.items()), min_cell=min_cell,
                                         sensitive_themes=sensitive_themes, policy=policy)
    return table, overall


def stance_by_theme(segments: pd.DataFrame, codings: pd.DataFrame, stance: pd.DataFrame, *, by: str | None = None,
                    min_cell: int = 5, sensitive_themes: tuple[str, ...] = disclosure.SENSITIVE_THEMES
                    ) -> pd.DataFrame:
    """Share of concern, support, conditional support (and mixed, neutral) among each theme's segments.

    Shares are shown only where the theme's participant count is published as a value under the
    disclosure policy (a banded or suppressed count says too little to describe how those few felt,
    and too much about them); ``published_as`` and ``band`` say how the count is shown.
    """
    seg = analysed_segments(segments) if "cluster" not in segments else segments
    hits = _theme_hits(seg, codings).merge(stance[["segment_id", "stance"]], on="segment_id")
    keys = ["theme"] + ([by] if by else [])
    rows = []
    for key, part in hits.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        counts = part["stance"].value_counts()
        row = dict(zip(keys, key))
        row.update({"segments": len(part), "participants": part["participant_id"].nunique()})
        for label in ("concern", "support", "conditional_support", "mixed", "neutral"):
            row[label] = round(counts.get(label, 0) / len(part), 4)
        rows.append(row)
    labels = ["concern", "support", "conditional_support", "mixed", "neutral"]
    columns = [*keys, "segments", "participants", "suppressed", *labels, "published_as", "band"]
    out = pd.DataFrame(rows, columns=[c for c in columns if c not in ("suppressed", "published_as", "band")])
    if out.empty:
        return out.assign(suppressed=pd.Series(dtype=bool), published_as=pd.Series(dtype=str),
                          band=pd.Series(dtype=str))[columns]
    group = by or "all"
    counts = out.assign(**({} if by else {"all": "all"}))
    group_n = seg.assign(all="all").groupby(group)["participant_id"].nunique()
    counts = counts.assign(participants_total=counts[group].map(group_n).fillna(0).astype(int))
    overall = hits.groupby("theme")["participant_id"].nunique().rename("participants").reset_index().assign(
        participants_total=seg["participant_id"].nunique())
    ruled = disclosure.protect(counts[["theme", group, "participants", "participants_total"]], by=group,
                               min_cell=min_cell, sensitive_themes=sensitive_themes, overall=overall)
    out["published_as"], out["band"] = ruled["published_as"].to_numpy(), ruled["band"].to_numpy()
    out["suppressed"] = out["published_as"] != disclosure.VALUE
    out[["segments", "participants"]] = out[["segments", "participants"]].astype(float)
    out.loc[out["suppressed"], ["segments", "participants", *labels]] = np.nan
    return out[columns].astype({"suppressed": bool})


def region_vs_rest(segments: pd.DataFrame, codings: pd.DataFrame, *, by: str = "region", min_cell: int = 5,
                   sensitive_themes: tuple[str, ...] = disclosure.SENSITIVE_THEMES) -> pd.DataFrame:
    """Exploratory: each region's participant share against all other regions, per theme.

    Effect sizes are the difference in proportions and Cohen's h; p-values from a two-proportion
    z-test, Benjamini-Hochberg adjusted across all tests in the table. These ignore clustering
    and are labelled exploratory: use them to find where to look, not as findings. A comparison
    is ``suppressed`` (every number withheld) unless ``disclosure.comparison_allowed``: the rest's
    share with the published overall count would give back a banded or suppressed area count.
    """
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportions_ztest

    seg = analysed_segments(segments) if "cluster" not in segments else segments
    hits = _theme_hits(seg, codings)
    people = seg.drop_duplicates("participant_id")[["participant_id", by]]
    if not hits.empty:
        table, overall = _protected(seg, hits, by, min_cell=min_cell, sensitive_themes=sensitive_themes,
                                    policy="band")
        allowed = disclosure.comparison_allowed(table, overall, by=by).set_index(["theme", by])["comparison_allowed"]
    rows = []
    for theme, th in hits.groupby("theme", sort=True):
        mentioned = set(th["participant_id"])
        for group in sorted(people[by].dropna().unique()):
            inside = people[people[by] == group]
            outside = people[people[by] != group]
            a, n1 = inside["participant_id"].isin(mentioned).sum(), len(inside)
            b, n2 = outside["participant_id"].isin(mentioned).sum(), len(outside)
            if min(n1, n2) == 0:
                continue
            p1, p2 = a / n1, b / n2
            _, p = proportions_ztest([a, b], [n1, n2]) if 0 < a + b < n1 + n2 else (0.0, 1.0)
            suppressed = not bool(allowed.get((theme, group), False))
            rows.append({"theme": theme, by: group, "share": p1, "share_rest": p2, "difference": p1 - p2,
                         "cohens_h": 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2)),
                         "p_value": float(p), "suppressed": suppressed})
    out = pd.DataFrame(rows, columns=["theme", by, "share", "share_rest", "difference", "cohens_h", "p_value",
                                      "suppressed"])
    if out.empty:
        return out.assign(p_adjusted=pd.Series(dtype=float), label=pd.Series(dtype=str))
    out["p_adjusted"] = multipletests(out["p_value"].fillna(1.0), method="fdr_bh")[1]
    for col in ("share", "share_rest", "difference", "cohens_h", "p_value", "p_adjusted"):
        out[col] = out[col].astype(float).round(4)
    out.loc[out["suppressed"], ["share", "share_rest", "difference", "cohens_h", "p_value", "p_adjusted"]] = np.nan
    out["label"] = "exploratory"
    return out


def cooccurrence(segments: pd.DataFrame, codings: pd.DataFrame, *, unit: str = "segment", min_cell: int = 5,
                 sensitive_themes: tuple[str, ...] = disclosure.SENSITIVE_THEMES) -> pd.DataFrame:
    """Theme x theme counts of segments (or participants) coded with both; small cells controlled.

    A pair raised by 1..min_cell-1 participants is banded ("fewer than 5"), or suppressed when either
    theme is sensitive; ``suppressed`` is True for both, and count and participants are withheld.
    Pairs overlap, so no cell is a sum of others and differencing needs no further protection
    (the diagonal is the theme's own count, controlled the same way as its overall count).
    """
    seg = analysed_segments(segments) if "cluster" not in segments else segments
    hits = _theme_hits(seg, codings)
    if unit not in ("segment", "participant"):
        raise ValueError(f"unit must be 'segment' or 'participant', got {unit!r}")
    key = "segment_id" if unit == "segment" else "participant_id"
    pairs = hits[list(dict.fromkeys([key, "theme", "participant_id"]))].drop_duplicates([key, "theme"])
    pairs = pairs.assign(person=pairs["participant_id"])[[key, "theme", "person"]]
    merged = pairs.merge(pairs, on=key, suffixes=("_a", "_b"))
    table = merged.groupby(["theme_a", "theme_b"]).agg(count=(key, "nunique"),
                                                       participants=("person_a", "nunique")).reset_index()
    if table.empty:
        return pd.DataFrame({"theme_a": pd.Series(dtype=str), "theme_b": pd.Series(dtype=str),
                             "count": pd.Series(dtype=float), "participants": pd.Series(dtype=float),
                             "suppressed": pd.Series(dtype=bool), "published_as": pd.Series(dtype=str),
                             "band": pd.Series(dtype=str)})
    # the pair is as sensitive as its more sensitive theme
    either = np.where(table["theme_a"].map(lambda t: disclosure.is_sensitive(t, sensitive_themes)),
                      table["theme_a"], table["theme_b"])
    ruled = disclosure.primary_protection(
        pd.DataFrame({"theme": either, "all": "all", "participants": table["participants"].astype(int),
                      "participants_total": seg["participant_id"].nunique()}),
        by="all", min_cell=min_cell, sensitive_themes=sensitive_themes)
    table["published_as"], table["band"] = ruled["published_as"].to_numpy(), ruled["band"].to_numpy()
    table["suppressed"] = table["published_as"] != disclosure.VALUE
    table[["count", "participants"]] = table[["count", "participants"]].astype(float)
    table.loc[table["suppressed"], ["count", "participants"]] = np.nan
    return table[["theme_a", "theme_b", "count", "participants", "suppressed", "published_as", "band"]]


def attach_attribute(segments: pd.DataFrame, participants: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """Segments with a participant attribute (e.g. age_band) joined on, for theme x attribute tables.

    Attributes are optional: a participant without one, or a project whose participants.csv has no
    such column at all, is "not recorded" (``gaps.attribute_gap`` says so in a sentence).
    """
    if attribute not in participants:
        return segments.assign(**{attribute: "not recorded"})
    attrs = participants[["participant_id", attribute]]
    return segments.merge(attrs, on="participant_id", how="left").assign(
        **{attribute: lambda d: d[attribute].fillna("not recorded").replace("", "not recorded")})
