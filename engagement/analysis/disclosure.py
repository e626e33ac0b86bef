"""Disclosure control for published counts of participants, after ONS and ICO guidance.

A measures table says how many participants raised each theme in each group. Before it is shown,
every cell is given a form (``published_as``) and, where the form is a band, a text (``band``):

- ``value``: the exact count. Zeros, and counts of ``min_cell`` or more, outside the risky cases.
- ``band``: a range instead of the count. A small count (1..min_cell-1) of a non-sensitive theme by
  area (region, session kind, the whole study) reads "fewer than 5"; a cell protected against
  differencing reads "5 to 9" (the fixed width-``min_cell`` band that holds it).
- ``suppressed``: nothing. A small count of a sensitive-category theme (the codebook's
  ``sensitive``: mental and sexual health, HIV, drugs...), any small count in a breakdown by a
  participant attribute (age band, gender...), and every cell of a group with fewer than
  ``min_cell`` participants in total (zeros too: in a group of one, "suppressed" would mean 1).
  Also a sensitive-category count by area that leaves fewer than ``min_cell`` of the group out
  (8 of 8, 6 of 9): that nearly everyone in a focus group raised HIV says something of each of
  them (ONS: group disclosure). A reader cannot tell it from a small suppressed count.

Secondary protection (ONS: primary and secondary suppression; differencing). The report also
publishes each theme's overall count (the "all" column) and each group's participants_total, so a
row with one protected cell and an exact overall count gives that cell away by subtraction. Each
row is audited with interval arithmetic: a reader knows every value, the range of every band or
suppressed cell and the range of the overall count, and so the range of values each protected
cell can still take. While some protected cell has a single feasible value, the smallest value
cell of the row is banded too ("5 to 9"); if none is left, a band is widened. We protect a cell,
not the total, because the overall count is the most read number of the report, the region-vs-
rest comparisons need it exact, and one banded cell costs less than a banded total that every
breakdown (region, kind, attribute) shares. Only when every cell of a row is protected and the
row is still pinned (four areas "fewer than 5", a zero, and "fewer than 5" overall: each area is
1) is the overall count banded or widened (``protect_overall``). ``comparison_allowed`` says which
region-vs-rest comparisons may be shown: the rest's share with the overall count would give back
a protected cell. The audit reasons with ranges, as ONS's guidance on differencing does; it does
not model a reader who replays the algorithm's own choices.

Tables in: ``theme``, the group column ``by``, ``participants`` (exact counts, int) and
``participants_total`` (the group's participants). Tables out: the same rows, new columns.

Example:
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"theme": ["trust"] * 3, "region": ["Essex", "Norfolk", "Suffolk"],
    ...                        "participants": [2, 6, 9], "participants_total": [16, 15, 17]})
    >>> out = protect(counts, by="region", min_cell=5)
    >>> list(out["published_as"]), list(out["band"])
    (['band', 'band', 'value'], ['fewer than 5', '5 to 9', ''])
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

AREA_BREAKDOWNS = ("region", "kind", "all")
SENSITIVE_THEMES = ("sensitive",)
POLICIES = ("band", "suppress")
VALUE, BAND, SUPPRESSED = "value", "band", "suppressed"


def is_sensitive(theme: str, sensitive_themes: Iterable[str] = SENSITIVE_THEMES) -> bool:
    """A sensitive-category theme: one of ``sensitive_themes``, or one of their codes (``sensitive_hiv``)."""
    return any(theme == s or str(theme).startswith(f"{s}_") for s in sensitive_themes)


def band_text(low: int, high: int, min_cell: int) -> str:
    """The words for a band: "fewer than 5" when it starts at 1, else "5 to 9"."""
    return f"fewer than {high + 1}" if low <= 1 else f"{low} to {high}"


def band_bounds(text: str) -> tuple[int, int]:
    """The range a band's words state: "fewer than 5" -> (1, 4), "5 to 9" -> (5, 9)."""
    if text.startswith("fewer than "):
        return 1, int(text.removeprefix("fewer than ")) - 1
    low, high = text.split(" to ")
    return int(low), int(high)


