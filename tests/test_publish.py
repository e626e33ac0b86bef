"""Publication is gated by the leak check: a report holding a leak is withheld, end to end.

The tiny coded project from test_report is reported twice through the command line: once as
it is (published, readable by colleagues), once with a third party's first name planted in the
report after de-identification, as a missed detection would leave it. The real leak check
(not a stand-in) must catch the name by its own signals, the report must not be published,
and no message may repeat the name.
"""

from __future__ import annotations

import re
import shutil
import stat

import pytest

from engagement.cli import main
from engagement.config import load_config
from tests.test_report import build_coded_project

PLANTED = "Bernadette"


@pytest.fixture
def project(tmp_path_factory, tmp_path):
    built = build_coded_project(tmp_path_factory.getbasetemp())
    root = tmp_path / "study"
    shutil.copytree(built, root, symlinks=True)
    for folder in ("figures", "reports"):
        shutil.rmtree(root / folder, ignore_errors=True)
    return load_config(root / "engagement.yaml")


def test_a_clean_report_is_published_readable_by_colleagues(project, capsys):
    assert main(["--config", str(project.source), "report"]) == 0
    html = project.reports_dir / "summary.html"
    assert html.is_file() and stat.S_IMODE(html.stat().st_mode) == 0o644
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in project.figures_dir.glob("*.png"))
    assert not (project.root / "quarantine").exists()


def test_a_report_with_a_missed_name_is_withheld_and_the_name_is_never_repeated(project, capsys, monkeypatch):
    from engagement.report import builder

    real = builder.build_report

    def leaky(cfg, **kwargs):
        result = real(cfg, **kwargs)
        text = result.html.read_text(encoding="utf-8")
        # what a missed detection leaves in an exemplar quote: a third party, first name only
        result.html.write_text(text.replace("</body>", f"<blockquote>It was all fine, and so was {PLANTED} on "
                                                       "reception.</blockquote></body>"), encoding="utf-8")
        return result

    monkeypatch.setattr(builder, "build_report", leaky)
    code = main(["--config", str(project.source), "report", "--run-id", "leaky"])
    captured = capsys.readouterr()
    assert code == 1
    assert "report withheld" in captured.err and "summary.html" in captured.err
    assert PLANTED not in captured.out + captured.err
    # nothing of the run is published; all of it is held, owner-only, with findings that name no value
    assert not (project.reports_dir / "summary.html").exists()
    assert not project.figures_dir.exists() or not list(project.figures_dir.iterdir())
    held = project.root / "quarantine" / "leaky"
    assert stat.S_IMODE(held.stat().st_mode) == 0o700
    assert any(p.name == "summary.html" for p in held.rglob("*"))
    findings = (held / "findings.json").read_text()
    assert PLANTED not in findings
    assert re.search(r'"type": "(PERSON|NAME)', findings), findings
