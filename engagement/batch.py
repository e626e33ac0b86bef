"""The batch: run the notebooks with papermill, once per region plus a summary.

The notebooks ship with the package; they run with the project folder as their working
directory and its configuration, wherever the project is. Order: 01 prepare and 02 code once;
03 once per configured region and once for "all", in parallel (``batch.workers``, default 2);
then 04 the summary report.

Nothing is published before the leak check has passed. Everything a run would publish (figures,
the report, the executed notebooks with their ``manifest.json``) is written to a staging folder
inside the project's processed folder (owner-only, never published); the leak check scans it;
only then is it moved into ``figures/`` and ``reports/`` (``reports/runs/<run id>/``) and made
readable by colleagues (0644). On a finding the whole run goes to an owner-only quarantine
folder instead, the batch fails, and the message names type, file and place, never the value.

A failing region does not stop the others; the batch ends with a table of what ran, what was
reused and what failed and why, and exits non-zero if anything failed. A re-run executes only
the notebooks that failed last time or whose inputs changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
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
PACKAGE_NOTEBOOKS = PACKAGE_DIR / "notebooks"
# the kernel's own log lines ("running over TCP without encryption", "KeyboardInterrupt caught in
# kernel" at shutdown) say nothing to a researcher; errors in a notebook still fail its job
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]
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


@lru_cache(maxsize=1)
def package_digest() -> str:
    """A short hash of the suite's own source (code, notebooks, codebook): which version made a run."""
    return _hash_paths([PACKAGE_DIR], {})[:16]


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


def _execute(job: Job, run_dir: Path, cwd: Path, state: dict, errors_dir: Path) -> Job:
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
                            kernel_name="python3", log_output=False, request_save_on_cell_execute=False,
                            extra_arguments=KERNEL_ARGS)
        job.status = "ran"
    except Exception as exc:  # a failing notebook must not stop the others
        job.status = "failed"
        name = getattr(exc, "ename", None) or type(exc).__name__  # the notebook's error, not papermill's wrapper
        detail = getattr(exc, "evalue", None) or str(exc).strip().splitlines()[-1:] or [""]
        job.reason = f"{name}: {detail if isinstance(detail, str) else detail[0]}"[:300]
        # a traceback can quote the input it choked on: it stays with the private tables, never published
        errors_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        (errors_dir / f"{job.name}.error.txt").write_text(traceback.format_exc(), encoding="utf-8")
    job.seconds = round(time.perf_counter() - start, 1)
    return job


class _Progress:
    """One line per finished job on stderr (a bar on a terminal); quiet when asked or under CI."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.bar = total, 0, None
        self.enabled = enabled
        if enabled and sys.stderr.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="job", desc="batch", leave=False, file=sys.stderr)

    def __call__(self, job: Job) -> None:
        self.done += 1
        if not self.enabled:
            return
        line = f"[{self.done}/{self.total}] {job.name:<30} {job.status:<7} {job.seconds:6.1f} s" + (
            f"  {job.reason}" if job.status == "failed" else "")
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
            self.bar.update(1)
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _KernelEnvironment:
    """The notebooks' kernels find the project, the staging folder and the run id through the environment."""

    def __init__(self, **values: str):
        self.values = values
        self.saved: dict[str, str | None] = {}

    def __enter__(self):
        for key, value in self.values.items():
            self.saved[key] = os.environ.get(key)
            os.environ[key] = value
        return self

    def __exit__(self, *exc):
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def staging_config(cfg: Config, run_id: str) -> tuple[Config, Path]:
    """The configuration whose figures/ and reports/ are a private staging folder for this run."""
    staging = cfg.processed_dir / "staging" / run_id
    staging.mkdir(parents=True, exist_ok=True, mode=0o700)
    return cfg.with_overrides(figures_dir=str(staging / "figures"), reports_dir=str(staging / "reports")), staging


def suite_vocabulary(cfg: Config) -> list[str]:
    """The codebook's labels and example sentences (see :func:`engagement.coding.codebook.suite_vocabulary`)."""
    from engagement.coding.run import suite_vocabulary as vocabulary

    return vocabulary(cfg)


