"""iam-passrole-wildcard: Allows iam:PassRole on any role: the function can hand any role, an admin one
included, to a service it controls. Medium with an iam:PassedToService condition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-passrole-wildcard"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An execution role may pass any role",
        remediation=(
            "Limit iam:PassRole to the ARNs of the roles the function must pass, with a Condition on "
            "iam:PassedToService."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
