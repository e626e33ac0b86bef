"""The summary report: reports/summary.html (self-contained), reports/tables/*.csv, and an A4 PDF.

The measures are computed once (``report.sections``), written as the published tables of
``reports/tables/`` with their data dictionary, read back, and the report is rendered from what
was read: every number on the page is a cell of one of those CSVs. Figures are embedded as PNG
data URIs so the file can be emailed to a Healthwatch board as it is.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from engagement.analysis import gaps
from engagement.analysis.loader import Analysis, load_analysis, read_json, segment_embeddings
from engagement.config import Config
from engagement.io import atomic_write_text
from engagement.report import sections as S
from engagement.report import text as T
from engagement.report.pdf import CHROMIUM_FLAGS, _html_to_pdf, find_chromium  # noqa: F401  (public here)

FIGURE_NAMES = {
    "heatmap": "theme-prevalence-by-region-heatmap",
    "stance": "concern-vs-support-by-theme",
    "regions": "top-themes-per-region-with-intervals",
    "topics": "topic-sizes-and-theme-mapping",
    "cooccurrence": "theme-cooccurrence",
}


@dataclass
class ReportResult:
    html: Path
    pdf: Path | None
    figures: dict[str, dict[str, Path]]
    findings: list[str]
    gaps: dict[str, str] = field(default_factory=dict)   # figure or section -> what is missing and why
    tables: dict[str, Path] = field(default_factory=dict)
    opening: str = ""                                     # the report's plain first line
    no_findings: str = ""                                 # said when no difference survives


compute_measures = S.compute_measures


def make_figures(a: Analysis, m: dict[str, pd.DataFrame], folder: Path, findings: pd.DataFrame | None = None
                 ) -> tuple[dict, dict, set]:
    """Render and save the report's figures; return paths, the tables they draw, and which are empty panels.

    ``findings`` (key_findings.csv as read back): the heat map's title states the first one, or
    that no difference between areas survived.
    """
    from engagement.report import figures as F

    plt = F._plt()
    n = a.cfg.min_cell
    order = list(a.cfg.regions)
    out, tables, empty = {}, {}, set()
    headline = T.headline(findings, alpha=S.alpha(a))
    specs = {
        "heatmap": lambda: F.prevalence_heatmap(m["prevalence_region"], labels=a.labels, order=order, min_cell=n,
                                                headline=headline),
        "stance": lambda: F.stance_diverging(m["stance"], labels=a.labels, min_cell=n),
        "regions": lambda: F.region_small_multiples(m["prevalence_region"], labels=a.labels, min_cell=n, order=order),
        "topics": lambda: F.topic_map(a.topics, labels=a.labels, reason=gaps.topics_gap(a.topics, a.code_summary)),
        "cooccurrence": lambda: F.cooccurrence_heatmap(m["cooccurrence"], labels=a.labels, min_cell=n),
    }
    for key, build in specs.items():
        fig, table = build()
        # every figure is written, empty or not, so figures/ never keeps a stale one from an earlier run
        out[key] = F.save_figure(fig, FIGURE_NAMES[key], folder)
        tables[key] = table
        if F.is_empty(fig):
            empty.add(key)
        plt.close(fig)
    return out, tables, empty


def figure_gaps(a: Analysis, m: dict[str, pd.DataFrame]) -> dict[str, str]:
    """For each figure with something missing, the sentence saying what and why."""
    n = a.cfg.min_cell
    found = {
        "heatmap": gaps.prevalence_gap(m["prevalence_region"], min_cell=n),
        "stance": gaps.stance_gap(m["stance"], min_cell=n),
        "regions": gaps.prevalence_gap(m["prevalence_region"], min_cell=n),
        "topics": gaps.topics_gap(a.topics, a.code_summary),
        "cooccurrence": gaps.cooccurrence_gap(m["cooccurrence"], min_cell=n, unit="participant"),
    }
    return {k: v for k, v in found.items() if v}


def _img(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def select_quotes(a: Analysis, m: dict[str, pd.DataFrame], comparison: pd.DataFrame,
                  found: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quotes for the theme sections (the theme's two main stances) and for each area's section.

    A quote names its area, so it comes only from a theme x area cell published as a value: a quote
    from a banded or suppressed cell would tell a reader that someone there raised the theme.
    Areas are illustrated by the themes they differ on significantly, then by their most raised.
    """
    from engagement.analysis.quotes import area_quotes, exemplar_quotes

    cfg = a.cfg
    emb = segment_embeddings(a.segments, cfg)
    prev = m["prevalence_region"]
    shown = set(map(tuple, prev.loc[prev["published_as"] == "value", ["theme", "region"]].to_numpy()))
    region_of = dict(zip(a.segments["segment_id"], a.segments["region"]))
    coded = a.rule_codings
    coded = coded[[(t, region_of.get(s)) in shown for t, s in zip(coded["theme"], coded["segment_id"])]]
    picks = []
    for label in ("concern", "support", "conditional_support"):
        q = exemplar_quotes(a.segments, coded, emb, by="all", per_cell=1, min_cell=cfg.min_cell, stance=a.stance,
                            stance_label=label)
        picks.append(q)
    by_theme = pd.concat(picks, ignore_index=True) if picks else pd.DataFrame()
    if len(by_theme):
        # per theme, its two most frequent stances among concern / support / support with conditions
        st = m["stance"].set_index("theme")
        weight = [float(st.at[t, s]) if t in st.index and s in st.columns and pd.notna(st.at[t, s]) else 0.0
                  for t, s in zip(by_theme["theme"], by_theme["stance"])]
        by_theme = (by_theme.assign(_w=weight).sort_values(["theme", "_w", "stance"], ascending=[True, False, True])
                    .groupby("theme", sort=False).head(2).drop(columns="_w").reset_index(drop=True))
    # "distinctive" means a key finding: significant after BH, with an interval that excludes no difference
    found = S.findings_table(a, comparison) if found is None else found
    keys = set(zip(found["theme_id"], found["region"]))
    significant = comparison[[k in keys for k in zip(comparison["theme"], comparison["region"])]] \
        if len(comparison) else comparison
    area = area_quotes(a.segments, coded, emb, prevalence=prev, comparison=significant, stance=a.stance,
                       by="region", themes_per_area=3, per_theme=1, min_cell=cfg.min_cell, alpha=S.alpha(a))
    return by_theme, area


