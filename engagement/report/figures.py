"""Figures for notebooks and the summary report.

Every function returns ``(figure, table)``: the figure, and the small rounded table it draws,
which the notebooks print (nbval compares text, not pixels). Titles state the finding,
computed from the data, and a subtitle or note states what is counted and on what base.
Colours are colour-blind safe (Okabe-Ito for categories, cividis for heat maps).

Figures are drawn at their printed size: at most ``A4_WIDTH`` (the 17 cm text column of an A4
page) by ``MAX_HEIGHT`` inches, every text element at least ``MIN_FONT`` points, long labels
wrapped rather than shrunk. Areas appear in the configured order (``order=``), never
alphabetically. Cells withheld by disclosure control are marked, never drawn as zero: a cell
published as a band ("fewer than 5") is a light grey cell marked "<5", a suppressed one is
hatched, and a note under the figure says what each mark means. A figure with nothing to draw
(every cell suppressed, no topics, no pair of themes raised together) still renders, as a
labelled panel whose title is the sentence from ``analysis.gaps`` saying what is missing and
why, and its table is empty.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from engagement.analysis import gaps

OKABE_ITO = {"concern": "#D55E00", "support": "#0072B2", "conditional_support": "#56B4E9", "mixed": "#CC79A7",
             "neutral": "#999999", "accent": "#009E73", "highlight": "#E69F00"}
A4_WIDTH = 6.7      # inches: the text column of an A4 page with 2 cm margins
MAX_HEIGHT = 8.0    # inches: leaves room for a caption on the same page
MIN_FONT = 8.0      # points, at the printed size
NOTE_FONT = 8.0
BAND_FILL = "#EEEEEE"
HATCH_EDGE = "#BBBBBB"
STANCES = {"concern": "concern", "mixed": "mixed", "neutral": "neutral",
           "conditional_support": "support with conditions", "support": "support"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 8.5, "axes.titlesize": 8.5, "axes.titleweight": "normal",
                         "figure.titlesize": 10, "figure.titleweight": "bold", "axes.labelsize": 8.5,
                         "xtick.labelsize": 8.5, "ytick.labelsize": 8.5, "legend.fontsize": 8.5,
                         "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "engagement",
                         # real <text> in SVGs: searchable, accessible, and visible to the leak check
                         "svg.fonttype": "none",
                         "figure.dpi": 100, "savefig.dpi": 200, "font.family": "DejaVu Sans"})
    return plt


def _wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(str(text), width, break_on_hyphens=False)) or str(text)


def _label(theme: str, labels: dict[str, str] | None) -> str:
    return (labels or {}).get(theme, str(theme).replace("_", " ").capitalize())


def _figure(height: float, **kwargs):
    """A figure at its printed size, laid out so titles, labels and notes stay inside it."""
    plt = _plt()
    return plt.subplots(figsize=(A4_WIDTH, float(min(MAX_HEIGHT, height))), layout="constrained", **kwargs)


def _frame(fig, title: str, subtitle: str | None = None, notes: list[str] | tuple = ()) -> None:
    """Title and subtitle across the top, notes across the bottom, the plots laid out between.

    The text is wrapped to the page width and the space it needs is reserved from the layout,
    so nothing is cropped, shrunk or pushed onto another page.
    """
    title_text = _wrap(title, 76)
    sub_text = "\n".join(_wrap(line, 100) for line in [subtitle] if line)
    note_text = "\n".join(_wrap(line, 105) for line in notes if line)
    height = fig.get_figheight() * 72  # points
    pad = 6.0
    top = pad + 12.5 * (title_text.count("\n") + 1)
    # fig.text, not suptitle: constrained layout would reserve room for a suptitle a second time
    fig.text(0.01, 1 - pad / height, title_text, ha="left", va="top", fontsize=10, fontweight="bold",
             linespacing=1.15, gid="title")
    if sub_text:
        fig.text(0.01, 1 - (top + 3) / height, sub_text, ha="left", va="top", fontsize=8.5, color="#333333",
                 linespacing=1.2, gid="subtitle")
        top += 3 + 10.5 * (sub_text.count("\n") + 1)
    bottom = 0.0
    if note_text:
        bottom = pad + 10.5 * (note_text.count("\n") + 1)
        fig.text(0.01, pad / height, note_text, ha="left", va="bottom", fontsize=NOTE_FONT, color="#333333",
                 linespacing=1.3, gid="note")
    top, bottom = (top + pad) / height, (bottom + 2) / height
    fig.get_layout_engine().set(rect=(0.0, bottom, 1.0, 1.0 - top - bottom))


def _order(present, order: list[str] | None) -> list:
    """Areas in the configured order, then any others in order of appearance (never alphabetical)."""
    seen = list(dict.fromkeys(present))
    first = [g for g in (order or []) if g in seen]
    return first + [g for g in seen if g not in first]


def published_as(prevalence: pd.DataFrame) -> pd.Series:
    """How each cell is published: "value", "band" or "suppressed" (from ``suppressed`` when not given)."""
    derived = pd.Series(np.where(prevalence["suppressed"].astype(bool), "suppressed", "value"),
                        index=prevalence.index)
    if "published_as" not in prevalence:
        return derived
    return prevalence["published_as"].where(prevalence["published_as"].notna(), derived).astype(str)


def _disclosure_note(kinds: set[str], min_cell: int) -> list[str]:
    out = []
    if "band" in kinds:
        out.append(f"<{min_cell}: fewer than {min_cell} participants, shown as a band.")
    if "suppressed" in kinds:
        out.append("Hatched: suppressed to protect participants.")
    return out


def _hatch(ax, x: float, y: float, w: float = 1.0, h: float = 1.0):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), w, h, facecolor=BAND_FILL, hatch="///", edgecolor=HATCH_EDGE, lw=0))


def _with_labels(table: pd.DataFrame, labels: dict[str, str] | None) -> pd.DataFrame:
    """The table a figure draws, as a reader sees it: theme labels, never ids (column, index and header)."""
    if not labels:
        return table
    out = table.copy()
    if "theme" in out.columns:
        out["theme"] = out["theme"].map(lambda t: labels.get(t, t))
    if any(i in labels for i in out.index):
        out.index = [labels.get(i, i) for i in out.index]
    if any(c in labels for c in out.columns):
        out.columns = [labels.get(c, c) for c in out.columns]
    return out


def empty_figure(sentence: str, *, height: float = 1.4):
    """A labelled empty panel: the figure's place in a report, saying what is missing and why."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(A4_WIDTH, height))
    ax.axis("off")
    ax.text(0.0, 0.5, _wrap(sentence, 90), ha="left", va="center", fontsize=9.5, color="#333333",
            transform=ax.transAxes)
    return fig


