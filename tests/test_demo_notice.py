"""The demo explains itself (issue 15, item 6): every --demo run says on stderr what it reads and how
to keep state between commands; stdout stays the report alone."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lambdaops.cli.app import app

runner = CliRunner()


def test_demo_run_names_the_emulated_account_and_the_server_on_stderr() -> None:
    result = runner.invoke(app, ["list-inactive", "--demo", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["command"] == "list-inactive"  # stdout: the report only
    assert "emulated demo account" in result.stderr
    assert "python -m lambdaops.demo.server" in result.stderr and "AWS_ENDPOINT_URL" in result.stderr
    assert "docs/demo.md" in result.stderr


def test_bad_arguments_are_refused_before_the_demo_starts() -> None:
    result = runner.invoke(app, ["list-inactive", "--demo", "--sort", "size"])
    assert result.exit_code == 2
    assert "emulated demo account" not in result.stderr
