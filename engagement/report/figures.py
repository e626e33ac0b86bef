"""Figures for notebooks and the summary report.

Every function returns ``(figure, table)``: the figure, and the small rounded table it draws,
which the notebooks print (nbval compares text, not pixels). Titles state the finding,
computed from the data. Colours are colour-blind safe (Okabe-Ito for categories, cividis for
heat maps), sizes are set for A4 width (7 inches, 8pt+ text), and suppressed cells are marked
as suppressed, never drawn as zero. A figure with nothing to draw (every cell suppressed, no
topics, no pair of themes raised together) still renders, as a labelled panel whose title is the
sentence from ``analysis.gaps`` saying what is missing and why, and its table is empty.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from engagement.analysis import gaps

OKABE_ITO = {"concern": "#D55E00", "support": "#0072B2", "conditional_support": "#56B4E9", "mixed": "#CC79A7",
             "neutral": "#999999", "accent": "#009E73", "highlight": "#E69F00"}
A4_WIDTH = 7.0


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 8.5, "axes.titlesize": 10, "axes.titleweight": "bold",
                         "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "engagement",
                         # real <text> in SVGs: searchable, accessible, and visible to the leak check
                         "svg.fonttype": "none",
                         "figure.dpi": 100, "savefig.dpi": 200, "font.family": "DejaVu Sans"})
    return plt


def _wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _label(theme: str, labels: dict[str, str] | None) -> str:
    return (labels or {}).get(theme, str(theme).replace("_", " ").capitalize())


def empty_figure(sentence: str, *, height: float = 1.4):
    """A labelled empty panel: the figure's place in a report, saying what is missing and why."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(A4_WIDTH, height))
    ax.axis("off")
    ax.text(0.0, 0.5, _wrap(sentence, 95), ha="left", va="center", fontsize=9.5, color="#333333",
            transform=ax.transAxes)
    return fig


def is_empty(fig) -> bool:
    """True for a figure made by :func:`empty_figure` (nothing drawn but the sentence)."""
    return all(not ax.axison and not ax.patches and not ax.images and not ax.lines for ax in fig.axes)


