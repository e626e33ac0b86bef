"""Weighing the stance cues, the learned stance and the codes' leanings into one stance.

:func:`engagement.coding.stance.classify_stance` decides by a fixed precedence: a cue decision
stands, the learned stance speaks only where the cues are silent (or hear one side of a mixed view),
and a segment still neutral takes its codes' leaning. That precedence is right for plain wording
and wrong where it matters most: a cue word said in passing ("I'm happy to tell you what happened")
outvotes a learned stance that read the whole sentence, and a story with one "worried" in it is
concern however it ends.

The combiner is a multinomial logistic regression over what each of those signals says about a
segment (:data:`FEATURES`): the learned probabilities, the cue decision and the weight of each side,
the codes' leanings, the precedence's own verdict, whether it is a question and whether a second
side has somewhere to stand. It is trained on the development references (``benchmarks/reference/
dev_reference.csv`` to ``dev9_reference.csv``), out of fold: each reference's learned probabilities
come from a learned stance fitted without that reference, as a new study's come from one fitted
without it. The held-out references (``blind*``) are never read.

The fitted weights are stored in ``data/stance_combiner.json`` with what they were chosen on, so a
run needs no training and every stance can be traced to its inputs; the cues that fed it are still
listed beside the verdict. Without the learned stance (``coding.semantic: false``) the precedence
decides alone.

    python -m engagement.coding.combine [--write]   # refit, print the leave-one-out table, store
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from engagement.coding.stance import COMBINER_FEATURES as FEATURES, COMBINER_LABELS as LABELS

COMBINER_PATH = Path(__file__).with_name("data") / "stance_combiner.json"
REPO = Path(__file__).resolve().parents[2]
REFERENCES = tuple(f"dev{n}" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9))
C = 1.0   # inverse regularisation of the combiner (1.0 and 0.1 were compared leave one reference out)


@dataclass
class StanceCombiner:
    labels: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray        # (n_labels, n_features), on standardised features
    intercept: np.ndarray
    meta: dict = field(default_factory=dict)

    def predict_proba(self, X) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        z = ((X - self.mean) / self.scale) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def decide(self, x) -> tuple[str, float]:
        p = self.predict_proba(x)[0]
        i = int(np.argmax(p))
        return self.labels[i], float(p[i])

    def to_json(self) -> dict:
        return {"features": FEATURES, "labels": self.labels, "mean": self.mean.round(8).tolist(),
                "scale": self.scale.round(8).tolist(), "coef": self.coef.round(8).tolist(),
                "intercept": self.intercept.round(8).tolist(), **self.meta}


def fit(X: np.ndarray, y: Iterable[str], meta: dict | None = None) -> StanceCombiner:
    """A combiner fitted on features ``X`` (rows of :func:`features`) and reference stances ``y``."""
    from sklearn.linear_model import LogisticRegression

    X = np.asarray(X, dtype=float)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=5000).fit((X - mean) / scale, list(y))
    return StanceCombiner(list(model.classes_), mean, scale, model.coef_, model.intercept_, dict(meta or {}))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> StanceCombiner | None:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if raw.get("features") != FEATURES:   # stored by another version of the features: the precedence decides
        return None
    return StanceCombiner(list(raw["labels"]), np.array(raw["mean"]), np.array(raw["scale"]), np.array(raw["coef"]),
                          np.array(raw["intercept"]), {k: v for k, v in raw.items()
                                                       if k not in ("features", "labels", "mean", "scale", "coef", "intercept")})


def load_combiner(path: str | Path = COMBINER_PATH) -> StanceCombiner | None:
    """The stored combiner, or None when there is none (or it was stored for other features)."""
    path = Path(path)
    return _load(str(path), path.stat().st_mtime) if path.is_file() else None


# ------------------------------------------------------------------ fitting on the development references

def _reference(name: str, book) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A development reference as (segments, reference stance)."""
    from engagement.coding.evaluation import load_reference
    from engagement.coding.tuning import reference_segments

    path = REPO / "benchmarks" / "reference" / f"{name}_reference.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "segment_id" not in raw:
        raw = raw.rename(columns={"ref_id": "segment_id"})
    raw["coder"] = raw.get("coder", "reference")
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / path.name
        raw.to_csv(local, index=False)
        ref = load_reference(local, book)
        seg, _ = reference_segments(local, book)
    return seg, ref.for_coder(ref.coders[0]).stance


