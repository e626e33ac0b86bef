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
         "top_theme": "", "candidate_new_theme": False},
        {"topic_id": 0, "label": "sold, companies, profit", "size": 30, "words": "sold, companies, profit",
         "themes": "commercial (80%)", "top_theme": "commercial", "candidate_new_theme": False},
        {"topic_id": 1, "label": "hackers, leak, cyber", "size": 20, "words": "hackers, leak, cyber",
         "themes": "security (70%)", "top_theme": "security", "candidate_new_theme": False},
        {"topic_id": 2, "label": "parking, car, bus", "size": 12, "words": "parking, car, bus",
         "themes": "", "top_theme": "", "candidate_new_theme": True},
    ])


def cooc_table(pair_count: int = 9, suppressed_pair: tuple[str, str] = ("security", "joined_up")) -> pd.DataFrame:
    themes = ["commercial", "security", "joined_up"]
    counts = {("commercial", "security"): pair_count, ("commercial", "joined_up"): 4, ("security", "joined_up"): 2}
    rows = []
    for a in themes:
        for b in themes:
            n = 20 if a == b else counts.get((a, b), counts.get((b, a)))
            supp = {a, b} == set(suppressed_pair) and a != b
            rows.append({"theme_a": a, "theme_b": b, "count": np.nan if supp else n,
                         "participants": np.nan if supp else 8, "suppressed": supp})
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
    sup = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return " ".join([sup, *(ax.get_title(loc="left") for ax in fig.axes)]).replace("-\n", "-").replace("\n", " ")


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
    assert table.loc["security", "Norfolk"] == "suppressed"
    assert table.loc["joined_up", "Essex"] == 0  # nobody raised it: a real zero, shown as zero
    i, j = list(table.index).index("security"), list(table.columns).index("Norfolk")
    ax = fig.axes[0]
    hatched = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert [(p.get_x(), p.get_y()) for p in hatched] == [(j - 0.5, i - 0.5)]
    labels = {(t.get_position(), t.get_text()) for t in ax.texts}
    assert ((j, i), "supp.") in labels
    assert ((list(table.columns).index("Essex"), list(table.index).index("joined_up")), "0%") in labels


def test_heatmap_table_never_turns_a_suppressed_share_into_zero_or_blank():
    _, table = build("heatmap")
    cells = table.to_numpy().ravel()
    n_supp = sum(1 for v in cells if v == "suppressed")
    assert n_supp == sum(1 for v in ESSEX_SELLING.values() if v is None)
    assert not any(isinstance(v, float) and np.isnan(v) for v in cells)


def test_stance_figure_marks_suppressed_themes_instead_of_dropping_or_zeroing_them():
    fig, table = build("stance")
    row = table.set_index("theme").loc["joined_up"]
    assert (row[["concern", "support", "conditional_support"]] == "suppressed").all()
    assert table.set_index("theme").loc["commercial", "concern"] == pytest.approx(0.7)
    assert any("suppressed" in t.lower() for t in texts_of(fig))
    assert any(p.get_hatch() for p in fig.axes[0].patches)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Joined-up care" in ticks


def test_cooccurrence_marks_suppressed_pairs_and_tables_them_as_suppressed():
    fig, table = build("cooccurrence")
    assert table.loc["security", "joined_up"] == "suppressed" and table.loc["joined_up", "security"] == "suppressed"
    assert table.loc["commercial", "security"] == 9
    themes = list(table.index)
    i, j = themes.index("security"), themes.index("joined_up")
    ax = fig.axes[0]
    marks = {t.get_position() for t in ax.texts if t.get_text()}
    assert (j, i) in marks and (i, j) in marks
    hatched = {(p.get_x(), p.get_y()) for p in ax.patches if p.get_hatch()}
    assert {(j - 0.5, i - 0.5), (i - 0.5, j - 0.5)} <= hatched


def test_small_multiples_list_suppressed_cells_as_suppressed_not_zero():
    fig, table = build("regions")
    norfolk = table[table["region"] == "Norfolk"].set_index("theme")
    assert norfolk.loc["security", "share"] == "suppressed"
    assert (table.loc[table["share"] != "suppressed", "share"].astype(float) >= 0).all()
    panels = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert "Norfolk (n=12; 1 theme suppressed)" in panels


# ---- titles state the finding, computed from the data


def test_heatmap_title_names_the_region_and_theme_that_stand_out():
    fig, _ = build("heatmap")
    title = title_of(fig)
    assert "Commercial access stands out in Essex" in title and "75%" in title