def risk(counts: pd.DataFrame, *, by: str, min_cell: int = 5,
         sensitive_themes: Iterable[str] = SENSITIVE_THEMES) -> pd.DataFrame:
    """Why each cell could disclose: "sensitive theme", "participant attribute", "small group" or "".

    The first reason that applies is named; the last two are about the table, not the theme.
    """
    sensitive_themes = tuple(sensitive_themes)
    reason = np.where(counts["participants_total"] < min_cell, "small group",
                      np.where(by not in AREA_BREAKDOWNS, "participant attribute",
                               np.where(counts["theme"].map(lambda t: is_sensitive(t, sensitive_themes)),
                                        "sensitive theme", "")))
    return counts.assign(risk=pd.Series(reason, index=counts.index, dtype=str))


def primary_protection(counts: pd.DataFrame, *, by: str, min_cell: int = 5,
                       sensitive_themes: Iterable[str] = SENSITIVE_THEMES, policy: str = "band") -> pd.DataFrame:
    """Each cell's form before differencing is considered: ``published_as``, ``band``, ``low``, ``high``.

    ``low``..``high`` is what a reader learns of the count (equal for a value). ``policy="suppress"``
    hides small counts everywhere instead of banding them.
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
    out = risk(counts, by=by, min_cell=min_cell, sensitive_themes=sensitive_themes)
    n, total = out["participants"].astype(int), out["participants_total"].astype(int)
    small = (n > 0) & (n < min_cell)
    small_group = out["risk"] == "small group"
    hide = small_group | (small & ((out["risk"] != "") | (policy == "suppress")))
    # group disclosure: "all but 2 of Norfolk's 8 raised HIV" tells something of nearly everyone there
    near_all = (out["risk"] == "sensitive theme") & (by != "all") & (n >= min_cell) & (total - n < min_cell)
    band = small & ~hide
    hide = hide | near_all
    out["published_as"] = np.select([hide, band], [SUPPRESSED, BAND], VALUE)
    out["band"] = np.where(band, f"fewer than {min_cell}", "")
    # what a reader knows: a small group's cell may be anything up to its size, zero included; the
    # audit credits a reader with knowing which side a sensitive suppressed cell is on (small, or
    # nearly all of the group), more than the published word says, so its protection is on the safe side
    out["low"] = np.select([small_group, near_all, hide | band], [0, total - min_cell + 1, 1], n)
    out["high"] = np.select([small_group, near_all, hide | band], [total, total, np.minimum(min_cell - 1, total)], n)
    # ... and it stays protected only while everything published still allows a small count there
    out["near_all_from"] = np.where(near_all, min_cell, 0)
    return out


def row_totals(overall: pd.DataFrame) -> pd.DataFrame:
    """The published range of each theme's overall count, from a primary-protected "all" table."""
    return overall.groupby("theme", sort=True).agg(total_low=("low", "sum"), total_high=("high", "sum")).reset_index()


def feasible_ranges(table: pd.DataFrame, totals: pd.DataFrame | None, *, by: str) -> pd.DataFrame:
    """Adds ``feasible_low``/``feasible_high``: the values a cell can take given everything published.

    A row's cells sum to the theme's overall count (each participant is in one group), whose range
    is in ``totals``; every cell lies in its own ``low``..``high``. Integer ranges summed give every
    integer between their sums, so these bounds are exact, not just safe.
    """
    out = table.copy()
    out["feasible_low"], out["feasible_high"] = out["low"], out["high"]
    out["floor"] = 0     # the least a cell can be from the row's total and the other cells alone
    if totals is None or out.empty:
        return out
    tot = totals.set_index("theme")
    for theme, idx in out.groupby("theme", sort=False).groups.items():
        if theme not in tot.index:
            continue
        lo, hi = out.loc[idx, "low"].astype(int), out.loc[idx, "high"].astype(int)
        t_lo, t_hi = int(tot.at[theme, "total_low"]), int(tot.at[theme, "total_high"])
        out.loc[idx, "floor"] = t_lo - (hi.sum() - hi)
        out.loc[idx, "feasible_low"] = np.maximum(lo, t_lo - (hi.sum() - hi))
        out.loc[idx, "feasible_high"] = np.minimum(hi, t_hi - (lo.sum() - lo))
    return out


