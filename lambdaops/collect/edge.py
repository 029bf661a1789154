"""Lambda@Edge: a us-east-1 function CloudFront replicates runs, and is measured, elsewhere.

AWS facts (read 2026-12-06):
- Lambda@Edge functions are created in us-east-1; CloudFront replicates each associated version to
  the regions where it runs, and the replicas' CloudWatch metrics appear in the region where they
  ran, under `FunctionName` = `us-east-1.<function-name>` (CloudFront Developer Guide, "Lambda@Edge
  CloudWatch metrics and logs"). The function's own us-east-1 `Invocations` do not count them, so
  a busy edge function can look idle in us-east-1.
- "You can delete a Lambda@Edge function only when the replicas of the function have been deleted
  by CloudFront", which happens only after its last distribution association is removed (CloudFront
  Developer Guide, "Delete Lambda@Edge functions and replicas",
  docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-delete-replicas.html);
  DeleteFunction otherwise fails with "... because it is a replicated function".

Signal chosen: CloudFront `ListDistributions` (one paginated, global call per account; each cache
behaviour lists its `LambdaFunctionAssociations` by version ARN). It names exactly the functions
that have (or keep for a few hours) replicas, at the cost of one call, where the alternatives cost
more: the replica metrics of every idle us-east-1 function in every region, or one IAM read per
role to find trust in `edgelambda.amazonaws.com` (which says a function *may* be replicated, not
that it is). Only for associated functions that recorded no invocation in us-east-1 are the
replica metrics read: one batched `GetMetricData` per enabled region (`ec2:DescribeRegions`).
Collect records what it read (`Inventory.edge`, the EDGE part: collect/parts/edge.py);
lambdaops.analysis.activity folds it into each function's status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from lambdaops.collect.cloudwatch import MetricQuery, get_metric_data
from lambdaops.collect.guard import error_record
from lambdaops.model import ErrorRecord

OPERATIONS = ("cloudfront:ListDistributions", "ec2:DescribeRegions", "cloudwatch:GetMetricData")

EDGE_HOME = "us-east-1"  # Lambda@Edge functions can only be created here
GLOBAL = "global"


@dataclass
class EdgeAssociations:
    by_function: dict[str, list[str]] = field(default_factory=dict)  # unqualified ARN -> distribution ids
    error: ErrorRecord | None = None


def unqualified(arn: str) -> str:
    """arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] -> without the qualifier."""
    parts = arn.split(":")
    return ":".join(parts[:7])


def _behaviours(dist: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield dist.get("DefaultCacheBehavior") or {}
    yield from (dist.get("CacheBehaviors") or {}).get("Items") or []


def list_associations(client: Any, account_id: str) -> EdgeAssociations:
    """Every Lambda@Edge association of the account's distributions, pages followed by hand."""
    from botocore.exceptions import BotoCoreError, ClientError

    out = EdgeAssociations()
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"MaxItems": "1000"}
        if marker:
            kwargs["Marker"] = marker
        try:
            page = client.list_distributions(**kwargs).get("DistributionList") or {}
        except (ClientError, BotoCoreError) as exc:
            out.error = error_record(exc, account_id, GLOBAL, "cloudfront:ListDistributions")
            return out
        for dist in page.get("Items") or []:
            for behaviour in _behaviours(dist):
                for assoc in (behaviour.get("LambdaFunctionAssociations") or {}).get("Items") or []:
                    arn = unqualified(str(assoc.get("LambdaFunctionARN", "")))
                    ids = out.by_function.setdefault(arn, [])
                    if dist.get("Id") and dist["Id"] not in ids:
                        ids.append(str(dist["Id"]))
        if not page.get("IsTruncated"):
            return out
        marker = page.get("NextMarker")
        if not marker:
            return out


def replica_name(name: str) -> str:
    return f"{EDGE_HOME}.{name}"


@dataclass
class ReplicaActivity:
    invocations: dict[str, float] = field(default_factory=dict)  # function name -> sum over regions
    last: dict[str, datetime] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    errors: list[ErrorRecord] = field(default_factory=list)
    calls: int = 0