def title_of(fig) -> str:
    """The figure's title and subtitle as one line of text (what a reader sees first)."""
    parts = [t.get_text() for t in fig.texts if t.get_gid() in ("title", "subtitle")]
    return " ".join(parts).replace("\n", " ")


def note_of(fig) -> str:
    """The note under the figure, as one line of text ("" when there is none)."""
    return " ".join(t.get_text() for t in fig.texts if t.get_gid() == "note").replace("\n", " ")


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
                       order: list[str] | None = None, min_cell: int = 5, headline: str | None = None):
    """Heat map of the share of participants raising each theme, theme x area, each cell annotated.

    ``headline``: the title, when the caller has a tested finding to state (the report passes its
    first key finding); otherwise the title only says what is drawn.

    Args:
        prevalence: ``measures.theme_prevalence`` (with ``published_as`` and ``band`` if given).
        by: the grouping column.
        labels: theme id -> label.
        order: the configured order of the groups (default: order of appearance).
        min_cell: the disclosure threshold, for the "<5" mark and the note.

    Returns:
        The figure and the theme x group table: shares rounded to 0.01, banded cells as their
        band ("fewer than 5"), suppressed cells as "suppressed".
    """
    if prevalence.empty:
        return empty_figure(gaps.prevalence_gap(prevalence, min_cell=min_cell)), pd.DataFrame()
    data = prevalence.assign(published_as=published_as(prevalence))
    if "band" not in data:
        data["band"] = None
    data["band"] = data["band"].where(data["band"].notna(), f"fewer than {min_cell}")
    columns = _order(data[by], order)
    themes = list(dict.fromkeys(data["theme"]))
    table = data.pivot(index="theme", columns=by, values="share").reindex(index=themes, columns=columns)
    how = data.pivot(index="theme", columns=by, values="published_as").reindex(index=themes, columns=columns)
    band = data.pivot(index="theme", columns=by, values="band").reindex(index=themes, columns=columns)
    how = how.fillna("value")
    visible = table.where(how == "value")
    rank = visible.mean(axis=1).fillna(-1)
    keep = rank.sort_values(ascending=False, kind="stable").index
    table, how, band, visible = table.loc[keep], how.loc[keep], band.loc[keep], visible.loc[keep]
    fig, ax = _figure(0.36 * len(table) + 2.0)
    im = ax.imshow(visible.to_numpy(dtype=float), cmap="cividis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(columns)), columns, rotation=30, ha="left", rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    ax.spines[["top", "right", "bottom", "left"]].set_visible(False)
    ax.set_yticks(range(len(table.index)), [_wrap(_label(t, labels), 30) for t in table.index])
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            kind, v = how.iat[i, j], visible.iat[i, j]
            if kind == "suppressed":
                _hatch(ax, j - 0.5, i - 0.5)
            elif kind == "band":
                from matplotlib.patches import Rectangle

                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=BAND_FILL, edgecolor="white", lw=1))
                ax.text(j, i, f"<{min_cell}", ha="center", va="center", fontsize=8, color="#333333")
            elif not np.isnan(v):
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8,
                        color="white" if v < 0.55 else "black")
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, format=lambda x, _: f"{x:.0%}").set_label(
        "share of participants")
    # a title states a finding only when one was tested and survived (``headline``, from the
    # report's key findings); the largest raw gap between areas is not a finding
    gap = gaps.prevalence_gap(prevalence, min_cell=min_cell)
    title = headline or f"Share of participants raising each theme, by {'area' if by == 'region' else by}"
    if gap:
        title = gap
    elif headline is None and table.shape[1] == 1 and visible.notna().any().any():
        col = table.columns[0]
        theme = visible[col].idxmax()
        title = f"Most raised in {col}: {_label(theme, labels).lower()} ({visible.loc[theme, col]:.0%} of participants)"
    _frame(fig, title, "Share of each area's participants who raised the theme; themes ordered by their average "
                       "share across areas.", _disclosure_note(set(how.to_numpy().ravel()), min_cell))
    shown = table.map(lambda v: round(float(v), 2) if pd.notna(v) else np.nan).astype(object)
    shown = shown.where(how != "band", band).where(how != "suppressed", "suppressed")
    shown.columns.name = by
    return fig, _with_labels(shown.where(shown.notna(), "–"), labels)


