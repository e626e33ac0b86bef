"""Do the code classifiers gain from the hand-coded development utterances (data/code_training.csv)?

Each of the development references dev3 to dev9 (benchmarks/reference/) is left out in turn. The code
classifiers are fitted on the bundled examples alone, or on the examples plus the other references'
utterances (each with every code that applies, or none); the semantic thresholds are re-chosen on the
tuning set (engagement.coding.tuning: the sample's reference, dev and dev2, which none of them is
trained on), and rules + semantic layer are scored on the reference left out. The held-out references
(blind*) are not read. Printed: theme micro-F1, precision, recall and the worst theme per left-out
reference, and the means, for both settings in the same run.

``--phrases 0,0.5,1``: instead, the classifiers learn from the examples plus the other references
with each weight of the word and two-word TF-IDF beside the embeddings (``CODE_PHRASE_WEIGHT``;
0 = embeddings alone), thresholds re-chosen for each.

    python benchmarks/bench_code_training.py [--refs dev3,...,dev9] [--phrases 0,1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "engagement-bench-embeddings"))
    ap.add_argument("--refs", default="dev3,dev4,dev5,dev6,dev7,dev8,dev9")
    ap.add_argument("--also", default="", help="references always learned from, never left out: a third setting "
                                               "shows what adding them gives (e.g. --also dev10)")
    ap.add_argument("--phrases", default="", help="phrase weights to compare, e.g. 0,0.5,1 (see above)")
    args = ap.parse_args()
    from bench_evaluation import _reference

    from engagement.coding import semantic as S
    from engagement.coding import tuning as T
    from engagement.coding.codebook import autocode, load_codebook
    from engagement.coding.evaluation import agreement

    book = load_codebook("default")
    cache = Path(args.cache)
    refs = [r.strip() for r in args.refs.split(",") if r.strip()]
    data = {}
    for name in refs:
        with tempfile.TemporaryDirectory() as tmp:
            seg, codes, _ = _reference(REPO / "benchmarks" / "reference" / f"{name}_reference.csv", Path(tmp), book)
        data[name] = (seg, codes.assign(coder="reference"))
    also = []
    for name in [r.strip() for r in args.also.split(",") if r.strip()]:
        with tempfile.TemporaryDirectory() as tmp:
            seg, codes, _ = _reference(REPO / "benchmarks" / "reference" / f"{name}_reference.csv", Path(tmp), book)
        by = codes.groupby("segment_id")["code"].apply(list)
        also += [{"text": str(t), "codes": by.get(sid, [])} for sid, t in zip(seg["segment_id"], seg["text"])]
    tune_seg, tune_codes = T.development_set(book)
    bundled = S.load_examples()
    own = {k: v for k, v in bundled.items() if k != "labelled"}
    load = S.load_examples
    rows = []
    weight = S.CODE_PHRASE_WEIGHT
    try:
        for left in refs:
            labelled = []
            for name in refs:
                if name != left:
                    seg, codes = data[name]
                    by = codes.groupby("segment_id")["code"].apply(list)
                    labelled += [{"text": str(t), "codes": by.get(sid, [])} for sid, t in zip(seg["segment_id"], seg["text"])]
            settings = [("examples alone", own, weight), ("examples + other references", {**own, "labelled": labelled}, weight)]
            if also:
                settings.append((f"... + {args.also}", {**own, "labelled": labelled + also}, weight))
            if args.phrases:
                settings = [(f"+ other references, phrases {w:g}", {**own, "labelled": labelled}, w)
                            for w in (float(x) for x in args.phrases.split(","))]
            for setting, examples, w in settings:
                S.CODE_PHRASE_WEIGHT = w
                S.load_examples = lambda path=None, _e=examples: _e
                S._FITTED.clear()
                table = T.tune(book, tune_seg, tune_codes, cache)
                themes = T.tune_themes(book, tune_seg, tune_codes, table, cache)
                thr = dict(zip(table["code"], table["threshold"]))
                theme_thr = {r.theme: float(r.threshold) for r in themes.itertuples() if pd.notna(r.threshold)}
                seg, ref = data[left]
                rules = autocode(seg, book, include_roles=None)
                probs, vecs, clf = S.semantic_probabilities(seg, book, cache)
                got = S.combine(rules, seg, probs, vecs, clf, book, thr, theme_thr)
                tm = agreement(got, ref, seg["segment_id"].tolist(), codes=book.themes(), level="theme").set_index("theme")
                used = tm.drop(index=["micro", "macro"])
                used = used[used["n_reference"] > 0]
                rows.append({"left out": left, "classifiers learn from": setting, "n_labelled": len(examples.get("labelled", [])),
                             "theme_micro_f1": tm.loc["micro", "f1"], "P": tm.loc["micro", "precision"],
                             "R": tm.loc["micro", "recall"], "worst_theme_f1": used["f1"].fillna(0).min(),
                             "global_threshold": table.attrs.get("global_threshold", np.nan)})
    finally:
        S.load_examples = load
        S.CODE_PHRASE_WEIGHT = weight
        S._FITTED.clear()
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(table.round(3).to_string(index=False))
    print("\nmean over the left-out references")
    print(table.groupby("classifiers learn from", sort=False)[["theme_micro_f1", "P", "R", "worst_theme_f1"]].mean().round(3).to_string())


if __name__ == "__main__":
    main()
