"""iam-policy-unparseable: An execution role's policy, or a function's resource-based policy, is malformed
(or its document was not returned): lambdaops cannot tell what it grants, so it is reported rather than
passed.
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

CHECK_ID = "iam-policy-unparseable"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="A policy cannot be evaluated",
        remediation=("Fix or replace the policy so it is valid IAM policy JSON, then audit again."),
        needs=frozenset({Part.FUNCTIONS, Part.IAM, Part.RESOURCE_POLICIES}),
        run=run,
        group=iam_common.GROUP,
    )
)
