"""Concurrency reads: reservations, provisioned concurrency configs and the concurrency metrics.

The per-function calls (GetFunctionConcurrency, ListProvisionedConcurrencyConfigs) have no batch form,
so each is made only where an aggregate says it can find something:
- reservations only in regions where GetAccountSettings shows something reserved (the caller decides);
- provisioned concurrency only for functions with a published version, found in one paginated
  ListFunctions(FunctionVersion=ALL) pass: provisioned concurrency applies to a version or an alias of
  one, never to $LATEST, so a function without a published version cannot have any.
The metrics come in batched GetMetricData calls: two region-wide queries and two per function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from lambdaops.collect.cloudwatch import MetricQuery, get_metric_data
from lambdaops.collect.fanout import run_all
from lambdaops.collect.guard import error_record
from lambdaops.inventory import FunctionInfo, FunctionMetrics, ProvisionedConfig, RegionMetrics
from lambdaops.model import ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_lambda import LambdaClient

OPERATIONS = (
    "lambda:ListFunctions",
    "lambda:GetFunction",
    "lambda:ListTags",  # GetFunction returns a tagged function's tags only with it
    "lambda:ListProvisionedConcurrencyConfigs",
    "cloudwatch:GetMetricData",
)

LIST_PAGE_SIZE = 50  # ListFunctions' and ListProvisionedConcurrencyConfigs' maximum
HOUR = 3600
CLAIMED_METRIC = "ClaimedAccountConcurrency"
CONCURRENT_METRIC = "ConcurrentExecutions"
THROTTLES_METRIC = "Throttles"
LATEST = "$LATEST"


def unqualified_arn(arn: str) -> str:
    """`arn:aws:lambda:r:a:function:name:qualifier` -> `arn:aws:lambda:r:a:function:name`."""
    parts = arn.split(":")
    return ":".join(parts[:7])


def qualifier_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[7] if len(parts) > 7 else LATEST


def _config_time(text: Any) -> datetime | None:
    """LastModified of a provisioned config (ISO 8601); None when absent or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def provisioned_configs(client: LambdaClient, function_name: str) -> list[ProvisionedConfig]:
    """Every provisioned concurrency config of one function (all its versions and aliases)."""
    out: list[ProvisionedConfig] = []
    paginator = client.get_paginator("list_provisioned_concurrency_configs")
    for page in paginator.paginate(FunctionName=function_name, PaginationConfig={"PageSize": LIST_PAGE_SIZE}):
        for item in page.get("ProvisionedConcurrencyConfigs", []):
            out.append(
                ProvisionedConfig(
                    qualifier=qualifier_of(str(item.get("FunctionArn", ""))),
                    requested=int(item.get("RequestedProvisionedConcurrentExecutions") or 0),
                    allocated=int(item.get("AllocatedProvisionedConcurrentExecutions") or 0),
                    available=int(item.get("AvailableProvisionedConcurrentExecutions") or 0),
                    status=str(item.get("Status") or "UNKNOWN"),
                    last_modified=_config_time(item.get("LastModified")),
                )
            )
    return sorted(out, key=lambda c: c.qualifier)


def reserved_concurrency(client: LambdaClient, function_name: str) -> int | None:
    """The function's reservation; None when it has none (0 is a limit: the function cannot run)."""
    resp = client.get_function_concurrency(FunctionName=function_name)
    value = resp.get("ReservedConcurrentExecutions")
    return None if value is None else int(value)


ACCESS_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})


