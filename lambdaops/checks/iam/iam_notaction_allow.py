"""iam-notaction-allow: An Allow with NotAction (as in PowerUserAccess) grants every present and future
action it does not name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-notaction-allow"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An execution role is granted everything but a list (NotAction)",
        remediation=("Replace NotAction with an explicit Action list of what the function calls."),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
