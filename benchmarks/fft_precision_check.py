"""Precision of the detector on real free text: a hand-checked sample of the public FFT comments.

The sample is drawn the same way each run from ../shared/data/fft/fft_comments.csv (see the README
there; CC BY-NC-SA 4.0, pxtextmining, NEAS and NHFT - the data is read from there, never copied):

- ``random``: 400 non-empty comments, ``random.Random(20261201).sample``;
- ``capitalised``: 200 further comments with a capitalised word inside a sentence, where names and
  places are likeliest (``random.Random(7).sample``) - a stress stratum, reported apart.

The detector is the project's (allow and deny lists from engagement.yaml, NER on, nobody listed).
Every hit was checked by hand; the verdicts are in benchmarks/fft_precision_check.csv (comment id,
stratum, span type, method, placeholder type, correct, reason - descriptions only, no values).
This script prints the hits for checking (``--show``, to the terminal only) and scores them against
the verdicts; a hit with no verdict is reported as unchecked and fails the run.

Run: ``python benchmarks/fft_precision_check.py [--show]``
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "fft" / "fft_comments.csv"
VERDICTS = Path(__file__).with_name("fft_precision_check.csv")


def draw(rows: list[dict]) -> dict[str, list[dict]]:
    rows = [r for r in rows if (r["answer"] or "").strip()]
    first = random.Random(20261201).sample(rows, 400)
    taken = {r["comment_id"] for r in first}
    cap = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+")
    pool = [r for r in rows if r["comment_id"] not in taken and cap.search(r["answer"])]
    return {"random": first, "capitalised": random.Random(7).sample(pool, 200)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print each hit in context (terminal only)")
    args = ap.parse_args(argv)
    if not DATA.is_file():
        print(f"skipped: {DATA} is absent")
        return 0
    from engagement.config import load_config
    from engagement.privacy.deidentify import Detector, read_deny_list

    cfg = load_config(REPO / "engagement.yaml")
    det = Detector(allow_list=cfg.deidentify["allow_list"], deny_list=read_deny_list(cfg))
    with open(DATA, encoding="utf-8", newline="") as fh:
        samples = draw(list(csv.DictReader(fh)))
    with open(VERDICTS, encoding="utf-8", newline="") as fh:
        verdicts = Counter((r["stratum"], r["comment_id"], r["span_type"], r["method"], r["correct"])
                           for r in csv.DictReader(fh))
    ok = True
    for stratum, rows in samples.items():
        found = det.detect_many([r["answer"] for r in rows])
        right = wrong = unchecked = 0
        remaining = Counter(verdicts)
        for r, hits in zip(rows, found):
            for h in hits:
                if args.show:
                    t = r["answer"]
                    print(f"  {stratum} {r['comment_id']} {h.type} {h.method}: ...{t[max(0, h.start - 40):h.end + 30]}...")
                for correct in ("yes", "no"):
                    key = (stratum, r["comment_id"], h.type, h.method, correct)
                    if remaining[key]:
                        remaining[key] -= 1
                        right += correct == "yes"
                        wrong += correct == "no"
                        break
                else:
                    unchecked += 1
        n = right + wrong
        words = sum(len(r["answer"].split()) for r in rows)
        print(f"{stratum}: {len(rows)} comments, {words:,} words, {n + unchecked} hits, {right} correct, "
              f"{wrong} wrong, {unchecked} unchecked; precision {right / n if n else float('nan'):.3f}")
        ok &= unchecked == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
