"""lambda-concurrency-zero: a reservation of 0 switches the function off: every invocation is throttled."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.concurrency.concurrency_common import GROUP
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "lambda-concurrency-zero"
REMEDIATION = (
    "If the function should run, give it a reservation (`lambdaops set-concurrency FUNCTION --reserved N`) "
    "or remove the 0 (`--remove`); if it was switched off for good, delete it."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn in inv.all_functions():
        if inv.reserved.get(fn.arn, -1) != 0:
            continue
        metrics = inv.function_metrics.get(fn.arn)
        throttles = metrics.throttles if metrics is not None else None
        message = f"{fn.name} has reserved concurrency 0: it cannot run at all, every invocation is throttled"
        if throttles:
            days = settings.concurrency_days
            message += f" ({int(throttles)} throttled in the last {days} days)"
        yield INFO.finding(
            fn,
            message=message,
            evidence={"reserved_concurrency": 0, "throttles": throttles, "description": fn.description},
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Function reserved at 0 (cannot run)",
        remediation=REMEDIATION,
        needs=frozenset({Part.CONCURRENCY, Part.CONCURRENCY_METRICS}),
        run=run,
        group=GROUP,
    )
)