def _pinned(row: pd.DataFrame) -> pd.Series:
    """Protected cells whose range says more than one value but whose feasible range is one value,
    and suppressed near-all cells that the row's total and other cells show cannot be small."""
    exact = (row["high"] > row["low"]) & (row["feasible_high"] <= row["feasible_low"])
    if "near_all_from" not in row:
        return exact
    near = row["near_all_from"].to_numpy() > 0
    return exact | (near & (row["floor"].to_numpy() >= row["near_all_from"].to_numpy()))


def secondary_protection(table: pd.DataFrame, totals: pd.DataFrame | None, *, by: str, min_cell: int = 5
                         ) -> pd.DataFrame:
    """Protects further cells until no protected cell can be worked out by subtraction.

    Row by row: while a protected cell has a single feasible value, band the row's smallest
    positive value cell into its fixed band ("5 to 9", "10 to 14"; ties by group name); with no
    value cell left, widen a band by ``min_cell`` on each side. ``secondary`` marks the cells so
    protected. Zeros are never banded: a band means at least one person.
    """
    out = feasible_ranges(table.assign(secondary=False), totals, by=by)
    if totals is None:
        return out
    parts = []
    for _, row in out.groupby("theme", sort=False):
        row = row.sort_values(by, kind="stable")
        for _ in range(4 * len(row) + 4):
            if not _pinned(row).any():
                break
            row = _protect_one_more(row, min_cell)
            row = feasible_ranges(row, totals, by=by)
        parts.append(row)
    return pd.concat(parts).loc[out.index] if parts else out


