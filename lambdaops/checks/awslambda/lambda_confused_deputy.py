"""lambda-confused-deputy: The function's resource-based policy lets an AWS service (s3, sns, events...)
invoke it without an aws:SourceAccount / aws:SourceArn condition, so any account's bucket, topic or rule
can trigger it. For Amazon S3 only an account condition counts (bucket ARNs name no account).

Source: AWS Config rule lambda-function-public-access-prohibited, the check behind Security Hub control
Lambda.1 (read 2026-12-06): a function invoked from Amazon S3 whose policy has no condition such as
AWS:SourceAccount is NON_COMPLIANT.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.iam import function_facts
from lambdaops.checks.iam import iam_common
from lambdaops.checks.iam.iam_common import (
    grant_evidence,
    note_deny,
    policy_detail,
    qualifier_flag,
    remove_hint,
    where,
)
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.policy.invoke_access import Reach

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-confused-deputy"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fg in function_facts(inv, settings).grants_of(Reach.CONFUSED_DEPUTY):
        f, g, stmt = fg.fn, fg.grant, fg.grant.statement
        evidence = grant_evidence(fg)
        key = (
            "AWS:SourceAccount"
            if any(p.lower() == "s3.amazonaws.com" for p in g.principals)
            else "aws:SourceArn or aws:SourceAccount"
        )
        message = (
            f"{where(f, fg.qualifier)}: resource policy statement {stmt.label} lets "
            f"{', '.join(g.principals)} invoke it ({', '.join(g.actions)}) for any account's resources: "
            f"no {key} condition (confused deputy)"
        )
        yield INFO.finding(
            f,
            note_deny(fg, evidence, message),
            evidence=evidence,
            detail=policy_detail(fg.qualifier, stmt.label),
            # a Deny statement cancels the grant: kept visible, at info
            severity=Severity.INFO if g.denied_by else None,
            # the exact commands that replace this statement with a pinned one
            remediation=(
                f"Replace the statement: {remove_hint(fg)}, then aws lambda add-permission "
                f"--function-name {f.name}{qualifier_flag(fg.qualifier)} --statement-id "
                f"{stmt.sid or '<sid>'} --action lambda:InvokeFunction --principal {g.principals[0]} "
                f"--source-account {f.account_id} --source-arn <ARN of the bucket, topic or rule that "
                "calls it>."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An AWS service may invoke the function for any account",
        remediation=(
            "Add the permission back with --source-account <your account> and --source-arn <the bucket, "
            "topic or rule> (aws lambda add-permission), then remove the unpinned statement."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.RESOURCE_POLICIES}),
        run=run,
        group=iam_common.GROUP,
        controls=("FSBP Lambda.1",),  # AWS Security Hub User Guide, controls for Lambda/IAM, read 2026-12-06
    )
)
