"""Benchmark: the code stage cold vs warm (cached), on the sample and on the sample x10,
against plain BERTopic with its defaults on the same segments, in the same run.

    python benchmarks/bench_coding.py [--no-x10] [--no-plain]

Cold = empty cache (embeddings computed, topic model fitted). Warm = the same call again: the
embeddings and the fitted topic tables are read from the cache keyed by content hash and model
id. Target: warm at least 10x faster than cold.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
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

    from engagement.coding.embeddings import load_sentence_model

    model = load_sentence_model()  # loading excluded, as for ours (both load the same model)
    start = time.perf_counter()
    BERTopic(embedding_model=model).fit_transform(docs)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-x10", action="store_true")
    ap.add_argument("--no-plain", action="store_true")
    args = ap.parse_args()
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
