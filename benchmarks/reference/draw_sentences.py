"""Draw the participant sentences for the second blind coding reference (blind_reference.csv).

The draw is blind to codes, stance and the autocoder: it reads only the ten transcripts in
``transcripts/`` and uses no codebook, rule or model.

1. Each transcript is read line by line. A line ``Label: text`` opens a turn. Turns whose label is
   ``Facilitator`` or ``Interviewer`` are dropped; every other label (P1, P2, ...) is a participant.
2. Each participant turn is split into sentences at ``.``, ``?`` or ``!`` followed by whitespace
   (the transcripts were written without abbreviations, so this split is exact for them).
3. Pool: sentences with at least 6 words (a word is a run of letters/digits, apostrophes and
   hyphens inside a word allowed), in file order, then turn order, then sentence order.
4. For each area in the fixed order Essex, Suffolk, Norfolk, Cambridgeshire, Peterborough, 40
   sentences are drawn without replacement from that area's pool (both of its transcripts
   together) with ``rng.choice``, using ONE ``numpy.random.default_rng(SEED)`` shared across the
   areas (so the result depends on that order). Picks are kept in pool order.
5. 5 x 40 = 200 sentences, numbered R001..R200 in area order, then pool order.

Usage::

    python benchmarks/reference/draw_sentences.py            # print the draw
    python benchmarks/reference/draw_sentences.py --csv OUT  # also write ref_id,area,source_file,text
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

import numpy as np

SEED = 20260612
PER_AREA = 40
MIN_WORDS = 6
AREAS = ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]
FACILITATOR_LABELS = {"Facilitator", "Interviewer"}
HERE = Path(__file__).resolve().parent
TRANSCRIPTS = HERE / "transcripts"

_TURN = re.compile(r"^(?P<label>[A-Za-z][A-Za-z0-9 ]{0,20}):\s+(?P<text>.*)$")
_SPLIT = re.compile(r"(?<=[.?!])\s+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019-][A-Za-z0-9]+)*")


def n_words(sentence: str) -> int:
    return len(_WORD.findall(sentence))


def participant_sentences(path: Path) -> list[dict]:
    rows = []
    turn = -1
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _TURN.match(line.strip())
        if not m:
            continue
        turn += 1
        if m["label"] in FACILITATOR_LABELS:
            continue
        for k, s in enumerate(x.strip() for x in _SPLIT.split(m["text"].strip())):
            if s:
                rows.append({"source_file": f"transcripts/{path.name}", "speaker": m["label"],
                             "turn_index": turn, "sentence_index": k, "text": s})
    return rows


def pool_for(area: str) -> list[dict]:
    rows = []
    for path in sorted(TRANSCRIPTS.glob(f"{area.lower()}-*.txt")):
        rows += [r for r in participant_sentences(path) if n_words(r["text"]) >= MIN_WORDS]
    for r in rows:
        r["area"] = area
    return rows


def draw() -> list[dict]:
    rng = np.random.default_rng(SEED)
    out = []
    for area in AREAS:
        pool = pool_for(area)
        if len(pool) < PER_AREA:
            raise SystemExit(f"{area}: only {len(pool)} eligible sentences")
        idx = np.sort(rng.choice(len(pool), size=PER_AREA, replace=False))
        out += [pool[i] for i in idx]
    for i, r in enumerate(out, 1):
        r["ref_id"] = f"R{i:03d}"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", default=None)
    args = ap.parse_args(argv)
    sample = draw()
    for r in sample:
        print(f"{r['ref_id']}\t{r['area']}\t{r['source_file']}#{r['turn_index']}.{r['sentence_index']}\t{r['text']}")
    print("# pool sizes: " + ", ".join(f"{a}={len(pool_for(a))}" for a in AREAS))
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=["ref_id", "area", "source_file", "text"], extrasaction="ignore")
            w.writeheader()
            w.writerows(sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
