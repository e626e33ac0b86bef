"""The codebook: load and validate a YAML codebook, and code segments deductively with it.

A codebook is pattern data (see the header of ``engagement/coding/data/codebook.yaml`` for the format):
themes, and codes with a definition, include/exclude notes, example quotes and match rules on
lemmas. :func:`load_codebook` checks everything a researcher can get wrong and names the file,
line and code at fault; :func:`autocode` turns segments into ``codings`` with the matched
evidence, a score and NegEx-style negation handling.

Example:
    >>> from engagement.coding.codebook import autocode, load_codebook, segments_from_texts
    >>> book = load_codebook("default")
    >>> seg = segments_from_texts(["They'll flog it to the Americans."])
    >>> autocode(seg, book)[["code", "evidence"]].values.tolist()
    [['commercial_companies', 'Americans'], ['commercial_selling', 'flog it']]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
import yaml

from engagement.errors import CodebookError
from engagement.coding.negation import blank_nlp, inflections, negation_cue, segment_doc, surface_doc
from engagement.coding.matching import doc_bag

DEFAULT_CODEBOOK = Path(__file__).with_name("data") / "codebook.yaml"
CODING_COLUMNS = ["segment_id", "code", "theme", "source", "evidence", "score"]
NEGATION_MODES = ("keep", "remove")
RULE_KINDS = ("lemmas", "pattern", "phrases", "regex")
RULE_OPTIONS = ("requires_any", "unless_any", "not_followed_by", "not_preceded_by", "weight", "note")
CODE_KEYS = ("id", "label", "parent", "definition", "include", "exclude", "examples", "negation", "rules")
_TEXT_FIELDS = ("label", "definition", "include", "exclude")
_CLAUSE_END = [".", ";", "!", "?", ":", ",", "but"]  # a "*" gap never crosses these
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Rule:
    """One match rule of a code (already expanded to spaCy patterns)."""

    kind: str
    source: Any
    patterns: tuple = ()
    requires_any: tuple[frozenset[str], ...] = ()
    unless_any: frozenset[str] = frozenset()
    not_followed_by: frozenset[str] = frozenset()
    not_preceded_by: frozenset[str] = frozenset()
    weight: float = 0.55


@dataclass(frozen=True)
class Code:
    """A code: where it sits in the hierarchy, what it means, and how it is matched."""

    id: str
    label: str
    parent: str
    theme: str
    definition: str
    include: str
    exclude: str
    examples: tuple[str, ...]
    negation: str
    rules: tuple[Rule, ...]
    line: int | None = None


@dataclass
class Codebook:
    """A validated codebook with its compiled matchers."""

    name: str
    version: str
    path: str
    description: str
    theme_labels: dict[str, str]
    codes: dict[str, Code]
    semantic: dict = field(default_factory=dict)   # the semantic layer's thresholds block, versioned with the codebook
    _matchers: Any = field(default=None, repr=False, compare=False)

    def themes(self) -> list[str]:
        """Theme ids in codebook order."""
        return list(self.theme_labels)

    def codes_for_theme(self, theme: str) -> list[str]:
        return [c.id for c in self.codes.values() if c.theme == theme]

    def phrases_for_theme(self, theme: str) -> list[str]:
        """Content words and fixed phrases of a theme's rules (seed words for guided topics).

        Keyword rules give their alternatives ("hack|leak" -> hack, leak); fixed sequences give the
        phrase ("postcode lottery"); sequences with gaps or alternatives are skipped, since their
        words are mostly glue ("go through * history").
        """
        out: list[str] = []
        for cid in self.codes_for_theme(theme):
            for rule in self.codes[cid].rules:
                if rule.kind == "phrases":
                    out.extend(rule.source)
                elif rule.kind == "lemmas":
                    for seq in rule.source:
                        if " " not in seq.strip():
                            out.extend(w for w in seq.split("|") if w.isalpha())
                        elif not set(seq) & set("*?|"):
                            out.append(seq)
        return list(dict.fromkeys(out))

    def __len__(self) -> int:
        return len(self.codes)


# ------------------------------------------------------------------ loading and validation

def _fail(msg: str, path: str, line: int | None = None, code: str | None = None) -> CodebookError:
    return CodebookError(f"code '{code}': {msg}" if code else msg, path=path, line=line)


def _item_lines(text: str, key: str) -> list[int | None]:
    """1-based line of each item of the top-level list ``key`` (for error messages)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for k, v in root.value:
        if getattr(k, "value", None) == key and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []


