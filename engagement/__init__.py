"""engagement: reproducible analysis of public-engagement transcripts on health and care data.

The package does the work; notebooks show it. Import stays light: heavy libraries (spaCy
models, BERTopic, torch) are imported inside the functions that need them.

The stages, in order: :func:`prepare` (ingest, clean, withdraw, de-identify, segment),
:func:`run_coding` (codebook rules, topics, stance), the measures
(:func:`theme_prevalence`, :func:`stance_by_theme`, :func:`region_vs_rest`, :func:`cooccurrence`),
:func:`build_report`, and :func:`run_batch` which runs the notebooks; :func:`leak_check` scans
every output.
"""

import warnings

# tqdm.auto warns (with an absolute path) when ipywidgets is absent in a kernel; plain bars are fine
warnings.filterwarnings("ignore", message="IProgress not found")

from engagement.batch import run_batch  # noqa: E402
from engagement.clean import clean_text, clean_turns
from engagement.codebook import autocode, codebook_table, load_codebook
from engagement.coding import evaluate_against_reference, run_coding
from engagement.config import Config, load_config
from engagement.deidentify import build_detector, deidentify_turns, redact_text, redaction_summary
from engagement.errors import (
    CodebookError, ConfigError, EngagementError, InputError, LeakError, ManifestError, ParameterError, SchemaError,
)
from engagement.io import read_table, write_table
from engagement.leak import leak_check
from engagement.manifest import load_manifest
from engagement.measures import cooccurrence, region_vs_rest, stance_by_theme, theme_prevalence
from engagement.prepare import apply_withdrawals, prepare
from engagement.quotes import exemplar_quotes
from engagement.report import build_report
from engagement.segment import segment_turns
from engagement.stance import classify_stance
from engagement.topics import fit_topics, topics_per_class

__version__ = "0.1.0"

__all__ = [
    "Config", "load_config", "load_manifest", "prepare", "apply_withdrawals", "clean_text", "clean_turns",
    "segment_turns", "read_table", "write_table",
    "build_detector", "deidentify_turns", "redact_text", "redaction_summary", "leak_check",
    "load_codebook", "codebook_table", "autocode", "classify_stance", "fit_topics", "topics_per_class",
    "run_coding", "evaluate_against_reference",
    "theme_prevalence", "stance_by_theme", "region_vs_rest", "cooccurrence", "exemplar_quotes",
    "build_report", "run_batch",
    "EngagementError", "InputError", "ManifestError", "ConfigError", "SchemaError", "CodebookError",
    "ParameterError", "LeakError", "__version__",
]
