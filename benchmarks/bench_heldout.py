"""Theme and stance coding on the held-out references, which nobody tuning the coder has seen.

benchmarks/reference/blind2_reference.csv to blind5_reference.csv (240 utterances each, written and
hand-coded by the codebook's definitions alone, by coders kept apart from the tuning; see
blind2_README.md to blind5_README.md) are only ever read here, and only aggregate figures are
printed: no item, no per-item error, so a run cannot be used to tune on it. Same measures and the
same code path as benchmarks/bench_evaluation.py (rules alone, and rules + semantic layer).

    python benchmarks/bench_heldout.py [--reference blind2,blind3,blind4,blind5] [--out results.csv]
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
HELDOUT = {name: REPO / "benchmarks" / "reference" / f"{name}_reference.csv" for name in ("blind2", "blind3", "blind4", "blind5")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "engagement-bench-embeddings"))
    ap.add_argument("--reference", default="blind2,blind3,blind4,blind5", help="which held-out references (comma-separated)")
    ap.add_argument("--per-code", action="store_true", help="also print precision and recall per code (aggregates)")
    ap.add_argument("--out", type=Path, help="also write the summary rows to this CSV")
    args = ap.parse_args()
    from bench_evaluation import TARGETS, _evaluate, _reference

    from engagement.coding.codebook import load_codebook

    book = load_codebook("default")
    pd.set_option("display.width", 200)
    tables = []
    for name in args.reference.split(","):
        path = HELDOUT[name]
        with tempfile.TemporaryDirectory() as tmp:
            seg, codes, stance = _reference(path, Path(tmp), book)
            rows, per = _evaluate(f"held-out {name} (never seen)", seg, codes, stance, book, Path(args.cache))
        table = pd.DataFrame(rows).round(3)
        tables.append(table)
        print(f"codebook {book.name} {book.version}; {path.name}: {len(seg)} utterances")
        print(table.to_string(index=False))
        themes = per["rules+semantic"][1].set_index("theme")
        themes = themes.drop(index=[t for t in ("micro", "macro") if t in themes.index])
        print(f"\n{name}: per theme (rules + semantic): n_reference, F1, kappa")
        print(themes[["n_reference", "f1", "kappa"]].round(3).to_string())
        if args.per_code:
            per_code = per["rules+semantic"][0].set_index("code").drop(index=["micro", "macro"], errors="ignore")
            print(f"\n{name}: per code (rules + semantic): n_reference, precision, recall, F1")
            print(per_code[["n_reference", "precision", "recall", "f1"]].round(3).to_string())
        print(f"\n{name}: stance per class (cues + learned)")
        print(per["rules+semantic"][2].per_class.round(3).to_string(index=False))
        print()
    print(TARGETS)
    if args.out:
        pd.concat(tables, ignore_index=True).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