def reserved_via_get_function(client: LambdaClient, function_name: str) -> int | None:
    """The function's reservation from GetFunction's ``Concurrency`` (None: none; 0 is a limit).

    GetFunction has a bucket of its own (100 requests/s per region, "Lambda quotas"), where
    GetFunctionConcurrency shares the 15/s of the rest of the control plane with ListFunctions,
    GetPolicy's neighbours and every deployment in the account: reading reservations here costs a
    seventh of the time. A hand-made role allowed GetFunctionConcurrency but not GetFunction still
    works: the refused call falls back to GetFunctionConcurrency (the generated read policy has
    GetFunction and not GetFunctionConcurrency, which only the write commands need).
    """
    from botocore.exceptions import ClientError

    try:
        resp = client.get_function(FunctionName=function_name)
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code", "")) in ACCESS_DENIED:
            return reserved_concurrency(client, function_name)
        raise
    value = (resp.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    return None if value is None else int(value)


@dataclass
class LookupResult:
    """Per-function look-ups: values by function ARN; a function whose call failed is absent."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[ErrorRecord] = field(default_factory=list)  # one per (operation, code): collapse_errors
    failed: list[ErrorRecord] = field(default_factory=list)  # one per function, before collapsing


def _per_function(
    functions: Sequence[FunctionInfo],
    call: Callable[[FunctionInfo], Any],
    operation: str,
    workers: int,
    account_id: str,
    region: str,
) -> LookupResult:
    from botocore.exceptions import BotoCoreError, ClientError

    def one(fn: FunctionInfo) -> tuple[str, Any, ErrorRecord | None]:
        try:
            return fn.arn, call(fn), None
        except (ClientError, BotoCoreError) as exc:
            return fn.arn, None, error_record(exc, account_id, region, operation)

    result = LookupResult()
    failed: list[ErrorRecord] = []
    for arn, value, error in run_all(list(functions), one, workers):
        if error is None:
            result.values[arn] = value
        else:
            failed.append(error)
    result.failed = failed
    result.errors = collapse_errors(failed)
    return result


def collapse_errors(errors: Sequence[ErrorRecord]) -> list[ErrorRecord]:
    """One record per (operation, code): a denied per-function call would otherwise repeat per function."""
    firsts: dict[tuple[str, str, str, str], ErrorRecord] = {}
    counts: dict[tuple[str, str, str, str], int] = {}
    for e in errors:
        key = (e.account_id, e.region, e.operation, e.code)
        firsts.setdefault(key, e)
        counts[key] = counts.get(key, 0) + 1
    out = []
    for key, first in firsts.items():
        n = counts[key]
        if n == 1:
            out.append(first)
        else:
            out.append(
                ErrorRecord(
                    first.account_id,
                    first.region,
                    first.operation,
                    first.code,
                    f"{first.message} (and {n - 1} more functions)",
                )
            )
    return out


def lookup_reserved(
    client: LambdaClient, functions: Sequence[FunctionInfo], workers: int, account_id: str, region: str
) -> LookupResult:
    return _per_function(
        functions,
        lambda fn: reserved_via_get_function(client, fn.name),
        "lambda:GetFunction",
        workers,
        account_id,
        region,
    )


def lookup_provisioned(
    client: LambdaClient, functions: Sequence[FunctionInfo], workers: int, account_id: str, region: str
) -> LookupResult:
    return _per_function(
        functions,
        lambda fn: provisioned_configs(client, fn.name),
        "lambda:ListProvisionedConcurrencyConfigs",
        workers,
        account_id,
        region,
    )


# ------------------------------------------------------------------------------------------- metrics


@dataclass
class ConcurrencyMetrics:
    region: RegionMetrics | None  # None: neither region-wide metric could be read
    functions: dict[str, FunctionMetrics]  # by function ARN; absent = unreadable
    errors: list[ErrorRecord]
    calls: int


def metrics_window(now: datetime, days: int) -> tuple[datetime, datetime]:
    """[start, end): end at the minute, start at the hour so every period below divides cleanly."""
    end = now.replace(second=0, microsecond=0)
    start = (end - timedelta(days=days)).replace(minute=0)
    return start, end


def whole_window_period(start: datetime, end: datetime) -> int:
    """One bucket for the whole window, a multiple of an hour (valid for data of any age)."""
    return max(HOUR, math.ceil((end - start).total_seconds() / HOUR) * HOUR)


def _region_query(metric: str) -> MetricQuery:
    # Hourly buckets: the peak's hour is reported; 455 days of them still fit one call.
    return MetricQuery(f"region:{metric}", "AWS/Lambda", metric, (), "Maximum", HOUR)


def _function_queries(fn: FunctionInfo, period: int) -> list[MetricQuery]:
    dims = (("FunctionName", fn.name),)
    return [
        MetricQuery(f"throttles:{fn.arn}", "AWS/Lambda", THROTTLES_METRIC, dims, "Sum", period),
        MetricQuery(f"peak:{fn.arn}", "AWS/Lambda", CONCURRENT_METRIC, dims, "Maximum", period),
    ]


def _peak(points: Sequence[tuple[datetime, float]]) -> tuple[float | None, datetime | None]:
    if not points:
        return None, None
    ts, value = max(points, key=lambda p: (p[1], p[0]))
    return value, ts


def collect_concurrency_metrics(
    client: CloudWatchClient,
    functions: Sequence[FunctionInfo],
    now: datetime,
    days: int,
    account_id: str,
    region: str,
) -> ConcurrencyMetrics:
    """Region peak (ClaimedAccountConcurrency, else region-wide ConcurrentExecutions) and, per function,
    throttles and peak concurrency over the last `days` days."""
    start, end = metrics_window(now, days)
    period = whole_window_period(start, end)
    queries = [_region_query(CLAIMED_METRIC), _region_query(CONCURRENT_METRIC)]
    for fn in functions:
        queries.extend(_function_queries(fn, period))
    result = get_metric_data(client, queries, start, end, account_id, region)

    region_metrics: RegionMetrics | None = None
    claimed_key, concurrent_key = f"region:{CLAIMED_METRIC}", f"region:{CONCURRENT_METRIC}"
    claimed = result.values.get(claimed_key)
    concurrent = result.values.get(concurrent_key)
    if claimed:
        value, at = _peak(claimed)
        region_metrics = RegionMetrics(value, CLAIMED_METRIC, True, at)
    elif concurrent is not None:
        # No ClaimedAccountConcurrency data (older accounts, or nothing ran): the region-wide
        # ConcurrentExecutions is the best peak left; it leaves out reservations and provisioned.
        value, at = _peak(concurrent)
        region_metrics = RegionMetrics(value, CONCURRENT_METRIC, True, at)
    elif claimed is not None:
        region_metrics = RegionMetrics(None, CLAIMED_METRIC, True, None)

    per_function: dict[str, FunctionMetrics] = {}
    for fn in functions:
        throttles = result.values.get(f"throttles:{fn.arn}")
        peak = result.values.get(f"peak:{fn.arn}")
        if throttles is None or peak is None:
            continue  # unreadable: unknown, never "no throttles"
        peak_value, _ = _peak(peak)
        per_function[fn.arn] = FunctionMetrics(
            throttles=sum(v for _, v in throttles), peak_concurrency=peak_value
        )
    return ConcurrencyMetrics(region_metrics, per_function, list(result.errors), result.calls)
