"""The leak check: re-scan every output for personal data that should have been redacted.

What is scanned (every file under ``data/processed``, ``figures/`` and ``reports/``, or the
``paths`` given):

- Parquet: every string column of every table, the cache folder included (cached segments hold
  text); columns of hashes (``*_hash``) are skipped. Other binary cache files hold no text.
- SVG: the text of every element and every comment (matplotlib draws text as paths and keeps the
  string only in a comment). PNG, JPEG and PDF cannot be read as text: they are listed in the
  report's notes; the table behind every figure is shown (and checked) in the notebooks.
- HTML, Markdown, text, CSV, JSON; notebooks (``*.ipynb``): every cell's source and every
  output's text, ``text/plain``, ``text/html``, ``text/markdown``, JSON and SVG.

Two tests per candidate:

1. *redacted value reappears*: the salted hash of every 1-5 word window (as a PERSON or LOCATION)
   and of every structured hit is looked up in the register of ``value_hash`` in
   ``data/processed/redactions.parquet`` - so a value is found without the check ever knowing it.
2. *detector still finds <TYPE>*: the project detector, by default its regular expressions
   (phone, e-mail, NHS number, postcode, address, date of birth), the known names and the deny
   list; ``use_ner=True`` adds spaCy NER and the name-context rules (slower, noisier).

Placeholders (``[PERSON_3]``) and recorded pseudonyms are not findings. Ages are not checked:
a number like 93 in a table is not a leak of an age.

Example:
    >>> from engagement.privacy.leak import leak_check
    >>> findings = leak_check(cfg)                        # doctest: +SKIP
    >>> leak_check(cfg, raise_on_findings=True)           # doctest: +SKIP
    Traceback (most recent call last):
    engagement.errors.LeakError: reports/summary.html: 1 finding(s) ...
"""

from __future__ import annotations

import bisect
import csv
import html.parser
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from engagement.privacy import patterns as pp
from engagement.errors import LeakError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".tex", ".log", ".yaml", ".yml", ".jsonl", ".rst"}
UNREADABLE = {".png", ".jpg", ".jpeg", ".gif", ".pdf", ".webp", ".bmp", ".tif", ".tiff"}
_SEP = "\n\x00\n"   # between units: no pattern crosses it
_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")
_WINDOW_TYPES = ("PERSON", "LOCATION")
_DEFAULT_METHODS = {"regex", "checksum", "known_name", "deny_list"}
_STRUCTURED = {"PHONE", "EMAIL", "NHS_NUMBER", "POSTCODE", "ADDRESS", "DATE_OF_BIRTH"}


@dataclass(frozen=True)
class Finding:
    """One suspected leak: where it is and why; never the value itself."""

    file: str
    location: str
    type: str
    reason: str


@dataclass
class LeakReport:
    """Findings, plus what was scanned and what could not be."""

    findings: list[Finding] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---- turning files into (location, text) units
