"""Write the four notebooks' cells. Run, then execute them to store outputs:

    python tools/make_notebooks.py && make notebooks

A cell whose source is unchanged keeps the outputs it has in the committed notebook, so nbval
still compares it before `make notebooks` refreshes the rest; changed and new cells have none.

Notebooks stay thin: they call the package and show results with a sentence of explanation.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parents[1] / "notebooks"


def params(src: str):
    return new_code_cell(src, metadata={"tags": ["parameters"]})


def md(src: str):
    return new_markdown_cell(src)


def code(src: str, ignore: bool = False):
    if ignore:
        src = "# NBVAL_IGNORE_OUTPUT\n" + src
    return new_code_cell(src)


SETUP = """import pandas as pd
pd.set_option("display.max_rows", 60)
pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 160)
pd.set_option("display.precision", 3)
pd.set_option("display.max_colwidth", None)  # quotes and labels are shown whole"""

NOTEBOOKS = {
    "01-prepare-transcripts.ipynb": [
        md("# 01 · Prepare transcripts\n\nReads every file listed in the manifest (`sessions.csv`, `participants.csv`), "
           "detects its export format, splits it into speaker turns, cleans the text, removes withdrawn participants, "
           "replaces personal details with placeholders, and splits turns into sentences. It writes the tables "
           "`sessions`, `participants`, `turns`, `segments` and `redactions` to `data/processed/`.\n\n"
           "Nothing here shows raw text: everything below is already de-identified."),
        params('config_path: str = ""  # project YAML file; empty means engagement.yaml in the project root\n'
               'segmentation: str = ""  # model (spaCy parser), fast (rule-based sentencizer); empty: the config\'s'),
        code(SETUP + """
from engagement import load_config, prepare
from engagement.params import check_choice

overrides = {"segmentation": check_choice("segmentation", segmentation, ("model", "fast"))} if segmentation else {}
cfg = load_config(config_path or None, **overrides)
result = prepare(cfg)
tables = result.tables"""),
        md("## What was read\n\nOne row per file: the format the suite detected from the file's content, the text "
           "encoding that decoded it, and how many turns and words it holds after cleaning. A survey that spans "
           "areas takes each respondent's area from its region column."),
        code('''tables["sessions"][["session_id", "region", "kind", "format", "encoding", "n_turns", "n_words"]].fillna(
    {"region": "per respondent"})'''),
        md("## Who took part\n\nParticipants (and survey respondents) per area and session kind. Facilitators are kept "
           "in the turns but left out of every measure."),
        code("""people = tables["participants"].merge(tables["sessions"][["session_id", "kind"]], on="session_id")
pd.crosstab(people["region"], [people["kind"], people["role"]], margins=True)"""),
        md("## Consent withdrawals\n\nParticipants listed in `withdrawals.csv` are removed from every table before "
           "anything is analysed; their words cannot reach a quote, a count or a figure."),
        code("""w = result.summary["withdrawal"]
print(f"withdrawn participants removed: {w['participants_removed']} ({w['turns_removed']} turns)")
print(f"ids in withdrawals.csv that matched nobody: {w['unmatched_withdrawals'] or 'none'}")"""),
        md("## De-identification\n\nPersonal details replaced, by type and session. The `redactions` table records "
           "where and what type, and a salted hash of each value, never the value itself."),
        code("""from engagement.privacy.deidentify import redaction_summary
redaction_summary(tables["redactions"])"""),
        md("## Sentences\n\nThe first few analysed sentences (segments), with the lemmas the codebook rules match on."),
        code('tables["segments"][["segment_id", "region", "kind", "role", "text"]].head(8)'),
    ],
    "02-code-themes.ipynb": [
        md("# 02 · Code themes\n\nCodes every participant sentence with the codebook's rules (each code keeps the "
           "words that triggered it), fits BERTopic topics once across all areas, maps topics to codebook themes, "
           "and classifies each sentence's stance: concern, support, support with conditions, mixed or neutral. "
           "Writes `codings`, `topics`, `segment_topics` and `stance`."),
        params('codebook: str = "default"  # default, or a path to your own codebook YAML\n'
               'embedding: str = ""  # minilm (sentence embeddings), tfidf (fast, no neural model); empty: the config\'s\n'
               'fit_topics: bool = True  # fit BERTopic topics (False: codebook rules and stance only)'),
        code(SETUP + """
from engagement import load_config
from engagement.coding.run import run_coding
from engagement.params import check_choice

cfg = load_config()
if embedding:
    cfg = cfg.with_overrides(topics={**cfg.topics, "embedding": check_choice("embedding", embedding, ("minilm", "tfidf"))})
result = run_coding(cfg, codebook=codebook, topics=fit_topics)
t = result.tables"""),
        md("## The codebook\n\nThemes and codes with their definitions. Point the `codebook` parameter at your own "
           "YAML file to code with yours."),
        code("""from engagement.coding.run import resolve_codebook
from engagement.coding.codebook import codebook_table
book = resolve_codebook(cfg, codebook)
codebook_table(book)[["theme", "code", "label"]]"""),
        md("## How often each code fired\n\nSentences and distinct participants per code (rule codes only). These are "
           "project-wide internal counts; published tables suppress small cells."),
        code("""rules = t["codings"][t["codings"]["source"] == "rule"]
seg = pd.read_parquet(cfg.table_path("segments"))[["segment_id", "participant_id"]]
rules.merge(seg, on="segment_id").groupby(["theme", "code"]).agg(
    segments=("segment_id", "nunique"), participants=("participant_id", "nunique")).sort_values("segments", ascending=False)"""),
        md("## Evidence\n\nEvery code shows the words that triggered it, so a researcher can check the first pass "
           "line by line."),
        code("""rules.merge(pd.read_parquet(cfg.table_path("segments"))[["segment_id", "text"]], on="segment_id")[
    ["segment_id", "code", "evidence", "text"]].head(10)"""),
        md("## Topics\n\nBERTopic topics fitted on all areas' sentences, labelled by their most representative words, "
           "with the codebook themes each overlaps. Topics that match no theme are candidate new themes."),
        # topic assignments come from UMAP/HDBSCAN floating point, which differs between processors:
        # nbval runs these cells (a crash fails) but does not compare their output
        code("""from engagement.analysis import gaps as G
G.show(t["topics"][["topic_id", "label", "size", "themes", "candidate_new_theme"]],
       empty=G.topics_gap(t["topics"], result.summary, fitted=fit_topics))""", ignore=True),
        md("## Topics by area and by session kind\n\nBecause topics were fitted once on all areas, a topic means the "
           "same thing everywhere: these tables compare how much of each area's (and each session kind's) talk fell "
           "in each topic. Internal counts of sentences; the published report suppresses small cells."),
        code("""from engagement.coding.topic_themes import topics_per_class
segs = pd.read_parquet(cfg.table_path("segments"))
no_topics = G.topics_gap(t["topics"], result.summary, fitted=fit_topics)
if no_topics:
    print(no_topics)
else:
    per_region = topics_per_class(segs, t["segment_topics"], t["topics"], by="region")
    display(per_region.pivot(index="label", columns="region", values="share_of_segments").fillna(0).round(3))
    per_kind = topics_per_class(segs, t["segment_topics"], t["topics"], by="kind")
    display(per_kind.pivot(index="label", columns="kind", values="share_of_segments").fillna(0).round(3))""", ignore=True),
        md("## Stance\n\nHow the sentences split between concern, support and support with conditions, with the cues "
           "that decided a few of them."),
        code("""print(t["stance"]["stance"].value_counts().to_string() or "no participant statements to classify")
t["stance"][t["stance"]["stance"] != "neutral"][["segment_id", "stance", "cues"]].head(8)"""),
        md("## Agreement with the hand-coded reference\n\nWhere a hand-coded reference exists "
           "(`coding_reference.csv` beside the manifest), per-code precision, recall, F1 and Cohen's kappa of the "
           "rules against it, and stance accuracy."),
        code("""from engagement.coding.run import evaluate_against_reference
evaluation = evaluate_against_reference(cfg, t["codings"], t["stance"])
evaluation["codes"] if evaluation else "no hand-coded reference found\""""),
        md("## Agreement between coders\n\nThe autocoder (rules and learned layer) against each human coder: the "
           "hand-coded reference and anyone who filled in a coding sheet (`engagement sheet export` / `import`), and "
           "human against human, over the segments both saw. The same table is published as "
           "`reports/tables/agreement.csv`."),
        code("""from engagement.analysis.loader import load_analysis
from engagement.report.sections import agreement_table
analysis = load_analysis(cfg)
agreement = agreement_table(analysis)
agreement.round(3) if len(agreement) else "only one coder: nothing to compare\""""),
        md("Per code: each coder's prevalence, percent agreement, Cohen's kappa and Krippendorff's alpha (a code "
           "nobody or everybody applied has no kappa, and says so). Then the list to reconcile: every code one "
           "coder applied and another did not, on segments both saw; it is saved with each segment's text "
           "(owner-only, not published) as `processed/human/disagreements.csv`."),
        code("""from engagement.report.sections import disagreement_list, save_disagreements
per_code = agreement_table(analysis, per_code=True)
display(per_code.round(3).head(40) if len(per_code) else "only one coder: nothing to compare")
to_reconcile = disagreement_list(analysis)
saved = save_disagreements(analysis)
print(f"{len(to_reconcile):,} disagreement(s) to reconcile" + (f", saved to {saved.relative_to(cfg.root)}" if saved else ""))
to_reconcile.drop(columns="text", errors="ignore").head(20)   # the texts are in the saved file only"""),
    ],
    "03-concerns-by-topic-and-region.ipynb": [
        md("# 03 · Concerns by topic and region\n\nFor one area (or `all`): how many participants raised each theme, "
           "with 95% intervals that respect clustering within sessions; how statements on each theme split between "
           "concern and support; where areas differ; and representative quotes. Small counts follow the disclosure "
           "control policy (README): a non-sensitive count below `min_cell` reads as a band (\"fewer than 5\"), a "
           "sensitive one reads \"suppressed\", never zero."),
        params('region: str = "all"  # a configured region, or all\n'
               'quotes_per_theme: int = 2  # exemplar quotes per theme'),
        code(SETUP + """
from engagement import load_config
from engagement.analysis.loader import load_analysis, segment_embeddings
from engagement.params import check_positive_int, check_region
from engagement.report import figures as F
from engagement.report.sections import sensitive_themes
from engagement.analysis.measures import theme_prevalence, stance_by_theme
from engagement.analysis import gaps as G

cfg = load_config()
check_region(region, cfg)
check_positive_int("quotes_per_theme", quotes_per_theme)
full = load_analysis(cfg)
a = full.for_region(region)
by = "region" if region == "all" else "kind"
protect = dict(min_cell=cfg.min_cell, seed=cfg.seed, themes=a.themes, sensitive_themes=sensitive_themes(full))
n_people = a.segments.loc[a.segments["role"] != "facilitator", "participant_id"].nunique()
print(f"region: {region}; participants: {n_people}; disclosure threshold: {cfg.min_cell}")
G.show(None, notes=[G.region_gap(a.segments, region)])"""),
        md("## How many participants raised each theme\n\nShare of participants (not sentences) who raised the theme at "
           "least once, with a 95% cluster-bootstrap interval. Broken down by area for `all`, by session kind for "
           "one area. `published_as` says how each cell may be published."),
        code("""prev = theme_prevalence(a.segments, a.rule_codings, by=by, **protect)
G.show(G.for_display(prev, a.labels)[["theme", by, "participants", "participants_total", "share", "ci_low", "ci_high",
                                      "published_as"]],
       empty=G.prevalence_gap(prev, min_cell=cfg.min_cell),
       notes=[G.unraised_gap(prev, a.labels), G.one_session_gap(a.segments, by)])"""),
        md("The heat map draws the shares above: a band is printed in its cell, a suppressed cell is hatched."),
        code("""fig, shown = F.prevalence_heatmap(prev, by=by, labels=a.labels, order=list(cfg.regions) if by == "region" else None,
                                  min_cell=cfg.min_cell)
G.show(shown, empty=G.prevalence_gap(prev, min_cell=cfg.min_cell), figure=fig)"""),
        md("## By session kind and by age band\n\nThe same share of participants, split by how people took part "
           "(focus group, interview, survey) and by the age band recorded in `participants.csv` (survey respondents "
           "have none: \"not recorded\"). A breakdown by a participant attribute suppresses small counts."),
        code("""from engagement.analysis.measures import attach_attribute
by_kind = theme_prevalence(a.segments, a.rule_codings, by="kind", **protect)
G.show(G.wide(by_kind, by="kind", labels=a.labels), empty=G.prevalence_gap(by_kind, min_cell=cfg.min_cell))"""),
        code("""with_age = attach_attribute(a.segments, a.participants, "age_band")
by_age = theme_prevalence(with_age, a.rule_codings, by="age_band", **protect)
G.show(G.wide(by_age, by="age_band", values="participants", labels=a.labels),
       empty=G.attribute_gap(a.participants, "age_band") or G.prevalence_gap(by_age, min_cell=cfg.min_cell))"""),
        md("## Concern and support within each theme\n\nOf all the statements coded with a theme (neutral included), "
           "the share expressing concern, support, support with conditions (\"yes, as long as...\"), mixed or neutral."),
        code("""st = stance_by_theme(a.segments, a.rule_codings, a.stance, min_cell=cfg.min_cell)
fig, shown = F.stance_diverging(st, labels=a.labels, min_cell=cfg.min_cell)
G.show(shown, empty=G.stance_gap(st, min_cell=cfg.min_cell), figure=fig)"""),
        md("## Where this area differs\n\nEach area against all other areas, per theme: people who raised it, a "
           "session permutation test (people in one focus group are not independent), Benjamini-Hochberg adjusted "
           "across every comparison. Only comparisons whose area cell is published as a value are shown; "
           "`significant` marks the differences that survive."),
        code("""from engagement.analysis.findings import compare_groups
from engagement.report.sections import publishable_comparisons
comparison = compare_groups(full.segments, full.rule_codings, by="region", min_cell=cfg.min_cell, seed=cfg.seed,
                            groups=list(cfg.regions))
full_prev = theme_prevalence(full.segments, full.rule_codings, by="region", **protect)
shown = publishable_comparisons(comparison, full_prev)
mine = shown if region == "all" else shown[shown["region"] == region]
mine = mine.assign(theme=mine["theme"].map(a.labels))[["theme", "region", "share", "rest_share", "effect", "low", "high",
                                                       "p_adjusted", "significant"]]
G.show(G.no_nan(mine.sort_values(["significant", "p_adjusted"], ascending=[False, True]).head(12).round(3), "–"),
       empty=G.region_gap(a.segments, region) or G.comparison_gap(full.segments, comparison, min_cell=cfg.min_cell))"""),
        md("## Themes raised together\n\nPeople who raised both themes of a pair (anywhere in what they said), each "
           "pair once. Small counts are banded, pairs with a sensitive theme suppressed."),
        code("""from engagement.analysis.measures import cooccurrence
people = cooccurrence(a.segments, a.rule_codings, unit="participant", min_cell=cfg.min_cell)
fig, shown = F.cooccurrence_heatmap(people, labels=a.labels, min_cell=cfg.min_cell)
G.show(shown, empty=G.cooccurrence_gap(people, min_cell=cfg.min_cell, unit="participant"), figure=fig)"""),
        md("## Representative quotes\n\nWhole statements near the centre of each theme's sentences, from different "
           "participants and sessions, with the speaker's neighbouring sentence as context; each is shown with its "
           "stance. For one area: the themes it differs on, then its most raised. De-identified and attributed by "
           "pseudonym, area and session kind only."),
        code("""from engagement.analysis.quotes import area_quotes, exemplar_quotes
emb = segment_embeddings(a.segments, cfg)
if region == "all":
    q = exemplar_quotes(a.segments, a.rule_codings, emb, by="all", per_cell=quotes_per_theme, min_cell=cfg.min_cell,
                        stance=a.stance)
else:
    q = area_quotes(full.segments, full.rule_codings, emb, prevalence=full_prev,
                    comparison=comparison[comparison["significant"]], stance=full.stance, themes_per_area=3,
                    per_theme=quotes_per_theme, min_cell=cfg.min_cell)
    q = q[q["region"] == region]
G.show(q.assign(theme=q["theme"].map(a.labels))[["theme", "stance", "display", "attribution"]],
       empty=G.quotes_gap(q, min_cell=cfg.min_cell, where=region))"""),
    ],
    "04-summary-report.ipynb": [
        md("# 04 · Summary report\n\nRenders the figures to `figures/` (PNG and SVG) and the self-contained report "
           "`reports/summary.html` (and a PDF where Chromium is installed), then runs the leak check over everything "
           "written."),
        params('run_id: str = ""  # the batch run id printed in the report; empty when run by hand'),
        code(SETUP + """
from engagement import load_config
from engagement.report.builder import build_report
from engagement.privacy.leak import leak_check

cfg = load_config()
report = build_report(cfg, run_id=run_id)"""),
        md("## Key findings\n\nThe report's opening line and the differences between areas that survive the "
           "Benjamini-Hochberg adjustment, read from `reports/tables/key_findings.csv` (the report renders the same "
           "file)."),
        code("""from engagement.report.tables import read_tables
tables = read_tables(cfg.reports_dir / "tables")
print(report.opening)
for finding in report.findings or [report.no_findings]:
    print("-", finding)"""),
        md("## The published tables\n\nEvery number in the report is a cell of one of these CSVs; `README.md` beside "
           "them is the data dictionary. The share of each theme by area, as published:"),
        code("""by_region = tables["theme_by_region"]
by_region.assign(cell=[f"{s:.0%}" if p == "value" else (b if p == "band" else "suppressed")
                       for s, p, b in zip(by_region["share"], by_region["published_as"], by_region["band"])]
                 ).pivot(index="theme", columns="region", values="cell").reindex(
    columns=[r for r in cfg.regions if r in set(by_region["region"])])"""),
        md("## Figures\n\nAs they print in the report (A4 width)."),
        code("""from engagement.analysis.gaps import show_image
for key, paths in report.figures.items():
    show_image(paths["png"])"""),
        md("## What is missing, and why\n\nWhat the report leaves out (a figure with nothing to draw, suppressed cells, "
           "topics not fitted), each with the reason; the report says the same in place."),
        code("""for part, sentence in report.gaps.items():
    print(f"{part}: {sentence}")
if not report.gaps:
    print("nothing is missing")"""),
        md("## Files written"),
        code("""for key, paths in report.figures.items():
    print(f"{key:<13}", paths["png"].name, paths["svg"].name)
print("report:", report.html.name, "| pdf:", report.pdf.name if report.pdf else "not made (no Chromium)")""", ignore=True),
        md("## Leak check\n\nRe-scans data/processed, figures/ and reports/ for any redacted value or detectable "
           "personal detail. It must say `0 findings`."),
        code("""from engagement.coding.run import suite_vocabulary
findings = leak_check(cfg, vocabulary=suite_vocabulary(cfg))
print(f"{len(findings)} findings")"""),
    ],
}


def keep_outputs(cells: list, path: Path) -> list:
    """Copy outputs (and execution counts) from the notebook at ``path`` into cells whose source is unchanged."""
    if not path.is_file():
        return cells
    old = {c.source: c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"}
    for cell in cells:
        prev = old.get(cell.source)
        if cell.cell_type == "code" and prev is not None:
            cell.outputs, cell.execution_count = prev.get("outputs", []), prev.get("execution_count")
    return cells


def stable_ids(cells: list) -> list:
    """Cell ids from position and source, so regenerating an unchanged notebook changes nothing."""
    for i, cell in enumerate(cells):
        cell.id = f"c{i:02d}-{hashlib.sha1(cell.source.encode('utf-8')).hexdigest()[:8]}"
    return cells


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=stable_ids(keep_outputs(cells, HERE / name)))
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        path = HERE / name
        nbformat.write(nb, path)
        print("wrote", path)


if __name__ == "__main__":
    main()
