"""lambda-reservation-unused: a reservation far above the function's peak locks pool capacity away."""

from __future__ import annotations

import math
from collections.abc import Iterator

from lambdaops.checks.concurrency.concurrency_common import GROUP, fmt_count, peak_or_zero
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "lambda-reservation-unused"
REMEDIATION = (
    "Lower the reservation towards the observed peak plus a margin (`lambdaops set-concurrency FUNCTION "
    "--reserved N`): the difference returns to the unreserved pool every other function shares."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    days = settings.concurrency_days
    ratio = settings.reservation_unused_ratio
    for fn in inv.all_functions():
        reserved = inv.reserved.get(fn.arn)
        metrics = inv.function_metrics.get(fn.arn)
        if not reserved or metrics is None:
            continue  # no reservation above 0, or peak unknown
        peak = peak_or_zero(metrics.peak_concurrency)
        provisioned = sum(c.requested for c in inv.provisioned.get(fn.arn, []))
        # Provisioned concurrency must fit inside the reservation: that much of it is in use by design.
        needed = max(peak, float(provisioned))
        if reserved <= needed or reserved < ratio * needed:
            continue
        yield INFO.finding(
            fn,
            message=(
                f"{fn.name} reserves {reserved} concurrent executions but peaked at {fmt_count(peak)} in the "
                f"last {days} days: about {reserved - math.ceil(needed)} sit unused, out of the shared pool"
            ),
            evidence={
                "reserved_concurrency": reserved,
                "peak_concurrency": peak,
                "provisioned_requested": provisioned,
                "ratio": round(reserved / needed, 1) if needed else None,
                "ratio_threshold": ratio,
                "window_days": days,
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.INFO,
        title="Reservation far above the function's peak",
        remediation=REMEDIATION,
        needs=frozenset({Part.CONCURRENCY, Part.CONCURRENCY_METRICS}),
        run=run,
        group=GROUP,
    )
)
