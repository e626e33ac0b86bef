"""The examples in the package's docstrings run and print what they say.

A module's docstring is the first thing a researcher reads; an example there that no longer holds
teaches the wrong thing. Every module with a ``>>>`` example is run here as :mod:`doctest` would.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "engagement"


def modules_with_examples() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ">>> " not in path.read_text(encoding="utf-8"):
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(".".join(parts))
    return found


def test_the_package_has_examples():
    names = modules_with_examples()
    assert "engagement.privacy.places" in names and "engagement.privacy.patterns" in names
    assert len(names) >= 30


@pytest.mark.parametrize("name", modules_with_examples())
def test_docstring_examples_hold(name, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail (run python -m doctest)"
