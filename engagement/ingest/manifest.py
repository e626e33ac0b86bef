"""The manifest: which files make up the project and who speaks in them.

``sessions.csv`` (one row per file)::

    session_id, file, region, kind, date, facilitators[, observers, format, encoding,
    respondent_column, text_column, region_column, date_column, question_column]

``participants.csv`` (one row per speaker label per session)::

    session_id, speaker_label, participant_id, role[, name, age_band, gender, ...]

``withdrawals.csv`` (optional)::

    participant_id[, date, note]

Every problem stops with a :class:`ManifestError` naming the manifest file and its line
(the header is line 1).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from engagement.config import Config
from engagement.errors import ManifestError

SESSION_COLUMNS = ("session_id", "file", "region", "kind")
PARTICIPANT_COLUMNS = ("session_id", "speaker_label", "participant_id", "role")
KINDS = ("focus_group", "interview", "survey")
MANIFEST_ROLES = ("participant", "facilitator", "observer")
SURVEY_KEYS = ("respondent", "text", "region", "date", "question")
# `engagement init` drafts the manifests with this marker in every cell a researcher must fill or confirm
MARKER = "TODO("
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


@dataclass(frozen=True)
class Manifest:
    sessions: pd.DataFrame        # one row per session, with `line` (manifest line) and `path`
    participants: pd.DataFrame    # one row per (session, speaker label), with `line`
    withdrawn: frozenset[str]
    sessions_path: Path
    participants_path: Path


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise ManifestError("manifest file not found", path=path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise ManifestError(f"manifest is not UTF-8 ({exc.reason})", path=path) from exc
    except csv.Error as exc:
        raise ManifestError(f"malformed CSV: {exc}", path=path) from exc
    if not rows:
        raise ManifestError("manifest is empty", path=path)
    header = [h.strip() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ManifestError(f"missing column(s) {', '.join(missing)}; found {', '.join(header)}", path=path, line=1)
    records = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise ManifestError(f"{len(row)} fields but the header has {len(header)}", path=path, line=i)
        rec = {h: (row[j].strip() if j < len(row) else "") for j, h in enumerate(header)}
        for column, cell in rec.items():
            if MARKER in cell:
                raise ManifestError(f"column '{column}' still holds the draft marker {cell!r}: fill it in or confirm it "
                                    f"(engagement init drafted this file)", path=path, line=i)
        rec["line"] = i
        records.append(rec)
    return pd.DataFrame.from_records(records, columns=[*header, "line"])


def _check_id(value: str, what: str, path: Path, line: int) -> None:
    if not value:
        raise ManifestError(f"empty {what}", path=path, line=line)
    if not _ID_RE.match(value):
        raise ManifestError(f"{what} '{value}' may hold only letters, digits and _ . : -", path=path, line=line)


def survey_columns(row: pd.Series) -> dict[str, str]:
    """The survey column names a sessions.csv row declares (respondent and text required)."""
    cols = {k: str(row.get(f"{k}_column", "") or "").strip() for k in SURVEY_KEYS}
    return {k: v for k, v in cols.items() if v}


def load_manifest(cfg: Config) -> Manifest:
    """Read and cross-check sessions.csv, participants.csv and withdrawals.csv."""
    spath, ppath = cfg.sessions_manifest, cfg.participants_manifest
    sessions = _read_csv(spath, SESSION_COLUMNS)
    if sessions.empty:
        raise ManifestError("no sessions listed", path=spath)
    regions = set(cfg.regions)
    seen: dict[str, int] = {}
    paths = []
    for rec in sessions.to_dict("records"):
        line, sid = rec["line"], rec["session_id"]
        _check_id(sid, "session_id", spath, line)
        if sid in seen:
            raise ManifestError(f"duplicate session_id '{sid}' (first on line {seen[sid]})", path=spath, line=line)
        seen[sid] = line
        if rec["kind"] not in KINDS:
            raise ManifestError(f"kind '{rec['kind']}' is not one of {', '.join(KINDS)}", path=spath, line=line)
        if rec["region"]:
            rec["region"] = cfg.canonical_region(rec["region"]) or rec["region"]
            sessions.loc[sessions["line"] == line, "region"] = rec["region"]
        if rec["region"] and rec["region"] not in regions:
            raise ManifestError(
                f"region '{rec['region']}' is not in the configured regions ({', '.join(cfg.regions)})",
                path=spath, line=line)
        if not rec["region"] and rec["kind"] != "survey":
            raise ManifestError("region is empty (only a survey may span regions)", path=spath, line=line)
        if rec["kind"] == "survey":
            cols = survey_columns(pd.Series(rec))
            if "respondent" not in cols or "text" not in cols:
                raise ManifestError("a survey needs respondent_column and text_column", path=spath, line=line)
            if not rec["region"] and "region" not in cols:
                raise ManifestError("a survey needs a region or a region_column", path=spath, line=line)
        if not rec["file"]:
            raise ManifestError("file is empty", path=spath, line=line)
        fpath = (cfg.raw_dir / rec["file"]).resolve()
        if not fpath.is_file():
            raise ManifestError(f"file not found: {rec['file']}", path=spath, line=line)
        paths.append(fpath)
    sessions["path"] = paths

    if ppath.is_file():
        participants = _read_csv(ppath, PARTICIPANT_COLUMNS)
    else:
        participants = pd.DataFrame(columns=[*PARTICIPANT_COLUMNS, "line"])
    pseen: dict[str, tuple[str, int]] = {}
    lseen: dict[tuple[str, str], int] = {}
    for rec in participants.to_dict("records"):
        line = rec["line"]
        if rec["session_id"] not in seen:
            raise ManifestError(f"session_id '{rec['session_id']}' is not in {spath.name}", path=ppath, line=line)
        _check_id(rec["participant_id"], "participant_id", ppath, line)
        if not rec["speaker_label"]:
            raise ManifestError("empty speaker_label", path=ppath, line=line)
        if rec["role"] not in MANIFEST_ROLES:
            raise ManifestError(f"role '{rec['role']}' is not one of {', '.join(MANIFEST_ROLES)}", path=ppath, line=line)
        key = (rec["session_id"], rec["speaker_label"].casefold())
        if key in lseen:
            raise ManifestError(f"speaker_label '{rec['speaker_label']}' listed twice for session "
                                f"{rec['session_id']} (first on line {lseen[key]})", path=ppath, line=line)
        lseen[key] = line
        pid = rec["participant_id"]
        if pid in pseen and pseen[pid][0] == rec["session_id"]:
            raise ManifestError(f"duplicate participant_id '{pid}' (first on line {pseen[pid][1]})", path=ppath, line=line)
        pseen.setdefault(pid, (rec["session_id"], line))

    withdrawn: set[str] = set()
    wpath = cfg.withdrawals_file
    if wpath.is_file():
        wd = _read_csv(wpath, ("participant_id",))
        for rec in wd.to_dict("records"):
            if rec["participant_id"]:
                withdrawn.add(rec["participant_id"])
    return Manifest(sessions, participants, frozenset(withdrawn), spath, ppath)
