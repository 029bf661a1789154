"""lambda-deprecated-runtime: functions on a runtime AWS no longer patches or supports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.runtime_use import subjects_in_state
from lambdaops.checks.awslambda.runtime_common import runtime_evidence, subject_finding, upgrade_advice
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.runtimes import RuntimeInfo, RuntimeState

if TYPE_CHECKING:
    from datetime import date

    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-deprecated-runtime"


def _block_note(info: RuntimeInfo, today: date) -> str:
    upd = info.block_update_date
    if upd is None:
        return ""
    if upd <= today:
        return f"; updates to functions on it are blocked since {upd.isoformat()}"
    return f"; updates to functions on it will be blocked from {upd.isoformat()}"


def run(inventory: Inventory, settings: Settings) -> Iterator[Finding]:
    for subject, info, today in subjects_in_state(inventory, settings, RuntimeState.DEPRECATED):
        if info is None or info.deprecation_date is None:
            continue
        fn, runtime, dep = subject.fn, subject.runtime, info.deprecation_date
        yield subject_finding(
            INFO,
            subject,
            f"{subject.label} runs on {runtime} ({info.name}), deprecated since {dep.isoformat()}: "
            f"no more security patches{_block_note(info, today)}{subject.latest_note()}",
            evidence=runtime_evidence(runtime, info),
            # names the function (or version), its runtime and the one to move to
            remediation=upgrade_advice(fn, info, runtime, subject.version),
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
