"""iam-service-wildcard: Allows `service:*`: high on all resources, medium on specific ARNs, critical for
iam, sts, kms or lambda on all resources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-service-wildcard"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An execution role may use every action of a service",
        remediation=(
            "Replace `service:*` with the specific actions the function calls, on the ARNs of the "
            "resources it uses."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
        controls=("FSBP IAM.21",),  # AWS Security Hub User Guide, controls for Lambda/IAM, read 2026-12-06
    )
)
