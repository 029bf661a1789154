"""concurrency-peak-near-limit: the region's claimed concurrency came close to the account limit."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.concurrency.concurrency_common import CLAIMED_METRIC, GROUP, fmt_count, peak_or_zero
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity, iso
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "concurrency-peak-near-limit"
REMEDIATION = (
    "Request a higher Lambda concurrency quota for the region (Service Quotas, L-B99A9384) before "
    "invocations are throttled, and release reservations far above their function's peak."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for (account_id, region), metrics in sorted(inv.region_metrics.items()):
        pool = inv.account_settings.get((account_id, region))
        if pool is None or not metrics.metric_read or pool.concurrency_limit <= 0:
            continue  # limit or peak unknown: no verdict
        peak = peak_or_zero(metrics.peak_concurrency)
        percent = 100.0 * peak / pool.concurrency_limit
        if percent < settings.peak_warn_percent:
            continue
        # medium from peak_warn_percent; high from peak_high_percent, closer to throttling
        raised = Severity.HIGH if percent >= settings.peak_high_percent else None
        days = settings.concurrency_days
        what = (
            "claimed concurrency (reservations, provisioned and on-demand in use)"
            if metrics.metric_name == CLAIMED_METRIC
            else "concurrent executions"
        )
        yield INFO.account_finding(
            severity=raised,
            account_id=account_id,
            region=region,
            message=(
                f"{region}: peak {what} reached {fmt_count(peak)} of the {pool.concurrency_limit} limit "
                f"({percent:.1f}%) in the last {days} days"
            ),
            evidence={
                "metric": metrics.metric_name,
                "peak": peak,
                "peak_at": iso(metrics.peak_at),
                "concurrency_limit": pool.concurrency_limit,
                "percent_of_limit": round(percent, 1),
                "warn_percent": settings.peak_warn_percent,
                "high_percent": settings.peak_high_percent,
                "window_days": days,
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Peak concurrency near the account limit",
        remediation=REMEDIATION,
        needs=frozenset({Part.ACCOUNT_SETTINGS, Part.CONCURRENCY_METRICS}),
        run=run,
        group=GROUP,
    )
)
