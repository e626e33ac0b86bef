"""engagement: reproducible analysis of public-engagement transcripts on health and care data.

The package does the work; notebooks show it. Import stays light: heavy libraries (spaCy
models, BERTopic, torch) are imported inside the functions that need them.
"""

from engagement.clean import clean_text, clean_turns
from engagement.config import Config, load_config
from engagement.errors import (
    CodebookError, ConfigError, EngagementError, InputError, LeakError, ManifestError, ParameterError, SchemaError,
)
from engagement.io import read_table, write_table
from engagement.manifest import load_manifest
from engagement.prepare import apply_withdrawals, prepare
from engagement.segment import segment_turns

__version__ = "0.1.0"

__all__ = [
    "Config", "load_config", "load_manifest", "prepare", "apply_withdrawals", "clean_text", "clean_turns",
    "segment_turns", "read_table", "write_table",
    "EngagementError", "InputError", "ManifestError", "ConfigError", "SchemaError", "CodebookError",
    "ParameterError", "LeakError", "__version__",
]
