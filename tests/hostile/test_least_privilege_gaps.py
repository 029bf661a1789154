"""Nothing lost, nothing silenced: a last-accessed report IAM could not produce is a gap, not "unused".

If IAM answers FAILED for a role's job, least-privilege must exit 4 with the gap listed, judge nothing
for that role (no iam-unused-* finding, nothing removed, confidence none) and still report the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo import last_accessed_shim
from lambdaops.demo import seed_leastpriv as planted
from lambdaops.demo.seed import ACCOUNT_ID

ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/{planted.ROLE_NAME}"


@pytest.fixture
def failing_job() -> Iterator[None]:
    last_accessed_shim.FAILED_ROLES.add(ROLE_ARN)
    try:
        yield
    finally:
        last_accessed_shim.FAILED_ROLES.discard(ROLE_ARN)


def test_a_failed_report_is_a_gap_and_nothing_is_removed(failing_job: None) -> None:
    result = CliRunner().invoke(
        app,
        [
            "least-privilege",
            "--demo",
            "--function",
            f"{planted.FUNCTION_NAME}*",
            "-o",
            "json",
            "--no-progress",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 4, result.output
    report = json.loads(result.stdout)
    assert [(e["operation"], e["code"]) for e in report["errors"]] == [
        ("iam:GetServiceLastAccessedDetails", "InternalFailure")
    ]
    assert ROLE_ARN in report["errors"][0]["message"]
    assert report["findings"] == []
    (entry,) = report["least_privilege"]
    assert entry["confidence"]["level"] == "none"
    assert "could not be read" in entry["confidence"]["statement"]
    assert not any(line.startswith("-") for line in entry["diff"])
    granted = {a for s in entry["policy"]["Statement"] for a in s.get("Action", [])}
    assert {"s3:*", "dynamodb:*", "sqs:SendMessage"} <= granted  # kept as they are: nothing was observed