def _protect_one_more(row: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    row = row.copy()
    open_cells = row[(row["published_as"] == VALUE) & (row["participants"] > 0)]
    if not open_cells.empty:
        i = open_cells.sort_values("participants", kind="stable").index[0]
        v = int(row.at[i, "participants"])
        low = (v // min_cell) * min_cell
        high = low + min_cell - 1
        row.loc[i, ["published_as", "band", "secondary"]] = [BAND, band_text(low, high, min_cell), True]
        row.loc[i, ["low", "high"]] = [max(low, 1), min(high, int(row.at[i, "participants_total"]))]
        return row
    for i in row[row["published_as"] == BAND].sort_values("participants", kind="stable").index:
        b_low, b_high = band_bounds(row.at[i, "band"])
        low, high = max(1, b_low - min_cell), b_high + min_cell
        known = (low, min(high, int(row.at[i, "participants_total"])))
        if known != (int(row.at[i, "low"]), int(row.at[i, "high"])):
            row.loc[i, ["band", "secondary"]] = [band_text(low, high, min_cell), True]
            row.loc[i, ["low", "high"]] = list(known)
            return row
    return row


def protect_overall(overall: pd.DataFrame, breakdowns: Iterable[tuple[str, pd.DataFrame]] = (), *, min_cell: int = 5,
                    sensitive_themes: Iterable[str] = SENSITIVE_THEMES, policy: str = "band") -> pd.DataFrame:
    """The overall ("all") counts, banded where no cell protection can save a breakdown's row.

    Rarely every cell of a row is protected and the exact overall count still pins one (five
    areas with one person each and 5 overall; three groups of 3 where all 9 raised it). Then,
    and only then, the overall count is published as its band ("5 to 9"), widened if need be.

    Args:
        overall: theme, participants, participants_total (the study's participants).
        breakdowns: (by, counts) of each table published beside the overall column.
    """
    sensitive_themes = tuple(sensitive_themes)
    table = primary_protection(overall.assign(all="all"), by="all", min_cell=min_cell,
                               sensitive_themes=sensitive_themes, policy=policy)
    for by, counts in breakdowns:
        cells = primary_protection(counts, by=by, min_cell=min_cell, sensitive_themes=sensitive_themes, policy=policy)
        for _ in range(int(table["participants_total"].max() // max(min_cell, 1)) + 2):
            ruled = secondary_protection(cells, row_totals(table), by=by, min_cell=min_cell)
            stuck = set(ruled.loc[_pinned(ruled), "theme"])
            if not stuck:
                break
            for i in table.index[table["theme"].isin(stuck)]:
                table.loc[i] = _widen_total(table.loc[i], min_cell)
    return table


def _widen_total(cell: pd.Series, min_cell: int) -> pd.Series:
    cell = cell.copy()
    n_all = int(cell["participants_total"])
    if cell["published_as"] == VALUE:
        low = (int(cell["participants"]) // min_cell) * min_cell
        low, high = max(low, 1), low + min_cell - 1
    else:
        low, high = max(int(cell["low"]) - min_cell, 1), int(cell["high"]) + min_cell
    cell["published_as"], cell["band"] = BAND, band_text(low, high, min_cell)
    cell["low"], cell["high"] = low, min(high, n_all)
    return cell


def protect(counts: pd.DataFrame, *, by: str, min_cell: int = 5, sensitive_themes: Iterable[str] = SENSITIVE_THEMES,
            policy: str = "band", overall: pd.DataFrame | None = None, secondary: bool = True) -> pd.DataFrame:
    """The whole policy on one table: primary protection, then protection against differencing.

    Args:
        counts: theme, ``by``, participants, participants_total (exact).
        by: the grouping column; "all" is the overall table (its cells are the row totals).
        min_cell: the threshold from engagement.yaml.
        sensitive_themes: theme ids whose small counts are always suppressed.
        policy: "band" (small area counts read "fewer than 5") or "suppress".
        overall: the overall counts (theme, participants, participants_total) the report publishes
            beside this table; by default the sum of each row (every participant in one group).
        secondary: False switches differencing protection off (only to show what it prevents).

    Returns:
        ``counts`` with risk, published_as, band, low, high, feasible_low, feasible_high, secondary.
    """
    table = primary_protection(counts, by=by, min_cell=min_cell, sensitive_themes=sensitive_themes, policy=policy)
    totals = None
    if by != "all":
        if overall is None:
            overall = counts.groupby("theme", sort=True).agg(participants=("participants", "sum")).reset_index()
            overall["participants_total"] = int(counts.drop_duplicates(by)["participants_total"].sum())
        breakdowns = [(by, counts)] if secondary else []
        totals = row_totals(protect_overall(overall, breakdowns, min_cell=min_cell,
                                            sensitive_themes=sensitive_themes, policy=policy))
    if not secondary:
        return feasible_ranges(table.assign(secondary=False), totals, by=by)
    return secondary_protection(table, totals, by=by, min_cell=min_cell)


def comparison_allowed(table: pd.DataFrame, overall: pd.DataFrame, *, by: str = "region") -> pd.DataFrame:
    """Whether each (theme, group)'s comparison with the rest may be published.

    The rest's share is (overall - cell) / (N - n): with the overall count published it gives the
    cell back, so only a cell published as a value, in a theme whose overall count is published as
    a value, may be compared. ``table`` and ``overall`` carry ``published_as`` (from ``protect``).
    """
    exact_total = overall.set_index("theme")["published_as"].eq(VALUE)
    allowed = table["published_as"].eq(VALUE) & table["theme"].map(exact_total).fillna(False).astype(bool)
    return table[["theme", by]].assign(comparison_allowed=allowed.to_numpy())


def policy_text(min_cell: int = 5) -> str:
    """One paragraph for a report's method section: what was hidden, banded and why."""
    return (
        f"Counts are of participants. Following the ONS guidance on statistical disclosure control for "
        f"tables and the ICO's anonymisation guidance, a count of 1 to {min_cell - 1} participants is not "
        f"published as a number: for a theme by area or session kind it is shown as a band ('fewer than "
        f"{min_cell}'); for a sensitive-category theme (such as mental or sexual health, HIV or drugs), in a "
        f"breakdown by a participant attribute (such as age band or gender), and for every cell of a group of "
        f"fewer than {min_cell} participants it is suppressed. A sensitive-category count by area that leaves "
        f"fewer than {min_cell} of the area's participants out is suppressed too: that nearly everyone in a group "
        f"raised it would say something of each of them. Because each theme's overall count and each "
        f"group's number of participants are published, a single hidden cell could be worked out by "
        f"subtraction; where that is so, a second cell of the row is also shown as a band (for example "
        f"'{min_cell} to {2 * min_cell - 1}'), or in the rare row where that is not enough the overall count is "
        f"shown as a band, so that no hidden count can be recovered exactly, and an area is "
        f"compared with the rest only where its own count and the overall count are both published. Zeros are "
        f"published: that nobody raised a theme says nothing about any one person."
    )
