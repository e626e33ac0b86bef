"""One exception hierarchy for the whole package.

Every error a user can cause (bad input, bad configuration, a bad codebook) is an
:class:`EngagementError`; the CLI turns it into one line and a non-zero exit. The
message always names what is at fault: the file and line, the region, the rule.
"""

from __future__ import annotations

from pathlib import Path


class EngagementError(Exception):
    """Base class for every error the suite raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return f"{where}{self.reason}"


class InputError(EngagementError):
    """A raw input file cannot be read or does not make sense (format, encoding, content)."""


class ManifestError(EngagementError):
    """sessions.csv / participants.csv / withdrawals.csv is missing, malformed or inconsistent."""


class ConfigError(EngagementError):
    """The project configuration (engagement.yaml) is invalid."""


class SchemaError(EngagementError):
    """A table does not match its declared schema (a bug, or a hand-edited file)."""


class CodebookError(EngagementError):
    """The codebook YAML is invalid: unknown parent, duplicate id, bad pattern."""


class ParameterError(EngagementError):
    """A notebook or batch parameter is invalid."""


class LeakError(EngagementError):
    """Personal data was found in an output that must be de-identified."""

    exit_code = 3
