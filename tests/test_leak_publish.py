"""The leak check stops publication: a name the detector misses is found in every published kind,
reported by type, file and place without the value, and the run goes to an owner-only quarantine."""

from __future__ import annotations

import base64
import json
import stat

import pandas as pd
import pytest

from engagement.config import load_config
from engagement.errors import LeakError
from engagement.privacy import outputs
from engagement.privacy.deidentify import Pseudonymiser, build_detector, load_salt, redact_text
from engagement.privacy.leak import leak_check, quarantine, scan_outputs
from tests.conftest import write_project
from tests.test_leak import _notebook, _write

NAME = "Chidinma"
PLANTED = f"The best of them is {NAME} on reception, she sorted it all out."
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4).decode("ascii")


class _NoDetector:
    """A detector that finds nothing: what remains is the leak check's own signals."""

    def detect(self, text):
        return []


@pytest.fixture
def cfg(tmp_path):
    return load_config(write_project(tmp_path) / "engagement.yaml")


def _publish_run(cfg, text: str = PLANTED) -> list:
    """A run's published files: a figure, the report, an executed notebook, a table."""
    run = cfg.reports_dir / "runs" / "r1"
    return [
        _write(cfg.figures_dir / "quotes.svg", f'<svg xmlns="http://www.w3.org/2000/svg"><text>{text}</text></svg>'),
        _write(cfg.reports_dir / "summary.html", f"<html><body><h1>Summary</h1><blockquote>{text}</blockquote>"
                                                 f"<img src='data:image/png;base64,{PNG}'></body></html>"),
        _write(run / "03-Essex.ipynb", _notebook(text, PNG)),
        _write(run / "quotes.csv", f"theme,quote\naccess,{text}\n"),
    ]


def _no_value(*texts: str) -> None:
    for text in texts:
        assert NAME not in text and NAME.lower() not in text.lower()


def test_the_planted_name_is_one_the_detector_misses_or_the_check_finds_it_alone(cfg):
    redacted, _ = redact_text(PLANTED, build_detector(cfg, use_ner=False), Pseudonymiser(load_salt(cfg)))
    _write(cfg.reports_dir / "summary.html", f"<p>{PLANTED}</p>")
    # with no detector at all, the independent signals still find it
    report = scan_outputs(cfg, detector=_NoDetector())
    assert [(f.file, f.place, f.type, f.blocking) for f in report.blocking] == [
        ("reports/summary.html", "line 1", "PERSON", True)]
    if NAME in redacted:   # the detector missed it: the finding cannot have come from the detector
        (finding,) = leak_check(cfg)
        assert "detector" not in finding.reason and "lexicon" in finding.reason


@pytest.mark.parametrize("make, file, place", [
    (lambda cfg: _write(cfg.reports_dir / "summary.html", f"<p>Intro</p>\n<p>{PLANTED}</p>"),
     "reports/summary.html", "line 2"),
    (lambda cfg: _write(cfg.reports_dir / "runs" / "r1" / "03-Essex.ipynb", _notebook("quotes\n" + PLANTED, PNG)),
     "reports/runs/r1/03-Essex.ipynb", "cell 1 output 0 text/plain, line 2"),
    (lambda cfg: _write(cfg.reports_dir / "quotes.csv", f"theme,quote\naccess,\"{PLANTED}\"\n"),
     "reports/quotes.csv", "row 2, column 2"),
    (lambda cfg: pd.DataFrame({"quote": ["fine", PLANTED]}).to_parquet(cfg.processed_dir / "quotes.parquet"),
     "data/processed/quotes.parquet", "row 1, column quote"),
    (lambda cfg: _write(cfg.figures_dir / "q.svg", f'<svg xmlns="http://www.w3.org/2000/svg"><g><text>Trust</text>'
                                                   f'<text>{PLANTED}</text></g></svg>'), "figures/q.svg", "<text> #2"),
    (lambda cfg: _write(cfg.reports_dir / "q.json", json.dumps({"quotes": [{"text": "fine"}, {"text": PLANTED}]})),
     "reports/q.json", "$.quotes[1].text"),
])
def test_a_planted_name_is_found_by_type_file_and_place_without_its_value(cfg, make, file, place):
    cfg.processed_dir.mkdir(parents=True, exist_ok=True)
    make(cfg)
    report = scan_outputs(cfg, detector=_NoDetector())
    assert [(f.type, f.file, f.place) for f in report.blocking][:1] == [("PERSON", file, place)]
    assert {(f.type, f.file) for f in report.blocking} == {("PERSON", file)}
    assert "person cue" in report.blocking[0].reason
    _no_value(report.summary, json.dumps(report.to_json()), *map(str, report.blocking + report.warnings))


