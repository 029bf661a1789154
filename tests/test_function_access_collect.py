"""Collecting who may invoke a function (moto with the demo shims): qualified policies only for the
aliases and versions that exist, and ListFunctionUrlConfigs only where a policy could make a URL public
or callers hit the URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.client
import pytest
from moto import mock_aws

from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.gather import gather
from lambdaops.demo import moto_shims
from lambdaops.policy import exposure
from lambdaops.settings import Settings
from tests.support.fixtures import zip_bytes

ACCOUNT = "123456789012"
REGION = "eu-west-1"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """moto with the shims; yields every (operation, params) any client makes."""
    moto_shims.install()
    seen: list[tuple[str, dict[str, Any]]] = []
    original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def recording(self: Any, operation: str, params: Any) -> Any:
        seen.append((operation, dict(params)))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    with mock_aws():
        yield seen


def _functions(*names: str) -> Any:
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(
        RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    client = boto3.client("lambda", region_name=REGION)
    for name in names:
        client.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="h.h", Code={"ZipFile": zip_bytes()}
        )
    return client


def _gather(parts: set[str] | None = None) -> Any:
    ctx = AwsContext(accounts=[Account(ACCOUNT, boto3.Session(region_name=REGION))], workers=2)
    parts = parts or {"resource_policies", "function_urls"}
    return gather(ctx, {ACCOUNT: [REGION]}, parts, Settings(workers=2), datetime.now(UTC))


def _ops(calls: list[tuple[str, dict[str, Any]]], name: str) -> list[dict[str, Any]]:
    return [p for op, p in calls if op == name]


def test_qualified_policies_only_for_aliases_and_versions_that_exist(calls: list[Any]) -> None:
    client = _functions("plain", "released")
    client.publish_version(FunctionName="released")
    client.create_alias(FunctionName="released", Name="live", FunctionVersion="1")
    client.add_permission(
        FunctionName="released",
        StatementId="anyone",
        Action="lambda:InvokeFunction",
        Principal="*",
        Qualifier="live",
    )
    calls.clear()
    inv = _gather()
    policies = sorted((p["FunctionName"], p.get("Qualifier", "")) for p in _ops(calls, "GetPolicy"))
    assert policies == [("plain", ""), ("released", ""), ("released", "1"), ("released", "live")]
    # aliases are listed only where a version exists for them to point at
    assert [p["FunctionName"] for p in _ops(calls, "ListAliases")] == ["released"]
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:released"
    assert inv.resource_policies[arn] is None  # the function's own policy is empty on AWS
    assert inv.resource_policies[f"{arn}:live"]["Statement"][0]["Sid"] == "anyone"
    assert exposure.public_functions(inv) == {arn: "resource-policy"}


def test_url_configs_read_only_where_a_policy_could_make_a_url_public(calls: list[Any]) -> None:
    client = _functions("private", "internal", "public-url", "s3-trigger")
    client.add_permission(
        FunctionName="internal",
        StatementId="own",
        Action="lambda:InvokeFunction",
        Principal=f"arn:aws:iam::{ACCOUNT}:root",
    )
    client.create_function_url_config(FunctionName="public-url", AuthType="NONE")
    client.add_permission(
        FunctionName="public-url",
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    client.add_permission(
        FunctionName="s3-trigger",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    calls.clear()
    inv = _gather()
    looked_up = sorted(p["FunctionName"] for p in _ops(calls, "ListFunctionUrlConfigs"))
    assert looked_up == ["public-url", "s3-trigger"]
    assert len(_ops(calls, "ListMetrics")) == 1  # one region-wide look for URLs that have callers
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
    assert inv.function_urls[base + "private"] == [] and inv.function_urls[base + "internal"] == []
    assert [u.auth_type for u in inv.function_urls[base + "public-url"]] == ["NONE"]
    assert exposure.public_functions(inv) == {base + "public-url": "function-url"}


def test_a_url_with_callers_is_read_even_without_a_policy(calls: list[Any]) -> None:
    client = _functions("status-page", "quiet")
    client.create_function_url_config(FunctionName="status-page", AuthType="NONE")
    client.create_function_url_config(FunctionName="quiet", AuthType="NONE")
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "UrlRequestCount",
                "Dimensions": [{"Name": "FunctionName", "Value": "status-page"}],
                "Timestamp": datetime.now(UTC) - timedelta(hours=2),
                "Value": 12.0,
            }
        ],
    )
    calls.clear()
    inv = _gather()
    assert [p["FunctionName"] for p in _ops(calls, "ListFunctionUrlConfigs")] == ["status-page"]
    from lambdaops.checks.awslambda import lambda_url_unreachable

    found = lambda_url_unreachable.run(inv, Settings())
    assert [f.resource_name for f in found] == ["status-page"]


def test_alias_url_configs_are_read_when_the_alias_policy_is_public(calls: list[Any]) -> None:
    client = _functions("api")
    client.publish_version(FunctionName="api")
    client.create_alias(FunctionName="api", Name="live", FunctionVersion="1")
    client.create_function_url_config(FunctionName="api", AuthType="NONE", Qualifier="live")
    client.add_permission(
        FunctionName="api",
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
        Qualifier="live",
    )
    calls.clear()
    inv = _gather()
    assert [p["FunctionName"] for p in _ops(calls, "ListFunctionUrlConfigs")] == ["api"]
    from lambdaops.checks.awslambda import lambda_public_url

    (finding,) = lambda_public_url.run(inv, Settings())
    assert finding.evidence["qualifier"] == "live"


def test_url_and_invoke_config_reads_follow_each_functions_own_policy_read(calls: list[Any]) -> None:
    """The follow-up reads (control plane, 15/s) start as each function's policies arrive instead of
    after every GetPolicy (its own 15/s): on AWS the two quotas then overlap. One worker makes the
    order exact: policy, then that function's follow-ups, then the next function's policy. Each
    function is read once (the URL and invoke-config collectors, which run after, find them done)."""
    names = ["a-public", "b-s3", "c-private"]
    client = _functions(*names)
    client.add_permission(
        FunctionName="a-public", StatementId="any", Action="lambda:InvokeFunctionUrl", Principal="*"
    )
    client.add_permission(
        FunctionName="b-s3", StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"
    )
    calls.clear()
    ctx = AwsContext(accounts=[Account(ACCOUNT, boto3.Session(region_name=REGION))], workers=1)
    parts = {"resource_policies", "function_urls", "invoke_configs"}
    gather(ctx, {ACCOUNT: [REGION]}, parts, Settings(workers=1), datetime.now(UTC))
    follow = ("GetPolicy", "ListFunctionUrlConfigs", "ListFunctionEventInvokeConfigs")
    order = [(op, p["FunctionName"]) for op, p in calls if op in follow]
    assert order == [
        ("GetPolicy", "a-public"),
        ("ListFunctionUrlConfigs", "a-public"),
        ("GetPolicy", "b-s3"),
        ("ListFunctionUrlConfigs", "b-s3"),  # an S3 grant could be a URL grant's principal too
        ("ListFunctionEventInvokeConfigs", "b-s3"),  # an asynchronous trigger and no DLQ
        ("GetPolicy", "c-private"),
    ]
    assert len(_ops(calls, "ListMetrics")) == 1


def _reserved_region(client: Any, names: list[str]) -> None:
    for name in names:
        client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)


def test_reservations_are_read_with_each_functions_policies_where_the_region_has_some(
    calls: list[Any],
) -> None:
    """GetFunction (100/s) right after each GetPolicy (15/s) in a region with reservations, so on AWS
    the reservation reads overlap the policy reads; the values are the same."""
    names = ["a", "b", "c"]
    client = _functions(*names)
    _reserved_region(client, ["b"])
    calls.clear()
    ctx = AwsContext(accounts=[Account(ACCOUNT, boto3.Session(region_name=REGION))], workers=1)
    inv = gather(
        ctx, {ACCOUNT: [REGION]}, {"resource_policies", "concurrency"}, Settings(workers=1), datetime.now(UTC)
    )
    order = [(op, p["FunctionName"]) for op, p in calls if op in ("GetPolicy", "GetFunction")]
    assert order == [(op, n) for n in names for op in ("GetPolicy", "GetFunction")]
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
    assert {n: inv.reserved[base + n] for n in names} == {"a": None, "b": 5, "c": None}
    assert inv.errors == []


def test_reservation_reads_refused_one_by_one_are_one_error_record(
    calls: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from lambdaops.collect import concurrency

    def refused(client: Any, name: str) -> int | None:
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "GetFunction"
        )

    client = _functions("a", "b", "c")
    _reserved_region(client, ["b"])
    monkeypatch.setattr(concurrency, "reserved_via_get_function", refused)
    ctx = AwsContext(accounts=[Account(ACCOUNT, boto3.Session(region_name=REGION))], workers=1)
    inv = gather(
        ctx, {ACCOUNT: [REGION]}, {"resource_policies", "concurrency"}, Settings(workers=1), datetime.now(UTC)
    )
    assert [(e.operation, e.code) for e in inv.errors] == [("lambda:GetFunction", "ThrottlingException")]
    assert "(and 2 more functions)" in inv.errors[0].message
    arns = [fn.arn for fns in inv.functions.values() for fn in fns]
    assert len(arns) == 3 and not any(arn in inv.reserved for arn in arns)


class _NoIteration(dict[str, Any]):
    """The region's policies while other workers still add theirs: picking by key is safe, iterating
    is not (a dict that changes size mid-iteration raises)."""

    def __iter__(self) -> Any:
        raise AssertionError("iterated")

    def items(self) -> Any:
        raise AssertionError("iterated")

    def keys(self) -> Any:
        raise AssertionError("iterated")


def test_a_follow_up_picks_its_functions_policies_by_key_never_by_iterating() -> None:
    from types import SimpleNamespace

    from lambdaops.collect.gather import RegionJob
    from lambdaops.collect.parts.access import own_policies
    from lambdaops.inventory import AliasInfo, Inventory, VersionInfo

    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"
    other = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f-2"
    inv = Inventory()
    inv.resource_policies = _NoIteration(
        {arn: {"Statement": []}, f"{arn}:live": {"Statement": [1]}, f"{arn}:1": None, other: {"x": 1}}
    )
    inv.aliases[arn] = [AliasInfo("live", "1")]
    inv.versions[arn] = [VersionInfo("1", 10, datetime.now(UTC))]
    job = RegionJob(None, None, REGION, Settings(), datetime.now(UTC), frozenset(), inv)  # type: ignore[arg-type]
    assert own_policies(job, SimpleNamespace(arn=arn)) == {
        arn: {"Statement": []},
        f"{arn}:live": {"Statement": [1]},
        f"{arn}:1": None,
    }
