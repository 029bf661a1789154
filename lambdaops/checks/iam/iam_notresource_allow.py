"""iam-notresource-allow: An Allow with NotResource grants its actions on every resource it does not name,
including ones created later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-notresource-allow"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An execution role is granted access to everything but a list (NotResource)",
        remediation=("Replace NotResource with an explicit Resource list of the ARNs the function uses."),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
