"""What each function used over the cost window, for `cost`: batched CloudWatch reads, no per-function call.

Per region:
1. `ListMetrics` (paginated, 500 a page) for `ProvisionedConcurrencyUtilization`: the functions
   with provisioned concurrency are the ones with that metric (Lambda publishes it, with
   dimensions FunctionName and Resource, for each version or alias with provisioned concurrency:
   AWS Lambda Developer Guide, "Monitoring concurrency", Provisioned concurrency metrics,
   docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html, read 2026-12-06). ListMetrics
   lists metrics with data in the past two weeks: a config removed earlier than that is not seen.
2. `GetMetricData` (cloudwatch.get_metric_data: 500 queries a call): for every function its
   `Invocations` and `Duration` sums over the window (one bucket each); for every provisioned
   config its `ProvisionedConcurrencyUtilization` hourly averages (the hours with data are the hours
   it was configured), the window's maximum, and its `ProvisionedConcurrencyInvocations` sum.
3. `ListProvisionedConcurrencyConfigs` only for the functions step 1 found (the amount configured is
   no metric), unless the concurrency part already read them.

The window ends at the last full UTC hour and spans `days` x 24 hours, so every period is a whole
number of hours (valid for data of any age CloudWatch keeps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from lambdaops.collect.cloudwatch import MetricQuery, get_metric_data
from lambdaops.collect.guard import error_record
from lambdaops.collect.invocations import grid_floor
from lambdaops.inventory import CostMetrics, FunctionInfo, ProvisionedConfig, ProvisionedUsage
from lambdaops.model import ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

OPERATIONS = ("cloudwatch:ListMetrics", "cloudwatch:GetMetricData")

HOUR = 3600
UTILIZATION = "ProvisionedConcurrencyUtilization"


@dataclass
class CostResult:
    by_arn: dict[str, CostMetrics] = field(default_factory=dict)  # absent: unreadable
    provisioned_functions: list[FunctionInfo] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    calls: int = 0


def cost_window(now: datetime, days: int) -> tuple[datetime, datetime]:
    end = grid_floor(now, HOUR)
    return end - timedelta(days=days), end


def provisioned_resources(
    client: CloudWatchClient, names: set[str], account_id: str, region: str
) -> tuple[dict[str, set[str]] | None, ErrorRecord | None, int]:
    """function name -> the qualifiers with provisioned-concurrency metrics (None: unreadable)."""
    from botocore.exceptions import BotoCoreError, ClientError

    found: dict[str, set[str]] = {}
    calls = 0
    try:
        pages = client.get_paginator("list_metrics").paginate(Namespace="AWS/Lambda", MetricName=UTILIZATION)
        for page in pages:
            calls += 1
            for metric in page.get("Metrics", []):
                dims = {d.get("Name"): d.get("Value") for d in metric.get("Dimensions", [])}
                name, resource = dims.get("FunctionName"), dims.get("Resource")
                if name in names and resource:
                    # Resource is "name:qualifier" (an alias or a version)
                    found.setdefault(str(name), set()).add(str(resource).rpartition(":")[2])
    except (ClientError, BotoCoreError) as exc:
        return None, error_record(exc, account_id, region, "cloudwatch:ListMetrics"), calls
    return found, None, calls


def _q(
    key: str, fn: FunctionInfo, metric: str, stat: str, period: int, qualifier: str | None = None
) -> MetricQuery:
    dims: tuple[tuple[str, str], ...] = (("FunctionName", fn.name),)
    if qualifier is not None:
        dims = (*dims, ("Resource", f"{fn.name}:{qualifier}"))
    return MetricQuery(key, "AWS/Lambda", metric, dims, stat, period)


def collect_cost_metrics(
    client: CloudWatchClient,
    functions: Sequence[FunctionInfo],
    now: datetime,
    days: int,
    account_id: str,
    region: str,
    configs: Mapping[str, list[ProvisionedConfig]] | None = None,
    read_configs: Any = None,
) -> CostResult:
    """`configs`: the provisioned configs already read (by ARN); `read_configs(functions)` reads
    them for the functions with provisioned-concurrency metrics and returns (values, errors)."""
    result = CostResult()
    start, end = cost_window(now, days)
    whole = int((end - start).total_seconds())
    by_name = {fn.name: fn for fn in functions}
    resources, error, calls = provisioned_resources(client, set(by_name), account_id, region)
    result.calls += calls
    if error is not None:
        # Without the list, a function's provisioned concurrency is unknown: its cost is unknown.
        result.errors.append(error)
        return result
    assert resources is not None
    queries: list[MetricQuery] = []
    for fn in functions:
        queries.append(_q(f"inv|{fn.arn}", fn, "Invocations", "Sum", whole))
        queries.append(_q(f"dur|{fn.arn}", fn, "Duration", "Sum", whole))
        for qualifier in sorted(resources.get(fn.name, ())):
            key = f"{fn.arn}|{qualifier}"
            queries.append(_q(f"pcu|{key}", fn, UTILIZATION, "Average", HOUR, qualifier))
            queries.append(_q(f"pcm|{key}", fn, UTILIZATION, "Maximum", whole, qualifier))
            queries.append(_q(f"pci|{key}", fn, "ProvisionedConcurrencyInvocations", "Sum", whole, qualifier))
    data = get_metric_data(client, queries, start, end, account_id, region)
    result.calls += data.calls
    result.errors.extend(data.errors)

    provisioned_fns = [by_name[name] for name in sorted(resources)]
    result.provisioned_functions = provisioned_fns
    known: dict[str, list[ProvisionedConfig]] = dict(configs or {})
    missing = [fn for fn in provisioned_fns if fn.arn not in known]
    unreadable_configs: set[str] = set()
    if missing and read_configs is not None:
        values, errors = read_configs(missing)
        known.update(values)
        result.errors.extend(errors)
        unreadable_configs = {fn.arn for fn in missing if fn.arn not in values}

    def total(key: str) -> float | None:
        if key in data.failed or key not in data.values:
            return None
        return sum(v for _, v in data.values[key])

    for fn in functions:
        invocations, duration = total(f"inv|{fn.arn}"), total(f"dur|{fn.arn}")
        if invocations is None or duration is None:
            continue  # unreadable: unknown, never 0
        if fn.arn in unreadable_configs:
            continue
        amounts = {c.qualifier: c.requested for c in known.get(fn.arn, [])}
        usages: list[ProvisionedUsage] = []
        ok = True
        for qualifier in sorted(set(resources.get(fn.name, ())) | set(amounts)):
            key = f"{fn.arn}|{qualifier}"
            hourly_key = f"pcu|{key}"
            if qualifier in resources.get(fn.name, ()) and (
                hourly_key in data.failed or f"pcm|{key}" in data.failed or f"pci|{key}" in data.failed
            ):
                ok = False
                break
            hourly = [v for _, v in data.values.get(hourly_key, [])]
            peaks = [v for _, v in data.values.get(f"pcm|{key}", [])]
            # Lambda reports utilization as a fraction (0..1); some consoles show percent.
            usages.append(
                ProvisionedUsage(
                    qualifier=qualifier,
                    allocated=amounts.get(qualifier),
                    configured_seconds=len(hourly) * HOUR,
                    utilization_avg=sum(hourly) / len(hourly) if hourly else None,
                    utilization_max=max(peaks) if peaks else None,
                    invocations=total(f"pci|{key}") or 0.0,
                )
            )
        if not ok:
            continue
        result.by_arn[fn.arn] = CostMetrics(
            window_start=start,
            window_end=end,
            invocations=invocations,
            duration_ms=duration,
            provisioned=tuple(usages),
        )
    return result
