"""Evaluation of the coding stage on the sample: agreement with the hand-coded reference
(per-code precision, recall, F1, Cohen's kappa; stance accuracy) and topic quality (NPMI
coherence and topic diversity).

Needs the prepared and coded sample (`engagement prepare && engagement code`, or `make report`).

    python benchmarks/bench_evaluation.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    from engagement.coding.run import evaluate_against_reference
    from engagement.config import load_config
    from engagement.io import read_table
    from engagement.coding.topics import topic_quality

    cfg = load_config(REPO / "engagement.yaml")
    codings = read_table("codings", cfg.table_path("codings"))
    stance = read_table("stance", cfg.table_path("stance"))
    ev = evaluate_against_reference(cfg, codings, stance, write=False)
    if ev is None:
        sys.exit("no coding_reference.csv beside the manifest")
    pd.set_option("display.width", 160)
    s = ev["summary"]
    print(f"autocoding vs hand-coded reference ({s['n_segments']} segments, coder: {s['coder']})")
    print(ev["codes"].to_string(index=False))
    print("\nby theme:")
    print(ev["themes"].to_string(index=False))
    print(f"\nstance accuracy {s['stance_accuracy']:.3f} (Cohen's kappa {s['stance_kappa']:.3f})")
    print(ev["stance"].to_string(index=False))
    print("confusion (rows: reference, columns: auto):")
    print(ev["confusion"].to_string())
    segments = read_table("segments", cfg.table_path("segments"))
    topics = read_table("topics", cfg.table_path("topics"))
    seg_topics = read_table("segment_topics", cfg.table_path("segment_topics"))
    q = topic_quality(topics, segments, seg_topics)
    print(f"\ntopics: {q['n_topics']} (outliers excluded); NPMI coherence {q['npmi']:.3f}; topic diversity {q['diversity']:.3f}")


if __name__ == "__main__":
    main()
