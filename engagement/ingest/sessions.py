"""Ingest: manifest + raw files -> the sessions, participants and turns tables.

Readers (``engagement.ingest.readers``) return speaker turns as they stand in each file; this module
resolves each speaker label to a pseudonymous participant through the manifest, assigns roles
and regions, and refuses anything it cannot account for (a speaker the manifest does not know,
a survey region that is not configured), naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from engagement.config import Config
from engagement.errors import InputError
from engagement.io import sha256_file
from engagement.ingest.manifest import Manifest, survey_columns
from engagement.ingest.readers.labels import is_role_label, label_strength, person_key, split_affiliation


def _norm_label(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip().casefold()


@dataclass(frozen=True)
class IngestedSession:
    session: dict
    turns: pd.DataFrame
    participants: pd.DataFrame
    known_names: tuple[str, ...]
    detected: str


def _speaker_map(manifest: Manifest, session_id: str, facilitators: list[str], observers: list[str]) -> dict[str, dict]:
    rows = manifest.participants[manifest.participants["session_id"] == session_id]
    mapping: dict[str, dict] = {}
    for rec in rows.to_dict("records"):
        mapping[_norm_label(rec["speaker_label"])] = rec
    for role, labels in (("facilitator", facilitators), ("observer", observers)):
        for n, label in enumerate(labels, start=1):
            key = _norm_label(label)
            if key in mapping:
                mapping[key] = {**mapping[key], "role": role}
            else:
                prefix = "F" if role == "facilitator" else "O"
                mapping[key] = {"session_id": session_id, "speaker_label": label,
                                "participant_id": f"{session_id}-{prefix}{n}", "role": role}
    return mapping


#: what a video call adds to a name in its label: pronouns, and the device someone joined on
_PRONOUNS = re.compile(r"\s*\((?:he|she|they|ze|xe)(?:\s*/\s*\w+)+\)", re.IGNORECASE)
_DEVICE = re.compile(r"^(?P<name>.+?)['\u2019]s\s+(?:ipad|iphone|imac|macbook|mac|android|galaxy|samsung|pixel|phone|"
                     r"mobile|laptop|tablet|computer|pc|surface|kindle|echo|chromebook)(?:\s+[\w-]+){0,2}$", re.IGNORECASE)


def label_name(label: str) -> str:
    """The person's name in a speaker label: "Keith Pallister (he/him)" -> "Keith Pallister",
    "Dionne's iPad" -> "Dionne" (a device's name is no one's name, and "iPad" must not be hidden)."""
    name = _PRONOUNS.sub("", label).strip()
    m = _DEVICE.match(name)
    return m.group("name").strip() if m else name


#: a user name as a label: "aisha.r", "j_okafor", "sam.k99"
_USERNAME = re.compile(r"^(?P<first>[^\W\d_]{2,})[._](?:[^\W\d_]+[._]?)*\d*$")


def names_from_labels(labels: list[str]) -> list[str]:
    """The people's names in speaker labels (not "P3", "Interviewer", "Speaker 2", "The Chair", a number);
    a user name gives its first part too ("aisha.r" -> "aisha.r" and "aisha")."""
    out = []
    for lab in labels:
        name = label_name(lab)
        if not re.search(r"[^\W\d_]", name) or is_role_label(name):
            continue
        out.append(name)
        m = _USERNAME.match(name)
        if m:
            out.append(m.group("first"))
    return out


def _affiliation_names(turns) -> list[str]:
    """Names inside brackets after a label ("Hon. A. Rota" in ``The Chair (Hon. A. Rota (Nipissing))``)."""
    heads = {split_affiliation(t.affiliation)[0] for t in turns if t.affiliation}
    return [h for h in heads if label_strength(h) and not is_role_label(h) and not h.isupper()]


def _find_speaker(mapping: dict[str, dict], turn) -> dict | None:
    """The manifest entry for a turn's speaker: as written, with its bracket, or the same name without titles."""
    for label in (turn.speaker, f"{turn.speaker} ({turn.affiliation})" if turn.affiliation else ""):
        if label and _norm_label(label) in mapping:
            return mapping[_norm_label(label)]
    key = person_key(turn.speaker)
    if not key or is_role_label(turn.speaker):
        return None
    same = {rec["participant_id"]: rec for label, rec in mapping.items()
            if not is_role_label(label) and person_key(label) == key}
    return next(iter(same.values())) if len(same) == 1 else None


