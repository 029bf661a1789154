"""What each function costs, from the collected usage (Inventory.cost_metrics) and a price table.

Lambda's price model (AWS Lambda pricing page, https://aws.amazon.com/lambda/pricing/, read
2026-12-06; the table's own `source` and `read` travel with every report):
- requests: per million invocations;
- duration: GB-seconds = seconds run x configured memory in GB (MB / 1024), per architecture;
- provisioned concurrency: GB-seconds = configured concurrency x memory in GB x seconds configured,
  plus a lower duration rate for the invocations it serves (AWS bills the excess at the on-demand
  rate);
- ephemeral storage: GB-seconds of the storage configured above the free 512 MB x seconds run.

CloudWatch gives one Duration sum per function, not split by who served it: the share served by
provisioned concurrency is taken as ProvisionedConcurrencyInvocations / Invocations (docs/cost.md).
A month is 730 hours, as the AWS Pricing Calculator counts it. The free tier is never subtracted
from a function (it is per account, shared by every region): `free_tier_credit` says how much it
could take off an account's month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lambdaops.inventory import CostMetrics, FunctionInfo, Inventory
from lambdaops.prices import PriceTable

MB_PER_GB = 1024
FREE_EPHEMERAL_MB = 512  # "512 MB of ephemeral storage is available to each Lambda function at no cost"
GROUP = "cost"  # the check group (and scan section) the cost checks belong to
MONTH_SECONDS = 730 * 3600  # the AWS Pricing Calculator's month


@dataclass(frozen=True)
class Usage:
    """One function's billable quantities over a window."""

    requests: float
    duration_seconds: float
    gb_seconds: float  # on-demand duration
    provisioned_duration_gb_seconds: float  # duration served by provisioned concurrency
    provisioned_gb_seconds: float  # provisioned concurrency configured
    ephemeral_gb_seconds: float  # storage above 512 MB, while running


@dataclass
class Priced:
    """Money per component (None where a rate is missing: the gap says which) and the gaps."""

    requests: float | None = 0.0
    duration: float | None = 0.0
    provisioned: float | None = 0.0
    ephemeral: float | None = 0.0
    gaps: list[str] = field(default_factory=list)

    @property
    def total(self) -> float | None:
        parts = (self.requests, self.duration, self.provisioned, self.ephemeral)
        return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)


def memory_gb(memory_mb: int) -> float:
    return memory_mb / MB_PER_GB


def usage_of(fn: FunctionInfo, metrics: CostMetrics) -> Usage:
    gb = memory_gb(fn.memory_mb)
    seconds = metrics.duration_ms / 1000.0
    served = sum(p.invocations for p in metrics.provisioned)
    share = min(1.0, served / metrics.invocations) if metrics.invocations > 0 else 0.0
    extra_storage_gb = max(0, fn.ephemeral_storage_mb - FREE_EPHEMERAL_MB) / MB_PER_GB
    return Usage(
        requests=metrics.invocations,
        duration_seconds=seconds,
        gb_seconds=seconds * gb * (1.0 - share),
        provisioned_duration_gb_seconds=seconds * gb * share,
        provisioned_gb_seconds=sum(
            (p.allocated or 0) * gb * p.configured_seconds for p in metrics.provisioned
        ),
        ephemeral_gb_seconds=seconds * extra_storage_gb,
    )


def price_usage(usage: Usage, region: str, architecture: str, prices: PriceTable) -> Priced:
    """The money for `usage` in `region` on `architecture`; a rate the usage needs and the table
    lacks makes that component None and names the gap (never a silent 0)."""
    rates = prices.regions.get(region)
    if rates is None:
        return Priced(None, None, None, None, [f"no prices for region {region} in the price table"])
    arch = rates.architectures.get(architecture)
    out = Priced(requests=usage.requests / 1_000_000 * rates.requests_per_million)
    if arch is None:
        out.duration = None
        out.gaps.append(f"no {architecture} prices for {region}")
    else:
        out.duration = usage.gb_seconds * arch.duration_gb_s
        if usage.provisioned_duration_gb_seconds > 0:
            if arch.provisioned_duration_gb_s is None:
                out.duration = None
                out.gaps.append(f"no provisioned-concurrency duration price for {region} {architecture}")
            else:
                out.duration += usage.provisioned_duration_gb_seconds * arch.provisioned_duration_gb_s
        if usage.provisioned_gb_seconds > 0:
            if arch.provisioned_gb_s is None:
                out.provisioned = None
                out.gaps.append(f"no provisioned-concurrency price for {region} {architecture}")
            else:
                out.provisioned = usage.provisioned_gb_seconds * arch.provisioned_gb_s
    if usage.ephemeral_gb_seconds > 0:
        if rates.ephemeral_storage_gb_s is None:
            out.ephemeral = None
            out.gaps.append(f"no ephemeral-storage price for {region}")
        else:
            out.ephemeral = usage.ephemeral_gb_seconds * rates.ephemeral_storage_gb_s
    return out


