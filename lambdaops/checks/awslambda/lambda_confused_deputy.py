"""lambda-confused-deputy: The function's resource-based policy lets an AWS service (s3, sns, events...)
invoke it without an aws:SourceAccount / aws:SourceArn condition, so any account's bucket, topic or rule
can trigger it. For Amazon S3 only an account condition counts (bucket ARNs name no account).

Source: AWS Config rule lambda-function-public-access-prohibited, the check behind Security Hub control
Lambda.1 (read 2026-12-06): a function invoked from Amazon S3 whose policy has no condition such as
AWS:SourceAccount is NON_COMPLIANT.
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

CHECK_ID = iam_common.CONFUSED_DEPUTY


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


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
