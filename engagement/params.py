"""Validation of notebook and batch parameters (papermill only warns about unknown ones)."""

from __future__ import annotations

from engagement.config import Config
from engagement.errors import ParameterError


def check_region(region: str, cfg: Config) -> str:
    """``region`` must be a configured region (any case) or "all"; returns the configured spelling."""
    if str(region).strip().casefold() == "all":
        return "all"
    canonical = cfg.canonical_region(region)
    if canonical:
        return canonical
    raise ParameterError(f"region '{region}' is not a configured region; use one of "
                         f"{', '.join(cfg.regions)} or 'all'")


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ParameterError(f"parameter {name}='{value}' must be one of {', '.join(choices)}")
    return value


def check_positive_int(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ParameterError(f"parameter {name}={value!r} must be a whole number of at least 1")
    return value
