"""Every number in the summary report can be found in reports/tables/, and the report says what they say.

The tiny project of tests/test_report.py is reported once; these tests parse the rendered HTML and
check each key finding, each area section, each theme's cells and the provenance against the CSVs
the same run wrote (as a reviewer with the files would).
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

from tests.test_report import REGIONS, build_coded_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from engagement.config import load_config

    root = build_coded_project(tmp_path_factory.getbasetemp())
    return load_config(root / "engagement.yaml")


@pytest.fixture(scope="module")
def tables(project):
    from engagement.report.tables import read_tables

    return read_tables(project.reports_dir / "tables")


@pytest.fixture(scope="module")
def soup(project):
    from bs4 import BeautifulSoup

    return BeautifulSoup((project.reports_dir / "summary.html").read_text(encoding="utf-8"), "html.parser")


def words(el) -> str:
    return " ".join(el.get_text(" ").split())


def pct(x: float) -> str:
    return f"{x:.0%}"


def test_every_published_table_matches_its_data_dictionary(project, tables):
    from engagement.report.tables import DICTIONARY

    folder = project.reports_dir / "tables"
    assert set(tables) == set(DICTIONARY)
    for name, table in tables.items():
        assert list(table.columns) == list(DICTIONARY[name]["columns"]), name
    dictionary = pd.read_csv(folder / "data_dictionary.csv")
    assert set(dictionary["file"]) == {f"{n}.csv" for n in DICTIONARY}
    assert "theme_by_region.csv" in (folder / "README.md").read_text()


def test_theme_by_region_has_the_columns_a_reviewer_needs_and_no_number_for_a_protected_cell(tables):
    t = tables["theme_by_region"]
    for col in ("theme", "region", "participants", "n_area", "share", "low", "high", "published_as"):
        assert col in t
    assert set(t["published_as"]) <= {"value", "band", "suppressed"}
    hidden = t[t["published_as"] != "value"]
    assert len(hidden), "the tiny project has small cells"
    assert hidden["participants"].isna().all() and hidden["share"].isna().all()
    assert (hidden.loc[hidden["published_as"] == "band", "band"].str.len() > 0).all()
    assert list(dict.fromkeys(t["region"])) == REGIONS, "areas in the configured order"
    shown = t[t["published_as"] == "value"]
    assert ((shown["participants"] / shown["n_area"]).round(4) - shown["share"]).abs().max() < 1e-3


def test_each_key_finding_in_the_report_is_a_row_of_key_findings_csv(soup, tables):
    found = tables["key_findings"]
    blocks = soup.find("section", id="findings").find_all("div", class_="finding")
    assert len(blocks) == len(found) > 0
    comparisons = tables["area_comparisons"]
    for block, rec in zip(blocks, found.to_dict("records")):
        text = words(block)
        assert text == rec["sentence"]
        assert block["data-region"] == rec["region"] and block["data-theme"] == rec["theme_id"]
        assert text.startswith(f"In {rec['region']}, {pct(rec['share'])} of participants raised {rec['theme'].lower()}, "
                               f"against {pct(rec['rest_share'])} elsewhere")
        assert rec["significant"] and rec["p_adjusted"] < 0.05
        assert rec["low"] > 0 or rec["high"] < 0, "a finding's interval excludes no difference"
        row = comparisons[(comparisons["theme_id"] == rec["theme_id"]) & (comparisons["region"] == rec["region"])]
        assert len(row) == 1 and row["p_adjusted"].iloc[0] == pytest.approx(rec["p_adjusted"])
    # and nothing that does not survive is listed as a finding
    survivors = comparisons[comparisons["significant"] & ((comparisons["low"] > 0) | (comparisons["high"] < 0))]
    assert len(survivors) == len(found)


def test_each_area_section_matches_theme_by_region_csv(soup, tables):
    t = tables["theme_by_region"]
    sections = soup.find("section", id="regions").find_all("section", class_="area")
    assert [s["data-region"] for s in sections] == REGIONS
    for sec in sections:
        region = sec["data-region"]
        rows = t[t["region"] == region]
        heading = sec.find("h3")
        assert int(heading["data-participants"]) == int(rows["n_area"].max())
        assert words(heading).startswith(f"{region} ({int(rows['n_area'].max())} participants")
        shown = rows[(rows["published_as"] == "value") & (rows["participants"] > 0)]
        top = shown.sort_values(["share", "theme"], ascending=[False, True]).head(5)
        spans = sec.find_all("span", class_="top-theme")
        assert [s["data-theme"] for s in spans] == list(top["theme"])
        for span, rec in zip(spans, top.to_dict("records")):
            assert words(span).startswith(f"{rec['theme']} {pct(rec['share'])} ({pct(rec['low'])}–{pct(rec['high'])})")
        mine = tables["key_findings"][tables["key_findings"]["region"] == region]
        more = [words(p) for p in sec.find_all("p", class_="more")]
        assert more == list(mine.loc[mine["effect"] > 0, "sentence"])
        if not more:
            assert "No theme was raised significantly more" in words(sec)


def test_each_theme_sections_area_cells_match_theme_by_region_csv(soup, tables):
    t = tables["theme_by_region"]
    for sec in soup.find("section", id="themes").find_all("section", class_="theme"):
        rows = t[t["theme_id"] == sec["data-theme"]].set_index("region")
        for td in sec.find_all("td", attrs={"data-region": True}):
            rec = rows.loc[td["data-region"]]
            if rec["published_as"] == "value":
                assert words(td).startswith(pct(rec["share"]))
            elif rec["published_as"] == "band":
                assert words(td) == rec["band"]
            else:
                assert words(td) == "suppressed"


def test_the_opening_line_names_the_most_raised_themes_of_theme_overall(soup, tables):
    overall = tables["theme_overall"]
    shown = overall[overall["published_as"] == "value"].sort_values(["share", "theme"], ascending=[False, True])
    opening = words(soup.find(id="opening"))
    n = int(tables["sample"]["analysed"].sum())
    assert opening.startswith(f"Of the {n} participants whose words were analysed, the themes raised most were ")
    for rec in shown.head(3).to_dict("records"):
        assert f"{rec['theme'].lower()} ({pct(rec['share'])})" in opening


def test_provenance_names_the_run_and_the_hash_of_every_input_table(project, tables, soup):
    prov = dict(zip(tables["provenance"]["item"], tables["provenance"]["value"].astype(str)))
    assert prov["run_id"] == "test-run" and words(soup.find(id="run-id")) == "test-run"
    for name in ("segments", "codings", "stance"):
        digest = hashlib.sha256(project.table_path(name).read_bytes()).hexdigest()[:16]
        assert prov[f"sha256:{name}.parquet"] == digest
    assert prov["min_cell"] == str(project.min_cell)
    text = words(soup.find("table", id="provenance"))
    assert prov["sha256:segments.parquet"] in text


def test_a_quote_shown_with_a_stance_has_that_stance(project, soup):
    from engagement.io import read_table

    segments = read_table("segments", project.table_path("segments"))
    stance = read_table("stance", project.table_path("stance")).merge(segments[["segment_id", "text"]])
    by_text = dict(zip(stance["text"], stance["stance"]))
    checked = 0
    for q in soup.find_all("blockquote"):
        label = next((c for c in q.get("class", []) if c in ("concern", "support", "conditional_support", "mixed",
                                                              "neutral")), None)
        said = words(q).split("”")[0].strip("“")
        # the quoted sentence is one of the passage's sentences; the one with the label's stance is there
        assert label in {by_text.get(t) for t in by_text if t in said}
        checked += 1
    assert checked


def test_limitations_are_written_from_the_sample_table(soup, tables):
    text = words(soup.find("section", id="limitations"))
    sample = tables["sample"]
    for region in REGIONS:
        assert f"{region} {int(sample.loc[sample['region'] == region, 'analysed'].sum())}" in text
    assert "pooled" in text and "survey" in text
    assert re.search(r"micro-averaged F1 \d\.\d\d|was not checked against a hand-coded reference", text)
