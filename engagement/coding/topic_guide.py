"""Topics guided by the researchers' own coding: a space that weighs their codes beside the embeddings.

When the project's human coding store (``engagement sheet import``) holds
enough coded statements, a calibrated classifier per code (:func:`engagement.coding.learn.fit_labels`,
the one ``engagement learn`` uses) is fitted on them, and every topic input gets its codes'
probabilities. The partition then runs on::

    [ sqrt(1 - w) * turn embedding,  sqrt(w) * codes' probabilities / m ]

where ``m`` is the median length of the coded statements' probability vectors, so a typical coded
statement's guide part is as long as its embedding, while a statement no code fits (all
probabilities low) keeps its place among the embeddings. Statements the coders would code alike
are drawn together; what no code covers still forms topics of its own. Labels, similarities and
the report read the embeddings alone.

``benchmarks/bench_topics.py`` measures it ("ours, guided by half the labels"): the labels of half
the documents guide, the other half is scored. The weight (0.3) and the scaling were chosen by
that benchmark on all three of its sets (sample, blind reference, FFT), so for these two choices
none of the three is held out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

GUIDE_WEIGHT = 0.3     # topics.guide_weight: the codes' share of the clustering space (0: unguided)
MIN_CODED = 30         # fewer coded statements than this and topics stay unguided
MIN_CODES = 2          # and at least this many codes with enough examples (learn.MIN_POSITIVES)


@dataclass
class Guide:
    """The human coding a topic fit is guided by: rows of the topic inputs, their codes, the weight."""

    rows: np.ndarray        # positions in the topic inputs of the coded statements
    y: np.ndarray           # rows x codes, 0/1
    codes: list[str]
    weight: float

    def digest(self) -> str:
        """What the cached fit depends on: which statements carry which codes, and the weight."""
        h = hashlib.sha256()
        h.update(np.asarray(self.rows, dtype=np.int64).tobytes())
        h.update(np.asarray(self.y, dtype=np.int8).tobytes())
        h.update("|".join(self.codes).encode("utf-8"))
        h.update(f"{self.weight:.6f}".encode())
        return h.hexdigest()[:16]

    def describe(self) -> dict:
        return {"coded_statements": int(len(self.rows)), "codes": len(self.codes), "weight": self.weight}


def guide_from_labels(label_lists: list[list[str]], weight: float = GUIDE_WEIGHT) -> Guide | None:
    """A guide from per-input code lists (an empty list: not coded); None when there is too little.

    A statement counts as coded when it carries at least one code. Codes with fewer than
    ``learn.MIN_POSITIVES`` examples are left out, as ``engagement learn`` leaves them out.
    """
    from engagement.coding.learn import _usable, label_matrix

    rows = np.array([i for i, codes in enumerate(label_lists) if codes], dtype=int)
    if weight <= 0 or len(rows) < MIN_CODED:
        return None
    y, codes = label_matrix([label_lists[i] for i in rows])
    keep, _ = _usable(y, codes)
    if len(keep) < MIN_CODES:
        return None
    return Guide(rows, y[:, keep], [codes[j] for j in keep], float(weight))


def project_guide(unique: pd.DataFrame, docs_df: pd.DataFrame, cfg, segments: pd.DataFrame) -> Guide | None:
    """The guide from the project's human coding store, over the distinct topic inputs ``unique``.

    A coded segment guides the distinct text it shares with its topic input (duplicates of a text
    pool their codes). Decisions on text that has since changed do not count (the store's rule).
    """
    weight = float(cfg.topics.get("guide_weight", GUIDE_WEIGHT) or 0)
    if weight <= 0:
        return None
    from engagement.coding.learn_project import _stored_decisions

    human, _, _ = _stored_decisions(cfg, segments)
    if human.empty:
        return None
    text_of = dict(zip(docs_df["segment_id"], docs_df["text"]))
    by_text: dict[str, set[str]] = {}
    for seg, code in zip(human["segment_id"], human["code"]):
        if seg in text_of:
            by_text.setdefault(text_of[seg], set()).add(str(code))
    return guide_from_labels([sorted(by_text.get(t, ())) for t in unique["text"]], weight)


def guided_space(emb: np.ndarray, units: list[str], guide: Guide, seed: int) -> np.ndarray:
    """The clustering space: embeddings beside the codes' calibrated probabilities, weighted by ``guide.weight``."""
    from engagement.coding.learn import fit_labels

    emb = np.asarray(emb, dtype=np.float32)
    model = fit_labels([units[i] for i in guide.rows], emb[guide.rows], guide.y, guide.codes, seed=seed,
                       at_least_one=False)
    probs = model.predict_proba(units, emb)
    typical = float(np.median(np.linalg.norm(probs[guide.rows], axis=1)))
    probs = probs / max(typical, 1e-6)
    w = guide.weight
    return np.hstack([np.sqrt(1 - w) * emb, np.sqrt(w) * probs.astype(np.float32)]).astype(np.float32)
