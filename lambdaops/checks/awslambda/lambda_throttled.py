"""lambda-throttled: invocations of the function were throttled in the window."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.concurrency.concurrency_common import GROUP, fmt_count
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "lambda-throttled"
REMEDIATION = (
    "If its reservation caps it, raise it (`lambdaops set-concurrency FUNCTION --reserved N`); if it has "
    "none, the region's pool ran out: release unused reservations or request a higher quota. Make sure "
    "callers retry throttled (429) invocations."
)


# A 1-minute peak this close to the reservation means the reservation (also a cap) was hit.
NEAR_CAP = 0.8


def _cause(reserved: int | None, known: bool, peak: float | None) -> str:
    if not known:
        return "its reservation could not be read"
    if reserved == 0:
        return "its reservation of 0 throttles every invocation"
    if reserved is not None:
        if peak is not None and peak >= NEAR_CAP * reserved:
            return f"its reservation of {reserved} is also its cap, and it ran into it"
        return (
            f"it stayed under its reservation of {reserved}, so the throttles came from bursts shorter "
            "than the metric's minute or faster than Lambda scales"
        )
    return "it has no reservation, so it competed for the region's unreserved pool"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    days = settings.concurrency_days
    for fn in inv.all_functions():
        metrics = inv.function_metrics.get(fn.arn)
        if metrics is None or metrics.throttles <= 0:
            continue
        known = fn.arn in inv.reserved
        reserved = inv.reserved.get(fn.arn)
        yield INFO.finding(
            fn,
            message=(
                f"{fn.name} had {fmt_count(metrics.throttles)} throttled invocations in the last {days} days "
                f"(peak {fmt_count(metrics.peak_concurrency)} concurrent): "
                f"{_cause(reserved, known, metrics.peak_concurrency)}"
            ),
            evidence={
                "throttles": metrics.throttles,
                "peak_concurrency": metrics.peak_concurrency,
                "reserved_concurrency": reserved,
                "window_days": days,
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Function throttled",
        remediation=REMEDIATION,
        needs=frozenset({Part.CONCURRENCY, Part.CONCURRENCY_METRICS}),
        run=run,
        group=GROUP,
    )
)
