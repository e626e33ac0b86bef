"""Benchmark: prepare's throughput against bare spaCy on the same text, in the same run.

Prints words per second for `prepare` (read + clean + de-identify + segment, cold caches) and for
bare spaCy `nlp.pipe` with the same components (the full bundled pipeline: tok2vec, tagger, parser,
attribute_ruler, lemmatizer, ner) over the same turn texts, and their ratio (target >= 0.8).
Runs on the bundled sample and, when ../shared/data/fft is present, on the FFT survey file.

    python benchmarks/bench_prepare.py [--fast] [--repeat N]
"""

from __future__ import annotations

import argparse
import shutil
import sys
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fast", action="store_true", help="also measure the fast (sentencizer) mode")
    ap.add_argument("--no-fft", action="store_true")
    args = ap.parse_args()
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