def test_html_attributes_and_inline_svg_are_read_but_css_and_png_data_are_not(cfg):
    svg = base64.b64encode(f'<svg xmlns="http://www.w3.org/2000/svg"><text>{PLANTED}</text></svg>'.encode()).decode()
    _write(cfg.reports_dir / "summary.html", "\n".join([
        "<html><head><style>body { color: #1f77b4; font-family: 'Helvetica Neue', Arial }</style></head><body>",
        f"<img alt='A quote' src='data:image/png;base64,{PNG}'>",
        f"<img alt='chart' src='data:image/svg+xml;base64,{svg}'>",
        f"<a title='ask for {NAME}' href='#top' style='color: red'>top</a>",
        "</body></html>"]))
    report = scan_outputs(cfg, detector=_NoDetector())
    assert [(f.place, f.type) for f in report.blocking] == [("line 4", "PERSON"),
                                                              ("line 3 inline SVG 1 <text> #1", "PERSON")]
    assert report.warnings == []


def test_a_pdf_without_a_text_tool_is_a_warning_not_a_silent_pass(cfg, monkeypatch):
    _write(cfg.reports_dir / "summary.pdf", "%PDF-1.4\n")
    monkeypatch.setattr(outputs, "pdf_text", lambda path: None)
    report = scan_outputs(cfg, detector=_NoDetector())
    assert report.blocking == []
    assert [(f.file, f.type) for f in report.warnings] == [("reports/summary.pdf", "UNSCANNED")]


def test_a_planted_name_in_a_pdf_is_found_by_page_and_line(cfg):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.text(0.1, 0.5, PLANTED)
    cfg.reports_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(cfg.reports_dir / "summary.pdf", format="pdf")
    plt.close(fig)
    if outputs.pdf_text(cfg.reports_dir / "summary.pdf") is None:
        pytest.skip("no PDF text tool installed (pdftotext from poppler-utils, pypdf or pdfminer.six)")
    report = scan_outputs(cfg, detector=_NoDetector())
    assert [(f.file, f.type) for f in report.blocking] == [("reports/summary.pdf", "PERSON")]
    assert report.blocking[0].place.startswith("page 1, line ")


