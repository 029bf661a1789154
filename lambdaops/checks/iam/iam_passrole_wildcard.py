"""iam-passrole-wildcard: Allows iam:PassRole on any role: the function can hand any role, an admin one
included, to a service it controls. Medium with an iam:PassedToService condition.
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

CHECK_ID = "iam-passrole-wildcard"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts, hit in rule_hits(inv, settings, CHECK_ID):
        res = describe_resources(hit.statement)
        yield rule_finding(
            INFO,
            facts,
            hit,
            what=f"allows iam:PassRole on any role ({res})",
            fix=(
                "limits iam:PassRole to the ARNs of the roles the functions must pass, with a "
                "Condition on iam:PassedToService naming the service that receives them."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An execution role may pass any role",
        remediation=(
            "Limit iam:PassRole to the ARNs of the roles the function must pass, with a Condition on "
            "iam:PassedToService."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
