"""Parameter validation: papermill only warns about a bad parameter, so the package refuses it."""

from __future__ import annotations

import pytest

from engagement.config import load_config
from engagement.errors import ParameterError
from engagement.params import check_choice, check_positive_int, check_region
from tests.conftest import REPO
from tests.test_report import REGIONS, write_report_project


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return write_report_project(tmp_path_factory.mktemp("params"))


@pytest.fixture(scope="module")
def cfg(project):
    return load_config(project / "engagement.yaml")


@pytest.mark.parametrize("region", [*REGIONS, "all"])
def test_check_region_accepts_configured_regions_and_all(cfg, region):
    assert check_region(region, cfg) == region


@pytest.mark.parametrize(("typed", "stored"), [("essex", "Essex"), ("  SUFFOLK ", "Suffolk"), ("ALL", "all")])
def test_check_region_matches_in_any_case_and_returns_the_configured_spelling(cfg, typed, stored):
    assert check_region(typed, cfg) == stored


@pytest.mark.parametrize("region", ["Kent", "Essexx", "", "Peterborough"])
def test_check_region_refuses_others_and_lists_the_valid_ones(cfg, region):
    with pytest.raises(ParameterError) as err:
        check_region(region, cfg)
    message = str(err.value)
    assert f"region '{region}' is not a configured region" in message
    # the configured regions, not a hard-coded list: Peterborough is not configured in this project
    assert "use one of Essex, Suffolk, Norfolk or 'all'" in message
    assert "Peterborough," not in message


def test_check_choice_names_the_parameter_and_the_choices():
    assert check_choice("embedding", "tfidf", ("minilm", "tfidf")) == "tfidf"
    with pytest.raises(ParameterError, match=r"embedding='bert' must be one of minilm, tfidf"):
        check_choice("embedding", "bert", ("minilm", "tfidf"))


@pytest.mark.parametrize("value", [0, -1, 2.0, "2", True])
def test_check_positive_int_refuses_anything_but_a_whole_number_of_at_least_one(value):
    with pytest.raises(ParameterError, match="quotes_per_theme"):
        check_positive_int("quotes_per_theme", value)


def test_check_positive_int_accepts_a_whole_number():
    assert check_positive_int("quotes_per_theme", 3) == 3


@pytest.mark.slow
def test_notebook_03_run_for_an_unconfigured_region_fails_with_the_list_of_valid_ones(project, tmp_path,
                                                                                        monkeypatch):
    import papermill as pm

    monkeypatch.setenv("ENGAGEMENT_CONFIG", str(project / "engagement.yaml"))  # the kernel inherits it
    out = tmp_path / "03-Kent.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(REPO / "notebooks" / "03-concerns-by-topic-and-region.ipynb"), str(out),
                            parameters={"region": "Kent"}, cwd=str(project), kernel_name="python3",
                            progress_bar=False)
    assert err.value.ename == "ParameterError"
    assert err.value.evalue == ("region 'Kent' is not a configured region; use one of Essex, Suffolk, Norfolk "
                                "or 'all'")
    assert out.is_file()  # the executed notebook is kept, showing where it stopped
