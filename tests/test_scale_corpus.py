"""The scale benchmark's corpus: the size asked for, no sentence twice, and a project the suite reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import scale_corpus  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale")
    return folder, scale_corpus.build_corpus(folder, 3000, seed=7)


def test_corpus_has_the_requested_number_of_words_within_a_few_percent(corpus):
    folder, built = corpus
    counted = sum(len(t.split()) for t in scale_corpus.corpus_texts(folder))
    assert counted == built.words
    assert abs(built.words - 3000) / 3000 < 0.03


def test_no_sentence_occurs_twice_in_the_corpus(corpus):
    folder, built = corpus
    assert scale_corpus.check_no_repeats(folder) == built.sentences


def test_a_repeated_sentence_is_caught(tmp_path):
    scale_corpus.build_corpus(tmp_path, 1500, seed=3)
    path = sorted((tmp_path / "raw" / "transcripts").glob("*.txt"))[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(lines + [lines[0]]), encoding="utf-8")
    with pytest.raises(AssertionError, match="repeated"):
        scale_corpus.check_no_repeats(tmp_path)


def test_same_seed_gives_the_same_corpus_and_another_seed_another(tmp_path):
    a = scale_corpus.build_corpus(tmp_path / "a", 1500, seed=5)
    b = scale_corpus.build_corpus(tmp_path / "b", 1500, seed=5)
    c = scale_corpus.build_corpus(tmp_path / "c", 1500, seed=6)
    assert scale_corpus.corpus_texts(tmp_path / "a") == scale_corpus.corpus_texts(tmp_path / "b")
    assert scale_corpus.corpus_texts(tmp_path / "a") != scale_corpus.corpus_texts(tmp_path / "c")
    assert a.words == b.words


def test_corpus_covers_the_five_areas_focus_groups_interviews_and_planted_details(tmp_path):
    built = scale_corpus.build_corpus(tmp_path, 40_000, seed=2)
    sessions = pd.read_csv(tmp_path / "raw" / "sessions.csv")
    assert set(sessions["region"].dropna()) == set(scale_corpus.REGIONS)
    assert {"focus_group", "interview"} <= set(sessions["kind"])
    assert built.planted["name"] > 0 and built.planted["phone"] > 0


def test_engagement_prepare_reads_the_corpus(corpus, tmp_path):
    folder, built = corpus
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYTHONHASHSEED": "0", "PATH": str(Path(sys.executable).parent)}
    if os.environ.get("PYTHONPATH"):   # e.g. a snapshot of the committed package
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    done = subprocess.run([sys.executable, "-m", "engagement.cli", "--config", str(folder / "engagement.yaml"),
                           "prepare", "--quiet"], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    turns = pd.read_parquet(folder / "processed" / "turns.parquet")
    assert set(turns["region"]) == set(pd.read_csv(folder / "raw" / "sessions.csv")["region"].dropna()) | (
        set(turns.loc[turns["kind"] == "survey", "region"]))
    # placeholders and filler removal change the count a little, never by much
    assert abs(int(turns["n_words"].sum()) - built.words) / built.words < 0.05
    assert "personal details replaced" in done.stdout
    assert len(pd.read_parquet(folder / "processed" / "redactions.parquet")) > 0
