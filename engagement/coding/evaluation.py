"""Agreement between automatic and human coding, and between human coders.

The reference is a CSV a researcher fills in (or exports from NVivo/ATLAS.ti/MAXQDA and
reshapes): one row per segment and coder.

    segment_id,codes,stance,coder,note
    ESX-FG1-T0003-S00,commercial_selling;trust_motives,concern,AB,
    ESX-FG1-T0004-S00,,neutral,AB,nothing to code

``codes`` is ';'-separated code ids (empty for none). A segment listed with no codes counts as
a reference "no" for every code, which is what makes kappa meaningful.

Example:
    >>> ref = load_reference("reference.csv", "default")                 # doctest: +SKIP
    >>> agreement(codings, ref.codings, ref.segment_ids)                   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from engagement.errors import CodebookError, InputError
from engagement.schemas import STANCES

REFERENCE_COLUMNS = ("segment_id", "codes", "stance", "coder", "note")
AUTO_SOURCES = ("rule", "semantic")   # what counts as the autocoder (topics and human codes do not)
AGREEMENT_COLUMNS = ["code", "n_reference", "n_auto", "true_positive", "precision", "recall", "f1", "kappa"]


@dataclass
class Reference:
    """A validated reference file: its rows, codings (one row per segment and code) and stance."""

    table: pd.DataFrame
    codings: pd.DataFrame
    stance: pd.DataFrame
    segment_ids: list[str]
    coders: list[str]

    def for_coder(self, coder: str) -> "Reference":
        """The part of the reference coded by one coder."""
        t = self.table[self.table["coder"] == coder]
        return Reference(t, self.codings[self.codings["coder"] == coder], self.stance[self.stance["coder"] == coder],
                         list(dict.fromkeys(t["segment_id"])), [coder])


def load_reference(path: str | Path, codebook="default") -> Reference:
    """Read and validate a reference coding CSV.

    Args:
        path: the CSV (columns segment_id, codes, stance, coder, note; stance, coder, note may be empty).
        codebook: a codebook (or path / "default") whose code ids are allowed; None skips that check.

    Raises:
        InputError: missing file or columns, empty segment_id, unknown stance, duplicate segment/coder.
        CodebookError: a code id that is not in the codebook, naming the line.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("reference file not found", path=path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the reference CSV: {exc}", path=path) from exc
    missing = [c for c in ("segment_id", "codes") if c not in raw.columns]
    if missing:
        raise InputError(f"missing column(s) {missing}; expected {list(REFERENCE_COLUMNS)}", path=path)
    for col in ("stance", "coder", "note"):
        if col not in raw.columns:
            raw[col] = ""
    raw = raw.apply(lambda s: s.str.strip())
    raw["coder"] = raw["coder"].replace("", "reference")
    known = None
    if codebook is not None:
        from engagement.coding.codebook import load_codebook

        known = set(load_codebook(codebook).codes)
    rows = []
    for i, rec in enumerate(raw.to_dict("records")):
        line = i + 2  # 1-based, after the header
        if not rec["segment_id"]:
            raise InputError("empty segment_id", path=path, line=line)
        if rec["stance"] and rec["stance"] not in STANCES:
            raise InputError(f"unknown stance '{rec['stance']}'; expected one of {list(STANCES)}", path=path, line=line)
        for code in [c.strip() for c in rec["codes"].split(";") if c.strip()]:
            if known is not None and code not in known:
                raise CodebookError(f"unknown code id '{code}' (not in the codebook)", path=path, line=line)
            rows.append({"segment_id": rec["segment_id"], "code": code, "coder": rec["coder"], "line": line})
    dup = raw.duplicated(["segment_id", "coder"], keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"segment '{raw['segment_id'].iloc[i]}' is listed twice for coder '{raw['coder'].iloc[i]}'",
                         path=path, line=i + 2)
    codings = pd.DataFrame(rows, columns=["segment_id", "code", "coder", "line"]).drop_duplicates(
        ["segment_id", "code", "coder"])
    codings = codings.assign(source="human", evidence="", score=1.0)
    stance = raw.loc[raw["stance"] != "", ["segment_id", "stance", "coder"]].reset_index(drop=True)
    return Reference(raw, codings.reset_index(drop=True), stance, list(dict.fromkeys(raw["segment_id"])),
                     list(dict.fromkeys(raw["coder"])))


def _indicator(codings: pd.DataFrame, segment_ids: list[str], codes: list[str], column: str) -> np.ndarray:
    """segments x codes 0/1 matrix."""
    seg_pos = {s: i for i, s in enumerate(segment_ids)}
    code_pos = {c: j for j, c in enumerate(codes)}
    m = np.zeros((len(segment_ids), len(codes)), dtype=int)
    sub = codings[codings["segment_id"].isin(seg_pos) & codings[column].isin(code_pos)]
    m[sub["segment_id"].map(seg_pos).to_numpy(), sub[column].map(code_pos).to_numpy()] = 1
    return m


def _metrics(ref: np.ndarray, auto: np.ndarray) -> dict:
    from sklearn.metrics import cohen_kappa_score

    tp = int(((ref == 1) & (auto == 1)).sum())
    n_ref, n_auto = int(ref.sum()), int(auto.sum())
    precision = tp / n_auto if n_auto else np.nan
    recall = tp / n_ref if n_ref else np.nan
    f1 = 2 * tp / (n_ref + n_auto) if (n_ref + n_auto) else np.nan
    if (ref == auto).all():
        kappa = 1.0 if len(set(ref.tolist())) > 1 else np.nan  # undefined when both coders say "no" throughout
    else:
        kappa = float(cohen_kappa_score(ref, auto))
    return {"n_reference": n_ref, "n_auto": n_auto, "true_positive": tp, "precision": precision,
            "recall": recall, "f1": f1, "kappa": kappa}


def agreement(auto: pd.DataFrame, reference: pd.DataFrame, segment_ids: Iterable[str], *,
              codes: Iterable[str] | None = None, level: str = "code") -> pd.DataFrame:
    """Per-code agreement of automatic codings with a reference, plus micro and macro rows.

    Args:
        auto: codings (only rule and semantic rows are used when a source column is present).
        reference: reference codings (``segment_id``, ``code``), e.g. ``load_reference(...).codings``
            for one coder.
        segment_ids: the segments the reference covers (a segment with no reference codes is a "no").
        codes: codes to report (default: every code in either table).
        level: "code" or "theme" (both tables need a ``theme`` column for "theme").

    Returns:
        One row per code with n_reference, n_auto, true_positive, precision, recall, f1 and Cohen's
        kappa over the segments, then ``micro`` (all code x segment cells pooled) and ``macro``
        (mean over codes, NaNs skipped). Kappa is NaN for a code nobody used.
    """
    if level not in ("code", "theme"):
        raise ValueError(f"level must be 'code' or 'theme', got {level!r}")
    if "coder" in reference and reference["coder"].nunique() > 1:
        raise ValueError("the reference has several coders; pass one (Reference.for_coder) or use krippendorff_alpha")
    seg_ids = list(dict.fromkeys(segment_ids))
    if "source" in auto:
        auto = auto[auto["source"].isin(AUTO_SOURCES)]
    auto = auto[auto["segment_id"].isin(set(seg_ids))]
    wanted = list(codes) if codes is not None else sorted(set(reference[level]) | set(auto[level]))
    ref_m, auto_m = _indicator(reference, seg_ids, wanted, level), _indicator(auto, seg_ids, wanted, level)
    rows = [{"code": c, **_metrics(ref_m[:, j], auto_m[:, j])} for j, c in enumerate(wanted)]
    table = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    micro = {"code": "micro", **_metrics(ref_m.ravel(), auto_m.ravel())}
    macro = {"code": "macro", **{k: table[k].sum() for k in ("n_reference", "n_auto", "true_positive")},
             **{k: table[k].mean(skipna=True) for k in ("precision", "recall", "f1", "kappa")}}
    return pd.concat([table, pd.DataFrame([micro, macro])], ignore_index=True).rename(columns={"code": level})


@dataclass
class StanceAccuracy:
    """Stance agreement: accuracy, Cohen's kappa, per-class metrics and the confusion matrix."""

    accuracy: float
    kappa: float
    n: int
    per_class: pd.DataFrame
    confusion: pd.DataFrame


def stance_accuracy(auto_stance: pd.DataFrame, reference_stance: pd.DataFrame) -> StanceAccuracy:
    """Compare automatic stance with a reference on the segments both have.

    Returns:
        A :class:`StanceAccuracy`; ``confusion`` has reference labels as rows and automatic labels
        as columns, over all five stance labels.
    """
    from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

    if "coder" in reference_stance and reference_stance["coder"].nunique() > 1:
        raise ValueError("the reference has several coders; pass one coder's stance")
    both = reference_stance[["segment_id", "stance"]].merge(auto_stance[["segment_id", "stance"]], on="segment_id",
                                                            suffixes=("_ref", "_auto"))
    y_ref, y_auto = both["stance_ref"].tolist(), both["stance_auto"].tolist()
    labels = list(STANCES)
    n = len(both)
    p, r, f, support = precision_recall_fscore_support(y_ref, y_auto, labels=labels, zero_division=np.nan)
    per_class = pd.DataFrame({"stance": labels, "precision": p, "recall": r, "f1": f, "n_reference": support})
    confusion = pd.DataFrame(confusion_matrix(y_ref, y_auto, labels=labels) if n else np.zeros((5, 5), int),
                             index=pd.Index(labels, name="reference"), columns=pd.Index(labels, name="auto"))
    accuracy = float(np.mean(np.array(y_ref) == np.array(y_auto))) if n else np.nan
    kappa = float(cohen_kappa_score(y_ref, y_auto)) if n and len(set(y_ref) | set(y_auto)) > 1 else np.nan
    return StanceAccuracy(accuracy, kappa, n, per_class, confusion)


def krippendorff_alpha(reference: Reference | pd.DataFrame, *, coders: Iterable[str] | None = None,
                       segment_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Krippendorff's alpha (nominal) between human coders, per code, pooled, and for stance.

    Args:
        reference: a :class:`Reference` with two or more coders (or its ``table``).
        coders: which coders to compare (default: all in the file).
        segment_ids: units to use (default: segments seen by any of the coders). A segment a coder
            did not code is missing data for that coder, not a "no".

    Returns:
        Rows ``code`` (each code id, then "all codes" pooled over code x segment units, then
        "stance"), ``alpha``, ``n_units``.
    """
    import krippendorff

    table = reference.table if isinstance(reference, Reference) else reference
    coders = list(coders) if coders is not None else list(dict.fromkeys(table["coder"]))
    if len(coders) < 2:
        raise ValueError(f"Krippendorff's alpha needs at least two coders, got {coders}")
    table = table[table["coder"].isin(coders)]
    seg_ids = list(dict.fromkeys(segment_ids if segment_ids is not None else table["segment_id"]))
    codes = sorted({c.strip() for v in table["codes"] for c in str(v).split(";") if c.strip()})
    cube = np.full((len(coders), len(seg_ids), len(codes)), np.nan)
    stance = np.full((len(coders), len(seg_ids)), np.nan)
    seg_pos, code_pos = {s: i for i, s in enumerate(seg_ids)}, {c: j for j, c in enumerate(codes)}
    labels = {s: k for k, s in enumerate(STANCES)}
    for rec in table.to_dict("records"):
        if rec["segment_id"] not in seg_pos:
            continue
        k, i = coders.index(rec["coder"]), seg_pos[rec["segment_id"]]
        cube[k, i, :] = 0
        for c in str(rec["codes"]).split(";"):
            if c.strip():
                cube[k, i, code_pos[c.strip()]] = 1
        if rec.get("stance") in labels:
            stance[k, i] = labels[rec["stance"]]

    def alpha(data: np.ndarray) -> tuple[float, int]:
        units = int((np.sum(~np.isnan(data), axis=0) >= 2).sum())
        values = data[~np.isnan(data)]
        if units == 0 or len(np.unique(values)) < 2:
            return (1.0 if units and len(values) else np.nan), units  # perfect agreement on one value
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")), units

    rows = [{"code": c, **dict(zip(("alpha", "n_units"), alpha(cube[:, :, j])))} for j, c in enumerate(codes)]
    rows.append({"code": "all codes", **dict(zip(("alpha", "n_units"), alpha(cube.reshape(len(coders), -1))))})
    rows.append({"code": "stance", **dict(zip(("alpha", "n_units"), alpha(stance)))})
    return pd.DataFrame(rows, columns=["code", "alpha", "n_units"])
