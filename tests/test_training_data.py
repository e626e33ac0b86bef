"""The learned layer's training sets: rebuilt from the development references, never from a held-out one."""

from __future__ import annotations

import importlib.util
import sys

import pandas as pd
import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("build_training", REPO / "tools" / "build_training.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_committed_training_sets_are_what_the_tool_builds_from_the_references(tool):
    for name, table in tool.build().items():
        committed = pd.read_csv(tool.DATA / name, dtype=str, keep_default_na=False)
        assert committed.equals(table), f"{name} differs from a rebuild: run python tools/build_training.py"


def test_no_training_utterance_shares_six_words_in_a_row_with_a_held_out_reference(tool):
    held = tool.held_out_shingles()
    assert held   # the held-out references are there to be kept apart from
    for name in ("stance_training.csv", "code_training.csv"):
        texts = pd.read_csv(tool.DATA / name, dtype=str, keep_default_na=False)["text"]
        assert not [t for t in texts if tool.shingles(t) & held], name


def test_the_code_thresholds_development_sets_are_not_learned_from(tool):
    sources = pd.read_csv(tool.DATA / "code_training.csv", dtype=str, keep_default_na=False)["source"]
    assert not sources.str.match(r"dev2?:").any()   # dev and dev2 choose the thresholds


def test_a_planted_overlap_is_left_out(tool, tmp_path):
    import shutil

    for path in (REPO / "benchmarks" / "reference").glob("*_reference.csv"):
        shutil.copy(path, tmp_path / path.name)
    dev9 = pd.read_csv(tmp_path / "dev9_reference.csv", dtype=str, keep_default_na=False)
    blind = pd.read_csv(tmp_path / "blind4_reference.csv", dtype=str, keep_default_na=False)
    dev9.loc[0, "text"] = "Honestly, " + blind.loc[0, "text"]   # a held-out utterance, reworded at the edges
    dev9.to_csv(tmp_path / "dev9_reference.csv", index=False)
    built = tool.build(tmp_path)
    assert dev9.loc[0, "text"] not in set(built["stance_training.csv"]["text"])
    assert len(built["stance_training.csv"]) == len(tool.build()["stance_training.csv"]) - 1