def _terms(value: Any, what: str, fail) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value):
        raise fail(f"'{what}' must be a list of words")
    return frozenset(f for v in value for f in inflections(str(v).strip().lower()))


def _shorthand(seq: str, fail) -> tuple[list[dict], int]:
    """Compile "sell|flog * datum|data" into a Matcher pattern; return it and its required length."""
    nlp = blank_nlp()
    pattern: list[dict] = []
    required = 0
    for tok in str(seq).split():
        if tok in ("*", "**"):
            pattern.append({"LOWER": {"NOT_IN": _CLAUSE_END}, "OP": "{0,3}" if tok == "*" else "{0,6}"})
            continue
        optional = tok.endswith("?") and len(tok) > 1
        tok = tok[:-1] if optional else tok
        alts = [a for a in tok.split("|") if a]
        # a contraction ("'m", "n't") is one token in context though it splits on its own
        pieces = [[a.lower()] if a.startswith("'") else [t.text.lower() for t in nlp.make_doc(a)] for a in alts]
        if len(alts) == 1 and len(pieces[0]) > 1 and not optional:
            for piece in pieces[0]:
                pattern.append({"LEMMA": {"IN": sorted(inflections(piece))}})
            required += len(pieces[0])
            continue
        for alt, piece in zip(alts, pieces):
            if len(piece) != 1:
                raise fail(f"in lemmas '{seq}': alternative '{alt}' is {len(piece)} tokens "
                           f"({' '.join(piece)}); write them as separate words")
        spec: dict[str, Any] = {"LEMMA": {"IN": sorted({f for p in pieces for f in inflections(p[0])})}}
        if optional:
            spec["OP"] = "?"
        else:
            required += 1
        pattern.append(spec)
    if not required:
        raise fail(f"lemmas '{seq}' has no required word")
    return pattern, required


def _expand_pattern(pattern: Any, fail) -> tuple[list[dict], int]:
    """Inflect LEMMA values and lower-case LOWER values of a raw Matcher pattern; check REGEX values."""
    if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
        raise fail("a 'pattern' must be a non-empty list of token dicts")
    out, required = [], 0
    for spec in pattern:
        spec = dict(spec)
        for attr, value in list(spec.items()):
            if isinstance(value, dict):
                value = dict(value)
                if "REGEX" in value:  # spaCy only compiles it at match time; fail at load time instead
                    try:
                        re.compile(value["REGEX"])
                    except (re.error, TypeError) as exc:
                        raise fail(f"pattern REGEX {value['REGEX']!r} does not compile: {exc}") from exc
                for op in ("IN", "NOT_IN"):
                    if attr in ("LEMMA", "LOWER") and isinstance(value.get(op), list):
                        vals = [str(v).lower() for v in value[op]]
                        value[op] = sorted({f for v in vals for f in inflections(v)}) if attr == "LEMMA" else vals
                spec[attr] = value
            elif attr == "LEMMA" and isinstance(value, str):
                spec[attr] = {"IN": sorted(inflections(value))}
            elif attr == "LOWER" and isinstance(value, str):
                spec[attr] = value.lower()
        if spec.get("OP") not in ("?", "*", "!") and not str(spec.get("OP", "")).startswith("{0"):
            required += 1
        out.append(spec)
    return out, max(required, 1)