def gate_and_publish(cfg: Config, staged: Config, staging: Path, run_id: str, inputs: str | None = None,
                     package: str | None = None) -> Job:
    """Leak-check everything staged; publish it when nothing blocks, quarantine the whole run when something does.

    Once published, what earlier runs from other inputs or another version of the suite left behind
    is retired (:func:`retire_stale`).
    """
    from engagement.privacy.leak import quarantine, scan_outputs

    job = Job("leak-check", "", {}, [])
    start = time.perf_counter()
    report = scan_outputs(cfg, [staging], vocabulary=suite_vocabulary(cfg)) if staging.exists() else None
    job.seconds = round(time.perf_counter() - start, 1)
    if report is not None and report.blocking:
        where = quarantine(cfg, [staging], report, run_id=run_id)
        shutil.rmtree(staging, ignore_errors=True)
        first = report.blocking[0]
        place = (cfg.root / first.file).resolve()
        place = place.relative_to(staging.resolve()) if place.is_relative_to(staging.resolve()) else Path(first.file).name
        job.status = "failed"
        job.reason = (f"{len(report.blocking)} possible leak(s), first: {first.type} in {place} at {first.location}; "
                      f"nothing of this run was published, it is in {where}")
        return job
    if report is not None and report.warnings:
        run_dir = staged.reports_dir / "runs" / run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        warnings = [{k: v for k, v in w.to_dict().items() if k != "blocking"} for w in report.warnings]
        atomic_write_text(run_dir / "leak_warnings.json", json.dumps(warnings, indent=2))
        job.reason = f"passed; {len(report.warnings)} warning(s) to review in runs/{run_id}/leak_warnings.json"
    produced = publish(staging / "figures", cfg.figures_dir) | publish(staging / "reports", cfg.reports_dir)
    shutil.rmtree(staging, ignore_errors=True)
    if inputs is not None:
        retired = retire_stale(cfg, run_id, inputs, produced, package)
        if retired:
            job.reason = "; ".join(filter(None, [job.reason, f"retired {retired} earlier run(s) made from other inputs "
                                                             "or by another version of the suite"]))
    if staging.parent.is_dir() and not any(staging.parent.iterdir()):
        staging.parent.rmdir()
    job.status = "ran"
    return job


def retire_stale(cfg: Config, run_id: str, inputs: str, produced: set[Path], package: str | None = None) -> int:
    """Remove what runs made from other raw inputs or by another version of the suite left published;
    returns how many runs were retired.

    An earlier run's executed notebooks quote what its inputs held then: a participant since
    withdrawn, a village since added to the deny list; and what its de-identification missed then,
    before the detector learned to hide it (a trial study's hospital number stayed in an earlier
    run's notebook after the fixed suite re-ran it). When any earlier run under ``reports/runs`` was
    made from inputs other than this run's (``inputs_sha256`` in its manifest), or by a suite whose
    source differs (``package_sha256``; a run without either counts as other), every such run folder
    is removed, and so is every published figure or report
    that this run did not write itself (a region no longer configured, say). Runs from the same
    inputs (a ``--regions`` re-run) are kept, and so are hidden files such as ``.gitkeep``.
    """
    runs = cfg.reports_dir / "runs"
    stale = []
    for folder in sorted(runs.iterdir()) if runs.is_dir() else []:
        if folder.name == run_id or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            made = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            made = {}
        if made.get("inputs_sha256") != inputs or (package is not None and made.get("package_sha256") != package):
            stale.append(folder)
    if not stale:
        return 0
    for folder in stale:
        shutil.rmtree(folder)
    for top in (cfg.figures_dir, cfg.reports_dir):
        for path in sorted(top.rglob("*")) if top.is_dir() else []:
            if path.is_relative_to(runs) or path.name.startswith(".") or not path.is_file() or path.is_symlink():
                continue
            if path.resolve() not in produced:
                path.unlink()
    return len(stale)


def publish(src: Path, dest: Path) -> set[Path]:
    """Move every staged file into ``dest`` (replacing older copies), readable by colleagues; returns
    the published files (resolved paths)."""
    published: set[Path] = set()
    if not src.is_dir():
        return published
    for path in sorted(src.rglob("*")):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            target.chmod(0o755)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            target.chmod(0o644)
            published.add(target.resolve())
    return published


