"""Agreement between coders: the autocoder against each human coder, and human against human.

Everything works on two long tables:

- ``codings``: ``coder, segment_id, code``, one row per code a coder applied to a segment;
- ``seen``: ``coder, segment_id``, the segments each coder looked at (a dict ``{coder: segment ids}``
  is accepted too). A segment a coder never saw is *missing* for that coder and is left out of
  every comparison involving them; a segment they saw and did not code is a "no" for every code.
  A segment a coder coded counts as seen even if ``seen`` forgets it.

:func:`from_tables` builds both from the ``codings`` table (autocoder = sources rule and semantic,
human coders = source "human" with a ``coder`` column). :func:`agreement` gives per-code and
overall kappa and alpha for every pair of coders, :func:`agreement_summary` one row per pair for
the report, and :func:`disagreements` the list of cells to reconcile.

Example:
    >>> long, seen = from_tables(codings, segments=segments)               # doctest: +SKIP
    >>> agreement_summary(agreement(long, seen=seen))                      # doctest: +SKIP
"""

from __future__ import annotations

from itertools import combinations
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from engagement.errors import InputError

AUTOCODER = "autocoder"
AUTO_SOURCES = ("rule", "semantic")           # what the autocoder is: not topics, not the learned layer
CODED_ROLES = ("participant", "respondent")   # the segments the autocoder codes (facilitators are not coded)
OVERALL = "overall"
LOW_KAPPA = 0.6                               # "substantial" agreement starts here (Landis and Koch)
DECISIONS_CODED = ("accept", "accepted", "add", "added")
DECISIONS_REJECTED = ("reject", "rejected")
DECISIONS_SEEN = ("reviewed",)      # the coder read the segment; codes, if any, are separate rows

AGREEMENT_COLUMNS = ["coder_a", "coder_b", "code", "n_segments", "prevalence_a", "prevalence_b",
                     "percent_agreement", "kappa", "alpha", "note"]
SUMMARY_COLUMNS = ["coder_a", "coder_b", "n_segments", "n_codes", "percent_agreement", "kappa", "alpha",
                   "n_codes_low_kappa", "n_codes_undefined"]
DISAGREEMENT_COLUMNS = ["segment_id", "code", "coded_by", "not_coded_by"]

NOTE_NO_SEGMENTS = "no segment seen by both coders: kappa and alpha undefined"
NOTE_NEVER = "neither coder applied the code: kappa and alpha undefined"
NOTE_ALWAYS = "both coders applied the code to every segment: kappa and alpha undefined"
NOTE_NO_CODES = "no codes to compare"


def _require(table: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{what} is missing column(s) {missing}; it has {list(table.columns)}")


def _long(codings: pd.DataFrame) -> pd.DataFrame:
    _require(codings, ("coder", "segment_id", "code"), "the codings table")
    out = codings[["coder", "segment_id", "code"]].dropna().astype(str)
    return out[out["code"].str.strip() != ""].drop_duplicates().reset_index(drop=True)


def _seen_sets(seen: pd.DataFrame | Mapping[str, Iterable[str]], codings: pd.DataFrame) -> dict[str, set[str]]:
    """coder -> the segments they saw, including every segment they coded."""
    if isinstance(seen, pd.DataFrame):
        _require(seen, ("coder", "segment_id"), "the seen table")
        sets = {str(c): set(g["segment_id"].astype(str)) for c, g in seen.groupby("coder", sort=False)}
    else:
        sets = {str(c): {str(s) for s in ids} for c, ids in seen.items()}
    for coder, g in codings.groupby("coder", sort=False):
        sets.setdefault(coder, set()).update(g["segment_id"])
    return sets


def _order_coders(names: Iterable[str]) -> list[str]:
    """The autocoder first, then human coders in alphabetical order."""
    names = set(names)
    return ([AUTOCODER] if AUTOCODER in names else []) + sorted(names - {AUTOCODER})


def _pairs(coders: list[str]) -> list[tuple[str, str]]:
    return list(combinations(coders, 2))


def _indicators(codings: pd.DataFrame, coder: str, segment_ids: list[str], codes: list[str]) -> np.ndarray:
    """segments x codes 0/1 matrix of one coder's codings."""
    seg_pos = {s: i for i, s in enumerate(segment_ids)}
    code_pos = {c: j for j, c in enumerate(codes)}
    m = np.zeros((len(segment_ids), len(codes)), dtype=int)
    sub = codings[(codings["coder"] == coder) & codings["segment_id"].isin(seg_pos) & codings["code"].isin(code_pos)]
    m[sub["segment_id"].map(seg_pos).to_numpy(dtype=int), sub["code"].map(code_pos).to_numpy(dtype=int)] = 1
    return m


def _kappa_2x2(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two 0/1 vectors from their 2x2 table; NaN when chance agreement is 1.

    p_o = share of cells where a == b; p_e = p_a p_b + (1 - p_a)(1 - p_b) with p_a, p_b the shares of
    1s; kappa = (p_o - p_e) / (1 - p_e). p_e is 1 only when both coders give one and the same value
    throughout, where kappa is 0/0.
    """
    n = a.size
    if n == 0:
        return np.nan
    pa, pb = a.mean(), b.mean()
    po = float((a == b).mean())
    pe = pa * pb + (1 - pa) * (1 - pb)
    if np.isclose(pe, 1.0):
        return np.nan
    return float((po - pe) / (1 - pe))


def _alpha(a: np.ndarray, b: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) for two coders with no missing values; NaN with only one value."""
    import krippendorff

    if a.size == 0 or len(np.unique(np.concatenate([a, b]))) < 2:
        return np.nan   # the package raises here: alpha is 0/0 when every value is the same
    return float(krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float),
                                    level_of_measurement="nominal"))


