"""Concurrency collectors: paging (Stubber), skipped look-ups (moto + shims), throttle and peak metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from lambdaops.collect import concurrency
from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.gather import gather
from lambdaops.demo import moto_shims
from lambdaops.inventory import FunctionInfo
from lambdaops.settings import Settings
from tests.support.fixtures import record_operations, zip_bytes
from tests.support.inventory import function

ACCOUNT = "123456789012"
REGION = "eu-west-1"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _fn(name: str) -> FunctionInfo:
    return function(name, account=ACCOUNT, region=REGION, last_modified=NOW, code_size_bytes=1)


# ------------------------------------------------------------------ Stubber: paging


def _pc(name: str, qualifier: str, requested: int, allocated: int, status: str = "READY") -> dict[str, Any]:
    return {
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{qualifier}",
        "RequestedProvisionedConcurrentExecutions": requested,
        "AllocatedProvisionedConcurrentExecutions": allocated,
        "AvailableProvisionedConcurrentExecutions": allocated,
        "Status": status,
    }


def test_provisioned_configs_follow_every_page() -> None:
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response(
            "list_provisioned_concurrency_configs",
            {"ProvisionedConcurrencyConfigs": [_pc("f", "live", 50, 50)], "NextMarker": "m1"},
            {"FunctionName": "f", "MaxItems": 50},
        )
        stub.add_response(
            "list_provisioned_concurrency_configs",
            {"ProvisionedConcurrencyConfigs": [_pc("f", "7", 20, 5, "IN_PROGRESS")]},
            {"FunctionName": "f", "MaxItems": 50, "Marker": "m1"},
        )
        configs = concurrency.provisioned_configs(client, "f")
        stub.assert_no_pending_responses()
    assert [(c.qualifier, c.requested, c.allocated, c.status) for c in configs] == [
        ("7", 20, 5, "IN_PROGRESS"),
        ("live", 50, 50, "READY"),
    ]


def test_failed_lookups_collapse_to_one_error_and_stay_unknown() -> None:
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response(
            "get_function", {"Concurrency": {"ReservedConcurrentExecutions": 0}}, {"FunctionName": "a"}
        )
        for name in ("b", "c"):
            stub.add_client_error(
                "get_function",
                "ServiceException",
                "broken",
                500,
                expected_params={"FunctionName": name},
            )
        found = concurrency.lookup_reserved(client, [_fn("a"), _fn("b"), _fn("c")], 1, ACCOUNT, REGION)
    assert found.values == {_fn("a").arn: 0}
    (err,) = found.errors
    assert (err.operation, err.code) == ("lambda:GetFunction", "ServiceException")
    assert "1 more" in err.message


def test_reservation_comes_from_get_function_and_falls_back_when_it_is_refused() -> None:
    """GetFunction (100/s) carries the reservation; a role refused GetFunction still gets an answer
    from GetFunctionConcurrency (the shared 15/s bucket), and no reservation is None, not 0."""
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response("get_function", {"Configuration": {}}, {"FunctionName": "a"})
        stub.add_client_error(
            "get_function", "AccessDeniedException", "denied", 403, expected_params={"FunctionName": "b"}
        )
        stub.add_response(
            "get_function_concurrency", {"ReservedConcurrentExecutions": 7}, {"FunctionName": "b"}
        )
        found = concurrency.lookup_reserved(client, [_fn("a"), _fn("b")], 1, ACCOUNT, REGION)
        stub.assert_no_pending_responses()
    assert found.values == {_fn("a").arn: None, _fn("b").arn: 7}
    assert found.errors == []


# ------------------------------------------------------------------ Stubber: metrics


def _metric_result(qid: str, values: list[float]) -> dict[str, Any]:
    return {
        "Id": qid,
        "Label": qid,
        "Timestamps": [NOW - timedelta(hours=i + 1) for i in range(len(values))],
        "Values": values,
        "StatusCode": "Complete",
    }


def _stub_metrics(results: dict[str, list[float]], seen: list[dict[str, Any]]) -> Any:
    client = boto3.client("cloudwatch", region_name=REGION)
    stub = Stubber(client)

    def capture(params: Any, **_: Any) -> None:
        seen.append(params)

    client.meta.events.register("provide-client-params.cloudwatch.GetMetricData", capture)
    stub.add_response(
        "get_metric_data",
        {"MetricDataResults": [_metric_result(q, v) for q, v in results.items()]},
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": ANY},
    )
    return client, stub


def test_throttles_and_peaks_in_one_batched_call() -> None:
    seen: list[dict[str, Any]] = []
    # Query ids: m0 claimed, m1 region ConcurrentExecutions, then per function throttles, peak.
    client, stub = _stub_metrics(
        {"m0": [870.0, 965.0], "m1": [300.0], "m2": [30.0, 7.0], "m3": [12.0], "m4": [], "m5": []}, seen
    )
    with stub:
        result = concurrency.collect_concurrency_metrics(
            client, [_fn("hot"), _fn("idle")], NOW, 14, ACCOUNT, REGION
        )
    assert result.calls == 1
    assert result.errors == []
    assert result.region is not None
    assert (result.region.metric_name, result.region.peak_concurrency) == ("ClaimedAccountConcurrency", 965.0)
    assert result.region.peak_at == NOW - timedelta(hours=2)
    assert result.functions[_fn("hot").arn].throttles == 37.0
    assert result.functions[_fn("hot").arn].peak_concurrency == 12.0
    assert result.functions[_fn("idle").arn].throttles == 0.0
    assert result.functions[_fn("idle").arn].peak_concurrency is None
    queries = seen[0]["MetricDataQueries"]
    assert [(q["MetricStat"]["Metric"]["MetricName"], q["MetricStat"]["Stat"]) for q in queries] == [
        ("ClaimedAccountConcurrency", "Maximum"),
        ("ConcurrentExecutions", "Maximum"),
        ("Throttles", "Sum"),
        ("ConcurrentExecutions", "Maximum"),
        ("Throttles", "Sum"),
        ("ConcurrentExecutions", "Maximum"),
    ]
    assert queries[0]["MetricStat"]["Metric"]["Dimensions"] == []
    assert queries[2]["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "FunctionName", "Value": "hot"}]
    # The window starts on the hour, and function queries are one bucket covering all of it.
    start, end = seen[0]["StartTime"], seen[0]["EndTime"]
    assert start.minute == 0 and end - start >= timedelta(days=14)
    assert queries[2]["MetricStat"]["Period"] % 3600 == 0
    assert queries[2]["MetricStat"]["Period"] >= (end - start).total_seconds()


def test_falls_back_to_region_concurrent_executions_without_claimed_data() -> None:
    client, stub = _stub_metrics({"m0": [], "m1": [410.0, 120.0]}, [])
    with stub:
        result = concurrency.collect_concurrency_metrics(client, [], NOW, 14, ACCOUNT, REGION)
    assert result.region is not None
    assert (result.region.metric_name, result.region.peak_concurrency, result.region.metric_read) == (
        "ConcurrentExecutions",
        410.0,
        True,
    )


def test_refused_metrics_are_unknown_not_zero() -> None:
    client = boto3.client("cloudwatch", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error("get_metric_data", "AccessDenied", "no", 403)
        result = concurrency.collect_concurrency_metrics(client, [_fn("f")], NOW, 14, ACCOUNT, REGION)
    assert result.region is None
    assert result.functions == {}
    assert [e.operation for e in result.errors] == ["cloudwatch:GetMetricData"]


# ------------------------------------------------------------------ moto: the collector end to end


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """moto with the shims; yields the list of Lambda/CloudWatch operations every client made."""
    monkeypatch.delenv(moto_shims.CONCURRENCY_LIMIT_ENV, raising=False)
    moto_shims.install()
    moto_shims.reset_concurrency_limits()
    calls = record_operations(monkeypatch)
    try:
        with mock_aws():
            yield calls
    finally:
        moto_shims.reset_concurrency_limits()


def _create(names: list[str], reserved: dict[str, int] | None = None) -> Any:
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(
        RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    client = boto3.client("lambda", region_name=REGION)
    for name in names:
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": zip_bytes()},
        )
    for name, n in (reserved or {}).items():
        client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=n)
    return client


def _gather(parts: set[str]) -> Any:
    ctx = AwsContext(accounts=[Account(ACCOUNT, boto3.Session(region_name=REGION))], workers=2)
    return gather(ctx, {ACCOUNT: [REGION]}, parts, Settings(workers=2), datetime.now(UTC))


def test_nothing_reserved_means_no_per_function_lookups(aws: list[str]) -> None:
    _create(["a", "b", "c"])
    aws.clear()
    inv = _gather({"concurrency"})
    assert "GetFunction" not in aws and "GetFunctionConcurrency" not in aws
    assert "ListProvisionedConcurrencyConfigs" not in aws  # no published versions either
    assert aws.count("ListFunctions") == 1  # one FunctionVersion=ALL pass: functions and versions
    assert set(inv.reserved.values()) == {None}
    assert len(inv.reserved) == 3
    assert inv.reserved_inferred[(ACCOUNT, REGION)] is True
    assert all(v == [] for v in inv.provisioned.values())


def test_reservations_are_read_when_the_region_has_some(aws: list[str]) -> None:
    client = _create(["a", "b", "off"], {"a": 300, "off": 0})
    client.update_function_configuration(FunctionName="b", Description="v1")
    client.publish_version(FunctionName="b")
    client.create_alias(FunctionName="b", Name="live", FunctionVersion="1")
    client.put_provisioned_concurrency_config(
        FunctionName="b", Qualifier="live", ProvisionedConcurrentExecutions=25
    )
    aws.clear()
    inv = _gather({"concurrency"})
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
    assert inv.reserved == {arn + "a": 300, arn + "b": None, arn + "off": 0}
    assert inv.reserved_inferred[(ACCOUNT, REGION)] is False
    assert aws.count("GetFunction") == 3 and "GetFunctionConcurrency" not in aws
    # Only the function with a published version is asked for provisioned concurrency.
    assert aws.count("ListProvisionedConcurrencyConfigs") == 1
    (config,) = inv.provisioned[arn + "b"]
    assert (config.qualifier, config.requested, config.status) == ("live", 25, "READY")
    assert inv.account_settings[(ACCOUNT, REGION)].total_reserved == 300


def test_metrics_from_moto(aws: list[str]) -> None:
    _create(["hot", "calm"])
    cw = boto3.client("cloudwatch", region_name=REGION)
    now = datetime.now(UTC)
    cw.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {"MetricName": "ClaimedAccountConcurrency", "Timestamp": now - timedelta(days=3), "Value": 640.0},
            {
                "MetricName": "ClaimedAccountConcurrency",
                "Timestamp": now - timedelta(days=20),
                "Value": 990.0,
            },
            {
                "MetricName": "Throttles",
                "Dimensions": [{"Name": "FunctionName", "Value": "hot"}],
                "Timestamp": now - timedelta(days=1),
                "Value": 12.0,
            },
            {
                "MetricName": "Throttles",
                "Dimensions": [{"Name": "FunctionName", "Value": "hot"}],
                "Timestamp": now - timedelta(days=2),
                "Value": 8.0,
            },
            {
                "MetricName": "ConcurrentExecutions",
                "Dimensions": [{"Name": "FunctionName", "Value": "hot"}],
                "Timestamp": now - timedelta(days=1),
                "Value": 44.0,
            },
        ],
    )
    aws.clear()
    inv = _gather({"concurrency_metrics"})
    assert aws.count("GetMetricData") == 1
    region = inv.region_metrics[(ACCOUNT, REGION)]
    assert (region.metric_name, region.peak_concurrency) == (
        "ClaimedAccountConcurrency",
        640.0,
    )  # 990 is too old
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
    assert inv.function_metrics[arn + "hot"].throttles == 20.0
    assert inv.function_metrics[arn + "hot"].peak_concurrency == 44.0
    assert inv.function_metrics[arn + "calm"].throttles == 0.0


def test_public_function_reservation_is_read_even_when_nothing_is_reserved(aws: list[str]) -> None:
    client = _create(["public-off", "private"], {"public-off": 0})
    client.add_permission(
        FunctionName="public-off", StatementId="anyone", Action="lambda:InvokeFunction", Principal="*"
    )
    aws.clear()
    inv = _gather({"concurrency", "resource_policies", "function_urls"})
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
    # a reservation of 0 does not show in the account total, so only a look-up can tell
    assert inv.account_settings[(ACCOUNT, REGION)].total_reserved == 0
    assert aws.count("GetFunction") == 1
    assert inv.reserved[arn + "public-off"] == 0
    assert inv.reserved[arn + "private"] is None
    from lambdaops.checks.awslambda import lambda_public_unlimited

    assert not list(lambda_public_unlimited.INFO.run(inv, Settings()))