def stance_diverging(stance: pd.DataFrame, *, labels: dict[str, str] | None = None, min_cell: int = 5):
    """100% stacked bars: each theme's coded statements split by stance, neutral and mixed included.

    Themes are ordered by their share of statements expressing concern (most first), the base
    is every coded statement of the theme, and each axis label carries its number of
    statements. Suppressed themes (fewer than ``min_cell`` participants) are left out of the
    figure and named in a note; the table keeps them, marked "suppressed".
    """
    if stance.empty:
        return empty_figure(gaps.stance_gap(stance, min_cell=min_cell)), pd.DataFrame()
    supp = stance["suppressed"].astype(bool)
    data = stance[~supp].sort_values(["concern", "theme"], ascending=[False, True], kind="stable")
    hidden = stance[supp].sort_values("theme")
    cols = ["theme", "segments", *STANCES]
    table = data[cols].round(2).astype({"segments": int})
    if len(hidden):
        marked = hidden[["theme"]].assign(**{c: "suppressed" for c in cols[1:]})
        table = pd.concat([table.astype(object), marked], ignore_index=True)
    table = table.reset_index(drop=True)
    if data.empty:
        return empty_figure(gaps.stance_gap(stance, min_cell=min_cell)), table
    fig, ax = _figure(0.36 * len(data) + 2.2)
    y = np.arange(len(data))
    left = np.zeros(len(data))
    for key, name in STANCES.items():
        share = data[key].fillna(0).to_numpy(dtype=float)
        ax.barh(y, share, left=left, color=OKABE_ITO[key], label=name, height=0.75, edgecolor="white", lw=0.5)
        dark = key in ("concern", "support", "mixed")
        for k, (x0, w) in enumerate(zip(left, share)):
            if w >= 0.09:  # a label only where it fits inside its segment
                ax.text(x0 + w / 2, k, f"{w:.0%}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
        left = left + share
    names = [f"{_label(t, labels)} (n={int(n)})" for t, n in zip(data["theme"], data["segments"])]
    ax.set_yticks(y, [_wrap(n, 32) for n in names])
    ax.set_ylim(len(data) - 0.5, -0.5)  # the most concern at the top
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    ax.set_xlabel("share of the theme's coded statements")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=5, frameon=False, handlelength=1.2,
              columnspacing=1.0, borderaxespad=0.2)
    top = data.iloc[0]
    title = (f"Most concern about {_label(top['theme'], labels).lower()}: {top['concern']:.0%} of its statements "
             f"express concern")
    listed = ", ".join(_label(t, labels).lower() for t in hidden["theme"])
    _frame(fig, title, "Themes ordered by share of statements expressing concern. Shares of all coded statements, "
                       "including neutral and mixed; n statements per theme shown.",
           [f"Not shown: {listed} (fewer than {min_cell} participants; suppressed to protect participants)."
            if len(hidden) else ""])
    return fig, _with_labels(table, labels)