def _note(a: np.ndarray, b: np.ndarray, coder_a: str, coder_b: str) -> str:
    if a.size == 0:
        return NOTE_NO_SEGMENTS
    if not a.any() and not b.any():
        return NOTE_NEVER
    if a.all() and b.all():
        return NOTE_ALWAYS
    if not b.any():
        return f"only {coder_a} applied the code"
    if not a.any():
        return f"only {coder_b} applied the code"
    return ""


def _row(coder_a: str, coder_b: str, code: str, a: np.ndarray, b: np.ndarray, n_segments: int) -> dict:
    empty = a.size == 0
    return {"coder_a": coder_a, "coder_b": coder_b, "code": code, "n_segments": n_segments,
            "prevalence_a": np.nan if empty else float(a.mean()),
            "prevalence_b": np.nan if empty else float(b.mean()),
            "percent_agreement": np.nan if empty else float((a == b).mean()),
            "kappa": _kappa_2x2(a, b), "alpha": _alpha(a, b), "note": _note(a, b, coder_a, coder_b)}


def agreement(codings: pd.DataFrame, *, seen: pd.DataFrame | Mapping[str, Iterable[str]],
              codes: Iterable[str] | None = None, coders: Iterable[str] | None = None) -> pd.DataFrame:
    """Per-code and overall agreement for every pair of coders, on the segments both saw.

    Args:
        codings: long table ``coder, segment_id, code`` (e.g. the first table :func:`from_tables` returns).
        seen: ``coder, segment_id`` table (or ``{coder: segment ids}``) of the segments each coder looked at.
        codes: the codes to compare, in this order (default: every code in ``codings``, sorted). Pass
            the codebook's codes for the same grid whatever the coders used.
        coders: the coders to compare, in this order (default: "autocoder" first, then the human
            coders alphabetically). Pairs are every coder with each one after it.

    Returns:
        One row per pair and code, then an "overall" row per pair, with columns coder_a, coder_b,
        code, n_segments (segments both saw), prevalence_a / prevalence_b (share of those segments
        each coder gave the code), percent_agreement (share where both gave it or both did not),
        kappa (Cohen's), alpha (Krippendorff's, nominal) and note. The overall row pools every
        segment x code decision: kappa from the sum of the per-code 2x2 tables (micro-average),
        alpha over all decisions, prevalence and percent agreement as shares of decisions.
        Kappa and alpha are NaN, with the reason in ``note``, when no segment was seen by both or
        when both coders never (or both always) applied the code; a note also says when only one
        coder applied a code (kappa is then at most 0 and says little).

    Example:
        >>> long = pd.DataFrame({"coder": ["AB", "CD"], "segment_id": ["s1", "s1"], "code": ["trust", "trust"]})
        >>> seen = {"AB": ["s1", "s2"], "CD": ["s1", "s2", "s3"]}
        >>> agreement(long, seen=seen)[["code", "n_segments", "kappa"]].values.tolist()
        [['trust', 2, 1.0], ['overall', 2, 1.0]]
    """
    long = _long(codings)
    sets = _seen_sets(seen, long)
    if coders is None:
        coders = _order_coders(sets)
    else:
        coders = [str(c) for c in coders]
        unknown = [c for c in coders if c not in sets]
        if unknown:
            raise ValueError(f"coder(s) {unknown} have no seen segments; known coders: {_order_coders(sets)}")
    codes = sorted(set(long["code"])) if codes is None else list(dict.fromkeys(str(c) for c in codes))
    if OVERALL in codes:
        raise ValueError(f"a code may not be called {OVERALL!r}: that name is the pooled row")
    rows = []
    for coder_a, coder_b in _pairs(coders):
        both = sorted(sets[coder_a] & sets[coder_b])
        ma, mb = _indicators(long, coder_a, both, codes), _indicators(long, coder_b, both, codes)
        rows += [_row(coder_a, coder_b, code, ma[:, j], mb[:, j], len(both)) for j, code in enumerate(codes)]
        overall = _row(coder_a, coder_b, OVERALL, ma.ravel(), mb.ravel(), len(both))
        if not codes:
            overall["note"] = NOTE_NO_CODES
        elif overall["note"].startswith("only "):
            overall["note"] = overall["note"].replace("the code", "any code")
        rows.append(overall)
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def agreement_summary(table: pd.DataFrame, *, threshold: float = LOW_KAPPA) -> pd.DataFrame:
    """One row per coder pair from an :func:`agreement` table, for the report.

    Args:
        table: the output of :func:`agreement`.
        threshold: a code's kappa below this counts as low (default 0.6).

    Returns:
        Columns coder_a, coder_b, n_segments (seen by both), n_codes (codes compared),
        percent_agreement, kappa and alpha (the pair's overall row), n_codes_low_kappa (codes whose
        kappa is below ``threshold``) and n_codes_undefined (codes whose kappa is NaN, not counted
        as low), in the order of the pairs in ``table``.
    """
    _require(table, AGREEMENT_COLUMNS, "the agreement table")
    rows = []
    for (coder_a, coder_b), g in table.groupby(["coder_a", "coder_b"], sort=False):
        per_code, overall = g[g["code"] != OVERALL], g[g["code"] == OVERALL]
        if overall.empty:
            raise InputError(f"the agreement table has no {OVERALL!r} row for {coder_a} vs {coder_b}")
        top = overall.iloc[0]
        rows.append({"coder_a": coder_a, "coder_b": coder_b, "n_segments": int(top["n_segments"]),
                     "n_codes": len(per_code), "percent_agreement": top["percent_agreement"],
                     "kappa": top["kappa"], "alpha": top["alpha"],
                     "n_codes_low_kappa": int((per_code["kappa"] < threshold).sum()),
                     "n_codes_undefined": int(per_code["kappa"].isna().sum())})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def disagreements(codings: pd.DataFrame, *, seen: pd.DataFrame | Mapping[str, Iterable[str]],
                  coder_a: str, coder_b: str, codes: Iterable[str] | None = None,
                  segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every code one coder applied and the other did not, on the segments both saw, to reconcile.

    Args:
        codings: long table ``coder, segment_id, code``.
        seen: ``coder, segment_id`` table (or ``{coder: segment ids}``).
        coder_a, coder_b: the two coders.
        codes: only these codes (default: all).
        segments: the (de-identified) ``segments`` table; when given, its ``text`` is added.

    Returns:
        Columns segment_id, code, coded_by, not_coded_by (coder names), and text when ``segments``
        is given; sorted by segment_id, then code. Segments only one of them saw are not listed.
    """
    long = _long(codings)
    sets = _seen_sets(seen, long)
    for coder in (coder_a, coder_b):
        if coder not in sets:
            raise ValueError(f"coder {coder!r} has no seen segments; known coders: {_order_coders(sets)}")
    both = sets[coder_a] & sets[coder_b]
    sub = long[long["segment_id"].isin(both) & long["coder"].isin((coder_a, coder_b))]
    if codes is not None:
        sub = sub[sub["code"].isin({str(c) for c in codes})]
    by_cell = sub.groupby(["segment_id", "code"])["coder"].agg(frozenset)
    one = by_cell[by_cell.map(len) == 1]
    coded_by = one.map(lambda s: next(iter(s)))
    out = pd.DataFrame({"segment_id": one.index.get_level_values("segment_id"),
                        "code": one.index.get_level_values("code"),
                        "coded_by": coded_by.to_numpy(dtype=object),
                        "not_coded_by": [coder_b if c == coder_a else coder_a for c in coded_by]},
                       columns=DISAGREEMENT_COLUMNS)
    out = out.sort_values(["segment_id", "code"], kind="mergesort").reset_index(drop=True)
    if segments is not None:
        _require(segments, ("segment_id", "text"), "the segments table")
        text = segments.drop_duplicates("segment_id").set_index("segment_id")["text"]
        out["text"] = out["segment_id"].map(text)
    return out


def _human(human: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Human codings -> (coded, seen); a rejected or empty-code row means seen but not coded."""
    _require(human, ("segment_id", "code", "coder"), "the human codings")
    h = human.copy()
    h["coder"], h["segment_id"] = h["coder"].astype(str).str.strip(), h["segment_id"].astype(str)
    if h["coder"].isin(("", "nan", "None")).any():
        raise InputError("a human coding has no coder; every human row needs the coder's name or initials")
    coded = h["code"].notna() & (h["code"].astype(str).str.strip() != "")
    if "decision" in h:
        decision = h["decision"].fillna("").astype(str).str.strip().str.lower()
        known = DECISIONS_CODED + DECISIONS_REJECTED + DECISIONS_SEEN
        unknown = sorted(set(decision) - set(known) - {""})
        if unknown:
            raise InputError(f"unknown decision(s) {unknown} in the human codings; expected one of {list(known)}")
        coded &= ~decision.isin(DECISIONS_REJECTED + DECISIONS_SEEN)
    return h.loc[coded, ["coder", "segment_id", "code"]], h[["coder", "segment_id"]]


def from_tables(codings: pd.DataFrame, human: pd.DataFrame | None = None, *,
                segments: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long codings table and the seen table, from the suite's ``codings`` table.

    Args:
        codings: the ``codings`` table. Rows with source rule or semantic are the coder "autocoder";
            rows with source "human" are human codings when ``human`` is not given.
        human: human codings (``segment_id, code, coder``, optionally ``decision``: accept, add or
            reject); when given, its rows with source other than "human" are ignored.
        segments: the ``segments`` table; the autocoder then counts as having seen every
            participant (and respondent) segment. Without it the autocoder has seen only the
            segments that appear in ``codings``, so a segment nobody coded is not compared.

    Returns:
        ``(long, seen)``: ``long`` with columns coder, segment_id, code (one row per code a coder
        applied); ``seen`` with columns coder, segment_id (every segment a coder has any decision
        on: a rejected suggestion, or a row with no code, means seen and not coded). Both sorted.
    """
    _require(codings, ("segment_id", "code", "source"), "the codings table")
    auto = codings[codings["source"].isin(AUTO_SOURCES)]
    if human is None:
        human = codings[codings["source"] == "human"]
        if len(human) and "coder" not in human:
            raise InputError("the codings table has human rows but no 'coder' column")
    elif "source" in human:
        human = human[human["source"] == "human"]
    long_parts = [auto[["segment_id", "code"]].assign(coder=AUTOCODER)]
    if segments is not None:
        _require(segments, ("segment_id",), "the segments table")
        coded = segments[segments["role"].isin(CODED_ROLES)] if "role" in segments else segments
        auto_seen = coded["segment_id"]
    else:
        auto_seen = codings["segment_id"]
    seen_parts = [pd.DataFrame({"coder": AUTOCODER, "segment_id": auto_seen.astype(str).to_numpy()})]
    if len(human):
        h_coded, h_seen = _human(human)
        long_parts.append(h_coded)
        seen_parts.append(h_seen)
    long = _long(pd.concat(long_parts, ignore_index=True))
    seen = pd.concat(seen_parts, ignore_index=True).astype(str).drop_duplicates()
    # a code is a decision on its segment even where the segments table (a stale one) does not list it
    seen = pd.concat([seen, long[["coder", "segment_id"]]], ignore_index=True).drop_duplicates()
    return (long.sort_values(["coder", "segment_id", "code"]).reset_index(drop=True),
            seen.sort_values(["coder", "segment_id"]).reset_index(drop=True))