def _lines(text: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield f"{prefix}line {n}", line


class _HTMLText(html.parser.HTMLParser):
    _ATTRS = {"alt", "title", "aria-label", "content", "value", "placeholder", "data-value"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.units: list[tuple[int, str]] = []

    def handle_data(self, data):
        if data.strip():
            self.units.append((self.getpos()[0], data))

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self._ATTRS and value and not value.startswith("data:"):
                self.units.append((self.getpos()[0], value))


def _html_units(text: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    for line, data in parser.units:
        for k, part in enumerate(data.splitlines()):
            if part.strip():
                yield f"{prefix}line {line + k}", part


def _svg_units(text: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    try:
        root = ET.fromstring(text, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    except ET.ParseError:
        yield from _lines(text, prefix)
        return
    counts: dict[str, int] = {}
    for elem in root.iter():
        name = "comment" if elem.tag is ET.Comment else str(elem.tag).rsplit("}", 1)[-1]
        if name == "style":
            continue
        for part in (elem.text, None if elem.tag is ET.Comment else elem.tail):
            if part and part.strip():
                counts[name] = counts.get(name, 0) + 1
                yield f"{prefix}<{name}> #{counts[name]}", part.strip()


def _json_units(obj, path: str = "$") -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _json_units(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _json_units(v, f"{path}[{i}]")


def _notebook_units(nb: dict) -> Iterator[tuple[str, str]]:
    def joined(v) -> str:
        return "".join(v) if isinstance(v, list) else str(v or "")

    for i, cell in enumerate(nb.get("cells", [])):
        yield from _lines(joined(cell.get("source")), f"cell {i} source, ")
        for j, out in enumerate(cell.get("outputs", []) or []):
            where = f"cell {i} output {j}"
            if "text" in out:
                yield from _lines(joined(out["text"]), f"{where} stream, ")
            for key in ("evalue",):
                if out.get(key):
                    yield f"{where} error", str(out[key])
            for k, tb in enumerate(out.get("traceback", []) or []):
                yield f"{where} traceback {k}", re.sub(r"\x1b\[[0-9;]*m", "", str(tb))
            for mime, data in (out.get("data") or {}).items():
                body = joined(data) if not isinstance(data, (dict,)) else data
                if mime == "text/html":
                    yield from _html_units(body, f"{where} {mime}, ")
                elif mime == "image/svg+xml":
                    yield from _svg_units(body, f"{where} {mime}, ")
                elif mime.startswith("text/"):
                    yield from _lines(body, f"{where} {mime}, ")
                elif mime.endswith("json"):
                    yield from ((f"{where} {mime} {p}", t) for p, t in _json_units(body))


def _parquet_units(path: Path) -> Iterator[tuple[str, str]]:
    import pandas as pd

    df = pd.read_parquet(path)
    for col in df.columns:
        if str(col).endswith("_hash"):
            continue
        series = df[col]
        if not (series.dtype == object or str(series.dtype) in ("string", "str")):
            continue
        for i, value in enumerate(series.tolist()):
            if isinstance(value, str) and value.strip():
                yield f"row {i}, column {col}", value


def file_units(path: Path) -> Iterator[tuple[str, str]] | None:
    """The text of one output file as (location, text) units; None when it holds no readable text."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet_units(path)
    if suffix not in TEXT_SUFFIXES | {".html", ".htm", ".svg", ".csv", ".json", ".ipynb"}:
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".html", ".htm"):
        return _html_units(text)
    if suffix == ".svg":
        return _svg_units(text)
    if suffix == ".csv":
        rows = csv.reader(io.StringIO(text))
        return ((f"row {r}, column {c}", v) for r, row in enumerate(rows, start=1)
                for c, v in enumerate(row, start=1) if v.strip())
    if suffix in (".json", ".ipynb"):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            return _lines(text)
        return _notebook_units(obj) if suffix == ".ipynb" else _json_units(obj)
    return _lines(text)


# ---- the check
class _Register:
    """The salted hashes of every redacted value, and the replacement texts (not findings)."""

    def __init__(self, cfg):
        import pandas as pd

        self.hashes: dict[str, set[str]] = {}
        self.replacements: set[str] = set()
        self.salt: bytes | None = None
        path = cfg.table_path("redactions")
        salt_file = Path(cfg.salt_file)
        if path.is_file():
            red = pd.read_parquet(path, columns=["type", "placeholder", "value_hash"])
            for kind, group in red.groupby("type"):
                self.hashes[str(kind)] = set(group["value_hash"])
            self.replacements = {pp.fold(p) for p in red["placeholder"].astype(str)}
        if salt_file.is_file():
            from engagement.privacy.deidentify import load_salt

            self.salt = load_salt(cfg)

    def pseudonymiser(self):
        from engagement.privacy.deidentify import Pseudonymiser

        return Pseudonymiser(self.salt) if self.salt and self.hashes else None


def _targets(cfg, paths: Iterable[Path] | None) -> list[Path]:
    roots = [Path(p) for p in paths] if paths else [cfg.processed_dir, cfg.figures_dir, cfg.reports_dir]
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files += [p for p in sorted(root.rglob("*")) if p.is_file()
                      and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return files


def _scan(units: list[tuple[str, str]], detector, register: _Register, pseud, use_ner: bool
          ) -> Iterator[tuple[str, str, str]]:
    """(location, type, reason) for every finding in one file's units."""
    if not units:
        return
    starts, parts, pos = [], [], 0
    for _, text in units:
        starts.append(pos)
        parts.append(text)
        pos += len(text) + len(_SEP)
    big = _SEP.join(parts)

    def where(offset: int) -> str:
        return units[bisect.bisect_right(starts, offset) - 1][0]

    seen: set[tuple[str, str, str]] = set()
    for hit in detector.detect(big):
        if hit.type.startswith("AGE") or pp.fold(hit.value) in register.replacements:
            continue
        reappears = pseud is not None and pseud.value_hash(hit.type, hit.value) in register.hashes.get(hit.type, ())
        if reappears:
            item = (where(hit.start), hit.type, "redacted value reappears")
        elif use_ner or hit.method in _DEFAULT_METHODS or hit.type in _STRUCTURED or hit.type == "LOCATION":
            item = (where(hit.start), hit.type, f"detector still finds {hit.type}")
        else:
            continue
        if item not in seen:
            seen.add(item)
            yield item
    kinds = [k for k in _WINDOW_TYPES if register.hashes.get(k)]
    if pseud is None or not kinds:
        return
    for start, kind in _window_matches(big, starts, detector, register, pseud, kinds):
        item = (where(start), kind, "redacted value reappears")
        if item not in seen:
            seen.add(item)
            yield item


def _gap(text: str) -> str:
    """A gap between two words, normalised as :func:`engagement.privacy.patterns.normalise` does."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w'&@.\- ]+", " ", pp.fold(text)))


def _window_matches(big, starts, detector, register, pseud, kinds) -> Iterator[tuple[int, str]]:
    """Windows of 1-5 words, starting at a capitalised word, whose salted hash is in the register.

    Each word is folded once and windows are grown word by word, giving the exact string
    ``normalise("PERSON" | "LOCATION", window)`` would, without normalising every window from scratch.
    """
    masked = pp.PLACEHOLDER_RE.sub(lambda m: " " * len(m.group()), big)   # same offsets, no placeholder words
    words = list(_WORD.finditer(masked))
    folded = [pp.fold(m.group()) for m in words]
    unit_of = [bisect.bisect_right(starts, m.start()) for m in words]
    ambiguous = pp.WORD_NAMES | pp.MONTH_NAMES | pp.NON_NAME_WORDS | pp.KIN_WORDS
    for i, first in enumerate(words):
        if not first.group()[:1].isupper():
            continue
        acc = folded[i]
        for j in range(i, min(i + 5, len(words))):
            if j > i:
                gap = big[words[j - 1].end():words[j].start()]
                if unit_of[j] != unit_of[i] or "\n" in gap or len(gap) > 3:
                    break
                acc += _gap(gap) + folded[j]
            norm = acc.strip(" .,-'")
            if norm in register.replacements:
                continue
            if j == i and norm in ambiguous and not detector._rules.name_context(big, first.start(), first.end()):
                continue
            for kind in kinds:
                value = re.sub(r"'s$", "", norm) if kind == "PERSON" else norm
                if pseud.key(kind, value) in register.hashes[kind]:
                    yield first.start(), kind


def leak_report(cfg, *, paths: Iterable[Path] | None = None, use_ner: bool = False, detector=None) -> LeakReport:
    """Scan the outputs (or ``paths``) and return findings with what was scanned and what was not."""
    from engagement.privacy.deidentify import build_detector

    report = LeakReport()
    register = _Register(cfg)
    pseud = register.pseudonymiser()
    if pseud is None and register.hashes:
        report.notes.append("no salt file: redacted values could not be compared, only the detector ran")
    detector = detector or build_detector(cfg, use_ner=use_ner, name_rules=use_ner)
    unreadable: dict[str, int] = {}
    binary = 0
    for path in _targets(cfg, paths):
        units = file_units(path)
        if units is None:
            suffix = path.suffix.lower()
            if suffix in UNREADABLE:
                unreadable[suffix] = unreadable.get(suffix, 0) + 1
            else:
                binary += 1
            continue
        try:
            shown = str(path.relative_to(cfg.root))
        except ValueError:
            shown = str(path)
        report.scanned.append(shown)
        for location, kind, reason in _scan(list(units), detector, register, pseud, use_ner):
            report.findings.append(Finding(shown, location, kind, reason))
    for suffix, n in sorted(unreadable.items()):
        report.notes.append(f"{n} {suffix[1:].upper()} file(s) cannot be read as text (their tables are checked "
                            f"in the notebooks and the SVG twins of figures are scanned)")
    if binary:
        report.notes.append(f"{binary} binary file(s) hold no text (caches, models) and were skipped")
    return report


def leak_check(cfg, *, paths: Iterable[Path] | None = None, use_ner: bool = False,
               raise_on_findings: bool = False, detector=None) -> list[Finding]:
    """Findings of personal data in the outputs (empty when clean).

    Args:
        cfg: the project configuration (paths, salt, deny list, known names in the manifest).
        paths: files or folders to scan instead of data/processed, figures/ and reports/.
        use_ner: also run spaCy NER and the name-context rules.
        raise_on_findings: raise :class:`LeakError` instead of returning findings.
        detector: a ready detector (tests), instead of the project's.

    Raises:
        LeakError: ``raise_on_findings`` and something was found; the message names the first
            file and location, never the value.
    """
    findings = leak_report(cfg, paths=paths, use_ner=use_ner, detector=detector).findings
    if findings and raise_on_findings:
        first = findings[0]
        raise LeakError(f"{len(findings)} finding(s) of personal data in the outputs; first at {first.location}: "
                        f"{first.type} ({first.reason})", path=first.file)
    return findings


def assert_no_leaks(cfg, **kwargs) -> None:
    """:func:`leak_check` that raises :class:`LeakError` on any finding (for the batch run and CI)."""
    leak_check(cfg, raise_on_findings=True, **kwargs)
