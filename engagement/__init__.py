"""engagement: reproducible analysis of public-engagement transcripts on health and care data.

The package does the work; notebooks show it. One folder per stage, in the order data flows:
:mod:`engagement.ingest` (readers, manifest, clean, segment), :mod:`engagement.privacy`
(de-identification, withdrawal, leak check), :mod:`engagement.coding` (codebook rules, stance,
topics, evaluation), :mod:`engagement.analysis` (measures, quotes) and :mod:`engagement.report`
(figures, the summary report). Shared pieces (config, schemas, io, errors, params) and the
drivers (prepare, batch, cli) sit here at the root.

The public API is importable from here (``from engagement import load_config, prepare``).
Import stays light: each name is loaded from its stage on first use, and heavy libraries
(spaCy models, BERTopic, torch) only inside the functions that need them.
"""

from __future__ import annotations

import importlib
import warnings

# tqdm.auto warns (with an absolute path) when ipywidgets is absent in a kernel; plain bars are fine
warnings.filterwarnings("ignore", message="IProgress not found")

__version__ = "0.1.0"

# public name -> the module that defines it
_API = {
    "run_batch": "engagement.batch",
    "clean_text": "engagement.ingest.clean", "clean_turns": "engagement.ingest.clean",
    "autocode": "engagement.coding.codebook", "codebook_table": "engagement.coding.codebook",
    "load_codebook": "engagement.coding.codebook",
    "evaluate_against_reference": "engagement.coding.run", "run_coding": "engagement.coding.run",
    "Config": "engagement.config", "load_config": "engagement.config",
    "build_detector": "engagement.privacy.deidentify", "deidentify_turns": "engagement.privacy.deidentify",
    "redact_text": "engagement.privacy.deidentify", "redaction_summary": "engagement.privacy.deidentify",
    "read_table": "engagement.io", "write_table": "engagement.io",
    "leak_check": "engagement.privacy.leak",
    "load_manifest": "engagement.ingest.manifest",
    "cooccurrence": "engagement.analysis.measures", "region_vs_rest": "engagement.analysis.measures",
    "stance_by_theme": "engagement.analysis.measures", "theme_prevalence": "engagement.analysis.measures",
    "prepare": "engagement.prepare",
    "apply_withdrawals": "engagement.privacy.withdrawal",
    "exemplar_quotes": "engagement.analysis.quotes",
    "build_report": "engagement.report.builder",
    "segment_turns": "engagement.ingest.segment",
    "classify_stance": "engagement.coding.stance",
    "fit_topics": "engagement.coding.topics", "topics_per_class": "engagement.coding.topic_themes",
    "compare_groups": "engagement.analysis.findings", "key_findings": "engagement.analysis.findings",
    "protect": "engagement.analysis.disclosure", "policy_text": "engagement.analysis.disclosure",
    "area_quotes": "engagement.analysis.quotes", "stance_quotes": "engagement.analysis.quotes",
    "export_sheet": "engagement.coding.sheet", "import_sheet": "engagement.coding.sheet",
    "learn_csv": "engagement.coding.learn", "learn_project": "engagement.coding.learn_project",
    "rank_for_labelling": "engagement.coding.active",
    "agreement": "engagement.coding.agreement", "disagreements": "engagement.coding.agreement",
    **{name: "engagement.errors" for name in (
        "CodebookError", "ConfigError", "EngagementError", "InputError", "LeakError", "ManifestError",
        "ParameterError", "SchemaError")},
}

__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'engagement' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
