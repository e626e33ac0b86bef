"""Progress bars: quiet under tests, CI, notebooks and pipes; shown when asked for, with a time left."""

from __future__ import annotations

import io

import pytest

from engagement.progress import bar, progress_enabled


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_are_quiet_under_pytest_by_default(capsys):
    for _ in bar(range(5), desc="reading", unit="file"):
        pass
    assert capsys.readouterr().err == ""


def test_a_bar_asked_for_is_drawn_on_stderr_with_the_time_left(capsys):
    for _ in bar(range(5), desc="reading", unit="file", enabled=True, leave=True):
        pass
    err = capsys.readouterr().err
    assert "reading" in err and "5/5" in err
    assert "<" in err   # tqdm's "elapsed<remaining"


def test_the_environment_variable_asks_for_bars(monkeypatch, capsys):
    monkeypatch.setenv("ENGAGEMENT_PROGRESS", "1")
    for _ in bar(range(3), desc="embedding"):
        pass
    assert "embedding" in capsys.readouterr().err


@pytest.mark.parametrize("env, value", [("CI", "true"), ("PYTEST_CURRENT_TEST", "x"),
                                        ("PAPERMILL_INPUT_PATH", "nb.ipynb")])
def test_quiet_under_ci_tests_and_papermill_even_on_a_terminal(monkeypatch, env, value):
    for name in ("CI", "PYTEST_CURRENT_TEST", "PAPERMILL_INPUT_PATH", "ENGAGEMENT_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(env, value)
    assert not progress_enabled(stream=_Terminal())


def test_shown_on_a_terminal_and_not_on_a_pipe(monkeypatch):
    for name in ("CI", "PYTEST_CURRENT_TEST", "PAPERMILL_INPUT_PATH", "ENGAGEMENT_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    assert progress_enabled(stream=_Terminal())
    assert not progress_enabled(stream=io.StringIO())


def test_engagement_progress_zero_silences_even_when_on_a_terminal(monkeypatch):
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.setenv("ENGAGEMENT_PROGRESS", "0")
    assert not progress_enabled(stream=_Terminal())


def test_a_manual_bar_counts_updates(capsys):
    with bar(desc="segmenting", total=10, unit="turn", enabled=True, leave=True) as b:
        b.update(4)
        b.update(6)
    assert "10/10" in capsys.readouterr().err


def test_a_process_that_imported_papermill_is_not_a_notebook(monkeypatch):
    import papermill  # noqa: F401 - the batch driver imports it; its own terminal still gets bars

    for name in ("CI", "PYTEST_CURRENT_TEST", "PAPERMILL_INPUT_PATH", "ENGAGEMENT_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    assert progress_enabled(stream=_Terminal())
