"""lambda-error-rate-high: a function's invocations failed more often than the threshold over the
--days window (default: above 5% of at least 100 invocations).

From the Errors and Invocations metrics read in the same batched GetMetricData calls as the activity
(no call per function). `Errors` counts invocations that ran and returned a function error
(exceptions, timeouts, out-of-memory); throttled requests are not in either metric.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn in inv.all_functions():
        metrics = inv.invocations.get(fn.arn)
        if metrics is None or metrics.errors is None or metrics.span_invocations is None:
            continue  # unread: unknown, never a finding
        ran = metrics.span_invocations
        if ran < settings.error_rate_min_invocations or ran <= 0:
            continue
        rate = 100.0 * metrics.errors / ran
        if rate <= settings.error_rate_percent:
            continue
        yield INFO.finding(
            fn,
            f"{fn.name}: {metrics.errors:,.0f} of {ran:,.0f} invocations failed in the last "
            f"{inv.window_days} days ({rate:.1f}%, threshold {settings.error_rate_percent:g}%)",
            evidence={
                "errors": metrics.errors,
                "invocations": ran,
                "error_rate_percent": round(rate, 2),
                "threshold_percent": settings.error_rate_percent,
                "min_invocations": settings.error_rate_min_invocations,
                "window_days": inv.window_days,
            },
        )


INFO = register(
    CheckInfo(
        id="lambda-error-rate-high",
        severity=Severity.MEDIUM,
        title="Error rate above the threshold",
        remediation=(
            "Read the function's errors in CloudWatch Logs Insights (`filter @message like /ERROR/`), fix "
            "the cause, and alarm on the Errors metric; tune `error_rate_percent` and "
            "`error_rate_min_invocations` in lambdaops.toml if this function's rate is expected."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.INVOCATIONS, Part.RUN_METRICS}),
        run=run,
        group="scan",
    )
)
