"""lambda-timeouts: the longest run in the --days window reached (or nearly reached) the function's
configured timeout (default: at or above 95% of it): it timed out, or is about to.

From the Duration metric's Maximum, read in the same batched GetMetricData calls as the activity (no
call per function); the timeout comes from ListFunctions.
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
        if metrics is None or metrics.max_duration_ms is None or not fn.timeout_s:
            continue  # unread: unknown
        limit_ms = fn.timeout_s * 1000.0
        percent = 100.0 * metrics.max_duration_ms / limit_ms
        if percent < settings.timeout_near_percent:
            continue
        yield INFO.finding(
            fn,
            f"{fn.name}: its longest run in the last {inv.window_days} days took "
            f"{metrics.max_duration_ms / 1000:,.1f} s of its {fn.timeout_s} s timeout ({percent:.0f}%)",
            evidence={
                "max_duration_ms": metrics.max_duration_ms,
                "timeout_s": fn.timeout_s,
                "percent_of_timeout": round(percent, 1),
                "threshold_percent": settings.timeout_near_percent,
                "window_days": inv.window_days,
            },
        )


INFO = register(
    CheckInfo(
        id="lambda-timeouts",
        severity=Severity.MEDIUM,
        title="Runs reach the configured timeout",
        remediation=(
            "Find the slow calls (X-Ray, or the REPORT lines' Duration in the logs), give them their own "
            "time-outs shorter than the function's, or raise Timeout (and more memory, which brings more "
            "CPU) if the work needs it."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.INVOCATIONS, Part.RUN_METRICS}),
        run=run,
        group="scan",
    )
)
