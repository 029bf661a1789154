"""lambda-cross-account-invoke: The function's resource-based policy lets an account invoke it that is
neither one of the run's accounts (with --org: the organisation's) nor listed in `trusted_accounts`.
A grant narrowed by aws:PrincipalOrgID / aws:SourceOrgID stays inside the organisation and is not one.
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

CHECK_ID = "lambda-cross-account-invoke"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fg in function_facts(inv, settings).grants_of(Reach.CROSS_ACCOUNT):
        g, stmt = fg.grant, fg.grant.statement
        evidence = grant_evidence(fg)
        evidence["accounts"] = list(g.principals)
        message = (
            f"{where(fg.fn, fg.qualifier)}: resource policy statement {stmt.label} lets account "
            f"{', '.join(g.principals)} invoke it ({', '.join(g.actions)}); that account is not in this run "
            "nor in trusted_accounts"
        )
        yield INFO.finding(
            fg.fn,
            note_deny(fg, evidence, message),
            evidence=evidence,
            detail=policy_detail(fg.qualifier, stmt.label),
            # a Deny statement cancels the grant: kept visible, at info
            severity=Severity.INFO if g.denied_by else None,
            # names the statement to remove
            remediation=(
                f"If the account is expected, add it to trusted_accounts in lambdaops.toml; otherwise remove "
                f"the statement ({remove_hint(fg)}) or pin it with an aws:PrincipalOrgID condition."
            ),
        )


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
