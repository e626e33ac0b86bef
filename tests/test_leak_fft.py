"""False alarms of the leak check's blocking rule on real, public text: the NHS Friends and Family
Test comments in ../shared/data/fft, treated as a published table.

Hand-checked on 2026-12-01 (7,406 comments, the real detector plus the independent signals):
5 comments block, and all 5 are staff names written by patients (two doctors by title, two "X was
lovely/very kind", "the OT X"), so the blocking rule raised no false alarm there (0 of 7,406);
119 warnings to review: 86 are place names in the sub-service column (a secure unit's name
repeated) and 33 are in the answers, of which 6 are staff first names and the rest hospitals,
towns, a course name and capitalised words.
"""

from __future__ import annotations

import csv
import shutil

import pytest

from engagement.config import load_config
from engagement.privacy.leak import scan_outputs
from tests.conftest import SHARED, write_project

FFT = SHARED / "data" / "fft" / "fft_comments.csv"


@pytest.mark.skipif(not FFT.is_file(), reason="the shared FFT comments are not here")
def test_the_blocking_rule_rarely_fires_on_real_patient_comments(tmp_path):
    cfg = load_config(write_project(tmp_path) / "engagement.yaml")
    cfg.reports_dir.mkdir(parents=True, exist_ok=True)
    table = shutil.copy(FFT, cfg.reports_dir / "fft_comments.csv")
    with open(FFT, encoding="utf-8", newline="") as fh:
        comments = sum(1 for _ in csv.reader(fh)) - 1
    report = scan_outputs(cfg, [table])
    blocked = {f.place.split(",")[0] for f in report.blocking}
    assert comments > 7000
    assert len(blocked) / comments <= 0.002, report.summary
    assert len(report.warnings) / comments <= 0.03, report.summary
