"""Nothing lost: an @edge function is never called idle on partial data, never planned for deletion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from lambdaops.analysis.activity import classify_all, edge_associations
from lambdaops.collect.edge import record_account_edge
from lambdaops.inventory import ActivityStatus, FunctionInfo, Inventory, InvocationMetrics
from tests.support.inventory import function

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
ACCOUNT = "123456789012"


def _fn(name: str, region: str = "us-east-1") -> FunctionInfo:
    return function(
        name, account=ACCOUNT, region=region, runtime="nodejs22.x", last_modified=NOW - timedelta(days=200)
    )


@dataclass
class _Account:
    account_id: str = ACCOUNT


class _Denied:
    def __getattr__(self, op: str) -> Any:
        def call(**_: Any) -> Any:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, op)

        return call


class _Cloudfront:
    def __init__(self, arn: str) -> None:
        self.arn = arn

    def list_distributions(self, **_: Any) -> dict[str, Any]:
        behaviour = {"LambdaFunctionAssociations": {"Items": [{"LambdaFunctionARN": self.arn + ":1"}]}}
        return {
            "DistributionList": {
                "IsTruncated": False,
                "Items": [{"Id": "D1", "DefaultCacheBehavior": behaviour}],
            }
        }


class _Ctx:
    def __init__(self, clients: dict[str, Any]) -> None:
        self.accounts = [_Account()]
        self.clients = clients

    def client(self, account: Any, service: str, region: str) -> Any:
        return self.clients.get(service, _Denied())


def refine_edge_activity(ctx: _Ctx, inv: Inventory, now: datetime, days: int) -> dict[str, list[str]]:
    """What list-inactive does: collect records the replicas, analysis folds them into the status."""
    for account in ctx.accounts:  # what the EDGE part's collector does for each account
        record_account_edge(
            lambda service, region, a=account: ctx.client(a, service, region),
            account.account_id,
            inv,
            now,
            days,
        )
    classify_all(inv)
    return edge_associations(inv)


def _inv(fns: list[FunctionInfo]) -> Inventory:
    inv = Inventory(now=NOW, window_days=10)
    for fn in fns:
        inv.functions.setdefault(fn.scope, []).append(fn)
        inv.invocations[fn.arn] = InvocationMetrics(0.0, None)  # idle where it was measured
    return inv


def test_unreadable_distributions_leave_us_east_1_idle_functions_unknown() -> None:
    home, elsewhere = _fn("maybe-edge"), _fn("idle", "eu-west-1")
    inv = _inv([home, elsewhere])
    assert refine_edge_activity(_Ctx({}), inv, NOW, 10) == {}
    assert inv.activity[home.arn].status is ActivityStatus.UNKNOWN  # it might be replicated
    assert inv.activity[elsewhere.arn].status is ActivityStatus.INACTIVE  # not an edge region
    assert [e.operation for e in inv.errors] == ["cloudfront:ListDistributions"]


def test_unreadable_regions_leave_the_associated_function_unknown() -> None:
    edge = _fn("edge")
    inv = _inv([edge])
    associated = refine_edge_activity(_Ctx({"cloudfront": _Cloudfront(edge.arn)}), inv, NOW, 10)
    assert associated == {edge.arn: ["D1"]}  # prune keeps it whatever its status
    assert inv.activity[edge.arn].status is ActivityStatus.UNKNOWN
    assert [e.operation for e in inv.errors] == ["ec2:DescribeRegions"]
