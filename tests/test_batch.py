"""The batch runner with tiny stand-in notebooks: order, isolation of failures, manifest, re-use.

The stand-ins have the real notebooks' names and one ``parameters`` cell each; every run appends
a line to ``executions.log`` so a test can see exactly which notebooks ran. 01 writes the
prepared tables as a digest of data/raw and 02 the coded tables as a digest of those, so that
changing a raw file really changes what 02, 03 and 04 read (as in the real pipeline); 03 fails
for Norfolk.
"""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import nbformat
import pytest

from engagement.batch import NOTEBOOKS, run_batch
from engagement.config import load_config
from engagement.privacy.leak import Finding
from tests.test_report import REGIONS, write_report_project

STAND_INS = {
    "prepare": ('config_path = ""  # project YAML file', """\
import hashlib, pathlib
root = pathlib.Path({root!r})
raw = b"".join(p.read_bytes() for p in sorted((root / "data/raw").rglob("*")) if p.is_file())
proc = root / "data/processed"
proc.mkdir(parents=True, exist_ok=True)
for table in ("sessions", "participants", "turns", "segments", "redactions"):
    (proc / f"{{table}}.parquet").write_text(hashlib.sha256(raw).hexdigest())
with open(root / "executions.log", "a") as log:
    log.write("01\\n")
"""),
    "code": ('codebook = "default"  # codebook', """\
import hashlib, pathlib
root = pathlib.Path({root!r})
proc = root / "data/processed"
digest = hashlib.sha256((proc / "segments.parquet").read_bytes()).hexdigest()
for table in ("codings", "topics", "segment_topics", "stance"):
    (proc / f"{{table}}.parquet").write_text(digest)
with open(root / "executions.log", "a") as log:
    log.write("02\\n")
"""),
    "region": ('region = "all"  # a configured region, or all', """\
import pathlib
root = pathlib.Path({root!r})
with open(root / "executions.log", "a") as log:
    log.write(f"03 {{region}}\\n")
if region == "Norfolk":
    raise RuntimeError("no coded segments for Norfolk in this stand-in")
print("region", region)
"""),
    "report": ('run_id = ""  # batch run id', """\
import pathlib
from engagement.config import load_config
root = pathlib.Path({root!r})
reports = load_config().reports_dir   # the batch's staging folder until the leak check passes
reports.mkdir(parents=True, exist_ok=True)
import os
(reports / "summary.html").write_text("<html><title>stand-in</title>"
                                      f"run {{os.environ['ENGAGEMENT_RUN_ID']}} inputs {{os.environ['ENGAGEMENT_INPUT_SHA256']}}</html>")
with open(root / "executions.log", "a") as log:
    log.write("04\\n")
"""),
}


def write_stand_ins(root: Path, overrides: dict[str, str] | None = None) -> Path:
    folder = root / "notebooks"
    folder.mkdir(exist_ok=True)
    for key, (params, body) in STAND_INS.items():
        body = (overrides or {}).get(key, body)
        cell = nbformat.v4.new_code_cell(params)
        cell.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell(body.format(root=str(root)))])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / NOTEBOOKS[key])
    return folder


class LeakStub:
    """Stands in for engagement.privacy.leak.scan_outputs: records calls, reports the findings it is given."""

    def __init__(self):
        self.calls, self.findings = [], []

    def __call__(self, cfg, paths=None, use_ner=False, **kwargs):
        from engagement.privacy.leak import LeakReport

        self.calls.append(cfg.root)
        return LeakReport(blocking=list(self.findings))


@pytest.fixture(scope="module")
def leak():
    stub = LeakStub()
    with pytest.MonkeyPatch.context() as mp:
        try:
            import engagement.privacy.leak as module
        except ImportError:  # not written yet: a stand-in module, so the batch can still call it
            module = types.ModuleType("engagement.privacy.leak")
            mp.setitem(sys.modules, "engagement.privacy.leak", module)
            import engagement

            mp.setattr(engagement, "leak", module, raising=False)
        mp.setattr(module, "scan_outputs", stub, raising=False)
        yield stub