def region_small_multiples(prevalence: pd.DataFrame, *, labels: dict[str, str] | None = None, top: int = 6,
                           by: str = "region", min_cell: int = 5, order: list[str] | None = None):
    """One panel per area (in ``order``): its most-raised themes with 95% intervals (cluster bootstrap).

    Banded and suppressed themes have no share to rank, so they are counted in the panel title
    and listed in the table, never drawn as short bars.
    """
    plt = _plt()
    if prevalence.empty:
        return empty_figure(gaps.prevalence_gap(prevalence)), pd.DataFrame()
    data = prevalence.assign(published_as=published_as(prevalence))
    if "band" not in data:
        data["band"] = None
    data["band"] = data["band"].where(data["band"].notna(), f"fewer than {min_cell}")
    groups = _order(data[by], order)
    ncols = 2 if len(groups) > 1 else 1
    nrows = int(np.ceil(len(groups) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(A4_WIDTH, min(MAX_HEIGHT, (0.31 * top + 0.85) * nrows + 1.0)),
                             squeeze=False, sharex=True, layout="constrained")
    rows = []
    for ax, group in zip(axes.flat, groups):
        here = data[data[by] == group]
        part = here[here["published_as"] == "value"].dropna(subset=["share"]).nlargest(top, "share")
        banded = sorted(here.loc[here["published_as"] == "band", "theme"], key=lambda t: _label(t, labels))
        hidden = sorted(here.loc[here["published_as"] == "suppressed", "theme"], key=lambda t: _label(t, labels))
        y = np.arange(len(part))
        # no interval (one session in the group): no whisker, rather than one of width 0
        err = np.vstack([(part["share"] - part["ci_low"]).clip(lower=0).fillna(0),
                         (part["ci_high"] - part["share"]).clip(lower=0).fillna(0)])
        ax.barh(y, part["share"], color=OKABE_ITO["support"], alpha=0.85, height=0.7)
        ax.errorbar(part["share"], y, xerr=err, fmt="none", ecolor="black", lw=0.8, capsize=2)
        ax.set_yticks(y, [_wrap(_label(t, labels), 26) for t in part["theme"]], fontsize=8)
        ax.set_ylim(max(top, 1) - 0.5, -0.5)  # the most raised at the top; panels share a row height
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.5, 1])
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
        ax.tick_params(labelbottom=True)  # shared axes would hide them above an empty panel
        n = int(here["participants_total"].max())
        # say so, rather than let a withheld theme look like one nobody raised
        withheld = "\n".join(what for ts, what in (
            (banded, f"{len(banded)} theme{'s' if len(banded) > 1 else ''} <{min_cell}"),
            (hidden, f"{len(hidden)} {'' if banded else 'themes ' if len(hidden) > 1 else 'theme '}suppressed"))
            if ts)
        ax.set_title(f"{group} (n={n})" + (f"\n{withheld}" if withheld else ""), fontsize=8.5, loc="left",
                     fontweight="bold", linespacing=1.1)
        if part.empty:
            ax.text(0.5, 0.5, _wrap(f"nothing shown: no theme raised by {min_cell}+ participants"
                                    if banded or hidden else "nobody raised a codebook theme", 34),
                    ha="center", va="center", fontsize=8, color="#444444", style="italic", transform=ax.transAxes)
        for rec in part.to_dict("records"):
            no_ci = pd.isna(rec["ci_low"])
            rows.append({by: group, "theme": rec["theme"], "share": round(rec["share"], 2),
                         "ci_low": "–" if no_ci else round(rec["ci_low"], 2),
                         "ci_high": "–" if no_ci else round(rec["ci_high"], 2)})
        for t in banded:
            band = here.loc[here["theme"] == t, "band"].iloc[0]
            rows.append({by: group, "theme": t, "share": band, "ci_low": "–", "ci_high": "–"})
        rows.extend({by: group, "theme": t, "share": "suppressed", "ci_low": "suppressed", "ci_high": "suppressed"}
                    for t in hidden)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_visible(False)
    kinds = set(data["published_as"])
    _frame(fig, f"Most-raised themes in each area (top {top})", None, ["Share of the area's participants who raised the theme, with 95% intervals (bootstrap over sessions)."]
          + [f"Themes raised by fewer than {min_cell} participants (<{min_cell}) or suppressed to protect "
             f"participants are not drawn; each panel's title counts them." if kinds & {"band", "suppressed"} else ""])
    return fig, _with_labels(pd.DataFrame(rows, columns=[by, "theme", "share", "ci_low", "ci_high"]), labels)


