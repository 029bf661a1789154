"""`lambdaops export security-hub`: plan by default, BatchImportFindings in batches of 100, fixed
findings archived and RESOLVED, idempotent, refused for an account the credentials do not reach
(moto's Security Hub with lambdaops.demo.securityhub_shim)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.collect.context import Account, AwsContext
from lambdaops.demo import moto_shims
from lambdaops.model import ChangeStatus, Finding, FindingStatus, Report, Severity
from lambdaops.render.asff import product_arn
from lambdaops.reports.security_hub import IMPORT, RESOLVE, export_report
from tests.render_samples import GENERATED, A, B, finding, scan_report
from tests.support.fixtures import record_operations

REGION = "eu-west-1"


@pytest.fixture
def ctx() -> Iterator[AwsContext]:
    moto_shims.install()
    with mock_aws():
        yield AwsContext(accounts=[Account(A, boto3.Session(region_name=REGION))], workers=1)


def many(n: int, check: str = "lambda-deprecated-runtime") -> list[Finding]:
    return [finding(check, Severity.HIGH, f"fn-{i:04d}") for i in range(n)]


def report_of(findings: list[Finding], when: datetime = GENERATED) -> Report:
    report = scan_report(findings, [])
    report.accounts = [A]
    report.regions = [REGION]
    report.generated_at = when
    report.coverage = {f.check_id: (1, "functions") for f in findings} | {
        "lambda-deprecated-runtime": (9, "functions")
    }
    return report


def hub(region: str = REGION) -> list[dict[str, Any]]:
    client = boto3.client("securityhub", region_name=region)
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("get_findings").paginate():
        out.extend(page["Findings"])
    return out


def statuses(report: Report) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for c in report.changes or []:
        counts[(c.action, c.status.value)] = counts.get((c.action, c.status.value), 0) + 1
    return counts


def test_plan_writes_nothing_then_apply_imports_in_batches_of_100(
    ctx: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = report_of(many(230))
    calls = record_operations(monkeypatch)
    plan = export_report(ctx, source, GENERATED, apply=False)
    assert statuses(plan) == {(IMPORT, "planned"): 230}
    assert "BatchImportFindings" not in calls and hub() == []
    done = export_report(ctx, source, GENERATED, apply=True)
    assert statuses(done) == {(IMPORT, "applied"): 230}
    assert calls.count("BatchImportFindings") == 3  # 100 + 100 + 30
    stored = hub()
    assert len(stored) == 230
    assert {f["RecordState"] for f in stored} == {"ACTIVE"}
    assert {f["ProductArn"] for f in stored} == {product_arn("aws", REGION, A)}
    assert {f["Id"] for f in stored} == {f"lambdaops/{f.fingerprint}" for f in source.findings}


def test_second_identical_run_makes_no_write_call(ctx: AwsContext, monkeypatch: pytest.MonkeyPatch) -> None:
    source = report_of(many(5))
    export_report(ctx, source, GENERATED, apply=True)
    calls = record_operations(monkeypatch)
    later = replace_time(source, GENERATED + timedelta(days=1))  # a later run: new time, same findings
    again = export_report(ctx, later, GENERATED + timedelta(days=1), apply=True)
    assert statuses(again) == {(IMPORT, "unchanged"): 5}
    assert set(calls) == {"GetFindings"}


def replace_time(report: Report, when: datetime) -> Report:
    out = report_of(list(report.findings), when)
    out.coverage = dict(report.coverage)
    return out


def test_fixed_finding_is_archived_and_resolved_once(
    ctx: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = report_of(many(3))
    export_report(ctx, first, GENERATED, apply=True)
    fixed = first.findings[0]
    second = report_of(list(first.findings[1:]), GENERATED + timedelta(days=1))
    plan = export_report(ctx, second, GENERATED + timedelta(days=1), apply=False)
    assert statuses(plan) == {(IMPORT, "unchanged"): 2, (RESOLVE, "planned"): 1}
    export_report(ctx, second, GENERATED + timedelta(days=1), apply=True)
    stored = {f["Id"]: f for f in hub()}
    gone = stored[f"lambdaops/{fixed.fingerprint}"]
    assert gone["RecordState"] == "ARCHIVED"
    assert gone["Workflow"]["Status"] == "RESOLVED"
    assert gone["Compliance"]["Status"] == "PASSED"
    assert sum(1 for f in stored.values() if f["RecordState"] == "ACTIVE") == 2
    calls = record_operations(monkeypatch)
    third = export_report(ctx, second, GENERATED + timedelta(days=2), apply=True)
    assert statuses(third) == {(IMPORT, "unchanged"): 2}
    assert set(calls) == {"GetFindings"}
    # failing again: imported ACTIVE once more (Security Hub moves its workflow back to NEW)
    back = export_report(ctx, first, GENERATED + timedelta(days=3), apply=True)
    assert statuses(back) == {(IMPORT, "unchanged"): 2, (IMPORT, "applied"): 1}
    assert {f["Id"]: f for f in hub()}[f"lambdaops/{fixed.fingerprint}"]["RecordState"] == "ACTIVE"


def test_muted_finding_is_resolved_but_one_the_report_did_not_look_at_is_left(ctx: AwsContext) -> None:
    iam = finding(
        "iam-service-wildcard", Severity.CRITICAL, "role", region="global", arn=f"arn:aws:iam::{A}:role/role"
    )
    first = report_of([*many(2), iam])
    export_report(ctx, first, GENERATED, apply=True)
    assert len(hub("us-east-1")) == 1  # a global finding lives in --global-region
    muted = first.findings[0].with_status(FindingStatus.MUTED, "accepted")
    # the next report ran only the runtime check: the IAM finding is neither fixed nor still there
    second = report_of([muted, first.findings[1]], GENERATED + timedelta(days=1))
    second.coverage = {"lambda-deprecated-runtime": (9, "functions")}
    plan = export_report(ctx, second, GENERATED + timedelta(days=1), apply=False)
    assert statuses(plan) == {(IMPORT, "unchanged"): 1, (RESOLVE, "planned"): 1}
    assert [c.params["check_id"] for c in plan.changes or [] if c.action == RESOLVE] == [
        "lambda-deprecated-runtime"
    ]


def test_findings_of_an_unreachable_account_are_refused_and_nothing_is_written(
    ctx: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = report_of([*many(2), finding("lambda-deprecated-runtime", Severity.HIGH, "other", account=B)])
    source.accounts = [A, B]
    calls = record_operations(monkeypatch)
    plan = export_report(ctx, source, GENERATED, apply=True)
    refused = [c for c in plan.changes or [] if c.status is ChangeStatus.REFUSED]
    assert len(refused) == 1 and "--role-name" in refused[0].reason
    assert "BatchImportFindings" not in calls
    assert hub() == []


def test_cli_plans_from_a_json_report_and_applies_on_the_demo(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report_of(many(3)).to_dict()), encoding="utf-8")
    plan = CliRunner().invoke(
        app, ["export", "security-hub", str(path), "--demo", "-o", "json", "--no-progress"]
    )
    assert plan.exit_code == 0, plan.output
    changes = json.loads(plan.stdout)["changes"]
    assert [c["status"] for c in changes] == ["planned"] * 3
    applied = CliRunner().invoke(
        app, ["export", "security-hub", str(path), "--demo", "-o", "json", "--no-progress", "--apply"]
    )
    assert applied.exit_code == 0, applied.output
    assert [c["status"] for c in json.loads(applied.stdout)["changes"]] == ["applied"] * 3


def test_cli_refuses_a_file_that_is_not_a_report(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "security-hub", str(bad), "--demo"])
    assert result.exit_code == 2
    assert "not a lambdaops JSON report" in result.stderr


def test_muted_status_in_samples_is_known() -> None:
    assert any(f.status is FindingStatus.MUTED for f in scan_report().findings)
    assert datetime.now(UTC) > GENERATED
