"""Benchmark: prepare's throughput against bare spaCy on the same text, in the same run.

Prints words per second for `prepare` (read + clean + de-identify + segment, cold caches) and for
bare spaCy `nlp.pipe` with the same components (the full bundled pipeline: tok2vec, tagger, parser,
attribute_ruler, lemmatizer, ner) over the same turn texts, and their ratio (target >= 0.8).
Runs on the bundled sample and, when ../shared/data/fft is present, on the FFT survey file.

``--old REV``: prepare as it was at commit REV (a ``git archive`` snapshot) against the working
tree's, on the FFT survey, each in its own process with models loaded before the clock starts,
in the same run; prints both times and the ratio old/new (target >= 1: not slower).

``--engines WORDS``: the working tree's prepare on the local engine and on a Dask LocalCluster
(2 workers, started before the clock) on a generated study of about WORDS words
(:mod:`scale_corpus`, no sentence repeated), cold caches, in the same run.

Last run of ``--old 6d2a86f`` (2026-12-01, 2 cores shared with other jobs, load average 10-15):
FFT survey, 90,180 words, 8,995 segments on both (tables not compared here); old 41.2 cpu s, new 40.5 cpu s (ratio
1.02); wall 324.9 s vs 102.2 s, which says more about the machine's load than about the code (an
earlier ``--repeat 2`` run gave wall ratios 0.69 and, before it, 3.29). A later pair of the same
two runs, kept and compared table by table: all five tables identical; old 85.9 s / 43.0 cpu s,
new 85.5 s / 41.7 cpu s.

    python benchmarks/bench_prepare.py [--fast] [--no-fft]
    python benchmarks/bench_prepare.py --old REV [--segmentation model|fast]
    python benchmarks/bench_prepare.py --engines 300000 [--segmentation model|fast]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
FFT = REPO.parent / "shared" / "data" / "fft" / "fft_comments.csv"
sys.path.insert(0, str(REPO))


def _fft_project(folder: Path) -> Path:
    raw = folder / "raw"
    raw.mkdir(parents=True)
    shutil.copy(FFT, raw / "fft_comments.csv")
    (raw / "sessions.csv").write_text(
        "session_id,file,region,kind,date,facilitators,respondent_column,text_column,region_column,date_column\n"
        "FFT,fft_comments.csv,,survey,,,comment_id,answer,trust,date\n")
    (raw / "participants.csv").write_text("session_id,speaker_label,participant_id,role\n")
    cfg = folder / "engagement.yaml"
    cfg.write_text("project: fft\nraw_dir: raw\nprocessed_dir: processed\nregions: [NEAS, NHFT]\n")
    return cfg


def _time_prepare(cfg_path: Path | None, processed: Path, segmentation: str) -> tuple[float, int, list[str]]:
    from engagement.config import load_config
    from engagement.prepare import prepare

    cfg = load_config(cfg_path, processed_dir=str(processed), segmentation=segmentation)
    start = time.perf_counter()
    result = prepare(cfg, write=True)
    seconds = time.perf_counter() - start
    turns = pd.read_parquet(processed / "turns.parquet")
    return seconds, int(turns["n_words"].sum()), turns["text"].tolist()


def _time_spacy(texts: list[str]) -> tuple[float, int]:
    from engagement.ingest.spacy_model import load_spacy

    nlp = load_spacy()
    list(nlp.pipe(texts[:50]))  # warm-up, as prepare's model load is outside its words/s too
    start = time.perf_counter()
    n = 0
    for doc in nlp.pipe(texts, batch_size=64):
        n += sum(1 for t in doc if not (t.is_punct or t.is_space))
    return time.perf_counter() - start, n


def _warm_models(segmentation: str) -> None:
    """Load both spaCy pipelines prepare uses (they are cached per process), outside the timing."""
    from engagement.ingest.spacy_model import load_spacy, ner_only_exclusions
    from engagement.ingest.segment import segmentation_pipeline

    segmentation_pipeline(segmentation)
    load_spacy(exclude=ner_only_exclusions())
    # pandera registers its backends on first use (~0.5 s of imports): one-time, like a model load
    from engagement.schemas import validate

    validate(pd.DataFrame({"segment_id": ["a"], "stance": ["neutral"], "score": [0.0], "cues": [""]}), "stance")


def run(name: str, cfg_path: Path | None, segmentation: str) -> dict:
    _warm_models(segmentation)
    with tempfile.TemporaryDirectory() as tmp:
        seconds, words, texts = _time_prepare(cfg_path, Path(tmp) / "processed", segmentation)
    base_seconds, _ = _time_spacy([t for t in texts if t])
    ours = words / seconds
    bare = words / base_seconds
    return {"corpus": name, "segmentation": segmentation, "words": words, "prepare_s": round(seconds, 1),
            "prepare_words_per_s": round(ours), "spacy_pipe_s": round(base_seconds, 1),
            "spacy_words_per_s": round(bare), "ratio": round(ours / bare, 2)}


_TIMED = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from engagement.config import load_config
from engagement.ingest.segment import segmentation_pipeline
from engagement.ingest.spacy_model import load_spacy, ner_only_exclusions
from engagement.prepare import prepare
import engagement
assert engagement.__file__.startswith(sys.argv[1]), engagement.__file__
cfg = load_config(sys.argv[2], processed_dir=sys.argv[3], segmentation=sys.argv[4])
segmentation_pipeline(sys.argv[4]); load_spacy(exclude=ner_only_exclusions())
kwargs, engine = {}, None
if sys.argv[5] == "dask":
    from engagement.engine import DaskEngine
    engine = DaskEngine(workers=2)
    kwargs["engine"] = engine
import resource
cpu0 = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
result = prepare(cfg, **kwargs)
seconds = time.perf_counter() - start
cpu1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
if engine is not None:
    engine.close()
print(json.dumps({"seconds": seconds, "cpu": cpu, "words": result.summary["words"],
                  "segments": result.summary["segments"]}))
"""


