"""`lambdaops --help` and shell completion stay fast: they never import boto3, botocore or moto.

Importing boto3 costs a few hundred milliseconds, moto more; a completion that pays it on every
TAB press feels broken. Each check runs in a fresh interpreter, since this test process has long
imported them all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("boto3", "botocore", "moto")


def run_lambdaops(
    args: list[str], extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lambdaops", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def imported(importtime_log: str) -> set[str]:
    # `import time: self [us] | cumulative | imported package`, one line per module
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in importtime_log.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_help_imports_no_aws_sdk() -> None:
    proc = run_lambdaops(["--help"])
    assert proc.returncode == 0
    assert "list-inactive" in proc.stdout and "merge" in proc.stdout
    modules = imported(proc.stderr)
    assert "typer" in modules  # the log is read right: the CLI's own imports are there
    assert heavy(modules) == []


def test_command_help_imports_no_aws_sdk() -> None:
    # One interpreter for every command's --help: the commands share one Typer app.
    script = (
        "import sys, contextlib, io\n"
        "from lambdaops.cli.app import COMMANDS, main\n"
        "for path in COMMANDS:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n"
        "            main([*path.split(), '--help'])\n"
        "        except SystemExit as exc:\n"
        "            assert exc.code == 0, (path, exc.code)\n"
        "print(len(COMMANDS), ' '.join(sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[1:])))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, *HEAVY],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    count, _, modules = proc.stdout.strip().partition(" ")
    assert int(count) >= 6
    assert modules == ""


def test_shell_completion_imports_no_aws_sdk() -> None:
    proc = run_lambdaops(
        [], {"_LAMBDAOPS_COMPLETE": "complete_bash", "COMP_WORDS": "lambdaops li", "COMP_CWORD": "1"}
    )
    assert proc.returncode == 0
    assert proc.stdout.split() == ["list-inactive"]
    assert heavy(imported(proc.stderr)) == []
