"""Theme and stance coding on the second held-out reference, which nobody tuning the coder has seen.

benchmarks/reference/blind2_reference.csv (240 utterances written and hand-coded by the codebook's
definitions alone; see blind2_README.md) is only ever read here, and only aggregate figures are
printed: no item, no per-item error, so a run cannot be used to tune on it. Same measures and the
same code path as benchmarks/bench_evaluation.py (rules alone, and rules + semantic layer).

    python benchmarks/bench_heldout.py [--out results.csv]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
HELDOUT = REPO / "benchmarks" / "reference" / "blind2_reference.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "engagement-bench-embeddings"))
    ap.add_argument("--out", type=Path, help="also write the summary rows to this CSV")
    args = ap.parse_args()
    from bench_evaluation import TARGETS, _evaluate, _reference

    from engagement.coding.codebook import load_codebook

    book = load_codebook("default")
    with tempfile.TemporaryDirectory() as tmp:
        seg, codes, stance = _reference(HELDOUT, Path(tmp), book)
        rows, per = _evaluate("held-out 2 (never seen)", seg, codes, stance, book, Path(args.cache))
    pd.set_option("display.width", 200)
    table = pd.DataFrame(rows).round(3)
    print(f"codebook {book.name} {book.version}; {HELDOUT.name}: {len(seg)} utterances")
    print(table.to_string(index=False))
    print(TARGETS)
    themes = per["rules+semantic"][1].set_index("theme")
    themes = themes.drop(index=[t for t in ("micro", "macro") if t in themes.index])
    print("\nper theme (rules + semantic): n_reference, F1, kappa")
    print(themes[["n_reference", "f1", "kappa"]].round(3).to_string())
    print("\nstance per class (cues + learned)")
    print(per["rules+semantic"][2].per_class.round(3).to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
