"""The Dask engine gives the local engine's tables, row for row, on a LocalCluster with 2 workers.

The study is a part of the bundled sample (docx, srt and the survey, a withdrawn participant),
run with small pieces and batches so that sessions are split across workers.
"""

from __future__ import annotations

import csv
import os
import shutil

import pandas as pd
import pytest

from engagement.config import load_config
from engagement.engine import open_engine
from engagement.errors import ConfigError, InputError
from tests.conftest import REPO

SAMPLE = REPO / "data" / "raw" / "sample"
SESSIONS = ("ESX-FG2", "ESX-INT2", "SFK-INT1", "SURVEY-2026")
SURVEY_ANSWERS = 120
WITHDRAWN = "ESX-INT2-P01"


def _study(root, *, extra: str = ""):
    """A project of four sample sessions (the survey cut to its first answers), one participant withdrawn."""
    raw = root / "raw"
    raw.mkdir(parents=True)
    with open(SAMPLE / "sessions.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["session_id"] in SESSIONS]
    for r in rows:
        (raw / r["file"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / r["file"], raw / r["file"])
        if r["kind"] == "survey":
            lines = (SAMPLE / r["file"]).read_text(encoding="utf-8").splitlines(keepends=True)
            (raw / r["file"]).write_text("".join(lines[:SURVEY_ANSWERS + 1]), encoding="utf-8")
    for name, keep in (("sessions.csv", rows), ("participants.csv", None)):
        with open(SAMPLE / name, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            data = keep or [r for r in reader if r["session_id"] in SESSIONS]
            fields = reader.fieldnames
        with open(raw / name, "w", newline="", encoding="utf-8") as fh:
            out = csv.DictWriter(fh, fieldnames=fields)
            out.writeheader()
            out.writerows(data)
    shutil.copy(SAMPLE / "deny_list.txt", raw / "deny_list.txt")
    (raw / "withdrawals.csv").write_text(f"participant_id,date,note\n{WITHDRAWN},2026-03-20,withdrew\n")
    (root / "engagement.yaml").write_text(
        "project: engine test\nraw_dir: raw\nprocessed_dir: processed-local\nsegmentation: blank\n"
        "topics:\n  embedding: tfidf\n  min_topic_size: 5\n" + extra, encoding="utf-8")
    return root / "engagement.yaml"


@pytest.fixture(scope="module")
def cluster():
    with open_engine("dask", workers=2) as engine:
        yield engine


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return _study(tmp_path_factory.mktemp("engine"))


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    cols = list(df.columns)
    return df.astype(str).sort_values(cols).reset_index(drop=True)


def _same_tables(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert len(a[name]) == len(b[name]), name
        pd.testing.assert_frame_equal(_sorted(a[name]), _sorted(b[name]), obj=name)


@pytest.fixture(scope="module")
def prepared(study, cluster):
    """prepare on both engines, with sessions in pieces of 40 turns (the survey is split)."""
    import importlib

    stage = importlib.import_module("engagement.prepare")

    mp = pytest.MonkeyPatch()
    mp.setattr(stage, "CHUNK_TURNS", 40)
    try:
        local = stage.prepare(load_config(study))
        on_dask = stage.prepare(load_config(study, processed_dir="processed-dask"), engine=cluster)
    finally:
        mp.undo()
    return local, on_dask


def test_prepare_on_dask_writes_the_local_engines_tables(prepared, study):
    local, on_dask = prepared
    _same_tables(local.tables, on_dask.tables)
    for name in ("turns", "segments", "redactions"):
        assert (study.parent / "processed-dask" / f"{name}.parquet").is_file()
    assert on_dask.summary == local.summary


def test_prepare_on_dask_numbers_placeholders_as_the_local_engine(prepared):
    local, on_dask = prepared
    text = lambda r: " ".join(r.tables["turns"].sort_values(["session_id", "turn_index"])["text"])  # noqa: E731
    assert "[PERSON_1]" in text(local) and text(local) == text(on_dask)


def test_a_withdrawn_participant_is_gone_on_dask_too(prepared):
    _, on_dask = prepared
    for name, df in on_dask.tables.items():
        if "participant_id" in df:
            assert not (df["participant_id"] == WITHDRAWN).any(), name
    assert on_dask.summary["withdrawal"]["participants_removed"] == 1
    assert on_dask.summary["withdrawal"]["turns_removed"] > 0


def test_code_on_dask_writes_the_local_engines_tables(prepared, study, cluster):
    import importlib

    run = importlib.import_module("engagement.coding.run")

    mp = pytest.MonkeyPatch()
    mp.setattr(run, "CODE_BATCH", 100)   # several batches, each of whole sessions
    try:
        # topics are fitted centrally on either engine: left out to keep the test short
        local = run.run_coding(load_config(study), topics=False)
        on_dask = run.run_coding(load_config(study, processed_dir="processed-dask"), engine=cluster, topics=False)
    finally:
        mp.undo()
    _same_tables(local.tables, on_dask.tables)
    assert local.summary == on_dask.summary and local.summary["rule_codings"] > 0


def test_code_on_worker_processes_writes_the_one_process_tables(prepared, study):
    """The coding batches (rules, semantic layer, stance) on two worker processes: the same tables."""
    import importlib

    from engagement.engine import ProcessEngine

    run = importlib.import_module("engagement.coding.run")
    for folder in ("processed-code-one", "processed-code-pool"):   # the prepared tables, no caches
        (study.parent / folder).mkdir(exist_ok=True)
        for table in (study.parent / "processed-local").glob("*.parquet"):
            shutil.copy(table, study.parent / folder / table.name)
    mp = pytest.MonkeyPatch()
    mp.setattr(run, "CODE_BATCH", 100)
    pool = ProcessEngine(2)
    try:
        one = run.run_coding(load_config(study, processed_dir="processed-code-one", topics={"embedding": "minilm"}),
                             topics=False, semantic=True)
        pooled = run.run_coding(load_config(study, processed_dir="processed-code-pool",
                                            topics={"embedding": "minilm"}), topics=False, semantic=True, engine=pool)
    finally:
        pool.close()
        mp.undo()
    _same_tables(one.tables, pooled.tables)
    assert one.summary["rule_codings"] > 0 and one.summary["semantic_codings"] > 0
    assert one.summary == pooled.summary


def test_an_input_error_on_a_worker_names_the_file_and_writes_nothing(tmp_path, cluster):
    from engagement.prepare import prepare

    cfg_path = _study(tmp_path)
    broken = tmp_path / "raw" / "transcripts" / "ESX-INT2.srt"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n99\n00:59:00,000 --> 00:59:02,000\n"
                      "STRANGER: who am I?\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        prepare(load_config(cfg_path), engine=cluster)
    assert "ESX-INT2.srt" in str(err.value) and "STRANGER" in str(err.value)
    assert not (tmp_path / "processed-local").exists() or not any((tmp_path / "processed-local").glob("*.parquet"))


def test_workers_run_offline(cluster):
    assert cluster.map(os.getenv, ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"]) == ["1", "1"]
    assert cluster.n_workers == 2


def test_prepare_on_worker_processes_writes_the_one_process_tables(prepared, study):
    """``n_process: 2`` (as ``auto`` chooses on a big corpus): the detector and segmenter on two workers."""
    import importlib

    stage = importlib.import_module("engagement.prepare")
    local, _ = prepared
    mp = pytest.MonkeyPatch()
    mp.setattr(stage, "CHUNK_TURNS", 40)
    try:
        pooled = stage.prepare(load_config(study, processed_dir="processed-pool", n_process=2))
    finally:
        mp.undo()
    _same_tables(local.tables, pooled.tables)
    text = lambda r: " ".join(r.tables["turns"].sort_values(["session_id", "turn_index"])["text"])  # noqa: E731
    assert text(local) == text(pooled)   # placeholders numbered in the same order
    assert pooled.summary == local.summary


def _fail_on_b(x: str) -> str:
    if x in ("b", "c"):
        raise InputError(f"{x}.txt, line 2: cannot read")
    return x.upper()


def test_worker_processes_keep_the_order_and_raise_the_first_items_error():
    from engagement.engine import ProcessEngine

    pool = ProcessEngine(2)
    try:
        assert pool.map(str.upper, ["b", "a", "c"]) == ["B", "A", "C"]
        assert pool.map(os.getenv, ["HF_HUB_OFFLINE"]) == ["1"]
        with pytest.raises(InputError, match="b.txt, line 2"):
            pool.map(_fail_on_b, ["a", "b", "c"])
    finally:
        pool.close()


def test_an_unknown_engine_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown engine"):
        with open_engine("spark"):
            pass


def test_the_local_engine_keeps_the_items_order():
    with open_engine("local") as engine:
        assert engine.map(str.upper, ["b", "a"]) == ["B", "A"]


def test_a_big_table_is_written_in_row_groups_and_reads_back_the_same(tmp_path):
    import pyarrow.parquet as pq

    from engagement.io import write_parquet

    df = pd.DataFrame({"segment_id": [f"S-{i:05d}" for i in range(250)], "n_words": range(250),
                       "note": [None] * 120 + ["x"] * 130})
    write_parquet(df, tmp_path / "big.parquet", row_group_rows=100)
    df.to_parquet(tmp_path / "plain.parquet", index=False)
    assert pq.ParquetFile(tmp_path / "big.parquet").num_row_groups == 3
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "big.parquet"), pd.read_parquet(tmp_path / "plain.parquet"))


def test_the_embedding_cache_fills_in_shards_that_several_writers_can_add(tmp_path):
    import numpy as np

    from engagement.coding.embeddings import EmbeddingCache

    first, second = EmbeddingCache(tmp_path, "m"), EmbeddingCache(tmp_path, "m")   # two workers
    k1, _ = first.lookup(["a", "b"])
    k2, _ = second.lookup(["c"])
    first.add(k1, np.eye(2, 3, dtype=np.float32))
    second.add(k2, np.ones((1, 3), dtype=np.float32))
    first.save()
    second.save()
    again = EmbeddingCache(tmp_path, "m")
    keys, missing = again.lookup(["c", "a", "b"])
    assert missing == [] and len(list(tmp_path.glob("*.npz"))) == 2
    assert np.allclose(again.get(keys), [[1, 1, 1], [1, 0, 0], [0, 1, 0]])
    again.compact()
    assert len(list(tmp_path.glob("*.npz"))) == 1
    assert np.allclose(EmbeddingCache(tmp_path, "m").get(keys), again.get(keys))


def test_spacy_runs_in_one_process_for_small_runs_and_follows_the_config(study):
    from engagement.prepare import spacy_settings

    cfg = load_config(study)
    assert spacy_settings(cfg, 10_000, batch_size=64) == (1, 64)
    assert spacy_settings(cfg.with_overrides(n_process=3, spacy_batch_size=32), 10, batch_size=64) == (3, 32)
    n, b = spacy_settings(cfg, 50_000_000, batch_size=64)
    assert 1 <= n <= 4 and b == (64 if n == 1 else 128)