@pytest.fixture(scope="module", autouse=True)
def package_source(tmp_path_factory):
    """A snapshot of the package's source stands in for it as every job's input, so that other
    people editing engagement/ while these tests run cannot make a job re-run."""
    import shutil

    from engagement import batch

    snapshot = tmp_path_factory.mktemp("package") / "engagement"
    shutil.copytree(batch.PACKAGE_DIR, snapshot, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch, "PACKAGE_DIR", snapshot)
        yield snapshot


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = write_report_project(tmp_path_factory.mktemp("batch"))
    write_stand_ins(root)
    return root


@pytest.fixture(scope="module")
def cfg(project):
    return load_config(project / "engagement.yaml")


class Runs:
    """Runs the batch and returns (result, the notebooks executed during that run)."""

    def __init__(self, cfg, leak):
        self.cfg, self.leak = cfg, leak

    def __call__(self, run_id: str, **kw):
        log = self.cfg.root / "executions.log"
        before = log.read_text().splitlines() if log.is_file() else []
        result = run_batch(self.cfg, notebooks_dir=self.cfg.root / "notebooks", workers=4, run_id=run_id, **kw)
        after = log.read_text().splitlines() if log.is_file() else []
        return result, after[len(before):]


@pytest.fixture(scope="module")
def runs(cfg, leak):
    return Runs(cfg, leak)


@pytest.fixture(scope="module")
def first(runs):
    return runs("run1")


@pytest.fixture(scope="module")
def second(first, runs):
    return runs("run2")


@pytest.fixture(scope="module")
def after_raw_change(second, runs, project):
    raw = project / "data" / "raw" / "esx-fg1.txt"
    raw.write_text(raw.read_text() + "Aaliyah: One more thing about selling records to drug companies.\n")
    return runs("run3")


@pytest.fixture(scope="module")
def after_notebook_change(after_raw_change, runs, project):
    nb = project / "notebooks" / NOTEBOOKS["region"]
    book = nbformat.read(nb, as_version=4)
    book.cells[1].source += "\n# a changed analysis\n"
    nbformat.write(book, nb)
    return runs("run4")


def statuses(result) -> dict[str, str]:
    return {j.name: j.status for j in result.jobs}


EXPECTED_JOBS = ["01-prepare", "02-code", *(f"03-region-{r}" for r in REGIONS), "03-region-all",
                 "04-summary-report", "leak-check"]


# ---- the first run


def test_batch_runs_prepare_code_each_region_plus_all_then_the_report_in_order(first):
    result, executed = first
    assert [j.name for j in result.jobs] == EXPECTED_JOBS
    assert executed[0] == "01" and executed[1] == "02" and executed[-1] == "04"
    assert sorted(executed[2:-1]) == sorted(f"03 {r}" for r in [*REGIONS, "all"])


def test_one_failing_region_does_not_stop_the_others(first):
    result, _ = first
    st = statuses(result)
    assert st["03-region-Norfolk"] == "failed"
    assert {st[f"03-region-{r}"] for r in ("Essex", "Suffolk", "all")} == {"ran"}
    assert st["04-summary-report"] == "ran"


def test_a_failed_batch_is_not_ok_and_its_table_names_the_failure_and_why(first, cfg):
    result, _ = first
    assert result.ok is False
    failed = [line for line in result.table().splitlines() if "failed" in line]
    assert len(failed) == 1
    assert re.match(r"03-region-Norfolk\s+failed\s+[\d.]+\s+RuntimeError: no coded segments for Norfolk", failed[0])
    # a traceback can quote the input: it stays with the private tables, never in reports/
    assert not list(cfg.reports_dir.rglob("*.error.txt"))
    trace = (cfg.processed_dir / "logs" / result.run_id / "03-region-Norfolk.error.txt").read_text()
    assert "no coded segments for Norfolk" in trace


def test_the_leak_check_runs_at_the_end(first, leak, cfg):
    result, _ = first
    assert cfg.root in leak.calls
    assert result.jobs[-1].name == "leak-check" and result.jobs[-1].status == "ran"


