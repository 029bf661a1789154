"""lambda-cross-account-invoke: The function's resource-based policy lets an account invoke it that is
neither one of the run's accounts (with --org: the organisation's) nor listed in `trusted_accounts`.
A grant narrowed by aws:PrincipalOrgID / aws:SourceOrgID stays inside the organisation and is not one.
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

CHECK_ID = iam_common.CROSS_ACCOUNT


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="An account outside the organisation may invoke the function",
        remediation=(
            "List the account in trusted_accounts (lambdaops.toml) if it is expected; otherwise remove the "
            "statement (aws lambda remove-permission) or pin it with aws:PrincipalOrgID."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.RESOURCE_POLICIES}),
        run=run,
        group=iam_common.GROUP,
    )
)