def compile_rule(raw: Any, fail=None) -> Rule:
    """Compile one rule mapping (``lemmas``/``pattern``/``phrases``/``regex`` + options) into a :class:`Rule`.

    ``fail(message)`` builds the exception to raise; by default a :class:`CodebookError`.
    """
    fail = fail or (lambda msg: CodebookError(msg))
    if not isinstance(raw, dict):
        raise fail("each rule must be a mapping with one of " + ", ".join(RULE_KINDS))
    kinds = [k for k in RULE_KINDS if k in raw]
    unknown = sorted(set(raw) - set(RULE_KINDS) - set(RULE_OPTIONS))
    if unknown:
        raise fail(f"unknown rule key(s) {unknown}; allowed: {list(RULE_KINDS + RULE_OPTIONS)}")
    if len(kinds) != 1:
        raise fail(f"a rule needs exactly one of {list(RULE_KINDS)}, got {kinds or 'none'}")
    kind, value = kinds[0], raw[kinds[0]]
    requires = raw.get("requires_any")
    groups = requires if requires and all(isinstance(g, list) for g in requires) else ([requires] if requires else [])
    opts = dict(requires_any=tuple(_terms(g, "requires_any", fail) for g in groups),
                unless_any=_terms(raw.get("unless_any"), "unless_any", fail),
                not_followed_by=_terms(raw.get("not_followed_by"), "not_followed_by", fail),
                not_preceded_by=_terms(raw.get("not_preceded_by"), "not_preceded_by", fail))
    if kind == "pattern":
        pattern, n = _expand_pattern(value, fail)
        patterns, source = (pattern,), value
    elif kind in ("lemmas", "phrases"):
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(f"'{kind}' must be a non-empty list of strings")
        source = tuple(value)
        if kind == "lemmas":
            compiled = [_shorthand(v, fail) for v in value]
            patterns, n = tuple(p for p, _ in compiled), min(k for _, k in compiled)
        else:
            patterns, n = tuple(v.lower() for v in value), min(len(blank_nlp().make_doc(v)) for v in value)
    else:
        if not isinstance(value, str) or not value:
            raise fail("'regex' must be a non-empty string")
        try:
            patterns, source, n = (re.compile(value, re.IGNORECASE),), value, 2
        except re.error as exc:
            raise fail(f"regex {value!r} does not compile: {exc}") from exc
    weight = raw.get("weight", min(0.9, 0.35 + 0.2 * n) + (0.1 if groups else 0.0))
    if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
        raise fail(f"rule weight must be in (0, 1], got {weight!r}")
    return Rule(kind, source, patterns, weight=float(weight), **opts)


