"""The report's measures and its published tables, computed once from the de-identified tables.

:func:`compute_measures` runs every measure the report shows (with disclosure control applied in
the measures themselves); :func:`published_tables` turns them into the tables of
``reports/tables/`` (labels, not ids; protected cells without numbers). The report is rendered
from those tables after they are written (``report.builder``), and ``report.text`` phrases what
they say, so every number on the page can be found in a CSV.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from engagement.analysis.loader import Analysis

STANCE_COLUMNS = ("concern", "support", "conditional_support", "mixed", "neutral")


def alpha(a: Analysis) -> float:
    """The significance level for area comparisons (config ``report.alpha``, default 0.05)."""
    return float((a.cfg.settings.get("report") or {}).get("alpha", 0.05))


def sensitive_themes(a: Analysis) -> tuple[str, ...]:
    """Themes whose small cells are suppressed, never banded (config ``report.sensitive_themes``)."""
    configured = (a.cfg.settings.get("report") or {}).get("sensitive_themes")
    if configured is not None:
        return tuple(configured)
    return tuple(t for t in a.themes if t == "sensitive")


def compute_measures(a: Analysis) -> dict[str, pd.DataFrame]:
    """Every measure the report and notebook 03 show, for one Analysis (all regions or one)."""
    from engagement.analysis.findings import compare_groups
    from engagement.analysis.measures import cooccurrence, stance_by_theme, theme_prevalence

    cfg = a.cfg
    coded = a.rule_codings
    common = dict(min_cell=cfg.min_cell, seed=cfg.seed, themes=a.themes, sensitive_themes=sensitive_themes(a))
    everyone = a.segments.assign(all="all")
    return {
        "prevalence_all": theme_prevalence(everyone, coded, by="all", **common),
        "prevalence_region": theme_prevalence(a.segments, coded, by="region", **common),
        "prevalence_kind": theme_prevalence(a.segments, coded, by="kind", **common),
        "stance": stance_by_theme(a.segments, coded, a.stance, min_cell=cfg.min_cell),
        "comparison": compare_groups(a.segments, coded, by="region", min_cell=cfg.min_cell, alpha=alpha(a),
                                     seed=cfg.seed, groups=list(cfg.regions)),
        "cooccurrence": cooccurrence(a.segments, coded, unit="participant", min_cell=cfg.min_cell),
    }


def publishable_comparisons(comparison: pd.DataFrame, prevalence_region: pd.DataFrame) -> pd.DataFrame:
    """The comparisons that may be shown: only where the area's own cell is published as a value.

    A comparison of a banded or suppressed cell would give it away: its share, or the rest's share
    with the published overall count, recovers the hidden number.
    """
    if comparison.empty:
        return comparison
    shown = prevalence_region[prevalence_region["published_as"] == "value"][["theme", "region"]]
    return comparison.merge(shown, on=["theme", "region"], how="inner")


def _label(a: Analysis, theme: str) -> str:
    return a.labels.get(theme, str(theme).replace("_", " ").capitalize())


def _prevalence_table(a: Analysis, prev: pd.DataFrame, by: str, n_name: str) -> pd.DataFrame:
    out = pd.DataFrame({
        "theme_id": prev["theme"], "theme": prev["theme"].map(lambda t: _label(a, t)),
        **({by: prev[by]} if by != "all" else {}),
        "participants": prev["participants"].where(prev["published_as"] == "value").astype("Int64"),
        n_name: prev["participants_total"].astype("Int64"),
        "share": prev["share"].where(prev["published_as"] == "value"),
        "low": prev["ci_low"].where(prev["published_as"] == "value"),
        "high": prev["ci_high"].where(prev["published_as"] == "value"),
        "published_as": prev["published_as"],
        "band": prev["band"].fillna("") if "band" in prev else "",
    })
    return out.reset_index(drop=True)


def ordered(table: pd.DataFrame, column: str, order: list[str]) -> pd.DataFrame:
    """Rows in the configured order of ``column`` (areas as configured, never alphabetical)."""
    rank = {v: i for i, v in enumerate(order)}
    key = table[column].map(lambda v: rank.get(v, len(rank)))
    return table.assign(_o=key).sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def sample_table(a: Analysis) -> pd.DataFrame:
    """Sessions, people who took part and people analysed, by area and kind."""
    from engagement.analysis.measures import analysed_segments

    people = a.participants[a.participants["role"].isin(["participant", "respondent"])]
    people = people.merge(a.sessions[["session_id", "kind"]], on="session_id", how="left")
    analysed = set(analysed_segments(a.segments)["participant_id"])
    rows = []
    for (region, kind), part in people.groupby(["region", "kind"], sort=False):
        # a survey spanning areas is one session listed without an area: count the sessions people came from
        rows.append({"region": region, "kind": str(kind).replace("_", " "),
                     "sessions": int(part["session_id"].nunique()),
                     "participants": int(part["participant_id"].nunique()),
                     "analysed": int(part["participant_id"].isin(analysed).sum())})
    table = pd.DataFrame(rows, columns=["region", "kind", "sessions", "participants", "analysed"])
    kinds = ["focus group", "interview", "survey"]
    table = ordered(ordered(table, "kind", kinds), "region", list(a.cfg.regions))
    return table


def comparison_table(a: Analysis, comparison: pd.DataFrame) -> pd.DataFrame:
    cols = ["theme_id", "theme", "region", "share", "rest_share", "effect", "low", "high", "p_value", "p_adjusted",
            "significant", "test"]
    if comparison.empty:
        return pd.DataFrame(columns=cols)
    out = comparison.rename(columns={"theme": "theme_id"})
    out["theme"] = out["theme_id"].map(lambda t: _label(a, t))
    return ordered(out[cols], "region", list(a.cfg.regions))


def findings_table(a: Analysis, comparison: pd.DataFrame) -> pd.DataFrame:
    """The key findings: comparisons that survive Benjamini-Hochberg at the configured level."""
    from engagement.analysis.findings import key_findings

    cols = ["theme_id", "theme", "region", "share", "rest_share", "effect", "low", "high", "p_adjusted",
            "significant", "sentence"]
    if comparison.empty:
        return pd.DataFrame(columns=cols)
    # the permutation test decides; a difference whose 95% interval still includes no difference is
    # not reported either, so a finding never reads "significant, CI -3 to 28"
    consistent = comparison[(comparison["low"] > 0) | (comparison["high"] < 0)]
    found = key_findings(consistent, a.labels, alpha=alpha(a), top=len(consistent) or 1, by="region")
    if found.empty:
        return pd.DataFrame(columns=cols)
    found = found.rename(columns={"theme": "theme_id", "label": "theme"})
    return found[cols].reset_index(drop=True)


def stance_table(a: Analysis, stance: pd.DataFrame) -> pd.DataFrame:
    cols = ["theme_id", "theme", "statements", "participants", *STANCE_COLUMNS, "published_as"]
    if stance.empty:
        return pd.DataFrame(columns=cols)
    supp = stance["suppressed"].astype(bool)
    out = pd.DataFrame({"theme_id": stance["theme"], "theme": stance["theme"].map(lambda t: _label(a, t)),
                        "statements": stance["segments"].where(~supp).astype("Int64"),
                        "participants": stance["participants"].where(~supp).astype("Int64")})
    for col in STANCE_COLUMNS:
        out[col] = stance[col].where(~supp)
    out["published_as"] = np.where(supp, "suppressed", "value")
    return out.sort_values(["published_as", "concern"], ascending=[False, False], kind="stable",
                           na_position="last").reset_index(drop=True)


def cooccurrence_table(a: Analysis, cooc: pd.DataFrame) -> pd.DataFrame:
    """People who raised both themes, each unordered pair once (no diagonal)."""
    cols = ["theme_a", "theme_b", "participants", "published_as"]
    if cooc.empty:
        return pd.DataFrame(columns=cols)
    order = {t: i for i, t in enumerate(a.themes)}
    pairs = cooc[cooc["theme_a"].map(order.get) < cooc["theme_b"].map(order.get)]
    supp = pairs["suppressed"].astype(bool)
    out = pd.DataFrame({"theme_a": pairs["theme_a"].map(lambda t: _label(a, t)),
                        "theme_b": pairs["theme_b"].map(lambda t: _label(a, t)),
                        "participants": pairs["participants"].where(~supp).astype("Int64"),
                        "published_as": np.where(supp, "suppressed", "value")})
    return out.sort_values("participants", ascending=False, na_position="last", kind="stable").reset_index(drop=True)


def topics_table(a: Analysis) -> tuple[pd.DataFrame, float | None]:
    """The topics (labels, sizes, mapped theme labels) and the share of statements no topic explains."""
    from engagement.coding.topic_themes import topic_overview

    cols = ["topic", "statements", "share", "theme", "theme_share", "candidate_new_theme"]
    if a.topics.empty:
        return pd.DataFrame(columns=cols), None
    overview = topic_overview(a.topics, a.labels)
    outlier_share = overview.attrs.get("outlier_share")
    out = overview[overview["topic_id"] != -1].rename(columns={"size": "statements", "top_theme_share": "theme_share"})
    return out[cols].reset_index(drop=True), outlier_share


def quotes_table(a: Analysis, area: pd.DataFrame, by_theme: pd.DataFrame) -> pd.DataFrame:
    cols = ["section", "region", "theme", "reason", "stance", "quote", "attribution"]
    parts = []
    if len(by_theme):
        parts.append(pd.DataFrame({"section": "theme", "region": "all",
                                   "theme": by_theme["theme"].map(lambda t: _label(a, t)),
                                   "reason": "the theme's own section", "stance": by_theme["stance"],
                                   "quote": by_theme["display"], "attribution": by_theme["attribution"]}))
    if len(area):
        parts.append(pd.DataFrame({"section": "area", "region": area["region"],
                                   "theme": area["theme"].map(lambda t: _label(a, t)), "reason": area["reason"],
                                   "stance": area["stance"], "quote": area["display"],
                                   "attribution": area["attribution"]}))
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


AGREEMENT_COLUMNS = ["coder_a", "coder_b", "n_segments", "n_codes", "percent_agreement", "kappa", "alpha",
                     "n_codes_low_kappa", "n_codes_undefined"]


def agreement_inputs(a: Analysis) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(long, seen)`` for every coder: the autocoder, each coding-sheet coder by name (their own
    decisions, on text still as they saw it) and a hand-coded reference's coders."""
    from engagement.coding.agreement import from_tables
    from engagement.coding.human import live_decisions, load_human_codings

    codings = a.codings
    try:
        # each coder's own decisions from the coding sheets, on text that is still what they saw: a
        # segment they marked reviewed (with or without codes) is seen, so every code they did not
        # accept or add there is a decision "absent" and counts towards agreement
        live = live_decisions(load_human_codings(a.cfg), a.segments)
    except Exception:  # noqa: BLE001 - an unreadable store is reported by the code stage, not here
        live = pd.DataFrame()
    if len(live):
        long, seen = from_tables(codings, human=live[["segment_id", "code", "coder", "decision"]],
                                 segments=a.segments)
    else:   # human rows that came with the codings table itself, under the coder they name
        if "coder" not in codings:
            codings = codings.assign(coder=np.where(codings["source"] == "human", "researcher", None))
        codings = codings.assign(coder=codings["coder"].where(codings["source"] != "human",
                                                              codings["coder"].fillna("researcher")))
        long, seen = from_tables(codings, segments=a.segments)
    ref_path = a.cfg.raw_dir / "coding_reference.csv"
    if ref_path.is_file():
        from engagement.coding.evaluation import load_reference
        from engagement.coding.run import resolve_codebook

        try:
            ref = load_reference(ref_path, resolve_codebook(a.cfg))
        except Exception:  # noqa: BLE001 - an unreadable reference is reported by notebook 02, not here
            ref = None
        if ref is not None:
            known = set(a.segments["segment_id"])
            ref_long = ref.codings[ref.codings["segment_id"].isin(known)][["coder", "segment_id", "code"]]
            ref_seen = ref.table[ref.table["segment_id"].isin(known)][["coder", "segment_id"]]
            long = pd.concat([long, ref_long], ignore_index=True)
            seen = pd.concat([seen if isinstance(seen, pd.DataFrame) else
                              pd.DataFrame([(c, s) for c, ids in seen.items() for s in ids],
                                           columns=["coder", "segment_id"]), ref_seen], ignore_index=True)
    return long, seen


