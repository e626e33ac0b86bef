"""Draw the segments for the hand-coded coding reference (data/raw/sample/coding_reference.csv).

The draw is blind to codes and stance: it uses only ``data/processed/segments.parquet``.

Pool: rows with ``role`` in (participant, respondent) and ``n_words >= 6``, sorted by
``segment_id``. For each region, in the fixed order Essex, Suffolk, Norfolk, Cambridgeshire,
Peterborough, draw 40 segments without replacement with one ``numpy.random.default_rng(20261123)``
generator shared across the regions (so the draw depends on that order). The sample is printed
(region, segment_id, session/turn, text), ordered by region then segment_id.

Usage::

    python tools/select_reference_segments.py [--segments PATH] [--csv OUT]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261123
PER_REGION = 40
REGIONS = ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]
ROLES = ("participant", "respondent")
MIN_WORDS = 6
ROOT = Path(__file__).resolve().parents[1]


def select(segments: pd.DataFrame) -> pd.DataFrame:
    pool = segments[segments["role"].isin(ROLES) & (segments["n_words"] >= MIN_WORDS)]
    pool = pool.sort_values("segment_id").reset_index(drop=True)
    rng = np.random.default_rng(SEED)
    picks = []
    for region in REGIONS:
        sub = pool[pool["region"] == region].reset_index(drop=True)
        if len(sub) < PER_REGION:
            raise SystemExit(f"{region}: only {len(sub)} eligible segments")
        idx = rng.choice(len(sub), size=PER_REGION, replace=False)
        picks.append(sub.iloc[np.sort(idx)])
    out = pd.concat(picks, ignore_index=True)
    out["region"] = pd.Categorical(out["region"], REGIONS, ordered=True)
    return out.sort_values(["region", "segment_id"]).reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segments", default=str(ROOT / "data/processed/segments.parquet"))
    ap.add_argument("--csv", default=None, help="optionally write the sample to this CSV")
    args = ap.parse_args(argv)
    sample = select(pd.read_parquet(args.segments))
    cols = ["region", "segment_id", "session_id", "turn_index", "role", "kind", "n_words", "text"]
    for _, r in sample.iterrows():
        print(f"{r.region}\t{r.segment_id}\t{r.session_id}#{r.turn_index}\t{r.text}")
    print(f"# {len(sample)} segments; per region: "
          + ", ".join(f"{k}={v}" for k, v in sample["region"].value_counts(sort=False).items()),
          file=sys.stderr)
    if args.csv:
        sample[cols].to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
