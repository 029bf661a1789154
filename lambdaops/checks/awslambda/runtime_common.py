"""Wording the three runtime checks share: evidence, upgrade advice and a finding per runtime in use.

Which runtimes each function runs ($LATEST and the versions in use) is lambdaops.analysis.runtime_use.
This module registers no check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lambdaops.runtimes import RuntimeInfo, load_table

if TYPE_CHECKING:
    from lambdaops.analysis.runtime_use import RuntimeSubject
    from lambdaops.checks.registry import CheckInfo
    from lambdaops.inventory import FunctionInfo
    from lambdaops.model import Finding


def subject_finding(
    info: CheckInfo,
    subject: RuntimeSubject,
    message: str,
    *,
    evidence: Mapping[str, Any],
    remediation: str | None = None,
) -> Finding:
    """A finding of `info` about one runtime in use: a version's carries its function's ARN (tags and
    suppressions apply), told apart by detail and evidence."""
    return info.finding(
        subject.fn,
        message,
        evidence={**evidence, **subject.evidence()},
        detail=subject.detail,
        remediation=remediation,
    )


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
