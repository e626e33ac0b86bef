"""The store of human coding decisions, and how the code stage merges it (hand-made tables only)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from engagement.coding import human
from engagement.config import load_config
from engagement.errors import SchemaError
from tests.conftest import write_project

TEXTS = {"S1": "I want to be able to opt out.", "S2": "Hackers worry me.", "S3": "They sell it on."}


def decision(segment_id, code, decision="accept", coder="AB", coded_at="2026-12-01T10:00:00+00:00", text=None,
             theme="consent", note=""):
    return {"segment_id": segment_id, "code": code, "theme": theme, "decision": decision, "coder": coder,
            "coded_at": coded_at, "text_hash": human.text_hash(text if text is not None else TEXTS[segment_id]),
            "note": note, "sheet": "coding-all.xlsx"}


def table(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=human.HUMAN_COLUMNS)


def segments(texts=TEXTS) -> pd.DataFrame:
    return pd.DataFrame({"segment_id": list(texts), "text": list(texts.values())})


def test_text_hash_is_the_sha256_of_the_text():
    assert human.text_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_the_last_decision_per_segment_code_and_coder_wins_and_other_coders_are_kept():
    store = table(decision("S1", "consent_optout", "accept", coded_at="2026-12-01T10:00:00+00:00"),
                  decision("S1", "consent_optout", "accept", coder="CD"))
    new = table(decision("S1", "consent_optout", "reject", coded_at="2026-12-02T10:00:00+00:00"))
    merged = human.merge_decisions(store, new)
    assert merged[["coder", "decision"]].values.tolist() == [["AB", "reject"], ["CD", "accept"]]
    assert len(store) == 2 and store["decision"].tolist() == ["accept", "accept"]   # inputs untouched
    # an older decision arriving later does not undo a newer one; on a tie the new row wins
    old = table(decision("S1", "consent_optout", "accept", coded_at="2026-11-01T10:00:00+00:00"))
    assert human.merge_decisions(merged, old).equals(merged)
    same_time = table(decision("S1", "consent_optout", "accept", coded_at="2026-12-02T10:00:00+00:00"))
    again = human.merge_decisions(merged, same_time)
    assert again.set_index("coder").loc["AB", "decision"] == "accept"


def test_applied_decisions_become_one_human_coding_per_segment_and_code_naming_each_coder():
    store = table(decision("S1", "consent_optout", "accept"),
                  decision("S1", "consent_optout", "add", coder="CD", coded_at="2026-12-03T09:00:00+00:00"),
                  decision("S2", "security_breach", "add", theme="security"),
                  decision("S3", "commercial_selling", "reject", theme="commercial"))
    codings, stale = human.human_codings(store, segments())
    assert codings.to_dict("records") == [
        {"segment_id": "S1", "code": "consent_optout", "theme": "consent", "source": "human",
         "evidence": "coded by AB on 2026-12-01, CD on 2026-12-03", "score": 1.0},
        {"segment_id": "S2", "code": "security_breach", "theme": "security", "source": "human",
         "evidence": "coded by AB on 2026-12-01", "score": 1.0},
    ]                                                                    # the rejection is not a coding
    assert stale.empty and list(stale.columns) == human.STALE_COLUMNS


def test_decisions_on_changed_or_vanished_segments_are_stale_rejections_included():
    store = table(decision("S1", "consent_optout"), decision("S2", "security_breach", "reject"),
                  decision("S9", "consent_control", text="gone"))
    codings, stale = human.human_codings(store, segments({**TEXTS, "S2": "Hackers worry me a lot."}))
    assert codings["segment_id"].tolist() == ["S1"]
    assert stale[["segment_id", "decision", "reason"]].values.tolist() == [
        ["S2", "reject", "segment text changed"], ["S9", "accept", "segment no longer exists"]]
    line = human.describe_stale(stale)
    assert line.startswith("2 human coding decision(s) not applied") and "S2, S9" in line and "\n" not in line
    assert human.describe_stale(stale.iloc[:0]) == ""


def test_with_the_codebook_a_coding_takes_its_current_theme_and_a_removed_code_is_stale():
    store = table(decision("S1", "consent_optout", theme="old_theme"), decision("S2", "retired_code", "add"))
    codings, stale = human.human_codings(store, segments(), {"consent_optout": "consent"})
    assert codings[["code", "theme"]].values.tolist() == [["consent_optout", "consent"]]
    assert stale[["code", "reason"]].values.tolist() == [["retired_code", "code not in the codebook"]]


def reviewed(segment_id, coder="AB", **kw):
    return decision(segment_id, human.REVIEWED_CODE, human.REVIEWED, coder=coder, theme="", **kw)


def test_a_reviewed_mark_is_never_a_coding_and_is_stale_like_any_decision():
    store = table(reviewed("S1", note="nothing to code here"), decision("S2", "security_breach", "add"),
                  reviewed("S2"), reviewed("S9", text="gone"))
    codings, stale = human.human_codings(store, segments(), {"security_breach": "security"})
    assert codings[["segment_id", "code"]].values.tolist() == [["S2", "security_breach"]]
    # a vanished segment's mark is reported, and '-' is never "not in the codebook"
    assert stale[["segment_id", "code", "decision", "reason"]].values.tolist() == [
        ["S9", "-", "reviewed", "segment no longer exists"]]


def test_reviewed_segments_are_the_live_segments_a_coder_decided_anything_on():
    store = table(reviewed("S1"),                                              # looked, no code
                  decision("S2", "security_breach", "reject", coder="CD"),      # a rejection: reviewed too
                  decision("S3", "commercial_selling", "add"), reviewed("S3"),  # one row per segment and coder
                  reviewed("S2", text="Hackers worried me."),                   # text changed since: no
                  reviewed("S9", text="gone"))                                  # segment vanished: no
    out = human.reviewed_segments(store, segments())
    assert list(out.columns) == ["segment_id", "coder"]
    assert out.values.tolist() == [["S1", "AB"], ["S2", "CD"], ["S3", "AB"]]
    assert human.reviewed_segments(human.empty_store(), segments()).empty


def test_a_reviewed_mark_replaces_the_earlier_mark_of_the_same_coder():
    first = table(reviewed("S1", note="first look"))
    again = table(reviewed("S1", coded_at="2026-12-02T10:00:00+00:00", note="second look"))
    merged = human.merge_decisions(first, again)
    assert merged[["segment_id", "coder", "note"]].values.tolist() == [["S1", "AB", "second look"]]


@pytest.mark.parametrize("change, message", [
    ({"decision": "maybe"}, "unknown decision"),
    ({"text_hash": "abc"}, "sha256"),
    ({"coder": " "}, "empty 'coder'"),
    ({"decision": "reviewed"}, "takes the code '-'"),
    ({"code": "-"}, "takes the code '-'"),
])
def test_a_malformed_store_is_refused(change, message):
    with pytest.raises(SchemaError, match=message):
        human.check_store(table({**decision("S1", "consent_optout"), **change}))
    with pytest.raises(SchemaError, match="missing column"):
        human.check_store(table(decision("S1", "consent_optout")).drop(columns="coder"))


@pytest.fixture
def cfg(tmp_path):
    return load_config(write_project(tmp_path / "project") / "engagement.yaml")


def test_the_store_is_written_atomically_in_an_owner_only_folder_and_read_back(cfg):
    assert human.load_human_codings(cfg).empty
    store = human.record_decisions(cfg, table(decision("S1", "consent_optout")))
    path = human.store_path(cfg)
    assert path == cfg.processed_dir / "human" / "codings.parquet"
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    assert human.load_human_codings(cfg).equals(store)
    assert not list(path.parent.glob("*.tmp"))


def hand_segments():
    from engagement.coding.codebook import segments_from_texts

    return segments_from_texts(["I want to be able to opt out of sharing.", "Hackers worry me.",
                                "The weather was nice."], session_id="ESX-FG1")


def test_the_code_stage_merges_human_codings_after_its_cache_and_reports_stale_ones(cfg):
    from engagement.coding.run import HumanCodingsWarning, run_coding
    from engagement.io import read_table, write_table

    segs = hand_segments()
    write_table(segs, "segments", cfg.table_path("segments"))
    first = run_coding(cfg, topics=False, semantic=False)
    assert first.summary["human_codings"] == 0 and first.summary["human_stale"] == []
    entries = sorted(p.name for p in (cfg.cache_dir / "coding").iterdir())
    ids = segs["segment_id"].tolist()
    human.record_decisions(cfg, table(
        decision(ids[2], "consent_control", "add", text=segs["text"][2]),
        decision(ids[1], "security_breach", "reject", theme="security", text=segs["text"][1])))
    second = run_coding(cfg, topics=False, semantic=False)
    assert sorted(p.name for p in (cfg.cache_dir / "coding").iterdir()) == entries   # same rules cache key
    codings = read_table("codings", cfg.table_path("codings"))
    mine = codings[codings["source"] == "human"]
    assert mine[["segment_id", "code"]].values.tolist() == [[ids[2], "consent_control"]]
    assert len(codings) == len(first.tables["codings"]) + 1
    summary = json.loads((cfg.processed_dir / "code_summary.json").read_text())
    assert summary["human_codings"] == 1 and summary["human_stale"] == [] == second.summary["human_stale"]

    stored = human.store_path(cfg).read_bytes()
    changed = segs.copy()
    changed.loc[2, "text"] = "The weather was nice, mostly."      # re-prepared: the added code no longer applies
    changed.loc[1, "text"] = "Hackers worry me a lot."             # and the rejection is stale too
    write_table(changed, "segments", cfg.table_path("segments"))
    with pytest.warns(HumanCodingsWarning, match=r"2 human coding decision\(s\) not applied"):
        third = run_coding(cfg, topics=False, semantic=False)
    assert {(s["segment_id"], s["decision"], s["reason"]) for s in third.summary["human_stale"]} == {
        (ids[2], "add", "segment text changed"), (ids[1], "reject", "segment text changed")}
    assert third.summary["human_codings"] == 0
    assert (third.tables["codings"]["source"] != "human").all()
    assert human.store_path(cfg).read_bytes() == stored


def test_prune_moves_decisions_on_changed_or_vanished_segments_to_a_dated_csv(cfg):
    from datetime import datetime, timezone

    store = human.record_decisions(cfg, table(
        decision("S1", "consent_optout"), reviewed("S1"),
        decision("S2", "security_breach", "reject", theme="security", note="=not a formula"),
        decision("S9", "consent_control", text="gone"), reviewed("S9", text="gone"),
        decision("S3", "retired_code")))                        # a code the codebook lost is kept
    segs = segments({**TEXTS, "S2": "Hackers worry me a lot."})
    path, before = human.store_path(cfg), human.store_path(cfg).read_bytes()
    when = datetime(2026, 12, 1, 15, 30, tzinfo=timezone.utc)

    dry = human.prune_stale(cfg, dry_run=True, segments=segs, now=when)
    assert (dry.removed, dry.kept, dry.backup) == (3, 3, None)
    assert dry.reasons == {"segment no longer exists": 2, "segment text changed": 1}
    assert path.read_bytes() == before and sorted(p.name for p in path.parent.iterdir()) == ["codings.parquet"]
    assert dry.line().startswith("would prune 3 stale decision(s)") and "nothing written" in dry.line()

    done = human.prune_stale(cfg, segments=segs, now=when)
    assert done.backup == path.parent / "pruned-2026-12-01T153000Z.csv"
    assert (done.backup.stat().st_mode & 0o777) == 0o600
    left = human.load_human_codings(cfg)
    assert sorted(zip(left["segment_id"], left["code"])) == [("S1", "-"), ("S1", "consent_optout"),
                                                              ("S3", "retired_code")]
    saved = pd.read_csv(done.backup, dtype=str, keep_default_na=False)
    assert sorted(zip(saved["segment_id"], saved["code"], saved["reason"])) == [
        ("S2", "security_breach", "segment text changed"), ("S9", "-", "segment no longer exists"),
        ("S9", "consent_control", "segment no longer exists")]
    # nothing lost: the backup merges back into what is left and gives the store as it was
    restored = human.merge_decisions(left, saved.drop(columns="reason"))
    assert restored.equals(human.merge_decisions(human.empty_store(), store))
    line = done.line()
    assert line == (f"pruned 3 stale decision(s) from {path} (2 segment no longer exists, 1 segment text changed); "
                    f"saved to {done.backup}; 3 kept") and "\n" not in line

    again = human.prune_stale(cfg, segments=segs, now=when)      # nothing stale left: nothing written
    assert (again.removed, again.backup) == (0, None) and again.line() == f"no stale decisions in {path}; 3 kept"
    # a second prune in the same second never overwrites the first backup
    human.record_decisions(cfg, table(decision("S9", "consent_optout", text="gone")))
    third = human.prune_stale(cfg, segments=segs, now=when)
    assert third.backup.name == "pruned-2026-12-01T153000Z-2.csv" and done.backup.is_file()


def test_prune_refuses_a_project_without_segments(cfg):
    from engagement.errors import InputError

    human.record_decisions(cfg, table(decision("S1", "consent_optout")))
    before = human.store_path(cfg).read_bytes()
    with pytest.raises(InputError, match="no segments table; run 'engagement prepare'"):
        human.prune_stale(cfg)
    assert human.store_path(cfg).read_bytes() == before