def notebooks_for(cfg: Config) -> Path:
    """The project's own notebooks/ when it holds all four (a researcher's edited copies), else the package's."""
    own = cfg.root / "notebooks"
    if all((own / name).is_file() for name in NOTEBOOKS.values()):
        return own
    return PACKAGE_NOTEBOOKS


def run_batch(cfg: Config, *, notebooks_dir: Path | None = None, regions: list[str] | None = None,
              workers: int | None = None, run_id: str | None = None, force: bool = False,
              progress: bool | None = None) -> BatchResult:
    """Run the whole batch; see the module docstring."""
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else notebooks_for(cfg)
    stages = plan(cfg, notebooks_dir, regions)  # refuses a bad region before anything is written
    run_id = run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    staged, staging = staging_config(cfg, run_id)
    run_dir = staged.reports_dir / "runs" / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    published_run_dir = cfg.reports_dir / "runs" / run_id
    state_path = cfg.reports_dir / "runs" / "state.json"
    state = {} if force or not state_path.is_file() else json.loads(state_path.read_text())
    workers = workers or int(cfg.batch.get("workers", 2))
    result = BatchResult(run_id, published_run_dir)
    if progress is None:
        progress = not os.environ.get("CI")
    report = _Progress(sum(len(stage) for stage in stages) + 1, progress)
    # the report prints what it was computed from: this run, and a hash of the raw inputs and settings
    env = {"ENGAGEMENT_OUTPUT_DIR": str(staging), "ENGAGEMENT_RUN_ID": run_id,
           "ENGAGEMENT_INPUT_SHA256": _hash_paths([cfg.raw_dir, *([cfg.source] if cfg.source else [])], {})[:16]}
    env.update({"ENGAGEMENT_CONFIG": str(cfg.source)} if cfg.source else {"ENGAGEMENT_ROOT": str(cfg.root)})
    upstream_failed = False
    with _KernelEnvironment(**env):
        for stage in stages:
            if upstream_failed:
                for job in stage:
                    job.status, job.reason = "skipped", "an earlier stage failed"
                    report(job)
                result.jobs.extend(stage)
                continue

            def run(job: Job) -> Job:
                done = _execute(job, run_dir, cfg.root, state, cfg.processed_dir / "logs" / run_id)
                report(done)
                return done

            with ThreadPoolExecutor(max_workers=max(1, min(workers, len(stage)))) as pool:
                done = list(pool.map(run, stage))
            result.jobs.extend(done)
            # 03 per region may fail alone; 01 and 02 feed everything after them
            if any(j.status == "failed" for j in done) and stage[0].name.startswith(("01", "02")):
                upstream_failed = True
    manifest = {
        "run_id": run_id, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs_sha256": env["ENGAGEMENT_INPUT_SHA256"], "package_sha256": package_digest(),
        "seed": cfg.seed, "config": public_settings(cfg.settings), "packages": package_versions(),
        "jobs": [{k: v for k, v in asdict(j).items()} for j in result.jobs],
    }
    atomic_write_text(run_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))
    leak = gate_and_publish(cfg, staged, staging, run_id, env["ENGAGEMENT_INPUT_SHA256"], package_digest())
    report(leak)
    report.close()
    result.jobs.append(leak)
    published = leak.status == "ran"
    for job in result.jobs:
        if job.output:
            job.output = job.output.replace(str(run_dir), str(published_run_dir))
        if job.name != "leak-check":
            # a quarantined run is never reused: its outputs were not published
            state[job.name] = {"status": job.status if published else "quarantined", "input_hash": job.input_hash,
                               "output": job.output}
    if published:
        manifest["jobs"] = [{k: v for k, v in asdict(j).items()} for j in result.jobs]
        atomic_write_text(published_run_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))
        (published_run_dir / "manifest.json").chmod(0o644)
        latest = cfg.reports_dir / "runs" / "latest"
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(run_id)
    else:
        result.run_dir = cfg.root / "quarantine" / run_id
    state_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(state_path, json.dumps(state, indent=2))
    return result
