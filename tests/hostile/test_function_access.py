"""Nothing lost, nothing silenced: when a read that narrows the function-URL look-ups is refused, lambdaops
looks the URLs up anyway, records the refusal, and never calls a URL private on a guess."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.client
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from lambdaops.checks.awslambda import lambda_public_url, lambda_url_unreachable
from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.gather import gather
from lambdaops.demo import moto_shims
from lambdaops.settings import Settings
from tests.support.fixtures import zip_bytes

ACCOUNT = "123456789012"
REGION = "eu-west-1"
Refuse = dict[str, Any]


@pytest.fixture
def refuse(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[list[Refuse], list[tuple[str, dict[str, Any]]]]]:
    """moto with the shims; calls matching a rule in the yielded list are refused with AccessDenied."""
    moto_shims.install()
    rules: list[Refuse] = []
    seen: list[tuple[str, dict[str, Any]]] = []
    original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def maybe_refuse(self: Any, operation: str, params: Any) -> Any:
        seen.append((operation, dict(params)))
        for rule in rules:
            if rule["op"] == operation and all(params.get(k) == v for k, v in rule.get("params", {}).items()):
                error = {"Error": {"Code": "AccessDeniedException", "Message": "denied"}}
                raise ClientError(error, operation)  # type: ignore[arg-type]
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", maybe_refuse)
    with mock_aws():
        yield rules, seen


def _seed() -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(
        RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    client = boto3.client("lambda", region_name=REGION)
    for name in ("quiet", "api"):
        client.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="h.h", Code={"ZipFile": zip_bytes()}
        )
    client.create_function_url_config(FunctionName="quiet", AuthType="NONE")  # no policy, no callers
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


def _gather() -> Any:
    ctx = AwsContext(accounts=[Account(ACCOUNT, boto3.Session(region_name=REGION))], workers=2)
    return gather(
        ctx,
        {ACCOUNT: [REGION]},
        {"resource_policies", "function_urls"},
        Settings(workers=2),
        datetime.now(UTC),
    )


def _looked_up(seen: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return sorted(p["FunctionName"] for op, p in seen if op == "ListFunctionUrlConfigs")


def test_refused_list_metrics_means_every_url_is_looked_up(refuse: Any) -> None:
    rules, seen = refuse
    _seed()
    rules.append({"op": "ListMetrics"})
    seen.clear()
    inv = _gather()
    assert [e.operation for e in inv.errors] == ["cloudwatch:ListMetrics"]
    assert _looked_up(seen) == ["api", "quiet"]
    assert [f.resource_name for f in lambda_url_unreachable.run(inv, Settings())] == ["quiet"]


def test_refused_alias_policy_keeps_the_alias_url_public(refuse: Any) -> None:
    rules, seen = refuse
    _seed()
    rules.append({"op": "GetPolicy", "params": {"Qualifier": "live"}})
    seen.clear()
    inv = _gather()
    assert [e.operation for e in inv.errors] == ["lambda:GetPolicy"]
    assert "api" in _looked_up(seen)
    (finding,) = lambda_public_url.run(inv, Settings())
    assert finding.evidence["qualifier"] == "live"
    assert finding.evidence["policy_grants_public"] is None  # unknown, reported rather than guessed
    # the alias URL whose policy could not be read is never called unreachable (`quiet` may be, when
    # its URL was looked up: that depends on the URL metrics other tests left in the emulator)
    assert "api" not in [f.resource_name for f in lambda_url_unreachable.run(inv, Settings())]


def test_refused_list_aliases_means_the_url_is_looked_up(refuse: Any) -> None:
    rules, seen = refuse
    _seed()
    rules.append({"op": "ListAliases"})
    seen.clear()
    inv = _gather()
    assert [e.operation for e in inv.errors] == ["lambda:ListAliases"]
    assert "api" in _looked_up(seen)
    # the alias policy was never read: its URL is reported public, not silenced
    (finding,) = lambda_public_url.run(inv, Settings())
    assert finding.evidence["qualifier"] == "live" and finding.evidence["policy_grants_public"] is None
