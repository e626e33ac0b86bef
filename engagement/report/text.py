"""What the report says, phrased from the published tables (reports/tables/*.csv) and nothing else.

:func:`context` turns the tables, read back from their CSVs, into the template's sections: the
opening line, the key findings, each theme, each area, topics, the method and the limitations.
Every number here is a cell of a table (or a sum of cells of the sample table); the tests parse
the rendered report and check each against the CSVs.
"""

from __future__ import annotations

import math

import pandas as pd

from engagement.analysis import gaps
from engagement.analysis.loader import Analysis

TOPICS_SHOWN = 15   # as many as report.figures.topic_map draws

STANCE_WORDS = {"concern": "concern", "support": "support", "conditional_support": "support with conditions",
                "mixed": "mixed", "neutral": "neutral"}


def pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{float(x):.0%}"


def cell(rec: dict) -> str:
    """A theme x group cell as the report prints it: "45% (30–61%)", "fewer than 5" or "suppressed"."""
    how = rec.get("published_as")
    if how == "band":
        return str(rec.get("band") or "suppressed")
    if how != "value":
        return "suppressed"
    lo, hi = rec.get("low"), rec.get("high")
    ci = f" ({pct(lo)}–{pct(hi)})" if pd.notna(lo) and pd.notna(hi) else ""
    return f"{pct(rec['share'])}{ci}"


def _records(table: pd.DataFrame | None) -> list[dict]:
    return [] if table is None or table.empty else table.to_dict("records")


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def opening(t: dict[str, pd.DataFrame]) -> str:
    """The plain first line: how many people, and the themes they raised most."""
    overall = t.get("theme_overall")
    sample = t.get("sample")
    n = int(sample["analysed"].sum()) if sample is not None and len(sample) else 0
    if overall is None or overall.empty or not n:
        return "No participant's statement could be analysed, so the report has no findings."
    shown = overall[(overall["published_as"] == "value") & (overall["participants"].fillna(0) > 0)]
    shown = shown.sort_values(["share", "theme"], ascending=[False, True]).head(3)
    if shown.empty:
        return (f"Of the {n} participants whose words were analysed, no theme was raised by enough people to "
                f"report (every count is below the disclosure threshold).")
    parts = [f"{r['theme'].lower()} ({pct(r['share'])})" for r in _records(shown)]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Of the {n} participants whose words were analysed, the themes raised most were {listed}."


def headline(findings: pd.DataFrame | None, *, alpha: float) -> str:
    """The heat map's title: the first key finding in a few words, or that none survived."""
    if findings is None or findings.empty:
        return f"Share of participants raising each theme, by area: no difference between areas survives the adjustment"
    rec = findings.iloc[0]
    more = "more" if rec["effect"] > 0 else "less"
    return (f"{rec['theme']} is raised {more} in {rec['region']}: {pct(rec['share'])} of participants vs "
            f"{pct(rec['rest_share'])} elsewhere")


def no_findings(t: dict[str, pd.DataFrame], alpha: float) -> str:
    """Said when no comparison survives: plainly, with the largest difference as exploratory."""
    comp = t.get("area_comparisons")
    level = f"{alpha:.0%}".replace(".0%", "%")
    head = (f"No difference between an area and the rest survived the Benjamini-Hochberg adjustment at the "
            f"{level} level, so the report names none as a finding.")
    if comp is None or comp.empty:
        return head + " No comparison could be made (too few areas, or every area's cell is protected)."
    largest = comp.reindex(comp["effect"].abs().sort_values(ascending=False).index).iloc[0]
    return (head + f" The largest difference, exploratory only: in {largest['region']}, {pct(largest['share'])} "
            f"raised {largest['theme'].lower()}, against {pct(largest['rest_share'])} elsewhere "
            f"(adjusted {p_text(largest['p_adjusted'])}).")


def theme_sections(a: Analysis, t: dict[str, pd.DataFrame], quotes: pd.DataFrame) -> list[dict]:
    overall = t["theme_overall"]
    by_region = t["theme_by_region"]
    stance = t.get("stance_by_theme", pd.DataFrame(columns=["theme_id"]))
    order = overall.assign(_s=overall["share"].fillna(-1)).sort_values(["_s", "theme"], ascending=[False, True])
    out = []
    for rec in _records(order):
        tid = rec["theme_id"]
        st = stance[stance["theme_id"] == tid]
        st_rec = st.iloc[0].to_dict() if len(st) else None
        if rec["published_as"] == "value" and rec["participants"] > 0:
            raised = (f"Raised by {int(rec['participants'])} of {int(rec['n_total'])} participants "
                      f"({cell(rec)}).")
        elif rec["published_as"] == "value":
            raised = "Nobody raised this theme."
        elif rec["published_as"] == "band":
            raised = f"Raised by {rec['band']} participants overall; the exact count is withheld."
        else:
            raised = (f"Raised by fewer than {a.cfg.min_cell} participants overall, so its numbers are suppressed "
                      f"(a smaller count could identify who took part).")
        out.append({
            "id": tid, "label": rec["theme"], "raised": raised,
            "by_region": [{"region": r["region"], "share": cell(r)} for r in _records(by_region[by_region["theme_id"] == tid])],
            "stance": None if st_rec is None or st_rec["published_as"] != "value" else {
                "n": int(st_rec["statements"]),
                "parts": [(STANCE_WORDS[k], pct(st_rec[k]), k) for k in STANCE_WORDS]},
            "quotes": [q for q in _records(quotes) if q["section"] == "theme" and q["theme"] == rec["theme"]],
        })
    return out


