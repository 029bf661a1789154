"""lambda-runtime-deprecating-soon: functions whose runtime loses support within the warning window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.checks.lambda_deprecated_runtime import runtime_evidence, upgrade_advice
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.runtimes import RuntimeState, reference_day, runtime_status

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-runtime-deprecating-soon"


def check(inventory: Inventory, settings: Settings) -> Iterator[Finding]:
    today = reference_day(inventory.now)
    for fn in inventory.all_functions():
        if fn.runtime is None:  # container image: the runtime lives in the image, not in Lambda
            continue
        state, info = runtime_status(fn.runtime, today, settings.runtime_warn_days)
        if state is not RuntimeState.DEPRECATING_SOON or info is None:
            continue
        dep = info.deprecation_date
        assert dep is not None  # DEPRECATING_SOON is only reported for rows with a date
        days = (dep - today).days
        yield Finding(
            check_id=CHECK_ID,
            severity=INFO.severity,
            account_id=fn.account_id,
            region=fn.region,
            resource_arn=fn.arn,
            resource_name=fn.name,
            message=(
                f"{fn.name} runs on {fn.runtime} ({info.name}), deprecated on {dep.isoformat()} "
                f"(in {days} day{'s' if days != 1 else ''})"
            ),
            remediation=upgrade_advice(fn, info),
            evidence=runtime_evidence(fn.runtime, info),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Function's Lambda runtime is deprecated soon",
        remediation=(
            "Plan the move to the newest runtime of the function's language before the deprecation date "
            "(the window is runtime_warn_days, default 90)."
        ),
        needs=frozenset({"functions"}),
        run=check,
        group="scan",
    )
)
