"""lambda-provisioned-idle: provisioned concurrency that mostly sits unused, paid for all the same.

Provisioned concurrency is billed for every second it is configured, used or not (AWS Lambda
pricing page). `ProvisionedConcurrencyUtilization` (ProvisionedConcurrentExecutions / the amount
allocated, AWS Lambda Developer Guide, "Monitoring concurrency") averaged over the cost window below
`provisioned_idle_percent` (default 20%) means most of that money buys nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.awslambda.cost_common import GROUP, prices_for, provisioned_month, usd
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import ActivityStatus, Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    prices = prices_for(settings)
    threshold = settings.provisioned_idle_percent
    for fn in inv.all_functions():
        metrics = inv.cost_metrics.get(fn.arn)
        if metrics is None:
            continue  # usage unknown
        activity = inv.activity.get(fn.arn)
        if activity is not None and activity.status is ActivityStatus.INACTIVE:
            continue  # lambda-provisioned-inactive says it, louder
        for usage in metrics.provisioned:
            if not usage.allocated or usage.utilization_avg is None:
                continue  # nothing configured now, or no datapoints to judge by
            percent = usage.utilization_avg * 100
            if percent >= threshold:
                continue
            month = provisioned_month(fn, usage.allocated, prices)
            idle = None if month is None else month * (1 - usage.utilization_avg)
            yield INFO.finding(
                fn,
                f"{fn.name}:{usage.qualifier} keeps {usage.allocated} provisioned concurrency "
                f"({fn.memory_mb} MB) {percent:.1f}% used on average over {settings.cost_days} days: "
                f"{usd(month)} a month, {usd(idle)} of it idle",
                evidence={
                    "qualifier": usage.qualifier,
                    "allocated": usage.allocated,
                    "memory_mb": fn.memory_mb,
                    "utilization_avg_percent": round(percent, 2),
                    "utilization_max_percent": None
                    if usage.utilization_max is None
                    else round(usage.utilization_max * 100, 2),
                    "threshold_percent": threshold,
                    "monthly_cost_usd": None if month is None else round(month, 2),
                    "monthly_idle_usd": None if idle is None else round(idle, 2),
                    "window_days": settings.cost_days,
                    "prices_read": prices.read,
                },
                detail=usage.qualifier,
            )


INFO = register(
    CheckInfo(
        id="lambda-provisioned-idle",
        severity=Severity.MEDIUM,
        title="Provisioned concurrency mostly idle",
        remediation=(
            "Lower the provisioned concurrency towards the observed peak (or scale it on a schedule "
            "with Application Auto Scaling), or remove it where cold starts are acceptable."
        ),
        needs=frozenset({Part.COST_METRICS}),
        run=run,
        group=GROUP,
    )
)
