"""The schema of every table the suite writes, declared once.

Each table is checked where it is written (:func:`engagement.io.write_table`) and where it
is read (:func:`engagement.io.read_table`). Columns are snake_case; foreign names (BERTopic's
``Document``/``Topic``) are renamed before a table gets here.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.pandas import Check, Column, DataFrameSchema

from engagement.errors import SchemaError

KINDS = ("focus_group", "interview", "survey")
ROLES = ("facilitator", "participant", "observer", "respondent")
STANCES = ("concern", "support", "conditional_support", "neutral", "mixed")
CODING_SOURCES = ("rule", "semantic", "topic", "human", "learned")
# what the measures count as a theme coding: the codebook's rules and its learned layer, never topics
THEME_SOURCES = ("rule", "semantic")
#: Codings the measures, quotes and comparisons count from the table they are given: the autocoding, a
#: researcher's accepted and added codes, and learned codes (Analysis.rule_codings holds learned
#: ones only when the config turns them on); never topics, which are not themes
MEASURED_SOURCES = ("rule", "semantic", "human", "learned")

_str = dict(dtype=str, coerce=True)


def _opt(dtype, **kw):
    return Column(dtype, nullable=True, coerce=True, required=False, **kw)


SCHEMAS: dict[str, DataFrameSchema] = {
    "sessions": DataFrameSchema(
        {
            "session_id": Column(str, unique=True, coerce=True),
            "region": Column(str, nullable=True, coerce=True),  # empty for a multi-region survey
            "kind": Column(str, Check.isin(KINDS)),
            "date": Column(str, nullable=True, coerce=True),
            "source_file": Column(str),
            "format": Column(str),
            "encoding": Column(str),
            "content_hash": Column(str, Check.str_length(64, 64)),
            "n_turns": Column(int, Check.ge(0), coerce=True),
            "n_words": Column(int, Check.ge(0), coerce=True),
        },
        strict=False,
        ordered=False,
        coerce=True,
    ),
    "participants": DataFrameSchema(
        {
            "participant_id": Column(str, unique=True, coerce=True),
            "session_id": Column(str, coerce=True),
            "region": Column(str, nullable=True, coerce=True),
            "role": Column(str, Check.isin(ROLES)),
        },
        strict=False,
        coerce=True,
    ),
    "turns": DataFrameSchema(
        {
            "session_id": Column(str),
            "turn_index": Column(int, Check.ge(0), coerce=True),
            "participant_id": Column(str),
            "role": Column(str, Check.isin(ROLES)),
            "region": Column(str, nullable=True),
            "kind": Column(str, Check.isin(KINDS)),
            "start": Column(float, nullable=True, coerce=True),
            "end": Column(float, nullable=True, coerce=True),
            "text": Column(str),
            "flags": Column(str),  # ';'-joined transcription marks, e.g. "inaudible;crosstalk"
            "source_line": Column(int, Check.ge(1), coerce=True),
            "n_words": Column(int, Check.ge(0), coerce=True),
        },
        unique=["session_id", "turn_index"],
        strict=False,
        coerce=True,
    ),
    "segments": DataFrameSchema(
        {
            "segment_id": Column(str, unique=True),
            "session_id": Column(str),
            "turn_index": Column(int, coerce=True),
            "participant_id": Column(str),
            "role": Column(str, Check.isin(ROLES)),
            "region": Column(str, nullable=True),
            "kind": Column(str, Check.isin(KINDS)),
            "text": Column(str),
            "tokens": Column(str),  # space-joined token texts (whitespace tokens dropped)
            "lemmas": Column(str),  # space-joined lower-case lemmas, aligned one-to-one with tokens
            "start_char": Column(int, Check.ge(0), coerce=True),
            "end_char": Column(int, Check.ge(0), coerce=True),
            "n_words": Column(int, Check.ge(0), coerce=True),
        },
        strict=False,
        coerce=True,
    ),
    "redactions": DataFrameSchema(
        {
            "session_id": Column(str),
            "turn_index": Column(int, coerce=True),
            "start": Column(int, Check.ge(0), coerce=True),  # offsets in the de-identified text
            "end": Column(int, Check.ge(0), coerce=True),
            "type": Column(str),
            "method": Column(str),
            "placeholder": Column(str),
            "value_hash": Column(str, Check.str_length(64, 64)),
        },
        strict=True,
        coerce=True,
    ),
    "codings": DataFrameSchema(
        {
            "segment_id": Column(str),
            "code": Column(str),
            "theme": Column(str),
            "source": Column(str, Check.isin(CODING_SOURCES)),
            "evidence": Column(str),
            "score": Column(float, Check.in_range(0.0, 1.0), coerce=True),
        },
        strict=False,
        coerce=True,
    ),
    "topics": DataFrameSchema(
        {
            "topic_id": Column(int, unique=True, coerce=True),
            "label": Column(str),
            "size": Column(int, Check.ge(0), coerce=True),
            "words": Column(str),
            "themes": Column(str),  # ';'-joined codebook themes the topic overlaps
            "candidate_new_theme": Column(bool, coerce=True),
        },
        strict=False,
        coerce=True,
    ),
    "segment_topics": DataFrameSchema(
        {
            "segment_id": Column(str, unique=True),
            "topic_id": Column(int, coerce=True),
            "probability": Column(float, nullable=True, coerce=True),
        },
        strict=False,
        coerce=True,
    ),
    "stance": DataFrameSchema(
        {
            "segment_id": Column(str, unique=True),
            "stance": Column(str, Check.isin(STANCES)),
            "score": Column(float, coerce=True),
            "cues": Column(str),
        },
        strict=False,
        coerce=True,
    ),
}


def validate(df: pd.DataFrame, name: str, *, where: str | None = None) -> pd.DataFrame:
    """Check ``df`` against the schema of table ``name``; return the (coerced) frame.

    Raises:
        SchemaError: naming the table, the column and the first failing values.
    """
    try:
        schema = SCHEMAS[name]
    except KeyError as exc:
        raise SchemaError(f"no schema is declared for table '{name}'") from exc
    try:
        return schema.validate(df, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        cases = getattr(exc, "failure_cases", None)
        detail = str(exc).splitlines()[0] if cases is None else "; ".join(
            f"{r.get('column')}: {r.get('check')} (e.g. {r.get('failure_case')!r})"
            for r in cases.head(3).to_dict("records")
        )
        raise SchemaError(f"table '{name}' does not match its schema: {detail}", path=where) from exc
