"""lambda-public-invoke: The function's resource-based policy grants lambda:InvokeFunction (or
InvokeFunctionUrl) to `*` without a condition that pins the caller (SourceArn, SourceAccount,
PrincipalOrgID).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.iam import function_facts
from lambdaops.checks.iam import iam_common
from lambdaops.checks.iam.iam_common import grant_evidence, note_deny, policy_detail, remove_hint, where
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.policy.invoke_access import Reach

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-public-invoke"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fg in function_facts(inv, settings).grants_of(Reach.PUBLIC):
        stmt = fg.grant.statement
        evidence = grant_evidence(fg)
        message = (
            f"{where(fg.fn, fg.qualifier)}: resource policy statement {stmt.label} lets anyone invoke it "
            f"({', '.join(fg.grant.actions)}) with no condition pinning the caller"
        )
        yield INFO.finding(
            fg.fn,
            note_deny(fg, evidence, message),
            evidence=evidence,
            detail=policy_detail(fg.qualifier, stmt.label),
            # a Deny statement cancels the grant: kept visible, at info
            severity=Severity.INFO if fg.grant.denied_by else None,
            # names the statement to remove
            remediation=(
                f"Remove the statement ({remove_hint(fg)}) or add it back with a SourceArn, "
                "SourceAccount or PrincipalOrgID condition naming the only allowed caller."
            ),
        )


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
