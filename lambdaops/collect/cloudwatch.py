"""Batched CloudWatch GetMetricData: as few calls as the API allows.

Each call holds at most 500 queries and asks for at most 100,800 datapoints (queries x buckets);
NextToken pages are followed and merged by query id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lambdaops.collect.guard import error_record
from lambdaops.model import ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

OPERATIONS = ("cloudwatch:GetMetricData",)

MAX_QUERIES_PER_CALL = 500
MAX_DATAPOINTS_PER_CALL = 100_800


@dataclass(frozen=True)
class MetricQuery:
    key: str  # caller's key (e.g. a function ARN); the API id is generated
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    period: int


@dataclass
class MetricResult:
    """Datapoints by query key; `failed` holds keys whose data could not be read."""

    values: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    errors: list[ErrorRecord] = field(default_factory=list)
    calls: int = 0


def buckets(start: datetime, end: datetime, period: int) -> int:
    return max(1, math.ceil((end - start).total_seconds() / period))


def plan_batches(queries: Sequence[MetricQuery], start: datetime, end: datetime) -> list[list[MetricQuery]]:
    """Greedy packing under both per-call limits, in input order."""
    batches: list[list[MetricQuery]] = []
    current: list[MetricQuery] = []
    points = 0
    for q in queries:
        cost = buckets(start, end, q.period)
        if cost > MAX_DATAPOINTS_PER_CALL:
            raise ValueError(f"query {q.key} alone asks for {cost} datapoints")
        if current and (len(current) >= MAX_QUERIES_PER_CALL or points + cost > MAX_DATAPOINTS_PER_CALL):
            batches.append(current)
            current, points = [], 0
        current.append(q)
        points += cost
    if current:
        batches.append(current)
    return batches


def get_metric_data(
    client: CloudWatchClient,
    queries: Sequence[MetricQuery],
    start: datetime,
    end: datetime,
    account_id: str,
    region: str,
) -> MetricResult:
    result = MetricResult()
    for batch in plan_batches(queries, start, end):
        ids = {f"m{i}": q for i, q in enumerate(batch)}
        request: list[Any] = [
            {
                "Id": qid,
                "MetricStat": {
                    "Metric": {
                        "Namespace": q.namespace,
                        "MetricName": q.metric,
                        "Dimensions": [{"Name": n, "Value": v} for n, v in q.dimensions],
                    },
                    "Period": q.period,
                    "Stat": q.stat,
                },
                "ReturnData": True,
            }
            for qid, q in ids.items()
        ]
        collected: dict[str, list[tuple[datetime, float]]] = {qid: [] for qid in ids}
        bad: set[str] = set()
        token: str | None = None
        from botocore.exceptions import BotoCoreError, ClientError

        while True:
            kwargs: dict[str, Any] = {
                "MetricDataQueries": request,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampDescending",
            }
            if token:
                kwargs["NextToken"] = token
            try:
                resp = client.get_metric_data(**kwargs)
                result.calls += 1
            except (ClientError, BotoCoreError) as exc:
                result.errors.append(error_record(exc, account_id, region, "cloudwatch:GetMetricData"))
                bad.update(ids)
                break
            for item in resp.get("MetricDataResults", []):
                qid = str(item.get("Id"))
                if qid not in collected:
                    continue
                status = item.get("StatusCode", "Complete")
                if status in ("InternalError", "Forbidden"):
                    bad.add(qid)
                collected[qid].extend(
                    zip(item.get("Timestamps", []), (float(v) for v in item.get("Values", [])), strict=False)
                )
            token = resp.get("NextToken")
            if not token:
                break
        for qid, q in ids.items():
            if qid in bad:
                result.failed.add(q.key)
            else:
                result.values[q.key] = collected[qid]
    return result
