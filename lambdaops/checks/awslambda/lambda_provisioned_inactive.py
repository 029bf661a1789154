"""lambda-provisioned-inactive: provisioned concurrency kept warm for a function nobody invokes.

Provisioned concurrency is billed while configured whether or not anything calls the function; on
an inactive function (no invocations in the window, not throttled, not new: analysis/activity.py)
all of it is waste.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.analysis.activity import ACTIVITY_PARTS
from lambdaops.checks.awslambda.cost_common import GROUP, prices_for, provisioned_month, usd
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import ActivityStatus, Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    prices = prices_for(settings)
    for fn in inv.all_functions():
        metrics = inv.cost_metrics.get(fn.arn)
        activity = inv.activity.get(fn.arn)
        if metrics is None or activity is None or activity.status is not ActivityStatus.INACTIVE:
            continue  # usage or activity unknown, or the function is used
        configured = [u for u in metrics.provisioned if u.allocated]
        if not configured:
            continue
        total = sum(u.allocated or 0 for u in configured)
        month = provisioned_month(fn, total, prices)
        qualifiers = ", ".join(u.qualifier for u in configured)
        yield INFO.finding(
            fn,
            f"{fn.name} has not been invoked in {inv.window_days} days but keeps {total} provisioned "
            f"concurrency ({qualifiers}): {usd(month)} a month for nothing",
            evidence={
                "qualifiers": [u.qualifier for u in configured],
                "allocated": total,
                "memory_mb": fn.memory_mb,
                "monthly_cost_usd": None if month is None else round(month, 2),
                "window_days": inv.window_days,
                "last_invocation": None
                if activity.last_invocation is None
                else activity.last_invocation.isoformat(),
                "prices_read": prices.read,
            },
        )


INFO = register(
    CheckInfo(
        id="lambda-provisioned-inactive",
        severity=Severity.MEDIUM,
        title="Provisioned concurrency on an inactive function",
        remediation=(
            "Remove the provisioned concurrency (`aws lambda delete-provisioned-concurrency-config`), "
            "or the function itself if nothing needs it (`lambdaops prune`)."
        ),
        needs=ACTIVITY_PARTS | {Part.COST_METRICS},
        run=run,
        group=GROUP,
    )
)
