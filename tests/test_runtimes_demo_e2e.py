"""The demo shows the runtime and version-caller plantings of issue 13 end to end (scan, prune-versions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo import seed_runtimes as planted

runner = CliRunner()


@pytest.fixture(scope="module")
def scan_findings(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    result = runner.invoke(
        app, ["scan", "--demo", "--output", "json", "--no-progress"], catch_exceptions=False
    )
    assert result.exit_code == 3, result.output
    return list(json.loads(result.stdout)["findings"])


def _about(findings: list[dict[str, Any]], name: str) -> dict[str, dict[str, Any]]:
    return {f["check_id"]: f for f in findings if f["resource_name"] == name}


def test_unknown_runtime_is_reported(scan_findings: list[dict[str, Any]]) -> None:
    f = _about(scan_findings, planted.UNKNOWN_RUNTIME_FUNCTION)["lambda-runtime-unknown"]
    assert f["severity"] == "medium"
    assert f"runs on {planted.UNKNOWN_RUNTIME}: not in lambdaops' runtime table dated" in f["message"]


def test_java17_al2023_is_known_and_supported(scan_findings: list[dict[str, Any]]) -> None:
    ids = set(_about(scan_findings, planted.JAVA_AL2023_FUNCTION))
    assert not {i for i in ids if "runtime" in i}


def test_old_runtime_on_an_aliased_version_is_deprecated(scan_findings: list[dict[str, Any]]) -> None:
    f = _about(scan_findings, planted.ALIASED_OLD_RUNTIME_FUNCTION)["lambda-deprecated-runtime"]
    assert f["severity"] == "high"
    assert f["evidence"]["version"] == "1" and f["evidence"]["used_by"] == ["alias live"]
    assert f["evidence"]["runtime"] == planted.ALIASED_OLD_RUNTIME
    assert "$LATEST is on python3.13" in f["message"]


def test_prune_versions_keeps_the_s3_called_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["prune-versions", "--demo", "--output", "json", "--no-progress"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    changes = {
        (c["params"]["function"], c["params"]["version"]): c for c in json.loads(result.stdout)["changes"]
    }
    kept = changes[(planted.S3_TRIGGER_FUNCTION, planted.S3_TRIGGER_VERSION)]
    assert kept["status"] == "unchanged" and "s3.amazonaws.com" in kept["reason"]
    assert changes[(planted.S3_TRIGGER_FUNCTION, "1")]["status"] == "planned"
    assert "Step Functions" in result.stderr
