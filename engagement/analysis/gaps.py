"""What is missing from a table, and why, in one sentence a reader can act on.

A small study, an optional column left out, or disclosure control can leave a measure empty.
Every notebook, figure and the report then states what is missing and why ("no cell has 5 or
more participants, so nothing is shown") instead of crashing or printing NaN. Each function
here returns that sentence, or None when nothing is missing; the notebooks, ``report.figures``
and ``report.builder`` all phrase it the same way by calling these.

Example:
    >>> import pandas as pd
    >>> from engagement.analysis.gaps import prevalence_gap
    >>> prev = pd.DataFrame({"theme": ["research"], "region": ["Essex"], "participants": [float("nan")],
    ...                      "suppressed": [True]})
    >>> prevalence_gap(prev, min_cell=5)
    'No cell has 5 or more participants, so nothing is shown (every cell is suppressed).'
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

SUPPRESSED = "suppressed"


def nothing_raised() -> str:
    return "Nobody raised any codebook theme here, so there is nothing to show."


def region_gap(segments: pd.DataFrame, region: str) -> str | None:
    """A configured region with no participants' sentences (no sessions, or only facilitators)."""
    if region == "all":
        return None if len(segments) else "No session has any participant's sentences, so there is nothing to show."
    if not len(segments):
        return f"{region} has no sessions (none is listed in sessions.csv), so there is nothing to show for it."
    return None


def prevalence_gap(prevalence: pd.DataFrame, *, min_cell: int = 5) -> str | None:
    """Why a theme x group table shows no share at all (None when at least one cell is shown)."""
    if prevalence.empty:
        return "There are no participants' statements here, so there is nothing to show."
    shown = ~prevalence["suppressed"].astype(bool) & (prevalence["participants"].fillna(0) > 0)
    if shown.any():
        return None
    if prevalence["suppressed"].astype(bool).any():
        return f"No cell has {min_cell} or more participants, so nothing is shown (every cell is suppressed)."
    return nothing_raised()


def unraised_themes(prevalence: pd.DataFrame, labels: dict[str, str] | None = None) -> list[str]:
    """Themes nobody raised in any group (0 participants everywhere, none suppressed)."""
    if prevalence.empty:
        return []
    raised = prevalence["suppressed"].astype(bool) | (prevalence["participants"].fillna(0) > 0)
    themes = sorted(set(prevalence["theme"]) - set(prevalence.loc[raised, "theme"]))
    return [(labels or {}).get(t, t) for t in themes]


def unraised_gap(prevalence: pd.DataFrame, labels: dict[str, str] | None = None) -> str | None:
    """Names the themes nobody raised, so a missing theme is not mistaken for a suppressed one."""
    names = unraised_themes(prevalence, labels)
    if not names or len(names) == prevalence["theme"].nunique():
        return None
    return f"Nobody raised {len(names)} of the codebook's themes, so they show 0 participants: {'; '.join(names)}."


def one_session_gap(segments: pd.DataFrame, by: str) -> str | None:
    """Groups whose shares have no interval: the bootstrap resamples sessions, and there is one."""
    from engagement.analysis.measures import analysed_segments

    seg = analysed_segments(segments) if "cluster" not in segments else segments
    if by not in seg or seg.empty:
        return None
    clusters = seg.groupby(by)["cluster"].nunique()
    single = sorted(str(g).replace("_", " ") for g, n in clusters.items() if n < 2)  # focus_group -> focus group
    if not single:
        return None
    names = ", ".join(single)
    verb = "has" if len(single) == 1 else "each have"
    return (f"{names} {verb} a single session, so {'its' if len(single) == 1 else 'their'} shares have no "
            f"interval (the interval resamples whole sessions, and one session cannot be resampled).")


def attribute_gap(participants: pd.DataFrame, attribute: str) -> str | None:
    """A participant attribute (age_band, ...) that participants.csv does not record for anyone."""
    readable = attribute.replace("_", " ")
    if attribute not in participants:
        return f"participants.csv has no {attribute} column, so there is no breakdown by {readable}."
    values = participants[attribute].astype("string").str.strip().replace("", pd.NA).dropna()
    if values.empty:
        return f"participants.csv records no {readable} for anyone, so there is no breakdown by {readable}."
    return None


def stance_gap(stance: pd.DataFrame, *, min_cell: int = 5) -> str | None:
    """Why the concern/support split is not shown for any theme."""
    if stance.empty:
        return "No statement was coded with a theme, so there is no concern and support to show."
    if stance["suppressed"].astype(bool).all():
        return (f"No theme was raised by {min_cell} or more participants, so no theme's split between "
                f"concern and support is shown (every theme is suppressed).")
    return None


def comparison_gap(segments: pd.DataFrame, comparison: pd.DataFrame, *, by: str = "region",
                   min_cell: int = 5) -> str | None:
    """Why no area is compared with the rest."""
    from engagement.analysis.measures import analysed_segments

    seg = analysed_segments(segments) if "cluster" not in segments else segments
    groups = seg[by].dropna().nunique() if by in seg else 0
    if groups < 2:
        return f"Only {'one area has' if groups else 'no area has'} participants, so there is no other area to compare with."
    if comparison.empty:
        return nothing_raised()
    supp = comparison["suppressed"].astype(bool)
    if (~supp & (comparison["share"].fillna(0) > 0)).any():
        return None
    if supp.any():
        return (f"No area has {min_cell} or more participants raising any theme, so no comparison is shown "
                f"(every cell is suppressed).")
    return nothing_raised()


