"""The security watchdog checks end to end: `lambdaops scan` in a real process against the demo
account served by moto (with lambdaops' documented shims), as a user runs it in CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdaops.demo import seed_watchdog as wd
from lambdaops.demo.seed import demo_function_names
from tests.support.e2e import Outcome, run_lambdaops

REGION = ["--region", "eu-west-1"]
NEW_CHECKS = (
    "lambda-secret-in-environment",
    "lambda-async-no-failure-destination",
    "lambda-error-rate-high",
    "lambda-timeouts",
    "lambda-vpc-single-az",
    "lambda-url-cors-wildcard",
)


@pytest.fixture(scope="module")
def scanned(demo_server: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Outcome, Path]:
    where = tmp_path_factory.mktemp("watchdog")
    sarif = where / "scan.sarif"
    outcome = run_lambdaops(
        demo_server, "scan", *REGION, "-o", "json", "--report", f"sarif={sarif}", cwd=where
    )
    return outcome, sarif


def _by_check(report: dict[str, Any], check: str) -> dict[str, dict[str, Any]]:
    return {f["resource_name"]: f for f in report["findings"] if f["check_id"] == check}


def test_every_planted_function_is_in_the_demo() -> None:
    assert set(wd.FUNCTION_NAMES) <= demo_function_names("eu-west-1")


def test_each_new_check_fires_on_its_planted_case_and_not_on_its_twin(scanned: tuple[Outcome, Path]) -> None:
    outcome, _ = scanned
    assert outcome.code == 3, outcome.stderr
    report = outcome.report
    assert report["errors"] == []
    secrets = _by_check(report, "lambda-secret-in-environment")
    assert "digital_logistics_03_fb_webhook" in secrets  # seed.py's PLANTED_SECRETS, eu-west-1
    assert wd.REFS_ONLY not in secrets  # references to secrets are not secrets
    assert secrets["digital_logistics_03_fb_webhook"]["evidence"]["variable"] == "FB_APP_SECRET"
    asynchronous = _by_check(report, "lambda-async-no-failure-destination")
    assert wd.ASYNC_MISSING in asynchronous and wd.ASYNC_COVERED not in asynchronous
    assert set(_by_check(report, "lambda-error-rate-high")) == {wd.FLAKY}
    assert _by_check(report, "lambda-error-rate-high")[wd.FLAKY]["evidence"]["errors"] == wd.FLAKY_ERRORS
    assert set(_by_check(report, "lambda-timeouts")) == {wd.SLOW}
    assert set(_by_check(report, "lambda-vpc-single-az")) == {wd.VPC_SINGLE}  # not VPC_MULTI
    assert set(_by_check(report, "lambda-url-cors-wildcard")) == {wd.CORS_WILDCARD}
    # off by default: not run unless enabled
    assert not _by_check(report, "lambda-tracing-disabled") and not _by_check(report, "lambda-env-no-cmk")


def test_findings_and_sarif_rules_carry_the_controls(scanned: tuple[Outcome, Path]) -> None:
    outcome, sarif = scanned
    vpc = _by_check(outcome.report, "lambda-vpc-single-az")[wd.VPC_SINGLE]
    assert vpc["controls"] == ["FSBP Lambda.5"]
    assert all(f["controls"] == [] for f in outcome.report["findings"] if f["check_id"] == "lambda-timeouts")
    rules = {r["id"]: r for r in json.loads(sarif.read_text())["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["lambda-deprecated-runtime"]["properties"]["controls"] == ["FSBP Lambda.2"]
    assert "FSBP Lambda.2" in rules["lambda-deprecated-runtime"]["properties"]["tags"]


def test_enable_checks_in_the_config_runs_the_off_by_default_checks(demo_server: str, tmp_path: Path) -> None:
    (tmp_path / "lambdaops.toml").write_text(
        'enable_checks = ["lambda-tracing-disabled", "lambda-env-no-cmk"]\n'
    )
    outcome = run_lambdaops(demo_server, "scan", *REGION, "-o", "json", "--check", "lambda-*", cwd=tmp_path)
    assert outcome.code == 3, outcome.stderr
    tracing = _by_check(outcome.report, "lambda-tracing-disabled")
    cmk = _by_check(outcome.report, "lambda-env-no-cmk")
    assert tracing and wd.VPC_MULTI not in tracing  # the one function with Active tracing
    assert cmk and wd.VPC_MULTI not in cmk  # the one with a customer managed key
    assert wd.VPC_SINGLE not in cmk  # no environment variables: nothing to encrypt


def test_scan_compliance_fsbp_runs_the_mapped_checks_and_reports_each_control(
    demo_server: str, tmp_path: Path
) -> None:
    outcome = run_lambdaops(demo_server, "scan", *REGION, "-o", "json", "--compliance", "fsbp", cwd=tmp_path)
    assert outcome.code == 3, outcome.stderr
    report = outcome.report
    ran = {f["check_id"] for f in report["findings"]} | {c["check_id"] for c in report["summary"]["checks"]}
    assert "lambda-inactive" not in ran and "lambda-timeouts" not in ran  # mapped to no FSBP control
    controls = {c["control"]: c for c in report["compliance"]["controls"]}
    assert report["compliance"]["framework"] == "FSBP"
    assert controls["FSBP Lambda.5"]["status"] == "fail"  # vpc-ledger-sync
    assert controls["FSBP Lambda.2"]["status"] == "fail"  # deprecated runtimes
    assert controls["FSBP Lambda.5"]["checks"] == ["lambda-vpc-single-az"]
    assert all(c["status"] in ("pass", "fail") for c in controls.values())  # complete: none unknown
    table = run_lambdaops(demo_server, "scan", *REGION, "--compliance", "FSBP", "--no-progress", cwd=tmp_path)
    assert "FSBP Lambda.5" in table.stdout and "fail" in table.stdout
    markdown = run_lambdaops(
        demo_server, "scan", *REGION, "--compliance", "fsbp", "-o", "markdown", cwd=tmp_path
    )
    assert "| FSBP Lambda.5 | fail |" in markdown.stdout
    bad = run_lambdaops(demo_server, "scan", *REGION, "--compliance", "pci", cwd=tmp_path)
    assert bad.code == 2 and "unknown framework" in bad.stderr and "Traceback" not in bad.stderr
