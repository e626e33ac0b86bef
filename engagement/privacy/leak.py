"""The leak check: nothing personal may be published, including what the detector missed.

:func:`scan_outputs` reads every published output (files under ``data/processed``, ``figures/``
and ``reports/``, or the ``paths`` given; see :mod:`engagement.privacy.outputs` for the kinds and
the places reported) and returns a :class:`LeakReport` of findings. Each finding gives the type,
the file, the place (line; cell and output; row and column; SVG element; PDF page) and a reason,
and never the value: not in messages, logs, exceptions or ``findings.json``.

The rule for what blocks publication (``LeakReport.blocking``) and what is a warning to review
(``LeakReport.warnings``):

Blocking
    1. *redacted value reappears*: the salted hash of a candidate span is in the register of
       redacted values (``data/processed/redactions.parquet``) - found without knowing the value.
    2. *detector still finds <TYPE>*: the project's detector finds a phone, e-mail, NHS number,
       postcode or address, or a known name or deny-list term.
    3. *an output that cannot be read* (a corrupt table, notebook or PDF) cannot be checked.
    4. independent signals that do not use the detector (:mod:`engagement.privacy.signals`): an
       e-mail, full UK postcode, National Insurance or hospital-number shape; 9-13 digits that are
       a UK phone shape, a valid NHS number, or follow a phone or record-number cue; a word from
       the name lexicon (:mod:`engagement.privacy.lexicon`) in a person context ("my neighbour X",
       "X on reception", "ask for X", "X was lovely", "ring X", "Dr X") or a lexicon first name
       followed by a lexicon surname.

Warnings
    The detector's other hits (a date of birth, a place found by a naming rule, and with
    ``use_ner=True`` spaCy NER and the name rules); any other capitalised lexicon name; a
    capitalised word next to a person cue that is not in the lexicon; a name that is also an
    ordinary word near a cue; 9-13 digits without a cue; a PDF that could not be read because no
    PDF text tool is installed. One place and type gives one finding, the blocking one if any.

Never findings: placeholders (``[PERSON_3]``), recorded pseudonyms, ages, and anything on the
allow list: the project's ``deidentify.allow_list`` and ``leak_allow.txt`` in the raw folder
(a term a line, or ``file | place | type`` copied from a reviewed finding).

On a blocking finding the batch calls :func:`quarantine`: every file of the run moves to an
owner-only ``<project>/quarantine/<run id>/`` with a ``findings.json``, and nothing is published.

Example:
    >>> from engagement.privacy.leak import scan_outputs, quarantine
    >>> report = scan_outputs(cfg, [staging])             # doctest: +SKIP
    >>> report.summary                                     # doctest: +SKIP
    'leak check failed: 1 blocking finding(s) in 1 file(s) (PERSON 1); first: reports/summary.html line 40 ...'
    >>> if report.blocking:                                # doctest: +SKIP
    ...     where = quarantine(cfg, [staging], report, run_id=run_id)
"""

from __future__ import annotations

import bisect
import json
import os
import re
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from engagement.errors import LeakError
from engagement.privacy import patterns as pp
from engagement.privacy.lexicon import AllowList, read_allow_list
from engagement.privacy.outputs import IMAGE_SUFFIXES, file_units
from engagement.privacy.signals import find_candidates

_SEP = "\n\x00\n"   # between units: no pattern crosses it
_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")
_WINDOW_TYPES = ("PERSON", "LOCATION")
_DEFAULT_METHODS = {"regex", "checksum", "known_name", "deny_list"}
_STRUCTURED = {"PHONE", "EMAIL", "NHS_NUMBER", "POSTCODE", "ADDRESS", "DATE_OF_BIRTH"}
# detector hits that block by themselves; its other hits (a date near "born", a place by a naming
# rule, NER) are warnings unless the register says the value was redacted
_SURE_METHODS = {"checksum", "known_name", "deny_list"}
_SURE_TYPES = {"PHONE", "EMAIL", "NHS_NUMBER", "POSTCODE", "ADDRESS"}


@dataclass(frozen=True)
class Finding:
    """One suspected leak: where it is and why; never the value itself."""

    file: str
    location: str
    type: str
    reason: str
    blocking: bool = True

    @property
    def place(self) -> str:
        return self.location

    def to_dict(self) -> dict:
        return {"type": self.type, "file": self.file, "place": self.location, "reason": self.reason,
                "blocking": self.blocking}

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.type} ({self.reason})"


