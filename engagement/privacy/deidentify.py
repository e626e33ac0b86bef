"""De-identification: find personal details in transcript text and replace them consistently.

Detection (:class:`Detector`) combines, and records for every hit, the method that found it:

- ``regex``/``checksum``/``context``: UK phone numbers (also split over a line break), e-mail
  addresses (written or spoken), NHS numbers (modulus-11 check; a failing 10-digit number counts
  only when said as an NHS number: method ``context``), postcodes, street addresses, dates of
  birth (a date in a birth context) and ages over ``max_age`` (see :mod:`engagement.privacy.patterns`).
- numbers by context as well as shape: 9-13 digits after a phone cue ("you can ring me on", "my
  number is", "mobile", "landline") are a ``PHONE`` even when no valid UK number (method
  ``context``: transcribers mishear digits); ``HOSPITAL_NUMBER`` (three letters + seven digits, or
  any 5-12 character id after "hospital number", "patient number", "MRN"); ``NI_NUMBER`` (National
  Insurance numbers; without the suffix letter only after a cue); ``VEHICLE_REG`` (current plates,
  older prefix/suffix plates, and dateless or lower-case ones after "reg", "number plate", "car").
- ``facility``: GP surgeries, practices, pharmacies, care homes and schools named by a street,
  village or name ("Thorpe Road Surgery", "the Grove Medical Practice", "St Mary's Primary") as
  ``LOCATION``; ``deidentify.hide_facilities: false`` keeps them. Hospitals are not touched (the
  big ones are allow-listed), nor generic or chain names ("the GP surgery", "Boots pharmacy").
- ``known_name``: names the project knows (speaker labels, participants' full and first names),
  wherever they appear. Names that are also words (Rose, Hope, Bill, Mark, Will) count only in
  name context: "Rose said", "Thanks, Hope", "I agree with Bill" - never "the bill", "I hope".
- ``title`` and ``context``: a capitalised name after a title (Dr Patel, Nurse Jo, Mrs O'Brien),
  a relation or role ("my husband Derek", "the receptionist, Nadia"), an introduction ("my name is",
  "a lady called"), a vocative ("Thanks, Priya"), a speech verb ("Derek said"), where people work
  or come from ("Bola on reception", "Gemma from the surgery"), a possessive of kin or home
  ("Priya's mum", "at Jing's house"), a verb of contact ("ask for Nicola", "Ring Tom Baker": the
  verb stays outside the name) or praise ("Piotr was lovely": at the start of a sentence only when
  the NER, the name lexicon of :mod:`engagement.privacy.lexicon` or the word's shape agrees, since
  "Food was lovely" is as likely).
- ``list``: names listed with a name ("Tom, Aisha and Wojciech", "me, Bartosz and Seán").
- ``ner``: spaCy PERSON entities, minus what NER over-fires on in this domain (devices, brands,
  fillers; :data:`~engagement.privacy.wordlists.NER_NON_NAMES`) and word-names outside name context.
- ``deny_list``: every term on the project deny list, as ``LOCATION``.

Allow-listed terms (NHS, A&E, Addenbrooke's, the towns) are never redacted as names, places or
NER hits, even inside a longer NER span. They do not shield structured identifiers: "111" inside
a phone number or "Norwich" in "14 Norwich Road" belongs to that number or address.

Decisions worth knowing:

- A 10-digit number failing the NHS check is still an NHS number when it is said as one ("my NHS
  number is ...", method ``context``): a misheard or mistyped number is one digit from the real one.
- A date counts as a date of birth only near a birth cue (born, birth, DOB, birthday) in the same
  turn; a birth year alone is kept (no more telling than the age band the project records) unless
  it means an age over ``max_age`` (then it is an ``AGE_OVER_89`` like "she's 94").
- Ages over the threshold share one placeholder, ``[AGE_OVER_89]``, not numbered ones: the value is
  only sensitive because it is rare, and numbering would let readers link the same person.
- Conditions named after people ("Crohn's", "Graves' disease"), brands (Tesco Clubcard, Nectar),
  towns the NER takes for people ("issues with Durham") are not names; a title still makes one.
- "Alexa", "Fitbit", "Caldicott" are not names here (data lists); a participant called Alexa is
  a known name and is still caught. House names ("The Old Rectory") are left unless deny-listed.
- Deny-listed terms win over allow-listed ones: the deny list is the project's explicit word.

Replacement (:class:`Pseudonymiser`) gives typed placeholders numbered in order of first
appearance (``[PERSON_3]``, ``[PHONE_1]``; ages over the threshold all become ``[AGE_OVER_89]``),
the same for the same value everywhere in a run, or, with ``pseudonyms: true``, a realistic
stand-in chosen by the value's salted key. Only salted hashes are ever recorded.

Where the parts live: :mod:`engagement.privacy.detector` (built on :mod:`engagement.privacy.patterns`,
:mod:`engagement.privacy.names` and the word lists in :mod:`engagement.privacy.wordlists`) and
:mod:`engagement.privacy.pseudonyms`. This module applies them to turns, texts and streams, builds them
from the project config, and re-exports ``Detector``, ``Hit``, ``Pseudonymiser`` and ``load_salt``.

Example:
    >>> det = Detector(known_names=["Sarah Jenkins"], allow_list=["NHS"], use_ner=False)
    >>> text, red = redact_text("Thanks, Sarah. Ring 07700 900461.", det, Pseudonymiser(b"k" * 32))
    >>> text
    'Thanks, [PERSON_1]. Ring [PHONE_1].'
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

# Detector, Hit, Pseudonymiser and load_salt live in their own modules and are re-exported here, so
# callers import the whole stage from engagement.privacy.deidentify (the benchmark also uses _alternation).
from engagement.privacy.detector import Detector, Hit, _alternation  # noqa: F401
from engagement.errors import InputError
from engagement.privacy.pseudonyms import Pseudonymiser, load_salt  # noqa: F401

if TYPE_CHECKING:   # pandas is imported where a frame is built: `engagement redact` needs none
    import pandas as pd

REDACTION_COLUMNS = ["session_id", "turn_index", "start", "end", "type", "method", "placeholder", "value_hash"]


@dataclass(frozen=True)
class Redaction:
    """One replacement made: offsets in the de-identified text, never the value."""

    start: int
    end: int
    type: str
    method: str
    placeholder: str
    value_hash: str
    source_start: int
    source_end: int


# ---------------------------------------------------------------------------------------------
def _apply(text: str, hits: Sequence[Hit], pseudonymiser: Pseudonymiser, *, keep_newlines: bool = False
           ) -> tuple[str, list[Redaction]]:
    out, records, pos, shift = [], [], 0, 0
    for h in hits:
        placeholder, value_hash = pseudonymiser.replace(h)
        tail = "\n" * text.count("\n", h.start, h.end) if keep_newlines else ""
        out.append(text[pos:h.start])
        start = h.start + shift
        out.append(placeholder + tail)
        records.append(Redaction(start, start + len(placeholder), h.type, h.method, placeholder, value_hash,
                                 h.start, h.end))
        shift += len(placeholder) + len(tail) - (h.end - h.start)
        pos = h.end
    out.append(text[pos:])
    return "".join(out), records


def redact_text(text: str, detector: Detector, pseudonymiser: Pseudonymiser) -> tuple[str, list[Redaction]]:
    """De-identify one text.

    Returns:
        The new text and one :class:`Redaction` per replacement (offsets in the new text).

    Example:
        >>> det = Detector(use_ner=False)
        >>> redact_text("My NHS number is 943 476 5919.", det, Pseudonymiser(b"s" * 32))[0]
        'My NHS number is [NHS_NUMBER_1].'
    """
    return _apply(text, detector.detect(text), pseudonymiser)


def deidentify_turns(turns: pd.DataFrame, detector: Detector, pseudonymiser: Pseudonymiser, *,
                     batch_size: int = 64) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace personal details in ``turns.text``; sessions in sorted order, turns in order.

    Args:
        turns: a frame with at least ``session_id``, ``turn_index`` and ``text``.

    Returns:
        A new turns frame (same rows and order, text replaced) and the ``redactions`` table.
    """
    import pandas as pd

    missing = {"session_id", "turn_index", "text"} - set(turns.columns)
    if missing:
        raise InputError(f"turns lack column(s) {', '.join(sorted(missing))}")
    pseudonymiser.avoid |= detector.known_tokens()
    order = turns.sort_values(["session_id", "turn_index"], kind="stable").index
    texts = turns.loc[order, "text"].fillna("").astype(str).tolist()
    found = detector.detect_many(texts, batch_size=batch_size)
    new_text, rows = {}, []
    for idx, text, hits in zip(order, texts, found):
        new, records = _apply(text, hits, pseudonymiser)
        new_text[idx] = new
        sid, turn = turns.at[idx, "session_id"], int(turns.at[idx, "turn_index"])
        rows += [(str(sid), turn, r.start, r.end, r.type, r.method, r.placeholder, r.value_hash) for r in records]
    out = turns.copy()
    if len(out):
        out["text"] = pd.Series(new_text).reindex(out.index).astype(str)
    redactions = pd.DataFrame(rows, columns=REDACTION_COLUMNS).astype(
        {"session_id": str, "turn_index": "int64", "start": "int64", "end": "int64", "type": str, "method": str,
         "placeholder": str, "value_hash": str})
    return out, redactions


