"""iam-action-wildcard: Allows a partial wildcard such as `s3:Put*` on all resources: medium when it can
reach write or permissions actions, low when it reaches only read and list actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-action-wildcard"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="An execution role uses partial action wildcards on all resources",
        remediation=(
            "List the actions the function needs instead of the wildcard, and scope them to resource ARNs."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
