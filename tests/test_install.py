"""The `xzcrawler` command the install puts on the venv's PATH: it works from any directory, and
its data (the default database) stays under the project root, not the working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

COMMAND = Path(sys.executable).parent / "xzcrawler"


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("XZCRAWLER_")}
    return subprocess.run(
        [str(COMMAND), *argv], cwd=cwd, env=environ, capture_output=True, text=True, timeout=60
    )


def test_the_command_runs_from_any_directory(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "crawl" in result.stdout and "query" in result.stdout


def test_the_default_database_is_under_the_project_root_whatever_the_directory(
    tmp_path: Path,
) -> None:
    result = run("query", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    default = f"sqlite:///{PROJECT_ROOT / 'data' / 'xzcrawler.db'}"
    assert default.replace(" ", "") in "".join(result.stdout.split())
    assert not (tmp_path / "data").exists()


def test_a_read_command_from_elsewhere_reads_the_database_it_is_given(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run("runs", "--database-url", f"sqlite:///{missing}", cwd=tmp_path)
    assert result.returncode == 2
    assert str(missing) in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()  # a read command never creates a database