@dataclass
class LeakReport:
    """Blocking findings, warnings to review, what was scanned and what could not be."""

    blocking: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """The blocking findings (what ``leak_check`` returns)."""
        return self.blocking

    @property
    def ok(self) -> bool:
        return not self.blocking

    @property
    def summary(self) -> str:
        """One line for the batch and the CLI: counts by type, the first blocking place; no value."""
        if not self.blocking:
            return (f"leak check passed: {len(self.scanned)} file(s) scanned, no blocking finding, "
                    f"{len(self.warnings)} warning(s) to review")
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(Counter(f.type for f in self.blocking).items()))
        files = len({f.file for f in self.blocking})
        return (f"leak check failed: {len(self.blocking)} blocking finding(s) in {files} file(s) ({kinds}), "
                f"{len(self.warnings)} warning(s); first: {self.blocking[0]}")

    def to_json(self) -> dict:
        return {"summary": self.summary, "blocking": [f.to_dict() for f in self.blocking],
                "warnings": [f.to_dict() for f in self.warnings], "scanned": self.scanned, "notes": self.notes}


# ---- the check
class _Register:
    """The salted hashes of every redacted value, and the replacement texts (not findings)."""

    def __init__(self, cfg):
        import pandas as pd

        self.hashes: dict[str, set[str]] = {}
        self.replacements: set[str] = set()
        self.salt: bytes | None = None
        self.seen: dict[tuple[str, str], bool] = {}
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


def _joined(units: list[tuple[str, str]]) -> tuple[str, list[int]]:
    starts, parts, pos = [], [], 0
    for _, text in units:
        starts.append(pos)
        parts.append(text)
        pos += len(text) + len(_SEP)
    return _SEP.join(parts), starts


def _scan(units: list[tuple[str, str]], detector, register: _Register, pseud, use_ner: bool,
          allow: AllowList | None = None) -> Iterator[tuple[str, str, str, bool]]:
    """(location, type, reason, blocking) for every register or detector finding in one file's units.

    A hit that starts inside an allowed phrase (the allow list, or the suite's own vocabulary such as
    the codebook's labels) is not a finding: a word the detector once took for a name ("Planning,
    yes") must not stop every figure that prints "Planning and improvement of services".
    """
    if not units:
        return
    big, starts = _joined(units)
    allowed = allow.spans(big) if allow is not None else []
    allowed_starts = [a for a, _ in allowed]

    def is_allowed(offset: int) -> bool:
        k = bisect.bisect_right(allowed_starts, offset) - 1
        return k >= 0 and allowed[k][0] <= offset < allowed[k][1]

    def where(offset: int) -> str:
        return units[bisect.bisect_right(starts, offset) - 1][0]

    seen: set[tuple[str, str, str]] = set()
    for hit in detector.detect(big):
        if hit.type.startswith("AGE") or pp.fold(hit.value) in register.replacements or is_allowed(hit.start):
            continue
        reappears = pseud is not None and pseud.value_hash(hit.type, hit.value) in register.hashes.get(hit.type, ())
        if reappears:
            item = (where(hit.start), hit.type, "redacted value reappears", True)
        elif hit.method in _SURE_METHODS or hit.type in _SURE_TYPES:
            item = (where(hit.start), hit.type, f"detector still finds {hit.type}", True)
        elif use_ner or hit.method in _DEFAULT_METHODS or hit.type in _STRUCTURED or hit.type == "LOCATION":
            item = (where(hit.start), hit.type, f"detector finds {hit.type} by {hit.method} (review)", False)
        else:
            continue
        if item[:3] not in seen:
            seen.add(item[:3])
            yield item
    kinds = [k for k in _WINDOW_TYPES if register.hashes.get(k)]
    if pseud is None or not kinds:
        return
    for start, kind in _window_matches(big, starts, detector, register, pseud, kinds):
        if is_allowed(start):
            continue
        item = (where(start), kind, "redacted value reappears", True)
        if item[:3] not in seen:
            seen.add(item[:3])
            yield item


def _one_per_place(items: list[tuple[str, str, str, bool]]) -> list[tuple[str, str, str, bool]]:
    """One finding per place and type: the first blocking one if any, else the first warning."""
    best: dict[tuple[str, str], tuple[str, str, str, bool]] = {}
    for item in items:
        key = item[:2]
        if key not in best or (item[3] and not best[key][3]):
            best[key] = item
    return list(best.values())


def _signals(units: list[tuple[str, str]], allow: AllowList, register: _Register, cache: dict
             ) -> Iterator[tuple[str, str, str, bool]]:
    """(location, type, reason, blocking) for every independent signal in one file's units."""
    for location, text in units:
        found = cache.get(text)
        if found is None:
            found = [(c.type, c.reason, c.blocking) for c in find_candidates(text, allow)
                     if pp.fold(text[c.start:c.end]) not in register.replacements]
            if len(cache) < 200_000:
                cache[text] = found
        for kind, reason, blocking in found:
            yield location, kind, reason, blocking


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
    # a word that is also a name ("Will") is a hit only in name context, when the detector can say
    name_context = getattr(getattr(detector, "_rules", None), "name_context", None)
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
            if j == i and norm in ambiguous and not (name_context and name_context(big, first.start(), first.end())):
                continue
            for kind in kinds:
                value = re.sub(r"'s$", "", norm) if kind == "PERSON" else norm
                known = register.seen.get((kind, value))
                if known is None:   # a word recurs across windows and files: hash it once
                    known = register.seen[(kind, value)] = pseud.key(kind, value) in register.hashes[kind]
                if known:
                    yield first.start(), kind


