"""The batch: run the notebooks with papermill, once per region plus a summary.

Order: 01 prepare and 02 code once; 03 once per configured region and once for "all", in
parallel (``batch.workers``, default 2); then 04 the summary report; then the leak check
over everything written. Executed notebooks go to ``reports/runs/<run id>/`` with a
``manifest.json`` (inputs' hashes, package versions, parameters, seed). A failing region does
not stop the others; the batch ends with a table of what ran, what was reused and what
failed and why, and exits non-zero if anything failed. A re-run executes only the notebooks
that failed last time or whose inputs changed.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from engagement.config import Config
from engagement.io import atomic_write_text

NOTEBOOKS = {
    "prepare": "01-prepare-transcripts.ipynb",
    "code": "02-code-themes.ipynb",
    "region": "03-concerns-by-topic-and-region.ipynb",
    "report": "04-summary-report.ipynb",
}
# the package's own source is an input of every job: changed code re-runs everything
PACKAGE_DIR = Path(__file__).parent
PACKAGES = ("engagement", "pandas", "spacy", "bertopic", "sentence-transformers", "torch", "matplotlib",
            "papermill", "nbval", "scikit-learn", "umap-learn", "hdbscan", "statsmodels")


@dataclass
class Job:
    name: str                      # e.g. "03-region-Essex"
    notebook: str
    parameters: dict
    inputs: list[str]              # files whose content decides whether to re-run
    status: str = "pending"        # ran | reused | failed | skipped
    seconds: float = 0.0
    reason: str = ""
    output: str = ""
    input_hash: str = ""


@dataclass
class BatchResult:
    run_id: str
    run_dir: Path
    jobs: list[Job] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(j.status in ("ran", "reused") for j in self.jobs)

    def table(self) -> str:
        lines = [f"{'job':<34} {'status':<8} {'seconds':>8}  reason"]
        for j in self.jobs:
            lines.append(f"{j.name:<34} {j.status:<8} {j.seconds:>8.1f}  {j.reason}")
        return "\n".join(lines)


def _hash_paths(paths: list[Path | str], extra: dict) -> str:
    h = hashlib.sha256(json.dumps(extra, sort_keys=True, default=str).encode())
    for p in sorted(Path(x) for x in paths):
        h.update(str(p.name).encode())
        if p.is_dir():
            for f in sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith(".")
                            and "__pycache__" not in q.parts and q.suffix != ".pyc"):
                h.update(f.name.encode())
                h.update(f.read_bytes())
        elif p.is_file():
            h.update(p.read_bytes())
        else:
            h.update(b"<missing>")
    return h.hexdigest()


def public_settings(settings: dict) -> dict:
    """The settings as they may be published: deny/allow lists replaced by their size and a hash.

    A deny list names the very things a DPO wants hidden (a village, a surgery), so it never
    goes into a run manifest.
    """
    out = json.loads(json.dumps(settings, default=str))
    deid = out.get("deidentify", {})
    for key in ("deny_list", "allow_list"):
        if key in deid:
            terms = sorted(str(t) for t in deid[key])
            deid[key] = {"terms": len(terms), "sha256": hashlib.sha256("\n".join(terms).encode()).hexdigest()[:16]}
    return out


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def plan(cfg: Config, notebooks_dir: Path, regions: list[str] | None = None) -> list[list[Job]]:
    """The batch as stages of jobs; jobs within a stage may run in parallel."""
    from engagement.params import check_region

    regions = regions or list(cfg.regions)
    for r in regions:
        check_region(r, cfg)
    raw, proc = cfg.raw_dir, cfg.processed_dir
    cfg_file = ([str(cfg.source)] if cfg.source else []) + [str(PACKAGE_DIR)]
    nb = lambda key: str(notebooks_dir / NOTEBOOKS[key])  # noqa: E731
    prepared = [str(proc / f"{t}.parquet") for t in ("sessions", "participants", "turns", "segments", "redactions")]
    coded = [str(proc / f"{t}.parquet") for t in ("codings", "topics", "segment_topics", "stance")]
    stages = [
        [Job("01-prepare", nb("prepare"), {}, [str(raw), nb("prepare"), *cfg_file])],
        [Job("02-code", nb("code"), {}, [*prepared, nb("code"), *cfg_file])],
        [Job(f"03-region-{r}", nb("region"), {"region": r}, [*prepared, *coded, nb("region"), *cfg_file])
         for r in [*regions, "all"]],
        [Job("04-summary-report", nb("report"), {}, [*prepared, *coded, nb("report"), *cfg_file])],
    ]
    return stages


def _execute(job: Job, run_dir: Path, cwd: Path, state: dict) -> Job:
    import papermill as pm

    job.input_hash = _hash_paths(job.inputs, {"parameters": job.parameters, "versions": package_versions()})
    out = run_dir / f"{job.name}.ipynb"
    job.output = str(out)
    previous = state.get(job.name, {})
    prev_out = Path(previous.get("output", ""))
    if previous.get("status") in ("ran", "reused") and previous.get("input_hash") == job.input_hash \
            and prev_out.is_file():
        if prev_out.resolve() != out.resolve():
            out.write_bytes(prev_out.read_bytes())
        job.status, job.reason = "reused", "inputs unchanged since the last successful run"
        return job
    start = time.perf_counter()
    try:
        pm.execute_notebook(job.notebook, str(out), parameters=job.parameters, cwd=str(cwd), progress_bar=False,
                            kernel_name="python3", log_output=False, request_save_on_cell_execute=False)
        job.status = "ran"
    except Exception as exc:  # a failing notebook must not stop the others
        job.status = "failed"
        name = getattr(exc, "ename", None) or type(exc).__name__  # the notebook's error, not papermill's wrapper
        detail = getattr(exc, "evalue", None) or str(exc).strip().splitlines()[-1:] or [""]
        job.reason = f"{name}: {detail if isinstance(detail, str) else detail[0]}"[:300]
        (run_dir / f"{job.name}.error.txt").write_text(traceback.format_exc(), encoding="utf-8")
    job.seconds = round(time.perf_counter() - start, 1)
    return job


def run_batch(cfg: Config, *, notebooks_dir: Path | None = None, regions: list[str] | None = None,
              workers: int | None = None, run_id: str | None = None, force: bool = False) -> BatchResult:
    """Run the whole batch; see the module docstring."""
    root = cfg.root
    notebooks_dir = notebooks_dir or root / "notebooks"
    stages = plan(cfg, notebooks_dir, regions)  # refuses a bad region before anything is written
    run_id = run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_dir = cfg.reports_dir / "runs" / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    state_path = cfg.reports_dir / "runs" / "state.json"
    state = {} if force or not state_path.is_file() else json.loads(state_path.read_text())
    workers = workers or int(cfg.batch.get("workers", 2))
    result = BatchResult(run_id, run_dir)
    upstream_failed = False
    for stage in stages:
        if upstream_failed:
            for job in stage:
                job.status, job.reason = "skipped", "an earlier stage failed"
            result.jobs.extend(stage)
            continue
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(stage)))) as pool:
            done = list(pool.map(lambda j: _execute(j, run_dir, notebooks_dir, state), stage))
        result.jobs.extend(done)
        for job in done:
            state[job.name] = {"status": job.status, "input_hash": job.input_hash, "output": job.output}
        # 03 per region may fail alone; 01 and 02 feed everything after them
        if any(j.status == "failed" for j in done) and stage[0].name.startswith(("01", "02")):
            upstream_failed = True
    leak = Job("leak-check", "", {}, [])
    if not upstream_failed:
        from engagement.privacy.leak import leak_check

        start = time.perf_counter()
        findings = leak_check(cfg)
        leak.seconds = round(time.perf_counter() - start, 1)
        leak.status = "failed" if findings else "ran"
        if findings:
            f = findings[0]
            leak.reason = f"{len(findings)} finding(s), first: {f.file}:{f.location} {f.type}"
    else:
        leak.status, leak.reason = "skipped", "an earlier stage failed"
    result.jobs.append(leak)
    manifest = {
        "run_id": run_id, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seed": cfg.seed, "config": public_settings(cfg.settings), "packages": package_versions(),
        "jobs": [{k: v for k, v in asdict(j).items()} for j in result.jobs],
    }
    atomic_write_text(run_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))
    atomic_write_text(state_path, json.dumps(state, indent=2))
    latest = cfg.reports_dir / "runs" / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(run_id)
    return result
