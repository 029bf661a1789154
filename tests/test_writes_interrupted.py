"""Writes whose answer is lost: the change happened in AWS, the client never heard, botocore retried.

The AwsProxy `lost` fault forwards a write to the emulator and drops the answer, as a network failure
on the way back would. Whatever the first run then reports, a second run must finish the job, make
no further write and leave nothing duplicated: "an interrupted run leaves nothing that a rerun
cannot finish".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambdaops.cli.app import main
from lambdaops.demo.server import running_server
from tests.support.aws_proxy import AwsProxy

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def writable() -> Iterator[str]:
    """A demo account of this module's own: these tests change it."""
    with running_server(seed="demo") as url:
        yield url


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0.0)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    with pytest.raises(SystemExit) as exited:
        main([*args, "-o", "json"])
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), json.loads(out), err


def statuses(report: Any) -> list[str]:
    return sorted({c["status"] for c in report["changes"]})


def twice(
    endpoint: str,
    args: list[str],
    lost: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[tuple[int, Any], tuple[int, Any]]:
    """Run `args` with the first `lost` call's answer dropped, then again without faults."""
    with AwsProxy(endpoint, fault_rate=1.0, faults=("lost",), max_faults=1, fault_operations=[lost]) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        first_code, first, _ = run(args, capsys)
        assert proxy.faults_injected() == {"lost": 1}, "the write under test was never made"
        assert proxy.counts()[lost] >= 2  # botocore retried a call that had already happened
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    second_code, second, err = run(args, capsys)
    assert second_code == 0, err
    return (first_code, first), (second_code, second)


def test_budget_created_but_answer_lost(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["billing-alarm", "set", "--threshold", "50", "--email", "ops@example.com", "--budget", "100"]
    (first_code, first), (_, second) = twice(writable, args, "budgets:CreateBudget", capsys, monkeypatch)
    # The retry meets the budget the lost attempt made (DuplicateRecordException): it was made, so the
    # change is applied, and the rerun finds everything in place.
    assert first_code == 0
    assert "failed" not in statuses(first)
    assert statuses(second) == ["unchanged"]
    budgets = boto3.client("budgets", endpoint_url=writable, region_name="us-east-1").describe_budgets(
        AccountId=ACCOUNT
    )["Budgets"]
    assert len(budgets) == 1


def test_reservation_set_but_answer_lost(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["set-concurrency", "image-resize", "--reserved", "7", "--region", "eu-central-1"]
    (first_code, first), (_, second) = twice(
        writable, args, "lambda:PutFunctionConcurrency", capsys, monkeypatch
    )
    assert (first_code, statuses(first)) == (0, ["applied"])  # a put is idempotent: the retry is harmless
    assert statuses(second) == ["unchanged"]


def test_prune_delete_and_restore_create_with_answers_lost(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    archive_dir = tmp_path / "archive"
    args = [
        "prune",
        "--days",
        "10",
        "--region",
        "eu-central-1",
        "--apply",
        "--yes",
        "--archive-dir",
        str(archive_dir),
    ]
    (first_code, first), (_, second) = twice(writable, args, "lambda:DeleteFunction", capsys, monkeypatch)
    pruned = {c["resource_arn"].rsplit(":", 1)[-1] for c in first["changes"] if c["status"] == "applied"}
    assert first_code == 0 and pruned  # a delete that finds the function gone is done, not failed
    assert not [c for c in second["changes"] if c["status"] in ("planned", "applied", "failed")]

    archive = next(archive_dir.glob(f"{ACCOUNT}/eu-central-1/*"))
    args = ["restore", str(archive), "--apply"]
    (first_code, first), (_, second) = twice(writable, args, "lambda:CreateFunction", capsys, monkeypatch)
    # As for the budget: the retried CreateFunction meets the function the lost attempt made
    # (ResourceConflictException) with the archived code: it was made, and the restore goes on.
    assert first_code == 0
    assert "failed" not in statuses(first)
    assert statuses(second) == ["unchanged"]
    lam = boto3.client("lambda", endpoint_url=writable, region_name="eu-central-1")
    assert lam.get_function(FunctionName=archive.name)["Configuration"]["FunctionName"] == archive.name
