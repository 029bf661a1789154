"""lambda-runtime-deprecating-soon: functions whose runtime loses support within the warning window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.runtime_use import subjects_in_state
from lambdaops.checks.awslambda.runtime_common import runtime_evidence, subject_finding, upgrade_advice
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.runtimes import RuntimeState

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-runtime-deprecating-soon"


def run(inventory: Inventory, settings: Settings) -> Iterator[Finding]:
    for subject, info, today in subjects_in_state(inventory, settings, RuntimeState.DEPRECATING_SOON):
        if info is None or info.deprecation_date is None:
            continue
        fn, runtime, dep = subject.fn, subject.runtime, info.deprecation_date
        days = (dep - today).days
        yield subject_finding(
            INFO,
            subject,
            f"{subject.label} runs on {runtime} ({info.name}), deprecated on {dep.isoformat()} "
            f"(in {days} day{'s' if days != 1 else ''}){subject.latest_note()}",
            evidence=runtime_evidence(runtime, info),
            # names the function (or version), its runtime and the one to move to
            remediation=upgrade_advice(fn, info, runtime, subject.version),
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
        needs=frozenset({Part.FUNCTIONS, Part.VERSIONS}),
        run=run,
        group="scan",
    )
)
