"""iam-orphan-policy: a customer-managed policy attached to nothing (often a console leftover)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "iam-orphan-policy"
REMEDIATION = (
    "Delete the policy if nothing needs it (`aws iam delete-policy` after deleting its non-default "
    "versions); console-generated AWSLambdaBasicExecutionRole-<uuid> policies are left behind when "
    "a function's role is deleted."
)
CONSOLE_POLICY = re.compile(
    r"^AWSLambda[A-Za-z]*ExecutionRole-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for account_id, details in sorted(inv.iam.items()):
        for arn, policy in sorted(details.policies.items()):
            if policy.kind != "customer-managed" or policy.attachment_count != 0:
                continue
            console = bool(CONSOLE_POLICY.match(policy.name))
            yield INFO.resource_finding(
                account_id=account_id,
                region="global",
                resource_arn=arn,
                resource_name=policy.name,
                message=(
                    f"customer-managed policy {policy.name} is attached to nothing"
                    + (" (a console-generated Lambda execution policy left behind)" if console else "")
                ),
                evidence={"policy_arn": arn, "attachment_count": 0, "console_generated": console},
            )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.LOW,
        title="Customer-managed policy attached to nothing",
        remediation=REMEDIATION,
        needs=frozenset({Part.IAM}),
        run=run,
        group="scan",
    )
)
