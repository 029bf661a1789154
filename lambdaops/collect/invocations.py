"""When was each function last invoked? From the AWS/Lambda Invocations metric, not from logs.

Batched GetMetricData, per region:
1. the window: buckets of P hours (P divides a day: 1, 2, 3, 4, 6, 8, 12 or 24, the finest with which
   500 queries still fit one call's 100,800 datapoints) on a fixed UTC grid anchored at midnight,
   from the grid line at or before the window start up to now. Every bucket after the first lies
   wholly inside the window;
2. only for functions whose sole invocations fall in that first bucket, which straddles the window
   start: one exact query over [window start, end of that bucket), so the window sum stays exact (to
   the minute within CloudWatch's 15-day 1-minute retention);
Throttles ride in the same window calls: one single-bucket `Throttles` query per function next to
its `Invocations` query. AWS does not count a throttled request in `Invocations` ("Invocations
aren't recorded if the invocation request is throttled", AWS Lambda Developer Guide, "Types of
metrics for Lambda functions", docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html,
read 2026-12-06), so a function reserved at 0, or starved by the pool, shows Throttles and no
Invocations while callers hit it: it is `throttled`, never `inactive`. The other per-function
signals need no query: `Errors` counts invocations that ran (a subset of `Invocations`, same page),
`ConcurrentExecutions` counts instances processing events (they were invoked), and an asynchronous
event that is dropped or dead-lettered without ever running was throttled first (or ran and
errored), which the two queries already see.

With the run_metrics part (lambda-error-rate-high, lambda-timeouts), two more single-bucket queries per
function ride in the same window calls: `Errors` (Sum) and `Duration` (Maximum) over the same span as
Throttles. No call is made per function; the window calls hold 4 queries per function instead of 2, so
a region of N functions needs ceil(4N / 500) window calls instead of ceil(2N / 500).

3. only for functions with nothing in the window: the look-back from the first UTC midnight inside
   the 455-day retention up to the window's first bucket, in daily buckets anchored at midnight (a
   query starting more than 63 days back needs a period that is a multiple of 3600).

Because every bucket sits on a fixed UTC grid, a function's reported last invocation (the start of
its latest non-empty bucket) is the same whenever lambdaops runs: reports of the same account state
stay equal, and shards run minutes apart merge cleanly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from lambdaops.collect.cloudwatch import (
    MAX_DATAPOINTS_PER_CALL,
    MAX_QUERIES_PER_CALL,
    MetricQuery,
    MetricResult,
    get_metric_data,
)
from lambdaops.inventory import FunctionInfo
from lambdaops.model import ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

DAY = 86400
HOUR = 3600
RETENTION_DAYS = 455
GRID_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)  # bucket sizes that tile a UTC day


@dataclass(frozen=True)
class InvocationData:
    window_sum: float | None  # None: unreadable
    last_invocation: datetime | None
    # Throttles from the window's first grid line to now (None: unreadable). It may take in up to one
    # bucket before the window start: on the safe side (a function throttled then is not pruned).
    throttles: float | None = 0.0
    # run_metrics only (None: not asked for, or unreadable): over the span Throttles covers.
    errors: float | None = None
    span_invocations: float | None = None
    max_duration_ms: float | None = None


@dataclass
class InvocationResult:
    by_arn: dict[str, InvocationData]
    errors: list[ErrorRecord]
    calls: int


def window_period(days: int) -> int:
    """Finest day-tiling bucket with which 500 window queries fit one call's 100,800 datapoints.

    The window query spans at most days*24/P + 1 buckets (the first one straddles the window start).
    """
    per_query = MAX_DATAPOINTS_PER_CALL // MAX_QUERIES_PER_CALL
    for hours in GRID_HOURS:
        if days * 24 / hours + 1 <= per_query:
            return hours * HOUR
    return DAY


def grid_floor(moment: datetime, period: int) -> datetime:
    """The grid line (anchored at UTC midnight, `period` seconds apart) at or before `moment`."""
    midnight = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    offset = int((moment - midnight).total_seconds()) // period * period
    return midnight + timedelta(seconds=offset)


def lookback_start(now: datetime) -> datetime:
    """The first UTC midnight inside CloudWatch's 455-day retention."""
    start = now - timedelta(days=RETENTION_DAYS)
    midnight = grid_floor(start, DAY)
    return midnight if midnight == start else midnight + timedelta(days=1)


def exact_period(start: datetime, span: timedelta, now: datetime) -> int:
    """One bucket covering `span` from `start`, in the period granularity CloudWatch allows there."""
    age = now - start
    unit = 60 if age <= timedelta(days=15) else 300 if age <= timedelta(days=63) else 3600
    return max(unit, math.ceil(span.total_seconds() / unit) * unit)


def _query(fn: FunctionInfo, period: int) -> MetricQuery:
    return MetricQuery(
        key=fn.arn,
        namespace="AWS/Lambda",
        metric="Invocations",
        dimensions=(("FunctionName", fn.name),),
        stat="Sum",
        period=period,
    )


THROTTLES_KEY = "throttles:"  # prefixes a function ARN: the key of its Throttles query
ERRORS_KEY = "errors:"
DURATION_KEY = "duration:"


def _throttles_query(
    fn: FunctionInfo,
    start: datetime,
    end: datetime,
    key: str = THROTTLES_KEY,
    metric: str = "Throttles",
    stat: str = "Sum",
) -> MetricQuery:
    """One bucket over [start, end): one datapoint per function, whatever the window's length."""
    return MetricQuery(
        key=key + fn.arn,
        namespace="AWS/Lambda",
        metric=metric,
        dimensions=(("FunctionName", fn.name),),
        stat=stat,
        period=exact_period(start, end - start, end),
    )


