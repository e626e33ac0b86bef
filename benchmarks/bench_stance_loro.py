"""The learned stance, leave one development reference out: how the stance settings were chosen.

The learned stance is trained on the development references (dev to dev9 in
benchmarks/reference/, collected in engagement/coding/data/stance_training.csv), so scoring it on
them flatters it. Here each reference in turn is left out of the training utterances, the stance is
learned from the rest (plus the examples' stance section), and the whole stance of the coding stage
(cues, learned stance, code leanings, on the rules + semantic codings) is scored on the reference left
out. The held-out references (blind*) are not read.

Printed per setting: macro-F1 over the stances each reference holds, per left-out reference and the
mean, and F1 per stance. Settings compared in the same run: the learned stance on embeddings alone
vs with phrase features (``STANCE_PHRASE_WEIGHT``), and the override and mixed probabilities
(``STANCE_OVERRIDE``, ``STANCE_MIXED``) off and at the shipped values; then the stance combiner
(:mod:`engagement.coding.combine`), which weighs cues, learned stance and leanings into the verdict, fitted
and scored leave one reference out, nested.

    python benchmarks/bench_stance_loro.py [--refs dev,dev2,...] [--grid]
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
REFERENCES = {"dev": "dev_reference.csv", "dev2": "dev2_reference.csv", "dev3": "dev3_reference.csv",
              "dev4": "dev4_reference.csv", "dev5": "dev5_reference.csv", "dev6": "dev6_reference.csv",
              "dev7": "dev7_reference.csv", "dev8": "dev8_reference.csv", "dev9": "dev9_reference.csv"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "engagement-bench-embeddings"))
    ap.add_argument("--refs", default=",".join(REFERENCES), help="development references to leave out in turn")
    ap.add_argument("--grid", action="store_true", help="also try override 0.45-0.55 x mixed 0.4-0.5 around the shipped values")
    args = ap.parse_args()
    from bench_evaluation import _reference

    from engagement.coding import semantic as S
    from engagement.coding.codebook import load_codebook
    from engagement.coding.evaluation import stance_accuracy
    from engagement.coding.stance import classify_stance

    book = load_codebook("default")
    cache = Path(args.cache)
    examples = S.load_examples().get("stance") or {}
    ex_texts = [t for items in examples.values() for t in items]
    ex_labels = [label for label, items in examples.items() for _ in items]
    training = pd.read_csv(S.STANCE_TRAINING_PATH, dtype=str, keep_default_na=False)
    training = training[~training["text"].isin(set(ex_texts))]
    settings = [("embeddings alone, override 0.6, mixed off", 0.0, 0.6, None),
                (f"+ phrases {S.STANCE_PHRASE_WEIGHT:g}, override 0.6, mixed off", S.STANCE_PHRASE_WEIGHT, 0.6, None),
                (f"+ phrases, override {S.STANCE_OVERRIDE:g}, mixed {S.STANCE_MIXED:g} (shipped)",
                 S.STANCE_PHRASE_WEIGHT, S.STANCE_OVERRIDE, S.STANCE_MIXED)]
    if args.grid:
        settings += [(f"+ phrases, override {o:g}, mixed {m:g}", S.STANCE_PHRASE_WEIGHT, o, m)
                     for o in (0.45, 0.5, 0.55) for m in (0.4, 0.45, 0.5)
                     if (o, m) != (S.STANCE_OVERRIDE, S.STANCE_MIXED)]
    rows = []
    for ref in [r.strip() for r in args.refs.split(",") if r.strip()]:
        keep = training[~training["source"].str.startswith(ref + ":")]
        texts, labels = ex_texts + keep["text"].tolist(), ex_labels + keep["stance"].tolist()
        with tempfile.TemporaryDirectory() as tmp:
            seg, _, ref_stance = _reference(REPO / "benchmarks" / "reference" / REFERENCES[ref], Path(tmp), book)
        codings = S.semantic_codings(seg, book, cache_dir=cache, include_roles=None)
        seg_texts = [str(t) for t in seg["text"]]
        vecs = S.embed_texts(seg_texts, cache)
        fitted = {}
        for name, weight, override, mixed in settings:
            if weight not in fitted:
                clf = S.fit_stance_classifier(texts, labels, cache, phrase_weight=weight)
                fitted[weight] = pd.DataFrame(clf.predict(vecs, seg_texts), columns=clf.labels,
                                              index=seg["segment_id"].to_numpy())
            stance = classify_stance(seg, codings, include_roles=None, learned=fitted[weight],
                                     override=override, mixed=mixed)
            pc = stance_accuracy(stance, ref_stance).per_class.set_index("stance")
            present = pc[pc["n_reference"] > 0]
            row = {"left out": ref, "setting": name, "n_train": len(texts),
                   "macro_f1": float(np.nanmean(present["f1"].fillna(0)))}
            row.update({s: float(pc.loc[s, "f1"]) if pc.loc[s, "n_reference"] else np.nan for s in pc.index})
            rows.append(row)
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(table.round(3).to_string(index=False))
    means = table.groupby("setting", sort=False)[["macro_f1"]].mean().round(3)
    means["vs embeddings alone"] = (means["macro_f1"] - means["macro_f1"].iloc[0]).round(3)
    print("\nmean over the left-out references")
    print(means.to_string())
    # the combiner (engagement/coding/combine.py) on top of the shipped precedence, nested: for each left-out
    # reference it is fitted on the others, whose learned probabilities come from a learned stance fitted
    # without both
    from engagement.coding import combine as K

    nested = K.leave_one_out(K.Folds(cache, [r.strip() for r in args.refs.split(",") if r.strip()]))
    print("\nthe stance combiner, leave one reference out (macro-F1; precedence = the shipped setting above)")
    print(nested.round(3).to_string(index=False))
    print("mean", nested[["precedence", "combined"]].mean().round(3).to_dict())


if __name__ == "__main__":
    main()
