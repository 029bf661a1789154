"""lambda-public-invoke: The function's resource-based policy grants lambda:InvokeFunction (or
InvokeFunctionUrl) to `*` without a condition that pins the caller (SourceArn, SourceAccount,
PrincipalOrgID).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-public-invoke"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.CRITICAL,
        title="Anyone may invoke the function",
        remediation=(
            "Remove the statement with aws lambda remove-permission, or add it back with a SourceArn, "
            "SourceAccount or PrincipalOrgID condition."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.RESOURCE_POLICIES}),
        run=run,
        group=iam_common.GROUP,
        controls=("FSBP Lambda.1",),  # AWS Security Hub User Guide, controls for Lambda/IAM, read 2026-12-06
    )
)
