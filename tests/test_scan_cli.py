"""`lambdaops scan` on the demo account: exit codes, suppressions, baseline, SARIF, JUnit, --report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo.seed import demo_function_names

runner = CliRunner()


def invoke(args: list[str], cwd: Path | None = None) -> Any:
    return runner.invoke(app, args, catch_exceptions=False)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_scan_demo_exits_3_with_problems_by_severity(in_tmp: Path) -> None:
    result = invoke(["scan", "--demo"])
    assert result.exit_code == 3, result.output
    out = result.stdout
    assert "High (" in out and "Low (" in out
    assert out.index("High (") < out.index("Low (")
    assert "lambda-deprecated-runtime" in out


def test_scan_json_report_and_check_selection(in_tmp: Path) -> None:
    result = invoke(["scan", "--demo", "--check", "lambda-inactive", "--output", "json"])
    assert result.exit_code == 0  # lambda-inactive is low, below the default --fail-on high
    data = json.loads(result.stdout)
    assert data["command"] == "scan"
    assert {f["check_id"] for f in data["findings"]} == {"lambda-inactive"}
    assert len(data["functions"]) == len(demo_function_names())
    result = invoke(
        ["scan", "--demo", "--skip-check", "lambda-inactive", "--skip-check", "*runtime*", "--output", "json"]
    )
    ids = {f["check_id"] for f in json.loads(result.stdout)["findings"]}
    assert ids and "lambda-inactive" not in ids and not any("runtime" in i for i in ids)
    result = invoke(["scan", "--demo", "--skip-check", "*"])
    assert result.exit_code == 2 and "leave no check to run" in result.stderr


def test_unknown_check_id_is_a_usage_error(in_tmp: Path) -> None:
    result = invoke(["scan", "--demo", "--check", "no-such-check"])
    assert result.exit_code == 2
    assert "unknown check id 'no-such-check'" in result.stderr


def test_suppression_mutes_and_leaves_the_exit_code(in_tmp: Path) -> None:
    (in_tmp / "lambdaops.toml").write_text(
        '[[suppress]]\ncheck = "lambda-deprecated-runtime"\nreason = "migration planned for Q1"\n'
    )
    result = invoke(["scan", "--demo", "--check", "lambda-deprecated-runtime", "--output", "json"])
    data = json.loads(result.stdout)
    assert data["findings"]
    assert {f["status"] for f in data["findings"]} == {"muted"}
    assert data["findings"][0]["status_reason"].startswith(
        "migration planned for Q1 (muted by lambdaops.toml:"
    )
    assert data["findings"][0]["muted_by"]["source"] == "config"
    assert result.exit_code == 0


def test_expired_suppression_warns_and_fails(in_tmp: Path) -> None:
    (in_tmp / "lambdaops.toml").write_text(
        '[[suppress]]\ncheck = "lambda-deprecated-runtime"\nreason = "r"\nexpires = 2020-01-01\n'
    )
    result = invoke(["scan", "--demo", "--check", "lambda-deprecated-runtime", "--output", "json"])
    assert result.exit_code == 3
    assert "expired on 2020-01-01" in result.stderr
    assert {f["status"] for f in json.loads(result.stdout)["findings"]} == {"fail"}


def test_write_baseline_then_baseline_exits_0(in_tmp: Path) -> None:
    first = invoke(["scan", "--demo", "--write-baseline", "b.json", "--output", "json"])
    assert first.exit_code == 3
    prints = json.loads((in_tmp / "b.json").read_text())["fingerprints"]
    findings = json.loads(first.stdout)["findings"]
    # every failing finding; the demo's one finding muted by a lambdaops:ignore tag is not baselined
    assert len(prints) == len([f for f in findings if f["status"] == "fail"]) == len(findings) - 1
    second = invoke(["scan", "--demo", "--baseline", "b.json", "--output", "json"])
    assert second.exit_code == 0, second.stderr
    assert {f["status"] for f in json.loads(second.stdout)["findings"]} == {"baselined", "muted"}


def test_malformed_baseline_is_a_usage_error(in_tmp: Path) -> None:
    (in_tmp / "b.json").write_text("{nope")
    result = invoke(["scan", "--demo", "--baseline", "b.json"])
    assert result.exit_code == 2
    assert "b.json:1: malformed baseline JSON" in result.stderr


def test_reports_sarif_and_junit_agree_with_json(in_tmp: Path) -> None:
    import jsonschema

    result = invoke(
        ["scan", "--demo", "--output", "json", "--report", "sarif=out/l.sarif", "--report", "junit=out/l.xml"]
    )
    data = json.loads(result.stdout)
    sarif = json.loads((in_tmp / "out" / "l.sarif").read_text())
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    assert not errors, errors[:3]
    assert len(sarif["runs"][0]["results"]) == len(data["findings"])
    junit = ET.parse(in_tmp / "out" / "l.xml").getroot()
    checks = data["summary"]["checks"]
    assert data["summary"]["fail_on"] == "high"
    failing = sum(
        1 for f in data["findings"] if f["status"] == "fail" and f["severity"] in ("high", "critical")
    )
    assert int(junit.get("failures", "-1")) == failing == sum(c["failing"] for c in checks)
    quiet = sum(c["failed"] - c["failing"] + c["muted"] + c["baselined"] for c in checks)
    assert int(junit.get("skipped", "-1")) == quiet
    passing = [c["check_id"] for c in checks if not c["failed"] + c["muted"] + c["baselined"]]
    assert passing and len(checks) == len(junit.findall("testsuite"))  # every check that ran has a suite
    assert int(junit.get("tests", "-1")) == len(data["findings"]) + len(data["errors"]) + len(passing)
    for c in checks:
        assert c["checked"] is not None and c["passed"] <= c["checked"]


def test_report_spec_errors(in_tmp: Path) -> None:
    for spec in ("sarif", "yaml=x.yaml", "table=x.txt"):
        result = invoke(["scan", "--demo", "--report", spec])
        assert result.exit_code == 2, spec
        assert "--report" in result.stderr


def test_checks_catalogue_lists_every_check() -> None:
    from lambdaops.checks.registry import all_checks

    result = invoke(["checks", "--output", "json"])
    assert result.exit_code == 0
    ids = [c["id"] for c in json.loads(result.stdout)["checks"]]
    assert ids == list(all_checks())
    for required in (
        "lambda-inactive",
        "lambda-deprecated-runtime",
        "lambda-old-versions",
        "iam-orphan-policy",
    ):
        assert required in ids
