"""requirements.txt and environment.yml must name the same packages and versions."""

import re

import yaml

from tests.conftest import REPO


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins_from_requirements() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: '{line}' is not pinned with =="
            pins[_norm(name)] = version
    return pins


def _pins_from_environment() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    pins = {}
    for spec in pip_section:
        name, _, version = spec.partition("==")
        pins[_norm(name)] = version
    return pins


def test_environment_yml_mirrors_requirements_exactly():
    assert _pins_from_environment() == _pins_from_requirements()


def test_torch_is_pinned_to_the_cpu_build_version():
    assert _pins_from_requirements()["torch"] == "2.13.0"


def test_torchvision_is_kept_out():
    assert "torchvision" not in _pins_from_requirements()
