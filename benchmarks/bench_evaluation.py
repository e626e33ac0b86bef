"""Evaluation of the coding stage against two hand-coded references, rules alone vs rules + semantic
layer, in the same run:

- dev: benchmarks/reference/dev_reference.csv (utterances written from the codebook's definitions
  for development), dev2_reference.csv (240 utterances written as people speak, for development),
  dev3_reference.csv (400 utterances written to teach stance where cue words fail) and the
  sample's reference (data/raw/sample/coding_reference.csv); the semantic layer's
  thresholds and the stance cues were tuned on them, and the learned stance is trained on dev,
  dev2, dev3 (and dev4, dev5: see bench_stance_loro.py), so their figures are optimistic;
- blind: benchmarks/reference/blind_reference.csv (200 sentences from transcripts written for it,
  hand-coded by the codebook's definitions). Never tuned on: it is only read here.

Both are coded from their texts (blank tokeniser, as `segments_from_texts`). Printed: micro/macro
F1 and kappa per code and per theme, stance accuracy, macro-F1 and conditional-support F1 (cues
alone vs cues + learned stance), and, when the sample has been coded, topic quality.

    python benchmarks/bench_evaluation.py [--per-code]
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
os.environ.setdefault("HF_HUB_OFFLINE", "1")
DEV = REPO / "data" / "raw" / "sample" / "coding_reference.csv"
DEV2 = REPO / "benchmarks" / "reference" / "dev_reference.csv"
DEV3 = REPO / "benchmarks" / "reference" / "dev2_reference.csv"
DEV4 = REPO / "benchmarks" / "reference" / "dev3_reference.csv"
BLIND = REPO / "benchmarks" / "reference" / "blind_reference.csv"
TARGETS = "targets (held-out): themes micro-F1 >= 0.75, no theme below 0.5, stance macro-F1 >= 0.65, conditional-support F1 >= 0.60"


def _reference(path: Path, tmp: Path, book):
    from engagement.coding.tuning import reference_segments

    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "segment_id" not in raw:
        raw = raw.rename(columns={"ref_id": "segment_id"})
    raw["coder"] = raw.get("coder", "reference")
    local = tmp / path.name
    raw.to_csv(local, index=False)
    from engagement.coding.evaluation import load_reference

    ref = load_reference(local, book)
    seg, codes = reference_segments(local, book)
    return seg, codes, ref.for_coder(ref.coders[0]).stance


def _evaluate(name: str, seg, ref_codes, ref_stance, book, cache: Path) -> tuple[list[dict], dict]:
    from engagement.coding import semantic as S
    from engagement.coding.codebook import autocode
    from engagement.coding.evaluation import agreement, stance_accuracy
    from engagement.coding.combine import load_combiner
    from engagement.coding.stance import classify_stance

    ids = seg["segment_id"].tolist()
    rules = autocode(seg, book, include_roles=None)
    both = S.semantic_codings(seg, book, rules=rules, cache_dir=cache, include_roles=None)
    learned = S.stance_probabilities(seg, cache)
    rows, per = [], {}
    for variant, codings, stance in (
            ("rules", rules, classify_stance(seg, rules, include_roles=None)),
            ("rules+semantic", both, classify_stance(seg, both, include_roles=None, learned=learned,
                                                     override=S.STANCE_OVERRIDE, mixed=S.STANCE_MIXED,
                                                     combiner=load_combiner()))):
        codes = agreement(codings, ref_codes, ids, codes=list(book.codes))
        themes = agreement(codings, ref_codes, ids, codes=book.themes(), level="theme")
        st = stance_accuracy(stance, ref_stance)
        pc = st.per_class.set_index("stance")
        micro, macro = codes.set_index("code").loc["micro"], codes.set_index("code").loc["macro"]
        tm = themes.set_index("theme")
        used = tm.drop(index=["micro", "macro"])
        used = used[used["n_reference"] > 0]
        rows.append({"reference": name, "coding": variant, "n": len(ids),
                     "code_micro_f1": micro["f1"], "code_macro_f1": macro["f1"], "code_micro_kappa": micro["kappa"],
                     "mean_kappa": macro["kappa"], "theme_micro_f1": tm.loc["micro", "f1"],
                     "theme_P": tm.loc["micro", "precision"], "theme_R": tm.loc["micro", "recall"],
                     "theme_macro_f1": tm.loc["macro", "f1"], "worst_theme_f1": used["f1"].fillna(0).min(),
                     "no_theme": int(len(set(ids) - set(codings["segment_id"]))),
                     "stance_acc": st.accuracy, "stance_macro_f1": float(np.nanmean(pc["f1"].fillna(0)[pc["n_reference"] > 0])),
                     "cond_f1": pc.loc["conditional_support", "f1"], "stance_kappa": st.kappa})
        per[variant] = (codes, themes, st)
    return rows, per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-code", action="store_true", help="print per-code and per-theme tables")
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "engagement-bench-embeddings"),
                    help="embedding cache folder (default: under the system temp folder, never data/processed)")
    args = ap.parse_args()
    from engagement.coding.codebook import load_codebook

    book = load_codebook("default")
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    rows, details = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = Path(args.cache)
        for name, path in (("dev (written, tuned on)", DEV2), ("dev2 (spoken, tuned on)", DEV3),
                           ("dev3 (hard stance, trained on)", DEV4),
                           ("sample (tuned on)", DEV), ("blind (never tuned on)", BLIND)):
            if not path.is_file():
                print(f"skipped {name}: {path} not found")
                continue
            seg, codes, stance = _reference(path, tmp, book)
            r, per = _evaluate(name, seg, codes, stance, book, cache)
            rows += r
            details[name] = per
    print(f"codebook {book.name} {book.version}: rules alone vs rules + semantic layer, both references, same run")
    print(pd.DataFrame(rows).round(3).to_string(index=False))
    print(TARGETS)
    for name, per in details.items():
        print(f"\n{name}: per theme F1 (rules -> rules+semantic)")
        t0, t1 = per["rules"][1].set_index("theme"), per["rules+semantic"][1].set_index("theme")
        print(pd.DataFrame({"n_ref": t0["n_reference"], "f1_rules": t0["f1"], "f1_both": t1["f1"],
                            "kappa_rules": t0["kappa"], "kappa_both": t1["kappa"]}).round(3).to_string())
        if args.per_code:
            c0, c1 = per["rules"][0].set_index("code"), per["rules+semantic"][0].set_index("code")
            print(f"\n{name}: per code (rules -> rules+semantic)")
            print(pd.DataFrame({"n_ref": c0["n_reference"], "P_both": c1["precision"], "R_both": c1["recall"],
                                "f1_rules": c0["f1"], "f1_both": c1["f1"], "kappa_rules": c0["kappa"],
                                "kappa_both": c1["kappa"]}).round(3).to_string())
        print(f"\n{name}: stance per class (cues + learned)")
        print(per["rules+semantic"][2].per_class.round(3).to_string(index=False))
    _topic_quality()


def _topic_quality() -> None:
    from engagement.config import load_config
    from engagement.io import read_table

    cfg = load_config(REPO / "engagement.yaml")
    if not cfg.table_path("topics").is_file():
        return
    from engagement.coding.topic_themes import topic_quality

    q = topic_quality(read_table("topics", cfg.table_path("topics")), read_table("segments", cfg.table_path("segments")),
                      read_table("segment_topics", cfg.table_path("segment_topics")))
    print(f"\nsample topics: {q['n_topics']} (outliers excluded); NPMI coherence {q['npmi']:.3f}; "
          f"topic diversity {q['diversity']:.3f}")


if __name__ == "__main__":
    main()