def test_quarantine_withholds_the_whole_run_owner_only(cfg):
    earlier = _write(cfg.reports_dir / "runs" / "r0" / "summary.html", "<p>An earlier, clean run.</p>")
    paths = _publish_run(cfg)
    report = scan_outputs(cfg, paths, detector=_NoDetector())
    assert len(report.blocking) == 5 and not report.ok
    where = quarantine(cfg, paths, report, run_id="r1")
    assert where == cfg.root / "quarantine" / "r1"
    left = sorted(p.relative_to(cfg.root).as_posix() for d in (cfg.figures_dir, cfg.reports_dir)
                  for p in d.rglob("*") if p.is_file())
    assert left == ["figures/.gitkeep", "reports/runs/r0/summary.html"] or left == ["reports/runs/r0/summary.html"]
    assert earlier.is_file() and not (cfg.reports_dir / "runs" / "r1").exists()
    for path in [where.parent, where, *where.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    moved = sorted(p.relative_to(where).as_posix() for p in where.rglob("*") if p.is_file())
    assert moved == ["figures/quotes.svg", "findings.json", "reports/runs/r1/03-Essex.ipynb",
                     "reports/runs/r1/quotes.csv", "reports/summary.html"]
    body = (where / "findings.json").read_text(encoding="utf-8")
    _no_value(body)
    findings = json.loads(body)
    assert findings["run_id"] == "r1" and len(findings["blocking"]) == 5
    first = findings["blocking"][0]
    assert set(first) == {"type", "file", "place", "reason", "blocking", "quarantined_as"}
    assert first["quarantined_as"].startswith("quarantine/r1/")


def test_quarantine_of_a_staging_folder_keeps_its_layout_and_removes_it(cfg):
    staging = cfg.processed_dir / "staging" / "r2"
    _write(staging / "figures" / "a.svg", f'<svg xmlns="http://www.w3.org/2000/svg"><text>{PLANTED}</text></svg>')
    _write(staging / "reports" / "summary.html", "<p>ok</p>")
    report = scan_outputs(cfg, [staging], detector=_NoDetector())
    where = quarantine(cfg, [staging], report, run_id="r2")
    assert sorted(p.relative_to(where).as_posix() for p in where.rglob("*") if p.is_file()) == [
        "figures/a.svg", "findings.json", "reports/summary.html"]
    assert not staging.exists() and (cfg.processed_dir / "staging").is_dir() is False


def test_the_allow_list_file_silences_a_reviewed_candidate(cfg):
    _write(cfg.reports_dir / "summary.html", f"<p>{PLANTED}</p>\n<p>Dr Okafor explained.</p>")
    assert len(leak_check(cfg, detector=_NoDetector())) == 2
    _write(cfg.raw_dir / "leak_allow.txt", f"# reviewed 2026-12-01: a ward's name here\n{NAME}\n")
    assert [(f.place, f.type) for f in leak_check(cfg, detector=_NoDetector())] == [("line 2", "PERSON")]
    _write(cfg.raw_dir / "leak_allow.txt", f"{NAME}\nreports/summary.html | line 2 | PERSON\n")
    assert leak_check(cfg, detector=_NoDetector()) == []


def test_leak_error_and_summary_name_the_place_not_the_value(cfg):
    _publish_run(cfg)
    report = scan_outputs(cfg, detector=_NoDetector())
    assert report.summary.startswith("leak check failed: 5 blocking finding(s) in 4 file(s) (PERSON 5)")
    with pytest.raises(LeakError) as info:
        leak_check(cfg, raise_on_findings=True, detector=_NoDetector())
    _no_value(str(info.value), report.summary)


SAMPLE_REPORT = """<!doctype html>
<html><head><meta charset="utf-8"><title>What people expect of their health data: East of England</title>
<style>.bar { fill: #1f77b4 } .warn { color: #d62728 } body { font-family: "DejaVu Sans", Arial }</style></head>
<body>
<h1>Summary report: health data engagement, Essex, Suffolk, Norfolk, Cambridgeshire and Peterborough</h1>
<p>Run 20261201T101500Z, codebook 1.1.0. 312 segments from 41 participants in 9 sessions.</p>
<h2>Themes by region</h2>
<table><tr><th>Theme</th><th>Region</th><th>Participants</th><th>Share (95% CI)</th></tr>
<tr><td>Trust and confidence</td><td>Essex</td><td>12</td><td>29% (18-43)</td></tr>
<tr><td>Data sharing and consent</td><td>Norfolk</td><td>&lt;5</td><td>suppressed</td></tr>
<tr><td>Access to records</td><td>Cambridgeshire</td><td>8</td><td>20% (11-34)</td></tr></table>
<p>Concern was higher in Peterborough (Cohen's h 0.61, BH-adjusted p 0.004).</p>
<h2>Quotes</h2>
<blockquote>"[PERSON_1] at the surgery said my records go to Addenbrooke's and the James Paget."</blockquote>
<blockquote>"My husband [PERSON_2] rang [PHONE_1] and they said the NHS App would show it."</blockquote>
<blockquote>"At the Norfolk and Norwich they were lovely, and Queen Elizabeth Hospital King's Lynn too."</blockquote>
<blockquote>"I don't mind Google or Apple having steps, but not my GP records. Not Palantir."</blockquote>
<blockquote>"Mum said the Ward Sister was lovely. He said Everyone on reception was kind."</blockquote>
<p>Figure 2: Prevalence of themes by region.
<img alt="Heatmap of theme prevalence by region" src="data:image/png;base64,{png}"></p>
<p>Agreement with the hand-coded reference: micro-averaged F1 0.53, mean Cohen's kappa 0.47.</p>
<footer>Healthwatch Essex, Healthwatch Suffolk, Healthwatch Norfolk. Public Health England; UK Biobank.</footer>
</body></html>
"""


def test_a_sample_like_report_raises_no_blocking_finding(cfg):
    _write(cfg.reports_dir / "summary.html", SAMPLE_REPORT.replace("{png}", PNG))
    _write(cfg.figures_dir / "themes.svg", '<svg xmlns="http://www.w3.org/2000/svg"><text>Trust and confidence'
                                          '</text><text>Essex</text><text>[PERSON_2]</text><text>29%</text></svg>')
    report = scan_outputs(cfg)
    assert report.blocking == []
    assert report.summary.startswith("leak check passed: 2 file(s) scanned, no blocking finding")


def test_a_warning_earlier_in_a_line_does_not_hide_a_blocking_name_later_in_it(cfg):
    _write(cfg.reports_dir / "summary.html", f"<p>Transport to Freeman was good. {PLANTED}</p>")
    report = scan_outputs(cfg, detector=_NoDetector())
    assert [(f.place, f.type, f.blocking) for f in report.blocking] == [("line 1", "PERSON", True)]
    assert report.warnings == []


def test_quarantining_a_run_again_replaces_what_it_had_quarantined(cfg):
    staging = cfg.processed_dir / "staging" / "r3"
    for _ in range(2):
        _write(staging / "reports" / "summary.html", f"<p>{PLANTED}</p>")
        where = quarantine(cfg, [staging], scan_outputs(cfg, [staging], detector=_NoDetector()), run_id="r3")
    assert sorted(p.relative_to(where).as_posix() for p in where.rglob("*") if p.is_file()) == [
        "findings.json", "reports/summary.html"]


def test_an_output_that_cannot_be_read_blocks_without_quoting_it(cfg):
    _write(cfg.reports_dir / "summary.pdf", f"%PDF-1.4\n{PLANTED}\n")
    (cfg.processed_dir).mkdir(parents=True, exist_ok=True)
    (cfg.processed_dir / "quotes.parquet").write_bytes(f"PAR1 {PLANTED}".encode())
    report = scan_outputs(cfg, detector=_NoDetector())
    assert sorted((f.file, f.place, f.type) for f in report.blocking) == [
        ("data/processed/quotes.parquet", "whole file", "UNREADABLE"),
        ("reports/summary.pdf", "whole file", "UNREADABLE")]
    _no_value(report.summary, *map(str, report.blocking))


def test_the_suites_own_labels_never_block_even_when_a_word_of_them_was_once_redacted(tmp_path):
    """A participant's "Planning, yes." once taken for a name must not stop every figure of the theme."""
    from engagement.config import load_config
    from engagement.privacy.deidentify import Pseudonymiser, load_salt
    from engagement.privacy.leak import scan_outputs

    (tmp_path / "raw").mkdir()
    (tmp_path / "engagement.yaml").write_text("raw_dir: raw\nprocessed_dir: processed\n")
    cfg = load_config(tmp_path / "engagement.yaml")
    pseud = Pseudonymiser(load_salt(cfg))
    cfg.processed_dir.mkdir()
    import pandas as pd

    pd.DataFrame({"session_id": ["S1"], "turn_index": [0], "start": [0], "end": [8], "type": ["PERSON"],
                  "method": ["context"], "placeholder": ["[PERSON_1]"],
                  "value_hash": [pseud.value_hash("PERSON", "Planning")]}).to_parquet(cfg.processed_dir / "redactions.parquet")
    out = tmp_path / "figures"
    out.mkdir()
    (out / "f.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>Planning and improvement of services</text>'
                               '<text>Planning was mentioned by [PERSON_1]</text></svg>')
    label = "Planning and improvement of services"
    with_labels = scan_outputs(cfg, [out], vocabulary=[label])
    # the label is the suite's; the second line still blocks, it is not the label
    assert [f.location for f in with_labels.blocking] == ["<text> #2"]
    without = scan_outputs(cfg, [out])
    assert {f.location for f in without.blocking} == {"<text> #1", "<text> #2"}