def free_tier_credit(requests: float, gb_seconds: float, region: str, prices: PriceTable) -> float | None:
    """The most the monthly free tier (1M requests, 400,000 GB-s of on-demand x86 duration, per
    account) could take off `requests` and `gb_seconds` at `region`'s x86 rates."""
    rates = prices.regions.get(region)
    if rates is None or "x86_64" not in rates.architectures:
        return None
    free_req = min(requests, prices.free_requests) / 1_000_000 * rates.requests_per_million
    free_gbs = min(gb_seconds, prices.free_gb_seconds) * rates.architectures["x86_64"].duration_gb_s
    return free_req + free_gbs


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def monthly_provisioned(fn: FunctionInfo, metrics: CostMetrics, prices: PriceTable) -> float | None:
    """A month of the provisioned concurrency configured now (0 without any; None: unpriced)."""
    configured = sum(p.allocated or 0 for p in metrics.provisioned)
    if configured == 0:
        return 0.0
    rates = prices.regions.get(fn.region)
    arch = rates.architectures.get(fn.architecture) if rates is not None else None
    if arch is None or arch.provisioned_gb_s is None:
        return None
    return configured * memory_gb(fn.memory_mb) * MONTH_SECONDS * arch.provisioned_gb_s


def function_cost(fn: FunctionInfo, metrics: CostMetrics, prices: PriceTable) -> dict[str, Any]:
    """One report row: the window's usage and money, and the month projected from it."""
    usage = usage_of(fn, metrics)
    priced = price_usage(usage, fn.region, fn.architecture, prices)
    window_s = max(1.0, (metrics.window_end - metrics.window_start).total_seconds())
    scale = MONTH_SECONDS / window_s
    # Requests, duration and storage scale with the window; provisioned concurrency is what is
    # configured now, for a whole month (it is billed whether used or not).
    pc_month = monthly_provisioned(fn, metrics, prices)
    usage_month = None
    if priced.requests is not None and priced.duration is not None and priced.ephemeral is not None:
        usage_month = (priced.requests + priced.duration + priced.ephemeral) * scale
    monthly = None if usage_month is None or pc_month is None else usage_month + pc_month
    unknown_allocation = [p.qualifier for p in metrics.provisioned if p.allocated is None]
    gaps = list(priced.gaps)
    total = priced.total
    if unknown_allocation:
        gaps.append("provisioned concurrency amount unknown for " + ", ".join(sorted(unknown_allocation)))
        total, monthly = None, None
    return {
        "account_id": fn.account_id,
        "region": fn.region,
        "name": fn.name,
        "arn": fn.arn,
        "architecture": fn.architecture,
        "memory_mb": fn.memory_mb,
        "ephemeral_storage_mb": fn.ephemeral_storage_mb,
        "requests": usage.requests,
        "duration_seconds": round(usage.duration_seconds, 3),
        "gb_seconds": round(usage.gb_seconds, 3),
        "provisioned_duration_gb_seconds": round(usage.provisioned_duration_gb_seconds, 3),
        "provisioned_gb_seconds": round(usage.provisioned_gb_seconds, 3),
        "ephemeral_gb_seconds": round(usage.ephemeral_gb_seconds, 3),
        "cost_requests": _money(priced.requests),
        "cost_duration": _money(priced.duration),
        "cost_provisioned": _money(priced.provisioned),
        "cost_ephemeral": _money(priced.ephemeral),
        "cost_window": _money(total),
        "cost_monthly": _money(monthly),
        "priced": total is not None and monthly is not None,
        "gaps": gaps,
        "provisioned": [
            {
                "qualifier": p.qualifier,
                "allocated": p.allocated,
                "configured_hours": round(p.configured_seconds / 3600, 2),
                "utilization_avg": None if p.utilization_avg is None else round(p.utilization_avg, 4),
                "utilization_max": None if p.utilization_max is None else round(p.utilization_max, 4),
                "invocations": p.invocations,
            }
            for p in metrics.provisioned
        ],
    }


def cost_rows(inv: Inventory, prices: PriceTable) -> tuple[list[dict[str, Any]], list[FunctionInfo]]:
    """A row per function whose usage was read, most expensive first (unpriced ones last), and the
    functions whose usage could not be read (unknown: never a cost of 0)."""
    rows: list[dict[str, Any]] = []
    unread: list[FunctionInfo] = []
    for fn in inv.all_functions():
        metrics = inv.cost_metrics.get(fn.arn)
        if metrics is None:
            unread.append(fn)
            continue
        rows.append(function_cost(fn, metrics, prices))
    rows.sort(
        key=lambda r: (
            r["cost_monthly"] is None,
            -(r["cost_monthly"] or 0.0),
            r["account_id"],
            r["region"],
            r["name"],
        )
    )
    return rows, unread