def redaction_summary(redactions: pd.DataFrame) -> pd.DataFrame:
    """Per session and type: how many replacements, how many distinct values, by which methods.

    Example:
        >>> import pandas as pd
        >>> redaction_summary(pd.DataFrame(columns=REDACTION_COLUMNS)).columns.tolist()
        ['session_id', 'type', 'redactions', 'distinct_values', 'methods']
    """
    import pandas as pd

    cols = ["session_id", "type", "redactions", "distinct_values", "methods"]
    if redactions is None or redactions.empty:
        return pd.DataFrame(columns=cols)
    g = redactions.groupby(["session_id", "type"], sort=True)
    out = g.agg(redactions=("value_hash", "size"), distinct_values=("value_hash", "nunique"),
                methods=("method", lambda s: ";".join(sorted(set(s))))).reset_index()
    return out[cols]


def redact_stream(lines: Iterable[str], detector: Detector, pseudonymiser: Pseudonymiser, jsonl: bool = False,
                  *, batch_size: int = 64) -> Iterator[str]:
    """De-identify a stream for ``engagement redact FILE|-``.

    Plain text is redacted a paragraph at a time (lines up to a blank line, or 256 lines that do
    not end in a digit), so a phone number split over a line break ("07700\\n900123") is found;
    its placeholder takes the first line and the line break is kept after it, so the output has
    exactly the input's lines. In JSONL mode each line is one JSON object and only its ``text``
    field is replaced; every other field and the key order are kept.

    Raises:
        InputError: a JSONL line is not a JSON object (the message names the line).
    """
    pseudonymiser.avoid |= detector.known_tokens()
    if jsonl:
        yield from _redact_jsonl(lines, detector, pseudonymiser, batch_size)
        return
    blocks: list[str] = []
    for block in _paragraphs(lines):
        blocks.append(block)
        if len(blocks) >= batch_size:
            yield from _redact_blocks(blocks, detector, pseudonymiser)
            blocks = []
    yield from _redact_blocks(blocks, detector, pseudonymiser)


