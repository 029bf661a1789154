"""lambda-runtime-unknown: a function (or a version in use) on a runtime lambdaops' table does not list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.runtime_use import subjects_in_state
from lambdaops.checks.awslambda.runtime_common import subject_finding
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.runtimes import RuntimeState, load_table

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-runtime-unknown"
REMEDIATION = (
    "Update lambdaops: its runtime table (copied from AWS's Lambda runtimes page) does not list this "
    "runtime, so lambdaops cannot say whether it is supported, deprecated or blocked. A runtime newer "
    "than the table is usually fine; an unexpected name is worth a look at the function's configuration."
)


def run(inventory: Inventory, settings: Settings) -> Iterator[Finding]:
    # Never "supported" by default: a runtime the table does not list is reported, not assumed fine.
    as_of = load_table().as_of.isoformat()
    for subject, _, _ in subjects_in_state(inventory, settings, RuntimeState.UNKNOWN):
        yield subject_finding(
            INFO,
            subject,
            f"{subject.label} runs on {subject.runtime}: not in lambdaops' runtime table dated "
            f"{as_of}; update lambdaops{subject.latest_note()}",
            evidence={"runtime": subject.runtime, "table_as_of": as_of},
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Function runs on a runtime lambdaops does not know",
        remediation=REMEDIATION,
        needs=frozenset({Part.FUNCTIONS, Part.VERSIONS}),
        run=run,
        group="scan",
    )
)
