"""When was each function last invoked? From the AWS/Lambda Invocations metric, not from logs.

Two passes per region, both batched GetMetricData:
1. the window [now - days, now) in buckets starting exactly at the window start, so the window sum
   is exact (to the minute within CloudWatch's 15-day 1-minute retention); the bucket is the
   finest whole number of hours that still fits 500 queries in one call (1 to 24 hours), so the
   latest non-empty bucket dates an active function's last invocation to within hours;
2. for functions with nothing in the window only, the look-back [now - 455 days, window start) in
   daily buckets (hourly-aligned start: CloudWatch keeps 1-hour data 455 days, and a query starting
   more than 63 days back needs a period that is a multiple of 3600).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from lambdaops.collect.cloudwatch import (
    MAX_DATAPOINTS_PER_CALL,
    MAX_QUERIES_PER_CALL,
    MetricQuery,
    get_metric_data,
)
from lambdaops.inventory import FunctionInfo
from lambdaops.model import ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

DAY = 86400
HOUR = 3600
RETENTION_DAYS = 455


@dataclass(frozen=True)
class InvocationData:
    window_sum: float | None  # None: unreadable
    last_invocation: datetime | None


@dataclass
class InvocationResult:
    by_arn: dict[str, InvocationData]
    errors: list[ErrorRecord]
    calls: int


def window_period(days: int) -> int:
    """Finest whole-hour bucket with which 500 queries fit one call's 100,800 datapoints."""
    per_query = MAX_DATAPOINTS_PER_CALL // MAX_QUERIES_PER_CALL
    hours = math.ceil(days * 24 / per_query)
    return min(DAY, max(HOUR, hours * HOUR))


def _query(fn: FunctionInfo, period: int = DAY) -> MetricQuery:
    return MetricQuery(
        key=fn.arn,
        namespace="AWS/Lambda",
        metric="Invocations",
        dimensions=(("FunctionName", fn.name),),
        stat="Sum",
        period=period,
    )


def _latest(points: Sequence[tuple[datetime, float]]) -> datetime | None:
    hits = [ts for ts, value in points if value > 0]
    return max(hits) if hits else None


def lookback_start(now: datetime) -> datetime:
    start = now - timedelta(days=RETENTION_DAYS)
    # Round up to the hour so the start stays inside the 455-day retention.
    rounded = start.replace(minute=0, second=0, microsecond=0)
    return rounded if rounded == start else rounded + timedelta(hours=1)


def collect_invocations(
    client: CloudWatchClient,
    functions: Sequence[FunctionInfo],
    now: datetime,
    days: int,
    account_id: str,
    region: str,
) -> InvocationResult:
    end = now.replace(second=0, microsecond=0)
    window_start = end - timedelta(days=days)
    queries = [_query(fn, window_period(days)) for fn in functions]
    window = get_metric_data(client, queries, window_start, end, account_id, region)
    errors = list(window.errors)
    calls = window.calls
    out: dict[str, InvocationData] = {}
    idle: list[FunctionInfo] = []
    for fn in functions:
        if fn.arn in window.failed or fn.arn not in window.values:
            out[fn.arn] = InvocationData(window_sum=None, last_invocation=None)
            continue
        points = window.values[fn.arn]
        total = sum(v for _, v in points)
        if total > 0:
            out[fn.arn] = InvocationData(window_sum=total, last_invocation=_latest(points))
        else:
            idle.append(fn)
    deep_start = lookback_start(end)
    if idle and deep_start < window_start:
        deep = get_metric_data(
            client, [_query(fn) for fn in idle], deep_start, window_start, account_id, region
        )
        errors.extend(deep.errors)
        calls += deep.calls
        for fn in idle:
            if fn.arn in deep.failed or fn.arn not in deep.values:
                # The window itself was read (zero): the function is idle, but its last
                # invocation could not be dated. Kept as unreadable so it is never called inactive
                # on partial data.
                out[fn.arn] = InvocationData(window_sum=None, last_invocation=None)
            else:
                out[fn.arn] = InvocationData(window_sum=0.0, last_invocation=_latest(deep.values[fn.arn]))
    else:
        for fn in idle:
            out[fn.arn] = InvocationData(window_sum=0.0, last_invocation=None)
    return InvocationResult(by_arn=out, errors=errors, calls=calls)