def _paragraphs(lines: Iterable[str]) -> Iterator[str]:
    buf: list[str] = []
    for line in lines:
        buf.append(line)
        body = line.rstrip("\r\n")
        if not body.strip() or (len(buf) >= 256 and not body[-1:].isdigit()):
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def _redact_blocks(blocks: list[str], detector: Detector, pseudonymiser: Pseudonymiser) -> Iterator[str]:
    for block, hits in zip(blocks, detector.detect_many(blocks)):
        yield from _apply(block, hits, pseudonymiser, keep_newlines=True)[0].splitlines(keepends=True)


def _redact_jsonl(lines, detector, pseudonymiser, batch_size) -> Iterator[str]:
    pending: list[tuple[dict | None, str]] = []

    def flush():
        texts = [obj["text"] for obj, _ in pending if obj is not None and isinstance(obj.get("text"), str)]
        found = iter(detector.detect_many(texts, batch_size=batch_size))
        for obj, raw in pending:
            if obj is None:
                yield raw
                continue
            if isinstance(obj.get("text"), str):
                obj["text"] = _apply(obj["text"], next(found), pseudonymiser)[0]
            yield json.dumps(obj, ensure_ascii=False) + "\n"

    for n, line in enumerate(lines, start=1):
        if not line.strip():
            pending.append((None, line))
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {n} is not valid JSON ({exc.msg}, column {exc.colno})", line=n) from None
        if not isinstance(obj, dict):
            raise InputError(f"line {n} is not a JSON object", line=n)
        pending.append((obj, line))
        if len(pending) >= batch_size:
            yield from flush()
            pending = []
    yield from flush()


