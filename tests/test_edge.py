"""Lambda@Edge: replicas' metrics (us-east-1.<name>, in the regions where they ran) before idle;
never plan to delete a function CloudFront replicates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.collect.edge import list_associations, replica_invocations, unqualified
from lambdaops.demo.seed_activity import EDGE_ACTIVE, EDGE_IDLE

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
ACCOUNT = "123456789012"
ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:"


def _dist(dist_id: str, default: list[str], others: list[list[str]]) -> dict[str, Any]:
    def behaviour(arns: list[str]) -> dict[str, Any]:
        return {
            "LambdaFunctionAssociations": {
                "Quantity": len(arns),
                "Items": [{"LambdaFunctionARN": a, "EventType": "viewer-request"} for a in arns],
            }
        }

    return {
        "Id": dist_id,
        "DefaultCacheBehavior": behaviour(default),
        "CacheBehaviors": {"Quantity": len(others), "Items": [behaviour(o) for o in others]},
    }


def _page(items: list[dict[str, Any]], next_marker: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "Marker": "",
        "MaxItems": 1000,
        "IsTruncated": next_marker is not None,
        "Quantity": len(items),
        "Items": items,
    }
    if next_marker:
        page["NextMarker"] = next_marker
    return {"DistributionList": page}


def test_unqualified_drops_version_or_alias() -> None:
    assert unqualified(ARN + "auth:7") == ARN + "auth"
    assert unqualified(ARN + "auth") == ARN + "auth"


class _PagedCloudFront:
    """ListDistributions pages as CloudFront answers them (only the fields lambdaops reads)."""

    def __init__(self, pages: dict[str | None, dict[str, Any]]) -> None:
        self.pages = pages
        self.asked: list[dict[str, Any]] = []

    def list_distributions(self, **kwargs: Any) -> dict[str, Any]:
        self.asked.append(kwargs)
        return self.pages[kwargs.get("Marker")]


def test_associations_from_every_behaviour_and_every_page() -> None:
    client = _PagedCloudFront(
        {
            None: _page([_dist("D1", [ARN + "auth:3"], [[ARN + "redirect:1"]])], "m2"),
            "m2": _page([_dist("D2", [], [[ARN + "auth:4"]])], None),
        }
    )
    found = list_associations(client, ACCOUNT)
    assert client.asked == [{"MaxItems": "1000"}, {"MaxItems": "1000", "Marker": "m2"}]
    assert found.error is None
    assert found.by_function == {ARN + "auth": ["D1", "D2"], ARN + "redirect": ["D1"]}


def test_moto_with_the_shim_answers_associations_as_cloudfront_does() -> None:
    from moto import mock_aws

    from lambdaops.demo import edge_shim

    edge_shim.install()
    with mock_aws():
        cf = boto3.client("cloudfront", region_name="us-east-1")
        cf.create_distribution(
            DistributionConfig={
                "CallerReference": "t",
                "Comment": "",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "o",
                            "DomainName": "o.s3.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "o",
                    "ViewerProtocolPolicy": "allow-all",
                    "MinTTL": 0,
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                    "LambdaFunctionAssociations": {
                        "Quantity": 1,
                        "Items": [{"LambdaFunctionARN": ARN + "auth:1", "EventType": "viewer-request"}],
                    },
                },
            }
        )
        found = list_associations(cf, ACCOUNT)
    assert list(found.by_function) == [ARN + "auth"]


def test_denied_listing_is_an_error_record_not_an_empty_answer() -> None:
    client = boto3.client("cloudfront", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("list_distributions", "AccessDenied", "no", http_status_code=403)
        found = list_associations(client, ACCOUNT)
    assert found.by_function == {}
    assert found.error is not None and found.error.operation == "cloudfront:ListDistributions"


def test_replica_metrics_are_read_by_replica_name_in_each_region_in_one_call() -> None:
    clients = {r: boto3.client("cloudwatch", region_name=r) for r in ("eu-west-1", "ap-south-1")}
    sent: dict[str, list[str]] = {}
    start = NOW - timedelta(days=10)
    with Stubber(clients["eu-west-1"]) as west, Stubber(clients["ap-south-1"]) as south:
        for region, stub, values in (("ap-south-1", south, []), ("eu-west-1", west, [5.0])):

            def record(params: dict[str, Any], region: str = region, **_: Any) -> None:
                sent[region] = [
                    q["MetricStat"]["Metric"]["Dimensions"][0]["Value"] for q in params["MetricDataQueries"]
                ]

            clients[region].meta.events.register("provide-client-params.cloudwatch.GetMetricData", record)
            stub.add_response(
                "get_metric_data",
                {
                    "MetricDataResults": [
                        {
                            "Id": "m0",
                            "Timestamps": [NOW - timedelta(days=1)] if values else [],
                            "Values": values,
                            "StatusCode": "Complete",
                        },
                        {"Id": "m1", "Timestamps": [], "Values": [], "StatusCode": "Complete"},
                    ]
                },
                {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampDescending"},
            )
        got = replica_invocations(clients, ["auth", "redirect"], start, NOW, 3600, ACCOUNT)
    assert sent == {r: ["us-east-1.auth", "us-east-1.redirect"] for r in clients}
    assert got.calls == 2  # one per region, both functions in it
    assert got.invocations == {"auth": 5.0}
    assert got.unreadable == set()


def test_a_region_that_cannot_be_read_leaves_the_replicas_unreadable() -> None:
    client = boto3.client("cloudwatch", region_name="eu-west-1")
    with Stubber(client) as stub:
        stub.add_client_error("get_metric_data", "AccessDenied", "no", http_status_code=403)
        got = replica_invocations(
            {"eu-west-1": client}, ["auth"], NOW - timedelta(days=10), NOW, 3600, ACCOUNT
        )
    assert got.unreadable == {"auth"} and got.errors


# End to end on the demo account (in process, moto)

runner = CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--output", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 3), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_demo_edge_function_with_replica_invocations_is_active(in_tmp: Path) -> None:
    data = _json(["list-inactive", "--demo", "--region", "us-east-1", "--show", "all"])
    assert data["errors"] == []
    rows = {r["name"]: r for r in data["functions"]}
    # No Invocations in us-east-1; its replicas ran in eu-west-1 (us-east-1.cdn-edge-auth).
    assert rows[EDGE_ACTIVE]["status"] == "active"
    assert rows[EDGE_ACTIVE]["days_since_invocation"] is not None
    assert rows[EDGE_ACTIVE]["days_since_invocation"] <= 1
    assert rows[EDGE_IDLE]["status"] == "inactive"


def test_demo_prune_never_plans_an_associated_function(in_tmp: Path) -> None:
    data = _json(["prune", "--demo", "--region", "us-east-1", "--days", "30"])
    changes = {c["params"]["function"]: c for c in data["changes"]}
    assert [c for c in data["changes"] if c["status"] == "planned"] == []
    assert changes[EDGE_IDLE]["status"] == "unchanged"
    assert "Lambda@Edge" in changes[EDGE_IDLE]["reason"]
    assert EDGE_ACTIVE not in changes


def test_demo_scan_does_not_call_the_busy_edge_function_inactive(in_tmp: Path) -> None:
    data = _json(["scan", "--demo", "--region", "us-east-1", "--check", "lambda-inactive"])
    assert {f["resource_name"] for f in data["findings"]} == {EDGE_IDLE}