def _survey_region(answer: str, session_region: str, cfg: Config) -> str | None:
    """A survey answer's region: the one area it names (in any case, by a short form such as "Cambs",
    or by a town of that area: "Wisbech"), else the session's region from the manifest, else None."""
    from engagement.ingest.draft import areas_named

    answer = " ".join(answer.split())
    if answer:
        exact = cfg.canonical_region(answer)
        if exact:
            return exact
        named = areas_named(answer, list(cfg.regions), towns=False) or areas_named(answer, list(cfg.regions), towns=True)
        if len(named) == 1:
            return named[0]
    return cfg.canonical_region(session_region) if session_region else None


def ingest_session(row: dict, manifest: Manifest, cfg: Config) -> IngestedSession:
    """Read one session's file and resolve its speakers. Pure: writes nothing."""
    from engagement.ingest.readers import read_file

    path = row["path"]
    sid, kind = row["session_id"], row["kind"]
    survey_cols = survey_columns(pd.Series(row)) if kind == "survey" else None
    result = read_file(path, format=row.get("format") or None, encoding=row.get("encoding") or None,
                       survey_columns=survey_cols)
    if not result.turns:
        raise InputError("empty transcript: no speaker turns found", path=path)
    facilitators = [s.strip() for s in str(row.get("facilitators", "") or "").split(";") if s.strip()]
    observers = [s.strip() for s in str(row.get("observers", "") or "").split(";") if s.strip()]

    records, people = [], {}
    if kind == "survey":
        for i, t in enumerate(result.turns):
            region = _survey_region(str(t.meta.get("region") or ""), str(row.get("region") or ""), cfg)
            if region is None:
                # the answer is the respondent's own typing (a postcode, a village): never quoted
                raise InputError(f"the respondent's area is none of the configured regions ({', '.join(cfg.regions)}), "
                                 f"nor a short form or town of one: correct the answer, or give session {sid} a "
                                 f"region in sessions.csv for answers that name none", path=path, line=t.source_line)
            respondent = str(t.speaker).strip()
            if not respondent:
                raise InputError("empty respondent id", path=path, line=t.source_line)
            pid = f"{sid}-{respondent}"
            people.setdefault(pid, {"participant_id": pid, "session_id": sid, "region": region, "role": "respondent"})
            records.append({"participant_id": pid, "role": "respondent", "region": region, "speaker": respondent,
                            "question": str(t.meta.get("question") or ""), "raw": t, "index": i})
        known: list[str] = []
    else:
        mapping = _speaker_map(manifest, sid, facilitators, observers)
        for i, t in enumerate(result.turns):
            rec = _find_speaker(mapping, t)
            if rec is None:
                shown = (f"{t.speaker} ({t.affiliation})" if t.affiliation else t.speaker) or "(no speaker label)"
                raise InputError(f"unknown speaker label '{shown}': add it to participants.csv for session {sid} "
                                 f"or to the session's facilitators", path=path, line=t.source_line)
            pid = rec["participant_id"]
            attrs = {k: v for k, v in rec.items()
                     if k not in ("session_id", "speaker_label", "participant_id", "role", "line", "name") and v != ""}
            people.setdefault(pid, {"participant_id": pid, "session_id": sid, "region": row["region"],
                                    "role": rec["role"], **attrs})
            records.append({"participant_id": pid, "role": rec["role"], "region": row["region"],
                            "speaker": t.speaker, "question": "", "raw": t, "index": i})
        labels = manifest.participants.loc[manifest.participants["session_id"] == sid]
        known = names_from_labels([t.speaker for t in result.turns] + facilitators + observers)
        known += _affiliation_names(result.turns)
        known += list(result.names)   # a header's "Facilitator: Helen Baxter": "thanks, Helen" later is caught
        if "name" in labels:
            known += [n for n in labels["name"].tolist() if n]

    turns = pd.DataFrame({
        "session_id": sid,
        "turn_index": [r["index"] for r in records],
        "participant_id": [r["participant_id"] for r in records],
        "role": [r["role"] for r in records],
        "region": [r["region"] or None for r in records],
        "kind": kind,
        "start": [r["raw"].start for r in records],
        "end": [r["raw"].end for r in records],
        "text": [r["raw"].text for r in records],
        "flags": "",
        "source_line": [r["raw"].source_line for r in records],
        "question": [r["question"] for r in records],
    })
    turns["start"] = turns["start"].astype("float64")
    turns["end"] = turns["end"].astype("float64")
    session = {
        "session_id": sid, "region": row["region"] or None, "kind": kind, "date": row.get("date") or None,
        "source_file": str(row["file"]), "format": result.format, "encoding": result.encoding,
        "content_hash": sha256_file(path), "n_turns": len(turns),
        "n_words": int(turns["text"].str.count(r"\S+").sum()),
    }
    return IngestedSession(session, turns, pd.DataFrame(list(people.values())), tuple(sorted(set(known))),
                           result.format)