def build_report(cfg: Config, *, run_id: str = "", analysis: Analysis | None = None, pdf: bool = True
                 ) -> ReportResult:
    """Compute the measures, write reports/tables/, render the figures and reports/summary.html (and a PDF)."""
    import jinja2

    from engagement.report.tables import read_tables, write_tables

    a = analysis or load_analysis(cfg)
    run_id = run_id or os.environ.get("ENGAGEMENT_RUN_ID", "")
    m = S.compute_measures(a)
    comparison = S.publishable_comparisons(m["comparison"], m["prevalence_region"])
    found = S.findings_table(a, comparison)
    quotes_theme, quotes_area = select_quotes(a, m, comparison, found)
    topics, outlier_share = S.topics_table(a)
    hashes = S.input_hashes(a)
    order = list(cfg.regions)
    published = {
        "sample": S.sample_table(a),
        "theme_overall": S._prevalence_table(a, m["prevalence_all"], "all", "n_total"),
        "theme_by_region": S.ordered(S._prevalence_table(a, m["prevalence_region"], "region", "n_area"),
                                     "region", order),
        "theme_by_kind": S._prevalence_table(a, m["prevalence_kind"], "kind", "n_kind"),
        "area_comparisons": S.comparison_table(a, comparison),
        "key_findings": found,
        "stance_by_theme": S.stance_table(a, m["stance"]),
        "cooccurrence_people": S.cooccurrence_table(a, m["cooccurrence"]),
        "topics": topics,
        "quotes": S.quotes_table(a, quotes_area, quotes_theme),
        "agreement": S.agreement_table(a),
        "provenance": S.provenance_table(a, run_id, hashes),
    }
    table_dir = cfg.reports_dir / "tables"
    paths = write_tables(published, table_dir)
    t = read_tables(table_dir)           # the report shows what a reader of the CSVs would see

    figs, _, empty_figs = make_figures(a, m, cfg.figures_dir, t.get("key_findings"))
    notes = figure_gaps(a, m)
    evaluation = read_json(cfg.processed_dir / "coding_evaluation.json")
    ctx = T.context(a, t, evaluation=evaluation, outlier_share=outlier_share, alpha=S.alpha(a),
                    quotes_theme=quotes_theme, quotes_area=quotes_area, comparison_all=m["comparison"])
    # no comparison possible at all (one area, every cell protected): say why, as the notebooks do
    why_not = gaps.comparison_gap(a.segments, m["comparison"], min_cell=cfg.min_cell) \
        if t["area_comparisons"].empty else None
    if why_not and not ctx["findings"]:
        ctx["no_findings"] = why_not
    notes["unraised"] = gaps.unraised_gap(m["prevalence_all"], a.labels)
    notes["intervals"] = gaps.one_session_gap(a.segments, "region")
    notes["quotes"] = gaps.quotes_gap(quotes_theme, min_cell=cfg.min_cell)
    notes = {k: v for k, v in notes.items() if v}
    env = jinja2.Environment(loader=jinja2.PackageLoader("engagement.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    html = env.get_template("summary.html.j2").render(
        notes=notes, empty=empty_figs, project=cfg.project, run_id=run_id, today=date.today().isoformat(),
        min_cell=cfg.min_cell, figures={k: _img(v["png"]) for k, v in figs.items()}, **ctx)
    out = cfg.reports_dir / "summary.html"
    atomic_write_text(out, html)
    pdf_path = _html_to_pdf(out) if pdf else None
    findings = [f["sentence"] for f in ctx["findings"]]
    return ReportResult(out, pdf_path, figs, findings, notes, paths, ctx["opening"], ctx["no_findings"] or "")
