"""Presidio's whole process for the speed comparison: the analyzer and anonymizer configured as in
bench_deidentify.py (same spaCy package, UK recognizers, the project's allow and deny lists),
over FILE one line at a time, anonymised text to stdout. Sockets are disabled.

Run: ``python benchmarks/presidio_redact.py FILE``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_deidentify import REPO, no_network, presidio_engines  # noqa: E402


def main(path: str) -> int:
    no_network()
    from engagement.config import load_config
    from engagement.privacy.deidentify import read_deny_list

    cfg = load_config(REPO / "engagement.yaml")
    allow = list(cfg.deidentify["allow_list"])
    analyzer, anonymizer = presidio_engines([], read_deny_list(cfg))
    out = sys.stdout
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        res = analyzer.analyze(line, language="en", allow_list=allow) if line.strip() else []
        out.write(anonymizer.anonymize(line, res).text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
