"""iam-shared-role: One execution role is used by several functions of its account (any regions), so each
gets the union of what all need. Low, raised to the severity of the role's worst finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lambdaops.analysis.iam import role_facts
from lambdaops.checks.iam import iam_common
from lambdaops.checks.iam.iam_common import role_finding
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-shared-role"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts in role_facts(inv, settings):
        if not facts.shared:
            continue
        functions = list(facts.functions)
        evidence: dict[str, Any] = {
            "role_arn": facts.role.arn,
            "policy_name": None,
            "policy_arn": None,
            "policy_kind": None,
            "statement": None,
            "actions": [],
            "resources": [],
            "functions": functions,
        }
        message = f"Execution role {facts.role.name} is shared by {len(functions)} functions"
        worst = facts.worst()
        # Severity: low, raised to that of the role's worst finding (every function sharing the role
        # gets what the worst statement allows).
        raised = worst.severity if worst is not None and worst.severity > INFO.severity else None
        if worst is not None and raised is not None:
            evidence["worst_finding"] = {
                "check_id": worst.rule,
                "severity": worst.severity.label,
                "detail": worst.detail,
            }
            message += f"; raised to {raised.label} by its {worst.rule} finding ({worst.detail})"
        yield role_finding(
            INFO,
            facts,
            message=message,
            evidence=evidence,
            severity=raised,
            # names how many functions and the role they share
            remediation=(
                f"Give each of the {len(functions)} functions its own execution role with only the "
                f"permissions that function uses, so a flaw in one cannot use the others' access through "
                f"{facts.role.name}."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.LOW,
        title="Several functions share one execution role",
        remediation=(
            "Give each function its own execution role with only the permissions that function uses."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
