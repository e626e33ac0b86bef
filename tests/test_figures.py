"""Figures: each returns (figure, table); suppressed cells are marked, titles state the finding.

Small hand-made measure tables stand in for the real ones so the right title and the right
marks can be worked out by hand.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from engagement.report import figures as F

REGIONS = ["Essex", "Suffolk", "Norfolk"]
# Okabe & Ito (2008): the eight colours, plus neutral greys for "neutral"/"suppressed"
OKABE_ITO_SET = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
GREYS = {"#999999", "#EEEEEE", "#BBBBBB", "#444444", "#666666"}


def prevalence(shares: dict[tuple[str, str], float | None], total: int = 12) -> pd.DataFrame:
    """A theme_prevalence-shaped table; a share of None is a suppressed cell."""
    rows = []
    for (theme, region), share in shares.items():
        supp = share is None
        rows.append({"theme": theme, "region": region, "segments": np.nan if supp else round(share * total) * 2,
                     "participants": np.nan if supp else round(share * total), "participants_total": total,
                     "sessions": np.nan if supp else 2, "share": np.nan if supp else share,
                     "ci_low": np.nan if supp else max(0.0, share - 0.15),
                     "ci_high": np.nan if supp else min(1.0, share + 0.15), "suppressed": supp})
    return pd.DataFrame(rows)


ESSEX_SELLING = {
    ("commercial", "Essex"): 0.75, ("commercial", "Suffolk"): 0.25, ("commercial", "Norfolk"): 0.5,
    ("security", "Essex"): 0.5, ("security", "Suffolk"): 0.5, ("security", "Norfolk"): None,
    ("joined_up", "Essex"): 0.0, ("joined_up", "Suffolk"): 0.42, ("joined_up", "Norfolk"): 0.5,
}
LABELS = {"commercial": "Commercial access", "security": "Security and hacking", "joined_up": "Joined-up care"}


def stance_table(suppressed_theme: str | None = "joined_up") -> pd.DataFrame:
    rows = [
        {"theme": "commercial", "segments": 40, "participants": 20, "concern": 0.7, "support": 0.1,
         "conditional_support": 0.1, "mixed": 0.05, "neutral": 0.05},
        {"theme": "security", "segments": 30, "participants": 15, "concern": 0.5, "support": 0.2,
         "conditional_support": 0.2, "mixed": 0.0, "neutral": 0.1},
        {"theme": "joined_up", "segments": 25, "participants": 12, "concern": 0.1, "support": 0.6,
         "conditional_support": 0.2, "mixed": 0.0, "neutral": 0.1},
        {"theme": "mental_health", "segments": 8, "participants": 6, "concern": 0.4, "support": 0.3,
         "conditional_support": 0.1, "mixed": 0.1, "neutral": 0.1},
    ]
    df = pd.DataFrame(rows)
    df["suppressed"] = df["theme"] == suppressed_theme
    cols = ["segments", "participants", "concern", "support", "conditional_support", "mixed", "neutral"]
    df.loc[df["suppressed"], cols] = np.nan
    return df


def topics_table() -> pd.DataFrame:
    return pd.DataFrame([
        {"topic_id": -1, "label": "Outliers (no clear topic)", "size": 9, "words": "", "themes": "",
         "top_theme": "", "top_theme_share": 0.0, "coherence": np.nan, "candidate_new_theme": False},
        {"topic_id": 0, "label": "sold, companies, profit", "size": 30, "words": "sold, companies, profit",
         "themes": "commercial (80%)", "top_theme": "commercial", "top_theme_share": 0.8, "coherence": 0.7,
         "candidate_new_theme": False},
        {"topic_id": 1, "label": "hackers, leak, cyber", "size": 20, "words": "hackers, leak, cyber",
         "themes": "security (70%)", "top_theme": "security", "top_theme_share": 0.7, "coherence": 0.6,
         "candidate_new_theme": False},
        {"topic_id": 2, "label": "parking, car, bus", "size": 12, "words": "parking, car, bus",
         "themes": "", "top_theme": "", "top_theme_share": 0.0, "coherence": 0.65, "candidate_new_theme": True},
    ])


def cooc_table(pair_count: int = 9, suppressed_pair: tuple[str, str] = ("security", "joined_up")) -> pd.DataFrame:
    themes = ["commercial", "security", "joined_up"]
    people = {("commercial", "security"): pair_count, ("commercial", "joined_up"): 6, ("security", "joined_up"): 2}
    rows = []
    for a in themes:
        for b in themes:
            n = 20 if a == b else people.get((a, b), people.get((b, a)))
            supp = {a, b} == set(suppressed_pair) and a != b
            # statements outnumber people: a figure counting people must not show these
            rows.append({"theme_a": a, "theme_b": b, "count": np.nan if supp else 3 * n,
                         "participants": np.nan if supp else n, "suppressed": supp})
    return pd.DataFrame(rows)


def build(kind: str, **kw):
    if kind == "heatmap":
        return F.prevalence_heatmap(prevalence(ESSEX_SELLING), labels=LABELS, order=REGIONS, **kw)
    if kind == "stance":
        return F.stance_diverging(stance_table(), labels=LABELS, **kw)
    if kind == "regions":
        return F.region_small_multiples(prevalence(ESSEX_SELLING), labels=LABELS, **kw)
    if kind == "topics":
        return F.topic_map(topics_table(), labels=LABELS, **kw)
    if kind == "cooccurrence":
        return F.cooccurrence_heatmap(cooc_table(), labels=LABELS, **kw)
    raise ValueError(kind)


KINDS = ["heatmap", "stance", "regions", "topics", "cooccurrence"]


def title_of(fig: Figure) -> str:
    """The figure's title and subtitle, then its panels' titles, as one line."""
    return " ".join([F.title_of(fig), *(ax.get_title(loc="left") for ax in fig.axes)]).replace("\n", " ")


def texts_of(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def hex_colours(fig: Figure) -> set[str]:
    out = set()
    for ax in fig.axes:
        for p in ax.patches:
            if p.get_visible() and p.get_facecolor()[3] > 0:
                out.add(mcolors.to_hex(p.get_facecolor(), keep_alpha=False).upper())
    return out


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("kind", KINDS)
def test_each_figure_function_returns_a_figure_and_a_small_table(kind):
    fig, table = build(kind)
    assert isinstance(fig, Figure)
    assert isinstance(table, pd.DataFrame) and 0 < len(table) <= 20
    assert fig.get_figwidth() == pytest.approx(F.A4_WIDTH)  # drawn for an A4 page, not resized later


# ---- suppressed cells are marked, never zero


def test_heatmap_marks_a_suppressed_cell_hatched_and_tables_it_as_suppressed():
    fig, table = build("heatmap")
    assert table.loc["Security and hacking", "Norfolk"] == "suppressed"
    assert table.loc["Joined-up care", "Essex"] == 0  # nobody raised it: a real zero, shown as zero
    i, j = list(table.index).index(LABELS["security"]), list(table.columns).index("Norfolk")
    ax = fig.axes[0]
    hatched = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert [(p.get_x(), p.get_y()) for p in hatched] == [(j - 0.5, i - 0.5)]
    labels = {(t.get_position(), t.get_text()) for t in ax.texts}
    assert not any(pos == (j, i) for pos, _ in labels), "a suppressed cell carries no number"
    assert "Hatched: suppressed to protect participants." in F.note_of(fig)
    assert ((list(table.columns).index("Essex"), list(table.index).index(LABELS["joined_up"])), "0%") in labels


def test_heatmap_table_never_turns_a_suppressed_share_into_zero_or_blank():
    _, table = build("heatmap")
    cells = table.to_numpy().ravel()
    n_supp = sum(1 for v in cells if v == "suppressed")
    assert n_supp == sum(1 for v in ESSEX_SELLING.values() if v is None)
    assert not any(isinstance(v, float) and np.isnan(v) for v in cells)


def test_stance_figure_leaves_suppressed_themes_out_and_names_them_in_a_note():
    fig, table = build("stance")
    row = table.set_index("theme").loc["Joined-up care"]
    assert (row[["concern", "support", "conditional_support", "mixed", "neutral"]] == "suppressed").all()
    assert table.set_index("theme").loc["Commercial access", "concern"] == pytest.approx(0.7)
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert not any("Joined-up care" in t for t in ticks)
    assert "Not shown: joined-up care (fewer than 5 participants; suppressed" in F.note_of(fig)


def cell(table: pd.DataFrame, a: str, b: str):
    """A cell of the lower-triangle table, whichever way round the pair is asked for."""
    a, b = LABELS.get(a, a), LABELS.get(b, b)   # figure tables show labels, not ids
    i, j = list(table.index).index(a), list(table.index).index(b)
    return table.iat[max(i, j), min(i, j)]


def test_cooccurrence_marks_suppressed_pairs_hatched_in_one_triangle_and_explains_them():
    fig, table = build("cooccurrence")
    assert cell(table, "security", "joined_up") == "suppressed"
    assert cell(table, "commercial", "security") == 9      # people (the participants column), not statements
    themes = list(table.index)
    i, j = sorted([themes.index(LABELS["security"]), themes.index(LABELS["joined_up"])], reverse=True)
    ax = fig.axes[0]
    hatched = {(p.get_x(), p.get_y()) for p in ax.patches if p.get_hatch()}
    assert hatched == {(j - 0.5, i - 0.5)}, "only the lower triangle is drawn"
    assert "Hatched: fewer than 5 people raised both; suppressed to protect participants." in F.note_of(fig)


def test_small_multiples_list_suppressed_cells_as_suppressed_not_zero():
    fig, table = build("regions")
    norfolk = table[table["region"] == "Norfolk"].set_index("theme")
    assert norfolk.loc["Security and hacking", "share"] == "suppressed"
    assert (table.loc[table["share"] != "suppressed", "share"].astype(float) >= 0).all()
    panels = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert "Norfolk (n=12)\n1 theme suppressed" in panels


# ---- titles state the finding, computed from the data


def test_heatmap_title_claims_no_difference_unless_given_a_tested_finding():
    # the largest raw gap between areas is not a finding: without a headline the title only says what is drawn
    fig, _ = build("heatmap")
    assert "stands out" not in title_of(fig) and title_of(fig).startswith("Share of participants raising each theme")


def test_heatmap_title_states_the_finding_it_is_given():
    headline = "Commercial access is raised more in Essex: 75% of participants vs 20% elsewhere"
    fig, _ = F.prevalence_heatmap(prevalence(ESSEX_SELLING), labels=LABELS, order=REGIONS, headline=headline)
    assert title_of(fig).startswith(headline)


def test_heatmap_title_ignores_suppressed_cells():
    # the largest raw gap would be a suppressed cell: it must not become the headline
    data = {**ESSEX_SELLING, ("security", "Norfolk"): None}
    fig, _ = F.prevalence_heatmap(prevalence(data), labels=LABELS, order=REGIONS)
    assert "Norfolk" not in title_of(fig).split(":")[0]


def test_stance_title_names_the_most_concerning_theme_and_states_the_order_and_the_base():
    title = title_of(build("stance")[0])
    assert "Most concern about commercial access: 70% of its statements express concern" in title
    assert "Themes ordered by share of statements expressing concern" in title
    assert "including neutral and mixed; n statements per theme shown" in title
    # no ranking the figure does not draw ("most support" by net support was one)
    assert "most support" not in title.lower()


def test_stance_title_follows_the_data():
    flipped = stance_table(suppressed_theme=None)
    flipped.loc[flipped["theme"] == "security", ["concern", "support"]] = [0.9, 0.0]
    title = title_of(F.stance_diverging(flipped, labels=LABELS)[0])
    assert "Most concern about security and hacking: 90% of its statements" in title


def bar_rows(ax) -> dict[float, list]:
    """The stacked bars of a horizontal bar chart, by row: [(left, width, colour), ...]."""
    rows: dict[float, list] = {}
    for p in ax.patches:
        if p.get_width() > 0 and not p.get_hatch():
            rows.setdefault(round(p.get_y() + p.get_height() / 2, 3), []).append(
                (p.get_x(), p.get_width(), mcolors.to_hex(p.get_facecolor()).upper()))
    return rows


def test_stance_bars_are_100_percent_stacks_over_every_stance_including_neutral_and_mixed():
    fig, table = build("stance")
    rows = bar_rows(fig.axes[0])
    assert len(rows) == 3                                   # the suppressed theme is not drawn
    for parts in rows.values():
        assert sum(w for _, w, _ in parts) == pytest.approx(1.0)
    drawn = {c for parts in rows.values() for *_, c in parts}
    assert {F.OKABE_ITO[k].upper() for k in F.STANCES} <= drawn
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    # ordered by concern, most first, each with its number of statements
    assert ticks == ["Commercial access (n=40)", "Security and hacking (n=30)", "Mental health (n=8)"]
    assert list(table["theme"]) == ["Commercial access", "Security and hacking", "mental_health", "Joined-up care"]


def test_stance_title_says_so_when_everything_is_suppressed():
    all_supp = stance_table()
    all_supp["suppressed"] = True
    fig, table = F.stance_diverging(all_supp, labels=LABELS)
    assert F.is_empty(fig) and "every theme is suppressed" in panel_text(fig)
    assert (table.drop(columns="theme") == "suppressed").all().all()


def test_cooccurrence_title_says_people_and_names_the_commonest_pair():
    title = title_of(build("cooccurrence")[0])
    assert title.startswith("People who raised both themes")
    assert "Most often together: commercial access and security and hacking (9 people)" in title
    assert "diagonal (boxed): people who raised the theme" in title
    assert "(15 people)" in title_of(F.cooccurrence_heatmap(cooc_table(pair_count=15), labels=LABELS)[0])


def test_cooccurrence_draws_the_lower_triangle_only_with_each_themes_own_count_on_the_diagonal():
    fig, table = build("cooccurrence")
    n = len(table)
    assert all(table.iat[i, j] == "" for i in range(n) for j in range(n) if j > i)
    marks = {t.get_position() for t in fig.axes[0].texts}
    assert all(j <= i for j, i in marks), "nothing is written above the diagonal"
    assert [table.iat[k, k] for k in range(n)] == [20, 20, 20]


def test_topic_map_title_counts_unmatched_topics_and_candidate_new_themes():
    assert "3 largest topics; 1 match no codebook theme, 1 of them a candidate new theme" in title_of(build("topics")[0])
    more = topics_table()
    more.loc[more["topic_id"] == 1, ["top_theme", "top_theme_share"]] = ["", 0.0]
    assert "2 match no codebook theme, 2 of them candidate new themes" in title_of(F.topic_map(more, labels=LABELS)[0])


def test_topic_map_draws_no_outlier_bar_but_states_the_outlier_share():
    fig, table = build("topics")
    assert list(table["topic_id"]) == [0, 1, 2, -1]          # the outlier row closes the table ...
    assert len(fig.axes[0].patches) == 3                      # ... and is not drawn
    assert "Outliers: 13% of the 71 sentences fitted fall in no topic." in F.note_of(fig)


def test_topic_map_and_its_table_name_the_same_topics_and_theme_labels():
    fig, table = build("topics")
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    drawn = table[table["topic_id"] != -1]
    assert ticks == [f"{r['topic']} → {r['theme']}" for r in drawn.to_dict("records")]
    assert list(drawn["theme"]) == ["Commercial access", "Security and hacking", "no theme"]


def test_a_region_whose_every_cell_is_suppressed_keeps_its_size_in_the_panel_title():
    data = {(t, r): (None if r == "Norfolk" else v) for (t, r), v in ESSEX_SELLING.items()}
    fig, table = F.region_small_multiples(prevalence(data, total=7), labels=LABELS)
    assert "Norfolk (n=7)\n3 themes suppressed" in [ax.get_title(loc="left") for ax in fig.axes]
    assert (table.loc[table["region"] == "Norfolk", "share"] == "suppressed").all()


def test_small_multiples_show_one_panel_per_region_with_its_size():
    fig, table = build("regions")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["Essex (n=12)", "Suffolk (n=12)",
                                                            "Norfolk (n=12)\n1 theme suppressed"]
    assert set(table["region"]) == set(REGIONS)


# ---- colour-blind safe palette


@pytest.mark.parametrize("kind", ["stance", "regions", "topics"])
def test_bar_colours_come_from_the_okabe_ito_palette(kind):
    fig, _ = build(kind)
    used = hex_colours(fig)
    assert used and used <= OKABE_ITO_SET | GREYS | {"#FFFFFF"}


def test_the_palette_constants_are_okabe_ito_and_heat_maps_use_cividis():
    assert {c.upper() for c in F.OKABE_ITO.values()} <= OKABE_ITO_SET | GREYS
    for kind in ("heatmap", "cooccurrence"):
        fig, _ = build(kind)
        assert fig.axes[0].images[0].get_cmap().name == "cividis"


# ---- saving


def test_save_figure_writes_png_and_svg(tmp_path):
    fig, _ = build("heatmap")
    paths = F.save_figure(fig, "theme-prevalence", tmp_path / "figures")
    assert set(paths) == {"png", "svg"}
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths["svg"].read_text().lstrip().startswith("<?xml") and "<svg" in paths["svg"].read_text()
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["theme-prevalence.png",
                                                                       "theme-prevalence.svg"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_input_gives_byte_identical_files(kind, tmp_path):
    a = F.save_figure(build(kind)[0], kind, tmp_path / "a")
    b = F.save_figure(build(kind)[0], kind, tmp_path / "b")
    assert a["svg"].read_bytes() == b["svg"].read_bytes()
    assert a["png"].read_bytes() == b["png"].read_bytes()


def test_different_data_give_a_different_svg(tmp_path):
    a = F.save_figure(build("cooccurrence")[0], "c", tmp_path / "a")
    b = F.save_figure(F.cooccurrence_heatmap(cooc_table(pair_count=15), labels=LABELS)[0], "c", tmp_path / "b")
    assert a["svg"].read_bytes() != b["svg"].read_bytes()


def test_saved_svg_carries_no_date_or_machine_specific_metadata(tmp_path):
    svg = F.save_figure(build("stance")[0], "s", tmp_path)["svg"].read_text()
    assert "<dc:date>" not in svg


# ------------------------------------------------------------------ nothing to draw: a sentence, never a crash

def panel_text(fig: Figure) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts).replace("\n", " ")


def test_cooccurrence_with_every_pair_suppressed_is_drawn_hatched_and_says_why():
    cooc = cooc_table()
    off = cooc["theme_a"] != cooc["theme_b"]
    cooc.loc[off, ["count", "participants"]] = np.nan
    cooc.loc[off, "suppressed"] = True
    fig, table = F.cooccurrence_heatmap(cooc, labels=LABELS, min_cell=5)
    assert "No pair of themes was raised together by 5 or more participants" in title_of(fig)
    assert (table == "suppressed").sum().sum() == 3            # the lower triangle


def test_cooccurrence_with_no_pair_at_all_is_an_empty_panel():
    cooc = cooc_table()
    fig, table = F.cooccurrence_heatmap(cooc[cooc["theme_a"] == cooc["theme_b"]], labels=LABELS)
    assert F.is_empty(fig) and table.empty
    assert "No participant raised two themes" in panel_text(fig)


def test_topic_map_without_topics_gives_the_reason():
    fig, table = F.topic_map(topics_table().iloc[:1], labels=LABELS, reason="Topics were not fitted: too few.")
    assert F.is_empty(fig) and table.empty and "Topics were not fitted: too few." in panel_text(fig)
    fig, _ = F.topic_map(topics_table().iloc[:1], labels=LABELS)
    assert "found no topic" in panel_text(fig)


@pytest.mark.parametrize("kind", ["heatmap", "regions"])
def test_prevalence_figures_say_when_every_cell_is_suppressed(kind):
    data = {key: None for key in ESSEX_SELLING}
    fn = F.prevalence_heatmap if kind == "heatmap" else F.region_small_multiples
    fig, table = fn(prevalence(data), labels=LABELS, min_cell=5)
    text = title_of(fig) + panel_text(fig)
    assert "No cell has 5 or more participants" in text or "nothing shown" in text
    assert "nan" not in text.lower()


def test_empty_measure_tables_give_empty_panels_not_errors():
    empty_prev = prevalence({}).reindex(columns=["theme", "region", "segments", "participants", "participants_total",
                                                 "sessions", "share", "ci_low", "ci_high", "suppressed"])
    for fig, table in (F.prevalence_heatmap(empty_prev), F.region_small_multiples(empty_prev),
                       F.stance_diverging(stance_table().iloc[:0])):
        assert F.is_empty(fig) and table.empty and panel_text(fig)


def test_heatmap_of_one_region_names_its_top_theme_without_a_comparison():
    one = {k: v for k, v in ESSEX_SELLING.items() if k[1] == "Essex"}
    fig, _ = F.prevalence_heatmap(prevalence(one), labels=LABELS, order=REGIONS)
    title = " ".join(t.get_text() for t in fig.texts if t.get_gid() == "title").replace("\n", " ")
    assert title == "Most raised in Essex: commercial access (75% of participants)"


def test_small_multiples_draw_no_whisker_for_a_share_without_an_interval():
    data = prevalence(ESSEX_SELLING)
    data.loc[data["region"] == "Norfolk", ["ci_low", "ci_high"]] = np.nan
    _, table = F.region_small_multiples(data, labels=LABELS)
    norfolk = table[(table["region"] == "Norfolk") & (table["share"] != "suppressed")]
    assert set(norfolk["ci_low"]) == {"–"}


# ------------------------------------------------------------------ printed on A4: size, text, order, disclosure marks

AREAS = ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]   # the configured order, not alphabetical
LONG_LABELS = dict(zip([f"theme_{i:02d}" for i in range(14)], [
    "Trust in who uses the data and why", "Selling data to private companies for profit",
    "Security, hacking and data breaches", "Joined-up care between GP and hospital",
    "Consent and the right to opt out", "Accuracy of records and fixing mistakes",
    "Transparency about how data is used", "Research and developing new treatments",
    "Sensitive data: mental and sexual health", "Access to my own records online",
    "Oversight and who holds the NHS to account", "Consistency of care across the region",
    "Citizen-generated data from apps and watches", "Individual care from the people who treat me"]))


def realistic(kind: str):
    """A figure on a study-sized table: 14 themes with long labels, 5 areas, bands and suppressed cells."""
    rng = np.random.default_rng(7)
    themes = list(LONG_LABELS)
    if kind in ("heatmap", "regions"):
        rows = []
        for t in themes:
            for a in AREAS:
                n = int(rng.integers(0, 20))
                how = "suppressed" if 0 < n < 3 else "band" if 3 <= n < 5 else "value"
                v = how == "value"
                rows.append({"theme": t, "region": a, "segments": 2 * n if v else np.nan,
                             "participants": n if v else np.nan, "participants_total": 30,
                             "sessions": 3 if v else np.nan, "share": n / 30 if v else np.nan,
                             "ci_low": max(0, n / 30 - 0.1) if v else np.nan,
                             "ci_high": min(1, n / 30 + 0.1) if v else np.nan, "suppressed": how == "suppressed",
                             "published_as": how, "band": "fewer than 5" if how == "band" else None})
        fn = F.prevalence_heatmap if kind == "heatmap" else F.region_small_multiples
        return fn(pd.DataFrame(rows), labels=LONG_LABELS, order=AREAS)
    if kind == "stance":
        rows = []
        for i, t in enumerate(themes):
            p = rng.dirichlet(np.ones(5))
            rows.append({"theme": t, "segments": int(rng.integers(20, 300)), "participants": 20, "suppressed": i == 13,
                         **dict(zip(["concern", "support", "conditional_support", "mixed", "neutral"], p))})
        return F.stance_diverging(pd.DataFrame(rows), labels=LONG_LABELS)
    if kind == "cooccurrence":
        people = {}
        for i, a in enumerate(themes):
            for b in themes[: i + 1]:
                people[(a, b)] = people[(b, a)] = int(rng.integers(15, 30)) if a == b else int(rng.integers(0, 15))
        rows = [{"theme_a": a, "theme_b": b, "count": np.nan if 0 < n < 5 else 2 * n,
                 "participants": np.nan if 0 < n < 5 else n, "suppressed": 0 < n < 5} for (a, b), n in people.items()]
        return F.cooccurrence_heatmap(pd.DataFrame(rows), labels=LONG_LABELS)
    topics = pd.DataFrame([{"topic_id": k - 1, "label": "Outliers (no clear topic)" if k == 0 else
                            f"{LONG_LABELS[themes[k % 14]].lower()}, words, more words", "size": 200 - 9 * k,
                            "words": "", "themes": "", "top_theme": themes[k % 14] if k % 3 else "",
                            "top_theme_share": 0.4 if k % 3 else 0.05, "coherence": 0.6} for k in range(17)])
    return F.topic_map(topics, labels=LONG_LABELS)


def visible_texts(fig: Figure):
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("kind", KINDS)
def test_every_figure_prints_on_a4_with_text_of_8pt_or_more(kind):
    fig, _ = realistic(kind)
    width, height = fig.get_size_inches()
    assert width <= 6.7 + 1e-9 and height <= 8.0 + 1e-9
    texts = visible_texts(fig)
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 8]
    assert texts and not small, small
    # saved with bbox_inches="tight": nothing may stick out and widen (then shrink) the printed figure
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    assert box.width <= 6.7 + 0.02 and box.height <= 8.0 + 0.02, (box.width, box.height)


@pytest.mark.parametrize("kind", ["heatmap", "stance", "regions", "cooccurrence"])
def test_long_theme_labels_wrap_rather_than_shrink(kind):
    fig, _ = realistic(kind)
    ticks = [t for ax in fig.axes for t in ax.get_yticklabels() if t.get_text()]
    wrapped = [t for t in ticks if "Individual care from the people who treat me" in t.get_text().replace("\n", " ")
               or "Selling data to private companies for profit" in t.get_text().replace("\n", " ")]
    assert wrapped and all("\n" in t.get_text() and t.get_fontsize() >= 8 for t in wrapped)


def test_heatmap_columns_follow_the_configured_order_not_the_alphabet():
    fig, table = realistic("heatmap")
    assert list(table.columns) == AREAS
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == AREAS


def test_without_an_order_areas_keep_their_order_of_appearance():
    data = prevalence(ESSEX_SELLING)   # Essex, Suffolk, Norfolk: not alphabetical
    _, table = F.prevalence_heatmap(data, labels=LABELS)
    assert list(table.columns) == REGIONS
    fig, small = F.region_small_multiples(data, labels=LABELS)
    assert [ax.get_title(loc="left").split(" (")[0] for ax in fig.axes if ax.get_visible()] == REGIONS
    assert list(dict.fromkeys(small["region"])) == REGIONS


def test_small_multiples_panels_follow_the_configured_order():
    order = ["Norfolk", "Essex", "Suffolk"]
    fig, table = F.region_small_multiples(prevalence(ESSEX_SELLING), labels=LABELS, order=order)
    assert [ax.get_title(loc="left").split(" (")[0] for ax in fig.axes if ax.get_visible()] == order
    assert list(dict.fromkeys(table["region"])) == order


def banded() -> pd.DataFrame:
    data = prevalence(ESSEX_SELLING)
    band = (data["theme"] == "joined_up") & (data["region"] == "Suffolk")
    data["published_as"] = np.where(data["suppressed"], "suppressed", np.where(band, "band", "value"))
    data["band"] = np.where(band, "fewer than 5", None)
    data.loc[band, ["share", "participants", "segments", "ci_low", "ci_high"]] = np.nan
    return data


def test_heatmap_draws_a_band_light_and_marked_and_a_suppressed_cell_hatched_and_says_what_they_mean():
    fig, table = F.prevalence_heatmap(banded(), labels=LABELS, order=REGIONS)
    assert table.loc["Joined-up care", "Suffolk"] == "fewer than 5" and table.loc["Security and hacking", "Norfolk"] == "suppressed"
    ax = fig.axes[0]
    i, j = list(table.index).index(LABELS["joined_up"]), list(table.columns).index("Suffolk")
    cell_text = {t.get_position(): t.get_text() for t in ax.texts}
    assert cell_text[(j, i)] == "<5"
    plain = [p for p in ax.patches if not p.get_hatch()]
    assert [(p.get_x(), p.get_y()) for p in plain] == [(j - 0.5, i - 0.5)]
    assert mcolors.to_hex(plain[0].get_facecolor()).upper() in GREYS
    assert len([p for p in ax.patches if p.get_hatch()]) == 1
    note = F.note_of(fig)
    assert "<5: fewer than 5 participants, shown as a band." in note
    assert "Hatched: suppressed to protect participants." in note


def test_heatmap_annotates_every_published_value_with_its_percent():
    fig, table = F.prevalence_heatmap(banded(), labels=LABELS, order=REGIONS)
    values = {(j, i): f"{v:.0%}" for i, row in enumerate(table.to_numpy()) for j, v in enumerate(row)
              if isinstance(v, float)}
    cell_text = {t.get_position(): t.get_text() for t in fig.axes[0].texts}
    assert values and all(cell_text[pos] == text for pos, text in values.items())


def test_without_published_as_a_suppressed_flag_means_suppressed():
    data = prevalence(ESSEX_SELLING)
    assert "published_as" not in data
    assert list(F.published_as(data)) == ["suppressed" if s else "value" for s in data["suppressed"]]
    fig, _ = F.prevalence_heatmap(data, labels=LABELS, order=REGIONS)
    assert "<5" not in F.note_of(fig) and "Hatched" in F.note_of(fig)


def test_small_multiples_count_banded_themes_in_the_panel_title_and_table_them_as_their_band():
    fig, table = F.region_small_multiples(banded(), labels=LABELS, order=REGIONS)
    suffolk = table[table["region"] == "Suffolk"].set_index("theme")
    assert suffolk.loc["Joined-up care", "share"] == "fewer than 5"
    assert "Suffolk (n=12)\n1 theme <5" in [ax.get_title(loc="left") for ax in fig.axes]