def save_figure(fig, name: str, folder: Path) -> dict[str, Path]:
    """Save ``fig`` as ``name``.png and ``name``.svg in ``folder`` (deterministic metadata)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        path = folder / f"{name}.{ext}"
        tmp = folder / f".{name}.tmp.{ext}"
        fig.savefig(tmp, format=ext, bbox_inches="tight", metadata=meta)
        tmp.replace(path)
        paths[ext] = path
    return paths


def prevalence_heatmap(prevalence: pd.DataFrame, *, by: str = "region", labels: dict[str, str] | None = None,
                       order: list[str] | None = None, min_cell: int = 5):
    """Heat map of the share of participants raising each theme, theme x region."""
    plt = _plt()
    if prevalence.empty:
        return empty_figure(gaps.prevalence_gap(prevalence, min_cell=min_cell)), pd.DataFrame()
    table = prevalence.pivot(index="theme", columns=by, values="share")
    supp = prevalence.pivot(index="theme", columns=by, values="suppressed").fillna(False).astype(bool)
    if order:
        table = table.reindex(columns=[c for c in order if c in table.columns])
        supp = supp.reindex(columns=table.columns)
    table = table.loc[table.mean(axis=1).sort_values(ascending=False).index]
    supp = supp.loc[table.index]
    fig, ax = plt.subplots(figsize=(A4_WIDTH, 0.36 * len(table) + 1.6))
    im = ax.imshow(table.to_numpy(dtype=float), cmap="cividis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(table.columns)), table.columns)
    ax.set_yticks(range(len(table.index)), [_label(t, labels) for t in table.index])
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = table.iat[i, j]
            if supp.iat[i, j]:
                ax.text(j, i, "supp.", ha="center", va="center", fontsize=7, color="#444444", style="italic")
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=True, facecolor="#eeeeee", hatch="///",
                                           edgecolor="#bbbbbb", lw=0))
            elif not np.isnan(v):
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7.5,
                        color="white" if v < 0.55 else "black")
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02, format=lambda x, _: f"{x:.0%}").set_label("share of participants")
    # the finding: the biggest gap between a region and the mean of the others
    title = "Share of participants raising each theme, by " + by
    visible = table.where(~supp)
    diffs = visible.sub(visible.mean(axis=1), axis=0)
    gap = gaps.prevalence_gap(prevalence, min_cell=min_cell)
    if gap:
        title = gap
    elif table.shape[1] == 1:
        col = table.columns[0]
        theme = visible[col].idxmax()
        title = f"Most raised in {col}: {_label(theme, labels).lower()} ({visible.loc[theme, col]:.0%} of participants)"
    elif diffs.notna().any().any():
        theme, col = diffs.stack().idxmax()
        rest = visible.loc[theme].drop(col).mean()
        title = (f"{_label(theme, labels)} stands out in {col}: {table.loc[theme, col]:.0%} of participants"
                 + (f" vs {rest:.0%} elsewhere" if pd.notna(rest) else ""))
    ax.set_title(_wrap(title, 80), loc="left")
    ax.set_xlabel("")
    shown = table.map(lambda v: round(float(v), 2) if pd.notna(v) else np.nan)
    shown = shown.astype(object).where(~supp, "suppressed")
    return fig, shown.where(shown.notna(), "–")


def stance_diverging(stance: pd.DataFrame, *, labels: dict[str, str] | None = None, min_cell: int = 5):
    """Diverging bars: concern to the left, support and conditional support to the right, per theme.

    Suppressed themes are kept, at the bottom, as hatched rows marked "suppressed" (in the table too).
    """
    plt = _plt()
    if stance.empty:
        return empty_figure(gaps.stance_gap(stance, min_cell=min_cell)), pd.DataFrame()
    data = stance[~stance["suppressed"].astype(bool)].sort_values("concern", ascending=True)
    hidden = stance[stance["suppressed"].astype(bool)].sort_values("theme", ascending=False)
    n_hidden = len(hidden)
    fig, ax = plt.subplots(figsize=(A4_WIDTH, 0.34 * (len(data) + n_hidden) + 1.6))
    y = np.arange(len(data)) + n_hidden
    ax.barh(y, -data["concern"], color=OKABE_ITO["concern"], label="concern")
    ax.barh(y, data["support"], color=OKABE_ITO["support"], label="support")
    ax.barh(y, data["conditional_support"], left=data["support"], color=OKABE_ITO["conditional_support"],
            label="support with conditions")
    for k in range(n_hidden):
        ax.add_patch(plt.Rectangle((-1, k - 0.4), 2, 0.8, facecolor="#eeeeee", hatch="///", edgecolor="#bbbbbb",
                                   lw=0))
        ax.text(0, k, "suppressed (too few participants)", ha="center", va="center", fontsize=7,
                color="#444444", style="italic")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(np.arange(n_hidden + len(data)),
                  [_label(t, labels) for t in [*hidden["theme"], *data["theme"]]])
    ax.set_ylim(-0.6, n_hidden + len(data) - 0.4)
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(lambda x, _: f"{abs(x):.0%}")
    ax.set_xlabel("share of the theme's coded statements  (concern ←  |  → support)")
    ax.legend(loc="lower right", frameon=False, fontsize=7.5)
    net = (data["support"] + data["conditional_support"] - data["concern"])
    if len(data):
        worst = data.iloc[int(np.argmin(net.to_numpy()))]
        best = data.iloc[int(np.argmax(net.to_numpy()))]
        title = (f"Most concern about {_label(worst['theme'], labels).lower()} ({worst['concern']:.0%} of statements); "
                 f"most support for {_label(best['theme'], labels).lower()}")
    else:
        title = gaps.stance_gap(stance, min_cell=min_cell)
    ax.set_title(_wrap(title, 85), loc="left")
    cols = ["theme", "concern", "support", "conditional_support", "segments"]
    table = data[cols].round(2)
    if n_hidden:
        marked = hidden[["theme"]][::-1].assign(**{c: "suppressed" for c in cols[1:]})
        table = pd.concat([table.astype(object), marked], ignore_index=True)
    return fig, table.reset_index(drop=True)


def region_small_multiples(prevalence: pd.DataFrame, *, labels: dict[str, str] | None = None, top: int = 6,
                           by: str = "region", min_cell: int = 5):
    """One panel per region: its most-raised themes with 95% intervals (cluster bootstrap)."""
    plt = _plt()
    if prevalence.empty:
        return empty_figure(gaps.prevalence_gap(prevalence)), pd.DataFrame()
    groups = list(dict.fromkeys(prevalence[by]))
    ncols = 2 if len(groups) > 1 else 1
    nrows = int(np.ceil(len(groups) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(A4_WIDTH, 2.1 * nrows + 0.6), squeeze=False, sharex=True)
    rows = []
    for ax, group in zip(axes.flat, groups):
        part = prevalence[(prevalence[by] == group) & ~prevalence["suppressed"]].nlargest(top, "share")[::-1]
        hidden = sorted(prevalence.loc[(prevalence[by] == group) & prevalence["suppressed"], "theme"])
        y = np.arange(len(part))
        # no interval (one session in the group): no whisker, rather than one of width 0
        err = np.vstack([(part["share"] - part["ci_low"]).clip(lower=0).fillna(0),
                         (part["ci_high"] - part["share"]).clip(lower=0).fillna(0)])
        ax.barh(y, part["share"], color=OKABE_ITO["support"], alpha=0.85)
        ax.errorbar(part["share"], y, xerr=err, fmt="none", ecolor="black", lw=0.8, capsize=2)
        ax.set_yticks(y, [_wrap(_label(t, labels), 26) for t in part["theme"]], fontsize=7)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
        ax.tick_params(labelbottom=True)  # shared axes would hide them above an empty panel
        n = int(prevalence.loc[prevalence[by] == group, "participants_total"].max())
        # say so, rather than let a suppressed theme look like one nobody raised
        note = f"; {len(hidden)} theme{'s' if len(hidden) > 1 else ''} suppressed" if hidden else ""
        ax.set_title(f"{group} (n={n}{note})", fontsize=9, loc="left")
        if part.empty:
            ax.text(0.5, 0.5, _wrap(f"nothing shown: no theme raised by {min_cell}+ participants" if hidden
                                    else "nobody raised a codebook theme", 40),
                    ha="center", va="center", fontsize=7.5, color="#444444", style="italic", transform=ax.transAxes)
        for rec in part.to_dict("records"):
            no_ci = pd.isna(rec["ci_low"])
            rows.append({by: group, "theme": rec["theme"], "share": round(rec["share"], 2),
                         "ci_low": "–" if no_ci else round(rec["ci_low"], 2),
                         "ci_high": "–" if no_ci else round(rec["ci_high"], 2)})
        rows.extend({by: group, "theme": t, "share": "suppressed", "ci_low": "suppressed", "ci_high": "suppressed"}
                    for t in hidden)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_visible(False)
    fig.suptitle("Most-raised themes in each area, share of participants with 95% intervals", x=0.01, ha="left",
                 fontsize=10, fontweight="bold")
    fig.tight_layout()
    return fig, pd.DataFrame(rows)


def topic_map(topics: pd.DataFrame, *, labels: dict[str, str] | None = None, top: int = 15,
              reason: str | None = None):
    """Topic sizes, coloured by whether they map to a codebook theme or are candidate new themes.

    ``reason``: why there are no topics, when the coding stage says (``gaps.topics_gap``).
    """
    plt = _plt()
    data = topics[topics["topic_id"] != -1].nlargest(top, "size")[::-1]
    if data.empty:
        return empty_figure(reason or gaps.topics_gap(topics)), pd.DataFrame(
            columns=["topic_id", "label", "size", "top_theme", "candidate_new_theme"])
    fig, ax = plt.subplots(figsize=(A4_WIDTH, 0.32 * len(data) + 1.4))
    colours = [OKABE_ITO["highlight"] if c else OKABE_ITO["accent"] for c in data["candidate_new_theme"]]
    y = np.arange(len(data))
    ax.barh(y, data["size"], color=colours)
    names = [f"{r['label']}  → {_label(r['top_theme'], labels) if r['top_theme'] and not r['candidate_new_theme'] else 'no theme'}"
             for r in data.to_dict("records")]
    ax.set_yticks(y, [_wrap(n, 60) for n in names], fontsize=7)
    ax.set_xlabel("segments in topic")
    n_new = int(data["candidate_new_theme"].sum())
    ax.set_title(_wrap(f"{len(data)} largest topics; {n_new} match no codebook theme (orange: candidate new themes)",
                       85), loc="left")
    table = data[["topic_id", "label", "size", "top_theme", "candidate_new_theme"]][::-1].reset_index(drop=True)
    return fig, table


def cooccurrence_heatmap(cooc: pd.DataFrame, *, labels: dict[str, str] | None = None, min_cell: int = 5):
    """Which themes are raised together in the same statement (suppressed cells marked)."""
    plt = _plt()
    gap = gaps.cooccurrence_gap(cooc, min_cell=min_cell)
    if gap and not (cooc["theme_a"] != cooc["theme_b"]).any():
        return empty_figure(gap), pd.DataFrame()
    themes = sorted(set(cooc["theme_a"]))
    mat = cooc.pivot(index="theme_a", columns="theme_b", values="count").reindex(index=themes, columns=themes)
    supp = cooc.pivot(index="theme_a", columns="theme_b", values="suppressed").reindex(index=themes, columns=themes)
    supp = supp.fillna(False).astype(bool)
    off = mat.copy()
    for t in themes:
        off.loc[t, t] = np.nan
    off = off.where(~supp)
    nothing = off.isna().all().all()
    fig, ax = plt.subplots(figsize=(A4_WIDTH, A4_WIDTH * 0.8))
    im = ax.imshow(off.to_numpy(dtype=float), cmap="cividis", aspect="auto",
                   **({"vmin": 0, "vmax": 1} if nothing else {}))
    short = [_wrap(_label(t, labels), 22) for t in themes]
    ax.set_xticks(range(len(themes)), short, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(themes)), short, fontsize=7)
    for i in range(len(themes)):
        for j in range(len(themes)):
            if i != j and supp.iat[i, j]:
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=True, facecolor="#eeeeee", hatch="///",
                                           edgecolor="#bbbbbb", lw=0))
                ax.text(j, i, "s", ha="center", va="center", fontsize=6, color="#444444")
    title = gap or "Themes raised together"
    if not nothing:
        fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02).set_label("statements coded with both")
        stacked = off.stack().dropna()
        a, b = stacked.idxmax()
        title = f"{_label(a, labels)} and {_label(b, labels).lower()} are most often raised together ({int(stacked.max())} statements)"
    ax.set_title(_wrap(title, 80), loc="left")
    # a pair absent from the table was raised together by nobody: 0, not a blank
    return fig, mat.fillna(0).astype(object).where(~supp, "suppressed")