def cooccurrence_gap(cooc: pd.DataFrame, *, min_cell: int = 5, unit: str = "segment") -> str | None:
    """Why no pair of themes is shown as raised together."""
    what = "statement" if unit == "segment" else "participant"
    off = cooc[cooc["theme_a"] != cooc["theme_b"]] if len(cooc) else cooc
    if off.empty:
        return f"No {what} raised two themes, so there is no co-occurrence to show."
    if off["suppressed"].astype(bool).all():
        return (f"No pair of themes was raised together by {min_cell} or more participants, so nothing is shown "
                f"(every pair is suppressed).")
    return None


def topics_gap(topics: pd.DataFrame, code_summary: dict | None = None, *, fitted: bool = True) -> str | None:
    """Why there are no topics: not fitted, skipped for a small corpus, or none found."""
    skipped = (code_summary or {}).get("topics_skipped")
    if not fitted:
        return "Topics were not fitted (fit_topics is False), so there are no topics to show."
    if skipped:
        return f"Topics were not fitted: {skipped}, so there are no topics to show."
    if topics.empty or not (topics["topic_id"] != -1).any():
        return ("The topic model found no topic (every sentence was an outlier), so there are no topics to show.")
    return None


def quotes_gap(quotes: pd.DataFrame, *, min_cell: int = 5, where: str = "") -> str | None:
    """Why no quote is shown: quotes come only from cells with min_cell or more participants."""
    if len(quotes):
        return None
    place = f" in {where}" if where and where != "all" else ""
    return (f"No theme was raised by {min_cell} or more participants{place}, so no quote is shown "
            f"(a quote from a smaller group could identify who said it).")


def show(table: pd.DataFrame | None, empty: str | None = None, notes: Iterable[str | None] = (), figure=None):
    """For notebooks: print each note, then the reason the table is empty, or show the figure and return the table.

    ``figure`` (a matplotlib figure) is displayed inline as a PNG at the size it prints in the report,
    above the table it draws; nbval compares the table, not the image.
    """
    for note in notes:
        if note:
            print(note)
    if empty:
        print(empty)
        return None
    if figure is not None:
        show_figure(figure)
    return table


def show_image(path, scale: float = 0.5) -> None:
    """Display a saved PNG figure inline (notebook 04 shows the report's figures as they print).

    The saved PNGs are at print resolution; a notebook needs half of it, and stays half the size.
    """
    import io

    from IPython.display import Image, display
    from PIL import Image as PILImage

    with PILImage.open(path) as im:
        small = im.resize((max(1, int(im.width * scale)), max(1, int(im.height * scale))), PILImage.LANCZOS)
        buf = io.BytesIO()
        small.save(buf, format="PNG", optimize=True)
    display(Image(data=buf.getvalue(), format="png"))


def show_figure(figure, dpi: int = 100) -> None:
    """Display a matplotlib figure inline (independent of the backend: the figures use Agg)."""
    import io

    from IPython.display import Image, display

    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    display(Image(data=buf.getvalue(), format="png"))


def for_display(prevalence: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """A prevalence table as a reader sees it: whole counts, "suppressed" and "–" instead of NaN."""
    out = prevalence.copy()
    if labels is not None and "theme" in out:
        out["theme"] = out["theme"].map(lambda t: labels.get(t, t))
    supp = out["suppressed"].astype(bool) if "suppressed" in out else pd.Series(False, index=out.index)
    hidden = _hidden_text(out)

    def cells(col: str, fmt) -> pd.Series:
        return pd.Series([h if s else "–" if pd.isna(v) else fmt(v) for v, s, h in zip(out[col], supp, hidden)],
                         index=out.index, dtype=object)

    for col in ("segments", "participants", "sessions"):
        if col in out:
            out[col] = cells(col, int)
    for col in ("share", "ci_low", "ci_high"):
        if col in out:  # as the notebooks print floats (display.precision 3)
            out[col] = cells(col, lambda v: f"{v:.3f}")
    return out


def _hidden_text(table: pd.DataFrame) -> list[str]:
    """What a reader sees in a cell that is not published as a value: its band, or "suppressed"."""
    if "published_as" not in table:
        return [SUPPRESSED] * len(table)
    bands = table["band"] if "band" in table else pd.Series("", index=table.index)
    return [b if p == "band" and isinstance(b, str) and b else SUPPRESSED
            for p, b in zip(table["published_as"], bands)]


def wide(prevalence: pd.DataFrame, *, by: str, values: str = "share",
         labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Theme x group pivot with suppressed cells written as "suppressed" (never NaN)."""
    table = prevalence.pivot(index="theme", columns=by, values=values)
    supp = prevalence.pivot(index="theme", columns=by, values="suppressed").reindex_like(table)
    hidden = prevalence.assign(_hidden=_hidden_text(prevalence)).pivot(index="theme", columns=by, values="_hidden")
    table = table.astype(object).where(~supp.fillna(False).astype(bool), hidden.reindex_like(table))
    table = table.where(table.notna(), "–")
    whole = values in ("participants", "segments", "sessions")
    table = table.map(lambda v: (int(v) if whole else round(v, 3)) if isinstance(v, float) else v)
    return table.rename(index=labels) if labels else table


def no_nan(table: pd.DataFrame, fill: str = SUPPRESSED) -> pd.DataFrame:
    """``table`` unchanged when it has no missing value; else its missing values read ``fill``, never NaN."""
    if not table.isna().any().any():
        return table
    out = table.copy()
    for col in out.columns[out.isna().any()]:
        out[col] = pd.Series([fill if pd.isna(v) else round(v, 3) if isinstance(v, float) else v for v in out[col]],
                             index=out.index, dtype=object)
    return out