def replica_invocations(
    clients: dict[str, Any],
    names: Sequence[str],
    start: datetime,
    end: datetime,
    period: int,
    account_id: str,
) -> ReplicaActivity:
    """The replicas' Invocations in every region given (region -> CloudWatch client), batched."""
    out = ReplicaActivity()
    for region, client in sorted(clients.items()):
        queries = [
            MetricQuery(
                key=name,
                namespace="AWS/Lambda",
                metric="Invocations",
                dimensions=(("FunctionName", replica_name(name)),),
                stat="Sum",
                period=period,
            )
            for name in names
        ]
        result = get_metric_data(client, queries, start, end, account_id, region)
        out.calls += result.calls
        out.errors.extend(result.errors)
        for name in names:
            if name in result.failed or name not in result.values:
                out.unreadable.add(name)
                continue
            points = [(ts, v) for ts, v in result.values[name] if v > 0 and ts >= start]
            if points:
                out.invocations[name] = out.invocations.get(name, 0.0) + sum(v for _, v in points)
                latest = max(ts for ts, _ in points)
                out.last[name] = max(out.last.get(name, latest), latest)
    return out


def record_account_edge(
    client: Callable[[str, str], Any], account_id: str, inv: Any, now: datetime, days: int
) -> None:
    """Record one account's Lambda@Edge associations and replica metrics in `inv.edge` (judged in
    analysis.activity); `client(service, region)` gives the account's clients.

    `inv` holds the account's gathered `functions` and `invocations` (the EDGE part runs after them,
    collect/parts/edge.py). When its us-east-1 was read: one ListDistributions pass; only for an
    associated function that recorded no invocation and no throttle in us-east-1 are its replicas'
    Invocations read, in every enabled region. What could not be read is recorded as such
    (distributions None, complete False), never as zero.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from lambdaops.collect.invocations import grid_floor, window_period
    from lambdaops.collect.scope import enabled_regions
    from lambdaops.inventory import EdgeReplicas

    home = inv.functions.get((account_id, EDGE_HOME))
    if not home:
        return
    found = list_associations(client("cloudfront", EDGE_HOME), account_id)
    if found.error is not None:
        inv.errors.append(found.error)
        for fn in home:  # which of them CloudFront replicates is unknown
            inv.edge[fn.arn] = EdgeReplicas(distributions=None)
        return
    edge = [fn for fn in home if fn.arn in found.by_function]
    for fn in edge:
        inv.edge[fn.arn] = EdgeReplicas(distributions=tuple(sorted(found.by_function[fn.arn])))
    idle = [fn for fn in edge if _no_calls_at_home(inv.invocations.get(fn.arn))]
    if not idle:
        return
    try:
        regions = enabled_regions(client("ec2", EDGE_HOME))
    except (ClientError, BotoCoreError) as exc:
        inv.errors.append(error_record(exc, account_id, GLOBAL, "ec2:DescribeRegions"))
        for fn in idle:
            inv.edge[fn.arn] = replace(inv.edge[fn.arn], complete=False)
        return
    end = now.replace(second=0, microsecond=0)
    period = window_period(days)
    start = grid_floor(end - timedelta(days=days), period)
    clients = {r: client("cloudwatch", r) for r in regions}
    replicas = replica_invocations(clients, [fn.name for fn in idle], start, end, period, account_id)
    inv.errors.extend(replicas.errors)
    for fn in idle:
        inv.edge[fn.arn] = replace(
            inv.edge[fn.arn],
            window_sum=replicas.invocations.get(fn.name, 0.0),
            last_invocation=replicas.last.get(fn.name),
            complete=fn.name not in replicas.unreadable,
        )


def _no_calls_at_home(metrics: Any) -> bool:
    """Read, and neither an invocation nor a throttle in us-east-1: worth reading its replicas."""
    return (
        metrics is not None
        and metrics.window_sum is not None
        and metrics.throttles is not None
        and metrics.window_sum <= 0
        and metrics.throttles <= 0
    )
