"""Benchmark: the code stage cold vs warm (cached).

Default: the FFT survey (../shared/data/fft/fft_comments.csv, ~95,000 words), prepared once, then
coded as a whole process (imports, model loads, rules, stance, semantic layer, topics) by the old
code stage (a `git worktree` of ``--old``, the commit before the semantic layer) and by the current
one, each cold (empty cache) and warm (the same call again), in the same run. Targets: new cold
within 1.2x of old cold; warm at least 10x faster than cold.

``--sample``: the earlier benchmark on the sample and the sample x10, against plain BERTopic.

    python benchmarks/bench_coding.py [--old REV] [--sample [--no-x10] [--no-plain]]

Cold = empty cache (embeddings computed, topic model fitted). Warm = the same call again: the
embeddings and the fitted topic tables are read from the cache keyed by content hash and model
id. Target: warm at least 10x faster than cold.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
FFT = REPO.parent / "shared" / "data" / "fft" / "fft_comments.csv"
OLD_DEFAULT = "12b6e29"   # the code stage before the semantic layer
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _prepared(tmp: Path, repeat: int):
    from engagement.config import load_config
    from engagement.io import read_table, write_table
    from engagement.prepare import prepare

    cfg = load_config(REPO / "engagement.yaml", processed_dir=str(tmp / f"processed_x{repeat}"))
    base = tmp / "processed_x1"
    if repeat == 1:
        prepare(cfg)
    else:
        cfg.processed_dir.mkdir(parents=True, exist_ok=True)
        segs = read_table("segments", base / "segments.parquet")
        copies = [segs.assign(segment_id=segs["segment_id"] + f"-R{k}", session_id=segs["session_id"] + f"-R{k}",
                              participant_id=segs["participant_id"] + f"-R{k}") for k in range(repeat)]
        write_table(pd.concat(copies, ignore_index=True), "segments", cfg.table_path("segments"))
    return cfg


def _time(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def plain_bertopic(docs: list[str]) -> float:
    from bertopic import BERTopic

    from engagement.coding.embeddings import topic_embedder

    model = topic_embedder()  # loading excluded, as for ours (both load the same model)
    start = time.perf_counter()
    BERTopic(embedding_model=model).fit_transform(docs)
    return time.perf_counter() - start


_CODE = """
import sys, time
start = time.perf_counter()
from engagement.config import load_config
from engagement.coding.run import run_coding
cfg = load_config(sys.argv[1], processed_dir=sys.argv[2])
kw = {"semantic": True} if sys.argv[3] == "new" else {}
res = run_coding(cfg, write=False, **kw)
print(res.summary.get("semantic_codings", 0), res.summary.get("rule_codings", 0), time.perf_counter() - start)
"""


def _process(code_dir: Path, cfg: Path, processed: Path, variant: str) -> tuple[float, str]:
    """Wall time of one whole code-stage process run from ``code_dir``'s package."""
    env = {**os.environ, "PYTHONPATH": str(code_dir), "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _CODE, str(cfg), str(processed), variant], env=env, cwd=code_dir,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode:
        sys.exit(f"{variant} code stage failed:\n{out.stderr[-3000:]}")
    return seconds, out.stdout.strip().splitlines()[-1]


def fft(old: str) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_prepare import _fft_project
    from engagement.config import load_config
    from engagement.prepare import prepare

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cfg_path = _fft_project(tmp / "fft")
        start = time.perf_counter()
        prepare(load_config(cfg_path))
        print(f"prepared the FFT survey in {time.perf_counter() - start:.0f} s (not timed below)", flush=True)
        segments = tmp / "fft" / "processed" / "segments.parquet"
        worktree = tmp / "old"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(worktree), old], check=True,
                       capture_output=True)
        try:
            for variant, code_dir in (("old", worktree), ("new", REPO)):
                processed = tmp / f"processed_{variant}"
                processed.mkdir()
                shutil.copy(segments, processed / "segments.parquet")
                cold, said = _process(code_dir, cfg_path, processed, variant)
                warm, _ = _process(code_dir, cfg_path, processed, variant)
                n_sem, n_rule, _ = said.split()
                rows.append({"code stage": f"{variant} ({old if variant == 'old' else 'HEAD + working tree'})",
                             "rule_codings": int(n_rule), "semantic_codings": int(n_sem),
                             "cold_s": round(cold, 1), "warm_s": round(warm, 1), "warm_speedup": round(cold / warm, 1)})
                print(rows[-1], flush=True)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], capture_output=True)
    table = pd.DataFrame(rows)
    print("code stage on the FFT survey, whole process (imports + models + rules + stance + semantic + topics)")
    print(table.to_string(index=False))
    print(f"new cold / old cold = {rows[1]['cold_s'] / rows[0]['cold_s']:.2f} (target <= 1.2); "
          f"new warm speedup {rows[1]['warm_speedup']} (target >= 10)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", default=OLD_DEFAULT, help="the commit of the old code stage")
    ap.add_argument("--sample", action="store_true", help="the sample / sample x10 benchmark instead")
    ap.add_argument("--no-x10", action="store_true")
    ap.add_argument("--no-plain", action="store_true")
    args = ap.parse_args()
    if not args.sample:
        if not FFT.is_file():
            sys.exit(f"{FFT} not found")
        fft(args.old)
        return
    from engagement.coding.run import run_coding
    from engagement.coding.embeddings import load_sentence_model
    from engagement.coding.topics import topic_inputs

    load_sentence_model()  # import torch/transformers once, outside every timing
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for repeat in ([1] if args.no_x10 else [1, 10]):
            cfg = _prepared(tmp, repeat)
            shutil.rmtree(cfg.cache_dir, ignore_errors=True)
            cold, res = _time(lambda: run_coding(cfg))
            warm, _ = _time(lambda: run_coding(cfg))
            from engagement.io import read_table

            segs = read_table("segments", cfg.table_path("segments"))
            docs = topic_inputs(segs)["text"].tolist()
            row = {"corpus": f"sample x{repeat}", "segments": len(segs), "topic_docs": len(docs),
                   "topics": res.summary["topics"], "cold_s": round(cold, 1), "warm_s": round(warm, 2),
                   "warm_speedup": round(cold / warm, 1)}
            if not args.no_plain:
                plain = plain_bertopic(docs)
                row["plain_bertopic_s"] = round(plain, 1)
                row["cold_vs_plain"] = round(cold / plain, 2)
            rows.append(row)
    print("code stage (rules + stance + BERTopic with MiniLM): cold vs warm, and plain BERTopic defaults")
    print(pd.DataFrame(rows).to_string(index=False))
    print("target: warm_speedup >= 10")


if __name__ == "__main__":
    main()
