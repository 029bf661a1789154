"""iam-resource-wildcard: Allows write actions on `*` (or every ARN of the service) although IAM lets them
be scoped to resource ARNs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.iam import rule_hits
from lambdaops.checks.iam import iam_common
from lambdaops.checks.iam.iam_common import describe_resources, rule_finding
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-resource-wildcard"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts, hit in rule_hits(inv, settings, CHECK_ID):
        acts = ", ".join(hit.result.actions)
        res = describe_resources(hit.statement)
        yield rule_finding(
            INFO,
            facts,
            hit,
            what=f"allows write (or unclassified) actions {acts} on all resources ({res})",
            fix=(
                f'scopes {acts} to the ARNs the functions use instead of "*" (for logs: '
                "arn:aws:logs:<region>:<account>:log-group:/aws/lambda/<function>:*)."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="An execution role may write to every resource of a service",
        remediation=(
            'Replace `"Resource": "*"` with the ARNs the function writes to, e.g. its own log group '
            "arn:aws:logs:<region>:<account>:log-group:/aws/lambda/<function>:*."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
