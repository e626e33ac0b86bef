"""The summary report, end to end on a tiny but complete project (3 areas x 2 focus groups + a survey).

The project is generated here, prepared and coded once per test session (``coded_project``),
and shared with tests/test_browser.py. Personal details are planted in the transcripts so the
tests can check that none of them reaches the report.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import textwrap
from pathlib import Path

import pytest

from tests.conftest import write_project

REGIONS = ["Essex", "Suffolk", "Norfolk"]
CODES = {"Essex": "ESX", "Suffolk": "SFK", "Norfolk": "NFK"}
MAIN_THEME = {"Essex": "commercial", "Suffolk": "sensitive", "Norfolk": "security"}

FIRST = ["Aaliyah", "Bartosz", "Ciaran", "Dagny", "Eilidh", "Farhan", "Gethin", "Halima", "Ifeoma", "Jarek",
         "Kasia", "Leontyne", "Mairead", "Nnamdi", "Oisin", "Priya", "Quilla", "Rhiannon", "Siobhan", "Tomasz",
         "Ulrika", "Vikram", "Wojtek", "Xanthe", "Yusuf", "Zofia", "Anneka", "Bronagh", "Cosmin", "Deepika",
         "Emeka", "Fionnuala", "Gwilym", "Hamish", "Ilse", "Jaswinder"]
SURNAMES = ["Abernethy", "Blackwood", "Cartwright", "Dunmore", "Eversleigh", "Fairbairn", "Greenhalgh",
            "Hollingworth", "Illingworth", "Jeffcoate", "Kettleborough", "Lethbridge"]

# Personal details planted in what participants say; none may appear in any output.
PHONE = "07700 900461"
NHS_NUMBER = "943 476 5919"
EMAIL = "jo.bloggs@example.com"
FACILITATOR_PROMPT = "Let's talk about companies buying hospital records for profit, and about hackers."
WITHDRAWN_SIGNATURE = "my grandmother's allotment in Tiptree should never be sold to drug companies"

SLOTS = {
    "records": ["GP records", "hospital notes", "test results", "medical history", "blood test results",
                "prescription history"],
    "buyers": ["drug companies", "insurance firms", "big tech companies", "private companies",
               "pharmaceutical firms", "marketing companies"],
    "system": ["hospital computer system", "NHS database", "GP system", "shared care record"],
    "viewers": ["my employer", "the receptionist", "every nurse on the ward", "the council"],
    "clinician": ["doctor", "nurse", "consultant", "pharmacist", "paramedic"],
}
SENTENCES = {
    "commercial": [
        "I don't want my {records} sold to {buyers} so they can make a profit out of us.",
        "If the NHS starts selling our data to {buyers} I would be really angry about it.",
        "They will sell it on to {buyers} and we will never know where it ends up.",
        "Selling {records} to {buyers} for money feels completely wrong to me.",
    ],
    "security": [
        "What worries me most is hackers getting into the {system} and stealing {records}.",
        "There was that cyber attack on the hospitals, so how can they keep {records} safe from hackers?",
        "A data breach would be a disaster, because once {records} leak you cannot take them back.",
        "I worry the {system} is not secure enough and criminals could hack into it.",
    ],
    "sensitive": [
        "My mental health records are private and I would not want {viewers} reading them.",
        "Things like sexual health or mental health notes should be kept separate from the rest.",
        "I would want to choose who sees my mental health history, not have {viewers} see everything.",
        "Sensitive records about mental health and addiction need extra protection from {viewers}.",
    ],
    "joined_up": [
        "Joined up care would be brilliant, so I don't have to repeat my story to every {clinician}.",
        "I'm happy for the {clinician} to see my {records}, as long as it's anonymised for research.",
        "Sharing records between the GP and the hospital makes sense if it helps my care.",
        "As long as it's anonymised, I think using the data to plan services is fine by me.",
    ],
}
OTHER_THEMES = ["commercial", "security", "sensitive"]


def _say(rng: random.Random, theme: str) -> str:
    template = rng.choice(SENTENCES[theme])
    return template.format(**{k: rng.choice(v) for k, v in SLOTS.items()})


def project_spec():
    """Sessions, participants and what each says, worked out once (deterministic)."""
    rng = random.Random(20260314)
    people, lines, k = [], {}, 0
    for region in REGIONS:
        for s in (1, 2):
            sid = f"{CODES[region]}-FG{s}"
            lines[sid] = [f"Facilitator: Welcome, and thank you for coming. {FACILITATOR_PROMPT}"]
            for p in range(1, 7):
                first, surname = FIRST[k], SURNAMES[k % len(SURNAMES)]
                pid = f"{sid}-P{p:02d}"
                people.append({"session_id": sid, "speaker_label": first, "participant_id": pid,
                               "name": f"{first} {surname}", "region": region})
                themes = ["joined_up"]
                if (s, p) != (2, 6):  # 11 of 12 people in an area raise its main theme
                    themes.append(MAIN_THEME[region])
                themes.append([t for t in OTHER_THEMES if t != MAIN_THEME[region]][k % 2] if p <= 2 else "joined_up")
                for theme in themes:
                    lines[sid].append(f"{first}: {_say(rng, theme)} {_say(rng, theme)}")
                k += 1
            lines[sid].append("Facilitator: Thank you all, that's really helpful.")
    label = {p["participant_id"]: p["speaker_label"] for p in people}
    # planted personal details, in sentences about the area's main theme (so they could be quoted)
    lines["ESX-FG1"].insert(2, f"{label['ESX-FG1-P02']}: Thanks, {label['ESX-FG1-P01']}. Ring me on {PHONE} if "
                               "you want to know more about the data being sold to drug companies.")
    lines["NFK-FG1"].insert(2, f"{label['NFK-FG1-P02']}: My NHS number is {NHS_NUMBER} and I would hate hackers "
                               "to steal it from the hospital computer system.")
    lines["SFK-FG2"].insert(2, f"{label['SFK-FG2-P03']}: Email me at {EMAIL} about who sees my mental health "
                               "records.")
    # the withdrawn participant (ESX-FG2-P03) said something distinctive
    withdrawn = next(p for p in people if p["participant_id"] == "ESX-FG2-P03")
    lines["ESX-FG2"].insert(3, f"{withdrawn['speaker_label']}: I worry {WITHDRAWN_SIGNATURE}, "
                               "because selling data for profit is wrong.")
    survey = ["respondent_id,region,submitted,question,answer"]
    for i in range(18):
        region = REGIONS[i % 3]
        survey.append(f"R{i + 1:04d},{region},2026-02-{i % 27 + 1:02d},Q2,\"{_say(rng, MAIN_THEME[region])}\"")
    return people, lines, "\n".join(survey) + "\n", withdrawn


def write_report_project(root: Path) -> Path:
    """Write the tiny project (three configured areas, tf-idf topics) under ``root``."""
    people, lines, survey, withdrawn = project_spec()
    sessions = ["session_id,file,region,kind,date,facilitators,respondent_column,text_column,region_column,"
                "date_column,question_column"]
    for sid in lines:
        region = next(r for r, c in CODES.items() if sid.startswith(c))
        sessions.append(f"{sid},{sid.lower()}.txt,{region},focus_group,2026-03-0{len(sessions)},Facilitator,,,,,")
    sessions.append("SURVEY,survey.csv,,survey,2026-02-01,,respondent_id,answer,region,submitted,question")
    participants = ["session_id,speaker_label,participant_id,role,name,age_band"]
    participants += [f"{p['session_id']},{p['speaker_label']},{p['participant_id']},participant,{p['name']},45-54"
                     for p in people]
    files = {f"{sid.lower()}.txt": "\n".join(text) + "\n" for sid, text in lines.items()}
    files["survey.csv"] = survey
    write_project(root, sessions="\n".join(sessions) + "\n", participants="\n".join(participants) + "\n",
                  files=files, withdrawals=f"participant_id,date,note\n{withdrawn['participant_id']},2026-03-10,"
                                           "withdrew consent\n",
                  config_extra=textwrap.dedent("""\
                      project: Tiny engagement project
                      topics:
                        embedding: tfidf
                        min_topic_size: 3
                      """))
    config = root / "engagement.yaml"
    text = config.read_text().replace("project: test\n", "")
    config.write_text(re.sub(r"regions: \[.*\]", f"regions: [{', '.join(REGIONS)}]", text))
    return root


def planted_values() -> list[str]:
    """Every personal value in the raw project that must never reach an output."""
    people, _, _, withdrawn = project_spec()
    values = [PHONE, PHONE.replace(" ", ""), NHS_NUMBER, NHS_NUMBER.replace(" ", ""), EMAIL]
    for p in people:
        values += p["name"].split()
    return values + [WITHDRAWN_SIGNATURE, "Tiptree", withdrawn["participant_id"], FACILITATOR_PROMPT]


def build_coded_project(base: Path) -> Path:
    """Prepare, code and report the tiny project once under ``base`` (reused when already built)."""
    root = base / "coded-project"
    if (root / ".built").is_file():
        return root
    from engagement.coding.run import run_coding
    from engagement.config import load_config
    from engagement.prepare import prepare
    from engagement.report.builder import build_report

    write_report_project(root)
    cfg = load_config(root / "engagement.yaml")
    prepare(cfg)
    run_coding(cfg)
    build_report(cfg, run_id="test-run", pdf=False)
    (root / ".built").write_text("ok")
    return root


@pytest.fixture(scope="session")
def coded_project(tmp_path_factory) -> Path:
    return build_coded_project(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def report_cfg(coded_project):
    from engagement.config import load_config

    return load_config(coded_project / "engagement.yaml")


@pytest.fixture(scope="session")
def html(report_cfg) -> str:
    return (report_cfg.reports_dir / "summary.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def soup(html):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def words(el) -> str:
    return " ".join(el.get_text(" ").split())


pytestmark = pytest.mark.slow


# ---- self-contained


def test_summary_html_is_written_to_the_reports_folder(report_cfg):
    assert (report_cfg.reports_dir / "summary.html").is_file()


def test_report_loads_nothing_from_the_network(html, soup):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert not soup.find_all("script", src=True) and not soup.find_all("link", href=True)


def test_every_figure_is_embedded_as_a_data_uri(soup, report_cfg):
    imgs = soup.find_all("img")
    assert len(imgs) == 5
    for img in imgs:
        assert img["src"].startswith("data:image/png;base64,") and len(img["src"]) > 2000
        assert img.get("alt")
    pngs = sorted(p.name for p in report_cfg.figures_dir.glob("*.png"))
    assert len(pngs) == 5 and len(list(report_cfg.figures_dir.glob("*.svg"))) == 5


# ---- content


def test_report_has_a_section_for_each_region(soup):
    regions = soup.find("section", id="regions")
    headings = [words(h) for h in regions.find_all("h3")]
    assert [h.split(" (")[0] for h in headings] == REGIONS
    # 12 in the focus groups (one withdrew) + 6 in the survey
    assert "Essex (17 participants: 11 in 2 focus groups; 6 survey respondents)" in headings


def test_key_findings_name_the_area_that_stands_out(soup):
    findings = soup.find("section", id="findings")
    assert words(findings.find("h2")) == "Key findings"
    found = [words(d) for d in findings.find_all("div", class_="finding")]
    assert found, "the tiny project is built so that each area raises one theme far more than the others"
    pattern = (rf"In ({'|'.join(REGIONS)}), \d+% of participants raised .+, against \d+% elsewhere "
               r"\(difference -?\d+ points, 95% CI -?\d+ to -?\d+; session permutation test, BH-adjusted "
               r"p (< 0\.001|= 0\.\d+)\)\.")
    assert all(re.fullmatch(pattern, f) for f in found), found
    assert not any("p 0.000" in f or "not significant" in f for f in found)


def test_method_section_counts_sessions_and_participants_per_region(soup):
    method = soup.find("section", id="method")
    rows = [[words(td) for td in tr.find_all("td")] for tr in method.find("table", id="sample").find_all("tr")
            if tr.find("td")]
    assert ["Essex", "focus group", "2", "11", "11"] in rows
    assert ["Suffolk", "focus group", "2", "12", "12"] in rows
    assert ["Norfolk", "focus group", "2", "12", "12"] in rows
    assert ["Norfolk", "survey", "1", "6", "6"] in rows
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), key=REGIONS.index), "areas in the configured order"


def test_method_section_reports_deidentification_counts_and_withdrawals(soup, report_cfg):
    from engagement.io import read_table

    redactions = read_table("redactions", report_cfg.table_path("redactions"))
    assert len(redactions) > 0
    text = words(soup.find("section", id="method"))
    assert f"{len(redactions)} personal details were replaced with typed placeholders" in text
    for kind, n in redactions["type"].value_counts().items():
        assert f"{kind.lower().replace('_', ' ')}: {n}" in text
    # the withdrawn participant spoke four times (three generated turns and the planted one)
    assert "1 participant(s) who withdrew consent were removed with all their 4 turns" in text


def test_report_has_limitations_stating_the_suppression_threshold(soup, report_cfg):
    limits = soup.find("section", id="limitations")
    assert words(limits.find("h2")) == "Limitations"
    assert f"fewer than {report_cfg.min_cell} participants are shown as a band or suppressed" in words(limits)


def test_small_cells_read_suppressed_in_the_report_never_zero(soup, report_cfg):
    from engagement.analysis.loader import load_analysis
    from engagement.report.builder import compute_measures

    prev = compute_measures(load_analysis(report_cfg))["prevalence_region"]
    protected = prev[prev["published_as"] != "value"]
    assert len(protected) > 0, "the tiny project is built to have some small cells"
    cells = [words(td) for td in soup.find("section", id="themes").find_all("td", attrs={"data-region": True})]
    shown = [c for c in cells if not re.match(r"\d+%", c)]
    assert sorted(shown) == sorted(b if p == "band" else "suppressed"
                                   for p, b in zip(protected["published_as"], protected["band"]))


def test_quotes_are_deidentified_segment_text_attributed_by_pseudonym_region_and_kind(soup, report_cfg):
    from engagement.io import read_table

    segments = read_table("segments", report_cfg.table_path("segments"))
    participants = set(segments.loc[segments["role"] != "facilitator", "participant_id"])
    quotes = soup.find_all("blockquote")
    assert quotes, "the tiny project has cells big enough to quote"
    said_by = {}
    for pid, part in segments.sort_values("segment_id").groupby("participant_id"):
        texts = list(part["text"])
        # a quote is one sentence with at most one neighbouring sentence of the same speaker on each side
        said_by[pid] = {" ".join(texts[i:j]) for i in range(len(texts)) for j in range(i + 1, min(i + 4, len(texts) + 1))}
    for q in quotes:
        footer = words(q.find("footer"))
        said = words(q).removesuffix(footer).strip().strip("“”")
        m = re.match(r"— (\S+), (Essex|Suffolk|Norfolk), (focus group|survey)( · .+|; .+)?$", footer)
        assert m, footer
        assert m.group(1) in participants
        assert said in said_by[m.group(1)], said


def test_no_planted_personal_value_appears_in_the_report(html):
    # base64 figures are left out: a short name turns up in 500 kB of base64 by chance
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html).lower()
    assert len(text) > 10_000
    leaked = [v for v in planted_values() if v.lower() in text]
    assert leaked == []


def test_the_projects_leak_check_finds_nothing_in_the_outputs(report_cfg):
    from engagement.privacy.leak import leak_check

    findings = leak_check(report_cfg)
    assert [f"{f.file}:{f.location} {f.type}" for f in findings] == []


def test_the_facilitator_is_never_quoted(soup):
    text = words(soup)
    assert re.search(r"[A-Z]{3}-FG\d-P\d\d", text), "participants' pseudonyms do appear"
    assert not re.search(r"-FG\d-F\d", text) and "buying hospital records" not in text


# ---- edge cases and the CLI


@pytest.fixture(scope="session")
def cli_report(report_cfg, tmp_path_factory):
    """`engagement report` on the coded project, with a fourth configured area that has no sessions."""
    from engagement.report import builder as report
    from engagement.cli import main

    out = tmp_path_factory.mktemp("cli-report")
    config = out / "engagement.yaml"
    config.write_text(report_cfg.source.read_text()
                      .replace("regions: [Essex, Suffolk, Norfolk]", "regions: [Essex, Suffolk, Norfolk, Peterborough]")
                      .replace("reports_dir: reports", f"reports_dir: {out}/reports")
                      .replace("figures_dir: figures", f"figures_dir: {out}/figures")
                      .replace("raw_dir: data/raw", f"raw_dir: {report_cfg.raw_dir}")
                      .replace("processed_dir: data/processed", f"processed_dir: {report_cfg.processed_dir}"))
    with pytest.MonkeyPatch.context() as mp:
        # PDF printing is tested where Chromium is (tests/test_browser.py); here only the HTML
        mp.setattr(report, "_html_to_pdf", lambda html: None)
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            code = main(["--config", str(config), "report", "--run-id", "cli-run"])
    return code, stdout.getvalue(), out


def test_cli_report_writes_the_report_and_names_it(cli_report):
    code, stdout, out = cli_report
    assert code == 0
    assert f"report: {out}/reports/summary.html" in stdout
    assert stdout.count("figure: ") == 5
    assert "cli-run" in (out / "reports" / "summary.html").read_text()


def test_a_configured_region_without_sessions_gets_a_section_saying_so(cli_report):
    from bs4 import BeautifulSoup

    _, _, out = cli_report
    soup = BeautifulSoup((out / "reports" / "summary.html").read_text(), "html.parser")
    headings = [words(h) for h in soup.find("section", id="regions").find_all("h3")]
    assert headings[-1] == "Peterborough (0 participants)"


def test_method_says_when_the_researchers_coding_guided_the_topics(soup, report_cfg, tmp_path):
    """Unguided by default; after a coder's sheet is imported, the next code run is guided and the report says so."""
    import shutil

    import pandas as pd

    from engagement.coding import human
    from engagement.coding.run import run_coding
    from engagement.config import load_config
    from engagement.report.builder import build_report

    assert "weighed the researchers' own coding" not in words(soup.find("section", id="method"))
    root = tmp_path / "coded"
    shutil.copytree(report_cfg.root, root)
    config = root / "engagement.yaml"
    config.write_text(config.read_text().replace("embedding: tfidf", "embedding: minilm"))  # the guide reads MiniLM
    cfg = load_config(config)
    segments = pd.read_parquet(cfg.table_path("segments"))
    codings = pd.read_parquet(cfg.table_path("codings")).drop_duplicates("segment_id")
    coded = codings.merge(segments[["segment_id", "text"]], on="segment_id").head(60)
    assert len(coded) >= 40 and coded["code"].nunique() >= 2
    human.save_human_codings(cfg, pd.DataFrame({
        "segment_id": coded["segment_id"], "code": coded["code"], "theme": coded["theme"], "decision": "accept",
        "coder": "RA", "coded_at": "2026-11-01T10:00:00+00:00", "text_hash": coded["text"].map(human.text_hash),
        "note": "", "sheet": "sheet-1.xlsx"}))
    guided = run_coding(cfg).summary["topics_guided"]
    build_report(cfg, run_id="guided", pdf=False)
    from bs4 import BeautifulSoup

    method = words(BeautifulSoup((cfg.reports_dir / "summary.html").read_text(), "html.parser")
                   .find("section", id="method"))
    assert (f"fitted on the {guided['coded_statements']} statements coded by hand ({guided['codes']} codes)"
            in method), method
    assert "carried 30% of the clustering space" in method