def topic_map(topics: pd.DataFrame, *, labels: dict[str, str] | None = None, top: int = 15,
              reason: str | None = None, min_size: int | None = None, min_coherence: float | None = None):
    """Topic sizes, coloured by whether they map to a codebook theme or are candidate new themes.

    Drawn from :func:`engagement.coding.topic_themes.topic_overview`, the same table the report lists,
    so figure and table name the same topics and themes; the table (its ``top`` largest topics
    and the outlier row) is returned. ``reason``: why there are no topics, when the coding stage
    says (``gaps.topics_gap``).
    """
    from engagement.coding.topic_themes import MIN_COHERENCE, NO_THEME, topic_overview

    overview = topic_overview(topics, labels, min_size=min_size, top=top,
                              min_coherence=MIN_COHERENCE if min_coherence is None else min_coherence)
    data = overview[overview["topic_id"] != -1]
    if data.empty:
        return empty_figure(reason or gaps.topics_gap(topics)), overview.iloc[:0]
    fig, ax = _figure(0.38 * len(data) + 2.0)
    matched = data["theme"] != NO_THEME
    colours = [OKABE_ITO["highlight"] if c else OKABE_ITO["accent"] if m else OKABE_ITO["neutral"]
               for c, m in zip(data["candidate_new_theme"], matched)]
    y = np.arange(len(data))
    ax.barh(y, data["size"], color=colours, height=0.7)
    ax.set_yticks(y, [_wrap(f"{r['topic']} → {r['theme']}", 46) for r in data.to_dict("records")])
    ax.set_ylim(len(data) - 0.5, -0.5)
    for k, rec in enumerate(data.to_dict("records")):
        ax.text(rec["size"], k, f" {rec['size']} ({rec['share']:.0%})", ha="left", va="center", fontsize=8)
    ax.set_xlim(0, data["size"].max() * 1.25)
    ax.set_xlabel("sentences in topic (share of all sentences)")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=OKABE_ITO["accent"], label="matches a codebook theme"),
                       Patch(color=OKABE_ITO["neutral"], label="no theme"),
                       Patch(color=OKABE_ITO["highlight"], label="candidate new theme")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, frameon=False, handlelength=1.2,
              columnspacing=1.0, borderaxespad=0.2)
    n_none, n_new = int((~matched).sum()), int(data["candidate_new_theme"].sum())
    title = (f"{len(data)} largest topics; {n_none} match no codebook theme, {n_new} of them "
             f"{'a candidate new theme' if n_new == 1 else 'candidate new themes'}")
    share = overview.attrs.get("outlier_share", 0.0)
    n_docs = int(overview.attrs.get("n_documents", overview["size"].sum()))
    outliers = (f"Outliers: {share:.0%} of the {n_docs} sentences fitted fall in no topic." if share
                else f"Outliers: none; every one of the {n_docs} sentences fitted is in a topic.")
    _frame(fig, title, "Each topic's label → the codebook theme it overlaps most (\"no theme\" when under 15% of "
                       "its sentences carry any theme).",
           [outliers, f"Candidate new theme: matches no theme, has at least {overview.attrs['min_size']} sentences "
                      f"and coherence of at least {overview.attrs['min_coherence']:.2f} (mean cosine similarity of its "
                      f"sentences to their centre), and its label is not small talk."])
    return fig, overview


