"""Start-up time of the read commands against `python -c "import sqlalchemy"`.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 9]

Each command runs in a fresh process against an empty database (schema, no articles), so what
is measured is start-up: imports, option parsing, opening the database, with every module's
bytecode cached as after an install (PYTHONPYCACHEPREFIX in the scratch folder). Medians in ms
of wall time and of CPU time (user + system, what a busy machine disturbs least), and each
command's ratio to the bare SQLAlchemy import (issue 13 asks for at most 2x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def timed(
    commands: dict[str, list[str]], repeat: int, env: dict[str, str]
) -> dict[str, tuple[float, float]]:
    """Median wall and CPU (user + system) time of each command in ms. The commands take turns
    (one warm-up round first, for the file cache and the bytecode cache), so a machine busy
    with something else slows them alike; CPU time is what a busy machine disturbs least."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, argv in commands.items():
            started = time.perf_counter()
            child = subprocess.Popen(
                argv, cwd=PROJECT_ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            _, _, usage = os.wait4(child.pid, 0)
            wall = (time.perf_counter() - started) * 1000
            if round_:
                times[name].append((wall, (usage.ru_utime + usage.ru_stime) * 1000))
    return {
        name: (
            statistics.median(wall for wall, _ in values),
            statistics.median(cpu for _, cpu in values),
        )
        for name, values in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xzcrawler-startup-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'empty.db'}"
        xz = [sys.executable, "-m", "xzcrawler"]
        subprocess.run(
            [*xz, "db", "upgrade", "--database-url", url],
            cwd=PROJECT_ROOT, check=True, capture_output=True,
        )  # fmt: skip
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
        # As installed: our modules' bytecode cached (here under the scratch folder), as
        # SQLAlchemy's is in site-packages, even where PYTHONDONTWRITEBYTECODE is set.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")
        medians = timed(commands, args.repeat, env)
        wall_base, cpu_base = medians['python -c "import sqlalchemy"']
        print(f"{'command':32} {'wall ms':>8} {'x':>5} {'cpu ms':>7} {'x':>5}")
        for name, (wall, cpu) in medians.items():
            ratios = f"{wall / wall_base:>5.2f} {cpu:>7.0f} {cpu / cpu_base:>5.2f}"
            print(f"{name:32} {wall:>8.0f} {ratios}")


if __name__ == "__main__":
    main()