def _run_queries(fn: FunctionInfo, start: datetime, end: datetime) -> list[MetricQuery]:
    # Errors: "the number of invocations that result in a function error" (Sum); Duration: processing
    # time in milliseconds (Maximum). AWS Lambda Developer Guide, "Types of metrics for Lambda
    # functions", docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html, read 2026-12-06.
    return [
        _throttles_query(fn, start, end, ERRORS_KEY, "Errors", "Sum"),
        _throttles_query(fn, start, end, DURATION_KEY, "Duration", "Maximum"),
    ]


def _single(result: MetricResult, key: str, combine: Callable[[list[float]], float]) -> float | None:
    if key in result.failed or key not in result.values:
        return None
    values = [v for _, v in result.values[key]]
    return combine(values) if values else 0.0


def _latest(points: Sequence[tuple[datetime, float]]) -> datetime | None:
    hits = [ts for ts, value in points if value > 0]
    return max(hits) if hits else None


def collect_invocations(
    client: CloudWatchClient,
    functions: Sequence[FunctionInfo],
    now: datetime,
    days: int,
    account_id: str,
    region: str,
    run_metrics: bool = False,
) -> InvocationResult:
    end = now.replace(second=0, microsecond=0)
    window_start = end - timedelta(days=days)
    period = window_period(days)
    first = grid_floor(window_start, period)  # the first bucket; it straddles window_start unless equal
    straddles = first < window_start
    queries = [_query(fn, period) for fn in functions] + [
        _throttles_query(fn, first, end) for fn in functions
    ]
    if run_metrics:
        queries += [q for fn in functions for q in _run_queries(fn, first, end)]
    window = get_metric_data(client, queries, first, end, account_id, region)
    run: dict[str, tuple[float | None, float | None, float | None]] = {}
    for fn in functions:
        if not run_metrics:
            break
        readable = fn.arn not in window.failed and fn.arn in window.values
        span = sum(v for _, v in window.values[fn.arn]) if readable else None
        run[fn.arn] = (
            _single(window, ERRORS_KEY + fn.arn, sum),
            span,
            _single(window, DURATION_KEY + fn.arn, max),
        )
    errors = list(window.errors)
    calls = window.calls
    out: dict[str, InvocationData] = {}
    ambiguous: list[FunctionInfo] = []  # invoked in the straddling bucket only: before or after the start?
    idle: list[FunctionInfo] = []
    throttles: dict[str, float | None] = {}
    for fn in functions:
        tkey = THROTTLES_KEY + fn.arn
        unread = tkey in window.failed or tkey not in window.values
        throttles[fn.arn] = None if unread else sum(v for _, v in window.values[tkey])
        if fn.arn in window.failed or fn.arn not in window.values:
            out[fn.arn] = InvocationData(None, None, throttles[fn.arn])
            continue
        points = window.values[fn.arn]
        inside = sum(v for ts, v in points if ts >= window_start)
        edge = sum(v for ts, v in points if ts < window_start)
        if inside > 0:
            out[fn.arn] = InvocationData(
                window_sum=inside, last_invocation=_latest(points), throttles=throttles[fn.arn]
            )
        elif straddles and edge > 0:
            ambiguous.append(fn)
        else:
            idle.append(fn)

    if ambiguous:
        edge_end = first + timedelta(seconds=period)
        exact = get_metric_data(
            client,
            [_query(fn, exact_period(window_start, edge_end - window_start, end)) for fn in ambiguous],
            window_start,
            edge_end,
            account_id,
            region,
        )
        errors.extend(exact.errors)
        calls += exact.calls
        for fn in ambiguous:
            if fn.arn in exact.failed or fn.arn not in exact.values:
                out[fn.arn] = InvocationData(
                    window_sum=None, last_invocation=None, throttles=throttles[fn.arn]
                )
                continue
            # Either way the last invocation lies in the first grid bucket.
            total = sum(v for _, v in exact.values[fn.arn])
            out[fn.arn] = InvocationData(window_sum=total, last_invocation=first, throttles=throttles[fn.arn])

    deep_start = lookback_start(end)
    if idle and deep_start < first:
        deep = get_metric_data(
            client, [_query(fn, DAY) for fn in idle], deep_start, first, account_id, region
        )
        errors.extend(deep.errors)
        calls += deep.calls
        for fn in idle:
            if fn.arn in deep.failed or fn.arn not in deep.values:
                # The window itself was read (zero): the function is idle, but its last invocation
                # could not be dated. Kept as unreadable so it is never called inactive on partial data.
                out[fn.arn] = InvocationData(
                    window_sum=None, last_invocation=None, throttles=throttles[fn.arn]
                )
            else:
                out[fn.arn] = InvocationData(
                    window_sum=0.0, last_invocation=_latest(deep.values[fn.arn]), throttles=throttles[fn.arn]
                )
    else:
        for fn in idle:
            out[fn.arn] = InvocationData(window_sum=0.0, last_invocation=None, throttles=throttles[fn.arn])
    if run_metrics:
        for arn, data in out.items():
            errs, span, longest = run.get(arn, (None, None, None))
            out[arn] = replace(data, errors=errs, span_invocations=span, max_duration_ms=longest)
    return InvocationResult(by_arn=out, errors=errors, calls=calls)