def _provenance_value(t: dict[str, pd.DataFrame], item: str) -> str:
    prov = t.get("provenance")
    hit = prov.loc[prov["item"] == item, "value"] if prov is not None else []
    return str(hit.iloc[0]) if len(hit) else ""


def _kind_phrase(r: dict) -> str:
    n, sessions = int(r["analysed"]), int(r["sessions"])
    if r["kind"] == "survey":
        return f"{n} survey respondent{'s' if n != 1 else ''}"
    return f"{n} in {sessions} {r['kind']}{'s' if sessions != 1 else ''}"


def area_sections(a: Analysis, t: dict[str, pd.DataFrame], alpha: float) -> list[dict]:
    by_region = t["theme_by_region"]
    findings = t.get("key_findings", pd.DataFrame(columns=["region"]))
    sample = t["sample"]
    quotes = t.get("quotes", pd.DataFrame(columns=["section", "region"]))
    out = []
    for region in a.cfg.regions:
        rows = by_region[by_region["region"] == region]
        mine = sample[sample["region"] == region]
        n_area = int(rows["n_area"].max()) if len(rows) and pd.notna(rows["n_area"].max()) else 0
        top = rows[(rows["published_as"] == "value") & (rows["participants"].fillna(0) > 0)]
        top = top.sort_values(["share", "theme"], ascending=[False, True]).head(5)
        more = findings[(findings["region"] == region) & (findings["effect"] > 0)] if len(findings) else findings
        kinds = "; ".join(_kind_phrase(r) for r in _records(mine))
        out.append({
            "name": region, "participants": n_area, "kinds": kinds,
            "gap": None if n_area else (gaps.region_gap(a.segments[a.segments["region"] == region], region)
                                        or f"{region} has no participant's statements, so there is nothing to show."),
            "top": [{"label": r["theme"], "share": cell(r)} for r in _records(top)],
            "more": [r["sentence"] for r in _records(more)],
            "more_none": (None if len(more) or not n_area else
                          f"No theme was raised significantly more in {region} than elsewhere "
                          f"(Benjamini-Hochberg at {alpha:.0%})."),
            "quotes": [q for q in _records(quotes) if q["section"] == "area" and q["region"] == region],
        })
    return out


def limitations(a: Analysis, t: dict[str, pd.DataFrame], evaluation: dict, outlier_share: float | None,
                alpha: float) -> list[str]:
    """Limitations written from the data: sizes, pooling, coding quality, what topics leave out."""
    sample = t["sample"]
    out = []
    if len(sample):
        per_area = sample.groupby("region", sort=False)["analysed"].sum()
        per_area = per_area.reindex([r for r in a.cfg.regions if r in per_area.index])
        sizes = ", ".join(f"{r} {int(n)}" for r, n in per_area.items())
        n_sessions = _provenance_value(t, "sessions")
        out.append(f"Small numbers: {int(sample['analysed'].sum())} participants were analysed across "
                   f"{n_sessions} sessions ({sizes}). With groups this size intervals are wide "
                   f"and only large differences can be detected.")
        took, analysed = int(sample["participants"].sum()), int(sample["analysed"].sum())
        if took != analysed:
            out.append(f"{took} people took part but {analysed} said something that could be analysed; the other "
                       f"{took - analysed} (for example survey respondents who left the free-text answer blank) are "
                       f"not in any share.")
        kinds = sample.groupby("kind")["analysed"].sum()
        if len(kinds[kinds > 0]) > 1:
            parts = ", ".join(f"{int(n)} from {k}s" for k, n in kinds.items())
            out.append(f"Survey answers and discussion are pooled in the shares by area ({parts}). A one-line "
                       f"survey answer and an hour of discussion weigh the same per person, and a theme is more "
                       f"likely to come up in a long discussion; the table by kind of session shows them apart.")
    if evaluation.get("micro_f1") is not None:
        out.append(f"Codes were assigned automatically (codebook rules and a learned layer) and checked against "
                   f"a hand-coded reference of {evaluation.get('n_segments')} statements: micro-averaged F1 "
                   f"{evaluation['micro_f1']:.2f} (precision {evaluation.get('micro_precision', float('nan')):.2f}, "
                   f"recall {evaluation.get('micro_recall', float('nan')):.2f}), mean Cohen's kappa "
                   f"{evaluation.get('mean_kappa', float('nan')):.2f}; stance accuracy "
                   f"{evaluation.get('stance_accuracy', float('nan')):.2f}. Shares are therefore estimates of what "
                   f"the coder found, not of everything people said; read the transcripts before relying on one.")
    else:
        out.append("The automatic coding was not checked against a hand-coded reference in this project "
                   "(no coding_reference.csv), so its accuracy here is unknown.")
    if outlier_share is not None:
        out.append(f"{outlier_share:.0%} of statements belong to no topic (outliers of the topic model); topics "
                   f"depend on the embedding model and the seed and were fitted once across all areas.")
    out.append(f"Area comparisons count people, allow for people in one session influencing each other, and are "
               f"adjusted for multiple testing (Benjamini-Hochberg at {alpha:.0%}); with few sessions per area "
               f"they can miss real differences.")
    out.append(f"Cells with fewer than {a.cfg.min_cell} participants are shown as a band or suppressed "
               f"(see the disclosure control policy), so small themes in small areas cannot be read exactly.")
    return out


