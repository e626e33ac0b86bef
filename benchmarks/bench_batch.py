"""Benchmark: the full batch on the sample, cold and warm, and one per-region notebook with caches warm.

Cold: empty data/processed (no parse, embedding or topic caches) and no previous batch state.
Warm: every job forced to re-run (--force) but with the caches in place.
Per-region: notebook 03 for one region, executed alone with papermill, caches warm.

    python benchmarks/bench_batch.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    import papermill as pm

    from engagement.batch import run_batch
    from engagement.config import load_config

    cfg = load_config(REPO / "engagement.yaml")
    rows = []
    shutil.rmtree(cfg.processed_dir / "cache", ignore_errors=True)
    for f in cfg.processed_dir.glob("*.parquet"):
        f.unlink()
    state = cfg.reports_dir / "runs" / "state.json"
    state.unlink(missing_ok=True)
    start = time.perf_counter()
    cold = run_batch(cfg, force=True)
    rows.append({"run": "full batch, cold caches", "seconds": round(time.perf_counter() - start, 1), "ok": cold.ok})
    start = time.perf_counter()
    warm = run_batch(cfg, force=True)
    rows.append({"run": "full batch, warm caches (all jobs re-run)", "seconds": round(time.perf_counter() - start, 1),
                 "ok": warm.ok})
    start = time.perf_counter()
    again = run_batch(cfg)
    rows.append({"run": "full batch, nothing changed (all reused)", "seconds": round(time.perf_counter() - start, 1),
                 "ok": again.ok})
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        pm.execute_notebook(str(REPO / "notebooks" / "03-concerns-by-topic-and-region.ipynb"), str(Path(tmp) / "o.ipynb"),
                            parameters={"region": "Essex"}, cwd=str(REPO / "notebooks"), progress_bar=False,
                            kernel_name="python3")
        rows.append({"run": "notebook 03, region=Essex, caches warm", "seconds": round(time.perf_counter() - start, 1),
                     "ok": True})
    table = pd.DataFrame(rows)
    table["ratio_to_cold"] = (table["seconds"] / table["seconds"].iloc[0]).round(3)
    print(table.to_string(index=False))
    print("\nper-job seconds (cold run):")
    print(cold.table())


if __name__ == "__main__":
    main()