def test_executed_notebooks_are_kept_with_their_injected_parameters(first):
    result, _ = first
    essex = nbformat.read(result.run_dir / "03-region-Essex.ipynb", as_version=4)
    injected = [c for c in essex.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'region = "Essex"' in injected[0].source
    assert (result.run_dir / "04-summary-report.ipynb").is_file()


def test_manifest_records_input_hashes_package_versions_parameters_and_seed(first, cfg):
    result, _ = first
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["run_id"] == "run1" and manifest["seed"] == cfg.seed == 20260314
    for package in ("python", "engagement", "pandas", "papermill", "matplotlib"):
        assert manifest["packages"][package] not in ("", None)
    jobs = {j["name"]: j for j in manifest["jobs"]}
    assert set(jobs) == set(EXPECTED_JOBS)
    for name in EXPECTED_JOBS[:-1]:
        assert re.fullmatch(r"[0-9a-f]{64}", jobs[name]["input_hash"]), name
    assert jobs["03-region-Essex"]["parameters"] == {"region": "Essex"}
    assert jobs["03-region-all"]["parameters"] == {"region": "all"}
    assert jobs["03-region-Essex"]["input_hash"] != jobs["03-region-Suffolk"]["input_hash"]
    assert jobs["03-region-Norfolk"]["status"] == "failed" and jobs["03-region-Norfolk"]["reason"]
    assert manifest["config"]["regions"] == REGIONS


def test_the_report_is_told_the_run_id_and_a_hash_of_the_raw_inputs(first, cfg):
    import re

    html = (cfg.reports_dir / "summary.html").read_text()
    m = re.search(r"run (\S+) inputs ([0-9a-f]{16})<", html)
    assert m and m.group(1) == "run1"


def test_latest_points_at_the_most_recent_run(second, cfg):
    result, _ = second
    assert (cfg.reports_dir / "runs" / "latest").resolve() == result.run_dir.resolve()


def test_a_run_from_the_same_inputs_keeps_the_earlier_runs(second, cfg):
    assert (cfg.reports_dir / "runs" / "run1" / "03-region-Essex.ipynb").is_file()
    manifest = json.loads((cfg.reports_dir / "runs" / "run2" / "manifest.json").read_text())
    assert manifest["inputs_sha256"] == json.loads((cfg.reports_dir / "runs" / "run1" / "manifest.json").read_text())["inputs_sha256"]


def test_retiring_removes_published_files_the_new_run_did_not_write(tmp_path):
    from engagement.batch import retire_stale

    cfg = load_config(write_report_project(tmp_path) / "engagement.yaml")
    runs = cfg.reports_dir / "runs"
    for name, made_from in (("old", "aaaa"), ("unknown", None), ("same", "bbbb"), ("new", "bbbb")):
        (runs / name).mkdir(parents=True)
        (runs / name / "manifest.json").write_text(json.dumps({"inputs_sha256": made_from} if made_from else {}))
    cfg.figures_dir.mkdir(parents=True, exist_ok=True)
    for rel in ("figures/kept.png", "figures/Gone-region.png", "figures/.gitkeep", "reports/summary.html", "reports/old.pdf"):
        (cfg.root / rel).write_text("x")
    produced = {(cfg.root / rel).resolve() for rel in ("figures/kept.png", "reports/summary.html")}
    assert retire_stale(cfg, "new", "bbbb", produced) == 2
    assert sorted(p.name for p in runs.iterdir()) == ["new", "same"]
    assert sorted(p.name for p in cfg.figures_dir.iterdir()) == [".gitkeep", "kept.png"]
    assert sorted(p.name for p in cfg.reports_dir.iterdir() if p.is_file()) == ["summary.html"]
    # nothing stale: nothing is touched
    (cfg.root / "figures" / "other.png").write_text("x")
    assert retire_stale(cfg, "new", "bbbb", produced) == 0 and (cfg.figures_dir / "other.png").is_file()


def test_runs_made_by_another_version_of_the_suite_are_retired(tmp_path):
    """A trial study's hospital number stayed in an earlier run's notebook after the fixed detector
    re-ran the same inputs: a run the older suite made is retired, one this suite made is kept."""
    from engagement.batch import retire_stale

    cfg = load_config(write_report_project(tmp_path) / "engagement.yaml")
    runs = cfg.reports_dir / "runs"
    for name, package in (("older", "0000"), ("before", None), ("same", "cafe"), ("new", "cafe")):
        (runs / name).mkdir(parents=True)
        made = {"inputs_sha256": "bbbb", **({"package_sha256": package} if package else {})}
        (runs / name / "manifest.json").write_text(json.dumps(made))
    assert retire_stale(cfg, "new", "bbbb", set(), "cafe") == 2
    assert sorted(p.name for p in runs.iterdir()) == ["new", "same"]


# ---- re-runs


def test_a_second_run_reuses_unchanged_successful_jobs_and_reruns_only_the_failed_one(second):
    result, executed = second
    assert executed == ["03 Norfolk"]
    st = statuses(result)
    assert st.pop("03-region-Norfolk") == "failed"
    assert st.pop("leak-check") == "ran"
    assert set(st.values()) == {"reused"}
    # a reused job still leaves its executed notebook in the new run's folder
    assert (result.run_dir / "03-region-Essex.ipynb").is_file()


def test_changing_a_raw_file_reruns_prepare_and_everything_downstream(after_raw_change):
    result, executed = after_raw_change
    assert executed[:2] == ["01", "02"] and executed[-1] == "04"
    assert sorted(executed[2:-1]) == sorted(f"03 {r}" for r in [*REGIONS, "all"])
    assert statuses(result)["03-region-Essex"] == "ran"


def test_a_run_from_changed_inputs_retires_every_earlier_run(after_raw_change, cfg):
    """Earlier runs quote what the inputs held then (a participant since withdrawn, a village since denied)."""
    result, _ = after_raw_change
    left = sorted(p.name for p in (cfg.reports_dir / "runs").iterdir() if p.is_dir() and not p.is_symlink())
    assert left == ["run3"]
    assert "retired 2 earlier run(s)" in result.jobs[-1].reason


def test_changing_notebook_03_reruns_only_the_region_jobs(after_notebook_change):
    result, executed = after_notebook_change
    assert sorted(executed) == sorted(f"03 {r}" for r in [*REGIONS, "all"])
    st = statuses(result)
    assert st["01-prepare"] == st["02-code"] == st["04-summary-report"] == "reused"


def test_changing_the_package_source_reruns_everything(after_notebook_change, runs, package_source):
    (package_source / "analysis" / "measures.py").write_text((package_source / "analysis" / "measures.py").read_text() + "\n# changed\n")
    _, executed = runs("run5")
    assert sorted(executed) == sorted(["01", "02", "04", *(f"03 {r}" for r in [*REGIONS, "all"])])


def test_force_reruns_everything(after_notebook_change, runs):
    _, executed = runs("run5-forced", force=True)
    assert len(executed) == 7


def test_a_leak_finding_withholds_the_whole_run_and_names_type_file_and_place(after_notebook_change, runs, leak,
                                                                                cfg):
    published = (cfg.reports_dir / "summary.html").read_bytes()
    leak.findings = [Finding("reports/summary.html", "line 12", "PHONE", "matches a redacted value")]
    try:
        result, _ = runs("run6", regions=["Essex"], force=True)
    finally:
        leak.findings = []
    assert result.ok is False
    job = result.jobs[-1]
    assert job.status == "failed" and job.reason.startswith("1 possible leak(s), first: PHONE in summary.html at line 12")
    # nothing of run6 was published: no run folder, the previous report untouched, `latest` not moved
    assert not (cfg.reports_dir / "runs" / "run6").exists()
    assert (cfg.reports_dir / "summary.html").read_bytes() == published
    assert (cfg.reports_dir / "runs" / "latest").resolve().name != "run6"
    held = cfg.root / "quarantine" / "run6"
    assert (held / "reports" / "summary.html").is_file() and result.run_dir == held
    assert oct(held.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in held.rglob("*") if p.is_file())
    assert json.loads((held / "findings.json").read_text())["blocking"][0]["type"] == "PHONE"
    assert not (cfg.processed_dir / "staging" / "run6").exists()
    # a withheld run is never reused: the next run executes its jobs again
    again, executed = runs("run7", regions=["Essex"])
    assert again.ok is False or "04" in executed


def test_published_files_are_readable_by_colleagues(first, cfg):
    for path in [*cfg.reports_dir.rglob("*.ipynb"), cfg.reports_dir / "summary.html"]:
        assert path.stat().st_mode & 0o044 == 0o044, path


# ---- an upstream failure, a bad region, and the command line


def test_a_failure_in_prepare_skips_everything_after_it(tmp_path, leak):
    root = write_report_project(tmp_path)
    write_stand_ins(root, {"prepare": "raise ValueError('cannot read transcript esx-fg1.txt')\n"})
    cfg = load_config(root / "engagement.yaml")
    calls = len(leak.calls)
    result = run_batch(cfg, notebooks_dir=root / "notebooks", run_id="broken")
    st = statuses(result)
    assert st["01-prepare"] == "failed"
    assert "ValueError: cannot read transcript esx-fg1.txt" in result.jobs[0].reason
    assert {s for name, s in st.items() if name not in ("01-prepare", "leak-check")} == {"skipped"}
    assert st["leak-check"] == "ran" and len(leak.calls) == calls + 1  # the failed notebook is checked before it is kept
    assert not (root / "executions.log").exists()


def test_a_batch_for_an_unknown_region_runs_nothing(cfg):
    from engagement.errors import ParameterError

    with pytest.raises(ParameterError, match="region 'Kent' is not a configured region"):
        run_batch(cfg, notebooks_dir=cfg.root / "notebooks", regions=["Kent"], run_id="kent")
    assert not (cfg.reports_dir / "runs" / "kent").exists()


def test_cli_batch_exits_non_zero_with_a_one_line_reason_when_a_job_failed(after_notebook_change, cfg, capsys,
                                                                          monkeypatch):
    from engagement.cli import main

    monkeypatch.delenv("CI", raising=False)  # progress lines are quiet under CI

    code = main(["--config", str(cfg.source), "batch", "--workers", "4"])
    captured = capsys.readouterr()
    assert code != 0
    progress = [line for line in captured.err.splitlines() if line.startswith("[")]
    errors = [line for line in captured.err.splitlines() if not line.startswith("[")]
    n = len(EXPECTED_JOBS)
    assert len(progress) == n and all(re.match(rf"\[\d+/{n}\] \S+ +(ran|reused|failed|skipped) ", p) for p in progress)
    assert len(errors) == 1, captured.err
    assert errors[0].startswith("engagement: error: batch incomplete: 03-region-Norfolk")
    assert "no coded segments for Norfolk" in errors[0]
    assert "Traceback" not in captured.err
    assert "03-region-Norfolk" in captured.out  # the table


def test_cli_batch_refuses_an_unknown_region_in_one_line(tmp_path, capsys):
    from engagement.cli import main

    root = write_report_project(tmp_path)
    code = main(["--config", str(root / "engagement.yaml"), "batch", "--regions", "Essex,Kent"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["engagement: error: region 'Kent' is not a configured region; use one of Essex, Suffolk, "
                   "Norfolk or 'all'"]


def test_run_manifest_never_contains_the_deny_list():
    from engagement.batch import public_settings

    settings = {"deidentify": {"deny_list": ["Little Snoring Surgery"], "allow_list": ["NHS"]}, "seed": 1}
    shown = json.dumps(public_settings(settings))
    assert "Little Snoring" not in shown and '"terms": 1' in shown
    assert settings["deidentify"]["deny_list"] == ["Little Snoring Surgery"], "input must not be mutated"
