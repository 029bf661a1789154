"""A thin CLI (issue 16, item 4): one error boundary, flags through the settings' validators, typed
choices, renderers in render/, typed per-command views, facts stated once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.cli.choices import FailOn, SortKey
from lambdaops.model import Severity
from lambdaops.rows import SORT_KEYS
from lambdaops.settings import build_settings

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lambdaops"
runner = CliRunner()


def _sources(under: str = "") -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in (PACKAGE / under).rglob("*.py")}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "--keep-versions", "99999"], "--keep-versions must be from 0 to 10000, got 99999"),
        (["scan", "--runtime-warn-days", "5000"], "--runtime-warn-days must be from 0 to 3650, got 5000"),
        (["scan", "--floor", "-1"], "--floor must be from 0 to 100000, got -1"),
        (["audit-concurrency", "--days", "999"], "--days must be from 1 to 455 (CloudWatch keeps 455 days)"),
        (["list-inactive", "--workers", "65"], "--workers must be from 1 to 64, got 65"),
    ],
)
def test_flags_use_the_settings_ranges_and_name_the_flag(args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--demo"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "CloudWatch" not in result.stderr or "--days" in message  # a version count is not a metric
    assert "emulated demo account" not in result.stderr  # refused before the demo starts


def test_flag_and_environment_share_one_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same range refuses LAMBDAOPS_KEEP_VERSIONS and --keep-versions (settings.KEYS)."""
    monkeypatch.setenv("LAMBDAOPS_KEEP_VERSIONS", "99999")
    with pytest.raises(Exception, match="0 to 10000"):
        build_settings(None, {})
    monkeypatch.delenv("LAMBDAOPS_KEEP_VERSIONS")
    result = runner.invoke(app, ["scan", "--keep-versions", "99999"])
    assert "0 to 10000" in result.stderr


def test_choices_are_typed_and_match_the_library() -> None:
    assert tuple(k.value for k in SortKey) == SORT_KEYS
    assert {f.value for f in FailOn} == {s.label for s in Severity} | {"none"}
    help_text = " ".join(runner.invoke(app, ["audit-iam", "--help"]).stdout.split())
    assert "<role|function>" in help_text
    bad = runner.invoke(app, ["list-inactive", "--show", "some"])
    assert bad.exit_code == 2 and "'some'" in bad.stderr and "'inactive'" in bad.stderr


def test_one_error_formatter() -> None:
    """Every LambdaopsError reaches the user through options.report_error (one line, redacted)."""
    sources = _sources("cli")
    writers = {path for path, text in sources.items() if "lambdaops: error: " in text}
    # app.main also words what is not a LambdaopsError (Typer's usage errors, an unreachable endpoint)
    assert writers == {"lambdaops/cli/options.py", "lambdaops/cli/app.py"}, writers
    catching = {path for path, text in sources.items() if "except LambdaopsError" in text}
    assert catching == {"lambdaops/cli/options.py", "lambdaops/cli/app.py"}, catching
    handler = sources["lambdaops/cli/app.py"].split("except LambdaopsError", 1)[1].split("except ", 1)[0]
    assert "report_error(exc)" in handler


def test_the_cli_renders_nothing_itself() -> None:
    for path, text in _sources("cli").items():
        assert not re.search(r"^\s*import (csv|json)\b", text, flags=re.M), path
        assert "json.dumps" not in text and "csv.DictWriter" not in text, path


def test_views_are_typed() -> None:
    """No untyped side channel: `report.view` is one of lambdaops.views' dataclasses, never a dict."""
    for path, text in _sources().items():
        assert not re.search(r"\.view\[|\.view\.get\(|\.view\.update\(|\.view\.pop\(", text), path


def test_billing_region_is_defined_once() -> None:
    defined = [p for p, text in _sources().items() if re.search(r"^BILLING_REGION\s*=", text, flags=re.M)]
    assert defined == ["lambdaops/inventory.py"]
