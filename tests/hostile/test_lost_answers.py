"""Hostile: a write whose answer was lost, and that lambdaops then finds done, is `applied` with a
note (issue 12 item 8, billing and concurrency side).

The AwsProxy `lost` fault forwards the write to the emulator and drops every answer to it, so botocore
spends all its attempts and gives up although the write happened. The report must say this run made
the change (not `failed`, and not `unchanged` on the rerun as if someone else had), and a rerun
makes no write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from lambdaops.demo.server import running_server
from tests.hostile._writes_support import alarms, run
from tests.support.aws_proxy import AwsProxy

PREFIX = "lambdaops-billing-"
LOST_NOTE = "the answer to the write was lost"


@pytest.fixture(scope="module")
def writable() -> Iterator[str]:
    """A demo account of this module's own: these tests change it."""
    with running_server(seed="demo") as url:
        yield url


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch, writable: str) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", writable)
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0.0)


def lost_run(
    endpoint: str,
    args: list[str],
    operation: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    faults: int = 100,
) -> tuple[int, dict[str, Any], str]:
    """Run with every answer to `operation` lost (up to `faults` of them)."""
    with AwsProxy(
        endpoint, fault_rate=1.0, faults=("lost",), max_faults=faults, fault_operations=[operation]
    ) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        result = run(args, capsys)
        assert proxy.faults_injected().get("lost", 0) >= 1, "the write under test was never made"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    return result


