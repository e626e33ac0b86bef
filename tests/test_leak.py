"""The leak check: planted values are found in every readable output kind; clean outputs pass."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from engagement.config import load_config
from engagement.privacy.deidentify import Pseudonymiser, build_detector, deidentify_turns, load_salt
from engagement.errors import LeakError
from engagement.io import write_table
from engagement.privacy.leak import Finding, leak_check, leak_report
from tests.conftest import write_project

RAW_TURNS = [
    "Thanks, Sarah. My husband Derek rang from 07700 900461.",
    "My NHS number is 943 476 5919 and we live in Peldon.",
    "Tomasz said the GP at Addenbrooke's was fine.",
]


@pytest.fixture
def project(tmp_path):
    """A project after prepare: salt, register of redacted values, de-identified turns."""
    root = write_project(tmp_path, config_extra="deidentify:\n  deny_list: [Peldon]\n")
    cfg = load_config(root / "engagement.yaml")
    turns = pd.DataFrame({"session_id": "ESX-FG1", "turn_index": range(3), "text": RAW_TURNS})
    detector = build_detector(cfg, use_ner=False)
    new, red = deidentify_turns(turns, detector, Pseudonymiser(load_salt(cfg)))
    write_table(red, "redactions", cfg.table_path("redactions"))
    new.to_parquet(cfg.table_path("turns_text"), index=False)
    return cfg, new


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _notebook(outputs_text: str, image_png: str = "") -> str:
    data = {"text/plain": [outputs_text], "text/html": [f"<p>{outputs_text}</p>"]}
    if image_png:
        data["image/png"] = image_png   # base64: holds no text, never read as text
    return json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["# Region report\n", "Quotes are de-identified."], "metadata": {}},
        {"cell_type": "code", "source": "show(quotes)", "metadata": {}, "execution_count": 1, "outputs": [
            {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": data}]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_clean_outputs_pass(project):
    cfg, new = project
    assert "Derek" not in " ".join(new["text"])
    _write(cfg.figures_dir / "themes.svg",
           '<svg xmlns="http://www.w3.org/2000/svg"><text>Trust [PERSON_2]</text></svg>')
    _write(cfg.reports_dir / "03-Essex.ipynb", _notebook("[PERSON_1] said the GP at Addenbrooke's was fine."))
    _write(cfg.reports_dir / "summary.html", "<html><body><h1>Essex</h1><p>NHS, A&amp;E, 111.</p></body></html>")
    assert leak_check(cfg) == []


def test_a_planted_value_in_a_parquet_table_is_found(project):
    cfg, new = project
    leaked = new.copy()
    leaked.loc[1, "text"] = "Ring me on 07700 900461 please"
    leaked.to_parquet(cfg.table_path("turns_text"), index=False)
    findings = leak_check(cfg)
    assert findings == [Finding("data/processed/turns_text.parquet", "row 1, column text", "PHONE",
                                "redacted value reappears")]


def test_a_redacted_name_reappearing_is_found_by_its_hash_alone(project):
    cfg, _ = project
    # "Derek" was caught by context ("my husband Derek"); bare in a table cell no rule would see it
    pd.DataFrame({"quote": ["nothing here", "Derek"]}).to_parquet(cfg.processed_dir / "quotes.parquet")
    assert leak_check(cfg) == [Finding("data/processed/quotes.parquet", "row 1, column quote", "PERSON",
                                       "redacted value reappears")]


def test_a_planted_value_in_an_svg_text_element_is_found(project):
    cfg, _ = project
    _write(cfg.figures_dir / "quotes.svg", '<svg xmlns="http://www.w3.org/2000/svg"><g><text x="1">Trust</text>'
                                           '<text x="2"><tspan>Peldon</tspan> surgery</text></g></svg>')
    (finding,) = leak_check(cfg)
    assert (finding.file, finding.location, finding.type) == ("figures/quotes.svg", "<tspan> #1", "LOCATION")


def test_matplotlib_svg_text_drawn_as_paths_is_still_read(project):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg, _ = project
    fig, ax = plt.subplots()
    ax.set_title("Quotes from Tomasz")
    cfg.figures_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(cfg.figures_dir / "fig.svg", format="svg")
    fig.savefig(cfg.figures_dir / "fig.png", format="png")
    plt.close(fig)
    report = leak_report(cfg)
    assert [(f.file, f.type) for f in report.findings] == [("figures/fig.svg", "PERSON")]
    assert any("PNG" in note for note in report.notes)


def test_a_planted_value_in_a_notebook_output_is_found(project):
    cfg, _ = project
    _write(cfg.reports_dir / "runs" / "r1" / "03-Essex.ipynb", _notebook("Her NHS number is 943 476 5919."))
    findings = leak_check(cfg)
    assert {(f.location, f.type) for f in findings} == {
        ("cell 1 output 0 text/plain, line 1", "NHS_NUMBER"), ("cell 1 output 0 text/html, line 1", "NHS_NUMBER")}
    assert all(f.file == "reports/runs/r1/03-Essex.ipynb" for f in findings)


def test_detector_finds_details_never_redacted_before(project):
    cfg, _ = project
    _write(cfg.reports_dir / "table.csv", "theme,quote\ntrust,email me at new.person@example.org\n")
    assert leak_check(cfg) == [Finding("reports/table.csv", "row 2, column 2", "EMAIL", "detector still finds EMAIL")]


def test_raise_on_findings_raises_a_leak_error_without_the_value(project):
    cfg, _ = project
    _write(cfg.reports_dir / "summary.md", "# Summary\n\nSarah Jenkins said it.\n")
    with pytest.raises(LeakError) as info:
        leak_check(cfg, raise_on_findings=True)
    assert info.value.exit_code == 3
    assert "summary.md" in str(info.value) and "Sarah" not in str(info.value)


def test_given_paths_are_scanned_instead(project, tmp_path):
    cfg, _ = project
    other = _write(tmp_path / "elsewhere" / "notes.txt", "call 07700 900461\n")
    _write(cfg.reports_dir / "summary.md", "Sarah Jenkins\n")
    findings = leak_check(cfg, paths=[other.parent])
    assert [(f.location, f.type) for f in findings] == [("line 1", "PHONE")]


def test_pseudonyms_recorded_in_the_register_are_not_findings(tmp_path):
    root = write_project(tmp_path, config_extra="deidentify:\n  pseudonyms: true\n")
    cfg = load_config(root / "engagement.yaml")
    turns = pd.DataFrame({"session_id": "S", "turn_index": [0], "text": ["Thanks, Sarah, ring 07700 900461."]})
    new, red = deidentify_turns(turns, build_detector(cfg, use_ner=False), Pseudonymiser(load_salt(cfg), True))
    write_table(red, "redactions", cfg.table_path("redactions"))
    new.to_parquet(cfg.table_path("turns_text"), index=False)
    assert "Sarah" not in new.loc[0, "text"] and "07700 900" in new.loc[0, "text"]
    assert leak_check(cfg) == []


def test_a_few_megabytes_scan_in_seconds(project):
    cfg, new = project
    text = ("People said [PERSON_1] was right that the GP and the hospital at Addenbrooke's should share records, "
            "but the NHS must say who sees them and why. ")
    big = pd.DataFrame({"text": [text * 4] * 4000})     # about 2 MB of text
    big.to_parquet(cfg.processed_dir / "big.parquet")
    start = time.perf_counter()
    assert leak_check(cfg) == []
    assert time.perf_counter() - start < 30


def test_a_value_repeated_in_a_table_is_reported_at_every_place(project):
    cfg, _ = project
    pd.DataFrame({"quote": ["Ring me on 07700 900461", "nothing here", "Ring me on 07700 900461"]}).to_parquet(
        cfg.processed_dir / "quotes.parquet")
    assert [(f.location, f.type, f.reason) for f in leak_check(cfg)] == [
        ("row 0, column quote", "PHONE", "redacted value reappears"),
        ("row 2, column quote", "PHONE", "redacted value reappears")]


def test_a_text_scanned_once_is_still_reported_in_every_file_that_holds_it(project):
    # the scan remembers texts it has seen (segments, their cache, codings' evidence repeat them):
    # a leak in the second file must still be found there, and a clean text stays clean
    cfg, _ = project
    for name in ("a.parquet", "cache/segments/b.parquet"):
        path = cfg.processed_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"text": ["nothing here", "Ring me on 07700 900461"]}).to_parquet(path)
    found = [(f.file, f.location, f.type) for f in leak_check(cfg)]
    assert found == [("data/processed/a.parquet", "row 1, column text", "PHONE"),
                     ("data/processed/cache/segments/b.parquet", "row 1, column text", "PHONE")]


def test_the_allow_list_finds_what_one_regex_over_every_term_finds():
    """Allowed terms are looked for only where each of their words stands; the spans are the same."""
    import random

    from engagement.privacy.lexicon import AllowList

    terms = ["Will the computer have the final say?", "Mid and South Essex", "A&E", "St Mary's", "Grace period",
             "NHS App", "care", "Care Quality Commission", "the GP's notes", "Ely", "Ely Cathedral"]
    allow = AllowList(terms)
    whole = AllowList._regex(allow._words)
    rng = random.Random(4)
    pieces = ["will", "Will", "the computer", "have the final say?", "Mid and  South\nEssex", "a&e", "A & E",
              "st mary\u2019s", "St Marys", "grace", "period", "nhs app", "NHS-App", "Care", "careful", "quality",
              "commission", "the GP's notes", "Ely", "Elys", "cathedral", ",", ".", "and", "said", "Grace period"]
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert allow.spans(text) == [m.span() for m in whole.finditer(text)], text
    long = " ".join(rng.choice(pieces) for _ in range(20000))   # a whole report's text: thousands of matches
    assert allow.spans(long) == [m.span() for m in whole.finditer(long)]
    many = AllowList(terms + [f"term{i} word" for i in range(40)])   # many candidate terms in one text
    text = long + " " + " ".join(f"term{i} word" for i in range(40))
    assert many.spans(text) == [m.span() for m in AllowList._regex(many._words).finditer(text)]
    assert AllowList([]).spans("anything") == []
