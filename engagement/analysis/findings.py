"""Key findings that hold: each area against the rest, tested with sessions as the units.

People in one focus group hear each other and tend to raise the same things, so a focus group
of six is worth far less than six independent people. A two-proportion z-test that counts people
as independent finds "differences" between areas that are only differences between a few
sessions. :func:`compare_groups` therefore tests each area against the rest with a **session
permutation test**: the share of participants raising a theme is compared between the area and
all other areas, and its null distribution is built by reassigning whole sessions (each survey
respondent or interviewee is a session of one, the ``cluster`` of
:func:`~engagement.analysis.measures.analysed_segments`) to the area at random, keeping the
number of focus groups, interviews and survey respondents the area has (the shuffle is done
within session kind, so an area with more focus groups is only compared with arrangements that
have as many).

Why this test and not a corrected z-test: the Rao-Scott design-effect correction estimates the
within-session correlation from the sessions themselves and then leans on a normal
approximation; with three to six sessions in an area both steps are rough, and the test is too
liberal exactly where a study is small. The permutation test makes no such approximation: if
area makes no difference, every arrangement of the sessions was equally likely, so the p-value
is exact whatever the within-session correlation and however few the sessions (when there are
few arrangements they are all enumerated; otherwise ``n_perm`` seeded draws are used). The
price is honesty about resolution: an area with three sessions cannot give a p-value below
1 / (number of arrangements), and the Benjamini-Hochberg adjustment across the whole table
(areas x themes) may then leave nothing standing. That is the right answer for such a design.
``tests/test_findings.py`` checks the calibration: under no true difference with strongly
correlated sessions the permutation test's false-positive rate stays at or below 5% while the
naive z-test's is several times that.

The 95% interval of the difference comes from a cluster bootstrap (sessions resampled within
the area and within the rest); it describes the size of the difference, the test decides
whether it is reported. Findings are only rows that survive the adjustment; when none do,
:func:`no_findings_sentence` says so and names the largest difference as exploratory.

Example:
    >>> from engagement.analysis.findings import compare_groups, key_findings      # doctest: +SKIP
    >>> table = compare_groups(segments, codings, groups=["Essex", "Suffolk"])     # doctest: +SKIP
    >>> key_findings(table, labels)["sentence"].tolist()                          # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from engagement.analysis.measures import analysed_segments
from engagement.schemas import MEASURED_SOURCES

TEST_NAME = "session permutation test"
TABLE_COLUMNS = ["theme", "participants", "n_group", "share", "rest_participants", "n_rest", "rest_share",
                 "effect", "low", "high", "cohens_h", "p_value", "p_adjusted", "significant", "test",
                 "sessions_group", "sessions_rest", "n_permutations", "suppressed"]
FINDING_COLUMNS = ["theme", "label", "share", "rest_share", "effect", "low", "high", "p_value", "p_adjusted",
                   "significant", "test", "sentence"]
_TOL = 1e-9  # permuted differences equal to the observed one (up to float noise) count as "as extreme"


def _table_columns(by: str) -> list[str]:
    return TABLE_COLUMNS[:1] + [by] + TABLE_COLUMNS[1:]


def _finding_columns(by: str) -> list[str]:
    return FINDING_COLUMNS[:2] + [by] + FINDING_COLUMNS[2:]


# --- the table --------------------------------------------------------------------------------

def _units(segments: pd.DataFrame, codings: pd.DataFrame, by: str
           ) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """People grouped into independent units: (units table, units x themes counts, themes).

    A unit is a session (a survey respondent alone). When ``by`` is a person attribute that
    splits a session (age band within one focus group), the unit is the part of the session in
    one group: the shared session effect then inflates the variance of the difference, which
    errs on the side of not reporting.
    """
    seg = analysed_segments(segments) if "cluster" not in segments else segments
    seg = seg[seg[by].notna()] if by in seg else seg.iloc[:0].assign(**{by: pd.Series(dtype=str)})
    people = seg.drop_duplicates("participant_id")[list(dict.fromkeys(["participant_id", "cluster", by, "kind"]))]
    people = people.copy()
    people["cluster"] = people["cluster"].astype(str)
    nested = people.groupby("cluster")[by].nunique().le(1).all()
    people["unit"] = people["cluster"] if nested else people["cluster"] + "\x1f" + people[by].astype(str)
    units = (people.groupby("unit", sort=True)
             .agg(group=(by, "first"), kind=("kind", "first"), size=("participant_id", "size"))
             .reset_index())
    coded = codings[codings["source"].isin(MEASURED_SOURCES)] if "source" in codings else codings
    raised = (coded[["segment_id", "theme"]].merge(seg[["segment_id", "participant_id"]], on="segment_id")
              [["participant_id", "theme"]].drop_duplicates()           # people, not sentences
              .merge(people[["participant_id", "unit"]], on="participant_id"))
    themes = sorted(raised["theme"].unique())
    counts = np.zeros((len(units), len(themes)))
    if len(raised):
        u_index = pd.Series(np.arange(len(units)), index=units["unit"])
        t_index = {t: j for j, t in enumerate(themes)}
        np.add.at(counts, (u_index[raised["unit"]].to_numpy(), raised["theme"].map(t_index).to_numpy()), 1)
    return units, counts, themes


def _arrangements(in_group: np.ndarray, strata: np.ndarray, n_perm: int, rng: np.random.Generator
                  ) -> tuple[np.ndarray, bool]:
    """Boolean matrix (arrangements x units): which units play the group, and whether exact.

    Within each stratum the group keeps its number of units. All arrangements are listed when
    there are at most ``n_perm`` of them; otherwise ``n_perm`` are drawn at random.
    """
    n_units = len(in_group)
    parts = []
    for s in np.unique(strata):
        idx = np.flatnonzero(strata == s)
        parts.append((idx, int(in_group[idx].sum())))
    total = math.prod(math.comb(len(idx), k) for idx, k in parts)
    if total <= n_perm:
        per_stratum = [list(itertools.combinations(idx, k)) for idx, k in parts]
        arr = np.zeros((total, n_units), dtype=bool)
        for row, combo in enumerate(itertools.product(*per_stratum)):
            for chosen in combo:
                arr[row, list(chosen)] = True
        return arr, True
    arr = np.zeros((n_perm, n_units), dtype=bool)
    rows = np.arange(n_perm)[:, None]
    for idx, k in parts:
        if k == len(idx):
            arr[:, idx] = True
        elif k:
            pick = rng.random((n_perm, len(idx))).argsort(axis=1)[:, :k]
            arr[rows, idx[pick]] = True
    return arr, False


def _difference(arr: np.ndarray, counts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """share(group) - share(rest) per arrangement (rows) and theme (columns)."""
    a, n1 = arr @ counts, arr @ sizes
    b, n2 = counts.sum(axis=0) - a, sizes.sum() - n1
    return a / n1[:, None] - b / n2[:, None]


def _bootstrap(counts_g, sizes_g, counts_r, sizes_r, n_boot, rng) -> tuple[np.ndarray, np.ndarray]:
    """Percentile 95% interval of the difference, resampling units within group and within rest."""
    if len(sizes_g) < 2 or len(sizes_r) < 2 or n_boot < 1:
        nan = np.full(counts_g.shape[1], np.nan)   # one session cannot be resampled
        return nan, nan
    ig = rng.integers(0, len(sizes_g), size=(n_boot, len(sizes_g)))
    ir = rng.integers(0, len(sizes_r), size=(n_boot, len(sizes_r)))
    diff = (counts_g[ig].sum(axis=1) / sizes_g[ig].sum(axis=1)[:, None]
            - counts_r[ir].sum(axis=1) / sizes_r[ir].sum(axis=1)[:, None])
    return np.percentile(diff, 2.5, axis=0), np.percentile(diff, 97.5, axis=0)


def compare_groups(segments: pd.DataFrame, codings: pd.DataFrame, *, by: str = "region", min_cell: int = 5,
                   alpha: float = 0.05, seed: int = 0, n_boot: int = 2000, groups: Iterable[str] | None = None,
                   n_perm: int = 9999) -> pd.DataFrame:
    """Each group's share of participants raising each theme against all other groups.

    Args:
        segments: the segments table (all roles; only participants and respondents count).
        codings: the codings table; only sources in ``schemas.MEASURED_SOURCES`` count.
        by: the grouping column (region, kind, or a merged participant attribute).
        min_cell: rows where 1..min_cell-1 people in the group raised the theme are marked
            ``suppressed`` (kept in the adjustment, never reported as findings).
        alpha: the level ``significant`` is judged at, after the Benjamini-Hochberg adjustment.
        seed: seeds the permutation draws and the bootstrap (same seed, same table).
        n_boot: bootstrap replicates for the interval of the difference.
        groups: the order of groups (the configured area order); rows follow it, and groups
            found in the data but not listed come after, sorted.
        n_perm: permutation draws when there are more arrangements than this (else all are used).

    Returns:
        One row per (theme, group), themes sorted and groups in ``groups`` order: theme, <by>,
        participants, n_group, share, rest_participants, n_rest, rest_share, effect (share -
        rest_share), low, high (95% cluster-bootstrap interval of the effect), cohens_h,
        p_value (two-sided session permutation test), p_adjusted (Benjamini-Hochberg over the
        whole table), significant, test, sessions_group and sessions_rest (independent units:
        sessions, each survey respondent counting as one), n_permutations, suppressed.
    """
    from statsmodels.stats.multitest import multipletests

    units, counts, themes = _units(segments, codings, by)
    present = list(pd.unique(units["group"]))
    order = list(dict.fromkeys(g for g in (groups or []) if g in set(present)))
    order += sorted(g for g in present if g not in set(order))
    sizes = units["size"].to_numpy(dtype=float)
    strata = (units["kind"] if by != "kind" else pd.Series("all", index=units.index)).fillna("").to_numpy()
    rng = np.random.default_rng(seed)
    rows = []
    for group in order:
        in_group = (units["group"] == group).to_numpy()
        if in_group.all() or not themes:
            continue                                 # nothing to compare with
        arr, exact = _arrangements(in_group, strata, n_perm, rng)
        observed = _difference(in_group[None, :], counts, sizes)[0]
        extreme = (np.abs(_difference(arr, counts, sizes)) >= np.abs(observed) - _TOL).sum(axis=0)
        p_values = extreme / len(arr) if exact else (extreme + 1) / (len(arr) + 1)
        low, high = _bootstrap(counts[in_group], sizes[in_group], counts[~in_group], sizes[~in_group], n_boot, rng)
        a, b = counts[in_group].sum(axis=0), counts[~in_group].sum(axis=0)
        n1, n2 = sizes[in_group].sum(), sizes[~in_group].sum()
        for j, theme in enumerate(themes):
            p1, p2 = a[j] / n1, b[j] / n2
            rows.append({
                "theme": theme, by: group, "participants": int(a[j]), "n_group": int(n1), "share": p1,
                "rest_participants": int(b[j]), "n_rest": int(n2), "rest_share": p2, "effect": p1 - p2,
                "low": low[j], "high": high[j],
                "cohens_h": 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2)),
                "p_value": float(min(p_values[j], 1.0)), "test": TEST_NAME,
                "sessions_group": int(in_group.sum()), "sessions_rest": int((~in_group).sum()),
                "n_permutations": len(arr), "suppressed": 0 < a[j] < min_cell,
            })
    out = pd.DataFrame(rows, columns=[c for c in _table_columns(by) if c not in ("p_adjusted", "significant")])
    out["p_adjusted"] = multipletests(out["p_value"], method="fdr_bh")[1] if len(out) else pd.Series(dtype=float)
    out["significant"] = out["p_adjusted"] < alpha
    for col in ("share", "rest_share", "effect", "low", "high", "cohens_h"):
        out[col] = out[col].astype(float).round(4)
    # rows by theme, then groups in the configured order
    rank = {g: i for i, g in enumerate(order)}
    out = out.sort_values(["theme", by], key=lambda s: s.map(rank) if s.name == by else s, kind="stable")
    return out[_table_columns(by)].astype({"significant": bool, "suppressed": bool}).reset_index(drop=True)


# --- words ------------------------------------------------------------------------------------

def format_p(p: float) -> str:
    """'p < 0.001', 'p = 0.004', 'p = 0.21': never 'p 0.000'."""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def _label(theme: str, labels: Mapping[str, str]) -> str:
    text = str(labels.get(theme, theme)).replace("_", " ")
    # lower-case the first word for use mid-sentence, but leave acronyms (NHS, GP) alone
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _group_column(table: pd.DataFrame) -> str:
    extra = [c for c in table.columns if c not in TABLE_COLUMNS]
    return extra[0] if extra else "region"


def _where(group, by: str) -> tuple[str, str]:
    if by == "region":
        return f"In {group}", "elsewhere"
    return f"In the {group} group", "in the other groups"


def _points(x: float) -> str:
    return f"{round(x * 100):.0f}"


def finding_sentence(rec: Mapping, labels: Mapping[str, str], by: str = "region") -> str:
    """'In Suffolk, 57% of participants raised X, against 17% elsewhere (difference 40 points, ...).'"""
    where, rest = _where(rec[by], by)
    ci = (f", 95% CI {_points(rec['low'])} to {_points(rec['high'])}"
          if pd.notna(rec.get("low")) and pd.notna(rec.get("high")) else "")
    return (f"{where}, {rec['share']:.0%} of participants raised {_label(rec['theme'], labels)}, against "
            f"{rec['rest_share']:.0%} {rest} (difference {_points(rec['effect'])} points{ci}; "
            f"{rec.get('test', TEST_NAME)}, BH-adjusted {format_p(rec['p_adjusted'])}).")


def _shown(table: pd.DataFrame, publishable) -> pd.Series:
    """Rows that may be shown: not suppressed, and publishable if a mask or set of pairs is given."""
    by = _group_column(table)
    ok = ~table["suppressed"].astype(bool) if "suppressed" in table else pd.Series(True, index=table.index)
    if publishable is None:
        return ok
    if isinstance(publishable, (set, frozenset, list, tuple)):
        pairs = set(map(tuple, publishable))
        allowed = pd.Series([(t, g) in pairs for t, g in zip(table["theme"], table[by])], index=table.index)
    else:
        allowed = pd.Series(publishable).reindex(table.index).fillna(False).astype(bool)
    return ok & allowed


def _candidates(table: pd.DataFrame, alpha: float, publishable) -> pd.DataFrame:
    if table.empty:
        return table
    # a difference that rounds to nothing ("16% vs 16%") is never a finding, whatever its p
    visible = (table["share"] * 100).round() != (table["rest_share"] * 100).round()
    keep = (table["p_adjusted"] < alpha) & _shown(table, publishable) & visible
    out = table[keep].assign(_size=lambda d: -d["effect"].abs())
    return out.sort_values(["p_adjusted", "p_value", "_size"], kind="stable").drop(columns="_size")


def _as_findings(rows: pd.DataFrame, labels: Mapping[str, str], by: str, alpha: float) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=bool if c == "significant" else object) for c in _finding_columns(by)})
    out = rows.assign(label=[labels.get(t, t) for t in rows["theme"]], significant=rows["p_adjusted"] < alpha,
                      sentence=[finding_sentence(r, labels, by) for r in rows.to_dict("records")])
    return out[_finding_columns(by)].reset_index(drop=True)


def key_findings(table: pd.DataFrame, labels: Mapping[str, str], *, alpha: float = 0.05, top: int = 8,
                 by: str = "region", publishable=None) -> pd.DataFrame:
    """The differences between groups that survive the Benjamini-Hochberg adjustment, as sentences.

    Args:
        table: the output of :func:`compare_groups`.
        labels: theme id -> plain label.
        alpha: the adjusted-p level a difference must be below.
        top: at most this many findings, smallest p first (then the largest difference).
        by: the grouping column of ``table``.
        publishable: optional boolean mask (aligned with ``table``) or set of (theme, group)
            pairs that disclosure control allows to be shown; other rows are never reported.

    Returns:
        theme, label, <by>, share, rest_share, effect, low, high, p_value, p_adjusted,
        significant, test, sentence; empty (same columns) when nothing survives, in which case
        :func:`no_findings_sentence` says so.
    """
    return _as_findings(_candidates(table, alpha, publishable).head(top), labels, by, alpha)


def more_than_elsewhere(table: pd.DataFrame, group: str, labels: Mapping[str, str], alpha: float = 0.05, *,
                        by: str = "region", publishable=None) -> pd.DataFrame:
    """The themes one group raised significantly more than the others (same rule as key_findings).

    Empty (same columns as :func:`key_findings`) when none survive; then
    ``no_findings_sentence(table, labels, alpha, group=group)`` gives the sentence.
    """
    rows = _candidates(table, alpha, publishable)
    rows = rows[(rows[by] == group) & (rows["effect"] > 0)] if len(rows) else rows
    return _as_findings(rows, labels, by, alpha)


def no_findings_sentence(table: pd.DataFrame, labels: Mapping[str, str], alpha: float = 0.05, *,
                         group: str | None = None, publishable=None) -> str:
    """Say plainly that no difference survived, and name the largest one as exploratory.

    With ``group``, the sentence is about that group being higher than elsewhere.
    """
    by = _group_column(table)
    what = "areas" if by == "region" else "groups"
    level = f"at the {alpha * 100:g}% level"
    rows = table if group is None or table.empty else table[(table[by] == group) & (table["effect"] > 0)]
    if group is None:
        head = f"No difference between {what} survived the Benjamini-Hochberg adjustment {level}"
    else:
        where = f"in {group}" if by == "region" else f"in the {group} group"
        rest = "elsewhere" if by == "region" else "in the other groups"
        head = (f"No theme was raised more {where} than {rest} once the Benjamini-Hochberg adjustment "
                f"{level} was applied")
    if rows.empty:
        return (f"No difference between {what} could be tested: that needs a theme raised by participants and "
                f"at least two {what} with participants.")
    found = len(_candidates(rows, alpha, publishable))
    if found:   # called although something survived: say what is true rather than "none"
        return (f"{found} difference{'s' if found > 1 else ''} between {what} survived the Benjamini-Hochberg "
                f"adjustment {level}.")
    shown = rows[_shown(rows, publishable)]
    if shown.empty or shown["effect"].abs().max() == 0:
        return f"{head}, and no difference large enough to describe can be shown."
    if (rows["p_adjusted"] < alpha).any() and not (shown["p_adjusted"] < alpha).any():
        head += " among the cells that can be published"
    rec = shown.loc[shown["effect"].abs().idxmax()].to_dict()
    where, rest = _where(rec[by], by)
    return (f"{head}. The largest difference, exploratory only: {where[0].lower() + where[1:]}, "
            f"{rec['share']:.0%} of participants raised {_label(rec['theme'], labels)}, against "
            f"{rec['rest_share']:.0%} {rest} (BH-adjusted {format_p(rec['p_adjusted'])}).")


def opening_sentence(prevalence_all: pd.DataFrame, labels: Mapping[str, str], n_people: int | None = None, *,
                     top: int = 3) -> str:
    """The plain opening line: what the participants raised most.

    ``prevalence_all`` is ``measures.theme_prevalence(..., by="all")``; suppressed cells are
    never named. Example: "Among the 80 participants, the themes raised most often were trust
    in who uses the data (64%), consent and opt-out (51%), and security (43%)."
    """
    if n_people is None:
        total = prevalence_all.get("participants_total", pd.Series(dtype=float)).max()
        n_people = int(total) if pd.notna(total) else 0
    if not n_people:
        return "No participants took part, so nothing was raised."
    who = f"the {n_people} participants" if n_people != 1 else "the one participant"
    ok = prevalence_all
    if "suppressed" in ok:
        ok = ok[~ok["suppressed"].astype(bool)]
    ok = ok[ok["share"].notna() & (ok["share"] > 0)].sort_values(["share", "theme"], ascending=[False, True])
    if ok.empty:
        return f"None of {who} raised a theme often enough to report."
    items = [f"{_label(r['theme'], labels)} ({r['share']:.0%})" for r in ok.head(top).to_dict("records")]
    if len(items) == 1:
        return f"Among {who}, the theme raised most often was {items[0]}."
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + ("," if len(items) > 2 else "") + \
        f" and {items[-1]}"
    return f"Among {who}, the themes raised most often were {listed}."
