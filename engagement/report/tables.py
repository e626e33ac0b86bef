"""The published tables behind every number in the report: reports/tables/*.csv and their dictionary.

The report is rendered from these tables after they are written, so a number on the page can be
traced to a row of a CSV a reviewer can open. Every table is already de-identified and
disclosure-controlled when it arrives here: a protected cell has no number, only how it was
published (``published_as``: value, band or suppressed).

Each table's columns are declared once in :data:`DICTIONARY`; :func:`write_tables` refuses a
table whose columns differ from its entry, so the data dictionary can never drift from the files.

Example:
    >>> from engagement.report.tables import DICTIONARY
    >>> "published_as" in DICTIONARY["theme_by_region"]["columns"]
    True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from engagement.io import atomic_write_text

_PUBLISHED = "how the cell is published: value (the count and share are given), band (a small count shown as 'fewer than N'), or suppressed (withheld to protect participants)"

DICTIONARY: dict[str, dict] = {
    "sample": {
        "about": "Sessions and participants by area and kind of session (participants and survey respondents; facilitators are not counted).",
        "columns": {
            "region": "the area (Healthwatch area), in the configured order",
            "kind": "focus group, interview or survey",
            "sessions": "number of sessions",
            "participants": "number of people who took part (survey respondents with a blank answer included)",
            "analysed": "people with at least one analysed statement (the base of every share)",
        },
    },
    "theme_overall": {
        "about": "Share of all analysed participants who raised each theme at least once.",
        "columns": {
            "theme_id": "the codebook's theme id",
            "theme": "the theme's label",
            "participants": "people who raised the theme (blank when not published as a value)",
            "n_total": "people analysed",
            "share": "participants / n_total",
            "low": "lower end of the 95% cluster-bootstrap interval (sessions resampled)",
            "high": "upper end of the 95% interval",
            "published_as": _PUBLISHED,
            "band": "the band shown instead of a small count (blank otherwise)",
        },
    },
    "theme_by_region": {
        "about": "Share of each area's analysed participants who raised each theme at least once.",
        "columns": {
            "theme_id": "the codebook's theme id",
            "theme": "the theme's label",
            "region": "the area",
            "participants": "people in the area who raised the theme (blank when not published as a value)",
            "n_area": "people analysed in the area",
            "share": "participants / n_area",
            "low": "lower end of the 95% cluster-bootstrap interval (sessions resampled)",
            "high": "upper end of the 95% interval",
            "published_as": _PUBLISHED,
            "band": "the band shown instead of a small count (blank otherwise)",
        },
    },
    "theme_by_kind": {
        "about": "Share of participants who raised each theme, by kind of session (discussion and survey apart).",
        "columns": {
            "theme_id": "the codebook's theme id",
            "theme": "the theme's label",
            "kind": "focus group, interview or survey",
            "participants": "people who raised the theme (blank when not published as a value)",
            "n_kind": "people analysed in sessions of this kind",
            "share": "participants / n_kind",
            "low": "lower end of the 95% interval",
            "high": "upper end of the 95% interval",
            "published_as": _PUBLISHED,
            "band": "the band shown instead of a small count (blank otherwise)",
        },
    },
    "area_comparisons": {
        "about": "Each area against all other areas, per theme: every comparison tested, significant or not.",
        "columns": {
            "theme_id": "the codebook's theme id",
            "theme": "the theme's label",
            "region": "the area",
            "share": "share of the area's participants who raised the theme",
            "rest_share": "share of participants in all other areas",
            "effect": "difference in proportions, share - rest_share",
            "low": "lower end of the 95% cluster-bootstrap interval of the difference",
            "high": "upper end of the 95% interval of the difference",
            "p_value": "p-value of the test named in 'test'",
            "p_adjusted": "Benjamini-Hochberg adjusted p-value over every comparison in this table",
            "significant": "true when p_adjusted is below the configured level (alpha)",
            "test": "the test used",
        },
    },
    "key_findings": {
        "about": "The comparisons that survive the Benjamini-Hochberg adjustment: the report's key findings.",
        "columns": {
            "theme_id": "the codebook's theme id",
            "theme": "the theme's label",
            "region": "the area",
            "share": "share of the area's participants who raised the theme",
            "rest_share": "share of participants in all other areas",
            "effect": "difference in proportions, share - rest_share",
            "low": "lower end of the 95% interval of the difference",
            "high": "upper end of the 95% interval of the difference",
            "p_adjusted": "Benjamini-Hochberg adjusted p-value",
            "significant": "always true here",
            "sentence": "the sentence the report prints",
        },
    },
    "stance_by_theme": {
        "about": "How each theme's coded statements split by stance; shares of all its statements, neutral included.",
        "columns": {
            "theme_id": "the codebook's theme id",
            "theme": "the theme's label",
            "statements": "statements coded with the theme (blank when suppressed)",
            "participants": "people who made them (blank when suppressed)",
            "concern": "share of statements expressing concern",
            "support": "share expressing support",
            "conditional_support": "share expressing support on conditions",
            "mixed": "share expressing both",
            "neutral": "share expressing neither",
            "published_as": "value, or suppressed when fewer than min_cell people made the statements",
        },
    },
    "cooccurrence_people": {
        "about": "People who raised both themes of a pair (each pair once).",
        "columns": {
            "theme_a": "first theme's label",
            "theme_b": "second theme's label",
            "participants": "people who raised both (blank when suppressed)",
            "published_as": "value, or suppressed when fewer than min_cell people",
        },
    },
    "topics": {
        "about": "Topics fitted across all areas, and the codebook theme each overlaps most.",
        "columns": {
            "topic": "the topic's label (its characteristic phrases)",
            "statements": "statements in the topic",
            "share": "share of all statements",
            "theme": "the label of the theme whose statements it shares most ('no theme' when none)",
            "theme_share": "share of the topic's statements coded with that theme",
            "candidate_new_theme": "true when the topic matches no theme and is large and coherent enough to review as a possible new code",
        },
    },
    "quotes": {
        "about": "The quotes the report shows (de-identified), with why each was chosen.",
        "columns": {
            "section": "where the quote appears: 'theme' or 'area'",
            "region": "the area ('all' in the theme sections)",
            "theme": "the theme's label",
            "reason": "why this theme is illustrated (distinctive, most raised, or the theme's own section)",
            "stance": "the quote's stance",
            "quote": "the de-identified sentence, with its speaker's neighbouring sentence(s)",
            "attribution": "pseudonym, area and kind of session",
        },
    },
    "agreement": {
        "about": "Agreement between coders over the segments both saw: the autocoder (rules and learned layer) against each human coder, and human against human.",
        "columns": {
            "coder_a": "first coder ('autocoder' for the suite's rules and semantic layer)",
            "coder_b": "second coder (a coding sheet's coder, or the hand-coded reference)",
            "n_segments": "segments both coders saw",
            "n_codes": "codes compared",
            "percent_agreement": "share of segment x code decisions on which they agree",
            "kappa": "Cohen's kappa pooled over codes (micro-average of the 2x2 tables)",
            "alpha": "Krippendorff's alpha (nominal) over all segment x code decisions",
            "n_codes_low_kappa": "codes whose own kappa is below 0.6",
            "n_codes_undefined": "codes whose kappa is undefined (neither coder, or both always, applied it)",
        },
    },
    "provenance": {
        "about": "What this report was computed from: the run, the input tables' hashes and the settings that decide the numbers.",
        "columns": {
            "item": "what is described",
            "value": "its value",
        },
    },
}


def check_columns(name: str, table: pd.DataFrame) -> None:
    """Refuse a table whose columns are not exactly its dictionary entry (in order)."""
    want = list(DICTIONARY[name]["columns"])
    got = list(table.columns)
    if got != want:
        raise ValueError(f"published table {name!r} has columns {got}, its data dictionary says {want}")


def dictionary_table() -> pd.DataFrame:
    """The data dictionary as a table: file, column, meaning."""
    rows = [{"file": f"{name}.csv", "column": col, "meaning": meaning}
            for name, entry in DICTIONARY.items() for col, meaning in entry["columns"].items()]
    return pd.DataFrame(rows, columns=["file", "column", "meaning"])


def dictionary_markdown() -> str:
    lines = ["# Published tables", "",
             "Every number in the summary report is read from one of these files. Protected cells carry no",
             "number: `published_as` says how each cell is published.", ""]
    for name, entry in DICTIONARY.items():
        lines += [f"## {name}.csv", "", entry["about"], "", "| column | meaning |", "|---|---|"]
        lines += [f"| `{col}` | {meaning} |" for col, meaning in entry["columns"].items()]
        lines.append("")
    return "\n".join(lines)


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> dict[str, Path]:
    """Write each table as ``folder/<name>.csv`` plus data_dictionary.csv and README.md; return the paths.

    Files from an earlier run that this run does not write are removed, so the folder never holds a
    table the report no longer shows.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, table in tables.items():
        check_columns(name, table)
        path = folder / f"{name}.csv"
        atomic_write_text(path, table.to_csv(index=False, float_format="%.4f", lineterminator="\n"))
        written[name] = path
    atomic_write_text(folder / "data_dictionary.csv", dictionary_table().to_csv(index=False, lineterminator="\n"))
    atomic_write_text(folder / "README.md", dictionary_markdown())
    keep = {p.name for p in written.values()} | {"data_dictionary.csv", "README.md"}
    for old in folder.glob("*.csv"):
        if old.name not in keep:
            old.unlink()
    return written


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The published tables as a reader would load them (the report renders from these)."""
    out = {}
    for name in DICTIONARY:
        path = Path(folder) / f"{name}.csv"
        if path.is_file():
            out[name] = pd.read_csv(path, keep_default_na=True, dtype={"band": str, "published_as": str})
    return out