def _timed_prepare(src: Path, cfg: Path, processed: Path, segmentation: str, engine: str = "local") -> dict:
    """prepare from the package at ``src``, in a fresh process; models loaded before the clock."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ENGAGEMENT_PROGRESS": "0"}
    proc = subprocess.run([sys.executable, "-c", _TIMED, str(src), str(cfg), str(processed), segmentation, engine],
                          capture_output=True, text=True, env=env)
    if proc.returncode:
        raise SystemExit(f"prepare from {src} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _snapshot(rev: str, dest: Path) -> Path:
    data = subprocess.run(["git", "-C", str(REPO), "archive", rev, "engagement"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def compare_old(rev: str, segmentation: str, repeat: int = 1) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cfg = _fft_project(tmp / "fft")
        old = _snapshot(rev, tmp / "old")
        rows = []
        for k in range(repeat):   # alternated, so a change in the machine's load hits both
            for name, src in (("old " + rev, old), ("new (tree)", REPO)):
                got = _timed_prepare(src, cfg, tmp / f"processed-{len(rows)}", segmentation)
                rows.append({"code": name, "round": k + 1, "corpus": "FFT survey", "segmentation": segmentation,
                             "words": got["words"], "segments": got["segments"], "prepare_s": round(got["seconds"], 1),
                             "cpu_s": round(got["cpu"], 1), "words_per_s": round(got["words"] / got["seconds"])})
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    best = table.groupby("code")[["prepare_s", "cpu_s"]].min()
    old_key = "old " + rev
    print(f"ratio old/new, best of {repeat} each: wall {best.at[old_key, 'prepare_s'] / best.at['new (tree)', 'prepare_s']:.2f}, "
          f"cpu {best.at[old_key, 'cpu_s'] / best.at['new (tree)', 'cpu_s']:.2f} (target >= 1: not slower; "
          f"cpu seconds of the process are less disturbed by other jobs on the machine than wall time)")


def compare_engines(words: int, segmentation: str) -> None:
    from scale_corpus import build_corpus

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = build_corpus(tmp / "study", words)
        rows = []
        for engine in ("local", "dask"):
            got = _timed_prepare(REPO, corpus.config, tmp / f"processed-{engine}", segmentation, engine)
            rows.append({"engine": engine, "words": got["words"], "segments": got["segments"],
                         "segmentation": segmentation, "prepare_s": round(got["seconds"], 1),
                         "words_per_s": round(got["words"] / got["seconds"])})
        same = all(pd.read_parquet(tmp / "processed-local" / f"{t}.parquet").equals(
            pd.read_parquet(tmp / "processed-dask" / f"{t}.parquet")) for t in ("turns", "segments", "redactions"))
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"dask (2 workers, LocalCluster) / local time: {rows[1]['prepare_s'] / rows[0]['prepare_s']:.2f}; "
          f"turns, segments, redactions identical: {same}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fast", action="store_true", help="also measure the fast (sentencizer) mode")
    ap.add_argument("--no-fft", action="store_true")
    ap.add_argument("--old", metavar="REV", help="compare prepare at REV with the working tree on the FFT survey")
    ap.add_argument("--engines", type=int, metavar="WORDS", help="local vs dask on a generated study of WORDS words")
    ap.add_argument("--segmentation", default="model", choices=("model", "fast"))
    ap.add_argument("--repeat", type=int, default=1, help="with --old: rounds, alternating old and new")
    args = ap.parse_args()
    if args.old:
        return compare_old(args.old, args.segmentation, args.repeat)
    if args.engines:
        sys.path.insert(0, str(REPO / "benchmarks"))
        return compare_engines(args.engines, args.segmentation)
    rows = [run("sample", REPO / "engagement.yaml", "model")]
    if args.fast:
        rows.append(run("sample", REPO / "engagement.yaml", "fast"))
    if FFT.is_file() and not args.no_fft:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = _fft_project(Path(tmp))
            rows.append(run("FFT survey (7,406 answers)", cfg, "model"))
            if args.fast:
                rows.append(run("FFT survey (7,406 answers)", cfg, "fast"))
    table = pd.DataFrame(rows)
    print("prepare throughput vs bare spaCy nlp.pipe (same text, same run; model loading excluded on both sides)")
    print(table.to_string(index=False))
    print("target: ratio >= 0.8")


if __name__ == "__main__":
    main()