def _shown(cfg, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(cfg.root).resolve()))
    except ValueError:
        return str(path)


def scan_outputs(cfg, paths: Iterable[Path] | None = None, *, use_ner: bool = False, detector=None,
                 allow: AllowList | None = None, vocabulary: Iterable[str] = ()) -> LeakReport:
    """Scan the outputs (or ``paths``): blocking findings, warnings, what was scanned and not.

    Args:
        cfg: the project configuration (paths, salt, register, allow and deny lists, known names).
        paths: files or folders to scan instead of data/processed, figures/ and reports/.
        use_ner: the detector also runs spaCy NER and its name-context rules (slower).
        detector: a ready detector (tests), instead of the project's.
        allow: an allow list instead of the project's (tests).
        vocabulary: phrases the suite itself publishes (the codebook's theme and code labels),
            allowed as whole phrases: they are the suite's words, not a participant's.

    Returns:
        A :class:`LeakReport`; ``report.blocking`` empty means the outputs may be published.
    """
    from engagement.privacy.deidentify import build_detector

    report = LeakReport()
    register = _Register(cfg)
    pseud = register.pseudonymiser()
    allow = allow if allow is not None else read_allow_list(cfg)
    vocabulary = [v for v in vocabulary if v and v.strip()]
    if vocabulary:
        allow = AllowList([*allow.terms, *vocabulary], allow.findings)
    if pseud is None and register.hashes:
        report.notes.append("no salt file: redacted values could not be compared, only the detector ran")
    detector = detector or build_detector(cfg, use_ner=use_ner, name_rules=use_ner)
    images: Counter = Counter()
    binary, cache, memo = 0, {}, {}
    for path in _targets(cfg, paths):
        shown = _shown(cfg, path)
        try:
            units = file_units(path)
            units = None if units is None else list(units)
        except Exception as exc:   # noqa: BLE001 - any parser's error; its message may quote the file
            report.blocking.append(Finding(shown, "whole file", "UNREADABLE", f"an output that cannot be read "
                                           f"cannot be checked ({type(exc).__name__})"))
            continue
        if units is None:
            suffix = path.suffix.lower()
            if suffix == ".pdf":
                report.warnings.append(Finding(shown, "whole file", "UNSCANNED", "no PDF text tool installed "
                                               "(pdftotext from poppler-utils, pypdf or pdfminer.six)", False))
            elif suffix in IMAGE_SUFFIXES:
                images[suffix[1:].upper()] += 1
            else:
                binary += 1
            continue
        report.scanned.append(shown)
        # a table repeats its values: scan each distinct text once, then report every place it stands
        places: dict[str, list[str]] = {}
        for location, text in units:
            places.setdefault(text, []).append(location)
        # and a text an earlier file held (segments, their cache, codings' evidence) is not scanned again
        fresh = [text for text in places if text not in memo]
        for text in fresh:
            memo[text] = []
        for index, *rest in _scan([(str(i), text) for i, text in enumerate(fresh)], detector, register, pseud,
                                  use_ner, allow):
            memo[fresh[int(index)]].append(tuple(rest))
        order = {location: i for i, (location, _) in enumerate(units)}
        items = [(location, *rest) for text, where_ in places.items() for rest in memo[text] for location in where_]
        items.sort(key=lambda item: order[item[0]])   # stable: the register and detector stay first
        items += _signals(units, allow, register, cache)
        for location, kind, reason, blocking in _one_per_place(items):
            if not allow.silences(shown, location, kind):
                (report.blocking if blocking else report.warnings).append(
                    Finding(shown, location, kind, reason, blocking))
    for kind, n in sorted(images.items()):
        report.notes.append(f"{n} {kind} file(s) hold no text (the SVG twins of figures and the tables "
                            f"behind them are scanned)")
    if binary:
        report.notes.append(f"{binary} binary file(s) hold no text (caches, models) and were skipped")
    return report


def leak_report(cfg, *, paths: Iterable[Path] | None = None, use_ner: bool = False, detector=None) -> LeakReport:
    """:func:`scan_outputs` with keyword arguments (kept for callers of the first API)."""
    return scan_outputs(cfg, paths, use_ner=use_ner, detector=detector)


