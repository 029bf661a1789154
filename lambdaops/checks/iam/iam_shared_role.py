"""iam-shared-role: One execution role is used by several functions of its account (any regions), so each
gets the union of what all need. Low, raised to the severity of the role's worst finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-shared-role"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


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
