"""Does a transcript sentence code better with its turn around it? Measured on dev9 only.

dev9 (benchmarks/reference/dev9_reference.csv: every participant sentence of five written transcripts,
each coded by itself) is development data, so this may choose; the blind references are not read. Each
sentence is coded with the rules on its own text, and the semantic layer's code probabilities are
taken from the sentence alone, from the previous sentence of its turn plus the sentence ("win"), or
from its whole turn, then mixed as named; the codebook's thresholds and theme back-off apply as in
``engagement code``. Printed: theme micro-F1, precision and recall per mix.

    python benchmarks/bench_turn_context.py
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks" / "reference"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
REF = REPO / "benchmarks" / "reference"
ANAPHOR = re.compile(r"(?i)(that|this|it|they|them|those|these|which|and|but|so|because|yeah|yes|no)\b")


def contexts(texts: list[str], files: list[Path]) -> list[tuple[str, str]]:
    """(previous sentence of the turn or "", the whole turn) for each sentence, found by its text."""
    import draw_sentences

    found: dict[str, tuple[str, str]] = {}
    for path in files:
        rows = draw_sentences.participant_sentences(path)
        turns: dict[int, list[str]] = {}
        for r in rows:
            turns.setdefault(r["turn_index"], []).append(r["text"])
        for r in rows:
            sents = turns[r["turn_index"]]
            pos = sents.index(r["text"])
            found.setdefault(r["text"], (sents[pos - 1] if pos else "", " ".join(sents)))
    missing = [t for t in texts if t not in found]
    if missing:
        raise SystemExit(f"{len(missing)} dev9 sentences not found in their transcripts")
    return [found[t] for t in texts]


def main() -> None:
    from engagement.coding import semantic as S
    from engagement.coding.codebook import autocode, load_codebook, segments_from_texts
    from engagement.coding.evaluation import agreement

    book = load_codebook("default")
    cache = Path(tempfile.gettempdir()) / "engagement-bench-embeddings"
    ref = pd.read_csv(REF / "dev9_reference.csv", dtype=str, keep_default_na=False)
    ctx = contexts(ref["text"].tolist(), sorted((REF / "transcripts" / "dev9").glob("*.txt")))
    seg = segments_from_texts(ref["text"].tolist()).assign(segment_id=ref["segment_id"].to_numpy())
    ids = seg["segment_id"].tolist()
    truth = pd.DataFrame([(s, c) for s, cs in zip(ref["segment_id"], ref["codes"]) for c in cs.split(";") if c],
                         columns=["segment_id", "code"])
    truth["theme"] = truth["code"].map(lambda c: book.codes[c].theme)
    rules = autocode(seg, book, include_roles=None)
    clf = S.classifiers_for(book, cache)
    vs = S.embed_texts(ref["text"].tolist(), cache)
    ps = clf.predict(vs, ref["text"].tolist())
    win = [(p + " " + t).strip() for (p, _), t in zip(ctx, ref["text"])]
    pw = clf.predict(S.embed_texts(win, cache), win)
    turns = [turn for _, turn in ctx]
    pt = clf.predict(S.embed_texts(turns, cache), turns)
    anaphor = np.array([bool(ANAPHOR.match(t)) for t in ref["text"]])[:, None]
    mixes = {"sentence alone": ps, "max(s, 0.8 win)": np.maximum(ps, 0.8 * pw), "max(s, win)": np.maximum(ps, pw),
             "mean(s, win)": (ps + pw) / 2, "win alone": pw, "max(s, 0.7 turn)": np.maximum(ps, 0.7 * pt),
             "mean(s, turn)": (ps + pt) / 2, "0.6 s + 0.4 turn": 0.6 * ps + 0.4 * pt,
             "win where it opens on an anaphor": np.where(anaphor, np.maximum(ps, pw), ps)}
    rows = []
    for name, probs in mixes.items():
        coded = S.combine(rules, seg, pd.DataFrame(probs, columns=clf.codes, index=ids), vs, clf, book)
        t = agreement(coded, truth, ids, codes=book.themes(), level="theme").set_index("theme").loc["micro"]
        rows.append({"mix": name, "theme_micro_f1": t["f1"], "P": t["precision"], "R": t["recall"]})
    print(f"dev9 ({len(ref)} transcript sentences, development data): semantic probabilities with turn context")
    print(pd.DataFrame(rows).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
