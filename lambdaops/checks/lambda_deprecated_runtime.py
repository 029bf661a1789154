"""lambda-deprecated-runtime: functions on a runtime AWS no longer patches or supports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.checks._findings import function_finding
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.runtimes import RuntimeInfo, RuntimeState, load_table, reference_day, runtime_status

if TYPE_CHECKING:
    from datetime import date

    from lambdaops.inventory import FunctionInfo, Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-deprecated-runtime"


def runtime_evidence(runtime: str, info: RuntimeInfo) -> dict[str, object]:
    """Evidence both runtime checks share: the schedule row and how old the table is."""
    dep = info.deprecation_date
    return {
        "runtime": runtime,
        "deprecation_date": dep.isoformat() if dep else None,
        "block_create_date": info.block_create_date.isoformat() if info.block_create_date else None,
        "block_update_date": info.block_update_date.isoformat() if info.block_update_date else None,
        "successor": info.successor,
        "table_as_of": load_table().as_of.isoformat(),
    }


def upgrade_advice(fn: FunctionInfo, info: RuntimeInfo) -> str:
    target = "a supported runtime"
    if info.successor:
        target = f"{info.successor}, the newest runtime for its language"
    return (
        f"Move {fn.name} from {fn.runtime} to {target}: update the code and dependencies for the new "
        "language version, test it, then change the function's runtime (UpdateFunctionConfiguration "
        "or your IaC template) and redeploy."
    )


def _block_note(info: RuntimeInfo, today: date) -> str:
    upd = info.block_update_date
    if upd is None:
        return ""
    if upd <= today:
        return f"; updates to functions on it are blocked since {upd.isoformat()}"
    return f"; updates to functions on it will be blocked from {upd.isoformat()}"


def functions_in_state(
    inventory: Inventory, settings: Settings, wanted: RuntimeState
) -> Iterator[tuple[FunctionInfo, RuntimeInfo, date, date]]:
    """(function, schedule row, today, deprecation date) for functions whose runtime is in `wanted`.

    Container images are skipped: their runtime lives in the image, not in Lambda."""
    today = reference_day(inventory.now)
    for fn in inventory.all_functions():
        if fn.runtime is None:
            continue
        state, info = runtime_status(fn.runtime, today, settings.runtime_warn_days)
        if state is not wanted or info is None or info.deprecation_date is None:
            continue
        yield fn, info, today, info.deprecation_date


def check(inventory: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn, info, today, dep in functions_in_state(inventory, settings, RuntimeState.DEPRECATED):
        assert fn.runtime is not None
        yield function_finding(
            fn,
            check_id=CHECK_ID,
            severity=INFO.severity,
            message=(
                f"{fn.name} runs on {fn.runtime} ({info.name}), deprecated since {dep.isoformat()}: "
                f"no more security patches{_block_note(info, today)}"
            ),
            remediation=upgrade_advice(fn, info),
            evidence=runtime_evidence(fn.runtime, info),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="Function runs on a deprecated Lambda runtime",
        remediation=(
            "Move the function to the newest runtime of its language and redeploy: a deprecated runtime "
            "gets no security patches, and Lambda later blocks creating and then updating functions on it."
        ),
        needs=frozenset({"functions"}),
        run=check,
        group="scan",
    )
)
