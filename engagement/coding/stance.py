"""Stance per segment: concern, support, conditional support, mixed or neutral, with the cues.

The cues (:mod:`engagement.coding.stance_cues`: lexicon, negation, conditions, contrast) decide
first; the learned stance speaks where they are silent or hear one side, a code's leaning where
both are silent, and the combiner (:mod:`engagement.coding.combine`) weighs all of them. ``cues``
lists what decided, e.g. "concern: worried | negated: not worried about research -> support".

Example:
    >>> from engagement.coding.codebook import segments_from_texts
    >>> classify_stance(segments_from_texts(["Fine by me, as long as it's anonymised."]))["stance"].tolist()
    ['conditional_support']
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pandas as pd
import yaml

from engagement.coding.stance_cues import _matchers, decide, is_contrast, is_question, stance_cues  # noqa: F401

STANCE_COLUMNS = ["segment_id", "stance", "score", "cues"]


#: a second side needs somewhere to stand: a contrast, a concession or a second clause
_TWO_SIDES = re.compile(r"\b(?:but|though|although|however|whereas|while|whilst|yet|except|then again|on the other hand|"
                        r"other half|part of me|one hand|mind you)\b|[;:,—–]|\.\s+\S", re.IGNORECASE)


def with_learned(label: str, score: float, cues: list, probs: dict | None,
                 override: float = 0.55, mixed: float | None = None, text: str | None = None) -> tuple[str, float, list]:
    """Let the learned stance speak where the cues are silent or one-sided.

    A segment the cues leave neutral takes the learned stance when its probability reaches
    ``override`` (narrative and sarcastic concern carry few cue words). A segment the cues call
    support or concern becomes mixed when the learned probability of mixed reaches ``mixed``: the
    cues hear one side of "good for research, terrible for privacy", the learned stance hears both
    (only where a second side has somewhere to stand: a contrast, a concession, a second clause; leave
    one development reference out, mean macro-F1 0.683 without this guard, 0.686 with it).
    Otherwise cues that decided keep their decision. The learned verdict is always listed.
    """
    if not probs:
        return label, score, cues
    best = max(probs, key=probs.get)
    p = float(probs[best])
    cues = cues + [("learned", 0.0, f"learned: {best} {p:.2f}")]
    if label == "neutral" and best != "neutral" and p >= override:
        return best, round(p, 3), cues
    p_mixed = float(probs.get("mixed", 0.0))
    two_sides = text is None or bool(_TWO_SIDES.search(text.strip().rstrip(".!?")))
    # "it's not X I'm wary of, it's Y", "I used to worry, but now": the cues kept the clause after the turn
    contrasted = text is not None and is_contrast(text)
    if mixed is not None and label in ("support", "concern") and p_mixed >= mixed and two_sides and not contrasted:
        return "mixed", round(p_mixed, 3), cues + [("learned", 0.0, f"learned: mixed {p_mixed:.2f}, not only {label}")]
    return label, score, cues


LEANINGS_PATH = Path(__file__).with_name("data") / "stance.yaml"
LEAN_MAX_NEUTRAL = 0.4   # a code's leaning applies unless the learned stance is at least this sure of neutral (sample's reference)


@lru_cache(maxsize=1)
def code_leanings() -> dict[str, str]:
    """The stance leaning of each code (``data/stance.yaml``): support, concern or conditional_support."""
    return dict((yaml.safe_load(LEANINGS_PATH.read_text(encoding="utf-8")) or {}).get("leanings") or {})


def with_leaning(label: str, score: float, cues: list, text: str, codes: Iterable[str],
                 probs: dict | None = None, max_neutral: float = LEAN_MAX_NEUTRAL) -> tuple[str, float, list]:
    """A segment left neutral takes the leaning its codes agree on (see ``data/stance.yaml``).

    Not for questions, nor when the learned stance is sure the segment is neutral; codes that lean
    different ways cancel out.
    """
    if label != "neutral" or text.rstrip().endswith("?"):
        return label, score, cues
    if probs and float(probs.get("neutral", 0.0)) >= max_neutral:
        return label, score, cues
    lean = code_leanings()
    votes = {lean[c] for c in codes if c in lean}
    if len(votes) != 1:
        return label, score, cues
    side = votes.pop()
    which = ", ".join(sorted(c for c in set(codes) if lean.get(c) == side))
    return side, 0.5, cues + [("leaning", 0.0, f"leaning: {which} -> {side}")]


#: what the stance combiner (:mod:`engagement.coding.combine`) reads of a segment, in order
COMBINER_LABELS = ("concern", "support", "conditional_support", "mixed", "neutral")
_SIDES = ("support", "concern", "conditional_support")
COMBINER_FEATURES = ([f"learned_{s}" for s in COMBINER_LABELS] + [f"cues_{s}" for s in COMBINER_LABELS]
                     + ["cue_score", "cue_support_weight", "cue_concern_weight", "cue_condition_weight", "cue_mixed_weight"]
                     + [f"precedence_{s}" for s in COMBINER_LABELS]
                     + [f"leaning_{s}" for s in _SIDES] + ["leanings_disagree", "question", "two_sides", "length"])


def combiner_features(text: str, cues: list, cue_label: str, cue_score: float, probs: dict, label: str,
                      leanings: set[str]) -> list[float]:
    """The combiner's inputs for one segment, in the order of :data:`COMBINER_FEATURES`.

    ``cues`` and ``cue_label``/``cue_score`` are the cues and their decision (:func:`decide`), ``probs``
    the learned probabilities, ``label`` the precedence's verdict and ``leanings`` the sides the
    segment's codes lean to.
    """
    def weight(side):
        return sum(w for p, w, _ in cues if p == side)

    heaviest = {side: max((w for p, w, _ in cues if p == side), default=0.0) for side in ("condition", "mixed")}
    t = text.strip()
    return ([float(probs.get(s, 0.0)) for s in COMBINER_LABELS] + [float(cue_label == s) for s in COMBINER_LABELS]
            + [float(cue_score), min(weight("support"), 3.0), min(weight("concern"), 3.0), heaviest["condition"],
               heaviest["mixed"]]
            + [float(label == s) for s in COMBINER_LABELS]
            + [float(leanings == {s}) for s in _SIDES] + [float(len(leanings) > 1), float(t.endswith("?")),
                                                          float(bool(_TWO_SIDES.search(t.rstrip(".!?")))),
                                                          min(len(t.split()), 60) / 60])


def classify_stance(segments: pd.DataFrame, codings: pd.DataFrame | None = None, *,
                    include_roles: Iterable[str] | None = ("participant", "respondent"),
                    learned: pd.DataFrame | None = None, override: float = 0.55, mixed: float | None = None,
                    leanings: bool = True,
                    max_neutral: float = LEAN_MAX_NEUTRAL, combiner=None,
                    return_features: bool = False) -> pd.DataFrame:
    """Classify the stance of each segment.

    Args:
        segments: the ``segments`` table (``tokens``/``lemmas`` optional).
        codings: optional ``codings``; their evidence lets a negated cue name its topic
            ("negated: not worried about research -> support").
        include_roles: roles to classify (facilitators left out by default); None = all.
        learned: optional learned stance probabilities (index segment_id, one column per stance,
            :func:`engagement.coding.semantic.stance_probabilities`), used by :func:`with_learned`.
        override: the probability at which the learned stance replaces a cue-less neutral.
        mixed: the learned probability of mixed that turns a one-sided cue decision into mixed
            (None: never).
        leanings: let a segment left neutral take its codes' leaning (:func:`with_leaning`).
        max_neutral: the learned probability of neutral that keeps a segment neutral despite its codes.
        combiner: a :class:`~engagement.coding.combine.StanceCombiner` that weighs the cues, the learned
            stance and the leanings into the verdict where the learned stance is there (None: the
            precedence above decides).
        return_features: add a ``features`` column (the combiner's inputs), for fitting it.

    Returns:
        A ``stance`` table: segment_id, stance (concern | support | conditional_support | mixed |
        neutral), score in [0, 1] (the deciding cues' strength, the learned probability when it decided,
        or the combiner's probability of its verdict), cues (" | "-joined, the ones that decided it).
    """
    seg = segments
    if include_roles is not None and "role" in seg:
        seg = seg[seg["role"].isin(tuple(include_roles))]
    evidence: dict[str, list[str]] = {}
    coded: dict[str, list[str]] = {}
    if codings is not None and len(codings):
        for sid, code in zip(codings["segment_id"], codings["code"]):
            coded.setdefault(sid, []).append(code)
        for sid, ev in zip(codings["segment_id"], codings["evidence"].astype(str)):
            for part in ev.split(" | "):
                evidence.setdefault(sid, []).append(part.removeprefix("NOT: "))
    has_tok = "tokens" in seg and "lemmas" in seg
    rows = []
    for rec in seg.to_dict("records"):
        cues = stance_cues(str(rec["text"]), rec.get("tokens") if has_tok else None,
                           rec.get("lemmas") if has_tok else None, evidence.get(rec["segment_id"], ()))
        label, score = decide(cues)
        cue_label, cue_score, cue_list = label, score, cues
        probs = learned.loc[rec["segment_id"]].to_dict() if learned is not None and rec["segment_id"] in learned.index else None
        if probs is not None:
            label, score, cues = with_learned(label, score, cues, probs, override, mixed, str(rec["text"]))
        if leanings:
            label, score, cues = with_leaning(label, score, cues, str(rec["text"]), coded.get(rec["segment_id"], ()),
                                              probs, max_neutral)
        row = {"segment_id": rec["segment_id"]}
        if probs is not None and (combiner is not None or return_features):
            lean = code_leanings()
            x = combiner_features(str(rec["text"]), cue_list, cue_label, cue_score, probs, label,
                         {lean[c] for c in coded.get(rec["segment_id"], ()) if c in lean})
            if return_features:
                row["features"] = x
            # "it's not X I'm wary of, it's Y" is decided by the clause after "it's" (and "I used to worry, but
            # now ..." by the present view), whatever else is heard
            denied = cue_label != "neutral" and is_contrast(str(rec["text"]))
            if combiner is not None and not denied:
                verdict, p = combiner.decide(x)
                if verdict != label:
                    cues = cues + [("combined", 0.0, f"combined: {verdict} {p:.2f}, not {label}")]
                label, score = verdict, round(p, 3)
        row.update({"stance": label, "score": score, "cues": " | ".join(d for _, _, d in cues)})
        rows.append(row)
    columns = STANCE_COLUMNS + (["features"] if return_features else [])
    return pd.DataFrame(rows, columns=columns).astype({"score": float})
