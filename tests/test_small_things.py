"""Small things that add up (issue 15, item 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app, main
from tests.support.e2e import ROOT

runner = CliRunner()


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("report.json", lambda text: json.loads(text)["command"] == "list-inactive"),
        ("report.csv", lambda text: text.startswith("account_id,")),
        ("report.md", lambda text: text.lstrip().startswith("#")),
    ],
)
def test_output_file_extension_names_the_format(tmp_path: Path, name: str, check: object) -> None:
    target = tmp_path / name
    result = runner.invoke(app, ["list-inactive", "--demo", "--output-file", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert check(target.read_text())  # type: ignore[operator]


def test_output_file_extension_the_command_cannot_write_is_refused_before_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(["list-inactive", "--demo", "--output-file", str(tmp_path / "r.sarif")], capsys)
    assert code == 2 and out == ""
    assert "not sarif" in err
    assert "demo account" not in err  # refused before the emulated account started


def test_no_arguments_prints_help_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main([], capsys)
    assert code == 0
    assert "Usage: lambdaops" in out and "list-inactive" in out


def test_choices_are_in_help_and_shell_completion() -> None:
    help_text = " ".join(runner.invoke(app, ["list-inactive", "--help"]).stdout.split())
    for word in ("days-idle", "last-invocation", "inactive (default) or all", "markdown", "critical"):
        assert word in help_text
    env = {
        **os.environ,
        "_LAMBDAOPS_COMPLETE": "complete_bash",
        "COMP_WORDS": "lambdaops audit-iam --by f",
        "COMP_CWORD": "3",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "lambdaops"], check=False, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["function"]


def test_a_closed_pipe_exits_quietly() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        # a report far larger than a pipe's buffer (about 170 KB), so the writer does meet the closed end
        [sys.executable, "-m", "lambdaops", "scan", "--demo", "-o", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        bufsize=0,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)  # like `| head -c 10`: read a little, then go away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    # no traceback, no "Broken pipe" / "Exception ignored" noise: only lambdaops' own lines (the demo
    # notice and its warnings), all written before the reader went away
    assert all(line.startswith("lambdaops: ") for line in err.splitlines()), err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    assert code in (3, 141)