def test_heatmap_title_changes_when_the_data_change():
    swapped = {**ESSEX_SELLING, ("joined_up", "Suffolk"): 0.92}
    fig, _ = F.prevalence_heatmap(prevalence(swapped), labels=LABELS, order=REGIONS)
    assert "Joined-up care stands out in Suffolk: 92%" in title_of(fig)
    assert title_of(fig) != title_of(build("heatmap")[0])


def test_heatmap_title_ignores_suppressed_cells():
    # the largest raw gap would be a suppressed cell: it must not become the headline
    data = {**ESSEX_SELLING, ("security", "Norfolk"): None}
    fig, _ = F.prevalence_heatmap(prevalence(data), labels=LABELS, order=REGIONS)
    assert "Norfolk" not in title_of(fig).split(":")[0]


def test_stance_title_names_the_most_concerning_and_most_supported_themes():
    title = title_of(build("stance")[0])
    assert "Most concern about commercial access (70% of statements)" in title
    # joined-up care would have the most support, but it is suppressed: it cannot be the headline
    assert "most support for mental health" in title and "joined-up" not in title


def test_stance_title_follows_the_data():
    flipped = stance_table(suppressed_theme=None)
    flipped.loc[flipped["theme"] == "security", ["concern", "support"]] = [0.9, 0.0]
    title = title_of(F.stance_diverging(flipped, labels=LABELS)[0])
    assert "Most concern about security and hacking (90% of statements)" in title
    assert "most support for joined-up care" in title


def test_stance_title_says_so_when_everything_is_suppressed():
    all_supp = stance_table()
    all_supp["suppressed"] = True
    fig, _ = F.stance_diverging(all_supp, labels=LABELS)
    assert "suppressed" in title_of(fig)


def test_cooccurrence_title_names_the_commonest_pair_and_its_count():
    assert "Commercial access and security and hacking are most often raised together (9 statements)" \
        in title_of(build("cooccurrence")[0])
    assert "(15 statements)" in title_of(F.cooccurrence_heatmap(cooc_table(pair_count=15), labels=LABELS)[0])


def test_topic_map_title_counts_candidate_new_themes():
    assert "3 largest topics; 1 match no codebook theme" in title_of(build("topics")[0])
    more = topics_table()
    more.loc[more["topic_id"] == 1, "candidate_new_theme"] = True
    assert "2 match no codebook theme" in title_of(F.topic_map(more, labels=LABELS)[0])


def test_topic_map_leaves_out_the_outlier_topic():
    _, table = build("topics")
    assert -1 not in set(table["topic_id"])


def test_a_region_whose_every_cell_is_suppressed_keeps_its_size_in_the_panel_title():
    data = {(t, r): (None if r == "Norfolk" else v) for (t, r), v in ESSEX_SELLING.items()}
    fig, table = F.region_small_multiples(prevalence(data, total=7), labels=LABELS)
    assert "Norfolk (n=7; 3 themes suppressed)" in [ax.get_title(loc="left") for ax in fig.axes]
    assert (table.loc[table["region"] == "Norfolk", "share"] == "suppressed").all()


def test_small_multiples_show_one_panel_per_region_with_its_size():
    fig, table = build("regions")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["Essex (n=12)", "Suffolk (n=12)",
                                                            "Norfolk (n=12; 1 theme suppressed)"]
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
    assert (table.where(~np.eye(3, dtype=bool)) == "suppressed").sum().sum() == 6


def test_cooccurrence_with_no_pair_at_all_is_an_empty_panel():
    cooc = cooc_table()
    fig, table = F.cooccurrence_heatmap(cooc[cooc["theme_a"] == cooc["theme_b"]], labels=LABELS)
    assert F.is_empty(fig) and table.empty
    assert "No statement raised two themes" in panel_text(fig)


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
    title = title_of(F.prevalence_heatmap(prevalence(one), labels=LABELS, order=REGIONS)[0])
    assert title.strip() == "Most raised in Essex: commercial access (75% of participants)"


def test_small_multiples_draw_no_whisker_for_a_share_without_an_interval():
    data = prevalence(ESSEX_SELLING)
    data.loc[data["region"] == "Norfolk", ["ci_low", "ci_high"]] = np.nan
    _, table = F.region_small_multiples(data, labels=LABELS)
    norfolk = table[(table["region"] == "Norfolk") & (table["share"] != "suppressed")]
    assert set(norfolk["ci_low"]) == {"–"}