def agreement_table(a: Analysis, *, per_code: bool = False) -> pd.DataFrame:
    """Agreement per pair of coders: the autocoder against each human coder (the coding sheet's coders
    and a hand-coded reference's), and human against human, over the segments both saw.

    ``per_code``: one row per pair and code (kappa, alpha, prevalence of each coder) instead of one per pair.
    """
    from engagement.coding.agreement import agreement, agreement_summary

    long, seen = agreement_inputs(a)
    coders = long["coder"].unique() if len(long) else []
    if len(coders) < 2:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    table = agreement(long, seen=seen, codes=sorted(set(long["code"])))
    if per_code:
        return table.reset_index(drop=True)
    return agreement_summary(table)[AGREEMENT_COLUMNS].reset_index(drop=True)


def disagreement_list(a: Analysis) -> pd.DataFrame:
    """Every code one coder applied and another did not, on segments both saw, for each pair of
    coders: what a team reconciles (columns segment_id, code, coded_by, not_coded_by, text)."""
    from itertools import combinations

    from engagement.coding.agreement import DISAGREEMENT_COLUMNS, disagreements

    long, seen = agreement_inputs(a)
    coders = sorted(set(long["coder"])) if len(long) else []
    parts = [disagreements(long, seen=seen, coder_a=x, coder_b=y, segments=a.segments)
             for x, y in combinations(coders, 2)
             if set(seen.loc[seen["coder"] == x, "segment_id"]) & set(seen.loc[seen["coder"] == y, "segment_id"])]
    if not parts:
        return pd.DataFrame(columns=[*DISAGREEMENT_COLUMNS, "text"])
    return (pd.concat(parts, ignore_index=True).drop_duplicates()
            .sort_values(["segment_id", "code", "coded_by", "not_coded_by"]).reset_index(drop=True))




