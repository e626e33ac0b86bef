"""The one place for paths, regions, seeds and thresholds.

Settings are read from the project YAML file (``engagement.yaml`` at the project root,
or the file named by ``$ENGAGEMENT_CONFIG``) on top of the defaults below. Every other
module, notebook and the batch runner asks this module for a path; nothing hard-codes one.

Example:
    >>> from engagement.config import load_config
    >>> cfg = load_config()                         # doctest: +SKIP
    >>> cfg.regions                                 # doctest: +SKIP
    ['Essex', 'Suffolk', 'Norfolk', 'Cambridgeshire', 'Peterborough']
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engagement.errors import ConfigError

CONFIG_FILENAME = "engagement.yaml"

DEFAULT_ALLOW_LIST = [
    "NHS", "NHS England", "NHS Digital", "NHS App", "Healthwatch", "A&E", "GP", "GPs", "111", "999",
    "Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough", "East of England",
    "Addenbrooke's", "Addenbrookes", "Royal Papworth", "Papworth", "Hinchingbrooke",
    "Peterborough City Hospital", "Norfolk and Norwich", "James Paget", "Queen Elizabeth",
    "West Suffolk Hospital", "Ipswich Hospital", "Colchester Hospital", "Broomfield", "Southend",
    "Basildon", "Chelmsford", "Colchester", "Ipswich", "Lowestoft", "Bury St Edmunds", "Norwich",
    "King's Lynn", "Great Yarmouth", "Cambridge", "Huntingdon", "Ely", "Wisbech", "Stamford",
    "Whittlesey", "Lincolnshire", "London", "England", "UK", "Britain",
    # towns of the five areas (10,000 people or more) that are not also common personal names
    # (Harlow, Witham, Bourne are left to the detector): "moved from Sudbury to St Neots" names no one
    "Sudbury", "Thetford", "St Neots", "St Ives", "Haverhill", "Newmarket", "Felixstowe", "Stowmarket",
    "Beccles", "Woodbridge", "Dereham", "Wymondham", "Diss", "Cromer", "Downham Market",
    "Brentwood", "Braintree", "Clacton", "Clacton-on-Sea", "Harwich", "Maldon", "Saffron Walden",
    "Billericay", "Wickford", "Canvey Island", "Thurrock", "Epping", "Loughton", "Soham", "Chatteris",
    "Caldicott", "GDPR", "Google", "Facebook", "Amazon", "Apple", "Fitbit", "Palantir",
    "Public Health England", "University of Cambridge", "Biobank", "UK Biobank",
    # public figures people name when they talk about health data, by full name only (a first name
    # alone stays with the detector): what a minister said is no one's personal detail
    "Aneurin Bevan", "Nye Bevan", "Andrew Lansley", "Jeremy Hunt", "Matt Hancock", "Sajid Javid",
    "Steve Barclay", "Therese Coffey", "Victoria Atkins", "Wes Streeting", "Tony Blair", "Gordon Brown",
    "David Cameron", "Theresa May", "Boris Johnson", "Liz Truss", "Rishi Sunak", "Keir Starmer",
    "Chris Whitty", "Patrick Vallance", "Dominic Cummings", "Ben Goldacre", "Peter Thiel", "Elon Musk",
    "Mark Zuckerberg",
    # sayings with a name in them: "... and Bob's your uncle" names no one
    "Bob's your uncle", "Bob\u2019s your uncle", "rob Peter to pay Paul", "robbing Peter to pay Paul",
    "Tom, Dick and Harry", "Tom, Dick or Harry", "Joe Bloggs", "Joe Public", "Jack of all trades",
    "Heath Robinson", "doubting Thomas", "Peeping Tom", "Bob Geldof", "Mickey Mouse",
]

DEFAULTS: dict[str, Any] = {
    "project": "engagement project",
    "raw_dir": "data/raw",
    "processed_dir": "data/processed",
    "figures_dir": "figures",
    "reports_dir": "reports",
    "regions": ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"],
    "seed": 20260314,
    "min_cell": 5,
    "spacy_model": "auto",
    "segmentation": "model",
    "remove_fillers": True,
    "include_facilitators": False,
    "n_process": "auto",           # worker processes for de-identifying and segmenting: auto = cores and memory, big runs only
    "spacy_batch_size": "auto",    # texts per spaCy batch: auto = 64 (de-identification) / 128 (segmentation)
    "engine": {
        "name": "local",           # local | dask: where the per-session and per-batch stages run
        "scheduler": None,         # a dask.distributed scheduler address; none: a LocalCluster for the run
        "workers": None,           # LocalCluster worker processes (none: the usable cores, at least 2)
    },
    "deidentify": {
        "enabled": True,
        "allow_list": DEFAULT_ALLOW_LIST,
        "deny_list": [],
        "pseudonyms": False,
        "max_age": 89,
        "hide_facilities": True,   # GP surgeries, pharmacies, care homes, schools named by street or village
    },
    "codebook": "default",
    "coding": {
        "semantic": True,          # the learned layer beside the rules (needs topics.embedding: minilm)
        "learned": False,          # count codes `engagement learn` suggested from your own coding in the measures
    },
    "topics": {
        "method": "kmeans",        # kmeans (a partition: no outliers, no topic over 15%) | hdbscan (UMAP + HDBSCAN)
        "embedding": "minilm",
        "min_topic_size": 12,
        "nr_topics": "auto",
        "reduce_outliers": True,
        "guided": False,
        "guide_weight": 0.3,       # your hand coding's share of the topic space, once 30+ statements are coded (0: off)
        "unit": "turn",            # what a topic sees for each sentence: its whole turn (measured best) | sentence
        "fit_sample": 20000,       # above this many distinct sentences, fit on a stratified sample, assign the rest
        "pool_at_scale": True,     # above fit_sample, every turn's vector is the mean of its sentences' (none embedded whole)
    },
    "batch": {"workers": 2},
    "report": {
        "alpha": 0.05,             # Benjamini-Hochberg level a difference between areas must survive
        "sensitive_themes": None,  # themes whose small counts are suppressed, never banded (None: "sensitive")
    },
}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding engagement.yaml (else ``start``)."""
    env = os.environ.get("ENGAGEMENT_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILENAME).is_file():
            return folder
    return here


@dataclass(frozen=True)
class Config:
    """Validated project settings with resolved absolute paths."""

    root: Path
    settings: dict[str, Any] = field(repr=False)
    source: Path | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # pickle and copy probe dunders before ``settings`` exists
            raise AttributeError(name)
        try:
            return self.__dict__["settings"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def path(self, key: str) -> Path:
        p = Path(self.settings[key])
        return p if p.is_absolute() else (self.root / p)

    @property
    def raw_dir(self) -> Path:
        return self.path("raw_dir")

    @property
    def processed_dir(self) -> Path:
        return self.path("processed_dir")

    @property
    def figures_dir(self) -> Path:
        return self.path("figures_dir")

    @property
    def reports_dir(self) -> Path:
        return self.path("reports_dir")

    @property
    def cache_dir(self) -> Path:
        return self.processed_dir / "cache"

    @property
    def sessions_manifest(self) -> Path:
        return self.raw_dir / "sessions.csv"

    @property
    def participants_manifest(self) -> Path:
        return self.raw_dir / "participants.csv"

    @property
    def withdrawals_file(self) -> Path:
        return self.raw_dir / "withdrawals.csv"

    @property
    def salt_file(self) -> Path:
        return self.raw_dir / ".engagement_salt"

    def table_path(self, name: str) -> Path:
        return self.processed_dir / f"{name}.parquet"

    def canonical_region(self, name: str) -> str | None:
        """The configured spelling of ``name`` (case and spacing ignored), or None if not configured."""
        key = " ".join(str(name).split()).casefold()
        return next((r for r in self.regions if " ".join(r.split()).casefold() == key), None)

    def with_overrides(self, **overrides: Any) -> "Config":
        return Config(self.root, _validate(_merge(self.settings, overrides), self.source), self.source)


def _validate(settings: dict[str, Any], source: Path | None) -> dict[str, Any]:
    where = str(source) if source else "configuration"
    regions = settings.get("regions")
    if not isinstance(regions, list) or not regions or not all(isinstance(r, str) and r for r in regions):
        raise ConfigError("'regions' must be a non-empty list of names", path=where)
    if len(set(regions)) != len(regions):
        raise ConfigError("'regions' lists a region twice", path=where)
    if "all" in regions:
        raise ConfigError("'all' is reserved and cannot be a region name", path=where)
    if not isinstance(settings.get("min_cell"), int) or settings["min_cell"] < 1:
        raise ConfigError("'min_cell' must be a whole number of at least 1", path=where)
    level = (settings.get("report") or {}).get("alpha", 0.05)
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ConfigError(f"'report.alpha' must be a number between 0 and 1, got {level!r}", path=where)
    if not isinstance(settings.get("seed"), int):
        raise ConfigError("'seed' must be a whole number", path=where)
    if settings.get("segmentation") not in ("model", "fast", "blank"):
        raise ConfigError("'segmentation' must be 'model', 'fast' or 'blank' (tests only)", path=where)
    for key in ("n_process", "spacy_batch_size"):
        value = settings.get(key)
        if value != "auto" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ConfigError(f"'{key}' must be 'auto' or a whole number of at least 1, got {value!r}", path=where)
    engine = settings.get("engine")
    if not isinstance(engine, dict):
        raise ConfigError("'engine' must be a mapping (name, scheduler, workers)", path=where)
    unknown = sorted(set(engine) - {"name", "scheduler", "workers"})
    if unknown:
        raise ConfigError(f"unknown engine setting(s): {', '.join(unknown)}", path=where)
    if engine.get("name") not in ("local", "dask"):
        raise ConfigError(f"'engine.name' must be 'local' or 'dask', got {engine.get('name')!r}", path=where)
    if engine.get("scheduler") is not None and not isinstance(engine["scheduler"], str):
        raise ConfigError("'engine.scheduler' must be an address such as tcp://host:8786", path=where)
    workers = engine.get("workers")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError("'engine.workers' must be a whole number of at least 1", path=where)
    if settings["topics"].get("embedding") not in ("minilm", "tfidf"):
        raise ConfigError("'topics.embedding' must be 'minilm' or 'tfidf'", path=where)
    if settings["topics"].get("method") not in ("kmeans", "hdbscan"):
        raise ConfigError("'topics.method' must be 'kmeans' or 'hdbscan'", path=where)
    if settings["topics"].get("unit", "turn") not in ("turn", "sentence"):
        raise ConfigError("'topics.unit' must be 'turn' or 'sentence'", path=where)
    fit_sample = settings["topics"].get("fit_sample")
    if fit_sample is not None and (isinstance(fit_sample, bool) or not isinstance(fit_sample, int) or fit_sample < 0):
        raise ConfigError("'topics.fit_sample' must be a whole number of sentences (0 or null: always fit on all)",
                          path=where)
    weight = settings["topics"].get("guide_weight", 0.3)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight < 1:
        raise ConfigError("'topics.guide_weight' must be a number from 0 (topics ignore your coding) to below 1",
                          path=where)
    if not isinstance(settings["topics"].get("pool_at_scale", True), bool):
        raise ConfigError("'topics.pool_at_scale' must be true or false", path=where)
    if settings["topics"].get("guided") and settings["topics"]["embedding"] != "minilm":
        raise ConfigError("'topics.guided' needs 'topics.embedding: minilm' (seed words are embedded)", path=where)
    return settings


def load_config(path: str | Path | None = None, **overrides: Any) -> Config:
    """Load the project configuration.

    Args:
        path: a YAML file; default ``$ENGAGEMENT_CONFIG`` or ``engagement.yaml`` in the project root.
        **overrides: top-level settings to override (as the CLI and notebooks do).

    Raises:
        ConfigError: the file is not valid YAML or a setting is invalid.
    """
    if path is None and os.environ.get("ENGAGEMENT_CONFIG"):
        path = os.environ["ENGAGEMENT_CONFIG"]
    if path is None:
        root = find_project_root()
        candidate = root / CONFIG_FILENAME
        source = candidate if candidate.is_file() else None
    else:
        source = Path(path).resolve()
        if not source.is_file():
            raise ConfigError("configuration file not found", path=source)
        root = source.parent
    settings: dict[str, Any] = {}
    if source is not None:
        try:
            settings = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=source,
                              line=(mark.line + 1) if mark else None) from exc
        if not isinstance(settings, dict):
            raise ConfigError("the configuration must be a mapping of settings", path=source)
        unknown = sorted(set(settings) - set(DEFAULTS))
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}", path=source)
    staging = os.environ.get("ENGAGEMENT_OUTPUT_DIR")
    if staging:  # set by the batch: a run's figures and reports are staged until the leak check passes
        overrides = {"figures_dir": str(Path(staging) / "figures"), "reports_dir": str(Path(staging) / "reports"),
                     **overrides}
    merged = _merge(_merge(DEFAULTS, settings), overrides)
    return Config(root=root, settings=_validate(merged, source), source=source)
