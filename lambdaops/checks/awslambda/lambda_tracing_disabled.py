"""lambda-tracing-disabled: AWS X-Ray active tracing is off (TracingConfig.Mode PassThrough).

Off by default in the catalogue: tracing costs money and many teams trace with other tools. Teams
that require it enable the check in lambdaops.toml (`enable_checks = ["lambda-tracing-disabled"]`),
or run `scan --compliance fsbp` (Security Hub control Lambda.7).
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
        if fn.tracing_mode is None or fn.tracing_mode == "Active":
            continue  # None: not read, unknown
        yield INFO.finding(
            fn,
            f"{fn.name} has X-Ray active tracing off (mode {fn.tracing_mode})",
            evidence={"tracing_mode": fn.tracing_mode},
        )


INFO = register(
    CheckInfo(
        id="lambda-tracing-disabled",
        severity=Severity.INFO,
        title="X-Ray active tracing is off",
        remediation=(
            "Set TracingConfig Mode=Active (`aws lambda update-function-configuration --tracing-config "
            "Mode=Active`) and allow the role xray:PutTraceSegments and xray:PutTelemetryRecords."
        ),
        needs=frozenset({Part.FUNCTIONS}),
        run=run,
        group="scan",
        default_enabled=False,
    )
)