def cooccurrence_heatmap(cooc: pd.DataFrame, *, labels: dict[str, str] | None = None, min_cell: int = 5):
    """People who raised both themes (lower triangle); the diagonal shows how many raised each theme.

    Counts are of people (the ``participants`` column of ``measures.cooccurrence(...,
    unit="participant")``); themes are ordered by how many people raised them. Suppressed
    cells are hatched and explained in a note.
    """
    gap = gaps.cooccurrence_gap(cooc, min_cell=min_cell, unit="participant")
    if gap and not (cooc["theme_a"] != cooc["theme_b"]).any():
        return empty_figure(gap), pd.DataFrame()
    value = "participants" if "participants" in cooc else "count"
    names = list(dict.fromkeys([*cooc["theme_a"], *cooc["theme_b"]]))
    mat = cooc.pivot(index="theme_a", columns="theme_b", values=value).reindex(index=names, columns=names)
    supp = cooc.pivot(index="theme_a", columns="theme_b", values="suppressed").reindex(index=names, columns=names)
    supp = supp.fillna(False).astype(bool)
    # one table whichever way round a pair was given
    mat, supp = mat.combine_first(mat.T), supp | supp.T
    own = pd.Series(np.diag(mat.to_numpy(dtype=float)), index=names)
    themes = list(own.fillna(-1).sort_values(ascending=False, kind="stable").index)
    mat, supp = mat.loc[themes, themes], supp.loc[themes, themes]
    n = len(themes)
    lower = np.tril(np.ones((n, n), dtype=bool), k=-1)
    off = mat.where(pd.DataFrame(lower, index=themes, columns=themes) & ~supp)
    # a pair absent from the table was raised together by nobody: 0, not a blank
    off = off.where(~(pd.DataFrame(lower, index=themes, columns=themes) & ~supp & off.isna()), 0.0)
    nothing = not (off.fillna(0) > 0).any().any()
    fig, ax = _figure(0.3 * n + 3.2)
    im = ax.imshow(off.to_numpy(dtype=float), cmap="cividis", aspect="auto", vmin=0,
                   vmax=1 if nothing else float(off.max().max()))
    short = [_wrap(_label(t, labels), 24) for t in themes]
    ax.set_xticks(range(n), short, rotation=90)
    ax.set_yticks(range(n), short)
    ax.spines[["top", "right"]].set_visible(False)
    vmax = 1 if nothing else float(off.max().max())
    for i in range(n):
        for j in range(i + 1):
            if supp.iat[i, j]:
                _hatch(ax, j - 0.5, i - 0.5)
            elif i == j:
                from matplotlib.patches import Rectangle

                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white", edgecolor="#444444", lw=0.8))
                if pd.notna(own[themes[i]]):
                    ax.text(j, i, f"{int(own[themes[i]])}", ha="center", va="center", fontsize=8, fontweight="bold")
            else:
                v = off.iat[i, j]
                ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=8,
                        color="white" if v < 0.55 * vmax else "black")
    subtitle = "Lower triangle: people who raised both themes; diagonal (boxed): people who raised the theme."
    if gap:
        subtitle = gap + " " + subtitle
    elif not nothing:
        stacked = off.stack().dropna()
        a, b = stacked.idxmax()
        # b is the column: the theme more people raised, named first
        subtitle = (f"Most often together: {_label(b, labels).lower()} and {_label(a, labels).lower()} "
                    f"({int(stacked.max())} people). " + subtitle)
    if not nothing:
        fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02).set_label("people who raised both")
    hatched = supp.to_numpy()[np.tril(np.ones((n, n), dtype=bool))].any()
    _frame(fig, "People who raised both themes", subtitle,
           [f"Hatched: fewer than {min_cell} people raised both; suppressed to protect participants." if hatched else ""])
    table = off.astype(object)
    for i in range(n):
        table.iat[i, i] = "suppressed" if supp.iat[i, i] else (int(own[themes[i]]) if pd.notna(own[themes[i]]) else 0)
        for j in range(n):
            if j > i:
                table.iat[i, j] = ""
            elif j < i:
                table.iat[i, j] = "suppressed" if supp.iat[i, j] else int(off.iat[i, j])
    table.index.name, table.columns.name = None, None
    return fig, _with_labels(table, labels)