def semantic_thresholds(a: Analysis) -> list[dict]:
    """The semantic layer's per-code thresholds, as the codebook's version records them."""
    from engagement.coding.run import resolve_codebook

    book = resolve_codebook(a.cfg)
    block = (getattr(book, "semantic", None) or {}).get("thresholds") or {}
    rows = []
    for cid, entry in block.items():
        entry = entry if isinstance(entry, dict) else {"threshold": entry}
        code = book.codes.get(cid)
        rows.append({"code": getattr(code, "label", cid) if code else cid, "threshold": entry.get("threshold"),
                     "dev_f1": entry.get("dev_f1")})
    return rows


def context(a: Analysis, t: dict[str, pd.DataFrame], *, evaluation: dict, outlier_share: float | None,
            alpha: float, quotes_theme=None, quotes_area=None, comparison_all=None) -> dict:
    """Everything the template shows, from the tables read back from reports/tables/."""
    from engagement.analysis.disclosure import policy_text
    from engagement.privacy.deidentify import redaction_summary

    findings = _records(t.get("key_findings"))
    comp = t.get("area_comparisons")
    test = comp["test"].dropna().iloc[0] if comp is not None and len(comp) and comp["test"].notna().any() else ""
    red = a.redactions
    w = a.prepare_summary.get("withdrawal", {})
    prov = t["provenance"]
    by_kind = t.get("theme_by_kind")
    kind_rows = []
    if by_kind is not None and len(by_kind) and by_kind["kind"].nunique() > 1:
        kinds = list(dict.fromkeys(by_kind["kind"]))
        for tid, part in by_kind.groupby("theme_id", sort=False):
            cells = {r["kind"]: cell(r) for r in _records(part)}
            kind_rows.append({"theme": part["theme"].iloc[0], "cells": [cells.get(k, "–") for k in kinds]})
        kind_header = [str(k).replace("_", " ") for k in kinds]
    else:
        kind_header = []
    return {
        "totals": {k: _provenance_value(t, k) for k in ("sessions", "took_part", "analysed")},
        "opening": opening(t),
        "findings": findings,
        "no_findings": None if findings else no_findings(t, alpha),
        "alpha": alpha, "test": test,
        "themes": theme_sections(a, t, t.get("quotes", pd.DataFrame(columns=["section", "theme"]))),
        "regions": area_sections(a, t, alpha),
        "by_kind": {"header": kind_header, "rows": kind_rows},
        "sample": _records(t["sample"]),
        "topics": _records(t.get("topics"))[:TOPICS_SHOWN],   # the figure's topics; topics.csv has every one
        "topics_more": max(0, len(_records(t.get("topics"))) - TOPICS_SHOWN),
        "outlier_share": outlier_share,
        "stance_table": _records(t.get("stance_by_theme")),
        "limitations": limitations(a, t, evaluation, outlier_share, alpha),
        "policy": policy_text(a.cfg.min_cell),
        "thresholds": semantic_thresholds(a),
        "evaluation": evaluation,
        "agreement": _records(t.get("agreement")),
        "codebook_version": a.code_summary.get("codebook_version", ""),
        "deid": {"redactions": len(red), "types": red["type"].value_counts().sort_index().to_dict() if len(red) else {},
                 "sessions": int(redaction_summary(red)["session_id"].nunique()) if len(red) else 0,
                 "withdrawn": w.get("participants_removed", 0), "withdrawn_turns": w.get("turns_removed", 0)},
        "words": a.prepare_summary.get("words"),
        "provenance": _records(prov),
        "settings": {"seed": a.cfg.seed, "embedding": a.cfg.topics.get("embedding"),
                     "topic_method": a.cfg.topics.get("method"),
                     "guided": a.code_summary.get("topics_guided") or {}},
    }
