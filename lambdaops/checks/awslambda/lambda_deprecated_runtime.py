"""lambda-deprecated-runtime: functions on a runtime AWS no longer patches or supports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.checks._findings import function_finding
from lambdaops.checks.awslambda.runtime_common import subjects_in_state
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.runtimes import RuntimeInfo, RuntimeState, load_table

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


def upgrade_advice(
    fn: FunctionInfo, info: RuntimeInfo, runtime: str | None = None, version: str | None = None
) -> str:
    target = "a supported runtime"
    if info.successor:
        target = f"{info.successor}, the newest runtime for its language"
    current = runtime or fn.runtime
    if version is not None:
        return (
            f"Version {version} of {fn.name} still runs {current}: publish a version on {target} (update "
            "the code and dependencies for the new language version, test it), then point the aliases "
            "and provisioned concurrency that use this version at the new one."
        )
    return (
        f"Move {fn.name} from {current} to {target}: update the code and dependencies for the new "
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
    """(function, schedule row, today, deprecation date) for functions whose $LATEST runtime is in
    `wanted` (published versions in use: runtime_common.subjects_in_state)."""
    for subject, info, today in subjects_in_state(inventory, settings, wanted):
        if subject.version is None and info is not None and info.deprecation_date is not None:
            yield subject.fn, info, today, info.deprecation_date


def run(inventory: Inventory, settings: Settings) -> Iterator[Finding]:
    for subject, info, today in subjects_in_state(inventory, settings, RuntimeState.DEPRECATED):
        if info is None or info.deprecation_date is None:
            continue
        fn, runtime, dep = subject.fn, subject.runtime, info.deprecation_date
        yield subject.qualify(
            function_finding(
                fn,
                check_id=CHECK_ID,
                severity=INFO.severity,
                message=(
                    f"{subject.label} runs on {runtime} ({info.name}), deprecated since {dep.isoformat()}: "
                    f"no more security patches{_block_note(info, today)}{subject.latest_note()}"
                ),
                remediation=upgrade_advice(fn, info, runtime, subject.version),
                evidence=runtime_evidence(runtime, info),
            )
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="Function runs on a deprecated Lambda runtime",
        remediation=(
            "Move the function to the newest runtime of its language and redeploy: a deprecated runtime "
            "gets no security patches, and Lambda later blocks creating and then updating functions on it. "
            "Published versions that an alias or provisioned concurrency still uses are checked too: a "
            "version keeps the runtime it was published with."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.VERSIONS}),
        run=run,
        group="scan",
        controls=("FSBP Lambda.2",),  # AWS Security Hub User Guide, controls for Lambda/IAM, read 2026-12-06
    )
)