# ---------------------------------------------------------------------------------------------
def read_deny_list(cfg) -> list[str]:
    """The project deny list: ``deidentify.deny_list`` plus the lines of ``<raw_dir>/deny_list.txt``."""
    terms = [str(t) for t in (cfg.deidentify.get("deny_list") or [])]
    path = Path(cfg.raw_dir) / "deny_list.txt"
    if path.is_file():
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                terms.append(line)
    return terms


def manifest_names(cfg) -> list[tuple[str, str] | str]:
    """Names the manifest knows: ``(speaker label, full name)`` from participants.csv (the label
    alone when there is no ``name`` column) and the facilitators/observers listed in sessions.csv."""
    from engagement.ingest.sessions import names_from_labels

    def rows(path: Path) -> list[dict]:
        if not path.is_file():
            return []
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                return list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error):
            return []   # a broken manifest is reported by the manifest stage, not here

    names: list[tuple[str, str] | str] = []
    for row in rows(Path(cfg.participants_manifest)):
        label, name = (row.get("speaker_label") or "").strip(), (row.get("name") or "").strip()
        label = (names_from_labels([label]) or [""])[0]
        if name:
            names.append((label, name))
        elif label:
            names.append(label)
    for row in rows(Path(cfg.sessions_manifest)):
        for col in ("facilitators", "observers"):
            names += names_from_labels([p.strip() for p in (row.get(col) or "").split(";") if p.strip()])
    return names


def build_detector(cfg, known_names: Iterable[str | tuple[str, str]] = (), *, use_ner: bool = True,
                   nlp=None, name_rules: bool = True, places: Iterable[str] = (), ages: Iterable[str] = ()) -> Detector:
    """The project's detector: allow/deny lists and max_age from the config, names from the manifest.

    Args:
        cfg: the project configuration.
        known_names: names to catch besides those in participants.csv (labels, full names).
        use_ner: run the spaCy NER (loaded on first use).
        nlp: a pipeline to use instead of the installed model.
        name_rules: apply the title and context rules for names.
        places: streets and villages found where someone lives, hidden everywhere like the deny list.
        ages: ages over max_age found in words, hidden where they are said again.
    """
    settings = cfg.deidentify
    names = [*known_names, *manifest_names(cfg)]
    return Detector(known_names=names, allow_list=settings.get("allow_list") or [], deny_list=[*read_deny_list(cfg), *places],
                    max_age=int(settings.get("max_age", 89)), use_ner=use_ner, nlp=nlp,
                    model=str(cfg.settings.get("spacy_model", "auto")), name_rules=name_rules,
                    hide_facilities=bool(settings.get("hide_facilities", True)), echo_ages=ages)