class Folds:
    """The development references, each with its codings, embeddings and learned stance fitted without it."""

    def __init__(self, cache_dir: Path | None, refs: Iterable[str] = REFERENCES):
        from engagement.coding import semantic as S
        from engagement.coding.codebook import load_codebook

        book = load_codebook("default")
        self.cache_dir = cache_dir
        examples = S.load_examples().get("stance") or {}
        self.ex_texts = [t for items in examples.values() for t in items]
        self.ex_labels = [label for label, items in examples.items() for _ in items]
        training = pd.read_csv(S.STANCE_TRAINING_PATH, dtype=str, keep_default_na=False)
        self.training = training[~training["text"].isin(set(self.ex_texts))]
        self.refs = [r for r in refs if (REPO / "benchmarks" / "reference" / f"{r}_reference.csv").is_file()]
        self.data = {}
        for ref in self.refs:
            seg, truth = _reference(ref, book)
            codings = S.semantic_codings(seg, book, cache_dir=cache_dir, include_roles=None)
            texts = [str(t) for t in seg["text"]]
            self.data[ref] = (seg, codings, dict(zip(truth["segment_id"], truth["stance"])),
                              S.embed_texts(texts, cache_dir), texts)
        self._fits: dict = {}

    def learned(self, ref: str, without: Iterable[str]) -> pd.DataFrame:
        """Learned stance probabilities for ``ref``'s segments, from a learned stance fitted without ``without``."""
        from engagement.coding import semantic as S

        key = tuple(sorted(set(without)))
        if key not in self._fits:
            keep = self.training[~self.training["source"].map(lambda s: any(s.startswith(w + ":") for w in key))]
            self._fits[key] = S.fit_stance_classifier(self.ex_texts + keep["text"].tolist(),
                                                      self.ex_labels + keep["stance"].tolist(), self.cache_dir)
        clf = self._fits[key]
        seg, _, _, vecs, texts = self.data[ref]
        return pd.DataFrame(clf.predict(vecs, texts), columns=clf.labels, index=seg["segment_id"].to_numpy())

    def table(self, ref: str, learned: pd.DataFrame, combiner: StanceCombiner | None = None) -> pd.DataFrame:
        """``ref``'s stance (combined when ``combiner``), with its features and the reference stance."""
        from engagement.coding import semantic as S
        from engagement.coding.stance import classify_stance

        seg, codings, truth, _, _ = self.data[ref]
        got = classify_stance(seg, codings, include_roles=None, learned=learned, override=S.STANCE_OVERRIDE,
                              mixed=S.STANCE_MIXED, combiner=combiner, return_features=True)
        got["reference"] = got["segment_id"].map(truth)
        return got[got["reference"].notna()]


def macro_f1(got: pd.Series, truth: pd.Series) -> float:
    """Macro-F1 over the stances the reference holds."""
    from sklearn.metrics import f1_score

    present = sorted(set(truth))
    return float(f1_score(truth, got, labels=present, average="macro", zero_division=0))


def leave_one_out(folds: Folds) -> pd.DataFrame:
    """Per left-out reference: macro-F1 of the precedence and of a combiner fitted on the other references
    (their learned probabilities each from a learned stance fitted without both)."""
    rows = []
    for left in folds.refs:
        parts = [folds.table(q, folds.learned(q, [q, left])) for q in folds.refs if q != left]
        train = pd.concat(parts, ignore_index=True)
        comb = fit(np.vstack(train["features"].to_numpy()), train["reference"])
        learned = folds.learned(left, [left])
        plain = folds.table(left, learned)
        combined = folds.table(left, learned, comb)
        rows.append({"left out": left, "n": len(plain), "precedence": macro_f1(plain["stance"], plain["reference"]),
                     "combined": macro_f1(combined["stance"], combined["reference"])})
    return pd.DataFrame(rows)


def fit_on_references(folds: Folds) -> StanceCombiner:
    """The combiner fitted on every development reference, each's learned probabilities out of fold."""
    from engagement.coding import semantic as S

    train = pd.concat([folds.table(r, folds.learned(r, [r])) for r in folds.refs], ignore_index=True)
    meta = {"trained_on": [f"benchmarks/reference/{r}_reference.csv" for r in folds.refs], "n_segments": len(train),
            "C": C, "override": S.STANCE_OVERRIDE, "mixed": S.STANCE_MIXED}
    return fit(np.vstack(train["features"].to_numpy()), train["reference"], meta)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "engagement-bench-embeddings"),
                    help="embedding cache folder")
    ap.add_argument("--write", action="store_true", help=f"store the fitted combiner in {COMBINER_PATH.name}")
    args = ap.parse_args(argv)
    folds = Folds(Path(args.cache))
    table = leave_one_out(folds)
    print(table.round(3).to_string(index=False))
    print("mean", table[["precedence", "combined"]].mean().round(3).to_dict())
    comb = fit_on_references(folds)
    comb.meta["leave_one_out_macro_f1"] = {k: round(float(v), 3) for k, v in table[["precedence", "combined"]].mean().items()}
    if args.write:
        COMBINER_PATH.write_text(json.dumps(comb.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {COMBINER_PATH}")


if __name__ == "__main__":
    main()