def save_disagreements(a: Analysis) -> Path | None:
    """Write :func:`disagreement_list` to ``processed/human/disagreements.csv`` (owner-only, de-identified
    text, formula-like cells as text) for the team to reconcile; remove an older list when there is none."""
    from engagement.io import atomic_write_text, csv_safe

    path = Path(a.cfg.processed_dir) / "human" / "disagreements.csv"
    table = disagreement_list(a)
    if table.empty:
        path.unlink(missing_ok=True)   # an old list could hold segments since withdrawn or changed
        return None
    return atomic_write_text(path, csv_safe(table).to_csv(index=False))


def input_hashes(a: Analysis) -> dict[str, str]:
    """sha256 (first 16 hex digits) of each de-identified table the report read, and of the codebook."""
    cfg = a.cfg
    out = {}
    for name in ("sessions", "participants", "segments", "codings", "stance", "topics", "segment_topics"):
        path = Path(cfg.table_path(name))
        if path.is_file():
            out[f"{name}.parquet"] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return out


def provenance_table(a: Analysis, run_id: str, hashes: dict[str, str]) -> pd.DataFrame:
    from importlib import metadata

    try:
        version = metadata.version("engagement")
    except metadata.PackageNotFoundError:
        version = "source tree"
    book = a.code_summary.get("codebook_version", "")
    from engagement.analysis.measures import analysed_segments

    people = a.participants[a.participants["role"].isin(["participant", "respondent"])]
    rows = [("run_id", run_id or "interactive (not a batch run)"), ("engagement_version", version),
            ("sessions", a.sessions["session_id"].nunique()), ("took_part", people["participant_id"].nunique()),
            ("analysed", analysed_segments(a.segments)["participant_id"].nunique()),
            ("codebook_version", book), ("seed", a.cfg.seed), ("min_cell", a.cfg.min_cell),
            ("alpha", alpha(a)), ("embedding", a.cfg.topics.get("embedding")),
            ("topic_method", a.cfg.topics.get("method")), ("segmentation", a.cfg.segmentation)]
    raw = os.environ.get("ENGAGEMENT_INPUT_SHA256")
    if raw:  # set by the batch: the raw transcripts, manifest and config this run read
        rows.append(("sha256:raw inputs and config", raw))
    rows += [(f"sha256:{name}", digest) for name, digest in hashes.items()]
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})
