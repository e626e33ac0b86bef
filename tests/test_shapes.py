"""The shape matrix: the whole batch, through the CLI, on small generated studies of every awkward shape.

Optional means optional and empty means a sentence (issue 10, point 3): a project with no
participant attributes, a region with no sessions, one session in an area, a theme nobody raised,
a single region, no co-occurrence, no topics, only surveys, only interviews, every cell
suppressed. Each study (tests/studies.py) is written to a temporary folder outside the
repository and run with ``engagement --config <study>/engagement.yaml batch`` from that folder;
every notebook and the report must be written, and the notebook or report must say what is
missing and why. Several shapes share one study, and each study runs once per session (fast
segmentation, TF-IDF embeddings), to keep the matrix to a few minutes.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO
from tests.studies import SHAPES, STUDIES, write_study

ENGAGEMENT = REPO / ".venv" / "bin" / "engagement"
TIMES: dict[str, float] = {}

# shape -> [(where, sentence)]: where is an executed notebook's job name or "report"
EXPECTED = {
    "no_attributes": [("03-region-all", "participants.csv has no age_band column, so there is no breakdown by age band.")],
    "region_without_sessions": [
        ("03-region-Suffolk", "Suffolk has no sessions (none is listed in sessions.csv), so there is nothing to show"),
        ("report", "Suffolk has no sessions (none is listed in sessions.csv), so there is nothing to show")],
    "one_session_in_an_area": [("03-region-all", "Norfolk has a single session, so its shares have no interval"),
                               ("report", "Norfolk has a single session, so its shares have no interval")],
    "theme_nobody_raised": [("03-region-all", "of the codebook's themes, so they show 0 participants"),
                            ("report", "Nobody raised this theme.")],
    "single_region": [("03-region-all", "Only one area has participants, so there is no other area to compare with."),
                      ("report", "Only one area has participants, so there is no other area to compare with.")],
    # co-occurrence counts people: nobody who raised two themes
    "no_cooccurrence": [("03-region-all", "No participant raised two themes, so there is no co-occurrence to show."),
                        ("report", "No participant raised two themes, so there is no co-occurrence to show.")],
    "no_topics": [("02-code", "Topics were not fitted: too few distinct segments of 8+ words"),
                  ("04-summary-report", "topics: Topics were not fitted: too few distinct segments"),
                  ("report", "Topics were not fitted: too few distinct segments")],
    "only_surveys": [("03-region-all", "participants.csv has no age_band column"),
                     ("report", "No participant raised two themes, so there is no co-occurrence to show.")],
    # an area of fewer than 5 interviewees has every cell suppressed, zeros included (disclosure control)
    "only_interviews": [("03-region-Essex", "No cell has 5 or more participants, so nothing is shown"),
                        ("report", "No cell has 5 or more participants, so nothing is shown")],
    "every_cell_suppressed": [
        ("03-region-all", "No cell has 5 or more participants, so nothing is shown (every cell is suppressed)."),
        ("03-region-all", "No theme was raised by 5 or more participants, so no quote is shown"),
        ("report", "No cell has 5 or more participants, so nothing is shown (every cell is suppressed)."),
        ("report", "No theme was raised by 5 or more participants, so no theme's split between concern and support"),
        ("report", "No area has 5 or more participants raising any theme, so no comparison is shown")],
}


def _text_of(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") or out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    """Every study, batch-run once: study name -> (project folder, completed process)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYTHONHASHSEED": "0"}
    env.pop("ENGAGEMENT_CONFIG", None)
    env.pop("ENGAGEMENT_ROOT", None)
    runs = {}
    for name in STUDIES:
        root = tmp_path_factory.mktemp(f"study-{name}")
        assert REPO not in root.parents, "studies must live outside the repository"
        config = write_study(root, name)
        start = time.perf_counter()
        done = subprocess.run([str(ENGAGEMENT), "--config", str(config), "batch", "--workers", "2"], cwd=root,
                              env=env, capture_output=True, text=True, timeout=900)
        TIMES[name] = time.perf_counter() - start
        runs[name] = (root, done)
    yield runs
    print("\nshape matrix, seconds per study: " + ", ".join(f"{k} {v:.0f}" for k, v in TIMES.items())
          + f"; total {sum(TIMES.values()):.0f}")


def _outputs(root: Path) -> dict[str, Path]:
    runs = sorted(p for p in (root / "reports" / "runs").iterdir() if p.is_dir() and not p.is_symlink())
    return {p.stem: p for p in runs[-1].glob("*.ipynb")}


@pytest.mark.parametrize("study", STUDIES)
def test_batch_writes_every_notebook_and_the_report(studies, study):
    root, done = studies[study]
    assert done.returncode == 0, f"{study}: batch failed\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    regions = re.findall(r"regions: \[(.*)\]", (root / "engagement.yaml").read_text())[0].split(", ")
    expected = {"01-prepare", "02-code", "04-summary-report", *(f"03-region-{r}" for r in [*regions, "all"])}
    assert expected <= set(_outputs(root)), f"{study}: missing {sorted(expected - set(_outputs(root)))}"
    report = (root / "reports" / "summary.html").read_text(encoding="utf-8")
    assert "<section id=\"limitations\">" in report
    visible = re.sub(r'src="data:[^"]*"', "", report)
    assert not re.search(r"\bnan\b", visible, re.IGNORECASE), "NaN shown in the report"
    for key in ("theme-prevalence-by-region-heatmap", "concern-vs-support-by-theme", "theme-cooccurrence",
                "top-themes-per-region-with-intervals", "topic-sizes-and-theme-mapping"):
        assert (root / "figures" / f"{key}.png").is_file() and (root / "figures" / f"{key}.svg").is_file()


@pytest.mark.parametrize("shape", EXPECTED)
def test_each_shape_says_what_is_missing_and_why(studies, shape):
    root, done = studies[SHAPES[shape]]
    assert done.returncode == 0, done.stderr[-2000:]
    outputs = _outputs(root)
    report = html.unescape((root / "reports" / "summary.html").read_text(encoding="utf-8"))
    for where, sentence in EXPECTED[shape]:
        text = report if where == "report" else _text_of(outputs[where])
        assert sentence in text, f"{shape}: {where} does not say {sentence!r}"


def test_no_executed_notebook_shows_nan_for_a_missing_value(studies):
    """Suppressed and missing cells read "suppressed" or "–" in every table a notebook shows."""
    for study, (root, _) in studies.items():
        for name, path in _outputs(root).items():
            if name.startswith("02"):  # topic shares and the reference agreement are internal tables
                continue
            assert not re.search(r"\bNaN\b", _text_of(path)), f"{study}: {name} shows NaN"


def test_manifest_records_every_job(studies):
    for study, (root, _) in studies.items():
        manifest = json.loads((root / "reports" / "runs" / "latest" / "manifest.json").read_text())
        failed = [j["name"] for j in manifest["jobs"] if j["status"] not in ("ran", "reused")]
        assert not failed, f"{study}: {failed}"
