"""How long the quick commands take as whole processes, start-up included.

Target (issue 10): `engagement --help`, `engagement redact --help` and `engagement inspect FILE`
answer in under 2 s. Baseline in the same run: a bare `python -c pass` from the same venv, so
the ratio says what the suite adds to the interpreter's own start-up on this (noisy) machine.

    python benchmarks/bench_cli.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SAMPLE = ROOT / "data" / "raw" / "sample" / "transcripts"


def timed(cmd: list[str], repeats: int) -> float:
    """Median wall time of ``repeats`` runs, after one untimed run that warms the disk cache."""
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    engagement = str(BIN / "engagement")
    files = sorted(SAMPLE.glob("*"))
    commands = {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "engagement --help": [engagement, "--help"],
        "engagement redact --help": [engagement, "redact", "--help"],
        "engagement init --help": [engagement, "init", "--help"],
        **{f"engagement inspect {f.name}": [engagement, "inspect", str(f)] for f in files
           if f.suffix in (".txt", ".vtt", ".docx", ".srt")},
    }
    base = timed(commands.pop("python -c pass (baseline)"), args.repeats)
    print(f"{'command':<44} {'median s':>9} {'x python':>9}  target < 2 s")
    print(f"{'python -c pass (baseline)':<44} {base:>9.2f} {1.0:>9.1f}")
    worst = 0.0
    for name, cmd in commands.items():
        seconds = timed(cmd, args.repeats)
        worst = max(worst, seconds)
        print(f"{name:<44} {seconds:>9.2f} {seconds / base:>9.1f}  {'ok' if seconds < 2 else 'SLOW'}")
    print(f"slowest: {worst:.2f} s ({'meets' if worst < 2 else 'misses'} the 2 s target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
