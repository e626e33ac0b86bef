"""Rebuild the learned layer's training sets from the development references.

    python tools/build_training.py           # write engagement/coding/data/{stance,code}_training.csv
    python tools/build_training.py --check   # exit 1 if the committed files differ from a rebuild

- ``stance_training.csv`` (source, stance, text): every utterance of ``dev_reference.csv`` to
  ``dev9_reference.csv`` with its stance.
- ``code_training.csv`` (source, codes, text): every utterance of ``dev3`` to ``dev9`` with all its
  codes (";"-joined, empty = no code). ``dev`` and ``dev2`` are left out: the code thresholds are
  chosen on them (``engagement.coding.tuning``), so the classifiers must not learn from them.

An utterance that shares six words in a row with any held-out reference (``blind*_reference.csv``)
is left out of both, so nothing the held-out figures are measured on is learned from, even
paraphrased closely. To add a development set: write ``devN_reference.csv`` (and its README), add
its name to :data:`STANCE_SETS` and :data:`CODE_SETS`, run this, then refit what learns from it
(``python -m engagement.coding.tuning --write`` and ``python -m engagement.coding.combine --write``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
REFERENCES = REPO / "benchmarks" / "reference"
DATA = REPO / "engagement" / "coding" / "data"
STANCE_SETS = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9")
CODE_SETS = ("dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9")
OVERLAP_WORDS = 6


def shingles(text: str, n: int = OVERLAP_WORDS) -> set[tuple[str, ...]]:
    """The runs of ``n`` words in ``text`` (lower case; letters, digits and apostrophes)."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def held_out_shingles(folder: Path = REFERENCES) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for path in sorted(folder.glob("blind*_reference.csv")):
        for text in pd.read_csv(path, dtype=str, keep_default_na=False)["text"]:
            out |= shingles(text)
    return out


def build(folder: Path = REFERENCES) -> dict[str, pd.DataFrame]:
    """The two training tables, rebuilt from the references in ``folder``."""
    held = held_out_shingles(folder)
    stance, codes = [], []
    for name in STANCE_SETS:
        ref = pd.read_csv(folder / f"{name}_reference.csv", dtype=str, keep_default_na=False)
        for sid, text, label, coded in zip(ref["segment_id"], ref["text"], ref["stance"], ref["codes"]):
            if shingles(text) & held:
                continue
            stance.append({"source": f"{name}:{sid}", "stance": label, "text": text})
            if name in CODE_SETS:
                codes.append({"source": f"{name}:{sid}", "codes": coded, "text": text})
    return {"stance_training.csv": pd.DataFrame(stance, columns=["source", "stance", "text"]),
            "code_training.csv": pd.DataFrame(codes, columns=["source", "codes", "text"])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = ap.parse_args(argv)
    differ = []
    for name, table in build().items():
        path = DATA / name
        if args.check:
            committed = pd.read_csv(path, dtype=str, keep_default_na=False)
            if not committed.equals(table):
                differ.append(name)
            print(f"{name}: {len(table)} rows rebuilt, {len(committed)} committed"
                  f"{'' if name not in differ else ' (they differ)'}")
        else:
            table.to_csv(path, index=False)
            print(f"wrote {path.relative_to(REPO)}: {len(table)} rows")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
