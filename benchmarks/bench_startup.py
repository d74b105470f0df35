"""Start-up time of the read commands against `python -c "import sqlalchemy"`.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 9]

Each command runs in a fresh process against an empty database (schema, no articles), so what
is measured is start-up: imports, option parsing, opening the database. Medians in ms, and each
command's ratio to the bare SQLAlchemy import (issue 13 asks for at most 2x).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def timed(argv: list[str], repeat: int) -> float:
    """Median wall time of `argv` in ms (one warm-up run first, for the file cache)."""
    subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, check=False)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, check=False)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xzcrawler-startup-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'empty.db'}"
        xz = [sys.executable, "-m", "xzcrawler"]
        subprocess.run([*xz, "db", "upgrade", "--database-url", url], cwd=PROJECT_ROOT, check=True)
        commands = {
            'python -c "import sqlalchemy"': [sys.executable, "-c", "import sqlalchemy"],
            "--help": [*xz, "--help"],
            "query --help": [*xz, "query", "--help"],
            "query": [*xz, "query", "--database-url", url],
            "show 1": [*xz, "show", "1", "--database-url", url],
            "stats": [*xz, "stats", "--database-url", url],
            "runs": [*xz, "runs", "--database-url", url],
            "export": [*xz, "export", "--database-url", url],
        }
        baseline = None
        print(f"{'command':32} {'median ms':>10} {'x sqlalchemy':>13}")
        for name, argv in commands.items():
            ms = timed(argv, args.repeat)
            baseline = baseline or ms
            print(f"{name:32} {ms:>10.0f} {ms / baseline:>13.2f}", flush=True)


if __name__ == "__main__":
    main()