def leak_check(cfg, *, paths: Iterable[Path] | None = None, use_ner: bool = False,
               raise_on_findings: bool = False, detector=None, vocabulary: Iterable[str] = ()) -> list[Finding]:
    """The blocking findings of personal data in the outputs (empty when they may be published).

    Args:
        cfg: the project configuration.
        paths: files or folders to scan instead of data/processed, figures/ and reports/.
        use_ner: the detector also runs spaCy NER and the name-context rules.
        raise_on_findings: raise :class:`LeakError` instead of returning findings.
        detector: a ready detector (tests), instead of the project's.
        vocabulary: phrases the suite itself publishes (``coding.codebook.suite_vocabulary``).

    Raises:
        LeakError: ``raise_on_findings`` and something blocks; the message names the first file
            and place, never the value.
    """
    report = scan_outputs(cfg, paths, use_ner=use_ner, detector=detector, vocabulary=vocabulary)
    if report.blocking and raise_on_findings:
        first = report.blocking[0]
        raise LeakError(f"{len(report.blocking)} finding(s) of personal data in the outputs; first at "
                        f"{first.location}: {first.type} ({first.reason})", path=first.file)
    return report.blocking


def assert_no_leaks(cfg, **kwargs) -> None:
    """:func:`leak_check` that raises :class:`LeakError` on any blocking finding (for the batch run and CI)."""
    leak_check(cfg, raise_on_findings=True, **kwargs)


# ---- quarantine
def _owner_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)


def _prune_empty(folder: Path, stop: set[Path]) -> None:
    """Remove ``folder`` and its parents while empty, never a folder in ``stop``."""
    folder = folder.resolve()
    while folder not in stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def quarantine(cfg, paths: Iterable[Path], findings: LeakReport | Iterable[Finding], *,
               run_id: str | None = None) -> Path:
    """Move every file of a run into ``<project>/quarantine/<run id>/`` (owner-only) with ``findings.json``.

    Args:
        cfg: the project configuration (its root holds ``quarantine/``).
        paths: the run's files and folders (figures, report HTML/PDF, executed notebooks, tables,
            or the staging folder that holds them). They keep their layout below the folder
            they share; emptied folders of the run are removed, never figures/ or reports/.
        findings: the :class:`LeakReport` (blocking and warnings) or the findings that stopped it.
        run_id: the run's id; default the current UTC time.

    Returns:
        The quarantine folder (0700; its files 0600). ``findings.json`` holds types, files,
        places and reasons, never a value.
    """
    run_id = run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = Path(cfg.root).resolve()
    base = root / "quarantine"
    dest = base / run_id
    for folder in (base, dest):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)
    sources = [Path(p).resolve() for p in paths if Path(p).exists() or Path(p).is_symlink()]
    if not sources:
        common = dest
    elif len(sources) == 1:
        common = sources[0] if sources[0].is_dir() else sources[0].parent
    else:
        common = Path(os.path.commonpath([str(p) for p in sources]))
    moved: dict[str, str] = {}
    for src in sources:
        rel = src.relative_to(common) if src != common else Path(".")
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        files = [src] if not src.is_dir() else [p for p in src.rglob("*") if p.is_file()]
        pairs = [(c, dest / c.name) for c in sorted(src.iterdir())] if rel == Path(".") else [(src, target)]
        for item, into in pairs:
            if into.is_dir() and not into.is_symlink():
                shutil.rmtree(into)   # a re-run with the same id replaces what it had quarantined
            elif into.exists() or into.is_symlink():
                into.unlink()
            shutil.move(str(item), str(into))
        for f in files:
            moved[_shown(cfg, f)] = str(dest / f.relative_to(common) if f != common else dest)
    stop = {root, base, *(Path(d).resolve() for d in (cfg.figures_dir, cfg.reports_dir, cfg.processed_dir,
                                                      cfg.raw_dir))}
    for src in sources:
        _prune_empty(src if src.is_dir() else src.parent, stop)
    if isinstance(findings, LeakReport):
        blocking, warnings = findings.blocking, findings.warnings
    else:
        items = list(findings)
        blocking, warnings = [f for f in items if f.blocking], [f for f in items if not f.blocking]

    def entry(f: Finding) -> dict:
        d = f.to_dict()
        d["quarantined_as"] = _shown(cfg, Path(moved[f.file])) if f.file in moved else None
        return d

    body = {"run_id": run_id, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "blocking": [entry(f) for f in blocking], "warnings": [entry(f) for f in warnings],
            "files": sorted(_shown(cfg, Path(p)) for p in moved.values())}
    out = dest / "findings.json"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(body, fh, indent=2)
    _owner_only(dest)
    return dest
