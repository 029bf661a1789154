"""`lambdaops least-privilege --demo` end to end: the planted role, its proposal, findings and files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo import seed_leastpriv as planted
from lambdaops.demo.seed import ACCOUNT_ID
from lambdaops.policy.document import parse_policy
from lambdaops.policy.least_privilege import never_wider

runner = CliRunner()
MANAGEMENT = ("s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutBucketAcl")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("policies")
    result = runner.invoke(
        app,
        [
            "least-privilege",
            "--demo",
            "--role",
            planted.ROLE_NAME,
            "--output",
            "json",
            "--no-progress",
            "--write-policies",
            str(out),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output  # medium findings, below the default --fail-on high
    return json.loads(result.stdout), out


def _entry(report: dict[str, Any]) -> dict[str, Any]:
    (entry,) = report["least_privilege"]
    assert entry["role_name"] == planted.ROLE_NAME
    return dict(entry)


def test_the_planted_role_keeps_only_what_it_could_have_used_on_the_named_bucket(
    run: tuple[dict[str, Any], Path],
) -> None:
    entry = _entry(run[0])
    policy = entry["policy"]
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert [s["Resource"] for s in allows] == [
        [f"arn:aws:s3:::{planted.BUCKET}", f"arn:aws:s3:::{planted.BUCKET}/*"]
    ]
    actions = {a for s in allows for a in s["Action"]}
    assert "s3:GetObject" in actions  # what the role used
    assert not any(a in actions for a in MANAGEMENT)  # tracked by IAM and never used
    assert all(a.startswith("s3:") for a in actions)  # DynamoDB and SQS are gone
    assert entry["keep_managed_policy_arns"] == [planted.BASIC_EXECUTION]
    assert entry["confidence"]["level"] == "partial"
    assert "IAM does not track" in entry["confidence"]["statement"]
    assert entry["observed_days"] == planted.ROLE_AGE_DAYS
    assert "PolicyDocument" in entry["cloudformation"] and planted.BASIC_EXECUTION in entry["cloudformation"]


def test_the_proposal_never_grants_what_the_current_policy_does_not(run: tuple[dict[str, Any], Path]) -> None:
    entry = _entry(run[0])
    current = list(parse_policy(planted.role_policy(ACCOUNT_ID)).statements)
    assert never_wider(current, entry["policy"]) == []
    assert entry["problems"] == []


def test_the_diff_says_which_services_were_unused_since_when(run: tuple[dict[str, Any], Path]) -> None:
    diff = "\n".join(_entry(run[0])["diff"])
    assert "- dynamodb: all" in diff and "never used" in diff
    assert "- sqs: all 1 action(s)" in diff and "last used 20" in diff
    assert "- s3:" in diff and "= s3:" in diff  # management actions removed, data events kept


def test_findings_name_the_unused_services_and_actions(run: tuple[dict[str, Any], Path]) -> None:
    found = {(f["check_id"], f["evidence"]["service"]) for f in run[0]["findings"]}
    assert found == {
        ("iam-unused-service", "dynamodb"),
        ("iam-unused-service", "sqs"),
        ("iam-unused-action", "s3"),
    }
    for f in run[0]["findings"]:
        assert f["severity"] == "medium"
        assert [a.rsplit(":", 1)[-1] for a in f["evidence"]["functions"]] == [planted.FUNCTION_NAME]


def test_write_policies_writes_one_file_per_role(run: tuple[dict[str, Any], Path]) -> None:
    report, out = run
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"{ACCOUNT_ID}-{planted.ROLE_NAME}.json"]
    assert json.loads((out / files[0]).read_text(encoding="utf-8")) == _entry(report)["policy"]


def test_the_table_shows_the_diff_policy_and_snippet() -> None:
    result = runner.invoke(
        app,
        ["least-privilege", "--demo", "--no-progress", "--role", planted.ROLE_NAME],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert f"role {planted.ROLE_NAME}" in text and "confidence: partial" in text
    assert "proposed policy:" in text and "CloudFormation / SAM:" in text and "ManagedPolicyArns:" in text


@pytest.mark.parametrize("days", ["0", "401"])
def test_a_bad_window_is_a_usage_error(days: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lambdaops", "least-privilege", "--demo", "--days", days],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.count("\n") == 1
        and "--days must be from 1 to 400 (IAM reports at most 400 days" in proc.stderr
    )
    assert proc.stdout == ""
