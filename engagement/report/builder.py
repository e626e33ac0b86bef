"""The summary report: reports/summary.html (self-contained) and, where Chromium is installed, a PDF.

Everything in it is computed from the de-identified tables; figures are embedded as PNG data
URIs so the file can be emailed to a Healthwatch board as it is.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from engagement.analysis import gaps
from engagement.analysis.loader import Analysis, load_analysis, read_json, segment_embeddings
from engagement.config import Config
from engagement.io import atomic_write_text

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


def compute_measures(a: Analysis) -> dict[str, pd.DataFrame]:
    """Every measure the report and notebook 03 show, for one Analysis (all regions or one)."""
    from engagement.analysis.measures import cooccurrence, region_vs_rest, stance_by_theme, theme_prevalence

    cfg = a.cfg
    rules = a.rule_codings
    return {
        "prevalence_region": theme_prevalence(a.segments, rules, by="region", min_cell=cfg.min_cell, seed=cfg.seed,
                                              themes=a.themes),
        "prevalence_kind": theme_prevalence(a.segments, rules, by="kind", min_cell=cfg.min_cell, seed=cfg.seed,
                                            themes=a.themes),
        "stance": stance_by_theme(a.segments, rules, a.stance, min_cell=cfg.min_cell),
        "stance_region": stance_by_theme(a.segments, rules, a.stance, by="region", min_cell=cfg.min_cell),
        "region_vs_rest": region_vs_rest(a.segments, rules, min_cell=cfg.min_cell),
        "cooccurrence": cooccurrence(a.segments, rules, min_cell=cfg.min_cell),
    }


def figure_gaps(a: Analysis, m: dict[str, pd.DataFrame]) -> dict[str, str]:
    """For each figure with something missing, the sentence saying what and why."""
    n = a.cfg.min_cell
    found = {
        "heatmap": gaps.prevalence_gap(m["prevalence_region"], min_cell=n),
        "stance": gaps.stance_gap(m["stance"], min_cell=n),
        "regions": gaps.prevalence_gap(m["prevalence_region"], min_cell=n),
        "topics": gaps.topics_gap(a.topics, a.code_summary),
        "cooccurrence": gaps.cooccurrence_gap(m["cooccurrence"], min_cell=n),
    }
    return {k: v for k, v in found.items() if v}


def make_figures(a: Analysis, m: dict[str, pd.DataFrame], folder: Path) -> tuple[dict, dict, set]:
    """Render and save the report's figures; return paths, the tables they draw, and which are empty panels."""
    from engagement.report import figures as F

    plt = F._plt()
    n = a.cfg.min_cell
    out, tables, empty = {}, {}, set()
    specs = {
        "heatmap": lambda: F.prevalence_heatmap(m["prevalence_region"], labels=a.labels, order=list(a.cfg.regions),
                                                min_cell=n),
        "stance": lambda: F.stance_diverging(m["stance"], labels=a.labels, min_cell=n),
        "regions": lambda: F.region_small_multiples(m["prevalence_region"], labels=a.labels, min_cell=n),
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


def key_findings(a: Analysis, m: dict[str, pd.DataFrame], top: int = 8) -> list[str]:
    """Plain-language sentences naming the regional differences the data show (exploratory)."""
    rvr = m["region_vs_rest"]
    if rvr.empty:
        return []
    found = []
    cand = rvr[~rvr["suppressed"] & (rvr["difference"] > 0)].sort_values("cohens_h", ascending=False)
    seen_regions: dict[str, int] = {}
    for rec in cand.to_dict("records"):
        if seen_regions.get(rec["region"], 0) >= 2:
            continue
        seen_regions[rec["region"]] = seen_regions.get(rec["region"], 0) + 1
        label = a.labels.get(rec["theme"], rec["theme"])
        sig = "" if rec["p_adjusted"] < 0.05 else " (not significant after adjustment)"
        found.append(f"{rec['region']}: {label.lower()} was raised by {rec['share']:.0%} of participants, against "
                     f"{rec['share_rest']:.0%} in the other areas (Cohen's h {rec['cohens_h']:.2f}, "
                     f"BH-adjusted p {rec['p_adjusted']:.3f}){sig}.")
        if len(found) >= top:
            break
    return found


def _img(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _fmt_share(rec) -> str:
    if rec.get("suppressed"):
        return "suppressed"
    if pd.isna(rec.get("share")):
        return "–"
    lo, hi = rec.get("ci_low"), rec.get("ci_high")
    ci = f" ({lo:.0%}–{hi:.0%})" if pd.notna(lo) and pd.notna(hi) else ""
    return f"{rec['share']:.0%}{ci}"


def build_report(cfg: Config, *, run_id: str = "", analysis: Analysis | None = None, pdf: bool = True
                 ) -> ReportResult:
    """Compute the measures, render the figures, write reports/summary.html (and a PDF if possible)."""
    import jinja2

    from engagement.analysis.quotes import exemplar_quotes

    a = analysis or load_analysis(cfg)
    m = compute_measures(a)
    figs, fig_tables, empty_figs = make_figures(a, m, cfg.figures_dir)
    notes = figure_gaps(a, m)
    emb = segment_embeddings(a.segments, cfg)
    quotes = exemplar_quotes(a.segments, a.rule_codings, emb, by="region", per_cell=1, min_cell=cfg.min_cell)
    quotes_all = exemplar_quotes(a.segments, a.rule_codings, emb, by="all", per_cell=2, min_cell=cfg.min_cell)
    findings = key_findings(a, m)

    prev = m["prevalence_region"]
    overall = _overall(a, m)
    themes = []
    for rec in overall.to_dict("records"):
        t = rec["theme"]
        st = m["stance"][m["stance"]["theme"] == t]
        themes.append({
            "id": t, "label": a.labels.get(t, t), "overall": _fmt_share(rec), "participants": rec["participants"],
            "raised": _raised_sentence(rec, cfg.min_cell),
            "by_region": [{"region": r["region"], "share": _fmt_share(r)} for r in
                          prev[prev["theme"] == t].to_dict("records")],
            "stance": None if st.empty or bool(st.iloc[0]["suppressed"]) else {
                k: f"{st.iloc[0][k]:.0%}" for k in ("concern", "support", "conditional_support", "mixed", "neutral")},
            "quotes": quotes_all[quotes_all["theme"] == t][["quote", "attribution"]].to_dict("records"),
        })
    regions = []
    rvr = m["region_vs_rest"]
    for region in cfg.regions:
        part = prev[(prev["region"] == region) & ~prev["suppressed"]].nlargest(5, "share")
        diffs = rvr[(rvr["region"] == region) & ~rvr["suppressed"]].nlargest(3, "difference") if not rvr.empty else rvr
        total = prev.loc[prev["region"] == region, "participants_total"].max()  # NaN: a region with no sessions
        in_region = a.segments[a.segments["region"] == region]
        regions.append({
            "name": region,
            "gap": gaps.region_gap(in_region, region) or (gaps.prevalence_gap(prev[prev["region"] == region],
                                                                              min_cell=cfg.min_cell)),
            "participants": int(total) if pd.notna(total) else 0,
            "top": [{"label": a.labels.get(r["theme"], r["theme"]), "share": _fmt_share(r)} for r in part.to_dict("records")],
            "distinct": [{"label": a.labels.get(r["theme"], r["theme"]), "share": f"{r['share']:.0%}",
                          "rest": f"{r['share_rest']:.0%}", "p": f"{r['p_adjusted']:.3f}"} for r in diffs.to_dict("records")],
            "quotes": quotes[quotes["region"] == region][["quote", "attribution", "theme"]]
            .assign(theme=lambda d: d["theme"].map(lambda x: a.labels.get(x, x))).to_dict("records"),
        })
    provenance = _provenance(a, cfg)
    evaluation = read_json(cfg.processed_dir / "coding_evaluation.json")
    env = jinja2.Environment(loader=jinja2.PackageLoader("engagement.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    notes["findings"] = None if findings else gaps.comparison_gap(a.segments, m["region_vs_rest"],
                                                                   min_cell=cfg.min_cell)
    notes["quotes"] = gaps.quotes_gap(quotes_all, min_cell=cfg.min_cell)
    notes["unraised"] = gaps.unraised_gap(overall, a.labels)
    notes["intervals"] = gaps.one_session_gap(a.segments, "region")
    notes = {k: v for k, v in notes.items() if v}
    html = env.get_template("summary.html.j2").render(
        notes=notes, empty=empty_figs,
        project=cfg.project, run_id=run_id or os.environ.get("ENGAGEMENT_RUN_ID", ""), today=date.today().isoformat(), findings=findings, themes=themes,
        regions=regions, provenance=provenance, evaluation=evaluation, min_cell=cfg.min_cell,
        figures={k: _img(v["png"]) for k, v in figs.items()}, codebook=a.code_summary,
        topics=a.topics[a.topics["topic_id"] != -1].sort_values("size", ascending=False).head(12).to_dict("records"),
    )
    out = cfg.reports_dir / "summary.html"
    atomic_write_text(out, html)
    pdf_path = _html_to_pdf(out) if pdf else None
    return ReportResult(out, pdf_path, figs, findings, notes)


def _raised_sentence(rec: dict, min_cell: int) -> str | None:
    """Why a theme has no overall share (None when it has one): never "suppressed of participants"."""
    if rec.get("suppressed"):
        return (f"Raised by fewer than {min_cell} participants overall, so its numbers are suppressed "
                f"(a smaller count could identify who took part).")
    if not rec.get("participants"):
        return "Nobody raised this theme."
    return None


def _overall(a: Analysis, m: dict[str, pd.DataFrame]) -> pd.DataFrame:
    from engagement.analysis.measures import theme_prevalence

    seg = a.segments.assign(all="all")
    overall = theme_prevalence(seg, a.rule_codings, by="all", min_cell=a.cfg.min_cell, seed=a.cfg.seed,
                               themes=a.themes)
    return overall.sort_values("share", ascending=False, na_position="last")


def _provenance(a: Analysis, cfg: Config) -> dict:
    from engagement.privacy.deidentify import redaction_summary

    people = a.participants[a.participants["role"].isin(["participant", "respondent"])]
    by_kind = people.merge(a.sessions[["session_id", "kind"]], on="session_id", how="left")
    table = by_kind.groupby(["region", "kind"]).agg(participants=("participant_id", "nunique"),
                                                     sessions=("session_id", "nunique")).reset_index()
    red = redaction_summary(a.redactions)
    red_types = {}
    if not a.redactions.empty:
        red_types = a.redactions["type"].value_counts().sort_index().to_dict()
    w = a.prepare_summary.get("withdrawal", {})
    return {
        "table": table.to_dict("records"), "sessions": len(a.sessions), "participants": len(people),
        "words": a.prepare_summary.get("words"), "redaction_types": red_types, "redactions": len(a.redactions),
        "sessions_with_redactions": int(red["session_id"].nunique()) if len(red) else 0,
        "withdrawn": w.get("participants_removed", 0), "withdrawn_turns": w.get("turns_removed", 0),
        "seed": cfg.seed, "embedding": cfg.topics.get("embedding"), "segmentation": cfg.segmentation,
    }



def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _html_to_pdf(html: Path) -> Path | None:
    """Print the report to PDF with headless Chromium, offline; None when Chromium is absent."""
    chromium = find_chromium()
    if not chromium:
        return None
    pdf = html.with_suffix(".pdf")
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        except (subprocess.SubprocessError, OSError):
            return None
    return pdf if pdf.is_file() else None