def _validate(data: Any, path: str, text: str) -> Codebook:
    if not isinstance(data, dict):
        raise _fail("a codebook must be a YAML mapping with 'version', 'themes' and 'codes'", path)
    for key in ("version", "themes", "codes"):
        if key not in data:
            raise _fail(f"missing top-level '{key}'", path)
    themes, codes_raw = data["themes"], data["codes"]
    if not isinstance(themes, list) or not themes or not isinstance(codes_raw, list) or not codes_raw:
        raise _fail("'themes' and 'codes' must be non-empty lists", path)
    theme_lines, code_lines = _item_lines(text, "themes"), _item_lines(text, "codes")
    seen: dict[str, int | None] = {}
    theme_labels: dict[str, str] = {}
    for i, t in enumerate(themes):
        line = theme_lines[i] if i < len(theme_lines) else None
        tid = t.get("id") if isinstance(t, dict) else None
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            raise _fail(f"theme #{i + 1} needs an 'id' (letters, digits, _ . -)", path, line)
        if tid in seen:
            raise _fail(f"duplicate id '{tid}' (first defined at line {seen[tid]})", path, line)
        seen[tid] = line
        theme_labels[tid] = str(t.get("label") or tid.replace("_", " ").capitalize())
    raw_by_id: dict[str, tuple[dict, int | None]] = {}
    for i, c in enumerate(codes_raw):
        line = code_lines[i] if i < len(code_lines) else None
        cid = c.get("id") if isinstance(c, dict) else None
        if not isinstance(cid, str) or not _ID_RE.match(cid):
            raise _fail(f"code #{i + 1} needs an 'id' (letters, digits, _ . -; no spaces or ';')", path, line)
        if cid in seen:
            raise _fail(f"duplicate id '{cid}' (first defined at line {seen[cid]})", path, line, cid)
        seen[cid] = line
        raw_by_id[cid] = (c, line)
    codes: dict[str, Code] = {}
    for cid, (c, line) in raw_by_id.items():
        def fail(msg: str, _cid: str = cid, _line: int | None = line) -> CodebookError:
            return _fail(msg, path, _line, _cid)

        unknown = sorted(set(c) - set(CODE_KEYS))
        if unknown:
            raise fail(f"unknown key(s) {unknown}; allowed: {list(CODE_KEYS)}")
        for key in _TEXT_FIELDS + ("parent",):
            if not isinstance(c.get(key), str) or not c[key].strip():
                raise fail(f"missing {key}")
        parent, chain = c["parent"], [cid]
        while parent not in theme_labels:
            if parent not in raw_by_id:
                raise fail(f"unknown parent '{parent}' (not a theme or code id)")
            if parent in chain:
                raise fail(f"parent cycle: {' -> '.join(chain + [parent])}")
            chain.append(parent)
            parent = raw_by_id[parent][0].get("parent")
        examples = c.get("examples")
        if not isinstance(examples, list) or len([e for e in examples if isinstance(e, str) and e.strip()]) < 2:
            raise fail("needs at least two example quotes under 'examples'")
        negation = c.get("negation", "keep")
        if negation not in NEGATION_MODES:
            hint = " (true/false is ambiguous: 'keep' = a negated mention still counts as the topic)" \
                if isinstance(negation, bool) else ""
            raise fail(f"negation must be one of {list(NEGATION_MODES)}, got {negation!r}{hint}")
        rules = c.get("rules")
        if not isinstance(rules, list) or not rules:
            raise fail("needs at least one rule under 'rules'")
        compiled = tuple(compile_rule(r, lambda m, k=k: fail(f"rule {k + 1}: {m}")) for k, r in enumerate(rules))
        codes[cid] = Code(cid, c["label"].strip(), c["parent"], parent, c["definition"].strip(), c["include"].strip(),
                          c["exclude"].strip(), tuple(e.strip() for e in examples), negation, compiled, line)
    name = str(data.get("name") or Path(path).stem)
    semantic = _semantic_block(data.get("semantic"), codes, path, text)
    book = Codebook(name, str(data["version"]), path, str(data.get("description", "")).strip(), theme_labels, codes,
                    semantic)
    _compile(book)
    return book


def _semantic_block(block: Any, codes: dict, path: str, text: str) -> dict:
    """Check the optional ``semantic:`` block: ``thresholds: {code: {threshold: 0..1, ...}}``."""
    if block is None:
        return {}
    line = next((i + 1 for i, ln in enumerate(text.splitlines()) if ln.startswith("semantic:")), None)
    if not isinstance(block, dict) or not isinstance(block.get("thresholds", {}), dict):
        raise _fail("'semantic' must be a mapping with a 'thresholds' mapping of code ids", path, line)
    for cid, entry in (block.get("thresholds") or {}).items():
        if cid not in codes:
            raise _fail(f"semantic threshold for unknown code '{cid}'", path, line)
        value = entry.get("threshold") if isinstance(entry, dict) else entry
        if not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise _fail(f"semantic threshold of '{cid}' must be in (0, 1], got {value!r}", path, line, cid)
    return block


def load_codebook(source: str | Path | Codebook = "default") -> Codebook:
    """Load and validate a codebook YAML file (``"default"`` = the one shipped with the package).

    Raises:
        CodebookError: naming the file, the line and the code at fault (unknown parent, duplicate
            id, bad pattern or regex, missing definition, fewer than two examples, ...).
    """
    if isinstance(source, Codebook):
        return source
    path = DEFAULT_CODEBOOK if str(source) == "default" else Path(source)
    if not path.is_file():
        raise CodebookError("codebook file not found", path=path)
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CodebookError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                            line=mark.line + 1 if mark else None) from exc
    return _validate(data, str(path), text)


