"""Print the HTML report to an A4 PDF with headless Chromium, offline.

The page size, margins and what must not split (headings from their content, figures, tables)
are set by the report's print stylesheet (``@page { size: A4 }``); Chromium honours it with
``--print-to-pdf`` and no header or footer. Without Chromium there is no PDF, never an error.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _html_to_pdf(html: Path) -> Path | None:
    """Print the report to PDF with headless Chromium, offline; None when Chromium is absent."""
    chromium = find_chromium()
    if not chromium:
        return None
    pdf = html.with_suffix(".pdf")
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               "--virtual-time-budget=5000", f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        except (subprocess.SubprocessError, OSError):
            return None
    return pdf if pdf.is_file() else None