def changes_of(report: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [c for c in report["changes"] if c["action"] == action]


def test_alarm_put_with_every_answer_lost_is_applied(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["billing-alarm", "set", "--threshold", "41", "--email", "lost@example.com"]
    code, report, err = lost_run(writable, args, "cloudwatch:PutMetricAlarm", capsys, monkeypatch)
    (put,) = [c for c in changes_of(report, "put-alarm") if c["resource_arn"].endswith("-41")]
    assert put["status"] == "applied" and LOST_NOTE in put["reason"], put
    assert code == 0 and report["errors"] == [], err
    assert f"{PREFIX}total-USD-41" in alarms(writable)
    code, again, _ = run(args, capsys)
    assert code == 0 and {c["status"] for c in again["changes"]} <= {"unchanged"}


def test_alarm_delete_with_every_answer_lost_is_applied(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    email = ["--email", "lost@example.com"]
    assert run(["billing-alarm", "set", "--threshold", "42", *email], capsys)[0] == 0
    args = ["billing-alarm", "set", "--threshold", "43", *email, "--prune-unlisted"]
    code, report, err = lost_run(writable, args, "cloudwatch:DeleteAlarms", capsys, monkeypatch)
    deleted = {c["resource_arn"].rsplit(":", 1)[-1]: c for c in changes_of(report, "delete-alarm")}
    assert f"{PREFIX}total-USD-42" in deleted
    assert all(c["status"] == "applied" and LOST_NOTE in c["reason"] for c in deleted.values()), deleted
    assert code == 0, err
    assert not set(deleted) & set(alarms(writable))


def test_topic_and_subscription_with_every_answer_lost_are_applied(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sns = boto3.client("sns", region_name="us-east-1", endpoint_url=writable)
    for t in sns.list_topics()["Topics"]:  # start without the managed topic
        if t["TopicArn"].endswith(":lambdaops-billing-alerts"):
            sns.delete_topic(TopicArn=t["TopicArn"])
    args = ["billing-alarm", "set", "--threshold", "44", "--email", "topic-lost@example.com"]
    code, report, err = lost_run(writable, args, "sns:CreateTopic", capsys, monkeypatch)
    (topic,) = changes_of(report, "create-topic")
    assert topic["status"] == "applied" and LOST_NOTE in topic["reason"], topic
    assert code == 0, err
    code, report, err = lost_run(
        writable,
        ["billing-alarm", "set", "--threshold", "44", "--email", "sub-lost@example.com"],
        "sns:Subscribe",
        capsys,
        monkeypatch,
    )
    (sub,) = [
        c for c in changes_of(report, "subscribe-email") if c["params"]["Endpoint"] == "sub-lost@example.com"
    ]
    assert sub["status"] == "applied" and LOST_NOTE in sub["reason"], sub
    assert code == 0, err


def test_reservation_with_every_answer_lost_is_applied(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["set-concurrency", "image-resize", "--reserved", "9", "--region", "eu-central-1"]
    code, report, err = lost_run(writable, args, "lambda:PutFunctionConcurrency", capsys, monkeypatch)
    (change,) = report["changes"]
    assert change["status"] == "applied" and LOST_NOTE in change["reason"], change
    assert code == 0 and report["errors"] == [], err
    lam = boto3.client("lambda", region_name="eu-central-1", endpoint_url=writable)
    assert lam.get_function_concurrency(FunctionName="image-resize")["ReservedConcurrentExecutions"] == 9
    code, again, _ = run(args, capsys)
    assert (code, again["changes"][0]["status"]) == (0, "unchanged")


def test_removal_with_every_answer_lost_is_applied(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lam = boto3.client("lambda", region_name="eu-central-1", endpoint_url=writable)
    lam.put_function_concurrency(FunctionName="image-resize", ReservedConcurrentExecutions=4)
    args = ["set-concurrency", "image-resize", "--remove", "--region", "eu-central-1"]
    code, report, err = lost_run(writable, args, "lambda:DeleteFunctionConcurrency", capsys, monkeypatch)
    (change,) = report["changes"]
    assert change["status"] == "applied" and LOST_NOTE in change["reason"], change
    assert code == 0, err
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="image-resize")


def test_cap_unlimited_with_answers_lost_is_applied(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["audit-concurrency", "--region", "eu-central-1", "--cap-unlimited", "2", "--apply", "--yes"]
    # the first function's every attempt is lost (10 attempts), the rest answer normally
    code, report, err = lost_run(
        writable, args, "lambda:PutFunctionConcurrency", capsys, monkeypatch, faults=10
    )
    assert code == 0, err
    applied = [c for c in report["changes"] if c["status"] == "applied"]
    assert applied and [c for c in applied if LOST_NOTE in c["reason"]], report["changes"]
    assert not [c for c in report["changes"] if c["status"] == "failed"], err
    lam = boto3.client("lambda", region_name="eu-central-1", endpoint_url=writable)
    for c in applied:
        got = lam.get_function_concurrency(FunctionName=c["params"]["function_name"])
        assert got["ReservedConcurrentExecutions"] == c["params"]["reserved_concurrency"]


def test_a_refused_write_is_failed_without_a_read_back(
    writable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # AccessDenied answers the first and only attempt: the write was not made, nothing to read back.
    with AwsProxy(writable, deny_operations=["lambda:PutFunctionConcurrency"]) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        args = ["set-concurrency", "image-resize", "--reserved", "11", "--region", "eu-central-1"]
        code, report, _ = run(args, capsys)
        reads = proxy.counts()["lambda:GetFunctionConcurrency"]
    (change,) = report["changes"]
    assert (code, change["status"]) == (4, "failed") and LOST_NOTE not in change["reason"]
    assert reads == 1  # the plan's own read only


def test_which_errors_may_hide_a_made_write() -> None:
    from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

    from lambdaops.actions.lost import maybe_lost

    def client_error(code: str, status: int, retries: int) -> ClientError:
        meta = {"HTTPStatusCode": status, "RetryAttempts": retries}
        return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": meta}, "Op")

    assert maybe_lost(ReadTimeoutError(endpoint_url="http://x"))
    assert maybe_lost(EndpointConnectionError(endpoint_url="http://x"))
    assert maybe_lost(client_error("ServiceUnavailable", 503, 9))
    assert maybe_lost(client_error("TooManyRequestsException", 429, 9))
    assert maybe_lost(client_error("ResourceNotFound", 404, 1))  # a retry met the first attempt's work
    assert not maybe_lost(client_error("AccessDeniedException", 403, 0))
    assert not maybe_lost(client_error("ValidationError", 400, 0))