def _compile(book: Codebook) -> None:
    """Build the Matcher/PhraseMatcher for ``book`` (validates raw patterns against spaCy)."""
    from spacy.matcher import PhraseMatcher

    from engagement.coding.matching import AnchoredMatcher

    nlp = blank_nlp()
    matcher, phrases = AnchoredMatcher(nlp.vocab, validate=True), PhraseMatcher(nlp.vocab, attr="LOWER")
    regexes, rules = [], {}
    for code in book.codes.values():
        for k, rule in enumerate(code.rules):
            key = f"{code.id}#{k}"
            rules[key] = (code, rule)
            if rule.kind in ("lemmas", "pattern"):
                try:
                    matcher.add(key, [list(p) for p in rule.patterns])
                except ValueError as exc:
                    detail = " ".join(str(exc).split())[:300]
                    raise _fail(f"rule {k + 1}: invalid Matcher pattern: {detail}", book.path, code.line, code.id) from exc
            elif rule.kind == "phrases":
                phrases.add(key, [nlp.make_doc(p) for p in rule.patterns])
            else:
                regexes.append((key, rule.patterns[0]))
    book._matchers = (matcher, phrases, regexes, rules)


# ------------------------------------------------------------------ coding

def _token_span(offsets: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    toks = [i for i, (s, e) in enumerate(offsets) if e > start and s < end]
    return (toks[0], toks[-1] + 1) if toks else None


def match_codes(book: Codebook, text: str, tokens: str | None = None, lemmas: str | None = None) -> dict[str, list]:
    """Code one segment: ``{code_id: [(start_char, end_char, evidence, weight, negated), ...]}``."""
    matcher, phrases, regexes, rules = book._matchers
    doc, offsets = segment_doc(text, tokens, lemmas)
    surface = surface_doc(doc)
    bag = doc_bag(doc)   # a surface Doc has the same words and lemmas: one bag for both
    found = [(doc.vocab.strings[k], s, e) for d in (doc, surface) if d is not None for k, s, e in matcher(d, bag)]
    found = list(dict.fromkeys(found)) + [(doc.vocab.strings[k], s, e) for k, s, e in phrases(doc)]
    for key, rx in regexes:
        found += [(key, *span) for m in rx.finditer(text) if (span := _token_span(offsets, m.start(), m.end()))]
    by_code: dict[str, list] = {}
    for key, s, e in found:
        code, rule = rules[key]
        if any(not (g & bag) for g in rule.requires_any) or (rule.unless_any & bag):
            continue
        if e < len(doc) and {doc[e].lemma_, doc[e].lower_} & rule.not_followed_by:
            continue
        if s > 0 and {doc[s - 1].lemma_, doc[s - 1].lower_} & rule.not_preceded_by:
            continue
        by_code.setdefault(code.id, []).append((s, e, rule.weight))
    out: dict[str, list] = {}
    for cid, hits in by_code.items():
        kept: list[tuple[int, int, float]] = []
        for s, e, w in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0], -h[2])):  # longest span wins
            if all(e <= ks or s >= ke for ks, ke, _ in kept):
                kept.append((s, e, w))
        rows = []
        for s, e, w in sorted(kept):
            cue = negation_cue(doc, s)
            if cue is not None and book.codes[cid].negation == "remove":
                continue
            start = offsets[s][0] if cue is None else offsets[cue][0]
            span = text[start:offsets[e - 1][1]]
            rows.append((start, offsets[e - 1][1], span if cue is None else f"NOT: {span}", w, cue is not None))
        if rows:
            out[cid] = rows
    return out


def _combine(weights: Iterable[float]) -> float:
    """Noisy-OR of hit weights: more and more specific hits -> a higher score, never above 1."""
    miss = 1.0
    for w in weights:
        miss *= 1.0 - w
    return round(1.0 - miss, 3)


