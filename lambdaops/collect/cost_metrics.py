"""What each function used over the cost window, for `cost`: batched CloudWatch reads.

Per region:
1. `GetMetricData` (cloudwatch.get_metric_data: 500 queries a call): for every function its
   `Invocations` and `Duration` sums over the window (one bucket each).
2. Provisioned concurrency: the amount configured is no metric, and an idle config publishes no
   `ProvisionedConcurrencyUtilization` at all (its scale-in alarms sit in INSUFFICIENT_DATA, as
   users of target tracking report), so metrics cannot find it. It needs a published version
   (AWS Lambda Developer Guide, "Configuring provisioned concurrency": not on $LATEST), and the
   functions part lists every version in its ListFunctions pass: `ListProvisionedConcurrencyConfigs`
   is asked only for functions with a published version (none for the rest), unless the
   concurrency part already read them.
3. For each config found, in one more batched `GetMetricData`: `ProvisionedConcurrencyUtilization`
   hourly averages (hours without data count as 0: nothing used it), its maximum, and
   `ProvisionedConcurrencyInvocations` (dimensions FunctionName and Resource = "name:qualifier":
   "Monitoring concurrency", docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html,
   read 2026-12-06).

The window ends at the last full UTC hour and spans `days` x 24 hours, so every period is a whole
number of hours (valid for data of any age CloudWatch keeps). A config's time in the window runs
from its LastModified (or the window start) to the window end: a config removed inside the window,
or an amount changed, is not seen as it was (docs/cost.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from lambdaops.collect.cloudwatch import MetricQuery, get_metric_data
from lambdaops.collect.invocations import grid_floor
from lambdaops.inventory import CostMetrics, FunctionInfo, ProvisionedConfig, ProvisionedUsage
from lambdaops.model import ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

OPERATIONS = ("cloudwatch:GetMetricData",)

HOUR = 3600
UTILIZATION = "ProvisionedConcurrencyUtilization"

ReadConfigs = Callable[
    [Sequence[FunctionInfo]], tuple[Mapping[str, list[ProvisionedConfig]], list[ErrorRecord]]
]


@dataclass
class CostResult:
    by_arn: dict[str, CostMetrics] = field(default_factory=dict)  # absent: unreadable
    errors: list[ErrorRecord] = field(default_factory=list)
    calls: int = 0


def cost_window(now: datetime, days: int) -> tuple[datetime, datetime]:
    end = grid_floor(now, HOUR)
    return end - timedelta(days=days), end


def _q(
    key: str, fn: FunctionInfo, metric: str, stat: str, period: int, qualifier: str | None = None
) -> MetricQuery:
    dims: tuple[tuple[str, str], ...] = (("FunctionName", fn.name),)
    if qualifier is not None:
        dims = (*dims, ("Resource", f"{fn.name}:{qualifier}"))
    return MetricQuery(key, "AWS/Lambda", metric, dims, stat, period)


def provisioned_candidates(
    functions: Sequence[FunctionInfo], versions: Mapping[str, Any]
) -> list[FunctionInfo]:
    """Functions that may have provisioned concurrency: those with a published version, and those
    whose versions are unknown (the listing broke off): never skipped on a guess."""
    return [fn for fn in functions if fn.arn not in versions or versions[fn.arn]]


def configured_seconds(config: ProvisionedConfig, start: datetime, end: datetime) -> float:
    since = start if config.last_modified is None else max(start, config.last_modified)
    return max(0.0, (end - since).total_seconds())


def collect_cost_metrics(
    client: CloudWatchClient,
    functions: Sequence[FunctionInfo],
    now: datetime,
    days: int,
    account_id: str,
    region: str,
    configs: Mapping[str, list[ProvisionedConfig]],
    unread_configs: set[str],
) -> CostResult:
    """`configs`: each function's provisioned configs, by ARN (no entry: it has none);
    `unread_configs`: the ARNs whose configs could not be read (their cost is unknown)."""
    result = CostResult()
    start, end = cost_window(now, days)
    whole = int((end - start).total_seconds())
    queries: list[MetricQuery] = []
    for fn in functions:
        queries.append(_q(f"inv|{fn.arn}", fn, "Invocations", "Sum", whole))
        queries.append(_q(f"dur|{fn.arn}", fn, "Duration", "Sum", whole))
        for config in configs.get(fn.arn, []):
            key = f"{fn.arn}|{config.qualifier}"
            queries.append(_q(f"pcu|{key}", fn, UTILIZATION, "Average", HOUR, config.qualifier))
            queries.append(_q(f"pcm|{key}", fn, UTILIZATION, "Maximum", whole, config.qualifier))
            queries.append(
                _q(f"pci|{key}", fn, "ProvisionedConcurrencyInvocations", "Sum", whole, config.qualifier)
            )
    data = get_metric_data(client, queries, start, end, account_id, region)
    result.calls += data.calls
    result.errors.extend(data.errors)

    def points(key: str) -> list[float] | None:
        if key in data.failed or key not in data.values:
            return None
        return [v for _, v in data.values[key]]

    for fn in functions:
        invocations, duration = points(f"inv|{fn.arn}"), points(f"dur|{fn.arn}")
        if invocations is None or duration is None or fn.arn in unread_configs:
            continue  # unreadable: unknown, never 0
        usages: list[ProvisionedUsage] = []
        for config in configs.get(fn.arn, []):
            key = f"{fn.arn}|{config.qualifier}"
            hourly, peaks, served = points(f"pcu|{key}"), points(f"pcm|{key}"), points(f"pci|{key}")
            if hourly is None or peaks is None or served is None:
                break
            seconds = configured_seconds(config, start, end)
            hours = seconds / HOUR
            usages.append(
                ProvisionedUsage(
                    qualifier=config.qualifier,
                    # AWS bills the concurrency configured ("You pay for the amount of concurrency
                    # you configure", pricing page): the requested amount.
                    allocated=config.requested,
                    configured_seconds=seconds,
                    # hours without a datapoint: nothing ran on it (an idle config publishes none)
                    utilization_avg=min(1.0, sum(hourly) / hours) if hours >= 1 else None,
                    utilization_max=max(peaks) if peaks else 0.0,
                    invocations=sum(served),
                )
            )
        else:
            result.by_arn[fn.arn] = CostMetrics(
                window_start=start,
                window_end=end,
                invocations=sum(invocations),
                duration_ms=sum(duration),
                provisioned=tuple(usages),
            )
    return result