def autocode(segments: pd.DataFrame, codebook: Codebook | str | Path = "default", *, level: str = "segment",
             include_roles: Iterable[str] | None = ("participant", "respondent")) -> pd.DataFrame:
    """Code segments deductively with the codebook's rules.

    Args:
        segments: the ``segments`` table (``tokens``/``lemmas`` optional: re-tokenised if absent).
        codebook: a :class:`Codebook`, a path, or ``"default"``.
        level: ``"segment"`` (one row per segment and code) or ``"turn"`` (segment codes pooled per
            turn: one row per turn and code, keyed by the first segment of the turn carrying it).
        include_roles: roles to code; facilitators and observers are left out by default. None = all.

    Returns:
        A ``codings`` table: segment_id, code, theme, source ("rule"), evidence (matched spans joined
        by " | "; a negated match of a ``negation: keep`` code reads "NOT: <cue ... span>"), score.
    """
    if level not in ("segment", "turn"):
        raise ValueError(f"level must be 'segment' or 'turn', got {level!r}")
    book = load_codebook(codebook)
    seg = segments
    if include_roles is not None and "role" in seg:
        seg = seg[seg["role"].isin(tuple(include_roles))]
    rows = []
    has_tok = "tokens" in seg and "lemmas" in seg
    for rec in seg.to_dict("records"):
        hits = match_codes(book, str(rec["text"]), rec.get("tokens") if has_tok else None,
                           rec.get("lemmas") if has_tok else None)
        for cid, found in sorted(hits.items()):
            rows.append({"segment_id": rec["segment_id"], "code": cid, "theme": book.codes[cid].theme, "source": "rule",
                         "evidence": " | ".join(h[2] for h in found), "score": _combine(h[3] for h in found)})
    codings = pd.DataFrame(rows, columns=CODING_COLUMNS).astype({"score": float})
    if level == "turn" and len(codings):
        codings = _pool_turns(codings, seg)
    return codings.sort_values(["segment_id", "code"]).reset_index(drop=True)


def _pool_turns(codings: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    missing = {"session_id", "turn_index"} - set(segments)
    if missing:
        raise ValueError(f"turn-level coding needs segment columns {sorted(missing)}")
    order = segments[["segment_id", "session_id", "turn_index"]].reset_index(drop=True)
    order["_pos"] = range(len(order))
    merged = codings.merge(order, on="segment_id").sort_values("_pos")
    pooled = merged.groupby(["session_id", "turn_index", "code"], sort=False).agg(
        segment_id=("segment_id", "first"), theme=("theme", "first"), source=("source", "first"),
        evidence=("evidence", " | ".join), score=("score", lambda s: _combine(s)))
    return pooled.reset_index()[CODING_COLUMNS]


# ------------------------------------------------------------------ helpers for notebooks and tests

def codebook_table(codebook: Codebook | str | Path = "default") -> pd.DataFrame:
    """One row per code: code, theme, label, definition (+ theme_label, parent, notes, negation)."""
    book = load_codebook(codebook)
    return pd.DataFrame([{
        "code": c.id, "theme": c.theme, "label": c.label, "definition": c.definition,
        "theme_label": book.theme_labels[c.theme], "parent": c.parent, "include": c.include, "exclude": c.exclude,
        "negation": c.negation, "n_rules": len(c.rules), "n_examples": len(c.examples),
    } for c in book.codes.values()])


def segments_from_texts(texts: Iterable[str], *, role: str = "participant", session_id: str = "S1",
                        region: str | None = "Essex", kind: str = "interview", turn_per_text: bool = True) -> pd.DataFrame:
    """A ``segments`` table with one segment per text, tokenised by a blank English pipeline.

    For trying rules in a notebook and for tests: no trained model, lemmas = lower-cased tokens.
    """
    nlp = blank_nlp()
    rows = []
    for i, text in enumerate(texts):
        toks = [t for t in nlp.make_doc(text) if not t.is_space]
        turn = i if turn_per_text else 0
        rows.append({"segment_id": f"{session_id}-T{turn:04d}-S{0 if turn_per_text else i:02d}",
                     "session_id": session_id, "turn_index": turn, "participant_id": f"{session_id}-P01",
                     "role": role, "region": region, "kind": kind, "text": text,
                     "tokens": " ".join(t.text.replace(" ", "_") for t in toks),
                     "lemmas": " ".join(t.text.lower() for t in toks), "start_char": 0, "end_char": len(text),
                     "n_words": sum(1 for t in toks if not t.is_punct)})
    return pd.DataFrame(rows)


def check_examples(codebook: Codebook | str | Path = "default") -> pd.DataFrame:
    """Self-consistency: code every example quote; ``ok`` is True when its own code is assigned."""
    book = load_codebook(codebook)
    rows = []
    for c in book.codes.values():
        for ex in c.examples:
            got = sorted(match_codes(book, ex))
            rows.append({"code": c.id, "example": ex, "coded": ";".join(got), "ok": c.id in got})
    return pd.DataFrame(rows)

